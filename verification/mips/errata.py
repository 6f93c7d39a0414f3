"""Errata for [MIPS] §4.3-6 (MIPS): stated formulas vs derivations, and defects of the §5.3 code and plots.

The §4.2 D_eff(g) and §5.1 f'(g) rows start from the Schnitzer flux of :mod:`verification.rt1d.derivation`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np
import sympy as sp

from continuum import cahn_hilliard as ch
from verification.errata import CodeErratum, FormulaErratum, NumericErratum
from verification.mips import derivation as dm
from verification.mips.cases import SEED, SEED_DT, SEED_G0, SEED_NOISE, SEED_PEAKS, SEED_STEPS, SEED_T, tanh_width
from verification.rt1d import derivation as rt

g, v0, g_star, alpha, d = dm.g, dm.v0, dm.g_star, dm.alpha, dm.d
V = dm.V
x, v0_rt = rt.x, rt.v0
vg = sp.Function("v")  # v as a function of density ([MIPS] §4)
gs, gstar = sp.symbols("g g_star", positive=True)


def _mips_D() -> sp.Expr:
    # Flux of the Schnitzer FPE with v = v(g(x)), alpha = 1 ([MIPS] §4.2): J = -A d_x(v g).
    gx = sp.Function("gfield")(x)
    flux = -(vg(gx) / 1) * sp.diff(vg(gx) * gx, x)
    return sp.simplify(-flux / sp.diff(gx, x)).subs(gx, gs)


def _mips_fprime_derived() -> sp.Expr:
    vlin = v0_rt * (1 - gs / gstar)
    D = _mips_D().subs(vg(gs), vlin).doit()
    return sp.integrate(sp.expand(D), (gs, 0, gs))


def _lin(expr: sp.Expr) -> sp.Expr:
    return sp.simplify(expr.subs(V(g), dm.v_linear(g)).doit())


FORMULAS: list[FormulaErratum] = [
    FormulaErratum(
        "000", "§4.2", "D_eff(g) with alpha = 1",
        lambda: (vg(gs) ** 2 + gs * vg(gs) * sp.diff(vg(gs), gs)),
        _mips_D, "anti-diffusion where d(g v)/dg < 0", key="mips.D_eff_g"),
    FormulaErratum(
        "000", "§5.1", "f'(g) for v = v0 (1 - g/g*), claimed f'' ∝ D_eff",
        lambda: v0_rt**2 * (gs - 3 * gs**2 / (2 * gstar) + 2 * gs**3 / (3 * gstar**2)),
        _mips_fprime_derived, "f'' = D_eff exactly (proportionality constant 1, f'(0) = 0)",
        key="mips.f_prime_cubic"),
    FormulaErratum(
        "000", "§4.3", "D_eff(g) = v(g) d(g v)/dg (instability iff d(gv)/dg < 0 for v > 0)",
        lambda: V(g) * sp.diff(g * V(g), g), lambda: dm.mips().D1.subs(alpha, 1),
        "correct for alpha = 1 (1D, reversal probability 1/2)", key="mips.instability_criterion"),
    FormulaErratum(
        "000", "§6.1", "mobility M(g) = g v(g)^2 (1D, alpha = 1 as set in §4.2)",
        lambda: g * V(g) ** 2, lambda: dm.mips().M.subs({d: 1, alpha: 1}),
        "correct in 1D with alpha = 1; in general M = g v²/(d alpha): 2D isotropic tumbles need alpha = 1/2 "
        "for the stated form (measured: mips.free_energy_symbolic with alpha = 2)", key="mips.mobility"),
    FormulaErratum(
        "000", "§6.1", "mu_eff'(g) from mu_eff = log g + log v(g), times M(g), vs D_eff (v linear)",
        lambda: _lin(g * V(g) ** 2 * sp.diff(sp.log(g) + sp.log(V(g)), g)),
        lambda: _lin(dm.mips().D1.subs(alpha, 1)), "correct: the gradient-flow form reproduces the flux",
        key="mips.gradient_flow_flux"),
    FormulaErratum(
        "000", "§6.2", "d/dg of the F_eff density g log g - g + int_0^g log v(s) ds (v linear)",
        lambda: sp.log(g) + sp.log(dm.v_linear(g)), lambda: sp.diff(dm.mips().phi, g),
        "correct; note the density is finite only for g <= g* (log v undefined beyond)", key="mips.feff_density"),
]



# -- the remaining displays of §4.2, §5.2 and §6.3 ----------------------------------------------
_gf = sp.Function("gfield")(x)  # a density profile g(x) ([MIPS] §4.2: v = v(g(x)), alpha = 1), as in dm.density_flux


def _flux_of_density() -> sp.Expr:
    return dm.density_flux().flux


def _five_point_symbol() -> sp.Expr:
    """Symbol of the printed five-point stencil applied to exp(i (kx x + ky y)), dx = dy = h."""
    kx, ky, h = sp.symbols("k_x k_y h", positive=True)
    ex, ey = sp.exp(sp.I * kx * h), sp.exp(sp.I * ky * h)
    return sp.simplify(((ex + 1 / ex + ey + 1 / ey - 4) / h**2).rewrite(sp.cos))


def _gradient_flow_rhs() -> sp.Expr:
    """d_x[M d_x mu_eff] with the printed M = g v^2 and mu_eff = log g + log v(g), g = g(x)."""
    mob = _gf * vg(_gf) ** 2
    mu = sp.log(_gf) + sp.log(vg(_gf))
    return sp.expand(sp.diff(mob * sp.diff(mu, x), x))


FORMULAS += [
    FormulaErratum(
        "000", "§4.2", "flux J = -v(g) d_x[g v(g)] (alpha = 1)",
        lambda: -vg(_gf) * sp.diff(_gf * vg(_gf), x), _flux_of_density,
        "the §2.2 flux with v = v(g(x)) and alpha = 1", key="mips.flux_vg"),
    FormulaErratum(
        "000", "§4.2 (chain rule)", "J = -v(g) [v(g) d_x g + g v'(g) d_x g]",
        lambda: sp.expand(-vg(_gf) * (vg(_gf) * sp.diff(_gf, x)
                                      + _gf * sp.Subs(sp.diff(vg(gs), gs), gs, _gf) * sp.diff(_gf, x)).doit()),
        _flux_of_density, "correct", key="mips.flux_chain_rule"),
    FormulaErratum(
        "000", "§4.2", "J = -[v(g)^2 + g v(g) v'(g)] d_x g",
        lambda: sp.expand((-(vg(gs) ** 2 + gs * vg(gs) * sp.diff(vg(gs), gs))).subs(gs, _gf).doit()
                          * sp.diff(_gf, x)),
        _flux_of_density, "correct (Fick-like with D_eff(g))", key="mips.flux_collected"),
    FormulaErratum(
        "000", "§5.2", "five-point stencil as the Laplacian (symbol vs -(kx^2 + ky^2))",
        _five_point_symbol, lambda: -(sp.Symbol("k_x", positive=True) ** 2 + sp.Symbol("k_y", positive=True) ** 2),
        "second order: the symbol is -(4/h^2)(sin^2(kx h/2) + sin^2(ky h/2)) = -|k|^2 + O(h^2 |k|^4) "
        "(spatial order measured: benchmark bench_mips.MipsOrders.track_five_point_spatial)",
        approximation=True, key="mips.five_point_symbol"),
    FormulaErratum(
        "000", "§6.3", "d_t g = d_x[M(g) d_x (dF_eff/dg)] with M = g v^2, mu_eff = log g + log v",
        _gradient_flow_rhs, lambda: sp.expand(-sp.diff(_flux_of_density(), x)),
        "correct: the same PDE as §4.2 (-d_x J with alpha = 1)", key="mips.gradient_flow_pde"),
    FormulaErratum(
        "000", "§6.3", "dF_eff/dt integrand after integrating by parts (periodic)",
        lambda: -dm.density_flux().M * sp.diff(dm.density_flux().mu, x) ** 2, lambda: dm.density_flux().dissipation,
        "correct: dF_eff/dt = int mu d_t g = -int M (d_x mu)^2 <= 0 for M >= 0 (measured: mips.lyapunov_feff)",
        key="mips.dissipation_identity"),
]


# -- §5.3 code and plots, §6.3 ---------------------------------------------------------------------
def _interface_unresolved(as_stated: bool) -> tuple[bool, str]:
    """Flat-interface width xi against dx: the seed's grid (N = 128) or N = 512 (fix), kappa = 1e-4."""
    p = SEED if as_stated else ch.CahnHilliardParams(n=512)
    xi = tanh_width(p)
    return xi / p.dx < 2, (f"N = {p.n}: flat-interface width xi = sqrt(2 kappa/c)/u0 = {xi:.4f} vs dx = {p.dx:.4f} "
                           f"(xi/dx = {xi / p.dx:.2f}, 10-90% width {2 * xi * math.atanh(0.8) / p.dx:.2f} dx; "
                           "resolved needs xi/dx >= 2)")


