"""Command line: ``activebench list | methods | run | errata | claims | bench | sweep | compare``.

Exit codes: 0 when every selected check passed, 1 when one failed, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

from verification import __version__
from verification.records import DEFAULT_SEED, validate_seed


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits with 2 already; keep its message short
        self.print_usage(sys.stderr)
        self.exit(2, f"activebench: error: {message}\n")


def _seed(text: str) -> int:
    try:
        return validate_seed(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be an integer in [0, 2**63), got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the tests)."""
    p = _Parser(prog="activebench", description="Verification and benchmark suite for active-matter "
                "and chemotaxis models.")
    p.add_argument("--version", action="version", version=f"activebench {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ls = sub.add_parser("list", help="list the checks (id, profiles, source, summary, method protocols)")
    ls.add_argument("--profile", choices=("quick", "full"), default=None)

    me = sub.add_parser("methods", help="list the method protocols: signature, the checks that use each, our default")
    me.add_argument("--json", action="store_true", help="print JSON instead of text")
    me.add_argument("name", nargs="?", help="one protocol: print its full documentation")

    run = sub.add_parser("run", help="run checks and write a report")
    run.add_argument("--profile", choices=("quick", "full"), default="quick")
    run.add_argument("--only", nargs="+", metavar="ID", help="check ids or prefixes (e.g. rt1d rtnd.diffusivity)")
    run.add_argument("--seed", type=_seed, default=DEFAULT_SEED)
    run.add_argument("--json", type=Path, metavar="PATH", help="write the results document here")
    run.add_argument("--report", type=Path, metavar="DIR", default=Path("activebench-report"),
                     help="report folder (index.html, results.json, figures); default ./activebench-report")
    run.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument("--work", type=Path, metavar="DIR",
                     help="keep the sweeps of long checks (sipf.critical_mass) in DIR: a re-run with the same DIR, "
                     "profile and seed resumes them instead of starting over; default: temporary folders")
    run.add_argument("--method", action="append", default=[], metavar="PROTOCOL=MODULE:OBJECT",
                     help="your method under test, e.g. rt1d.walkers=my_sampler.py:simulate (a PATH.py, or a "
                     "module importable from the current folder or the environment); handed to the checks that "
                     "declare PROTOCOL (see `activebench methods`), which are then the default selection; "
                     "smoke-tested before any check runs; repeatable")
    run.add_argument("--compare", action="store_true",
                     help="with --method: run each selected check on our method and on yours, side by side")

    er = sub.add_parser("errata", help="formulas stated in the seed documents vs their derivations")
    er.add_argument("--json", type=Path, metavar="PATH")

    cl = sub.add_parser("claims", help="the claims ledger: every claim of the sources and what checks it")
    cl.add_argument("--source", choices=("MIPS", "CHEMOTAXIS", "ANTS", "SIPF"), help="one source only")
    cl.add_argument("--json", action="store_true", help="print JSON instead of text")
    cl.add_argument("--all", action="store_true", help="list every claim with what addresses it")

    be = sub.add_parser("bench", help="run a benchmark workload and print times and ratios")
    be.add_argument("workload", help="workload name (e.g. rt1d)")
    be.add_argument("--quick", action="store_true", help="fewer repeats (seconds, not minutes)")
    be.add_argument("--json", type=Path, metavar="PATH")

    sw = sub.add_parser("sweep", help="run (or resume) a parameter sweep on a process pool or a dask cluster")
    sw.add_argument("sweep", nargs="?", metavar="NAME-or-FILE",
                    help="a built-in sweep (see --list) or a TOML/JSON file: sweep = NAME, [params] overrides")
    sw.add_argument("--list", action="store_true", help="list the built-in sweeps and their parameters")
    sw.add_argument("--out", type=Path, metavar="DIR", help="output folder; rerun with the same DIR to resume")
    sw.add_argument("--scheduler", metavar="ADDR", help="dask.distributed scheduler, e.g. tcp://HOST:8786 "
                    "(default: a local process pool)")
    sw.add_argument("--workers", type=_positive_int, metavar="N", help="local pool size (default: CPU count)")
    sw.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override one parameter (VALUE as JSON, e.g. --set P=2000 --set configs='[\"unit_ball\"]')")
    sw.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    from verification import compare as _compare

    co = sub.add_parser("compare", help="compare two `run --json` or two `bench --json` documents; exit 1 on a "
                        "regression (newly failing, value moved beyond its tolerance, slower beyond the noise rule)",
                        description="Exit 1 on a regression: a check newly failing (or new and failing); a part "
                        "passing in both runs whose value moved by more than its tolerance and got worse; a check "
                        f"slower by > {_compare.MIN_CHECK_SECONDS:g} s and > {_compare.CHECK_FACTOR:g}x both raw "
                        "and corrected for the machine's speed meanwhile (the other checks); a bench row likewise "
                        f"(> {_compare.MIN_BENCH_SECONDS:g} s, > {_compare.BENCH_FACTOR:g}x). 0 otherwise, 2 for a "
                        "usage error. Every rule is printed with the comparison.")
    co.add_argument("old", type=Path, metavar="OLD.json", help="the reference document (e.g. the main branch's)")
    co.add_argument("new", type=Path, metavar="NEW.json", help="the document to judge")
    co.add_argument("--format", choices=("text", "markdown"), default="text",
                    help="text for a terminal, markdown for a CI job summary or a pull-request comment")
    co.add_argument("--output", type=Path, metavar="PATH",
                    help="write the --format report here (the text report still goes to the terminal)")
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def _cmd_list(args) -> int:
    from verification.records import load_all

    checks = [c for c in load_all().values() if args.profile is None or args.profile in c.profiles]
    width = max(len(c.id) for c in checks)
    for c in checks:
        methods = f"  methods: {', '.join(f'{k}={p}' for k, p in c.methods.items())}" if c.methods else ""
        print(f"{c.id:<{width}}  [{','.join(c.profiles)}]  {c.summary}  ({c.source})  headline unit: {c.unit}"
              f"{methods}")
    return 0


def methods_document() -> list[dict]:
    """Every protocol: name, signature, returns, the checks (and keywords) that use it, our default."""
    from verification.protocols import all_protocols
    from verification.records import load_all

    checks = load_all()
    out = []
    for name, p in sorted(all_protocols().items()):
        users = [{"check": c.id, "keyword": kw, "profiles": list(c.profiles)}
                 for c in checks.values() for kw in c.keywords_for(name)]
        default = f"{getattr(p.default, '__module__', '?')}:{getattr(p.default, '__qualname__', repr(p.default))}"
        if not hasattr(p.default, "__qualname__"):  # a functools.partial
            func = getattr(p.default, "func", p.default)
            default = (f"{func.__module__}:{func.__qualname__} "
                       f"{dict(getattr(p.default, 'keywords', {}))}")
        summary = (p.protocol.__doc__ or "").strip().splitlines()[0]
        out.append({"name": name, "signature": f"{name}{p.signature}", "returns": p.returns, "summary": summary,
                    "checks": users, "default": default, "doc": p.doc})
    return out


def _cmd_methods(args) -> int:
    doc = methods_document()
    if args.name is not None:
        found = [d for d in doc if d["name"] == args.name]
        if not found:
            print(f"activebench: error: unknown protocol {args.name!r}; valid protocols: "
                  f"{', '.join(d['name'] for d in doc)}", file=sys.stderr)
            return 2
        doc = found
    if args.json:
        print(json.dumps({"activebench": __version__, "protocols": doc}, indent=2))
        return 0
    for d in doc:
        print(f"{d['signature']}\n    {d['summary']}\n    ours: {d['default']}")
        print("    checks: " + (", ".join(f"{u['check']} ({u['keyword']})" for u in d["checks"]) or "none"))
        if args.name is not None:
            print("\n" + d["doc"])
    if args.name is None:
        print("\nactivebench methods NAME prints a protocol's full documentation; use one with "
              "activebench run --method NAME=my_module.py:my_function [--compare]")
    return 0


def _summary_table(results) -> str:
    width = max(len(r.id) for r in results)
    lines = [f"{'check':<{width}}  verdict  {'measured':>11} {'expected':>11} {'tolerance':>11} {'seconds':>8}"]
    for r in results:
        head = (r.details.get("parts") or [{}])[0]
        if head.get("relation"):  # one-sided headline: "> 0" and the margin, not a two-sided tolerance
            expected, tolerance = f"{head['relation']} {r.expected:.4g}", "one-sided"
            if r.tolerance > 0:
                tolerance = f"{'+' if head['relation'] in ('>', '<=') else '-'}{r.tolerance:.4g}"
        else:
            expected, tolerance = f"{r.expected:.4g}", f"{r.tolerance:.4g}"
        lines.append(f"{r.id:<{width}}  {'PASS' if r.passed else 'FAIL':<7}  {r.measured:>11.4g} "
                     f"{expected:>11} {tolerance:>11} {r.seconds:>8.1f}")
    n_pass = sum(r.passed for r in results)
    lines.append(f"{n_pass} passed, {len(results) - n_pass} failed")
    return "\n".join(lines)


def _compare_table(pairs) -> str:
    from verification.report import worst_deviation

    width = max(len(ours.id) for ours, _ in pairs)
    head = f"{'':<{width}}  {'ours':<36}  yours"
    sub = (f"{'check':<{width}}  " + f"{'verdict':<7} {'measured':>10} {'dev/tol':>7} {'s':>7}  " * 2).rstrip()
    lines = [head, sub]
    for ours, yours in pairs:
        cells = []
        for r in (ours, yours):
            verdict = "PASS" if r.passed else "FAIL"
            cells.append(f"{verdict:<7} {r.measured:>10.4g} {worst_deviation(r):>7.3g} {r.seconds:>7.1f}")
        lines.append(f"{ours.id:<{width}}  " + "  ".join(cells))
    lines.append(f"ours: {sum(o.passed for o, _ in pairs)} passed; yours: {sum(y.passed for _, y in pairs)} passed "
                 f"of {len(pairs)}")
    return "\n".join(lines)


def _usage_error(message: str) -> int:
    print(f"activebench: error: {message}", file=sys.stderr)
    return 2


def _folder_problem(folder: Path, option: str, given: Path | None = None) -> str | None:
    """Why files cannot be written into ``folder`` (``given`` on the command line), or None when they can."""
    given = folder if given is None else given
    if folder.exists() and not folder.is_dir():
        return f"{option} {given}: {folder} exists and is not a folder"
    missing = [p for p in [folder, *folder.parents] if not p.exists()]  # created for the probe, then removed
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".activebench-write-test.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"{option} {given}: cannot write in {folder} ({exc.strerror or exc})"
    finally:
        for p in missing:
            with contextlib.suppress(OSError):
                p.rmdir()
    return None


def _file_problem(path: Path, option: str) -> str | None:
    """Why ``path`` cannot be written as a file, or None when it can."""
    if path.is_dir():
        return f"{option} {path}: is a folder; give a file name such as {path / 'results.json'}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{option} {path}: exists and is not writable"
    return _folder_problem(path.parent, option, path)


def _report_problem(folder: Path) -> str | None:
    """Check the report folder before any work; clear the figures of a previous report there."""
    if folder.exists() and not folder.is_dir():
        return f"--report {folder}: exists and is not a folder"
    if folder.is_dir() and any(folder.iterdir()) and not (folder / "results.json").is_file():
        return (f"--report {folder}: the folder holds files and no previous report (results.json); "
                "give a new or empty folder, or an earlier report folder to replace")
    problem = _folder_problem(folder / "figures", "--report", folder)
    if problem is None:
        (folder / "figures").mkdir(parents=True, exist_ok=True)
        for old in (folder / "figures").glob("*.png"):  # stale figures of an earlier run
            old.unlink()
    return problem


def output_problem(args: argparse.Namespace) -> str | None:
    """The first output path of the command line that cannot be written (checked before any work)."""
    if args.command == "sweep" and not args.list and args.out is not None:
        return _folder_problem(args.out, "--out")
    if args.command == "compare" and args.output is not None:
        return _file_problem(args.output, "--output")
    if getattr(args, "json", None) not in (None, True, False):
        problem = _file_problem(args.json, "--json")
        if problem:
            return problem
    if args.command == "run" and args.work is not None:
        problem = _folder_problem(args.work, "--work")
        if problem:
            return problem
    if args.command == "run" and not args.no_report:
        return _report_problem(args.report)
    return None


def _cmd_run(args) -> int:
    from tqdm import tqdm

    from verification import report
    from verification.protocols import MethodMismatch, parse_method_spec
    from verification.records import CheckConfig, run_check, select

    # 1. the user's methods: parse, load, smoke-test, all before any check runs
    under_test: dict[str, tuple] = {}  # protocol name -> (protocol, method, spec)
    for spec in args.method:
        try:
            protocol, method = parse_method_spec(spec)
        except ValueError as exc:
            return _usage_error(str(exc))
        if protocol.name in under_test:
            return _usage_error(f"--method given twice for {protocol.name}")
        under_test[protocol.name] = (protocol, method, spec.partition("=")[2])
    if args.compare and not under_test:
        return _usage_error("--compare needs at least one --method PROTOCOL=MODULE:OBJECT")
    for protocol, method, target in under_test.values():
        try:
            protocol.validate(method)
        except MethodMismatch as exc:
            return _usage_error(f"--method {protocol.name}={target} refused: {exc}")

    # 2. the selection: --only, else (with methods) the checks that declare one of the protocols
    try:
        checks = select(args.only, args.profile)
    except KeyError as exc:
        return _usage_error(exc.args[0])
    if under_test:
        takers = [c for c in checks if any(c.keywords_for(p) for p in under_test)]
        unused = [p for p in under_test if not any(c.keywords_for(p) for c in checks)]
        if unused:
            return _usage_error(f"no selected check of profile {args.profile!r} takes a method of protocol "
                                f"{', '.join(unused)} (see `activebench methods`)")
        if args.only is None or args.compare:
            checks = takers
        for name, (_, _, target) in under_test.items():
            ids = [c.id for c in checks if c.keywords_for(name)]
            print(f"{name} = {target} -> {len(ids)} check(s): {', '.join(ids)}", file=sys.stderr)
    if not checks:
        return _usage_error(f"no check of profile {args.profile!r} matches {args.only}")

    cfg = CheckConfig(profile=args.profile, seed=args.seed, work_dir=args.work)
    mut = {name: target for name, (_, _, target) in under_test.items()}
    header = report.RunHeader(profile=cfg.profile, seed=cfg.seed, methods_under_test=mut, compare=args.compare)
    out_dir = None if args.no_report else args.report
    figures: dict[str, str] = {}
    results, ours_results = [], []
    bar = tqdm(checks, desc="activebench", unit="check", disable=args.no_progress, file=sys.stderr)
    for chk in bar:
        given = {kw: method for name, (_, method, _) in under_test.items() for kw in chk.keywords_for(name)}
        if args.compare:
            bar.set_postfix_str(f"{chk.id} (ours)")
            ours = run_check(chk, cfg)
            ours_results.append(ours)
        bar.set_postfix_str(chk.id)
        res = run_check(chk, cfg, **given)
        if given:
            res.details["methods_under_test"] = {kw: f"{chk.methods[kw]}={mut[chk.methods[kw]]}" for kw in given}
        results.append(res)
        # Write after every check, atomically: a killed run keeps everything already finished.
        if args.json is not None:
            report.write_json(args.json, results, header, ours_results)
        if out_dir is not None:
            drawn = [(res, ""), (ours_results[-1], ".ours")] if args.compare else [(res, "")]
            for r, suffix in drawn:
                try:
                    name = report.save_figure(r, out_dir / "figures", suffix)
                except Exception as exc:  # a broken figure must not lose the result
                    r.details["figure_error"] = f"{type(exc).__name__}: {exc}"
                    name = None
                if name:
                    figures[r.id + suffix] = f"figures/{name}"
            report.write_json(out_dir / "results.json", results, header, ours_results)
            report.write_html(out_dir, results, header, figures, ours_results)
    bar.close()
    if mut:
        print("method under test: " + "; ".join(f"{k} = {v}" for k, v in mut.items()))
    print(_compare_table(list(zip(ours_results, results, strict=True))) if args.compare else _summary_table(results))
    if out_dir is not None:
        print(f"report: {(out_dir / 'index.html').resolve()}")
    for r in [*results, *ours_results]:
        if "error" in r.details:
            print(f"\n{r.id} raised:\n{r.details['traceback']}", file=sys.stderr)
    return 0 if all(r.passed for r in results) else 1


def _cmd_errata(args) -> int:
    from verification import errata
    from verification.report import atomic_write_text

    rows = errata.evaluate()
    print(errata.format_rows(rows))
    if args.json is not None:
        atomic_write_text(args.json, json.dumps({"activebench": __version__, "errata": rows}, indent=2))
    return 0


def _cmd_claims(args) -> int:
    from verification import claims

    try:
        ledger = claims.load([args.source] if args.source else None)
    except claims.LedgerError as exc:
        print(f"activebench: ledger error: {exc}", file=sys.stderr)
        return 1
    found = claims.problems(ledger)
    summary = claims.coverage(ledger)
    if args.json:
        doc = {"activebench": __version__, "limit_not_covered": claims.MAX_NOT_COVERED,
               "coverage": [c.as_dict() for c in summary], "problems": found}
        if args.all:
            doc["claims"] = [{**vars(c), "status": c.status} for cs in ledger.values() for c in cs]
        print(json.dumps(doc, indent=2))
    else:
        if args.all:
            for cs in ledger.values():
                for c in cs:
                    held = ", ".join(c.checks + c.errata + c.sweeps + c.benchmarks) or f"not covered: {c.note}"
                    print(f"{c.label:<28} [{c.kind}] {c.where}: {c.claim}\n{'':<28} -> {held}")
            print()
        print(claims.format_text(summary, ledger, found))
    over = any(c.not_covered_fraction > claims.MAX_NOT_COVERED for c in summary)
    return 1 if found or over else 0


def _cmd_bench(args) -> int:
    from verification import bench
    from verification.report import atomic_write_text

    workloads = bench.all_workloads()
    if args.workload not in workloads:
        print(f"activebench: error: unknown workload {args.workload!r}; choose from {sorted(workloads)}",
              file=sys.stderr)
        return 2
    result = workloads[args.workload](quick=args.quick)
    print(bench.format_table(result))
    if args.json is not None:
        atomic_write_text(args.json, json.dumps(result, indent=2, default=str))
    return 0


def _cmd_sweep(args) -> int:
    from verification import sweep as SW

    if args.list:
        for s in SW.all_sweeps().values():
            print(f"{s.name}  {s.summary}  ({s.source})")
            print(f"    parameters: {json.dumps(s.defaults)}")
        return 0
    if args.sweep is None or args.out is None:
        print("activebench: error: sweep needs NAME-or-FILE and --out DIR (or --list)", file=sys.stderr)
        return 2
    try:
        sweep, overrides = SW.load_spec(args.sweep)
        overrides.update(SW.parse_set(args.set))
        params = SW.resolve_params(sweep, overrides, from_user=True)
        SW.check_scheduler(args.scheduler)
    except ValueError as exc:
        print(f"activebench: error: {exc}", file=sys.stderr)
        return 2
    import signal

    # SIGTERM (e.g. a batch system's time limit) unwinds like Ctrl-C: the pool's workers are stopped
    # and everything finished is already on disk.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    where = args.scheduler or f"local process pool ({args.workers or 'all'} workers)"
    print(f"sweep {sweep.name} -> {args.out} on {where}", file=sys.stderr)
    try:
        outcome = SW.run_sweep(sweep, params, args.out,
                               make_executor=lambda: SW.executor(args.scheduler, args.workers),
                               progress=not args.no_progress)
    except ValueError as exc:
        print(f"activebench: error: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError) as exc:
        print(f"activebench: sweep stopped: {exc}\nfinished tasks are kept in {args.out}; rerun to resume",
              file=sys.stderr)
        return 1
    print((args.out / "summary.txt").read_text(encoding="utf-8"), end="")
    print(f"{len(outcome.computed)} tasks computed, {len(outcome.reused)} reused, {outcome.seconds:.1f} s; "
          f"results in {args.out} (summary.txt, summary.json, sweep.png, tasks/)")
    return 0


def _cmd_compare(args) -> int:
    from verification import compare
    from verification.report import atomic_write_text

    docs = []
    for path in (args.old, args.new):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _usage_error(f"{path}: no such file")
        except IsADirectoryError:
            return _usage_error(f"{path}: is a folder; give a results file such as {path / 'results.json'}")
        except UnicodeDecodeError:
            return _usage_error(f"{path}: not JSON (not UTF-8 text)")
        except OSError as exc:
            return _usage_error(f"{path}: cannot read ({exc.strerror or exc})")
        try:
            docs.append(compare.parse_document(text, str(path)))
        except compare.CompareError as exc:
            return _usage_error(str(exc))
    try:
        result = compare.compare_documents(docs[0], docs[1], str(args.old), str(args.new))
    except compare.CompareError as exc:
        return _usage_error(str(exc))
    formatted = compare.format_markdown(result) if args.format == "markdown" else compare.format_text(result)
    if args.output is not None:
        atomic_write_text(args.output, formatted)
        print(compare.format_text(result))
        print(f"{args.format} report: {args.output}")
    else:
        print(formatted, end="" if formatted.endswith("\n") else "\n")
    return result.exit_code


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``activebench`` console script."""
    args = build_parser().parse_args(argv)
    handler = {"list": _cmd_list, "methods": _cmd_methods, "run": _cmd_run, "errata": _cmd_errata,
               "claims": _cmd_claims, "bench": _cmd_bench, "sweep": _cmd_sweep,
               "compare": _cmd_compare}[args.command]
    problem = output_problem(args)
    if problem:
        return _usage_error(problem)
    try:
        return handler(args)
    except BrokenPipeError:
        # The reader went away (``activebench list | head -1``): stop quietly like other command-line
        # tools; point stdout at /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13  # SIGPIPE, as a shell reports a tool killed by it


if __name__ == "__main__":
    sys.exit(main())
