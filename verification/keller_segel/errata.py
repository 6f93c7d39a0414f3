"""Errata for [CHEMOTAXIS] §6 (Keller-Segel): stated formulas vs sympy derivations, and defects of the §6.4 code.

Discovered by ``activebench errata`` (``verification.topics``).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from continuum.keller_segel import KellerSegel1DParams, fv_run, fv_time_step, seed_scheme_run, seed_time_step
from verification.errata import CodeErratum, FormulaErratum, NumericErratum
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
        "linearization about (1, 1/a) with chi(1) = c/2; measured: ks2d.pattern", key="keller_segel.preset_onset_c"),
    FormulaErratum(
        "001", "§6.3 ('chemotaxis strong enough to overcome diffusion')",
        "instability threshold chi0 of the §6.4 model",
        lambda: ks.d_u, lambda: ks.ks1d().threshold_chi0,
        "the derived long-wave threshold is chi0 u* > a D_u (independent of D_v); the words match it only for "
        "a = u* = 1, the seed's values. Unstable band k^2 < (chi0 u* - a D_u)/(D_u D_v) (measured: ks1d.dispersion)",
        approximation=True, key="keller_segel.threshold_words"),
    FormulaErratum(
        "001", "§6.4 code", "symbol of the chemotactic difference (J_i - J_{i-1})/dx, J_i = (v_{i+1} - v_{i-1})/(2dx)",
        lambda: ks.stencils().seed_chemotaxis, lambda: -ks.k**2,
        "real part -sin^2(k dx)/dx^2 vanishes at k dx = pi (odd-even decoupling: the grid-scale mode feels no "
        "chemotaxis), imaginary part (1 - cos k dx) sin(k dx)/dx^2 ~ k^3 dx/2 is a spurious first-order advection; "
        "the conservative face difference has symbol -4 sin^2(k dx/2)/dx^2", approximation=True,
        key="keller_segel.seed_chemotaxis_symbol"),
]


def _seed_noise(rng, n: int) -> np.ndarray:
    """The seed's initial cell density 1 + 0.01 (U - 1/2), U uniform on [0, 1) ([CHEMOTAXIS] §6.4)."""
    return 1.0 + 0.01 * (rng.random(n) - 0.5)


def _seed_run(chi0: float, t_end: float, n_steps: int, seed: int = 0):
    p = KellerSegel1DParams(chi0=chi0)
    u0 = _seed_noise(np.random.default_rng(seed), p.n_cells)
    with np.errstate(over="ignore", invalid="ignore"):
        return p, seed_scheme_run(p, u0, u0 / p.decay, t_end, n_steps, record_every=50)


def _fv_final(chi0: float, t_end: float, seed: int = 0):
    """The finite-volume (upwind) scheme from the same initial field; returns (params, u0, record)."""
    p = KellerSegel1DParams(chi0=chi0)
    u0 = _seed_noise(np.random.default_rng(seed), p.n_cells)
    return p, u0, fv_run(p, u0, u0 / p.decay, [0.0, t_end])


def _blow_up(as_stated: bool) -> tuple[bool, str]:
    """Seed's scheme (as stated) or the upwind finite-volume scheme (fix), chi0 = 25 and 40, to T = 100."""
    out, present = [], False
    for chi in (25.0, 40.0):
        if as_stated:
            _, r = _seed_run(chi, **SEED_CALL)
            bad = r.blew_up or not math.isnan(r.first_negative_time)
            out.append(f"chi0 = {chi:g}: u < 0 first at t = {r.first_negative_time:.3g}, "
                       + (f"non-finite at t = {r.n_steps * r.dt:.3g}" if r.blew_up else "finite to the end"))
        else:
            _, _, r = _fv_final(chi, SEED_T)
            bad = not (np.all(np.isfinite(r.u)) and r.min_u >= 0)
            out.append(f"chi0 = {chi:g}: finite, min u = {r.min_u:.2g} >= 0, max u(T) = {r.u[-1].max():.3g}")
        present |= bad
    scheme = "seed's scheme, its call (T = 100, dt = 0.005)" if as_stated else "upwind finite volume to T = 100"
    return present, f"{scheme}: " + "; ".join(out)


