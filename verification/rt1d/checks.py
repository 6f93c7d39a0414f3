"""Checks of 1D run-and-tumble walkers against their continuum limits and exact results.

Every check takes the methods under test as keyword arguments (default: ours), typed by the
protocols of :mod:`verification.rt1d.protocols` (``rt1d.walkers``, ``rt1d.master_equation``,
``rt1d.fpe``, ``rt1d.mesa_twin``), so a user's walker sampler or solver goes through the same
comparison.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from agents.run_tumble import TwoStateWalkerParams, initial_state, schnitzer, temporal_sensing
from verification import stats
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite
from verification.rt1d import derivation as deriv
from verification.rt1d.cases import fpe_limit_distances, seed001_rates, variance_slope
from verification.rt1d.protocols import (
    FPE,
    MASTER_EQUATION,
    MESA_TWIN,
    WALKERS,
    FokkerPlanckSolver,
    MasterEquationSolver,
    MesaTwin,
    Walkers1D,
)


def exact_cdf(density, length: float, n: int = 200_001):
    """CDF on [-L/2, L/2] of an unnormalized density (cumulative trapezoid on ``n`` points)."""
    x = np.linspace(-length / 2, length / 2, n)
    f = density(x)
    cum = np.concatenate(([0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(x))))
    cum /= cum[-1]
    return lambda y: np.interp(y, x, cum)


def wrap(x: np.ndarray, length: float) -> np.ndarray:
    """Map unwrapped periodic positions into [-L/2, L/2)."""
    return (x + length / 2) % length - length / 2


def ks_part(name: str, samples: np.ndarray, cdf, n_tests: int = 1) -> Part:
    """KS distance of samples to a model CDF with its critical value (Bonferroni over ``n_tests``)."""
    d = stats.ks_statistic(samples, cdf)
    alpha = stats.FALSE_ALARM / n_tests
    return Part(name, d, 0.0, stats.ks_critical(samples.size, alpha),
                f"Kolmogorov distribution quantile, false-alarm rate {alpha:.1e}, n = {samples.size}")


def _hist_plot(samples_by_label, cdf_by_label, length, title):
    def plot(fig):
        ax = fig.add_subplot(111)
        edges = np.linspace(-length / 2, length / 2, 61)
        xc = 0.5 * (edges[1:] + edges[:-1])
        for (label, xs), cdf in zip(samples_by_label.items(), cdf_by_label.values(), strict=True):
            h, _ = np.histogram(xs, bins=edges, density=True)
            line = ax.plot(xc, h, "o", ms=3, label=f"agents {label}")[0]
            ax.plot(xc, np.diff(cdf(edges)) / np.diff(edges), "-", color=line.get_color(), label=f"model {label}")
        ax.set_xlabel("x")
        ax.set_ylabel("density")
        ax.set_title(title)
        ax.legend(fontsize=7)
    return plot


# ----------------------------------------------------------------------------
@check("rt1d.inverse_speed", source=cite("MIPS", "§3.1 (g_ss ∝ 1/v for constant alpha)"),
       methods={"walkers": "rt1d.walkers", "master_equation": "rt1d.master_equation"}, unit="KS distance")
def inverse_speed(ctx: CheckContext, walkers: Walkers1D = WALKERS.default,
                  master_equation: MasterEquationSolver = MASTER_EQUATION.default) -> CheckResult:
    """Steady state g_ss ∝ 1/v(x) for constant tumble rate: agents (KS) and master equation."""
    L, alpha, t_end = 10.0, 1.0, 100.0

    def v(x):
        return 1.0 + 0.5 * np.sin(2 * np.pi * x / L)

    params = schnitzer(v, alpha, L, "periodic")
    n = ctx.pick(100_000, 1_000_000)
    x0, s0 = initial_state(params, n, ctx.seed("init"))
    xt = wrap(walkers(params, x0, s0, [t_end], ctx.seed("run"))[0], L)
    cdf = exact_cdf(lambda x: 1.0 / v(x), L)
    parts = [ks_part("agents: KS distance to g ∝ 1/v", xt, cdf)]

    # Master equation from a uniform start; compare bin masses with the exact ones.
    me = master_equation(v, alpha / 2, alpha / 2, L, "periodic", 2000)
    state0 = me.initial(lambda x: 0.5 * (x + L / 2) / L, lambda x: 0.5 * (x + L / 2) / L)
    _, (state,) = me.evolve(state0, [t_end])
    edges = np.linspace(-L / 2, L / 2, 51)
    exact = np.diff(cdf(edges))
    me_mass = np.diff(me.cdf(state, edges))
    rel = float(np.max(np.abs(me_mass / exact - 1)))
    # Error budget (relative, per bin): the solver's tau(x) comes from the trapezoid rule on
    # its fine grid, error <= h^2/12 max|f''| per unit length with f = 1/v, twice (bin and total),
    # relative to min f; plus the relaxation residual (max initial deviation) exp(-lambda_1 t),
    # lambda_1 estimated as D_min (2 pi / L)^2 from the derived D = v^2/alpha.
    xf = np.linspace(-L / 2, L / 2, 16 * 2000 + 1)
    h = xf[1] - xf[0]
    f = 1.0 / v(xf)
    f2 = float(np.max(np.abs(np.gradient(np.gradient(f, h), h))))
    trap = 2 * h**2 / 12 * f2 / float(f.min())
    d_min = float(deriv.numeric().schnitzer_D(float(np.min(v(xf))), alpha))
    dev0 = float(np.max(np.abs(v(xf) * np.mean(f) - 1)))
    relax = dev0 * math.exp(-d_min * (2 * math.pi / L) ** 2 * t_end)
    parts.append(Part("master equation: max relative bin error vs 1/v", rel, 0.0, trap + relax,
                      f"discretization bound: tau(x) quadrature {trap:.1e} + relaxation exp(-λ1 t) {relax:.1e}"))
    details = {"n_walkers": n, "t_end": t_end, "L": L, "alpha": alpha, "speed": "1 + 0.5 sin(2πx/L)",
               "master_equation_cells": 2000}
    return ctx.result(parts, details,
                             _hist_plot({f"t={t_end:g}": xt}, {"1/v": cdf}, L, "g_ss ∝ 1/v"))


# ----------------------------------------------------------------------------
@check("rt1d.diffusivity", source=cite("MIPS", "§2.3 (D_eff = v²/alpha)"), methods={"walkers": "rt1d.walkers"},
       unit="length^2/time")
def diffusivity(ctx: CheckContext, walkers: Walkers1D = WALKERS.default) -> CheckResult:
    """MSD slope of Schnitzer walkers vs the derived D_eff = v0²/alpha."""
    v0, alpha, L = 2.0, 4.0, 1000.0
    t1, t2 = 5.0, 25.0
    params = schnitzer(v0, alpha, L, "periodic")
    n = ctx.pick(100_000, 1_000_000)
    x0, s0 = initial_state(params, n, ctx.seed("init"), x0=np.zeros(n))
    xt = walkers(params, x0, s0, [t1, t2], ctx.seed("run"))
    D_hat, se = variance_slope(xt[0] - x0, xt[1] - x0, t2 - t1)
    num = deriv.numeric()
    var = num.var_exact(v0, alpha / 2, alpha / 2, np.array([t1, t2]))  # exact for a fair start
    expected = float((var[1] - var[0]) / (2 * (t2 - t1)))
    D = float(num.schnitzer_D(v0, alpha))
    parts = [Part("MSD slope vs derived D (exact finite-time form)", D_hat, expected, stats.Z * se,
                  f"{stats.Z:.2f} standard errors from 32 batches of walkers")]
    details = {"n_walkers": n, "v0": v0, "alpha": alpha, "t1": t1, "t2": t2, "stderr": se,
               "D_derived": D, "D_seed_000_2.2_final_form": v0**2 / (2 * alpha),
               "seed_form_off_by_SE": abs(D_hat - v0**2 / (2 * alpha)) / se}

    def plot(fig):
        ax = fig.add_subplot(111)
        ts = np.linspace(0, t2, 200)
        ax.plot(ts, num.var_exact(v0, alpha / 2, alpha / 2, ts), label="derived Var x(t)")
        ax.plot([t1, t2], [np.var(xt[0] - x0), np.var(xt[1] - x0)], "o", label="agents")
        ax.plot(ts, 2 * (v0**2 / (2 * alpha)) * ts, "--", label="[MIPS] §2.2 final form (D = v²/2α)")
        ax.set_xlabel("t")
        ax.set_ylabel("Var x")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------
@check("rt1d.two_state_transport", source=cite("CHEMOTAXIS", "§3.3-4.2 (drift and diffusivity, constant rates)"),
       methods={"walkers": "rt1d.walkers"}, unit="length/time")
def two_state_transport(ctx: CheckContext, walkers: Walkers1D = WALKERS.default) -> CheckResult:
    """Constant alpha+ != alpha-: drift and long-time diffusivity vs exact values; adiabatic FPE error."""
    v0, ap, am, L = 1.0, 1.5, 0.5, 1000.0
    t1, t2 = 10.0, 60.0
    params = TwoStateWalkerParams(v0, ap, am, L, "periodic")
    n = ctx.pick(100_000, 1_000_000)
    num = deriv.numeric()
    # Start in the stationary direction distribution P(+) = alpha_- / (alpha_+ + alpha_-).
    x0, s0 = initial_state(params, n, ctx.seed("init"),
                           x0=np.zeros(n), plus_fraction=am / (ap + am))
    xt = walkers(params, x0, s0, [t1, t2], ctx.seed("run"))
    V_hat, V_se = stats.mean_se((xt[1] - xt[0]) / (t2 - t1))
    D_hat, D_se = variance_slope(xt[0] - x0, xt[1] - x0, t2 - t1)
    V = float(num.V_exact(v0, ap, am))
    var = num.var_exact(v0, ap, am, np.array([t1, t2]))
    D_fin = float((var[1] - var[0]) / (2 * (t2 - t1)))
    D_exact, D_adiab = float(num.D_exact(v0, ap, am)), float(num.D_adiabatic(v0, ap, am))
    parts = [
        Part("drift vs exact V = v0(α- - α+)/(α+ + α-)", V_hat, V, stats.Z * V_se,
             f"{stats.Z:.2f} standard errors (independent walkers)"),
        Part("long-time diffusivity vs exact 4 α+ α- v0²/(α+ + α-)³", D_hat, D_fin, stats.Z * D_se,
             f"{stats.Z:.2f} standard errors from 32 batches"),
    ]
    details = {"n_walkers": n, "v0": v0, "alpha_plus": ap, "alpha_minus": am, "t1": t1, "t2": t2,
               "D_exact": D_exact, "D_adiabatic_FPE": D_adiab,
               "adiabatic_FPE_relative_error": D_adiab / D_exact - 1,
               "adiabatic_FPE_off_by_SE": abs(D_hat - D_adiab) / D_se, "drift_stderr": V_se,
               "diffusivity_stderr": D_se}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.bar(["measured", "exact", "adiabatic FPE"], [D_hat, D_exact, D_adiab],
               yerr=[stats.Z * D_se, 0, 0], color=["C0", "C1", "C3"])
        ax.set_ylabel("long-time diffusivity")
        ax.set_title(f"α+={ap}, α-={am}: drift {V_hat:.4f} (exact {V:.4f})")

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------
@check("rt1d.reflecting_stationary",
       source=cite("CHEMOTAXIS", "§4.3 (model with rates clipped at 0), exact J = 0 state"),
       methods={"walkers": "rt1d.walkers"}, unit="KS distance")
def reflecting_stationary(ctx: CheckContext, walkers: Walkers1D = WALKERS.default) -> CheckResult:
    """Reflecting walls, alpha±(x) varying: histogram vs the exact stationary density exp(ψ)/v."""
    v0, L, t_end = 20.0, 200.0, 60.0
    plus, minus = seed001_rates(L)
    params = TwoStateWalkerParams(v0, plus, minus, L, "reflecting")
    n = ctx.pick(100_000, 1_000_000)
    x0, s0 = initial_state(params, n, ctx.seed("init"), x0=(-1.0, 1.0))
    xt = walkers(params, x0, s0, [t_end], ctx.seed("run"))[0]
    psi_prime = deriv.numeric().psi_prime
    xf = np.linspace(-L / 2, L / 2, 200_001)
    dpsi = psi_prime(np.full_like(xf, v0), plus(xf), minus(xf))
    psi = np.concatenate(([0.0], np.cumsum(0.5 * (dpsi[1:] + dpsi[:-1]) * np.diff(xf))))
    dens = np.exp(psi - psi.max()) / v0
    cdf = exact_cdf(lambda y: np.interp(y, xf, dens), L)
    parts = [ks_part("agents: KS distance to exp(ψ)/v, ψ' = (α- - α+)/v", xt, cdf)]
    details = {"n_walkers": n, "v0": v0, "L": L, "t_end": t_end,
               "rates": "max(0, 1 ± 2 tanh(x/(L/4)))", "start": "uniform on [-1, 1]"}
    return ctx.result(parts, details,
                             _hist_plot({f"t={t_end:g}": xt}, {"exact": cdf}, L, "reflecting walls, stationary"))


# ----------------------------------------------------------------------------
@check("rt1d.chemotactic_drift", source=cite("CHEMOTAXIS", "§5.2 (temporal sensing in a linear c(x))"),
       methods={"walkers": "rt1d.walkers"}, unit="length/time")
def chemotactic_drift(ctx: CheckContext, walkers: Walkers1D = WALKERS.default) -> CheckResult:
    """Temporal sensing alpha± = alpha0(1 ∓ chi v0 c'): measured drift vs the derived value."""
    alpha0, chi, v0, grad, L = 2.0, 0.05, 5.0, 1.0, 1000.0
    t1, t2 = 5.0, 25.0
    params = temporal_sensing(alpha0, chi, v0, grad, L, "periodic")
    ap, am = float(params.rate_plus_at(0.0)), float(params.rate_minus_at(0.0))
    n = ctx.pick(100_000, 1_000_000)
    x0, s0 = initial_state(params, n, ctx.seed("init"),
                           x0=np.zeros(n), plus_fraction=am / (ap + am))
    xt = walkers(params, x0, s0, [t1, t2], ctx.seed("run"))
    V_hat, se = stats.mean_se((xt[1] - xt[0]) / (t2 - t1))
    V = float(deriv.numeric().sensing_V(v0, alpha0, chi, grad))
    seed_stated = -chi * v0**2 / alpha0 * grad
    parts = [Part("drift vs derived chi v0² c'", V_hat, V, stats.Z * se,
                  f"{stats.Z:.2f} standard errors (independent walkers)")]
    details = {"n_walkers": n, "alpha0": alpha0, "chi": chi, "v0": v0, "grad_c": grad,
               "stderr": se, "seed_001_5.2_stated": seed_stated,
               "seed_stated_off_by_SE": abs(V_hat - seed_stated) / se}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.bar(["measured", "derived", "[CHEMOTAXIS] §5.2"], [V_hat, V, seed_stated],
               yerr=[stats.Z * se, 0, 0], color=["C0", "C1", "C3"])
        ax.axhline(0, color="k", lw=0.5)
        ax.set_ylabel("drift velocity")

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------
def transient_model(L: float = 20.0):
    """Speed and rates of the transient check: v(x), alpha_pm(x) all varying, reflecting walls."""
    def v(x):
        return 1.0 + 0.3 * np.cos(np.pi * x / L)

    def plus(x):
        return 0.6 * (1.0 + 0.5 * np.tanh(x / 4.0))

    def minus(x):
        return 0.6 * (1.0 - 0.5 * np.tanh(x / 4.0))

    return v, plus, minus


@check("rt1d.master_equation_transient",
       source=cite("MIPS", "§1.2") + ", " + cite("CHEMOTAXIS", "§2.3 (master equation)"),
       methods={"walkers": "rt1d.walkers", "master_equation": "rt1d.master_equation"}, unit="KS distance")
def master_equation_transient(ctx: CheckContext, walkers: Walkers1D = WALKERS.default,
                              master_equation: MasterEquationSolver = MASTER_EQUATION.default) -> CheckResult:
    """Agent histograms vs the master-equation solution at several times."""
    L = 20.0
    v, plus, minus = transient_model(L)
    params = TwoStateWalkerParams(v, plus, minus, L, "reflecting")
    me = master_equation(v, plus, minus, L, "reflecting", 4000)
    w = 1.0
    state0 = me.initial(lambda x: 0.5 * np.clip((x + w) / (2 * w), 0, 1),
                        lambda x: 0.5 * np.clip((x + w) / (2 * w), 0, 1))
    times, states = me.evolve(state0, [2.0, 5.0, 10.0, 20.0])
    n = ctx.pick(100_000, 1_000_000)
    x0, s0 = initial_state(params, n, ctx.seed("init"), x0=(-w, w))
    xt = walkers(params, x0, s0, times, ctx.seed("run"))
    parts = [ks_part(f"KS distance at t = {t:.3f}", xt[k], partial(me.cdf, states[k]), n_tests=len(times))
             for k, t in enumerate(times)]
    worst = max(range(len(parts)), key=lambda k: parts[k].measured / parts[k].tolerance)
    parts.insert(0, parts.pop(worst))
    details = {"n_walkers": n, "times": times, "L": L, "master_equation_cells": 4000,
               "speed": "1 + 0.3 cos(πx/L)", "rates": "0.6 (1 ± 0.5 tanh(x/4))", "start": "uniform on [-1, 1]"}
    return ctx.result(parts, details,
        _hist_plot({f"t={t:.2f}": xt[k] for k, t in enumerate(times)},
                   {f"t={t:.2f}": partial(me.cdf, states[k]) for k, t in enumerate(times)}, L,
                   "agents vs master equation"))


# ----------------------------------------------------------------------------
@check("rt1d.fpe_limit", source=cite("MIPS", "§2.2 (adiabatic elimination)"),
       methods={"master_equation": "rt1d.master_equation", "fpe": "rt1d.fpe"}, unit="order (fitted exponent)")
def fpe_limit(ctx: CheckContext, master_equation: MasterEquationSolver = MASTER_EQUATION.default,
              fpe: FokkerPlanckSolver = FPE.default) -> CheckResult:
    """Effective FPE vs master equation: the difference shrinks as the tumble rate grows (order 1 in 1/alpha)."""
    alphas = np.array(ctx.pick([8.0, 16.0, 32.0, 64.0], [8.0, 16.0, 32.0, 64.0, 128.0, 256.0]))
    t_end = 1.0
    me_cells, fpe_cells = ctx.pick((4000, 500), (8000, 1000))
    dist = fpe_limit_distances(alphas, t_end, master_equation, fpe, me_cells=me_cells, fpe_cells=fpe_cells)
    p, p_se = stats.fit_order(1.0 / alphas, dist)
    pair = np.log(dist[1:] / dist[:-1]) / np.log(alphas[:-1] / alphas[1:])
    # Pre-asymptotic spread: the next term is O(1/alpha^2), so local orders drift towards 1;
    # the tolerance is the fit's 3 standard errors plus the spread of the local orders.
    tol = 3 * p_se + float(np.ptp(pair))
    parts = [Part("fitted order of |ME - FPE|_1 in 1/alpha", p, 1.0, tol,
                  "3 fit standard errors + spread of local (pairwise) orders")]
    details = {"alphas": alphas, "L1_distances": dist, "local_orders": pair, "order_stderr": p_se,
               "t_end": t_end, "master_equation_cells": me_cells, "fpe_cells": fpe_cells,
               "scaling": "v = sqrt(alpha)(1 + 0.3 sin 2πx/L): D_eff fixed"}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.loglog(alphas, dist, "o-", label=f"|ME - FPE|₁, fitted order {p:.2f} ± {p_se:.2f}")
        ax.loglog(alphas, dist[0] * alphas[0] / alphas, "--", label="∝ 1/α")
        ax.set_xlabel("tumble rate α")
        ax.set_ylabel("L1 distance at t = 1")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------
@check("rt1d.mesa_twin", source=cite("CHEMOTAXIS", "§2.3 (one mesa.Agent per walker vs numba kernel)"),
       methods={"walkers": "rt1d.walkers", "twin": "rt1d.mesa_twin"}, unit="KS distance (two-sample)")
def mesa_twin(ctx: CheckContext, walkers: Walkers1D = WALKERS.default,
              twin: MesaTwin = MESA_TWIN.default) -> CheckResult:
    """Per-agent Mesa twin and the numba kernel agree statistically (KS, mean, occupation near walls)."""
    L, v0, amp, dt, n_steps = 4.0, 1.0, 0.5, 0.01, 300
    plus, minus = seed001_rates(L, amplitude=amp)
    scalar = (lambda x: v0, lambda x: max(0.0, 1.0 + amp * math.tanh(x / (L / 4))),
              lambda x: max(0.0, 1.0 - amp * math.tanh(x / (L / 4))))
    params = TwoStateWalkerParams(v0, plus, minus, L, "reflecting")
    n_agents = ctx.pick(5000, 20_000)
    n_kernel = 200_000
    xa, sa = initial_state(params, n_agents, ctx.seed("agents"))
    xk, sk = initial_state(params, n_kernel, ctx.seed("kernel"))
    pos_agents = twin(scalar, L, True, xa, sa, dt, n_steps, ctx.seed("mesa"))
    pos_kernel = walkers(params, xk, sk, [dt * n_steps], ctx.seed("run"))[0]
    d = stats.ks_two_sample(pos_agents, pos_kernel)
    ma, sea = stats.mean_se(pos_agents)
    mk, sek = stats.mean_se(pos_kernel)
    near = 0.1  # occupation of the layers within 0.1 of a wall: sensitive to the wall rule
    fa, sfa = stats.mean_se((np.abs(pos_agents) > L / 2 - near).astype(float))
    fk, sfk = stats.mean_se((np.abs(pos_kernel) > L / 2 - near).astype(float))
    n_tests = 3
    parts = [
        Part("two-sample KS distance", d, 0.0,
             stats.ks_two_sample_critical(n_agents, n_kernel, stats.FALSE_ALARM / n_tests),
             f"asymptotic two-sample KS quantile, false-alarm rate {stats.FALSE_ALARM / n_tests:.1e}"),
        Part("mean position, Mesa minus kernel", ma - mk, 0.0, stats.Z * math.hypot(sea, sek),
             f"{stats.Z:.2f} combined standard errors"),
        Part(f"fraction within {near} of a wall, Mesa minus kernel", fa - fk, 0.0,
             stats.Z * math.hypot(sfa, sfk), f"{stats.Z:.2f} combined binomial standard errors"),
    ]
    details = {"n_agents": n_agents, "n_kernel": n_kernel, "dt": dt, "steps": n_steps, "L": L,
               "rates": f"max(0, 1 ± {amp} tanh(x/(L/4)))",
               "mesa_time_step_bias": "flip probability exact per step; positions O(dt) at walls",
               "wall_fraction_mesa": fa, "wall_fraction_kernel": fk}

    def plot(fig):
        ax = fig.add_subplot(111)
        edges = np.linspace(-L / 2, L / 2, 41)
        ax.hist(pos_kernel, bins=edges, density=True, histtype="step", label=f"numba kernel (n={n_kernel})")
        ax.hist(pos_agents, bins=edges, density=True, histtype="step", label=f"Mesa per-agent (n={n_agents})")
        ax.set_xlabel("x")
        ax.set_ylabel("density")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)
