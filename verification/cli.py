"""Command line: ``activebench list | run | errata | bench | sweep``.

Exit codes: 0 when every selected check passed, 1 when one failed, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from verification import __version__

DEFAULT_SEED = 20261123


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits with 2 already; keep its message short
        self.print_usage(sys.stderr)
        self.exit(2, f"activebench: error: {message}\n")


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be an integer in [0, 2**63), got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"seed must be an integer in [0, 2**63), got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the tests)."""
    p = _Parser(prog="activebench", description="Verification and benchmark suite for active-matter "
                "and chemotaxis models.")
    p.add_argument("--version", action="version", version=f"activebench {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ls = sub.add_parser("list", help="list the checks (id, profiles, source, summary)")
    ls.add_argument("--profile", choices=("quick", "full"), default=None)

    run = sub.add_parser("run", help="run checks and write a report")
    run.add_argument("--profile", choices=("quick", "full"), default="quick")
    run.add_argument("--only", nargs="+", metavar="ID", help="check ids or prefixes (e.g. rt1d rtnd.diffusivity)")
    run.add_argument("--seed", type=_seed, default=DEFAULT_SEED)
    run.add_argument("--json", type=Path, metavar="PATH", help="write the results document here")
    run.add_argument("--report", type=Path, metavar="DIR", default=Path("activebench-report"),
                     help="report folder (index.html, results.json, figures); default ./activebench-report")
    run.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument("--method", action="append", default=[], metavar="NAME=MODULE:OBJECT",
                     help="method under test, e.g. walkers=mypkg.sampler:simulate; passed to every selected "
                     "check that takes a keyword NAME (see the check module docstrings); repeatable")

    er = sub.add_parser("errata", help="formulas stated in the seed documents vs their derivations")
    er.add_argument("--json", type=Path, metavar="PATH")

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
        print(f"{c.id:<{width}}  [{','.join(c.profiles)}]  {c.summary}  ({c.source})")
    return 0


def _summary_table(results) -> str:
    width = max(len(r.id) for r in results)
    lines = [f"{'check':<{width}}  verdict  {'measured':>11} {'expected':>11} {'tolerance':>11} {'seconds':>8}"]
    for r in results:
        lines.append(f"{r.id:<{width}}  {'PASS' if r.passed else 'FAIL':<7}  {r.measured:>11.4g} "
                     f"{r.expected:>11.4g} {r.tolerance:>11.4g} {r.seconds:>8.1f}")
    n_pass = sum(r.passed for r in results)
    lines.append(f"{n_pass} passed, {len(results) - n_pass} failed")
    return "\n".join(lines)


def _load_methods(specs: list[str]) -> dict:
    """Resolve NAME=MODULE:OBJECT specifications to objects (ValueError with the reason)."""
    import importlib

    methods = {}
    for spec in specs:
        name, eq, target = spec.partition("=")
        module, colon, attr = target.partition(":")
        if not (eq and colon and name.isidentifier() and module and attr):
            raise ValueError(f"--method must look like NAME=MODULE:OBJECT, got {spec!r}")
        try:
            obj = importlib.import_module(module)
            for part in attr.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"--method {spec!r}: cannot load {target}: {exc}") from None
        if not callable(obj):
            raise ValueError(f"--method {spec!r}: {target} is not callable")
        methods[name] = obj
    return methods


def _accepted(func, methods: dict) -> dict:
    import inspect

    params = inspect.signature(func).parameters
    return {k: v for k, v in methods.items() if k in params}


def _cmd_run(args) -> int:
    from tqdm import tqdm

    from verification import report
    from verification.records import CheckConfig, run_check, select

    try:
        checks = select(args.only, args.profile)
    except KeyError as exc:
        print(f"activebench: error: {exc.args[0]}", file=sys.stderr)
        return 2
    if not checks:
        print(f"activebench: error: no check of profile {args.profile!r} matches {args.only}", file=sys.stderr)
        return 2
    try:
        methods = _load_methods(args.method)
    except ValueError as exc:
        print(f"activebench: error: {exc}", file=sys.stderr)
        return 2
    unused = set(methods) - {k for c in checks for k in _accepted(c.func, methods)}
    if unused:
        print(f"activebench: error: no selected check takes a method named {sorted(unused)}", file=sys.stderr)
        return 2
    cfg = CheckConfig(profile=args.profile, seed=args.seed)
    out_dir = None if args.no_report else args.report
    figures: dict[str, str] = {}
    if out_dir is not None:
        (out_dir / "figures").mkdir(parents=True, exist_ok=True)
    results = []
    bar = tqdm(checks, desc="activebench", unit="check", disable=args.no_progress, file=sys.stderr)
    for chk in bar:
        bar.set_postfix_str(chk.id)
        given = _accepted(chk.func, methods)
        res = run_check(chk, cfg, **given)
        if given:
            res.details["methods_under_test"] = {k: args_spec for k, args_spec in
                                                 (s.split("=", 1) for s in args.method) if k in given}
        results.append(res)
        # Write after every check, atomically: a killed run keeps everything already finished.
        if args.json is not None:
            report.write_json(args.json, results, cfg.profile, cfg.seed)
        if out_dir is not None:
            try:
                name = report.save_figure(res, out_dir / "figures")
            except Exception as exc:  # a broken figure must not lose the result
                res.details["figure_error"] = f"{type(exc).__name__}: {exc}"
                name = None
            if name:
                figures[res.id] = f"figures/{name}"
            report.write_json(out_dir / "results.json", results, cfg.profile, cfg.seed)
            report.write_html(out_dir, results, cfg.profile, cfg.seed, figures)
    bar.close()
    print(_summary_table(results))
    if out_dir is not None:
        print(f"report: {(out_dir / 'index.html').resolve()}")
    for r in results:
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
        params = SW.resolve_params(sweep, overrides)
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``activebench`` console script."""
    args = build_parser().parse_args(argv)
    handler = {"list": _cmd_list, "run": _cmd_run, "errata": _cmd_errata, "bench": _cmd_bench,
               "sweep": _cmd_sweep}[args.command]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
