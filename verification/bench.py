"""``activebench bench``: the workload registry and the plain-text table.

Each topic's ``bench`` module holds its workloads, functions ``f(quick: bool = False) -> dict``
listed in its ``WORKLOADS``; :func:`format_table` turns a result into a plain-text table.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from verification import topics


def all_workloads() -> dict[str, Callable[..., dict]]:
    """Every topic's workloads (the ``WORKLOADS`` of ``verification.<topic>.bench``)."""
    found: dict[str, Callable[..., dict]] = {}
    for mod in topics.modules("bench"):
        for name, fn in mod.WORKLOADS.items():
            if name in found:
                raise RuntimeError(f"duplicate workload name {name!r}")
            found[name] = fn
    return found


# -- printing ------------------------------------------------------------------------
def format_table(result: dict) -> str:
    """Aligned plain-text table of a workload result: rows, ratios, goals, sanity, notes."""
    head = ("name", "seconds", "steps/s", "vs numpy", "notes")
    cells = [(r["name"], f"{r['seconds']:.4g}", f"{r['steps_per_second']:.3g}",
              f"{r['ratio_vs_numpy']:.3g}x" if r.get("ratio_vs_numpy") else "-", r.get("notes", ""))
             for r in result["rows"]]
    widths = [max(len(head[k]), *(len(c[k]) for c in cells)) for k in range(4)]
    indent = sum(widths) + 2 * 4
    note_width = max(40, 120 - indent)

    def line(c):
        left = "  ".join(c[k].ljust(widths[k]) if k == 0 else c[k].rjust(widths[k]) for k in range(4))
        wrapped = textwrap.wrap(c[4], note_width) or [""]
        return "\n".join([f"{left}  {wrapped[0]}"] + [" " * indent + w for w in wrapped[1:]])

    cfg = result.get("config", {})
    out = [f"workload {result['workload']}: {result.get('description', '')}"]
    if cfg:
        out.append(f"timing: {cfg.get('timing', '?')}, numba threads {cfg.get('numba_threads', '?')}, "
                   f"quick={cfg.get('quick')}")
        cont = cfg.get("cpu_contention")
        if cont:
            out.append(f"CPU meanwhile: this process {cont['own_cores']:.2f} cores, other processes "
                       f"{cont['other_processes_cores']:.2f}, hypervisor steal {cont['steal_cores']:.2f} "
                       f"(of {cfg.get('cpu_count', '?')})")
    out += ["", line(head), "  ".join("-" * w for w in widths) + "  " + "-" * 5]
    out += [line(c) for c in cells]
    if result.get("ratios"):
        out += ["", "ratios:"] + [f"  {k:36s} {v:10.3g}" for k, v in result["ratios"].items()]
    if result.get("goal_rows"):
        out += ["", "goals, measured side by side:"] + format_goal_rows(result["goal_rows"])
    if result.get("goals"):
        out += ["", "goals:"]
        for k, g in result["goals"].items():
            met = result.get("goal_met", {}).get(k)
            extra = f" (fixed-dt {g['fixed_dt_achieved']:.3g}x)" if "fixed_dt_achieved" in g else ""
            if "vs_numpy_tuned_achieved" in g:
                extra += f"; vs numpy tuned {g['vs_numpy_tuned_achieved']:.3g}x"
            out.append(f"  {k:18s} target >= {g['target']:g}x, {g['kernel']} {g['achieved']:.3g}x{extra}: "
                       f"{'MET' if met else 'NOT MET'}")
    san = result.get("sanity")
    if san:
        out += ["", f"sanity at t = {san['time']:g} (exact stationary mean "
                    f"{san['exact_stationary_mean']:.2g}, var {san['exact_stationary_var']:.4g}; "
                    f"|z| < {san['z_critical']:.2f}):"]
        for name, m in san["methods"].items():
            out.append(f"  {name:20s} mean {m['mean']:+7.3f} ± {m['mean_se']:.3f} (z {m['z_mean']:+.2f})  "
                       f"var {m['var']:7.2f} ± {m['var_se']:.2f} (z {m['z_var']:+.2f})  "
                       f"KS {m['ks']:.4f} < {m['ks_critical']:.4f}: "
                       f"{'ok' if m['consistent'] else 'INCONSISTENT'}")
        ms = san["mesa_vs_event_short"]
        out.append(f"  Mesa vs event at t = {ms['time']:g}: two-sample KS {ms['ks_two_sample']:.4f} < "
                   f"{ms['ks_critical']:.4f}: {'ok' if ms['consistent'] else 'INCONSISTENT'}")
    if result.get("seed_defects_fixed"):
        out += ["", "seed defects fixed in the baseline:"]
        out += [f"  - {d}" for d in result["seed_defects_fixed"]]
    for n in result.get("notes", []):
        out.append(f"note: {n}")
    return "\n".join(out)


def format_goal_rows(goal_rows: list[dict]) -> list[str]:
    """Lines of the side-by-side goal table: each row's measurement, its goal, MET / NOT MET, notes.

    A goal row is ``{"name", "measured", "goal", "met", "notes"}`` with ``measured`` and ``goal``
    as text (units included) and ``met`` a bool, or None for a row without a goal (shown as "-").
    """
    head = ("row", "measured", "goal", "verdict")
    cells = [(g["name"], g["measured"], g.get("goal") or "-",
              "-" if g.get("met") is None else ("MET" if g["met"] else "NOT MET")) for g in goal_rows]
    widths = [max(len(head[k]), *(len(c[k]) for c in cells)) for k in range(4)]
    indent = sum(widths) + 2 * 4 + 2
    lines = []
    for c, g in zip([head, *cells], [{}, *goal_rows], strict=True):
        left = "  " + "  ".join(c[k].ljust(widths[k]) for k in range(4))
        wrapped = textwrap.wrap(g.get("notes", ""), max(40, 130 - indent)) or [""]
        lines.append(f"{left}  {wrapped[0]}".rstrip())
        lines += [" " * indent + w for w in wrapped[1:]]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return lines