@cache
def _seed_run_peaks() -> tuple[np.ndarray, np.ndarray, float]:
    """Gas and liquid histogram peaks (100 bins, as the seed) of the seed run at t = 20, three noise seeds."""
    p = SEED
    gas, liquid, widths = [], [], []
    for seed in (1, 2, 3):
        gfin = ch.advance_explicit(ch.initial_field(p, SEED_G0, SEED_NOISE, seed), p, SEED_DT, SEED_STEPS)
        h, e = np.histogram(gfin, bins=100)
        cc = 0.5 * (e[1:] + e[:-1])
        gas.append(float(cc[np.argmax(np.where(cc < SEED_G0, h, -1))]))
        liquid.append(float(cc[np.argmax(np.where(cc > 1.5, h, -1))]))
        widths.append(float(e[1] - e[0]))
    return np.array(gas), np.array(liquid), max(widths)


def _peak(which: int, rounding: float) -> tuple[float, float, str]:
    gas, liquid, width = _seed_run_peaks()
    vals = (gas, liquid)[which]
    se = float(vals.std(ddof=1) / math.sqrt(vals.size))
    bar = width / 2 + 2 * se + rounding
    return float(vals.mean()), bar, (
        f"seed run (128², dt = 0.0025, 8000 steps), peaks of 3 noise seeds {', '.join(f'{q:.3f}' for q in vals)}; "
        f"error bar = half a bin ({width / 2:.3f}) + 2 SE over seeds ({2 * se:.3f}) + half the stated last digit "
        f"({rounding:g})")


