"""Checks of the finite-volume scheme of the 2D minimal Keller-Segel solver (:mod:`continuum.ks2d_minimal`).

The method under test is the keyword ``solver`` (default: ours), typed by the protocol
``ks2d_pde.solver`` of :mod:`verification.ks2d_pde.protocols`. Three checks:

* ``ks2d_pde.positivity_mass`` -- through an aggregation (a super-critical bump, M = 12 pi > 8 pi,
  parabolic-elliptic and parabolic-parabolic with eps = 0.01, no-flux and periodic), rho stays >= 0
  after every step (the derived step bound of the module docstring makes each Euler stage a
  non-negative combination of face values) and the mass h^2 sum rho is constant to round-off.
* ``ks2d_pde.space_order`` -- self-convergence on a smooth sub-critical solution: the L1 difference
  of the grid-n solution and the 2 x 2 block means of the grid-2n solution falls as h^2.
* ``ks2d_pde.time_order`` -- fixed steps (``dt_max``) on one grid, self-convergence in dt: the
  spatial error is the same on every run and cancels; the difference falls as dt^2.

Order criterion (both order checks): the measured value is the local order of the last pair of
differences, ``p_k = log2(d_k / d_{k+1})``. Where the solution is smooth the differences expand
as ``d = C s^2 (1 + D s + ...)`` (s = h or dt), so the local order approaches 2 with a gap that
halves at each halving of s; the gap left after the last pair is then at most the last change of
the local order, and at most the spread (max - min) of all local orders, which is the tolerance.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from continuum import ks2d_minimal as K
from continuum.ks2d_minimal import MinimalKS2DParams
from verification import stats
from verification.ks2d_pde.protocols import SOLVER, PDESolver
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite
from verification.testing import WrongModel

U = float(np.finfo(float).eps)

#: Worst-case rounding of the mass per step, in units of u = 2^-52 (see :func:`mass_tolerance`).
ROUNDINGS_PER_STEP = 16

#: The aggregating start: one bump of mass 12 pi (> 8 pi, [SIPF] §2.1) and width 0.4 on L = 4.
AGG_MASS, AGG_WIDTH, AGG_L, AGG_T = 12 * math.pi, 0.4, 4.0, 0.3
#: The aggregation runs go on until a 2 x 2 block holds 60 % of the mass (the default stop is 1/4; the
#: blow-up's point mass 8 pi carries 2/3 of M = 12 pi): a centred flux first goes negative past ~1/2
#: (measured at n = 64: none by 0.4, rho down to -22 and -86 by 0.5, -776 and -1021 by 0.7).
AGG_BLOWUP_FRACTION = 0.6
#: (label, eps, boundary, centre): the periodic bump straddles the corner (its images wrap).
AGG_CASES = (("parabolic-elliptic, no-flux", 0.0, "neumann", (0.3, -0.2)),
             ("parabolic-elliptic, periodic", 0.0, "periodic", (1.6, -1.5)),
             ("parabolic-parabolic eps = 0.01, no-flux", 0.01, "neumann", (-0.4, 0.25)),
             ("parabolic-parabolic eps = 0.01, periodic", 0.01, "periodic", (1.6, -1.5)))

#: The smooth start: two bumps of total mass 3.5 pi (< 8 pi: sub-critical) on L = 4.
SMOOTH = {"centres": ((-0.5, 0.3), (0.6, -0.4)), "masses": (2 * math.pi, 1.5 * math.pi), "widths": (0.5, 0.6)}
SMOOTH_L = 4.0
#: (label, eps, boundary) of the order checks.
ORDER_CASES = (("parabolic-elliptic, periodic", 0.0, "periodic"),
               ("parabolic-parabolic eps = 0.1, no-flux", 0.1, "neumann"))
#: The time-order cases: those, and eps = 1e-4 with dt >> eps (dt/eps = 1..16 quick), where the
#: second stage's c must follow the stage's rho for the step to stay second order.
TIME_CASES = (*ORDER_CASES, ("parabolic-parabolic eps = 1e-4 (dt >= eps), periodic", 1e-4, "periodic"))


def bumps(params: MinimalKS2DParams, centres, masses, widths) -> np.ndarray:
    """Exact cell averages of Gaussian bumps [mass/length^2]; on a periodic square with their images (wrapped).

    On a no-flux square this is :func:`continuum.ks2d_minimal.gaussian_bumps` (the part inside the box).
    """
    if params.boundary != "periodic":
        return K.gaussian_bumps(params, centres, masses, widths)
    edges = -params.L / 2 + np.arange(params.n + 1) * params.h
    rho = np.zeros((params.n, params.n))
    for (x0, y0), m, s in zip(centres, masses, widths, strict=True):
        # images at +-L carry what lies outside the box (the rest is below 1e-20 for s <= L/8)
        fx = sum(np.diff(ndtr((edges - x0 - a) / s)) for a in (-params.L, 0.0, params.L))
        fy = sum(np.diff(ndtr((edges - y0 - a) / s)) for a in (-params.L, 0.0, params.L))
        rho += m * np.outer(fx, fy)
    return rho / params.h**2


def restrict(rho: np.ndarray) -> np.ndarray:
    """Cell averages of a (2n, 2n) grid on the (n, n) grid of the same square: 2 x 2 block means."""
    n = rho.shape[0] // 2
    return rho.reshape(n, 2, n, 2).mean(axis=(1, 3))


def mass_tolerance(n_steps: int, n: int) -> float:
    """Worst-case relative rounding of the mass after ``n_steps`` steps on n x n cells [-].

    Per Heun step: two Euler stages each round every cell's value and its <= 4 face-flux terms
    (by the step rule the flux terms summed over cells are bounded by the mass), and the average
    rounds once more: <= 16 u per step summed over cells relative to the mass. Two pairwise sums
    of n^2 values (the masses compared) add 2 log2(n^2) u.
    """
    return U * (ROUNDINGS_PER_STEP * n_steps + 2 * math.log2(n * n))


def local_orders(diffs: np.ndarray) -> np.ndarray:
    """``log2(d_k / d_{k+1})`` of differences at successively halved steps."""
    d = np.asarray(diffs, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log2(d[:-1] / d[1:])


def order_part(label: str, what: str, diffs: np.ndarray) -> tuple[Part, dict]:
    """The order part of one case (module docstring: last local order vs 2, tolerance = spread)."""
    loc = local_orders(diffs)
    finite = loc[np.isfinite(loc)]
    last = float(loc[-1]) if loc.size else math.nan
    spread = float(finite.max() - finite.min()) if finite.size == loc.size and loc.size >= 2 else math.nan
    part = Part(f"{label}: local order of the last pair of {what}", last, 2.0, spread,
                "discretization: the differences expand as C s^2 (1 + D s + ...), so the local order's gap to 2 "
                "halves per halving of s and what is left after the last pair is <= the last change of the local "
                f"order <= the spread of the local orders {np.round(loc, 4).tolist()} (the tolerance)")
    try:
        fit, se = stats.fit_order(2.0 ** -np.arange(len(diffs)), np.asarray(diffs, float))
    except ValueError:
        fit, se = math.nan, math.nan
    return part, {"differences": np.asarray(diffs, float).tolist(), "local_orders": loc.tolist(),
                  "fitted_order_all_points": fit, "fitted_order_se": se}


def order_plot(curves: dict, xlabel: str, what: str):
    """Plot hook of an order check: L1 differences vs step per case ``{label: (steps, diffs)}``, with a slope-2 line."""

    def plot(fig):
        ax = fig.add_subplot(111)
        for label, (s, d) in curves.items():
            ax.loglog(s, d, "o-", label=label)
        s0, d0 = next(iter(curves.values()))
        ax.loglog(s0, d0[-1] * (s0 / s0[-1]) ** 2, "k--", lw=0.7, label="slope 2")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("L1 difference of rho / mass")
        ax.legend(fontsize=7)
        ax.set_title(f"2D minimal KS: self-convergence in {what}", fontsize=8)

    return plot


# ----------------------------------------------------------------------------- positivity and mass
@check("ks2d_pde.positivity_mass", source=cite("SIPF", "Eq. 1 (d = 2) and §2.1 (8 pi critical mass); "
                                                      "positivity bound derived in continuum.ks2d_minimal"),
       methods={"solver": "ks2d_pde.solver"}, unit="mass/length^2 (smallest rho)")
def positivity_mass(ctx: CheckContext, solver: PDESolver = SOLVER.default) -> CheckResult:
    """Through a super-critical aggregation (PE, PP eps = 0.01; no-flux, periodic): rho >= 0, mass to round-off."""
    n = ctx.pick(64, 128)
    times = np.linspace(0.0, AGG_T, 31)
    parts_min, parts_mass, details, curves = [], [], {"n": n, "L": AGG_L, "M0": AGG_MASS, "width": AGG_WIDTH,
                                                      "T": AGG_T, "mu": 1.0, "chi": 1.0}, {}
    for label, eps, boundary, centre in AGG_CASES:
        p = MinimalKS2DParams(mu=1.0, chi=1.0, eps=eps, k=0.0, L=AGG_L, n=n, boundary=boundary)
        rho0 = bumps(p, [centre], [AGG_MASS], [AGG_WIDTH])
        m0 = p.h**2 * float(rho0.sum())
        r = solver(p, rho0, times, blowup_fraction=AGG_BLOWUP_FRACTION)
        final = getattr(r, "final_rho", None)
        masses = np.asarray(r.mass, float)
        if final is not None:
            masses = np.append(masses, p.h**2 * float(np.sum(final)))
        drift = float(np.max(np.abs(masses / m0 - 1.0))) if masses.size else math.nan
        seen_min = min(float(r.min_rho), float(np.min(r.rho)) if np.size(r.rho) else math.inf)
        steps = int(getattr(r, "n_steps", 0)) or 1
        tol = mass_tolerance(steps, n)
        parts_min.append(Part(f"{label}: smallest rho after any step", seen_min, 0.0, 0.0,
                              "exact: the derived step bound dt (a/h + mu/h^2) <= 1/4 makes every Euler stage a "
                              "non-negative combination of face values in [0, 2 rho_i] plus inflows, and Heun's step "
                              "a convex combination of stages; no tolerance below 0 (the checked record's min_rho "
                              "is over every step)", relation=">="))
        parts_mass.append(Part(f"{label}: max_t |mass(t)/mass(0) - 1| over {steps} steps", drift, 0.0, tol,
                               f"round-off: worst case {ROUNDINGS_PER_STEP} u per step + 2 log2(n^2) u for the "
                               "two mass sums (u = 2^-52; see mass_tolerance)", relation="<="))
        peak = np.asarray(r.peak_fraction, float) if hasattr(r, "peak_fraction") else np.max(r.rho, axis=(1, 2))
        details[label] = {"eps": eps, "boundary": boundary, "centre": centre, "n_steps": steps,
                          "blew_up": bool(r.blew_up), "blowup_time": float(r.blowup_time),
                          "blowup_reason": getattr(r, "blowup_reason", ""), "min_rho": seen_min,
                          "mass_drift": drift, "mass_drift_over_steps_u": drift / (steps * U),
                          "mass_tolerance": tol, "peak_cell_fraction_start_end": [float(peak[0]), float(peak[-1])]}
        curves[label] = (np.asarray(r.times, float), np.abs(masses[: len(r.times)] / m0 - 1.0),
                         np.min(np.asarray(r.rho), axis=(1, 2)),
                         float(getattr(r, "final_time", r.times[-1])), seen_min)
    details["shrunk"] = "quick: n = 64 (full: n = 128)"

    def plot(fig):
        ax1, ax2 = fig.add_subplot(121), fig.add_subplot(122)
        for label, (t, dm, mn, t_end, low) in curves.items():
            ax1.semilogy(t, dm + 1e-18, ".-", label=label)
            line = ax2.plot(t, mn, ".-", label=label)[0]
            ax2.plot([t_end], [low], "x", color=line.get_color(), ms=8)
        ax1.set_xlabel("t")
        ax1.set_ylabel("|mass(t)/mass(0) - 1| (+1e-18)")
        ax2.axhline(0.0, color="k", lw=0.6)
        ax2.set_yscale("symlog", linthresh=1e-14)
        ax2.set_xlabel("t")
        ax2.set_ylabel("min rho: output times (.), over all steps (x)")
        ax1.legend(fontsize=6)
        ax1.set_title("2D minimal KS: mass and positivity through aggregation", fontsize=8)

    return ctx.result(parts_min + parts_mass, details, plot)


# ----------------------------------------------------------------------------- order in space
@check("ks2d_pde.space_order", source=cite("SIPF", "Eq. 1 (d = 2); second-order finite volumes (minmod, upwind) "
                                                  "per continuum.ks2d_minimal"),
       methods={"solver": "ks2d_pde.solver"}, unit="order (fitted exponent)")
def space_order(ctx: CheckContext, solver: PDESolver = SOLVER.default) -> CheckResult:
    """Self-convergence in h on a smooth sub-critical solution (periodic PE, no-flux PP): order 2 in L1."""
    ns = ctx.pick((16, 32, 64, 128), (16, 32, 64, 128, 256))
    T = 0.1
    parts, details, curves = [], {"grids": ns, "L": SMOOTH_L, "T": T, "start": SMOOTH, "mu": 1.0, "chi": 1.0,
                                  "norm": "L1 of rho relative to the mass; 2 x 2 block means restrict the finer grid",
                                  "shrunk": "quick: n = 16..128 (full: 16..256)"}, {}
    for label, eps, boundary in ORDER_CASES:
        sols, steps = {}, {}
        for n in ns:
            p = MinimalKS2DParams(mu=1.0, chi=1.0, eps=eps, k=0.0, L=SMOOTH_L, n=n, boundary=boundary)
            r = solver(p, bumps(p, **SMOOTH), [0.0, T])
            sols[n], steps[n] = (np.asarray(r.rho)[-1], np.asarray(r.c)[-1]), int(getattr(r, "n_steps", -1))
        mass = sum(SMOOTH["masses"])
        d1, dinf, dc = [], [], []
        for a, b in zip(ns[:-1], ns[1:], strict=True):
            diff = sols[a][0] - restrict(sols[b][0])
            d1.append((SMOOTH_L / a) ** 2 * float(np.abs(diff).sum()) / mass)
            dinf.append(float(np.abs(diff).max()))
            dc.append(float(np.abs(sols[a][1] - restrict(sols[b][1])).max()))
        part, info = order_part(label, "L1 differences of rho (grid n vs 2n)", np.array(d1))
        parts.append(part)
        info.update({"eps": eps, "boundary": boundary, "n_steps": steps, "max_differences_rho": dinf,
                     "local_orders_max_rho": local_orders(np.array(dinf)).tolist(), "max_differences_c": dc,
                     "note_c": "c at cell centres vs block means of the finer c: second order too (a centre value "
                               "and a cell mean differ by O(h^2))"})
        details[label] = info
        curves[label] = (np.array([SMOOTH_L / a for a in ns[:-1]]), np.array(d1))

    return ctx.result(parts, details, order_plot(curves, "h (grid n vs 2n)", "space"))


# ----------------------------------------------------------------------------- order in time
@check("ks2d_pde.time_order", source=cite("SIPF", "Eq. 1 (d = 2); Heun (SSP-RK2) with the exponential "
                                                 "integrator of the c equation per continuum.ks2d_minimal"),
       methods={"solver": "ks2d_pde.solver"}, unit="order (fitted exponent)")
def time_order(ctx: CheckContext, solver: PDESolver = SOLVER.default) -> CheckResult:
    """Self-convergence in dt with fixed steps on one grid (periodic PE, no-flux PP eps = 0.1): order 2."""
    n, steps_list = ctx.pick((32, (32, 64, 128, 256, 512)), (64, (128, 256, 512, 1024, 2048)))
    T = 0.05
    parts, details, curves = [], {"n": n, "L": SMOOTH_L, "T": T, "steps": steps_list, "start": SMOOTH,
                                  "mu": 1.0, "chi": 1.0,
                                  "norm": "L1 of rho relative to the mass (one grid: the spatial error cancels)",
                                  "regime": "eps = 0.1 keeps dt/eps <= 0.016; eps = 1e-4 has dt/eps >= 1, where a "
                                            "stage c built from rho^n alone is first order (c_stage='rho_n')",
                                  "shrunk": "quick: n = 32, T/dt = 32..512 (full: n = 64, T/dt = 128..2048; the "
                                            "step rule needs T/dt >= 20 at n = 32, >= 70 at n = 64)"}, {}
    for label, eps, boundary in TIME_CASES:
        p = MinimalKS2DParams(mu=1.0, chi=1.0, eps=eps, k=0.0, L=SMOOTH_L, n=n, boundary=boundary)
        rho0 = bumps(p, **SMOOTH)
        sols, taken = {}, {}
        for N in steps_list:
            r = solver(p, rho0, [0.0, T], dt_max=T / N)
            sols[N], taken[N] = (np.asarray(r.rho)[-1], np.asarray(r.c)[-1]), int(getattr(r, "n_steps", -1))
        mass = sum(SMOOTH["masses"])
        d1 = np.array([p.h**2 * float(np.abs(sols[a][0] - sols[b][0]).sum()) / mass
                       for a, b in zip(steps_list[:-1], steps_list[1:], strict=True)])
        dc = [float(np.abs(sols[a][1] - sols[b][1]).max()) for a, b in zip(steps_list[:-1], steps_list[1:],
                                                                             strict=True)]
        part, info = order_part(label, "L1 differences of rho (dt vs dt/2)", d1)
        if eps > 0 and T / steps_list[0] > eps:  # a ladder from dt >> eps down to dt ~ eps: a different rule
            loc = local_orders(d1)
            worst = float(loc[np.argmax(np.abs(loc - 2.0))])
            part = Part(f"{label}: local order farthest from 2 over dt/eps = {T / steps_list[0] / eps:.3g}.."
                        f"{T / steps_list[-1] / eps:.3g}", worst, 2.0, 0.5,
                        "discretization, order class: across dt >= eps the error constant depends on dt/eps, so "
                        "the local orders are not an asymptotic sequence and their spread bounds nothing; every "
                        "local order must lie nearer 2 than 1 or 3 (a stage c from rho^n alone gives 1.0) "
                        f"(local orders {np.round(loc, 4).tolist()})")
        parts.append(part)
        info.update({"eps": eps, "boundary": boundary, "steps_taken": taken,
                     "fixed_steps_ok": all(N <= taken[N] <= N + 1 for N in steps_list), "max_differences_c": dc,
                     "local_orders_max_c": local_orders(np.array(dc)).tolist(),
                     "fixed_steps": "steps taken = T/dt (+1 where the float sum of the steps falls short of T "
                                    "by more than 1e-14 T: a tiny last step)"})
        details[label] = info
        curves[label] = (np.array([T / N for N in steps_list[:-1]]), d1)

    return ctx.result(parts, details, order_plot(curves, "dt (dt vs dt/2)", "time"))


# ----------------------------------------------------------------------------- wrong models
def central_flux_solver(params, rho0, times, c0=None, *, dt_max: float = math.inf, **kw):
    """The solver with the centred chemotactic face value (rho_i + rho_{i+1})/2: not upwinded."""
    return K.run(params, rho0, times, c0, dt_max=dt_max, reconstruction="central", **kw)


def doubled_step_solver(params, rho0, times, c0=None, *, dt_max: float = math.inf, **kw):
    """The solver with every step twice the rule's (theta = 1.6 > 1): beyond the positivity bound."""
    return K.run(params, rho0, times, c0, dt_max=dt_max, step_factor=2.0, **kw)


