"""Sweep ``sipf-dt-order``: the time-step convergence study of [SIPF] Table 1 as independent runs.

The study of check ``sipf.dt_order`` at any size: Eq. (35) parameters, M0 = 80, rho_0 uniform on
the unit ball, c(0) = 0, T = 0.01; runs at dt = 2^-e T for each e in ``exponents`` and one
reference run at 2^-ref T, all with the same particles and coupled Brownian paths (each run's
increments are block sums of the reference run's, ``noise_substeps``). One task per run; each
returns the field modes at T, and the summary fits the order of the L2 relative error of c(T)
(Parseval: relative 2-norm of the mode arrays) and sets it beside Table 1. At the paper's size
(P = 1e4, H = 24, reference 2^-11) the reference run is about 2048 fast steps (~6 min here).
"""

from __future__ import annotations

import numpy as np

from verification import validation as V
from verification.sipf.critical_mass import SWEEPS as CRITICAL_MASS_SWEEPS
from verification.sipf.critical_mass import require_run_limits
from verification.sweep import Sweep, Task

FN = "verification.sipf.sweeps:dt_task"


def dt_task(P: int, H: int, e: int, ref: int, seed: int) -> dict:
    """One run to T = 0.01 at dt = 2^-e T with the noise of the 2^-ref T reference run; modes at T."""
    from agents import sipf as S
    from verification.sipf.cases import PAPER, T_CONV

    x0 = S.uniform_ball(P, seed=seed)
    p = PAPER.replace(H=H, dt=T_CONV * 2.0**-e)
    r = S.run_sipf(p, x0, 2**e, seed + 1, noise_substeps=2 ** (ref - e))
    a = np.asarray(r.modes)[-1]
    return {"re": a.real.ravel().tolist(), "im": a.imag.ravel().tolist(), "blew_up": bool(r.blew_up)}


def _validate(p: dict) -> None:
    """Every task's parameters and model object (``PAPER.replace(H, dt)``), and the reference run's work and memory."""
    from verification.sipf.cases import PAPER, T_CONV

    P = V.integer(p["P"], "P", lo=2)
    H = V.integer(p["H"], "H", lo=4)
    if H % 2:
        raise ValueError(f"H must be an even int >= 4, got {H}")
    ex = p["exponents"]
    if not isinstance(ex, list) or len(ex) < 3 or len(set(map(repr, ex))) != len(ex):
        raise ValueError(f"exponents must be >= 3 distinct ints >= 0 (for an order with a standard error), got {ex!r}")
    ex = [V.integer(e, f"exponents[{i}]", lo=0, hi=15) for i, e in enumerate(ex)]
    ref = V.integer(p["ref"], "ref", lo=max(ex) + 1, hi=16)  # in (max(exponents), 16]
    V.seed(p["seed"], "seed")
    if p["seed"] + 1 >= V.SEED_LIMIT:
        raise ValueError(f"seed must leave room for the noise seed (seed + 1 < 2**63), got {p['seed']}")
    for e in [*ex, ref]:
        PAPER.replace(H=H, dt=T_CONV * 2.0**-e)
    # the reference run is the largest task: 2^ref steps (and 2^ref noise draws per particle in every task)
    require_run_limits(P, H, 2**ref, f"the sipf-dt-order reference run (P = {P}, H = {H}, 2^{ref} steps)",
                       "a smaller P, H or ref")


def _key(e: int) -> str:
    return f"dt_exp={e}"


def _plan(p: dict, results: dict) -> list[Task]:
    return [Task(_key(e), FN, {"P": p["P"], "H": p["H"], "e": e, "ref": p["ref"], "seed": p["seed"]})
            for e in [*p["exponents"], p["ref"]]]


def _modes(r: dict) -> np.ndarray:
    return np.asarray(r["re"]) + 1j * np.asarray(r["im"])


def errors(p: dict, results: dict) -> dict[int, float]:
    """Relative L2 error of c(T) per exponent against the reference run (those available)."""
    ref = results.get(_key(p["ref"]))
    if ref is None:
        return {}
    a_ref = _modes(ref)
    return {e: float(np.linalg.norm(_modes(results[_key(e)]) - a_ref) / np.linalg.norm(a_ref))
            for e in p["exponents"] if _key(e) in results}


def _summarize(p: dict, results: dict):
    from verification import stats
    from verification.sipf.cases import T_CONV, TABLE1

    errs = errors(p, results)
    rows = [[f"2^-{e} x 0.01", errs.get(e, "-"), TABLE1[e][0] if e in TABLE1 else "-"] for e in p["exponents"]]
    if len(errs) >= 3:
        es = sorted(errs)
        order, se = stats.fit_order(np.array([T_CONV * 2.0**-e for e in es]), np.array([errs[e] for e in es]))
        rows.append(["fitted order", f"{order:.4f} ± {se:.4f}", "1.011"])
    return ["dt", "L2 rel. error of c(T) (ours)", "paper Table 1"], rows


def _plot(fig, p: dict, results: dict) -> None:
    from verification.sipf.cases import T_CONV, TABLE1

    ax = fig.add_subplot(111)
    errs = errors(p, results)
    es = sorted(errs)
    ax.loglog([T_CONV * 2.0**-e for e in es], [errs[e] for e in es], "o-", label=f"ours (P = {p['P']}, H = {p['H']})")
    pe = [e for e in es if e in TABLE1]
    ax.loglog([T_CONV * 2.0**-e for e in pe], [TABLE1[e][0] for e in pe], "s--", label="paper Table 1")
    ax.set_xlabel("dt")
    ax.set_ylabel("L2 relative error of c(T)")
    ax.legend(fontsize=7)


SWEEPS = CRITICAL_MASS_SWEEPS + [Sweep(
    name="sipf-dt-order",
    summary="time-step convergence of SIPF (Table 1) as independent coupled runs; paper size ~10 min",
    source="[SIPF] §4.2, Fig. 5, Table 1",
    defaults={"P": 10000, "H": 24, "exponents": [4, 5, 6, 7, 8], "ref": 11, "seed": 5},
    plan=_plan, summarize=_summarize, plot=_plot, validate=_validate, tasks=(FN,))]
