"""Accuracy history: how far every check is from theory, tracked by asv as lower-is-better figures.

asv reads every ``track_`` value as lower-is-better (``asv compare`` and the dashboard's
Regressions page call a rise "worse"). So only distances are tracked here, never raw values:
a raw headline (an order that should be 1, a W that should be -190) moves "better" or "worse" by
its sign, not by its accuracy. The raw headline values stay in ``activebench run --json``.

Figures, from one run of the quick profile (fixed seed) shared by every benchmark below:

* ``CheckFiguresError.track_error_<check id, dots as underscores>`` — one track per quick check,
  in the check's own unit (``unit=`` of its ``@check``, e.g. "KS distance", "length^2/time",
  "order (fitted exponent)"): |measured - expected| of the headline (the check's first part).
  A fitted order is tracked as its distance from the expected order. A *one-sided* headline
  (a part with ``relation``, e.g. ``m > e + t``: "rate(1.1 c*) > 0", "M_c - 20 > its error bar")
  has no "closer to theory": its |m - e| grows as the check passes more clearly, so tracking it
  would report a safer margin as a regression. For those the track is the shortfall,
  max(0, amount by which m is on the wrong side of its bound), where the bound is e + t for
  ``>``/``<=`` and e - t for ``>=``/``<`` (the criterion the part prints): 0 while the criterion
  holds, and the size of the violation in the headline's unit when it does not. (At m exactly on
  the bound a strict ``>``/``<`` fails while the shortfall reads 0; the verdict is in the run's JSON.)
* ``CheckFigures.track_worst_deviation`` (one series per quick check) — max over the check's
  *two-sided* parts with tolerance > 0 of |measured - expected| / tolerance: < 1 means every
  such part passes, and the ratio reads the same way for every check. Left out: one-sided parts
  (with ``relation``), whose |m - e| / t is a margin, not a deviation, and parts that pass with
  |m - e| > t, whose verdict is the check's own criterion (``passed=``, stated in
  ``tolerance_basis``, e.g. "<= 1 + rounding": ``sipf.large_dt_stability`` read 1e9 and
  ``radial3d.table4`` 252 while passing). Version 2: version 1 took every part
  (``radial3d.cluster_subcritical`` read 17.9 while passing); a change of meaning, hence the bump.
  NaN when a check has no such part or crashed (asv records it as failed).

``setup_cache`` is one module-level function shared by both classes: asv keys the cache by the
function's module and line (``asv_runner.benchmarks._base.get_setup_cache_key``) and runs each key
once per ``asv run``, so the quick profile runs once, not once per check. The full-profile-only
checks (about an hour on 2 cores) have the same pair of classes behind ``ACTIVEBENCH_ASV_SLOW=1``.

The versions are pinned: history survives edits of this file. A change of a check's own
definition shows as a step in its series, which is what the history is for.
"""

import math
import os

from verification.records import DEFAULT_SEED, CheckConfig, load_all, run_check

SEED = DEFAULT_SEED
SLOW = os.environ.get("ACTIVEBENCH_ASV_SLOW") == "1"
CHECKS = load_all()
QUICK = sorted(cid for cid, c in CHECKS.items() if "quick" in c.profiles)
FULL_ONLY = sorted(cid for cid, c in CHECKS.items() if c.profiles == ("full",))
TIMEOUT_QUICK = 1800  # seconds; the quick profile takes minutes
TIMEOUT_FULL = 4 * 3600


def error_track_name(check_id: str) -> str:
    """Name of a check's error track: ``track_error_`` + the id with dots as underscores."""
    return "track_error_" + check_id.replace(".", "_")


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def headline_error(part: dict | None) -> float:
    """|measured - expected| of a two-sided part; the shortfall max(0, violation) of a one-sided one.

    Parameters
    ----------
    part : dict or None
        A part as in a result's ``details["parts"]`` (``measured``, ``expected``, ``tolerance``, optional
        ``relation``), in the headline's unit; None when the check crashed.

    Returns
    -------
    float
        In the part's unit; NaN when the part is missing or not finite.
    """
    if not part:
        return math.nan
    m, e, t = _num(part.get("measured")), _num(part.get("expected")), _num(part.get("tolerance"))
    if not all(math.isfinite(v) for v in (m, e, t)):
        return math.nan
    relation = part.get("relation") or ""
    if not relation:
        return abs(m - e)
    bound = e + t if relation in (">", "<=") else e - t
    return max(0.0, bound - m) if relation in (">", ">=") else max(0.0, m - bound)