def first_order_upwind_solver(params, rho0, times, c0=None, *, dt_max: float = math.inf, **kw):
    """The solver without reconstruction: upwind cell values as face values (first order in space)."""
    return K.run(params, rho0, times, c0, dt_max=dt_max, reconstruction="none", **kw)


def forward_euler_solver(params, rho0, times, c0=None, *, dt_max: float = math.inf, **kw):
    """The solver with one forward-Euler stage per step (first order in time)."""
    return K.run(params, rho0, times, c0, dt_max=dt_max, stepper="euler", **kw)


def stage_from_rho_n_solver(params, rho0, times, c0=None, *, dt_max: float = math.inf, **kw):
    """The solver whose second stage builds c from rho^n alone (first order in time once dt >> eps)."""
    return K.run(params, rho0, times, c0, dt_max=dt_max, c_stage="rho_n", **kw)


#: Deliberately wrong methods for the checks of this module (collected by wrong_models).
WRONG_MODELS: list[WrongModel] = [
    WrongModel("ks2d_pde.positivity_mass", {"solver": central_flux_solver},
               "centred (non-upwind) chemotactic flux: negative rho once the cell Peclet number exceeds 2"),
    WrongModel("ks2d_pde.positivity_mass", {"solver": doubled_step_solver},
               "steps twice the positivity bound's (theta 0.8 x 2 = 1.6 > 1)"),
    WrongModel("ks2d_pde.space_order", {"solver": first_order_upwind_solver},
               "no reconstruction (first-order upwind face values): order 1 in space"),
    WrongModel("ks2d_pde.time_order", {"solver": forward_euler_solver},
               "forward Euler instead of Heun: order 1 in time"),
    WrongModel("ks2d_pde.time_order", {"solver": stage_from_rho_n_solver},
               "second stage's c from rho^n alone: order 1 in time at eps = 1e-4 (dt >> eps)"),
]