NUMBERS: list[NumericErratum] = [
    NumericErratum("000", "§5.3 histogram (t = 20)", "gas peak density ~0.7", SEED_PEAKS[0],
                   lambda: _peak(0, 0.05), "the gas side agrees", key="mips.seed_gas_peak"),
    NumericErratum("000", "§5.3 histogram (t = 20)", "liquid peak density ~2.25", SEED_PEAKS[1],
                   lambda: _peak(1, 0.005),
                   "the seed run's liquid peak is lower (interface not resolved, coarsening not finished); the flat "
                   "binodal of the CH f is 2.366 (measured: mips.seed_histogram, mips.binodal)",
                   key="mips.seed_liquid_peak"),
]


def _lower_hull_segment(q: np.ndarray, phi: np.ndarray) -> tuple[float, float]:
    """Ends of the longest edge of the lower convex hull of (q, phi) (the common tangent, if any)."""
    hull: list[int] = []
    for i in range(q.size):
        while len(hull) >= 2:
            i0, i1 = hull[-2], hull[-1]
            if (q[i1] - q[i0]) * (phi[i] - phi[i0]) - (phi[i1] - phi[i0]) * (q[i] - q[i0]) <= 0:
                hull.pop()
            else:
                break
        hull.append(i)
    edges = np.diff(q[hull])
    j = int(np.argmax(edges))
    return float(q[hull[j]]), float(q[hull[j + 1]])


def _negative_speed(as_stated: bool) -> tuple[bool, str]:
    """Speed v = v0 (1 - g/g*) at the dense coexisting density: the CH f of §5.1 (as stated) or F_eff of §6.2."""
    p = SEED
    if as_stated:
        lo, hi = ch.binodal_of_f(p)
        model = f"CH bulk f of §5.1 (f'' = D_eff continued past g*): coexisting densities {lo:.3f}, {hi:.3f}"
    else:
        q = np.linspace(1e-4, p.g_star * (1 - 1e-12), 40001)
        lo, hi = _lower_hull_segment(q, dm.numeric().phi(q, p.v0, p.g_star))
        model = f"F_eff bulk density of §6.2 (lower convex hull on (0, g*]): tangent from {lo:.3f} to {hi:.4f}"
    speed = p.v0 * (1 - hi / p.g_star)
    return speed < -1e-9, f"{model}; v at the dense density = {speed:.3f} ({'< 0' if speed < -1e-9 else '>= 0'})"


def _frame_times(as_stated: bool) -> tuple[bool, str]:
    """Times held by the stored frames vs the plot labels t = k/(len - 1) T ([MIPS] §5.3, Nt = 8000, T = 20).

    Replays the seed's loop with the time as the only state: as stated, a frame is appended after
    the update of step n whenever n % (Nt // 100) == 0 (so after 1, 81, 161, ... steps) and the
    labels are k/(len - 1) T; the fix stores the start and every 80 completed steps, labelled
    k * 80 dt. Defect: a label off by more than dt/2 or the final state t = T not stored.
    """
    nt, dt, every = SEED_STEPS, SEED_DT, SEED_STEPS // 100
    stored = [] if as_stated else [0.0]
    for n in range(nt):
        t = (n + 1) * dt
        if (n if as_stated else n + 1) % every == 0:
            stored.append(t)
    stored = np.array(stored)
    labels = (np.arange(stored.size) / (stored.size - 1) * SEED_T if as_stated
              else np.arange(stored.size) * every * dt)
    err = np.abs(stored - labels)
    shown = [k for k in (0, 10, 30, 99) if k < stored.size]
    present = bool(err.max() > dt / 2 or abs(stored[-1] - SEED_T) > dt / 2)
    how = ("appended after the update of steps n = 0, 80, ..., 7920" if as_stated
           else "start plus every 80 completed steps")
    return present, (f"{stored.size} frames {how}; histogram frames {shown}: labels "
                     f"{', '.join(f'{labels[k]:.2f}' for k in shown)} vs held "
                     f"{', '.join(f'{stored[k]:.4f}' for k in shown)}; last frame t = {stored[-1]:.4f} "
                     f"(T = {SEED_T:g})")


