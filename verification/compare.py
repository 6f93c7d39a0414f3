"""``activebench compare OLD.json NEW.json``: what changed between two runs, and is it a regression.

Two kinds of document are compared, never mixed: results documents of ``activebench run --json``
(``profile``, ``seed``, ``methods_under_test``, ``checks``) and workload documents of
``activebench bench WORKLOAD --json`` (``workload``, ``config``, ``rows``, ``ratios``).

Run documents, per check (matched by id) and per part (matched by name):

- **newly failing** (PASS -> FAIL) and a **new check that fails** are regressions; newly passing is an
  improvement; a check only in OLD (**missing**), a new passing check and a check failing in both are
  listed as other changes.
- **deviation**: the worst |measured - expected| / tolerance over the check's two-sided parts, old -> new,
  is shown for every check. One-sided parts (``relation`` >, >=, <, <=, or a zero tolerance) have no
  deviation: |m - e| / t would count a part far on its passing side as far off. They are judged by
  their verdict and their **margin**, the signed distance of ``m`` from the threshold on the passing
  side (``m - (e + t)`` for ``>``), in the part's own unit.
- **moved**: a part whose measured value changed by more than its own tolerance, |m_new - m_old| > t
  (``t > 0``), while it passes in both runs. It is a regression when the part got worse (two-sided:
  |m - e| grew; one-sided: the margin shrank), an improvement otherwise. With the same seed and
  profile a check's values are reproducible to the bit (measured: 16 checks of rt1d, rtnd and ants,
  four runs with 1 numba thread and one with 2 threads gave identical values in every part), so any
  move is a real change of behaviour and one beyond the tolerance is worth a look. Parts with a zero
  tolerance have no scale and are judged by their verdict only.
- **time** (wall seconds of the check): slower when all of ``new - old > 0.5 s``, ``new / old > 2.5``
  and ``(new / old) / F > 2.5``, where ``F`` is the speed factor of the machine meanwhile: the summed
  seconds of the *other* common checks, new over old (1 with fewer than 2 others). Faster is the
  mirror image (an improvement). Measured on a shared 2-core machine (load average 1 to 4 while
  other jobs ran): among 4 runs of the same 16 checks (12 ordered pairs), checks slower by more than
  0.5 s reached ``new / old`` = 2.40 and ``(new / old) / F`` = 2.48, both together at most 1.93;
  checks below 0.5 s reached 7x (4 ms -> 29 ms). A check's seconds include the numba compilation of
  the kernels it is the first to use in its process (measured: ``rt1d.diffusivity`` 0.32 s after
  another check, 11.7 s as the first check), so times are compared only when both runs selected the
  same checks in the same order.

Header differences make some comparisons meaningless; they are reported as warnings at the top and
the comparisons they spoil are skipped, while verdicts are still compared (a check that fails is
a finding whatever the seed): a different **profile** (other problem sizes) skips moves and times; a
different **seed** (other random streams: values move by up to their tolerance by design) skips moves;
different **methods under test** are reported and everything is compared (that is how a method is
compared with ours).

Bench documents (the same workload on both sides, else a usage error), per row (matched by name):
a row is slower when all of ``new - old > 0.02 s``, ``new / old > 2.5`` and ``(new / old) / F > 2.5``
with ``F`` the median ratio new / old of the *other* rows (the machine's speed factor during the run;
1 with fewer than 2 others). Faster is the mirror image. Ratios are shown, not judged (they are
quotients of the rows). Measured with ``activebench bench rt1d`` (1 numba thread) on the shared
2-core machine while other processes used 1.3-1.8 of its 2 cores: 6 ``--quick`` runs (one timing per
row; 30 ordered pairs x 6 rows) reached ``new / old`` = 4.97 and ``(new / old) / F`` = 2.81, both
together at most 1.89; 3 full runs (best of 3-7 repeats; 6 ordered pairs) reached 5.25 and 2.75, both
together 2.75 for one row (Mesa per-agent, 28 s -> 148 s scaled, the process getting 0.23 of a core),
1.77 for every other row: the rule flags that one of the 36 full-run row comparisons (6 pairs x 6 rows)
and none of the 180 quick ones. Repeats did not make the best-of time steadier under that load, so one
factor serves both; the repeat counts are shown. A document whose ``config["cpu_contention"]``
says other processes used more than 0.5 cores gets a warning: under such load a 2.5x-3x change can
be noise.

Every rule is also printed with the comparison. Exit status (``activebench compare``): 1 when there is
a regression, 0 otherwise, 2 for a usage error (:class:`CompareError`).
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field

from verification.records import RELATIONS, relation_margin

#: Check time: a change counts only above this many wall seconds (shorter checks jitter by 7x).
MIN_CHECK_SECONDS = 0.5
#: Check time: the factor both new/old and (new/old)/F must exceed (measured noise: 2.40, 2.48; both 1.93).
CHECK_FACTOR = 2.5
#: Bench rows: a change counts only above this many seconds (a few scheduler time slices).
MIN_BENCH_SECONDS = 0.02
#: Bench rows: the factor both new/old and (new/old)/F must exceed (measured noise: both 1.89 quick, 2.75 full).
BENCH_FACTOR = 2.5
#: Bench documents: warn when other processes used more cores than this during the run.
BUSY_CORES = 0.5


class CompareError(ValueError):
    """A usage error: a document that cannot be compared (the message names the file and the problem)."""


# -- reading ------------------------------------------------------------------------------
def parse_document(text: str, label: str) -> tuple[str, dict]:
    """Decode one document and tell its kind.

    Parameters
    ----------
    text : str
        The file's contents.
    label : str
        How to name the file in an error message (its path).

    Returns
    -------
    (kind, doc) : tuple of str and dict
        ``kind`` is ``"run"`` (``activebench run --json``) or ``"bench"`` (``activebench bench --json``).

    Raises
    ------
    CompareError
        Not JSON, or JSON that is neither kind of document.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CompareError(f"{label}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(doc, dict):
        raise CompareError(f"{label}: not an activebench document (a JSON {type(doc).__name__}, not an object)")
    if isinstance(doc.get("checks"), list) and "activebench" in doc:
        bad = [i for i, c in enumerate(doc["checks"])
               if not (isinstance(c, dict) and isinstance(c.get("id"), str) and "passed" in c)]
        if bad:
            raise CompareError(f"{label}: checks[{bad[0]}] is not a check result (needs 'id' and 'passed')")
        return "run", doc
    if isinstance(doc.get("rows"), list) and isinstance(doc.get("workload"), str):
        bad = [i for i, r in enumerate(doc["rows"])
               if not (isinstance(r, dict) and isinstance(r.get("name"), str) and "seconds" in r)]
        if bad:
            raise CompareError(f"{label}: rows[{bad[0]}] is not a bench row (needs 'name' and 'seconds')")
        return "bench", doc
    raise CompareError(f"{label}: not an activebench document (expected the JSON of `activebench run --json` "
                       "with 'activebench' and 'checks', or of `activebench bench WORKLOAD --json` with "
                       "'workload' and 'rows')")


def _num(v: object) -> float:
    """A JSON number, or a non-finite one written as a string ("nan", "inf"); nan when neither."""
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        return math.nan


# -- findings -----------------------------------------------------------------------------
@dataclass
class Finding:
    """One line of a comparison: what changed, for which check or row, old and new."""

    name: str
    change: str
    old: str
    new: str
    detail: str = ""


@dataclass
class Comparison:
    """The outcome of comparing two documents (see :func:`compare_documents`)."""

    kind: str
    old_label: str
    new_label: str
    rules: list[str]
    warnings: list[str] = field(default_factory=list)
    regressions: list[Finding] = field(default_factory=list)
    improvements: list[Finding] = field(default_factory=list)
    other: list[Finding] = field(default_factory=list)
    unchanged: int = 0
    table_head: tuple[str, ...] = ()
    table: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """1 when there is a regression, else 0."""
        return 1 if self.regressions else 0


def _g(v: float) -> str:
    return "-" if math.isnan(v) else f"{v:.4g}"


def _s(v: float) -> str:
    return f"{v:.3g} s" if math.isfinite(v) else "-"


# -- parts --------------------------------------------------------------------------------
def _margin(p: dict) -> float:
    """Signed distance of m from a one-sided part's threshold, positive on the passing side."""
    if p["relation"] not in RELATIONS:
        return math.nan
    return relation_margin(_num(p.get("measured")), _num(p.get("expected")), _num(p.get("tolerance")), p["relation"])


def _two_sided(p: dict) -> bool:
    return not p.get("relation") and _num(p.get("tolerance")) > 0


def worst_deviation(check: dict) -> float:
    """Max |measured - expected| / tolerance over a check's two-sided parts (nan without such parts).

    One-sided parts (``relation``, or a zero tolerance) are left out: for them |m - e| / t is no deviation.
    """
    parts = check.get("details", {}).get("parts") if isinstance(check.get("details"), dict) else None
    if not parts:  # a result without parts: its headline
        parts = [{"measured": check.get("measured"), "expected": check.get("expected"),
                  "tolerance": check.get("tolerance")}]
    devs = [abs(_num(p.get("measured")) - _num(p.get("expected"))) / _num(p.get("tolerance"))
            for p in parts if isinstance(p, dict) and _two_sided(p)]
    return max(devs) if devs else math.nan


def _parts_by_name(check: dict) -> dict[str, dict]:
    parts = check.get("details", {}).get("parts", []) if isinstance(check.get("details"), dict) else []
    out: dict[str, dict] = {}
    for i, p in enumerate(p for p in parts if isinstance(p, dict)):
        name = str(p.get("name", f"part {i}"))
        key, k = name, 2
        while key in out:  # repeated names: number them in order
            key, k = f"{name} #{k}", k + 1
        out[key] = p
    return out


def _moved_parts(old: dict, new: dict) -> tuple[list[str], list[str]]:
    """Parts passing on both sides whose value moved by more than their tolerance: (worse, better)."""
    worse, better = [], []
    po, pn = _parts_by_name(old), _parts_by_name(new)
    for name in po.keys() & pn.keys():
        a, b = po[name], pn[name]
        if not (a.get("passed", True) and b.get("passed", True)):
            continue
        t = _num(a.get("tolerance"))
        ma, mb = _num(a.get("measured")), _num(b.get("measured"))
        if not (t > 0 and math.isfinite(ma) and math.isfinite(mb) and abs(mb - ma) > t):
            continue
        if a.get("relation"):
            got_worse = _margin(b) < _margin(a)
            what = f"{name}: {_g(ma)} -> {_g(mb)} (|change| {_g(abs(mb - ma))} > tolerance {_g(t)}; " \
                   f"margin {_g(_margin(a))} -> {_g(_margin(b))})"
        else:
            e_a, e_b, t_b = _num(a.get("expected")), _num(b.get("expected")), _num(b.get("tolerance"))
            got_worse = abs(mb - e_b) > abs(ma - e_a)
            dev_b = abs(mb - e_b) / t_b if t_b > 0 else math.nan
            what = f"{name}: {_g(ma)} -> {_g(mb)} (|change| {_g(abs(mb - ma))} > tolerance {_g(t)}; " \
                   f"|m - e| / t {_g(abs(ma - e_a) / t)} -> {_g(dev_b)})"
        (worse if got_worse else better).append(what)
    return sorted(worse), sorted(better)


# -- run documents ------------------------------------------------------------------------
RUN_RULES = (
    "verdict: PASS -> FAIL, or a new check that fails, is a regression; FAIL -> PASS an improvement",
    "dev/tol: worst |measured - expected| / tolerance over the two-sided parts (one-sided parts have a "
    "margin, not a deviation, and are judged by their verdict)",
    "moved: a part passing in both runs whose value changed by more than its tolerance, "
    "|m_new - m_old| > t; a regression if it got worse (|m - e| grew, or a one-sided margin shrank), "
    "else an improvement (same seed and profile give bit-identical values, so any move is a real change)",
    f"time: slower if new - old > {MIN_CHECK_SECONDS:g} s and new/old > {CHECK_FACTOR:g} and "
    f"(new/old)/F > {CHECK_FACTOR:g}, F = the other checks' summed seconds new/old (machine speed meanwhile); "
    "faster likewise; largest same-commit noise measured on a loaded 2-core machine: 2.40 and 2.48; "
    "only between runs of the same checks in the same order (the first check to use a kernel pays its compilation)",
)


def _speed_factor(old_s: dict[str, float], new_s: dict[str, float], name: str, use_median: bool) -> float:
    others = [k for k in old_s if k != name and old_s[k] > 0 and new_s[k] > 0
              and math.isfinite(old_s[k]) and math.isfinite(new_s[k])]
    if len(others) < 2:
        return 1.0
    if use_median:
        return statistics.median(new_s[k] / old_s[k] for k in others)
    return sum(new_s[k] for k in others) / sum(old_s[k] for k in others)


def _time_change(a: float, b: float, factor: float, min_seconds: float, speed: float) -> str:
    """``"slower"``, ``"faster"`` or ``""``: |b - a| > min_seconds and raw and corrected ratios beyond factor."""
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        return ""
    r = b / a
    if b - a > min_seconds and r > factor and r / speed > factor:
        return "slower"
    if a - b > min_seconds and 1 / r > factor and speed / r > factor:
        return "faster"
    return ""


def compare_runs(old: dict, new: dict, old_label: str = "OLD", new_label: str = "NEW") -> Comparison:
    """Compare two ``activebench run --json`` documents (see the module docstring for the rules)."""
    c = Comparison("run", old_label, new_label, list(RUN_RULES),
                   table_head=("check", "verdict", "dev/tol", "seconds", "changes"))
    same_profile = old.get("profile") == new.get("profile")
    same_seed = old.get("seed") == new.get("seed")
    if not same_profile:
        c.warnings.append(f"profiles differ ({old.get('profile')} vs {new.get('profile')}): the checks ran other "
                          "problem sizes, so value moves and times are not compared; verdicts are")
    if not same_seed:
        c.warnings.append(f"seeds differ ({old.get('seed')} vs {new.get('seed')}): values move by up to their "
                          "tolerance by design, so value moves are not compared; verdicts and times are")
    mo, mn = old.get("methods_under_test") or {}, new.get("methods_under_test") or {}
    if mo != mn:
        def fmt(m: dict) -> str:
            return ", ".join(f"{k}={v}" for k, v in sorted(m.items())) or "ours"

        c.warnings.append(f"methods under test differ (OLD: {fmt(mo)}; NEW: {fmt(mn)}): the checks that take "
                          "them ran different methods")
    olds = {ch["id"]: ch for ch in old["checks"]}
    news = {ch["id"]: ch for ch in new["checks"]}
    common = [k for k in olds if k in news]
    old_s = {k: _num(olds[k].get("seconds")) for k in common}
    new_s = {k: _num(news[k].get("seconds")) for k in common}
    same_selection = list(olds) == list(news)
    if same_profile and not same_selection:
        c.warnings.append("the two runs selected different checks (or ran them in another order): the first "
                          "check to use a numba kernel in a run pays its compilation, so times are not compared")

    for cid in common:
        a, b = olds[cid], news[cid]
        pa, pb = bool(a["passed"]), bool(b["passed"])
        da, db = worst_deviation(a), worst_deviation(b)
        dev = f"{_g(da)} -> {_g(db)}"
        secs = f"{_s(old_s[cid])} -> {_s(new_s[cid])}"
        verdict = f"{'PASS' if pa else 'FAIL'} -> {'PASS' if pb else 'FAIL'}"
        changes = []
        if pa and not pb:
            failing = [n for n, p in _parts_by_name(b).items() if not p.get("passed", True)]
            c.regressions.append(Finding(cid, "newly failing", "PASS", "FAIL",
                                         f"dev/tol {dev}; failing: {'; '.join(failing) or 'the check'}"))
            changes.append("newly failing")
        elif pb and not pa:
            c.improvements.append(Finding(cid, "newly passing", "FAIL", "PASS", f"dev/tol {dev}"))
            changes.append("newly passing")
        elif not pb:
            c.other.append(Finding(cid, "failing in both", "FAIL", "FAIL", f"dev/tol {dev}"))
            changes.append("failing in both")
        if same_profile and same_seed:
            worse, better = _moved_parts(a, b)
            if worse:
                c.regressions.append(Finding(cid, "moved beyond tolerance, worse", "", "", "; ".join(worse)))
                changes.append("moved (worse)")
            if better:
                c.improvements.append(Finding(cid, "moved beyond tolerance, better", "", "", "; ".join(better)))
                changes.append("moved (better)")
        if same_profile and same_selection:
            speed = _speed_factor(old_s, new_s, cid, use_median=False)
            t = _time_change(old_s[cid], new_s[cid], CHECK_FACTOR, MIN_CHECK_SECONDS, speed)
            if t:
                f = Finding(cid, t, _s(old_s[cid]), _s(new_s[cid]),
                            f"x{new_s[cid] / old_s[cid]:.3g}; machine speed factor F = {speed:.3g} "
                            f"(corrected x{new_s[cid] / old_s[cid] / speed:.3g})")
                (c.regressions if t == "slower" else c.improvements).append(f)
                changes.append(t)
        if not changes:
            c.unchanged += 1
        c.table.append((cid, verdict, dev, secs, ", ".join(changes) or "-"))

    for cid in olds:
        if cid not in news:
            c.other.append(Finding(cid, "missing in NEW", "PASS" if olds[cid]["passed"] else "FAIL", "-"))
            c.table.append((cid, f"{'PASS' if olds[cid]['passed'] else 'FAIL'} -> -", "", "", "missing"))
    for cid in news:
        if cid not in olds:
            ok = bool(news[cid]["passed"])
            f = Finding(cid, "new check" if ok else "new check, failing", "-", "PASS" if ok else "FAIL",
                        f"dev/tol {_g(worst_deviation(news[cid]))}")
            (c.other if ok else c.regressions).append(f)
            c.table.append((cid, f"- -> {'PASS' if ok else 'FAIL'}", "", "", "new"))
    if not common:
        c.warnings.append("no check is in both documents")
    return c


# -- bench documents ----------------------------------------------------------------------
def _repeats(row: dict, doc: dict) -> int:
    """How many timed calls a row's seconds is the best of (1 when the document does not say)."""
    r = row.get("repeats")
    if isinstance(r, int) and not isinstance(r, bool):
        return r
    cfg = doc.get("config", {})
    rep = cfg.get("repeats") if isinstance(cfg, dict) else None
    if isinstance(rep, int) and not isinstance(rep, bool):
        return rep
    return 1


def bench_rules() -> list[str]:
    """The bench rules as printed."""
    return [f"time: slower if new - old > {MIN_BENCH_SECONDS:g} s and new/old > {BENCH_FACTOR:g} and "
            f"(new/old)/F > {BENCH_FACTOR:g}, F = median new/old of the other rows (machine speed meanwhile); "
            "faster likewise; largest same-code noise measured on a loaded 2-core machine (both ratios "
            "together): 1.89 over 6 --quick runs, 2.75 over 3 full runs",
            "ratios are shown, not judged (they are quotients of the rows)"]


def compare_benches(old: dict, new: dict, old_label: str = "OLD", new_label: str = "NEW") -> Comparison:
    """Compare two ``activebench bench WORKLOAD --json`` documents of one workload.

    Raises
    ------
    CompareError
        The documents are of different workloads.
    """
    if old["workload"] != new["workload"]:
        raise CompareError(f"{new_label}: workload {new['workload']!r}, but {old_label} is workload "
                           f"{old['workload']!r}; compare two runs of one workload")
    c = Comparison("bench", old_label, new_label, bench_rules(),
                   table_head=("row", "seconds", "x new/old", "repeats", "change"))
    qo, qn = (old.get("config") or {}).get("quick"), (new.get("config") or {}).get("quick")
    if qo != qn:
        c.warnings.append(f"--quick differs (OLD quick={qo}, NEW quick={qn}): repeat counts (and for some "
                          "rows the measured length) differ")
    for label, doc in ((old_label, old), (new_label, new)):
        busy = ((doc.get("config") or {}).get("cpu_contention") or {}).get("other_processes_cores")
        if isinstance(busy, (int, float)) and busy > BUSY_CORES:
            c.warnings.append(f"{label}: other processes used {busy:.2f} cores during the run; on a busy "
                              "machine same-code rows were measured up to 2.75x apart (both ratios)")
    olds = {r["name"]: r for r in old["rows"]}
    news = {r["name"]: r for r in new["rows"]}
    common = [k for k in olds if k in news]
    old_s = {k: _num(olds[k]["seconds"]) for k in common}
    new_s = {k: _num(news[k]["seconds"]) for k in common}
    for name in common:
        a, b = old_s[name], new_s[name]
        ra, rb = _repeats(olds[name], old), _repeats(news[name], new)
        factor = BENCH_FACTOR
        speed = _speed_factor(old_s, new_s, name, use_median=True)
        t = _time_change(a, b, factor, MIN_BENCH_SECONDS, speed)
        ratio = f"{b / a:.3g}" if a > 0 and math.isfinite(a) and math.isfinite(b) else "-"
        if t:
            f = Finding(name, t, _s(a), _s(b), f"x{b / a:.3g}; best of {ra} -> {rb}; machine speed factor "
                        f"F = {speed:.3g} (corrected x{b / a / speed:.3g}); threshold x{factor:g}")
            (c.regressions if t == "slower" else c.improvements).append(f)
        elif not (math.isfinite(a) and math.isfinite(b)):
            c.other.append(Finding(name, "not timed", _s(a), _s(b)))
        else:
            c.unchanged += 1
        c.table.append((name, f"{_s(a)} -> {_s(b)}", ratio, f"{ra} -> {rb}", t or "-"))
    for name in olds:
        if name not in news:
            c.other.append(Finding(name, "missing in NEW", _s(_num(olds[name]["seconds"])), "-"))
    for name in news:
        if name not in olds:
            c.other.append(Finding(name, "new row", "-", _s(_num(news[name]["seconds"]))))
    ro, rn = old.get("ratios") or {}, new.get("ratios") or {}
    for k in ro:
        if k in rn:
            c.table.append((f"ratio {k}", f"{_g(_num(ro[k]))} -> {_g(_num(rn[k]))}", "", "", ""))
    if not common:
        c.warnings.append("no row is in both documents")
    return c


def compare_documents(old: tuple[str, dict], new: tuple[str, dict], old_label: str = "OLD",
                      new_label: str = "NEW") -> Comparison:
    """Compare two parsed documents ``(kind, doc)`` of one kind (see :func:`parse_document`).

    Raises
    ------
    CompareError
        A run document against a bench document, or two workloads.
    """
    (ko, do), (kn, dn) = old, new
    if ko != kn:
        raise CompareError(f"{old_label} is {'an `activebench run`' if ko == 'run' else 'an `activebench bench`'} "
                           f"document and {new_label} {'a run' if kn == 'run' else 'a bench'} document; "
                           "compare two of one kind")
    if ko == "run":
        return compare_runs(do, dn, old_label, new_label)
    return compare_benches(do, dn, old_label, new_label)


# -- formatting -----------------------------------------------------------------------------
def _counts(c: Comparison) -> str:
    what = "checks" if c.kind == "run" else "rows"
    return (f"{len(c.regressions)} regression(s), {len(c.improvements)} improvement(s), "
            f"{len(c.other)} other change(s), {c.unchanged} {what} unchanged")


def format_text(c: Comparison) -> str:
    """Plain text for a terminal."""
    out = [f"activebench compare ({c.kind}): {c.old_label} -> {c.new_label}"]
    out += [f"WARNING: {w}" for w in c.warnings]
    for title, items in (("REGRESSIONS", c.regressions), ("improvements", c.improvements),
                         ("other changes", c.other)):
        if items:
            out += ["", f"{title} ({len(items)}):"]
            for f in items:
                oldnew = f" {f.old} -> {f.new}" if f.old or f.new else ""
                out.append(f"  {f.name}: {f.change}{oldnew}" + (f"\n      {f.detail}" if f.detail else ""))
    if c.table:
        widths = [max(len(h), *(len(r[k]) for r in c.table)) for k, h in enumerate(c.table_head)]
        out += ["", "  ".join(h.ljust(w) for h, w in zip(c.table_head, widths, strict=True)).rstrip()]
        out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in c.table]
    out += ["", "rules:"] + [f"  - {r}" for r in c.rules]
    out += ["", _counts(c) + (" -> exit 1" if c.regressions else "")]
    return "\n".join(out)


