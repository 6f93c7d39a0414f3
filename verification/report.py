"""Results files and the offline HTML report (summary table plus one figure per check)."""

from __future__ import annotations

import html
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from verification import __version__
from verification.records import CheckResult


def current_umask() -> int:
    """The process's umask (read from /proc where it can be, without changing it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file in the same folder, then rename).

    The file gets the mode a plain ``open`` would give (0666 less the umask), not the private
    0600 of the temporary file, so reports and results can be published like the figures.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class RunHeader:
    """What a run was: profile, master seed, the user's methods under test (protocol -> MODULE:OBJECT)."""

    profile: str
    seed: int
    methods_under_test: dict[str, str] = field(default_factory=dict)
    compare: bool = False


def worst_deviation(result: CheckResult) -> float:
    """Max over the check's two-sided parts of |measured - expected| / tolerance (< 1: all within tolerance)."""
    devs = []
    for p in result.details.get("parts", []):
        if p.get("relation"):  # one-sided: how far on the passing side is not a deviation
            continue
        try:
            m, e, t = float(p["measured"]), float(p["expected"]), float(p["tolerance"])
        except (TypeError, ValueError):
            return math.nan
        if t > 0:
            devs.append(abs(m - e) / t)
    return max(devs) if devs and all(math.isfinite(d) for d in devs) else math.nan


def _brief(r: CheckResult) -> dict:
    dev = worst_deviation(r)
    return {"passed": r.passed, "measured": r.measured if math.isfinite(r.measured) else repr(r.measured),
            "deviation_over_tolerance": dev if math.isfinite(dev) else None, "seconds": r.seconds}


def results_document(results: list[CheckResult], header: RunHeader,
                     ours: list[CheckResult] | None = None) -> dict:
    """The JSON document of a run.

    ``checks`` holds the results with the methods under test (ours where a check takes none of
    them). With ``--compare``, ``ours`` holds the same checks on our methods and ``comparison``
    one row per check: ``{"id", "ours": {...}, "yours": {...}}`` with passed, measured,
    deviation_over_tolerance (worst part) and seconds.
    """
    doc = {"activebench": __version__, "profile": header.profile, "seed": header.seed,
           "methods_under_test": dict(header.methods_under_test), "checks": [r.as_dict() for r in results]}
    if header.compare:
        ours = ours or []
        doc["ours"] = [r.as_dict() for r in ours]
        doc["comparison"] = [{"id": y.id, "ours": _brief(o), "yours": _brief(y)}
                             for o, y in zip(ours, results, strict=True)]
    return doc


def write_json(path: str | Path, results: list[CheckResult], header: RunHeader,
               ours: list[CheckResult] | None = None) -> None:
    """Write the results document atomically."""
    atomic_write_text(path, json.dumps(results_document(results, header, ours), indent=2))


