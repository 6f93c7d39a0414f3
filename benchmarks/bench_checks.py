"""Accuracy history: every figure the quick checks compute, tracked by asv.

``CheckFigures.setup_cache`` runs the quick profile of every check once (fixed seed, about a minute on
2 cores with warm numba caches) and keeps each part's measured value, expected value and
tolerance. Two ``track_`` benchmarks per check turn them into history:

* ``track_headline`` — the check's headline number (a fitted order, an error against a
  reference, a KS distance ...; its unit is named in the check's first part);
* ``track_worst_deviation`` — max over the check's parts of |measured - expected| /
  tolerance (< 1 means every part passes), so "closer to theory" and "further from theory"
  read the same way for every check.

The versions are pinned: history survives edits of this file. A change of a check's own
definition shows as a step in its series, which is what the history is for.
"""

import math
import os

from verification.records import DEFAULT_SEED, CheckConfig, load_all, run_check

SEED = DEFAULT_SEED
SLOW = os.environ.get("ACTIVEBENCH_ASV_SLOW") == "1"
QUICK = sorted(cid for cid, c in load_all().items() if "quick" in c.profiles)
FULL_ONLY = sorted(cid for cid, c in load_all().items() if c.profiles == ("full",))


def _figures(ids, profile):
    cfg = CheckConfig(profile=profile, seed=SEED)
    figures = {}
    for cid in ids:
        res = run_check(load_all()[cid], cfg)
        parts = res.details.get("parts", [])
        devs = [abs(_num(p["measured"]) - _num(p["expected"])) / _num(p["tolerance"]) for p in parts
                if _num(p["tolerance"]) > 0]
        worst = max((d for d in devs if math.isfinite(d)), default=math.nan)
        figures[cid] = {"headline": res.measured, "worst": worst, "passed": res.passed}
    return figures


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


class CheckFigures:
    """One series per quick check."""

    params = (QUICK,)
    param_names = ["check"]
    timeout = 1800

    def setup_cache(self):
        return _figures(QUICK, "quick")

    def track_headline(self, figures, check):
        return figures[check]["headline"]

    track_headline.unit = "headline value (see the check's first part)"
    track_headline.version = 1

    def track_worst_deviation(self, figures, check):
        return figures[check]["worst"]

    track_worst_deviation.unit = "|measured - expected| / tolerance"
    track_worst_deviation.version = 1


class CheckFiguresFull(CheckFigures):
    """The full-profile-only checks (orders in P, H, coarsening exponent, critical masses): slow.

    About an hour on 2 cores; runs only with ``ACTIVEBENCH_ASV_SLOW=1``. The two ``track_``
    benchmarks are inherited from :class:`CheckFigures`.
    """

    params = (FULL_ONLY,)
    timeout = 4 * 3600

    def setup_cache(self):
        if not SLOW:
            return None
        return _figures(FULL_ONLY, "full")

    def setup(self, *args):
        # asv passes the parameters here (and the setup_cache value only when it is not None)
        if not SLOW:
            raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")