def worst_deviation(parts: list[dict]) -> float:
    """max over two-sided parts with tolerance > 0 of |measured - expected| / tolerance (NaN if none).

    A part counts when it has no ``relation`` and its verdict agrees with |m - e| <= t: a part that
    passed with |m - e| > t was judged by the check's own criterion (``passed=``), so its ratio is
    no deviation and is left out.
    """
    devs = []
    for p in parts:
        m, e, t = _num(p.get("measured")), _num(p.get("expected")), _num(p.get("tolerance"))
        if p.get("relation") or not t > 0:
            continue
        dev = abs(m - e) / t
        if p.get("passed") and dev > 1:
            continue
        devs.append(dev)
    return max((d for d in devs if math.isfinite(d)), default=math.nan)


def _figures(ids, profile):
    cfg = CheckConfig(profile=profile, seed=SEED)
    figures = {}
    for cid in ids:
        res = run_check(CHECKS[cid], cfg)
        parts = res.details.get("parts", [])
        figures[cid] = {"error": headline_error(parts[0] if parts else None),
                        "worst": worst_deviation(parts), "passed": res.passed}
    return figures


def _quick_cache(self):
    """Run the quick profile once (shared by every class that uses it: one asv setup_cache key)."""
    return _figures(QUICK, "quick")


_quick_cache.timeout = TIMEOUT_QUICK


def _full_cache(self):
    """Run the full-profile-only checks once, with ``ACTIVEBENCH_ASV_SLOW=1`` (None otherwise)."""
    if not SLOW:
        return None
    return _figures(FULL_ONLY, "full")


_full_cache.timeout = TIMEOUT_FULL


def _skip_unless_slow(self, *args):
    # asv passes the parameters here (and the setup_cache value only when it is not None)
    if not SLOW:
        raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")


def _error_track(check_id: str):
    """The ``track_error_...`` method of one check, labelled with the check's own unit."""
    def track(self, figures):
        # NaN where the commit being measured has no such check (asv imports this file from the working
        # tree for every commit of a history run)
        return figures.get(check_id, {}).get("error", math.nan)

    chk = CHECKS[check_id]
    unit = getattr(chk, "unit", "") or "headline unit"  # commits before checks declared unit=
    track.__name__ = track.__qualname__ = error_track_name(check_id)
    track.__doc__ = (f"{check_id}: |measured - expected| of the headline (shortfall if one-sided) "
                     f"[{unit}]. {chk.summary}")
    track.unit = unit
    track.version = 1
    return track


class CheckFigures:
    """Worst deviation / tolerance, one series per quick check."""

    params = (QUICK,)
    param_names = ["check"]
    timeout = TIMEOUT_QUICK
    setup_cache = _quick_cache

    def track_worst_deviation(self, figures, check):
        return figures.get(check, {}).get("worst", math.nan)

    track_worst_deviation.unit = "|measured - expected| / tolerance (two-sided parts)"
    track_worst_deviation.version = 2


class CheckFiguresError:
    """Headline |measured - expected| of each quick check in its own unit: one ``track_error_<id>`` per check."""

    timeout = TIMEOUT_QUICK
    setup_cache = _quick_cache


class CheckFiguresFull(CheckFigures):
    """The full-profile-only checks (orders in P, H, coarsening exponent, critical masses): slow.

    About an hour on 2 cores; runs only with ``ACTIVEBENCH_ASV_SLOW=1``. ``track_worst_deviation``
    is inherited from :class:`CheckFigures`.
    """

    params = (FULL_ONLY,)
    timeout = TIMEOUT_FULL
    setup_cache = _full_cache
    setup = _skip_unless_slow


class CheckFiguresFullError:
    """Headline |measured - expected| of each full-profile-only check (``ACTIVEBENCH_ASV_SLOW=1``)."""

    timeout = TIMEOUT_FULL
    setup_cache = _full_cache
    setup = _skip_unless_slow


for _cid in QUICK:
    setattr(CheckFiguresError, error_track_name(_cid), _error_track(_cid))
for _cid in FULL_ONLY:
    setattr(CheckFiguresFullError, error_track_name(_cid), _error_track(_cid))
del _cid
