"""Errata of the run-and-tumble sections ([MIPS] §1-3, [CHEMOTAXIS] §2-5).

Stated formulas vs :mod:`verification.rt1d.derivation`, and the defects of the [CHEMOTAXIS] §4.3 code.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from verification.errata import CodeErratum, FormulaErratum, NumericErratum
from verification.rt1d import derivation as rt

x, g = rt.x, rt.g
v, al = rt.v, sp.Function("alpha")(x)
alpha0, v0, chi, grad_c, a, b = rt.alpha0, rt.v0, rt.chi, rt.grad_c, rt.a, rt.b
ap, am = rt.ap, rt.am


FORMULAS: list[FormulaErratum] = [
    FormulaErratum(
        "000", "§2.2, subtracting the master equations", "d_t (P+ - P-)",
        lambda: -sp.diff(v * g, x) - al * sp.Function("m")(x),
        lambda: rt.adiabatic().exact_dm.subs({ap: al / 2, am: al / 2}),
        "exact; the difference relaxes at the full tumble rate alpha", key="rt1d.mips_difference_exact"),
    FormulaErratum(
        "000", "§2.2, final effective FPE ('carries an explicit 1/2')", "flux J of the effective FPE",
        lambda: -(v / (2 * al)) * sp.diff(v * g, x),
        lambda: rt.schnitzer().flux,
        "the 1/2 of the loss terms is already in the relaxation rate alpha of P+ - P-: "
        "no extra 1/2 (measured: rt1d.diffusivity)", key="rt1d.mips_fpe_half"),
    FormulaErratum(
        "000", "§2.3", "effective diffusivity D_eff (constant v, alpha)",
        lambda: v0**2 / rt.alpha, lambda: rt.schnitzer().D,
        "agrees with the derivation, and contradicts the §2.2 final form", key="rt1d.mips_D_eff"),
    FormulaErratum(
        "000", "§3.1, zero-flux condition", "steady-state flux, constant alpha0",
        lambda: -alpha0 * v * sp.diff(v * g, x),
        lambda: rt.schnitzer().flux.subs(al, alpha0),
        "alpha0 multiplies instead of divides; the conclusion g_ss ∝ 1/v is unaffected",
        key="rt1d.mips_zero_flux_alpha0"),
    FormulaErratum(
        "001", "§3.3", "d_t J",
        lambda: (-v0**2 * sp.Symbol("p_x") - (a + b) * sp.Symbol("J") + v0 * (b - a) * sp.Symbol("p")),
        lambda: _two_state_dJ(), "exact", key="rt1d.ct_dJ"),
    FormulaErratum(
        "001", "§4.2", "J_eff (d_t J = 0)",
        lambda: -v0**2 / (a + b) * sp.Symbol("p_x") + v0 * (b - a) / (a + b) * sp.Symbol("p"),
        lambda: _adiabatic_flux_const(), "correct", key="rt1d.ct_J_eff"),
    FormulaErratum(
        "001", "§4.2", "v_eff in d_t p = d_x[D_eff d_x p - v_eff p]",
        lambda: v0 * (a - b) / (a + b), lambda: rt.adiabatic().V,
        "sign: the drift in this FPE form is v0 (alpha- - alpha+)/(alpha+ + alpha-), as the "
        "line above it (J_eff) already says (measured: rt1d.two_state_transport)", key="rt1d.ct_v_eff_sign"),
    FormulaErratum(
        "001", "§5.2", "alpha+ + alpha- for temporal sensing",
        lambda: 2 * alpha0 * (1 - (chi * v0 * grad_c) ** 2), lambda: rt.temporal_sensing().rate_sum,
        "the chi terms cancel exactly: alpha+ + alpha- = 2 alpha0", key="rt1d.ct_rate_sum"),
    FormulaErratum(
        "001", "§5.2", "chemotactic drift v_eff (small gradient)",
        lambda: -chi * v0**2 / alpha0 * grad_c, lambda: rt.temporal_sensing().V,
        "exact for a uniform gradient: +chi v0^2 dc/dx (up the gradient for chi > 0), no 1/alpha0 "
        "(measured: rt1d.chemotactic_drift)", key="rt1d.ct_chemotactic_drift"),
    FormulaErratum(
        "001", "§5.2", "D_eff for temporal sensing",
        lambda: v0**2 / (2 * alpha0 * (1 - (chi * v0 * grad_c) ** 2)), lambda: rt.temporal_sensing().D,
        "adiabatic value is exactly v0^2/(2 alpha0); the exact long-time value is "
        "v0^2 (1 - (chi v0 c')^2)/(2 alpha0): the factor belongs in the numerator", key="rt1d.ct_sensing_D"),
    FormulaErratum(
        "001", "§4.3 (closing remark)", "variance growth rate 2 D for constant alpha+ != alpha-",
        lambda: rt.two_state_exact().D_adiabatic, lambda: rt.two_state_exact().D,
        "the adiabatic FPE's D = v0^2/(a+b) differs from the exact 4ab v0^2/(a+b)^3 unless a = b "
        "(measured: rt1d.two_state_transport)", approximation=True, key="rt1d.ct_variance_growth"),
]


def _two_state_dJ() -> sp.Expr:
    """d_t J from the master equation with constant rates, written in p, J, p_x."""
    p, J, px, Jx = sp.symbols("p J p_x J_x")
    pp, pm = (p + J / v0) / 2, (p - J / v0) / 2
    ppx, pmx = (px + Jx / v0) / 2, (px - Jx / v0) / 2
    dpp = -v0 * ppx - a * pp + b * pm
    dpm = v0 * pmx - b * pm + a * pp
    return sp.expand(v0 * (dpp - dpm))


def _adiabatic_flux_const() -> sp.Expr:
    p, J, px = sp.symbols("p J p_x")
    return sp.solve(sp.Eq(_two_state_dJ(), 0), J)[0]



# -- the remaining displays of [MIPS] §2-3 and [CHEMOTAXIS] §3-5 ------------------------------------
_m = sp.Function("m")(x)  # P+ - P- ([MIPS] §2.2)
_pp, _pm = sp.Function("p_p")(x), sp.Function("p_m")(x)  # p+, p- ([CHEMOTAXIS] §2.3)


def _sensed_rate_stated() -> sp.Expr:
    """The printed v0 sigma d_x c, evaluated at the cell's position X(t) ([CHEMOTAXIS] §5.1)."""
    sr = rt.sensed_rate()
    xi = sp.Symbol("xi")
    return v0 * sr.sigma * sp.Subs(sp.diff(sr.c(xi), xi), xi, sr.X).doit()


