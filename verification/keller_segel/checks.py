"""Checks of the Keller-Segel solvers ([CHEMOTAXIS] §6): dispersion, conservation and positivity, 2D onset.

Each check takes the solver under test as a keyword argument (default: ours), typed by the
protocols of :mod:`verification.keller_segel.protocols`: ``ks1d.solver`` (the 1D model of §6.4)
and ``ks2d.solver`` (the VisualPDE preset of §6.2).

Growth-rate tolerances are a sum of stated error terms: the standard error of the
log-linear fit (times ``stats.Z``), the spatial discretization error of second-order
stencils (sigma evaluated at the three-point symbol k_h^2 = 4 sin^2(k dx/2)/dx^2 minus
sigma at k^2, both from the derived dispersion relation), the forward-Euler error at
the step rule's largest step (exact for the linear symbol), and a bound on the
quadratic nonlinear feedback at the largest amplitude reached.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import binom

from continuum.keller_segel import THETA_1D, THETA_2D, KellerSegel1DParams, KellerSegel2DParams, seed_scheme_run
from verification import stats
from verification.keller_segel import derivation as deriv
from verification.keller_segel.cases import (
    AMPLITUDE,
    SEED_1D,
    SEED_NT,
    SEED_T,
    log_linear_rate,
    max_displacement,
    measure_growth_1d,
    periodic_peaks,
    unstable_eigvec,
)
from verification.keller_segel.protocols import SOLVER_1D, SOLVER_2D, Solver1D, Solver2D
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite

EPS = float(np.finfo(float).eps)
#: VisualPDE KellerSegel preset: D = 1, a = 0.1 (c = 4 by default; onset near c = 3.46).
PRESET_D, PRESET_A = 1.0, 0.1


def dispersion_modes(params: KellerSegel1DParams) -> list[int]:
    """Modes probed: long wave, near the fastest, near the band edge (unstable), beyond it, deep stable."""
    num = deriv.numeric()
    kmax, _ = deriv.fastest_mode_1d(params.d_u, params.d_v, params.chi0, params.decay)
    band = math.sqrt(num.band1d_k2(params.d_u, params.d_v, params.chi0, params.decay, 1.0))
    dk = 2 * math.pi / params.length
    modes = [3, round(kmax / dk), math.floor(band / dk) - 1, math.ceil(band / dk) + 1, round(1.7 * band / dk)]
    for m in modes:
        params.wavenumber(m)  # too-coarse grids fail here, before any work
    return modes


def rate_tolerance(sigma, k: float, dx: float, dt_max: float, amp_max: float, nonlin_scale: float,
                   se: float) -> tuple[float, dict]:
    """Error budget for a measured growth rate vs the continuum sigma(k^2), with its terms.

    The budget is that of the scheme class "second order in space, first order in time at
    the step rule's largest step", with error constants twice those of the reference
    discretization (three-point / five-point stencils, forward Euler): spatial
    2 |sigma(k_h^2) - sigma(k^2)|, temporal dt_max sigma(k_h^2)^2 (forward Euler's leading
    error is dt sigma^2 / 2). Plus Z fit standard errors and the quadratic-feedback bound
    ``nonlin_scale * amp_max^2``.
    """
    num = deriv.numeric()
    k2h = float(num.lap_k2(k, dx))
    spatial = 2 * abs(sigma(k2h) - sigma(k**2))
    temporal = dt_max * sigma(k2h) ** 2
    nonlinear = nonlin_scale * amp_max**2
    terms = {"fit": stats.Z * se, "spatial": spatial, "temporal": temporal, "nonlinear": nonlinear}
    return sum(terms.values()), terms


# ----------------------------------------------------------------------------
@check("ks1d.dispersion", source=cite("CHEMOTAXIS", "§6.3-6.4 (linear instability of the 1D Keller-Segel model)"),
       methods={"solver": "ks1d.solver"}, unit="1/time (growth rate)")
def dispersion(ctx: CheckContext, solver: Solver1D = SOLVER_1D.default) -> CheckResult:
    """Growth rates of seeded Fourier modes in the linear regime vs the derived sigma(k), chi0 = 25 and 40."""
    num = deriv.numeric()
    t0, t1 = 1.0, ctx.pick(4.0, 6.0)
    times = np.linspace(t0, t1, ctx.pick(13, 41))
    parts, rows = [], []
    for chi in (25.0, 40.0):
        params = KellerSegel1DParams(chi0=chi, **SEED_1D)
        modes = dispersion_modes(params)
        dt_max = THETA_1D * min(params.dx**2 / (2 * max(params.d_u, params.d_v)), 1.0 / params.decay)

        def sigma(q, params=params):
            return float(num.sigma1d(q, params.d_u, params.d_v, params.chi0, params.decay, 1.0))

        def A_of(q, params=params):
            return num.A1d(q, params.d_u, params.d_v, params.chi0, params.decay, 1.0)

        for m in modes:
            k = params.wavenumber(m)
            rate, se, amp = measure_growth_1d(solver, params, m, times)
            # quadratic feedback onto mode k: relative size amp^2 times the chemotactic rate chi0 k^2
            tol, terms = rate_tolerance(sigma, k, params.dx, dt_max, amp, 10 * chi * k**2, se)
            parts.append(Part(f"chi0={chi:g}, mode {m} (k={k:.3f}): growth rate vs sigma(k)", rate, sigma(k**2),
                              tol, "budget of a 2nd-order-in-space, 1st-order-in-time scheme at the rule's dt (2x the "
                              "3-point/Euler leading errors) + Z x fit SE + quadratic feedback bound"))
            rows.append({"chi0": chi, "mode": m, "k": k, "measured": rate, "sigma": sigma(k**2),
                         "sigma_discrete": num.euler_rate(A_of(float(num.lap_k2(k, params.dx))), dt_max),
                         "max_amplitude": amp, **{f"tol_{n}": v for n, v in terms.items()}})
    band = {chi: math.sqrt(num.band1d_k2(1.0, 20.0, chi, 1.0, 1.0)) for chi in (25.0, 40.0)}
    fastest = {chi: deriv.fastest_mode_1d(1.0, 20.0, chi, 1.0) for chi in (25.0, 40.0)}
    details = {"model": SEED_1D, "window": [t0, t1], "amplitude": AMPLITUDE, "modes": rows,
               "unstable_band_k": band, "fastest_mode_k_sigma": fastest,
               "threshold_chi0": float(num.threshold1d_chi0(1.0, 20.0, 1.0, 1.0))}

    def plot(fig):
        ax = fig.add_subplot(111)
        for chi, col in ((25.0, "C0"), (40.0, "C1")):
            kk = np.linspace(0.01, 2.2, 300)
            ax.plot(kk, num.sigma1d(kk**2, 1.0, 20.0, chi, 1.0, 1.0), color=col, label=f"derived σ(k), χ0={chi:g}")
            r = [q for q in rows if q["chi0"] == chi]
            ax.plot([q["k"] for q in r], [q["measured"] for q in r], "o", color=col, label="measured")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_ylim(-8, 2)
        ax.set_xlabel("k")
        ax.set_ylabel("growth rate σ")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------
def seed_loss_report(chi: float, seed: int) -> dict:
    """When and how the seed algorithm loses positivity and mass (seed's own call, T = 100, Nt = 20000)."""
    params = KellerSegel1DParams(chi0=chi, **SEED_1D)
    rng = np.random.default_rng(seed)
    u0 = 1.0 + 0.01 * (rng.random(params.n_cells) - 0.5)
    with np.errstate(over="ignore", invalid="ignore"):
        rec = seed_scheme_run(params, u0, u0 / params.decay, SEED_T, SEED_NT, record_every=20)
        free = seed_scheme_run(params, u0, u0 / params.decay, SEED_T, SEED_NT, clip=False)
    finite = np.isfinite(rec.mass) & (rec.mass < 1e6 * rec.mass[0])
    peak = np.nanmax(np.where(np.isfinite(rec.u), rec.u, np.nan), axis=1)
    return {"chi0": chi, "dt": rec.dt, "first_negative_time": rec.first_negative_time,
            "blew_up": rec.blew_up, "blow_up_time": rec.n_steps * rec.dt if rec.blew_up else math.nan,
            "steps_with_clipping": rec.n_clipped_steps, "clipped_mass_until_blow_up": rec.clipped_mass,
            "relative_mass_drift_last_finite": float(rec.mass[finite][-1] / rec.mass[0] - 1),
            "unclipped_first_negative_time": free.first_negative_time, "unclipped_blew_up": free.blew_up,
            "unclipped_relative_mass_drift_before_negative": float(
                np.max(np.abs(free.mass[: int(free.first_negative_time / free.dt)] / free.mass[0] - 1)))
            if math.isfinite(free.first_negative_time) else float(np.max(np.abs(free.mass / free.mass[0] - 1))),
            "peak_history": [rec.times.tolist(), peak.tolist()]}


@check("ks1d.conservation_positivity", source=cite("CHEMOTAXIS", "§6.4 (seed parameters, chi0 = 40, T = 100)"),
       methods={"solver": "ks1d.solver"}, unit="relative error (mass drift)")
def conservation_positivity(ctx: CheckContext, solver: Solver1D = SOLVER_1D.default) -> CheckResult:
    """Mass to round-off and u, v >= 0 through aggregation (chi0 = 40); reports how the seed algorithm fails."""
    params = KellerSegel1DParams(chi0=40.0, **SEED_1D)
    rng = np.random.default_rng(ctx.seed())
    u0 = 1.0 + 0.01 * (rng.random(params.n_cells) - 0.5)
    times = np.linspace(0.0, SEED_T, 401)
    with np.errstate(over="ignore", invalid="ignore"):
        u, v = solver(params, u0, u0 / params.decay, times)
    mass = params.dx * u.sum(axis=1)
    drift = float(np.max(np.abs(mass / mass[0] - 1)))
    n_steps = SEED_T / (THETA_1D * params.dx**2 / (2 * max(params.d_u, params.d_v)))
    tol_mass = 8 * EPS * n_steps
    neg = float(max(0.0, -np.min(u), -np.min(v))) if np.all(np.isfinite(u)) and np.all(np.isfinite(v)) else math.nan
    peak = float(np.max(u[-1]))
    parts = [
        Part("max relative mass drift over [0, T]", drift, 0.0, tol_mass,
             f"round-off: 8 eps per step x {n_steps:.0f} steps (the rule's diffusion-limited step count)"),
        Part("most negative u or v at 401 output times", neg, 0.0, 0.0, "exact: positivity by construction"),
        Part("peak u(T) >= 5 (aggregation happened)", peak, 5.0, 0.0, "sanity: the check covers aggregation",
             passed=peak >= 5.0),
    ]
    seed_reports = [seed_loss_report(chi, ctx.seed("seed", chi)) for chi in (25.0, 40.0)]
    details = {"model": {**SEED_1D, "chi0": 40.0}, "T": SEED_T, "mass0": float(mass[0]),
               "min_u": float(np.min(u)), "peak_u_T": peak, "seed_algorithm": seed_reports}

    def plot(fig):
        ax1, ax2 = fig.add_subplot(121), fig.add_subplot(122)
        x = params.x()
        for t_show in (0.0, 5.0, 10.0, 20.0, 100.0):
            i = int(np.argmin(np.abs(times - t_show)))
            ax1.plot(x, u[i], label=f"t={times[i]:g}")
        ax1.set_xlabel("x")
        ax1.set_ylabel("u (finite volume)")
        ax1.legend(fontsize=7)
        for r in seed_reports:
            t_, pk = np.asarray(r["peak_history"][0]), np.asarray(r["peak_history"][1])
            shown = np.isfinite(pk) & (pk > 0) & (pk < 1e30)  # past blow-up the values leave float range
            ax2.semilogy(t_[shown], pk[shown], label=f"seed algorithm, χ0={r['chi0']:g} (shown up to 1e30)")
        ax2.semilogy(times, u.max(axis=1), "k", label="finite volume, χ0=40")
        ax2.set_xlabel("t")
        ax2.set_ylabel("max u")
        ax2.legend(fontsize=7)

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------
def preset_box(ctx: CheckContext) -> tuple[float, int, int]:
    """(L, n, m): a periodic square holding the critical mode m times per side, n cells per side."""
    num = deriv.numeric()
    kc = math.sqrt(float(num.critical_k2(PRESET_D, PRESET_A)))
    m = 4
    return 2 * math.pi * m / kc, ctx.pick(64, 128), m


@check("ks2d.pattern", source=cite("CHEMOTAXIS", "§6.2 (VisualPDE KellerSegel preset, D = 1, a = 0.1)"),
       methods={"solver": "ks2d.solver"}, unit="1/time (growth rate)")
def pattern_onset(ctx: CheckContext, solver: Solver2D = SOLVER_2D.default) -> CheckResult:
    """Perturbations of (1, 1/a) decay at c = 0.9 c* and grow at 1.1 c*, at the derived rates."""
    num = deriv.numeric()
    c_star = float(num.critical_c(PRESET_D, PRESET_A))
    L, n, m = preset_box(ctx)
    t0, t1 = 10.0, ctx.pick(100.0, 200.0)
    times = np.linspace(t0, t1, 19)
    parts, rows, series = [], [], {}
    rates = {}
    for f in (0.9, 1.1):
        params = KellerSegel2DParams(length=L, n=n, diffusivity=PRESET_D, decay=PRESET_A, sensitivity=f * c_star)
        k = params.wavenumber(m)
        A = num.A2d(float(num.lap_k2(k, params.dx)), PRESET_D, PRESET_A, params.sensitivity)
        e = unstable_eigvec(A)
        xs = (np.arange(n) + 0.0) * params.dx
        pattern = np.cos(k * xs)[:, None] + np.cos(k * xs)[None, :]
        u0 = 1.0 + AMPLITUDE * e[0] * pattern
        v0 = 1.0 / PRESET_A + AMPLITUDE * e[1] * pattern
        u, _ = solver(params, u0, v0, np.concatenate(([0.0], times)))
        norm = np.sqrt(np.mean((u[1:] - 1.0) ** 2, axis=(1, 2)))
        rate, se = log_linear_rate(times, norm)
        series[f] = norm
        rates[f] = rate

        def sigma(q, params=params):
            return float(num.sigma2d(q, PRESET_D, PRESET_A, params.sensitivity))

        dt_max = THETA_2D * min(params.dx**2 / (4 * max(1.0, PRESET_D)), 1.0 / PRESET_A, 1.0)
        amp = float(norm.max()) * 2
        tol, terms = rate_tolerance(sigma, k, params.dx, dt_max, amp, 10 * params.sensitivity * k**2, se)
        parts.append(Part(f"c = {f:g} c*: perturbation growth rate vs sigma(k_c)", rate, sigma(k**2), tol,
                          "budget of a 2nd-order-in-space, 1st-order-in-time scheme at the rule's dt (2x the "
                          "5-point/Euler leading errors) + Z x fit SE + quadratic feedback bound"))
        rows.append({"c": params.sensitivity, "k": k, "measured": rate, "sigma": sigma(k**2), "stderr": se,
                     **{f"tol_{q}": v for q, v in terms.items()}})
    # Noise start (no mode chosen): the perturbation decays below c* and a pattern forms above it,
    # at a wavenumber inside the derived unstable band.
    t_noise = ctx.pick(300.0, 600.0)
    noise = {}
    rng = np.random.default_rng(ctx.seed("noise"))
    u_noise = 1.0 + 1e-4 * (rng.random((n, n)) - 0.5)
    for f in (0.9, 1.1):
        params = KellerSegel2DParams(length=L, n=n, diffusivity=PRESET_D, decay=PRESET_A, sensitivity=f * c_star)
        t_rec = np.linspace(0.0, t_noise, 31)
        u, _ = solver(params, u_noise, u_noise / PRESET_A, t_rec)
        rms = np.sqrt(np.mean((u - 1.0) ** 2, axis=(1, 2)))
        # wavenumber read at the last output still in the linear regime (RMS < 0.01), before saturation
        lin = int(np.flatnonzero(rms < 0.01)[-1])
        spec = np.abs(np.fft.fft2(u[lin] - u[lin].mean()))
        spec[0, 0] = 0.0
        i, j = np.unravel_index(int(np.argmax(spec)), spec.shape)
        k_dom = 2 * math.pi / L * math.hypot(min(i, n - i), min(j, n - j))
        noise[f] = {"rms0": float(rms[0]), "rmsT": float(rms[-1]), "k_dominant": k_dom, "u_final": u[-1],
                    "t_wavenumber": float(t_rec[lin]),
                    "min_u": float(u[-1].min()), "max_u": float(u[-1].max())}
    band = np.sort(np.sqrt(np.ravel(num.band2d_k2(PRESET_D, PRESET_A, 1.1 * c_star))))
    grow, decay = noise[1.1]["rmsT"] / noise[1.1]["rms0"], noise[0.9]["rmsT"] / noise[0.9]["rms0"]
    parts.append(Part("noise start: RMS(T)/RMS(0) at 1.1 c* (>= 100: pattern) with RMS decaying at 0.9 c*", grow,
                      100.0, 0.0, f"onset criterion; at 0.9 c* the ratio is {decay:.2g} (must be < 1)",
                      passed=bool(decay < 1.0), relation=">="))
    parts.append(Part("noise start at 1.1 c*: dominant wavenumber (linear regime) in the derived unstable band",
                      noise[1.1]["k_dominant"], float(band.mean()), float(band[1] - band[0]) / 2,
                      "derived band: det A(k^2) < 0 for k in [k-, k+]"))
    parts.insert(0, Part("onset bracketed: rate(0.9 c*) < 0 < rate(1.1 c*)", min(rates[1.1], -rates[0.9]), 0.0, 0.0,
                         f"derived criterion c > c* = 2(√D + √a)² = {c_star:.4f}; one-sided", relation=">"))
    details = {"D": PRESET_D, "a": PRESET_A, "c_star": c_star, "k_c": math.sqrt(num.critical_k2(PRESET_D, PRESET_A)),
               "L": L, "n": n, "window": [t0, t1], "amplitude": AMPLITUDE, "rows": rows,
               "visualpde_statement": "2 sqrt(a D) < c/2 - D - a (see activebench errata)",
               "noise_runs": {f"{f:g} c*": {q: v for q, v in r.items() if q != "u_final"} for f, r in noise.items()},
               "unstable_band_k_at_1.1c*": band.tolist(), "noise_T": t_noise}

    def plot(fig):
        ax = fig.add_subplot(121)
        fig.add_subplot(122).imshow(noise[1.1]["u_final"], cmap="viridis")
        fig.axes[1].set_title(f"u at t = {t_noise:g}, c = 1.1 c*", fontsize=8)
        for f, col in ((0.9, "C0"), (1.1, "C3")):
            ax.semilogy(times, series[f], "o", color=col, label=f"c = {f:g} c* (measured)")
            r = next(q for q in rows if math.isclose(q["c"], f * c_star))
            ax.semilogy(times, series[f][0] * np.exp(r["sigma"] * (times - t0)), "-", color=col, label="derived σ(k_c)")
        ax.set_xlabel("t")
        ax.set_ylabel("RMS of u - 1")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------
#: A peak rises at least this far above its surroundings (find_peaks prominence): the mean density u* = 1.
PEAK_PROMINENCE = 1.0


def peak_history(solver: Solver1D, params: KellerSegel1DParams, u0: np.ndarray, times: np.ndarray) -> dict:
    """Run ``solver`` from (u0, u0/a) and record max u, the peak positions and the peak count at ``times``."""
    with np.errstate(over="ignore", invalid="ignore"):
        u, _ = solver(params, u0, u0 / params.decay, times)
    u = np.asarray(u, dtype=float)
    finite = np.all(np.isfinite(u), axis=1)
    peaks = [periodic_peaks(ui, params.dx, PEAK_PROMINENCE)[0] for ui in u]
    return {"max_u": np.where(finite, np.max(np.where(np.isfinite(u), u, 0.0), axis=1), np.nan),
            "positions": peaks, "counts": np.array([p.size for p in peaks]), "u_final": u[-1], "dx": params.dx}


def count_changes(counts: np.ndarray) -> int:
    """Number of output intervals over which the peak count changes (a merge, a new or a vanished peak)."""
    return int(np.sum(np.diff(counts) != 0))


@check("ks1d.peaks_stationary", source=cite("CHEMOTAXIS", "§6.4 (peaks grow, sharpen and stabilize; chi0 = 40, "
                                            "T = 100)"), methods={"solver": "ks1d.solver"},
       unit="probability (P-value)")
def peaks_stationary(ctx: CheckContext, solver: Solver1D = SOLVER_1D.default) -> CheckResult:
    """chi0 = 40 from noise: peaks grow early, merges die out, and over [T/2, T] heights and positions stay put."""
    T = SEED_T
    times = np.linspace(0.0, T, 101)
    i_early, i_half = int(np.searchsorted(times, T / 10)), int(np.searchsorted(times, T / 2))
    grids = (SEED_1D["n_cells"], 2 * SEED_1D["n_cells"])
    n_runs = {grids[0]: ctx.pick(24, 48), grids[1]: ctx.pick(8, 16)}  # the doubled grid costs ~8x per run
    noises = []
    for rep in range(max(n_runs.values())):
        rng = np.random.default_rng(ctx.seed(rep))
        noises.append(0.01 * (rng.random(grids[0]) - 0.5))  # the seed's start u = 1 + 0.01 (U - 1/2), v = u / a
    runs: dict[int, list[dict]] = {}
    for n in grids:
        params = KellerSegel1DParams(chi0=40.0, **{**SEED_1D, "n_cells": n})
        runs[n] = [peak_history(solver, params, 1.0 + np.repeat(noise, n // grids[0]), times)
                   for noise in noises[:n_runs[n]]]
    # grid error of the final height: |ln max u(T)| on the seed's grid vs the doubled grid, same initial data
    n_pair = n_runs[grids[1]]
    grid_err = np.array([abs(math.log(runs[grids[0]][r]["max_u"][-1] / runs[grids[1]][r]["max_u"][-1]))
                         for r in range(n_pair)])
    bound = float(np.min(grid_err)) if np.all(np.isfinite(grid_err)) else math.nan
    p_late = (T - T / 2) / (T - T / 10)  # share of the late window in [T/10, T]
    parts, rows = [], []
    for n in grids:
        hist = runs[n]
        early_changes = sum(count_changes(h["counts"][i_early:i_half + 1]) for h in hist)
        late_changes = sum(count_changes(h["counts"][i_half:]) for h in hist)
        total = early_changes + late_changes
        p_value = float(binom.cdf(late_changes, total, p_late)) if total else 1.0
        parts.append(Part(f"{n} cells, {len(hist)} runs: P-value of {late_changes} of {total} peak-count changes "
                          "in [T/2, T] under a constant rate over [T/10, T]", p_value, 0.0, stats.FALSE_ALARM,
                          f"binomial test (each change in the late window with probability {p_late:.3f} if merges "
                          f"do not die out), rejected at the false-alarm rate {stats.FALSE_ALARM:g}"))
        calm = [h for h in hist if count_changes(h["counts"][i_half:]) == 0]
        late_h = [abs(math.log(h["max_u"][-1] / h["max_u"][i_half])) for h in calm]
        late_x = [max_displacement(h["positions"][i_half], h["positions"][-1], SEED_1D["length"]) for h in hist]
        early = [math.log(h["max_u"][i_early] / h["max_u"][0]) for h in hist]
        dx = hist[0]["dx"]
        parts.append(Part(f"{n} cells, {len(calm)} runs without a late count change: max |change of ln max u| over "
                          "[T/2, T]", max(late_h, default=math.nan), 0.0, bound,
                          f"discretization bound: the grid error of ln max u(T) itself, min over {n_pair} paired "
                          f"runs of |ln(max u_{grids[0]} / max u_{grids[1]})|: stationary within the resolution"))
        parts.append(Part(f"{n} cells: median over runs of the largest peak displacement over [T/2, T] [length]",
                          float(np.median(late_x)), 0.0, dx,
                          "grid resolution: one cell width (positions are not paired across grids: the two grids "
                          "keep different peak sets); the median is the typical run, the runs still coarsening are "
                          "counted in the rate test above"))
        parts.append(Part(f"{n} cells: early growth min ln(max u(T/10) / max u(0)) exceeds the late-window bound",
                          min(early), bound, 0.0, "contrast: growth larger than the grid error of the height",
                          passed=bool(min(early) > bound)))
        rows.append({"n_cells": n, "runs": len(hist), "count_changes_early_late": (early_changes, late_changes),
                     "p_value": p_value, "late_dln_max_u_runs_without_count_change": late_h,
                     "late_dln_max_u_all": [abs(math.log(h["max_u"][-1] / h["max_u"][i_half])) for h in hist],
                     "late_displacement": late_x,
                     "runs_displaced_more_than_a_cell": int(np.sum(np.array(late_x) > dx)),
                     "runs_with_late_count_change": int(sum(count_changes(h["counts"][i_half:]) > 0 for h in hist)),
                     "early_growth_ln": early,
                     "max_u_at": {f"t={times[i]:g}": [float(h["max_u"][i]) for h in hist]
                                  for i in (5, i_early, i_half, len(times) - 1)},
                     "peak_count_at": {f"t={times[i]:g}": [int(h["counts"][i]) for h in hist]
                                       for i in (5, i_early, i_half, len(times) - 1)}})
    # side numbers: the fastest-growing wavelength and the narrow-spike estimate of the continuum heights
    k_star, sigma_star = deriv.fastest_mode_1d(SEED_1D["d_u"], SEED_1D["d_v"], 40.0, SEED_1D["decay"])
    spike = deriv.spike_1d()
    spikes = []
    for n in grids:
        for h in runs[n][:3]:
            count = int(h["counts"][-1])
            if count:
                mass = SEED_1D["length"] * 1.0 / count  # mean mass per peak (total mass L u*)
                vals = {deriv.d_u: SEED_1D["d_u"], deriv.d_v: SEED_1D["d_v"], deriv.chi0: 40.0, spike.M: mass}
                spikes.append({"n_cells": n, "peaks": count, "max_u_grid": float(h["max_u"][-1]),
                               "spike_height_estimate": float(spike.height.subs(vals)),
                               "spike_width_estimate": float(spike.width.subs(vals)), "dx": h["dx"]})
    early_counts = {n: [int(h["counts"][i_early]) for h in runs[n]] for n in grids}
    most_counts = {n: [int(np.max(h["counts"])) for h in runs[n]] for n in grids}
    details = {"model": {**SEED_1D, "chi0": 40.0}, "T": T, "runs": n_runs, "grid_error_ln_max_u": grid_err,
               "rows": rows, "fastest_k": k_star, "fastest_sigma": sigma_star,
               "L_over_lambda_star": SEED_1D["length"] * k_star / (2 * math.pi),
               "peak_count_mean_at_T/10": {n: float(np.mean(v)) for n, v in early_counts.items()},
               "peak_count_mean_of_run_maximum": {n: float(np.mean(v)) for n, v in most_counts.items()},
               "peak_count_mean_at_T": {n: float(np.mean([h["counts"][-1] for h in runs[n]])) for n in grids},
               "narrow_spike_estimates": spikes}
    if ctx.profile == "full":  # how the heights and the surviving peaks depend on the grid (not a part)
        fine = []
        for noise in noises[:3]:
            params = KellerSegel1DParams(chi0=40.0, **{**SEED_1D, "n_cells": 4 * grids[0]})
            h = peak_history(solver, params, 1.0 + np.repeat(noise, 4), times)
            fine.append({"max_u_T": float(h["max_u"][-1]), "counts_T/2_T": (int(h["counts"][i_half]),
                                                                           int(h["counts"][-1]))})
        details["fine_grid_800_cells"] = fine

    def plot(fig):
        ax1, ax2 = fig.add_subplot(121), fig.add_subplot(122)
        for n, col in zip(grids, ("C0", "C1"), strict=True):
            ax1.semilogy(times, runs[n][0]["max_u"], color=col, label=f"{n} cells")
            ax2.plot(np.arange(n) * SEED_1D["length"] / n, runs[n][0]["u_final"], color=col, label=f"{n} cells")
        ax1.axvspan(T / 2, T, alpha=0.1)
        ax1.set_xlabel("t")
        ax1.set_ylabel("max u")
        ax1.legend(fontsize=7)
        ax2.set_xlabel("x")
        ax2.set_ylabel("u(T)")

    return ctx.result(parts, details, plot)
