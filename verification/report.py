"""Results files and the offline HTML report (summary table plus one figure per check)."""

from __future__ import annotations

import html
import json
import math
import os
import tempfile
from pathlib import Path

from verification import __version__
from verification.records import CheckResult


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def results_document(results: list[CheckResult], profile: str, seed: int) -> dict:
    """The JSON document of a run."""
    return {"activebench": __version__, "profile": profile, "seed": seed,
            "checks": [r.as_dict() for r in results]}


def write_json(path: str | Path, results: list[CheckResult], profile: str, seed: int) -> None:
    """Write the results document atomically."""
    atomic_write_text(path, json.dumps(results_document(results, profile, seed), indent=2))


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
            # a zero tolerance marks a one-sided criterion: shown at 0, coloured by its verdict
            ratio = gap / tol if tol > 0 else 0.0
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


def save_figure(result: CheckResult, folder: Path) -> str:
    """Draw the check's figure (its own, else a per-part tolerance chart) into ``folder``; return the file name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(6.4, 4.0))
    try:
        (result.plot or _parts_plot(result))(fig)
        fig.suptitle(f"{result.id}: {'PASS' if result.passed else 'FAIL'}", fontsize=10)
        fig.tight_layout()
        name = f"{result.id}.png"
        tmp = folder / f".{name}.tmp.png"
        fig.savefig(tmp, dpi=100)
        os.replace(tmp, folder / name)
        return name
    finally:
        plt.close(fig)


def _fmt(v: float | str) -> str:
    return f"{v:.4g}" if isinstance(v, float) else html.escape(str(v))


def write_html(folder: str | Path, results: list[CheckResult], profile: str, seed: int,
               figures: dict[str, str]) -> Path:
    """Write ``folder/index.html`` (self-contained but for the PNG figures beside it)."""
    folder = Path(folder)
    rows, sections = [], []
    for r in results:
        status = "PASS" if r.passed else "FAIL"
        rows.append(
            f"<tr class='{status.lower()}'><td><a href='#{r.id}'>{html.escape(r.id)}</a></td><td>{status}</td>"
            f"<td>{_fmt(r.measured)}</td><td>{_fmt(r.expected)}</td><td>{_fmt(r.tolerance)}</td>"
            f"<td>{r.seconds:.1f}</td><td>{html.escape(r.source)}</td></tr>")
        parts = "".join(
            f"<tr><td>{html.escape(p['name'])}</td><td>{'PASS' if p['passed'] else 'FAIL'}</td>"
            f"<td>{_fmt(p['measured'])}</td><td>{_fmt(p['expected'])}</td><td>{_fmt(p['tolerance'])}</td>"
            f"<td>{html.escape(p['tolerance_basis'])}</td></tr>" for p in r.details.get("parts", []))
        other = {k: v for k, v in r.as_dict()["details"].items() if k != "parts"}
        img = f"<img src='{figures[r.id]}' alt='{r.id}'>" if r.id in figures else ""
        sections.append(
            f"<section id='{r.id}'><h2>{html.escape(r.id)} — {status}</h2><p>{html.escape(r.source)}</p>"
            f"<table><tr><th>part</th><th>verdict</th><th>measured</th><th>expected</th><th>tolerance</th>"
            f"<th>tolerance from</th></tr>{parts}</table>{img}"
            f"<pre>{html.escape(json.dumps(other, indent=1))}</pre></section>")
    n_pass = sum(r.passed for r in results)
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>activebench report</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}}table{{border-collapse:collapse;margin:8px 0}}
td,th{{border:1px solid #ccc;padding:3px 6px;font-size:13px}}tr.pass td:nth-child(2){{color:#070}}
tr.fail td:nth-child(2){{color:#b00;font-weight:bold}}pre{{background:#f6f6f6;font-size:11px;overflow:auto}}
img{{max-width:640px}}</style></head><body>
<h1>activebench {html.escape(__version__)} — {n_pass}/{len(results)} checks passed</h1>
<p>profile <b>{html.escape(profile)}</b>, seed <b>{seed}</b>.
Machine-readable results: <a href="results.json">results.json</a>.</p>
<table><tr><th>check</th><th>verdict</th><th>measured</th><th>expected</th><th>tolerance</th><th>seconds</th>
<th>source</th></tr>{''.join(rows)}</table>
{''.join(sections)}
</body></html>"""
    out = folder / "index.html"
    atomic_write_text(out, page)
    return out