_chi_prime = sp.Symbol("chi_prime", positive=True)  # chi' of [CHEMOTAXIS] §5.2

FORMULAS += [
    FormulaErratum(
        "000", "§2.2, adding the master equations", "d_t (P+ + P-) = -d_x[v (P+ - P-)]",
        lambda: sp.expand(-sp.diff(v * _m, x)), lambda: rt.moment_equations().mips_sum,
        "exact: the tumble terms cancel (particle conservation)", key="rt1d.mips_continuity"),
    FormulaErratum(
        "000", "§2.2, adiabatic approximation", "P+ - P- ≈ -(1/alpha) d_x[v g]",
        lambda: -sp.diff(v * g, x) / al, lambda: rt.moment_equations().mips_m_slow, "correct",
        key="rt1d.mips_adiabatic_difference"),
    FormulaErratum(
        "000", "§2.2", "J ≈ -(v/alpha) d_x[v g]",
        lambda: -(v / al) * sp.diff(v * g, x), lambda: rt.schnitzer().flux, "correct", key="rt1d.mips_flux"),
    FormulaErratum(
        "000", "§2.2", "effective FPE d_t g = d_x((v/alpha) d_x[v g]) (before the '1/2' line)",
        lambda: sp.expand(sp.diff((v / al) * sp.diff(v * g, x), x)),
        lambda: sp.expand(-sp.diff(rt.schnitzer().flux, x)),
        "correct (measured: rt1d.fpe_limit, rt1d.diffusivity)", key="rt1d.mips_fpe"),
    FormulaErratum(
        "000", "§2.3", "J = -(v/alpha) (g d_x v + v d_x g)",
        lambda: sp.expand(-(v / al) * (g * sp.diff(v, x) + v * sp.diff(g, x))),
        lambda: sp.expand(rt.schnitzer().flux), "correct", key="rt1d.mips_flux_expanded"),
    FormulaErratum(
        "000", "§2.3", "J = -(v^2/alpha) d_x g - (g v/alpha) d_x v",
        lambda: sp.expand(-(v**2 / al) * sp.diff(g, x) - (g * v / al) * sp.diff(v, x)),
        lambda: sp.expand(rt.schnitzer().flux),
        "correct: a diffusion D = v^2/alpha and a drift toward lower v", key="rt1d.mips_flux_collected"),
    FormulaErratum(
        "000", "§3.1", "g_ss ∝ 1/v (v g_ss = constant)",
        lambda: sp.Symbol("C1") / v,
        lambda: sp.dsolve(sp.Eq(rt.schnitzer().flux.subs(rt.schnitzer().alpha_fn, alpha0), 0), g).rhs,
        "correct for any alpha(x) > 0 with zero flux (measured: rt1d.inverse_speed)", key="rt1d.mips_inverse_speed"),
    FormulaErratum(
        "001", "§3.2, adding the master equations", "d_t (p+ + p-) with the tumble terms written out",
        lambda: sp.expand(-v0 * sp.diff(_pp - _pm, x) - (ap * _pp - am * _pm) + (-am * _pm + ap * _pp)),
        lambda: rt.moment_equations().ct_sum, "exact: the tumble terms cancel", key="rt1d.ct_sum"),
    FormulaErratum(
        "001", "§3.2", "continuity d_t p = -d_x J, J = v0 (p+ - p-)",
        lambda: sp.expand(-sp.diff(v0 * (_pp - _pm), x)), lambda: rt.moment_equations().ct_sum, "exact",
        key="rt1d.ct_continuity"),
    FormulaErratum(
        "001", "§3.3", "p+ = (p + J/v0)/2 (p- with J -> -J)",
        lambda: (sp.Symbol("p") + sp.Symbol("J") / v0) / 2, lambda: rt.moment_equations().p_plus, "correct",
        key="rt1d.ct_p_pm"),
    FormulaErratum(
        "001", "§4.2", "D_eff = v0^2/(alpha+ + alpha-)",
        lambda: v0**2 / (a + b), lambda: rt.adiabatic().D,
        "correct as the adiabatic value; the exact long-time value is 4 a b v0^2/(a+b)^3 (see the §4.3 row)",
        key="rt1d.ct_D_eff"),
    FormulaErratum(
        "001", "§5.1", "dc/dt = v0 sigma d_x c for a static c(x)",
        _sensed_rate_stated, lambda: rt.sensed_rate().dc_dt, "correct",
        key="rt1d.ct_sensed_rate"),
    FormulaErratum(
        "001", "§5.2", "alpha+ = alpha0 (1 - chi v0 d_x c) with chi := chi' alpha0",
        lambda: alpha0 * (1 - (_chi_prime * alpha0) * v0 * grad_c),
        lambda: alpha0 * (1 - _chi_prime * (v0 * grad_c)),
        "alpha = alpha0 (1 - chi' dc/dt) with dc/dt = v0 c' gives alpha0 (1 - chi' v0 c'): the printed rates hold "
        "with chi = chi', not chi' alpha0 (that would give alpha0 - chi v0 c', whose drift is chi v0^2 c'/alpha0, "
        "the magnitude §5.2 prints)", key="rt1d.ct_rates_chi"),
]