def _dt_independent(as_stated: bool) -> tuple[bool, str]:
    """The seed's scheme at dt ten times smaller (as stated) vs the upwind flux (fix), chi0 = 40, to t = 10."""
    if as_stated:
        _, r = _seed_run(40.0, 10.0, 20000)  # dt = 5e-4
        return r.blew_up or not math.isnan(r.first_negative_time), (
            f"seed's central flux, dt = {r.dt:g} (10x smaller than its call): u < 0 at t = "
            f"{r.first_negative_time:.3g}, non-finite at t = {r.n_steps * r.dt:.3g} -- a spatial instability "
            "(cell Peclet number chi0 |v_x| dx / D_u > 2 during aggregation), not a time-step one")
    p, _, r = _fv_final(40.0, 10.0)
    bad = not (np.all(np.isfinite(r.u)) and r.min_u >= 0)
    return bad, (f"upwind face flux w = chi0 (v_(i+1) - v_i)/dx, {r.n_steps} steps to t = 10: min u = {r.min_u:.2g}, "
                 f"max u = {r.u[-1].max():.3g}, finite")


def _clipping_mass(as_stated: bool) -> tuple[bool, str]:
    """Relative mass change through aggregation: the seed's clipped scheme vs the finite-volume scheme."""
    if as_stated:
        p, r = _seed_run(40.0, **SEED_CALL)
        rel = r.mass[np.isfinite(r.mass)] / r.mass[0] - 1
        gain = float(np.max(np.abs(rel)))
        before = float(rel[rel < 1.0][-1])  # the last step before the mass has doubled
        return gain > 1e-10, (f"seed's scheme with np.maximum(u, 0): {r.n_clipped_steps} clipped steps from "
                              f"t = {r.first_negative_time:.3g}; relative mass gain {before:.2g} just before the "
                              "mass doubles, then it diverges (without clipping sum(u) telescopes: conserved to "
                              "round-off)")
    p, u0, r = _fv_final(40.0, SEED_T)
    gain = float(abs(r.u[-1].sum() / u0.sum() - 1))
    return gain > 1e-10, (f"finite volume, no clipping, to T = 100: relative mass change {gain:.2g}, "
                          f"min u = {r.min_u:.2g} >= 0")


def _upwind_diagonal(p: KellerSegel1DParams, v: np.ndarray, dt: float) -> float:
    """Smallest weight c_0 = 1 - 2 D_u dt/dx^2 - dt/dx (w+_(i+1/2) - w-_(i-1/2)) of the upwind update."""
    w = p.chi0 * (np.roll(v, -1) - v) / p.dx  # face i+1/2
    out = np.maximum(w, 0) - np.minimum(np.roll(w, 1), 0)
    return float(np.min(1 - 2 * p.d_u * dt / p.dx**2 - dt / p.dx * out))


def _step_rule(as_stated: bool) -> tuple[bool, str]:
    """Positivity weight of the upwind update at an aggregate, with the seed's step rule or the Peclet-aware one."""
    p = KellerSegel1DParams(chi0=40.0)
    v_peak = 20.0 * np.exp(-((p.x() - 50.0) ** 2) / 2.0)  # an aggregate of height ~20, width ~1
    if as_stated:
        dt, _ = seed_time_step(p, **SEED_CALL)
        rule = f"seed's rule on its call: dt = {dt:g} (T/Nt; below dx^2/(2 max D) = {p.dx**2 / 2 / p.d_v:g}, so kept)"
    else:
        dt = fv_time_step(p, v_peak)
        rule = f"Peclet-aware rule (fv_time_step): dt = {dt:.3g}"
    c0 = _upwind_diagonal(p, v_peak, dt)
    return c0 < 0, (f"{rule}; at an aggregate v = 20 exp(-(x-50)^2/2) the smallest weight of the upwind update "
                    f"is c_0 = {c0:.3g} ({'negative: u can go below 0' if c0 < 0 else '>= 0: u stays >= 0'})")


def _frame_times(as_stated: bool) -> tuple[bool, str]:
    """Times of the stored frames vs their labels frame * 50 * (100/20000), for the seed's own call.

    Replays the seed's recording procedure with the time as the only state: T = 100, Nt = 20000
    (dt = 0.005, the step rule keeps it), the initial state stored, then one frame whenever the
    loop counter n is a multiple of 50 -- after the update of step n (as stated) or when n + 1 is
    (fix: after 50, 100, ... completed steps). Defect: a label off by more than dt/2.
    """
    dt, n_steps = seed_time_step(KellerSegel1DParams(chi0=40.0), **SEED_CALL)
    t, stored = 0.0, [0.0]
    for n in range(n_steps):
        t = (n + 1) * dt
        if (n if as_stated else n + 1) % 50 == 0:
            stored.append(t)
    labels = np.arange(len(stored)) * 50 * (100.0 / 20000)
    err = np.abs(np.array(stored) - labels)
    k = 1
    where = ("stored after the update of step n with n % 50 == 0 (after 1, 51, 101, ... steps)" if as_stated
             else "stored after 50, 100, ... completed steps")
    return bool(err.max() > dt / 2), (f"seed's call T = 100, Nt = 20000, dt = {dt:g}: {len(stored)} frames {where}; "
                                      f"frame {k} is labelled t = {labels[k]:.3f} but holds t = {stored[k]:.3f}; "
                                      f"largest label error {err.max():.3g} = {err.max() / (50 * dt):.2f} recording "
                                      f"intervals; last frame t = {stored[-1]:.3f} if the loop runs to the end "
                                      "(at chi0 = 40 it stops at the blow-up: keller_segel.seed_blow_up)")


