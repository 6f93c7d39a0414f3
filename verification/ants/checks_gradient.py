"""The quasi-static gradient-flow form of the ants model ([ANTS] Eqs. 5-9), checked on the PDE solver.

With c slaved to rho (c_t = 0 in Eq. 2), Eqs. (5)-(8) write Eq. (1) as the gradient flow
rho_t = div(rho grad mu), mu = delta E / delta rho = D0 rho - chi0 c[rho], of the energy
E[rho] = (D0/2) int rho^2 - (chi0/2) int rho c[rho], and Eq. (9) gives dE/dt = -int rho |grad mu|^2.
The derivation (:func:`verification.ants.derivation.quasi_static`) fixes the screening of the
Green function, kappa^2 = g0/nu0 (the seed writes f0/nu0), and E = (D0/a) min_c W with W of Eq. (18).

The quasi-static limit is reached through the solver protocol itself: scaling f0, nu0 and g0 by
the same large factor lambda leaves W, the quasi-static field c[rho] and E unchanged, and makes c
relax lambda times faster, so c - c[rho] = O(1/lambda). ``ants.lyapunov`` checks the full Eq. (17)
identity of W with a dynamic c; this check covers what Eqs. (5)-(9) add: the screening kappa,
the link E = (D0/a) W(rho, c[rho]), the variational derivative delta E / delta rho, and Eq. (9)
measured along a run (time differences of the solver's own W record).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded
from scipy.special import j0, jn_zeros

from continuum.disc import DiscParams, RadialGrid
from verification.ants.cases import J11, PAPER, RHO_C, pars
from verification.ants.derivation import numeric_quasi_static
from verification.ants.protocols import FUNCTIONAL, SOLVER, Functional, Solver
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite

EPS = float(np.finfo(float).eps)
#: f0 of the runs (above f0* = 3.92: the J0 mode grows, so E falls by a finite amount).
F0_RUN = 4.5
#: Times [model time] at which Eq. (9) is compared (growth, saturation, approach to the steady state).
CHECKPOINTS = (0.05, 0.2, 0.5, 1.0)


def stiff(p: DiscParams, lam: float) -> DiscParams:
    """f0, nu0, g0 scaled by ``lam``: same W, c[rho] and E; c relaxes ``lam`` times faster."""
    return p.replace(f0=lam * p.f0, nu0=lam * p.nu0, g0=lam * p.g0)


def kappa2(p: DiscParams) -> float:
    """Derived screening kappa^2 of the Green function of Eq. (6) [1/length^2]."""
    return float(numeric_quasi_static().kappa2(*pars(p)))


def energy_ratio(p: DiscParams) -> float:
    """Derived E / min_c W = D0 / a (Eq. 8 over Eq. 18 at the quasi-static c)."""
    return float(numeric_quasi_static().energy_ratio(*pars(p)))


def laplacian(grid: RadialGrid, f: np.ndarray) -> np.ndarray:
    """Finite-volume Laplacian (1/V_i) sum_faces A_f (f_j - f_i) with no flux at r = l."""
    out = np.zeros_like(f)
    flux = grid.faces * np.diff(f)
    out[:-1] += flux
    out[1:] -= flux
    return out / grid.volumes


def quasi_static_c(p: DiscParams, grid: RadialGrid, rho: np.ndarray) -> np.ndarray:
    """c[rho] of Eq. (5) on the grid: (kappa^2 - L) c = (f0/nu0) rho with the derived kappa^2."""
    V, Af = grid.volumes, grid.faces
    diag = V * kappa2(p)
    diag[:-1] += Af
    diag[1:] += Af
    banded = np.zeros((3, grid.n))
    banded[0, 1:], banded[1], banded[2, :-1] = -Af, diag, -Af
    return solve_banded((1, 1), banded, p.f0 / p.nu0 * V * rho)


def chemical_potential(p: DiscParams, grid: RadialGrid, rho: np.ndarray) -> np.ndarray:
    """The chemical potential mu = D0 rho - chi0 c[rho], the derived delta E / delta rho of Eq. (7)."""
    return p.D0 * rho - p.chi0 * quasi_static_c(p, grid, rho)


def energy_eq8(p: DiscParams, grid: RadialGrid, rho: np.ndarray) -> float:
    """E of Eq. (8) on the grid: (D0/2) sum V rho^2 - (chi0/2) sum V rho c[rho]."""
    c = quasi_static_c(p, grid, rho)
    return float(np.sum(grid.volumes * (0.5 * p.D0 * rho**2 - 0.5 * p.chi0 * rho * c)))


def dissipation_eq9(p: DiscParams, grid: RadialGrid, rho: np.ndarray) -> float:
    """The dissipation int rho |grad mu|^2 dV on the grid (face mobility: rho of the cell the flux -grad mu leaves)."""
    mu = chemical_potential(p, grid, rho)
    mob = np.maximum(np.where(mu[:-1] > mu[1:], rho[:-1], rho[1:]), 0.0)
    return float(np.sum(grid.faces * mob * np.diff(mu) ** 2))


def _roundoff(p: DiscParams, grid: RadialGrid, rho: np.ndarray, c: np.ndarray) -> float:
    """Round-off allowance of one W evaluation: 64 eps times the sum of |terms|."""
    cp = p.chi0 / p.D0 * c
    terms = np.sum(grid.volumes * (p.a * (0.5 * rho**2 + np.abs(rho * cp)) + p.g0 / (2 * p.nu0) * cp**2))
    return 64 * EPS * float(terms + 0.5 * np.sum(grid.faces * np.diff(cp) ** 2))


def initial_rho(grid: RadialGrid) -> np.ndarray:
    """rho_c + 0.6 J0(j11 r/l) + 0.2 J0(j12 r/l) (> 0): the J0 mode grows at f0 = 4.5."""
    return RHO_C + 0.6 * j0(J11 * grid.r / grid.radius) + 0.2 * j0(jn_zeros(1, 2)[1] * grid.r / grid.radius)


def eq9_run(solver: Solver, p: DiscParams, n_cells: int, dt: float, lam: float) -> dict:
    """One stiff run: Eq. (9) residuals at the checkpoints, the W record, and the final state.

    At each checkpoint t_n the solver's W before and after two steps gives
    dE/dt ~ (D0/a)(W_{n+1} - W_{n-1}) / (2 dt) at the middle state, compared with
    -int rho |grad mu|^2 evaluated there; the relative residual is (dE/dt + D9) / D9.
    """
    ps = stiff(p, lam)
    s = solver(ps, n_cells)
    grid = s.grid
    ratio = energy_ratio(p)
    rho = initial_rho(grid)
    c = quasi_static_c(p, grid, rho)
    W_steps, residuals, rates, diss = [], [], [], []
    t = 0.0
    for t_chk in CHECKPOINTS:
        n_before = max(round((t_chk - t) / dt) - 1, 1)
        rho, c, Ws = s.run(rho, c, dt, n_before, W_every=1)
        W_steps.append(Ws)
        W_prev = float(Ws[-1])  # n_before >= 1: the checkpoints are many steps apart
        rho_mid, c_mid, W_mid = s.run(rho, c, dt, 1, W_every=1)
        rho_next, c_next, W_next = s.run(rho_mid, c_mid, dt, 1, W_every=1)
        W_steps.extend([W_mid, W_next])
        rate = ratio * (float(W_next[0]) - W_prev) / (2 * dt)
        D9 = dissipation_eq9(p, grid, rho_mid)
        rates.append(rate)
        diss.append(D9)
        residuals.append((rate + D9) / D9)
        rho, c = rho_next, c_next
        t = t_chk + dt
    rho_end, c_end, W_tail = s.run(rho, c, dt, round(1.0 / dt), W_every=1)
    W_steps.append(W_tail)
    return {"grid": grid, "residuals": np.array(residuals), "rates": np.array(rates), "D9": np.array(diss),
            "W": np.concatenate(W_steps), "rho_end": rho_end, "c_end": c_end, "rho_mid_last": rho_mid}


def fitted_kappa2(p: DiscParams, grid: RadialGrid, rho: np.ndarray, c: np.ndarray) -> float:
    """kappa^2 that best explains c = (f0/nu0)(kappa^2 - L)^-1 rho (least squares, volume weights)."""
    V = grid.volumes
    return float(np.sum(V * c * (p.f0 / p.nu0 * rho + laplacian(grid, c))) / np.sum(V * c * c))


@check("ants.gradient_flow_dissipation", source=cite("ANTS", "Eqs. (5)-(9) (quasi-static gradient flow)"),
       methods={"solver": "ants.solver", "functional": "ants.functional"}, unit="1/length^2 (kappa^2)")
def gradient_flow_dissipation(ctx: CheckContext, solver: Solver = SOLVER.default,
                              functional: Functional = FUNCTIONAL.default) -> CheckResult:
    """Quasi-static limit: kappa^2 = g0/nu0, E = (D0/a) W, delta E/delta rho = mu, dE/dt = -int rho|grad mu|^2."""
    p = PAPER.replace(f0=F0_RUN)
    n_cells = ctx.pick(100, 200)
    dt, lam = ctx.pick(1e-3, 5e-4), 1e4
    # the finest run is compared; the others give the error bar (first order in dt and 1/lambda)
    runs = {"base": eq9_run(solver, p, n_cells, dt / 2, lam),
            "dt": eq9_run(solver, p, n_cells, dt, lam),
            "grid": eq9_run(solver, p, n_cells // 2, dt / 2, lam),
            "lambda": eq9_run(solver, p, n_cells, dt / 2, lam / 10)}
    base = runs["base"]
    grid = base["grid"]
    ratio = energy_ratio(p)
    parts = []
    # (1) screening of Eq. (6): the solver's slaved c at the (near-)steady end state
    k2 = {name: fitted_kappa2(p, r["grid"], r["rho_end"], r["c_end"]) for name, r in runs.items()}
    k2_err = sum(abs(k2[name] - k2["base"]) for name in ("dt", "grid", "lambda"))
    k2_round = 1e3 * EPS * p.f0 / p.nu0 * float(np.max(base["rho_end"]) / np.min(base["c_end"]))
    parts.append(Part("kappa^2 fitted to the solver's quasi-static c vs the derived g0/nu0", k2["base"], kappa2(p),
                      3 * k2_err + k2_round,
                      "3 x (|change| under dt x 2 + cells / 2 + lambda / 10) + round-off; "
                      f"the seed's Eq. (6) kappa^2 = f0/nu0 = {p.f0 / p.nu0:g}"))
    # (2) Eq. (8) and Eq. (18): E[rho] = (D0/a) W(rho, c[rho]) with the functional under test
    rho_t = base["rho_mid_last"]
    c_t = quasi_static_c(p, grid, rho_t)
    E8 = energy_eq8(p, grid, rho_t)
    E18 = ratio * functional(p, grid, rho_t, c_t)
    # the linear solve for c[rho] is exact up to its round-off: one refinement step measures it
    resid = p.f0 / p.nu0 * rho_t - (kappa2(p) * c_t - laplacian(grid, c_t))
    c_ref = c_t + quasi_static_c(p, grid, resid * p.nu0 / p.f0)
    solve_err = 0.5 * p.chi0 * abs(float(np.sum(grid.volumes * rho_t * (c_ref - c_t))))
    tol_E = 2 * ratio * _roundoff(p, grid, rho_t, c_t) + 3 * solve_err + 64 * EPS * float(
        np.sum(grid.volumes * (0.5 * p.D0 * rho_t**2 + 0.5 * p.chi0 * np.abs(rho_t * c_t))))
    parts.append(Part("Eq. (8) E[rho] vs (D0/a) W(rho, c[rho]) of Eq. (18) (functional under test)", E18, E8, tol_E,
                      "round-off: 64 eps sum|terms| of both sides + 3 x the change of Eq. (8) under one "
                      "refinement step of the solve for c[rho]; the identity is exact on the grid"))
    # (3) Eq. (7): numerical gradient of rho -> (D0/a) W(rho, c[rho]) per unit volume vs mu = D0 rho - chi0 c
    h = 1e-3
    grad = np.empty(grid.n)
    for i in range(grid.n):
        e = np.zeros(grid.n)
        e[i] = h
        up = functional(p, grid, rho_t + e, quasi_static_c(p, grid, rho_t + e))
        dn = functional(p, grid, rho_t - e, quasi_static_c(p, grid, rho_t - e))
        grad[i] = ratio * (up - dn) / (2 * h) / grid.volumes[i]
    mu = chemical_potential(p, grid, rho_t)
    dev = float(np.max(np.abs(grad - mu)))
    tol_mu = ratio * _roundoff(p, grid, rho_t, c_t) / h / float(np.min(grid.volumes))
    parts.append(Part("max_i |numerical delta E/delta rho - (D0 rho - chi0 c[rho])|", dev, 0.0, tol_mu,
                      "round-off: a centred difference (step 1e-3) of a quadratic is exact otherwise; "
                      "per-cell allowance 64 eps sum|W terms| / (step x smallest cell area)"))
    # (4) Eq. (9) along the run, at each checkpoint
    for i, t_chk in enumerate(CHECKPOINTS):
        res = float(base["residuals"][i])
        err = sum(abs(float(runs[name]["residuals"][i]) - res) for name in ("dt", "grid", "lambda"))
        rnd = 4 * ratio * _roundoff(p, grid, rho_t, c_t) / (2 * dt / 2) / float(base["D9"][i])
        parts.append(Part(f"t = {t_chk:g}: (dE/dt + int rho|grad mu|^2) / int rho|grad mu|^2", res, 0.0,
                          3 * err + rnd,
                          "discretization bound: 3 x (|change| under dt x 2 (first order) + cells / 2 + "
                          "lambda / 10 (quasi-static lag O(1/lambda))) + round-off of the W difference"))
    # (5) E (hence W) non-increasing along the stiff run
    W_all = base["W"]
    inc = float(np.max(np.diff(W_all)))
    tol_W = 2 * _roundoff(p, grid, base["rho_end"] + 3, base["c_end"] + 5)
    parts.append(Part("max W increment per step along the stiff run", max(inc, 0.0), 0.0, tol_W,
                      "round-off of two W evaluations (the scheme is energy-stable for every dt)"))
    details = {"f0": F0_RUN, "lambda": lam, "n_cells": n_cells, "dt": dt / 2, "checkpoints": CHECKPOINTS,
               "kappa2_derived": kappa2(p), "kappa2_seed_eq6": p.f0 / p.nu0, "kappa2_fitted": k2,
               "energy_ratio_D0_over_a": ratio, "E_eq8": E8, "E_from_W": E18,
               "dE_dt": base["rates"], "minus_D9": -base["D9"],
               "residuals": {name: r["residuals"] for name, r in runs.items()},
               "W_start_end": (float(W_all[0]), float(W_all[-1])),
               # contrast: at lambda = 1 (c not slaved to rho) Eq. (9) is not the dissipation of the run
               "residuals_lambda_1": eq9_run(solver, p, n_cells, dt / 2, 1.0)["residuals"]}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.plot(CHECKPOINTS, base["rates"], "o", label="measured dE/dt")
        ax.plot(CHECKPOINTS, -base["D9"], "x", label="-int rho |grad mu|^2 (Eq. 9)")
        ax.set_xlabel("t")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)