# -- [CHEMOTAXIS] §4.3 code defects ----------------------------------------------------------------
L_SEED, DT_SEED, V0_SEED = 200.0, 0.01, 20.0
N_SEED, STEPS_SEED = 5000, 4000


def _seed_rates(xx, clip: bool = False):
    """The §4.3 rates 1 ± 2 tanh(x/(L/4)) (``clip``: max(0, ·), as activebench's model)."""
    t = np.tanh(xx / (L_SEED / 4))
    plus, minus = 1 + 2 * t, 1 - 2 * t
    return (np.maximum(plus, 0), np.maximum(minus, 0)) if clip else (plus, minus)


def _negative_rates(as_stated: bool) -> tuple[bool, str]:
    """Rates on the domain and the FPE drift they give: |v_eff| = v0 |a+ - a-|/(a+ + a-) must not exceed v0."""
    xx = np.linspace(-L_SEED / 2, L_SEED / 2, 2001)
    plus, minus = _seed_rates(xx, clip=not as_stated)
    ratio = float(np.max(np.abs(plus - minus) / (plus + minus)))
    frac = float(np.mean((plus < 0) | (minus < 0)))
    return ratio > 1 + 1e-12, (f"{'stated' if as_stated else 'clipped'} rates: min alpha+ = {plus.min():.3f}, "
                               f"min alpha- = {minus.min():.3f} (negative on {100 * frac:.0f}% of the domain); "
                               f"the §4.2 drift reaches max |v_eff|/v0 = {ratio:.3f}"
                               + (" > 1: faster than the swimmers" if ratio > 1 + 1e-12 else " <= 1"))