def _unseeded(as_stated: bool) -> tuple[bool, str]:
    """Two runs of the seed's initial field and 200 steps of its scheme: unseeded (as stated) or seeded (fix).

    As stated, each run draws its noise from a fresh, unseeded generator (what a new Python process
    running ``np.random.rand`` does); the fix draws it from ``np.random.default_rng(seed)``.
    """
    p = KellerSegel1DParams(chi0=40.0)
    finals = []
    for _ in range(2):
        rng = np.random.RandomState() if as_stated else np.random.default_rng(12)
        u0 = _seed_noise(rng, p.n_cells)
        finals.append(seed_scheme_run(p, u0, u0 / p.decay, 1.0, 200).u[-1])
    diff = float(np.max(np.abs(finals[0] - finals[1])))
    how = "unseeded np.random (fresh entropy per run)" if as_stated else "np.random.default_rng(12) in each run"
    return diff > 0, f"{how}: two runs to t = 1 differ by max |u1 - u2| = {diff:.3g}"


CODE: list[CodeErratum] = [
    CodeErratum("001", "§6.4 code", "blow-up during aggregation (seed's own parameters)", _blow_up,
                "upwind (or limited) face fluxes with a Peclet-aware step, as continuum.keller_segel.fv_run",
                key="keller_segel.seed_blow_up"),
    CodeErratum("001", "§6.4 code", "instability does not go away with smaller dt", _dt_independent,
                "conservative upwind chemotactic flux at faces, w = chi0 (v_{i+1} - v_i)/dx",
                key="keller_segel.seed_spatial_instability"),
    CodeErratum("001", "§6.4 code", "np.maximum(u, 0) clipping", _clipping_mass,
                "a positivity-preserving scheme needs no clipping; report clipped mass if clipping is kept",
                key="keller_segel.seed_clipping_mass"),
    CodeErratum("001", "§6.4 code", "step rule dt = 0.2 dx^2/(2 max D) only if T/Nt is larger", _step_rule,
                "dt <= theta min(dx^2/(2 max D), dx/(2 max|w|), 1/a), theta <= 1/2 (see fv_time_step)",
                key="keller_segel.seed_step_rule"),
    CodeErratum("001", "§6.4 code", "frame times in the animation", _frame_times,
                "store a frame after every 50 completed steps (or store the time of each frame) and label it so",
                key="keller_segel.seed_frame_times"),
    CodeErratum("001", "§6.4 code", "initial noise", _unseeded, "use np.random.default_rng(seed)",
                key="keller_segel.seed_unseeded_noise"),
]


# -- numbers in the text -----------------------------------------------------------------------------
def _log10_reynolds() -> tuple[float, float, str]:
    """log10 Re = log10(rho L v / eta) over the ranges §1.2 gives (water, L of a few um, v = 20-30 um/s).

    rho = 1000 kg/m^3; eta = 0.7-1.0 mPa s (water from 37 to 20 degrees C); L = 1-5 um ("several
    micrometers"); v = 20-30 um/s. The value is the centre of the resulting range of log10 Re and
    the error bar its half-width (a range of the stated inputs, not a statistical error).
    """
    rho = 1000.0
    logs = [math.log10(rho * length * speed / eta)
            for length in (1e-6, 5e-6) for speed in (20e-6, 30e-6) for eta in (0.7e-3, 1.0e-3)]
    lo, hi = min(logs), max(logs)
    return (lo + hi) / 2, (hi - lo) / 2, (f"rho L v / eta over L = 1-5 um, v = 20-30 um/s, eta = 0.7-1.0 mPa s: "
                                          f"Re = {10**lo:.1e} to {10**hi:.1e}; error bar = half the range of log10 Re")


NUMBERS: list[NumericErratum] = [
    NumericErratum("001", "§1.2", "Reynolds number of E. coli (log10 Re; stated Re ~ 1e-6)", -6.0, _log10_reynolds,
                   "the notes' own L and v give Re ~ 1e-5 to 2e-4 (Purcell's classic estimate is ~1e-4); 1e-6 is "
                   "one to two orders too small. The conclusion (viscous forces dominate) is unaffected",
                   key="keller_segel.reynolds_number"),
]
