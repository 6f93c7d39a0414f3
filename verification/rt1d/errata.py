"""Errata of the run-and-tumble sections ([MIPS] §1-3, [CHEMOTAXIS] §2-5).

Stated formulas vs :mod:`verification.rt1d.derivation`, and the defects of the [CHEMOTAXIS] §4.3 code.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from verification.errata import CodeErratum, FormulaErratum
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
        "exact; the difference relaxes at the full tumble rate alpha"),
    FormulaErratum(
        "000", "§2.2, final effective FPE ('carries an explicit 1/2')", "flux J of the effective FPE",
        lambda: -(v / (2 * al)) * sp.diff(v * g, x),
        lambda: rt.schnitzer().flux,
        "the 1/2 of the loss terms is already in the relaxation rate alpha of P+ - P-: "
        "no extra 1/2 (measured: rt1d.diffusivity)"),
    FormulaErratum(
        "000", "§2.3", "effective diffusivity D_eff (constant v, alpha)",
        lambda: v0**2 / rt.alpha, lambda: rt.schnitzer().D,
        "agrees with the derivation, and contradicts the §2.2 final form"),
    FormulaErratum(
        "000", "§3.1, zero-flux condition", "steady-state flux, constant alpha0",
        lambda: -alpha0 * v * sp.diff(v * g, x),
        lambda: rt.schnitzer().flux.subs(al, alpha0),
        "alpha0 multiplies instead of divides; the conclusion g_ss ∝ 1/v is unaffected"),
    FormulaErratum(
        "001", "§3.3", "d_t J",
        lambda: (-v0**2 * sp.Symbol("p_x") - (a + b) * sp.Symbol("J") + v0 * (b - a) * sp.Symbol("p")),
        lambda: _two_state_dJ(), "exact"),
    FormulaErratum(
        "001", "§4.2", "J_eff (d_t J = 0)",
        lambda: -v0**2 / (a + b) * sp.Symbol("p_x") + v0 * (b - a) / (a + b) * sp.Symbol("p"),
        lambda: _adiabatic_flux_const(), "correct"),
    FormulaErratum(
        "001", "§4.2", "v_eff in d_t p = d_x[D_eff d_x p - v_eff p]",
        lambda: v0 * (a - b) / (a + b), lambda: rt.adiabatic().V,
        "sign: the drift in this FPE form is v0 (alpha- - alpha+)/(alpha+ + alpha-), as the "
        "line above it (J_eff) already says (measured: rt1d.two_state_transport)"),
    FormulaErratum(
        "001", "§5.2", "alpha+ + alpha- for temporal sensing",
        lambda: 2 * alpha0 * (1 - (chi * v0 * grad_c) ** 2), lambda: rt.temporal_sensing().rate_sum,
        "the chi terms cancel exactly: alpha+ + alpha- = 2 alpha0"),
    FormulaErratum(
        "001", "§5.2", "chemotactic drift v_eff (small gradient)",
        lambda: -chi * v0**2 / alpha0 * grad_c, lambda: rt.temporal_sensing().V,
        "exact for a uniform gradient: +chi v0^2 dc/dx (up the gradient for chi > 0), no 1/alpha0 "
        "(measured: rt1d.chemotactic_drift)"),
    FormulaErratum(
        "001", "§5.2", "D_eff for temporal sensing",
        lambda: v0**2 / (2 * alpha0 * (1 - (chi * v0 * grad_c) ** 2)), lambda: rt.temporal_sensing().D,
        "adiabatic value is exactly v0^2/(2 alpha0); the exact long-time value is "
        "v0^2 (1 - (chi v0 c')^2)/(2 alpha0): the factor belongs in the numerator"),
    FormulaErratum(
        "001", "§4.3 (closing remark)", "variance growth rate 2 D for constant alpha+ != alpha-",
        lambda: rt.two_state_exact().D_adiabatic, lambda: rt.two_state_exact().D,
        "the adiabatic FPE's D = v0^2/(a+b) differs from the exact 4ab v0^2/(a+b)^3 unless a = b "
        "(measured: rt1d.two_state_transport)", approximation=True),
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


# -- [CHEMOTAXIS] §4.3 code defects ----------------------------------------------------------------
L_SEED, DT_SEED, V0_SEED = 200.0, 0.01, 20.0


def _seed_rates(xx):
    t = np.tanh(xx / (L_SEED / 4))
    return 1 + 2 * t, 1 - 2 * t


def _negative_rates() -> tuple[bool, str]:
    xx = np.linspace(-L_SEED / 2, L_SEED / 2, 2001)
    plus, minus = _seed_rates(xx)
    frac = float(np.mean((plus < 0) | (minus < 0)))
    return frac > 0, (f"min alpha+ = {plus.min():.3f}, min alpha- = {minus.min():.3f}; a rate is negative on "
                      f"{100 * frac:.0f}% of the domain (|x| > {L_SEED / 4 * math.atanh(0.5):.1f})")


def _shared_uniform() -> tuple[bool, str]:
    # Right-movers at x = 0 with the seed's one-uniform, two-test update.
    rng = np.random.default_rng(1)
    n = 200_000
    u = rng.random(n)
    p_plus, p_minus = (r * DT_SEED for r in _seed_rates(0.0))
    d = np.ones(n)
    flipped = u < p_plus
    d[flipped] = -1
    d[(d == -1) & (u < p_minus)] = 1  # the same u decides the reverse flip
    rate = float(np.mean(d == -1)) / DT_SEED
    return rate < 0.5 * p_plus / DT_SEED, (f"right-movers at x = 0 switch at rate {rate:.3f} per unit time "
                                           f"instead of alpha+ = {p_plus / DT_SEED:.3f}")


def _wall_direction() -> tuple[bool, str]:
    half = L_SEED / 2
    pos = np.array([half - 0.1])
    d = np.array([1.0])
    for _ in range(3):
        pos += d * V0_SEED * DT_SEED
        over = pos > half
        pos[over] = L_SEED - pos[over]
        d[pos > half] *= -1  # evaluated after the reflection: never true
    return bool(d[0] == 1.0), (f"a walker reaching x = L/2 keeps direction {d[0]:+.0f} and is pinned at "
                               f"x ≈ {pos[0]:.2f} until it tumbles")


def _linear_probability() -> tuple[bool, str]:
    rate = 3.0
    lin, exact = rate * DT_SEED, -math.expm1(-rate * DT_SEED)
    return lin != exact, f"alpha dt = {lin:.5f} vs 1 - exp(-alpha dt) = {exact:.5f} at alpha = 3 (O(alpha dt) bias)"


def _history_memory() -> tuple[bool, str]:
    mib = 4000 * 5000 * 8 / 2**20
    return True, f"position history of 4000 steps x 5000 walkers = {mib:.0f} MiB of float64"


CODE: list[CodeErratum] = [
    CodeErratum("001", "§4.3 code", "tumble rates 1 ± 2 tanh(x/(L/4))", _negative_rates,
                "clip at 0 (activebench uses max(0, ·)) or use an amplitude <= 1"),
    CodeErratum("001", "§4.3 code", "one uniform for both flip tests", _shared_uniform,
                "draw the flip of each walker once, from its current direction's rate"),
    CodeErratum("001", "§4.3 code", "reflection at the walls", _wall_direction,
                "reverse the direction of exactly the walkers that crossed, before moving them back"),
    CodeErratum("001", "§4.3 code", "flip probability alpha dt", _linear_probability,
                "use 1 - exp(-alpha dt), or an event-driven sampler (exact)"),
    CodeErratum("001", "§4.3 code", "stored history", _history_memory,
                "record only the times that are analysed"),
]