def _shared_uniform(as_stated: bool) -> tuple[bool, str]:
    """Switching rate of right-movers at x = 0: one uniform tested twice (as stated) or once (fix)."""
    rng = np.random.default_rng(1)
    n = 200_000
    u = rng.random(n)
    p_plus, p_minus = (float(r) * DT_SEED for r in _seed_rates(0.0))
    d = np.ones(n)
    d[u < p_plus] = -1
    if as_stated:
        d[(d == -1) & (u < p_minus)] = 1  # the same u decides the reverse flip
    frac = float(np.mean(d == -1))
    se = math.sqrt(p_plus * (1 - p_plus) / n) / DT_SEED
    rate = frac / DT_SEED
    present = abs(rate - p_plus / DT_SEED) > 4 * se
    return present, (f"{n} right-movers at x = 0, one step: switching rate {rate:.3f} ± {se:.3f} (SE) per unit time "
                     f"vs alpha+ = {p_plus / DT_SEED:.3f}" + (" (same uniform used for both tests)" if as_stated
                                                             else " (one test per walker)"))


def _wall_direction(as_stated: bool) -> tuple[bool, str]:
    """A walker running into x = L/2: the direction test after the reflection (as stated) or before (fix)."""
    half = L_SEED / 2
    pos = np.array([half - 0.1])
    d = np.array([1.0])
    for _ in range(3):
        pos += d * V0_SEED * DT_SEED
        over = pos > half
        pos[over] = L_SEED - pos[over]
        if as_stated:
            d[pos > half] *= -1  # evaluated after the reflection
        else:
            d[over] *= -1
    return bool(d[0] == 1.0), (f"after 3 steps toward the wall: direction {d[0]:+.0f}, x = {pos[0]:.2f}"
                               + (" (pinned at the wall until it tumbles)" if d[0] == 1.0 else " (reflected)"))


def _linear_probability(as_stated: bool) -> tuple[bool, str]:
    """Bias of the tumble rate -log(1 - P)/dt the walkers realize, vs what the seed's own run resolves.

    At alpha = 1 (the rates' centre) the seed's run has about alpha N T = 2e5 tumbles, so it measures
    a rate to a relative standard error 1/sqrt(2e5); the defect is a bias above two of those.
    """
    rate = 1.0
    prob = rate * DT_SEED if as_stated else -math.expm1(-rate * DT_SEED)
    realized = -math.log1p(-prob) / DT_SEED
    bias = realized / rate - 1
    rel_se = 1 / math.sqrt(rate * N_SEED * STEPS_SEED * DT_SEED)
    return abs(bias) > 2 * rel_se, (f"flip probability {'alpha dt' if as_stated else '1 - exp(-alpha dt)'} = "
                                    f"{prob:.6f} at alpha = 1: realized rate {realized:.5f}, relative bias "
                                    f"{bias:.2e} vs the seed run's resolution 2 SE = {2 * rel_se:.2e}")