def _phi_numeric(q: np.ndarray, speed: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """F_eff bulk density g log g - g + int_0^g log v(s) ds, the integral by the trapezoid rule on ``q``."""
    from scipy.integrate import cumulative_trapezoid

    lv = np.log(speed(q))
    integral = cumulative_trapezoid(lv, q, initial=0.0) + q[0] * lv[0]
    return q * np.log(q) - q + integral


def _no_feff_tangent(as_stated: bool) -> tuple[bool, str]:
    """Is there an interior common tangent (a finite-density liquid) of F_eff? v linear (as stated) or not.

    The fix is a speed law, positive everywhere, for which g v(g) rises again at high density,
    v = v0 (exp(-4 g/g*) + 0.05); the lower convex hull of the bulk density is computed on a grid for both.
    """
    p = SEED
    if as_stated:
        q = np.linspace(1e-4, p.g_star * (1 - 1e-12), 40001)
        phi = dm.numeric().phi(q, p.v0, p.g_star)
        law = "v = v0 (1 - g/g*), g in (0, g*)"
    else:
        q = np.linspace(1e-4, 3 * p.g_star, 40001)
        phi = _phi_numeric(q, lambda s: p.v0 * (np.exp(-2.0 * s / (p.g_star / 2)) + 0.05))
        law = "v = v0 (exp(-4 g/g*) + 0.05) > 0, g in (0, 3 g*)"
    lo, hi = _lower_hull_segment(q, phi)
    at_end = hi >= q[-1] - 1e-9 * q[-1]
    return bool(at_end), (f"{law}: lower convex hull of g log g - g + int_0^g log v has its tangent from "
                          f"g = {lo:.4f} to g = {hi:.4f}" + (" -- the end of the range (jammed, v = 0): no interior "
                                                             "liquid minimum" if at_end else ": an interior liquid"))


def _unseeded(as_stated: bool) -> tuple[bool, str]:
    """Two runs of the seed's start (g0 + 0.05 (U - 1/2)) and 100 of its steps: unseeded (as stated) or seeded.

    As stated each run draws from a fresh unseeded generator (a new process running ``np.random.rand``);
    the fix draws from ``np.random.default_rng(seed)``.
    """
    p = SEED
    finals = []
    for _ in range(2):
        rng = np.random.RandomState() if as_stated else np.random.default_rng(11)
        g0 = SEED_G0 + 2 * SEED_NOISE * (rng.random((p.n, p.n)) - 0.5)
        finals.append(ch.advance_explicit(g0, p, SEED_DT, 100))
    diff = float(np.max(np.abs(finals[0] - finals[1])))
    how = "unseeded np.random (fresh entropy per run)" if as_stated else "np.random.default_rng(11) in each run"
    return diff > 0, f"{how}: two runs of 100 steps differ by max |g1 - g2| = {diff:.3g}"


CODE: list[CodeErratum] = [
    CodeErratum("000", "§5.3 parameters", "grid vs interface width", _interface_unresolved,
                "kappa >= ~1e-3 on 128² (xi/dx >= 1.6) or N >= 512 at kappa = 1e-4; check xi/dx >= 2-4",
                key="mips.seed_interface_unresolved"),
    CodeErratum("000", "§5.1/§5.3", "liquid density beyond g* (v < 0)", _negative_speed,
                "use the F_eff / walker model for densities near g*, or a v(g) > 0 on the whole range",
                key="mips.ch_liquid_beyond_g_star"),
    CodeErratum("000", "§5.3 plotting code", "snapshot time labels", _frame_times,
                "store the start and a frame after every Nt // 100 completed steps, label frame k with "
                "t = k * (Nt // 100) * dt", key="mips.seed_frame_times"),
    CodeErratum("000", "§6.2-6.3 (claim)", "phase-separated minimum of F_eff for v = v0(1 - g/g*)", _no_feff_tangent,
                "state that the dense phase is at g* (jammed) or use a v(g) with g v(g) increasing again",
                key="mips.feff_no_interior_tangent"),
    CodeErratum("000", "§5.3 code", "random seed", _unseeded, "seed a np.random.Generator",
                key="mips.seed_unseeded_noise"),
]