def _parts_plot(result: CheckResult):
    """Default figure: for each part, |measured - expected| / tolerance (1 = at the tolerance)."""
    parts = result.details.get("parts") or [{"name": result.id, "measured": result.measured,
                                              "expected": result.expected, "tolerance": result.tolerance,
                                              "passed": result.passed}]

    def plot(fig) -> None:
        ax = fig.add_subplot(111)
        names, used, colours = [], [], []
        for p in parts:
            tol = float(p.get("tolerance") or 0.0)
            gap = abs(float(p["measured"]) - float(p["expected"]))
            # a one-sided criterion (a relation, or a zero tolerance): shown at 0, coloured by its verdict
            ratio = gap / tol if tol > 0 and not p.get("relation") else 0.0
            used.append(min(ratio, 3.0) if math.isfinite(ratio) else 3.0)
            names.append(str(p["name"])[:60])
            colours.append("tab:green" if p.get("passed", result.passed) else "tab:red")
        y = range(len(names))
        ax.barh(list(y), used, color=colours)
        ax.axvline(1.0, color="k", ls="--", lw=1)
        ax.set_yticks(list(y), names, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("|measured - expected| / tolerance (cap 3)")

    return plot


def save_figure(result: CheckResult, folder: Path, suffix: str = "") -> str:
    """Draw the check's figure (its own, else a per-part tolerance chart) into ``folder``; return the file name.

    ``suffix`` tells two runs of one check apart (``".ours"`` beside the method under test).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(6.4, 4.0))
    try:
        (result.plot or _parts_plot(result))(fig)
        who = {"": "", ".ours": " (ours)"}.get(suffix, f" ({suffix.strip('.')})")
        fig.suptitle(f"{result.id}{who}: {'PASS' if result.passed else 'FAIL'}", fontsize=10)
        fig.tight_layout()
        name = f"{result.id}{suffix}.png"
        tmp = folder / f".{name}.tmp.png"
        fig.savefig(tmp, dpi=100)
        os.replace(tmp, folder / name)
        return name
    finally:
        plt.close(fig)


def _fmt(v: float | str) -> str:
    return f"{v:.4g}" if isinstance(v, float) else html.escape(str(v))


def _expected_cell(part: dict) -> str:
    """The expected value, or for a one-sided part its criterion (``m > 0``)."""
    return html.escape(part["criterion"]) if part.get("relation") else _fmt(part["expected"])


def _parts_table(r: CheckResult) -> str:
    parts = "".join(
        f"<tr><td>{html.escape(p['name'])}</td><td>{'PASS' if p['passed'] else 'FAIL'}</td>"
        f"<td>{_fmt(p['measured'])}</td><td>{_expected_cell(p)}</td><td>{_fmt(p['tolerance'])}</td>"
        f"<td>{html.escape(p['tolerance_basis'])}</td></tr>" for p in r.details.get("parts", []))
    return (f"<table><tr><th>part</th><th>verdict</th><th>measured</th><th>expected</th><th>tolerance</th>"
            f"<th>tolerance from</th></tr>{parts}</table>")


def _claims_section() -> str:
    """The coverage of the sources' claims (``verification.claims``), or why it is missing."""
    from verification import claims

    try:
        return claims.html_section(claims.coverage())
    except (OSError, claims.LedgerError) as exc:
        return (f"<section id='claims'><h2>Claims of the sources</h2><p>ledger unreadable: "
                f"{html.escape(str(exc))}</p></section>")


def write_html(folder: str | Path, results: list[CheckResult], header: RunHeader, figures: dict[str, str],
               ours: list[CheckResult] | None = None) -> Path:
    """Write ``folder/index.html`` (self-contained but for the PNG figures beside it).

    With ``ours`` (``--compare``) the summary and each check's section show our method and the
    method under test side by side.
    """
    folder = Path(folder)
    ours_by_id = {r.id: r for r in (ours or [])}
    rows, sections = [], []
    for r in results:
        status = "PASS" if r.passed else "FAIL"
        o = ours_by_id.get(r.id)
        if o is not None:
            ostatus = "PASS" if o.passed else "FAIL"
            rows.append(
                f"<tr><td><a href='#{r.id}'>{html.escape(r.id)}</a></td>"
                f"<td class='{ostatus.lower()}'>{ostatus}</td><td>{_fmt(o.measured)}</td>"
                f"<td>{_fmt(worst_deviation(o))}</td><td>{o.seconds:.1f}</td>"
                f"<td class='{status.lower()}'>{status}</td><td>{_fmt(r.measured)}</td>"
                f"<td>{_fmt(worst_deviation(r))}</td><td>{r.seconds:.1f}</td><td>{html.escape(r.source)}</td></tr>")
        else:
            head = (r.details.get("parts") or [{"expected": r.expected}])[0]
            rows.append(
                f"<tr><td><a href='#{r.id}'>{html.escape(r.id)}</a></td><td class='{status.lower()}'>{status}</td>"
                f"<td>{_fmt(r.measured)}</td><td>{_expected_cell(head)}</td><td>{_fmt(r.tolerance)}</td>"
                f"<td>{r.seconds:.1f}</td><td>{html.escape(r.source)}</td></tr>")
        other = {k: v for k, v in r.as_dict()["details"].items() if k != "parts"}
        img = f"<img src='{figures[r.id]}' alt='{r.id}'>" if r.id in figures else ""
        if o is not None:
            oimg = f"<img src='{figures[r.id + '.ours']}' alt='{r.id} ours'>" if r.id + ".ours" in figures else ""
            body = (f"<div class='side'><div><h3>ours — {'PASS' if o.passed else 'FAIL'}</h3>{_parts_table(o)}"
                    f"{oimg}</div><div><h3>yours — {status}</h3>{_parts_table(r)}{img}</div></div>")
        else:
            body = f"{_parts_table(r)}{img}"
        sections.append(
            f"<section id='{r.id}'><h2>{html.escape(r.id)} — {status}</h2><p>{html.escape(r.source)}</p>"
            f"{body}<pre>{html.escape(json.dumps(other, indent=1))}</pre></section>")
    n_pass = sum(r.passed for r in results)
    if header.methods_under_test:
        mut = "; ".join(f"<code>{html.escape(k)}</code> = <code>{html.escape(v)}</code>"
                        for k, v in header.methods_under_test.items())
        mut_line = f"<p class='mut'>Method under test: {mut}.</p>"
    else:
        mut_line = "<p>Methods: ours (no <code>--method</code> given).</p>"
    if ours is not None and header.compare:
        thead = ("<tr><th rowspan=2>check</th><th colspan=4>ours</th><th colspan=4>yours (method under test)</th>"
                 "<th rowspan=2>source</th></tr><tr>" + "<th>verdict</th><th>measured</th><th>dev/tol</th>"
                 "<th>seconds</th>" * 2 + "</tr>")
        title = (f"yours {n_pass}/{len(results)}, ours {sum(o.passed for o in ours)}/{len(ours)} checks passed")
    else:
        thead = ("<tr><th>check</th><th>verdict</th><th>measured</th><th>expected</th><th>tolerance</th>"
                 "<th>seconds</th><th>source</th></tr>")
        title = f"{n_pass}/{len(results)} checks passed"
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>activebench report</title>
<style>body{{font-family:sans-serif;max-width:1300px;margin:auto}}table{{border-collapse:collapse;margin:8px 0}}
td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px}}td.pass{{color:#070}}
td.fail{{color:#b00;font-weight:bold}}pre{{background:#f6f6f6;font-size:11px;overflow:auto}}
img{{max-width:620px}}.side{{display:flex;gap:12px}}.side>div{{flex:1}}.mut{{font-size:16px}}</style></head><body>
<h1>activebench {html.escape(__version__)} — {title}</h1>
{mut_line}
<p>profile <b>{html.escape(header.profile)}</b>, seed <b>{header.seed}</b>; dev/tol is the worst part's
|measured − expected| / tolerance (below 1 passes).
Machine-readable results: <a href="results.json">results.json</a>.</p>
<table>{thead}{''.join(rows)}</table>
{''.join(sections)}
{_claims_section()}
</body></html>"""
    out = folder / "index.html"
    atomic_write_text(out, page)
    return out