def _walk(n_walkers: int, n_steps: int, keep_history: bool) -> tuple[np.ndarray, np.ndarray]:
    """Two-state walkers of §4.3 (clipped rates, 1 - exp(-alpha dt), reflecting walls), seeded.

    ``keep_history``: store every position of every step (as the seed) and compute the mean and
    variance from it; otherwise keep only what §4.3 plots (mean and variance per step, 20
    trajectories, 4 snapshots). Returns (mean, variance) per step.
    """
    rng = np.random.default_rng(7)
    pos = rng.uniform(-1, 1, n_walkers)
    d = rng.choice([1.0, -1.0], n_walkers)
    half = L_SEED / 2
    if keep_history:
        history = np.zeros((n_steps, n_walkers))
    else:
        mean, var = np.empty(n_steps), np.empty(n_steps)
        traj = np.empty((n_steps, 20))
        snap_steps = [n_steps // 10, n_steps // 3, 2 * n_steps // 3, n_steps - 1]
        snaps = np.empty((4, n_walkers))
    for step in range(n_steps):
        if keep_history:
            history[step] = pos
        else:
            mean[step], var[step] = pos.mean(), pos.var()
            traj[step] = pos[:20]
            if step in snap_steps:
                snaps[snap_steps.index(step)] = pos
        plus, minus = _seed_rates(pos, clip=True)
        flip = rng.random(n_walkers) < -np.expm1(-np.where(d > 0, plus, minus) * DT_SEED)
        d[flip] *= -1
        pos += d * V0_SEED * DT_SEED
        for side in (1, -1):
            out = side * pos > half
            pos[out] = side * L_SEED - pos[out]
            d[out] = -side
    if keep_history:
        return history.mean(axis=1), history.var(axis=1)
    return mean, var


def _history_memory(as_stated: bool) -> tuple[bool, str]:
    """Peak traced memory of the §4.3 run at two sizes (x4 steps and x4 walkers): the full history or not.

    Storing every position makes memory grow with steps x walkers (x16 here); keeping what is plotted
    grows with steps + walkers (x4). The defect is growth above x8 (between the two); the seed's size
    is extrapolated from the larger run.
    """
    import tracemalloc

    _walk(50, 50, keep_history=as_stated)  # warm-up: lazy imports and caches are not counted
    peaks, results = [], []
    for scale in (1, 4):
        tracemalloc.start()
        results.append(_walk(250 * scale, 400 * scale, keep_history=as_stated))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    growth = peaks[1] / peaks[0]
    other = _walk(250, 400, keep_history=not as_stated)
    same = all(np.array_equal(q, r) for q, r in zip(results[0], other, strict=True))
    seed_size = (f"; at the seed's 5000 x 4000 about {peaks[1] / (1000 * 1600) * N_SEED * STEPS_SEED / 2**20:.0f} "
                 "MiB (the history and the temporary of its variance)" if growth > 8 else "")
    return growth > 8, (f"{'full (steps x walkers) history' if as_stated else 'only the plotted statistics'}: peak "
                        f"{peaks[0] / 2**10:.0f} KiB at 250 walkers x 400 steps, {peaks[1] / 2**10:.0f} KiB at 1000 x "
                        f"1600 (x{growth:.1f}){seed_size}; mean and variance identical to the other variant: {same}")


CODE: list[CodeErratum] = [
    CodeErratum("001", "§4.3 code", "tumble rates 1 ± 2 tanh(x/(L/4))", _negative_rates,
                "clip at 0 (activebench uses max(0, ·); the code's comparison u < alpha dt already acts so, "
                "but the stated rates and the §4.2 v_eff built from them do not) or use an amplitude <= 1",
                key="rt1d.ct_negative_rates"),
    CodeErratum("001", "§4.3 code", "one uniform for both flip tests", _shared_uniform,
                "draw the flip of each walker once, from its current direction's rate", key="rt1d.ct_shared_uniform"),
    CodeErratum("001", "§4.3 code", "reflection at the walls", _wall_direction,
                "reverse the direction of exactly the walkers that crossed, before moving them back",
                key="rt1d.ct_wall_direction"),
    CodeErratum("001", "§4.3 code", "flip probability alpha dt", _linear_probability,
                "use 1 - exp(-alpha dt), or an event-driven sampler (exact)", key="rt1d.ct_linear_flip_probability"),
    CodeErratum("001", "§4.3 code", "stored history", _history_memory,
                "record only the times that are analysed", key="rt1d.ct_stored_history"),
]


# -- numbers in the text -----------------------------------------------------------------------------
def _diffusion_time() -> tuple[float, float, str]:
    """tau_D = L^2/D_eff with D_eff = v0^2/(alpha+ + alpha-) (§4.2), L = 100 um, alpha+- ~ 1/s, v0 = 20-30 um/s."""
    length, rate_sum = 100.0, 2.0  # um; 1/s (alpha+ + alpha- with each ~ 1/alpha_run ~ 1 s)
    taus = [length**2 * rate_sum / vv**2 for vv in (20.0, 30.0)]  # v0 range of §1.2 [um/s]
    mid, half_range = (max(taus) + min(taus)) / 2, (max(taus) - min(taus)) / 2
    return mid, half_range, (f"L^2 (alpha+ + alpha-)/v0^2 over v0 = 20-30 um/s (§1.2): {min(taus):.1f}-"
                             f"{max(taus):.1f} s; the error bar is half that range")


NUMBERS: list[NumericErratum] = [
    NumericErratum("001", "§4.1", "diffusion time tau_D over L ~ 100 um [s]", 25.0, _diffusion_time,
                   "within the range the notes' own numbers give", key="rt1d.ct_diffusion_time"),
]