def _md(v: str) -> str:
    return v.replace("|", "\\|").replace("\n", " ")


def format_markdown(c: Comparison) -> str:
    """Markdown for a CI job summary or a pull-request comment: regressions, improvements, then counts."""
    icon = "❌" if c.regressions else "✅"
    out = [f"### {icon} activebench compare ({c.kind}): {len(c.regressions)} regression(s)", "",
           f"`{_md(c.old_label)}` → `{_md(c.new_label)}`", ""]
    for w in c.warnings:
        out += [f"> **Warning:** {_md(w)}", ""]
    for title, items in (("Regressions", c.regressions), ("Improvements", c.improvements),
                         ("Other changes", c.other)):
        if not items:
            continue
        out += [f"#### {title} ({len(items)})", "", "| | change | old | new | detail |", "|---|---|---|---|---|"]
        out += [f"| `{_md(f.name)}` | {_md(f.change)} | {_md(f.old)} | {_md(f.new)} | {_md(f.detail)} |"
                for f in items]
        out.append("")
    out += [f"**{_counts(c)}**", ""]
    if c.table:
        what = "checks" if c.kind == "run" else "rows"
        out += [f"<details><summary>All {what}</summary>", "",
                "| " + " | ".join(c.table_head) + " |", "|" + "---|" * len(c.table_head)]
        out += ["| " + " | ".join(_md(v) for v in r) + " |" for r in c.table]
        out += ["", "</details>", ""]
    out += ["<details><summary>Rules</summary>", ""] + [f"- {_md(r)}" for r in c.rules] + ["", "</details>"]
    return "\n".join(out) + "\n"
