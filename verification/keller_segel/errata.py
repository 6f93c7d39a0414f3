"""Errata for [CHEMOTAXIS] §6 (Keller-Segel): stated formulas vs sympy derivations, and defects of the §6.4 code.

Discovered by ``activebench errata`` (``verification.topics``).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from continuum.keller_segel import KellerSegel1DParams, fv_time_step, seed_scheme_run, seed_time_step
from verification.errata import CodeErratum, FormulaErratum
from verification.keller_segel import derivation as ks
from verification.keller_segel.cases import SEED_NT, SEED_T

SEED_CALL = {"t_end": SEED_T, "n_steps": SEED_NT}  # the seed's call: T = 100, Nt = 20000, chi0 = 40


def _visualpde_threshold() -> sp.Expr:
    # "2 sqrt(aD) < c/2 - D - a" solved for c at equality.
    return sp.solve(sp.Eq(2 * sp.sqrt(ks.a * ks.D), ks.c / 2 - ks.D - ks.a), ks.c)[0]


FORMULAS: list[FormulaErratum] = [
    FormulaErratum(
        "001", "§6.2 (VisualPDE KellerSegel preset it cites)", "pattern-onset threshold c* (2 sqrt(aD) < c/2 - D - a)",
        _visualpde_threshold, lambda: ks.preset2d().critical_c,
        "linearization about (1, 1/a) with chi(1) = c/2; measured: ks2d.pattern"),
    FormulaErratum(
        "001", "§6.3 ('chemotaxis strong enough to overcome diffusion')",
        "instability threshold chi0 of the §6.4 model",
        lambda: ks.d_u, lambda: ks.ks1d().threshold_chi0,
        "the derived long-wave threshold is chi0 u* > a D_u (independent of D_v); the words match it only for "
        "a = u* = 1, the seed's values. Unstable band k^2 < (chi0 u* - a D_u)/(D_u D_v) (measured: ks1d.dispersion)",
        approximation=True),
    FormulaErratum(
        "001", "§6.4 code", "symbol of the chemotactic difference (J_i - J_{i-1})/dx, J_i = (v_{i+1} - v_{i-1})/(2dx)",
        lambda: ks.stencils().seed_chemotaxis, lambda: -ks.k**2,
        "real part -sin^2(k dx)/dx^2 vanishes at k dx = pi (odd-even decoupling: the grid-scale mode feels no "
        "chemotaxis), imaginary part (1 - cos k dx) sin(k dx)/dx^2 ~ k^3 dx/2 is a spurious first-order advection; "
        "the conservative face difference has symbol -4 sin^2(k dx/2)/dx^2", approximation=True),
]


def _seed_run(chi0: float, t_end: float, n_steps: int, seed: int = 0):
    p = KellerSegel1DParams(chi0=chi0)
    rng = np.random.default_rng(seed)
    u0 = 1.0 + 0.01 * (rng.random(p.n_cells) - 0.5)
    with np.errstate(over="ignore", invalid="ignore"):
        return p, seed_scheme_run(p, u0, u0 / p.decay, t_end, n_steps, record_every=50)


def _blow_up() -> tuple[bool, str]:
    out = []
    present = False
    for chi in (25.0, 40.0):
        _, r = _seed_run(chi, **SEED_CALL)
        present |= r.blew_up
        out.append(f"chi0 = {chi:g}: u < 0 first at t = {r.first_negative_time:.3g}, non-finite at "
                   f"t = {r.n_steps * r.dt:.3g}")
    return present, ("seed's call (T = 100, dt = 0.005): " + "; ".join(out) +
                     " -- the loop stops there: the 'peaks stabilize' of the notes is not what this code computes")


def _dt_independent() -> tuple[bool, str]:
    _, r = _seed_run(40.0, 10.0, 20000)  # dt = 5e-4, ten times smaller than the seed's
    return r.blew_up, (f"with dt = {r.dt:g} (10x smaller) it still goes negative at t = {r.first_negative_time:.3g} "
                       f"and blows up at t = {r.n_steps * r.dt:.3g}: a spatial instability of the nodal, non-upwind "
                       "flux once the cell Peclet number chi0 |v_x| dx / D_u exceeds ~2 during aggregation")


def _clipping_mass() -> tuple[bool, str]:
    p, r = _seed_run(40.0, **SEED_CALL)
    m = r.mass[np.isfinite(r.mass)]
    i = int(np.argmax(m > m[0] * (1 + 1e-12))) if np.any(m > m[0] * (1 + 1e-12)) else -1
    t_gain = i * r.dt if i >= 0 else math.nan
    last_ok = m[m < 2 * m[0]][-1] / m[0] - 1
    return r.n_clipped_steps > 0, (f"without clipping sum(u) telescopes (conserved to round-off); clipping adds mass "
                                   f"from t = {t_gain:.3g} on ({r.n_clipped_steps} clipped steps), relative gain "
                                   f"{last_ok:.2g} before the mass passes 2x and then diverges")


def _step_rule() -> tuple[bool, str]:
    p = KellerSegel1DParams(chi0=40.0)
    dt, _ = seed_time_step(p, **SEED_CALL)
    limit = p.dx**2 / (2 * max(p.d_u, p.d_v))
    x = p.x()
    v_peak = 20.0 * np.exp(-((x - 50.0) ** 2) / 2.0)  # an aggregate of height ~20, width ~1
    dt_fv = fv_time_step(p, v_peak, theta=0.5)
    return dt > 0.2 * limit, (f"dt = T/Nt = {dt:g} is below dx^2/(2 max D) = {limit:g}, so the 0.2 factor never "
                              "applies to the seed's call; the rule has no chemotactic (Peclet) limit: at an "
                              f"aggregate v ~ 20 exp(-(x-50)^2/2) positivity of upwind fluxes needs dt <= {dt_fv:.2g}")


def _frame_times() -> tuple[bool, str]:
    p = KellerSegel1DParams()
    dt, _ = seed_time_step(p, 50.0, 5000)  # the function's defaults T = 50, Nt = 5000 trigger the rule
    label_dt = 100.0 / 20000
    return not math.isclose(dt, label_dt), (f"frame labels assume dt = 100/20000 = {label_dt:g}; with the function's "
                                            f"defaults the rule sets dt = {dt:g}, so labelled times are off by "
                                            f"{label_dt / dt:g}x; also Nt = int(T/dt) truncates the final time")


def _unseeded() -> tuple[bool, str]:
    return True, "initial noise from np.random.rand without a seed: runs are not reproducible"


CODE: list[CodeErratum] = [
    CodeErratum("001", "§6.4 code", "blow-up during aggregation (seed's own parameters)", _blow_up,
                "upwind (or limited) face fluxes with a Peclet-aware step, as continuum.keller_segel.fv_run"),
    CodeErratum("001", "§6.4 code", "instability does not go away with smaller dt", _dt_independent,
                "conservative upwind chemotactic flux at faces, w = chi0 (v_{i+1} - v_i)/dx"),
    CodeErratum("001", "§6.4 code", "np.maximum(u, 0) clipping", _clipping_mass,
                "a positivity-preserving scheme needs no clipping; report clipped mass if clipping is kept"),
    CodeErratum("001", "§6.4 code", "step rule dt = 0.2 dx^2/(2 max D) only if T/Nt is larger", _step_rule,
                "dt <= theta min(dx^2/(2 max D), dx/(2 max|w|), 1/a), theta <= 1/2 (see fv_time_step)"),
    CodeErratum("001", "§6.4 code", "frame times in the animation", _frame_times,
                "store the time of each recorded frame"),
    CodeErratum("001", "§6.4 code", "initial noise", _unseeded, "use np.random.default_rng(seed)"),
]
