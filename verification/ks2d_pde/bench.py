"""Benchmark workload ``ks2d-minimal``: our 2D minimal Keller-Segel solver against py-pde at equal accuracy.

The problem ([SIPF] Eq. 1 with d = 2, parabolic-parabolic)::

    rho_t = mu Lap rho - chi div(rho grad c),    eps c_t = Lap c - k^2 c + rho,

on the periodic square ``[-L/2, L/2]^2`` (L = 8), mu = chi = eps = 1, k = 1/2, from two Gaussian
bumps (masses 4 pi and 3 pi, standard deviation 0.5, periodized by their images, so the start is smooth
and periodic to round-off) and the field in equilibrium with them, ``c0 = (k^2 - Lap)^{-1} rho0``;
each bump and the total (7 pi) below 8 pi (sub-critical: the bumps spread and drift together, the
solution stays smooth). Output time T = 0.5 (0.25 in quick mode).

Reference: a pseudo-spectral Fourier solver of the same PDE (2/3 dealiasing, integrating-factor
RK4, the linear parts ``-mu |q|^2`` and ``-(|q|^2 + k^2)/eps`` exact), independent of both methods;
its own error is estimated against a second run with twice the step and 3/4 of the modes per side,
and is reported. It gives the exact cell averages (each mode times ``sinc``) for our finite-volume solver
and the point values at cell centres for py-pde's finite differences, each method being compared
with what its unknowns mean. Error: relative discrete L2 error of rho at T,
``||rho - rho_ref||_2 / ||rho_ref||_2`` over the cells.

Methods.
- Ours (:mod:`continuum.ks2d_minimal`): finite volumes, minmod-limited reconstruction, upwinded
  chemotactic flux, Heun (SSP-RK2) with the step from the positivity bound (theta = 0.8), c by the
  exponential integrator of the five-point Laplacian's eigenmodes (FFT); numba kernel and its
  numpy twin. rho >= 0 is guaranteed by the step rule.
- py-pde (``pde.PDE`` with the expressions ``mu*laplace(rho) - chi*divergence(rho*gradient(c))`` and
  ``(laplace(c) - k**2*c + rho)/eps``, numba backend): central finite differences (five-point
  Laplacian; gradient and divergence by centred differences over 2h) and py-pde's default time
  stepper for ``solve`` without a step, the adaptive explicit Euler (``EulerSolver(adaptive=True)``,
  tolerance 1e-4 on the max-norm difference between one Euler step and two half steps, the two half
  steps kept). Nothing keeps rho >= 0; the smallest value it reaches is reported. Its stepper is
  built once per grid; the build (numba compilation) is timed and reported apart.

Rows, measured side by side in one process (numba compiled first, then the best of rounds that call
each method in turn, so a change of machine load hits all alike):
(a) on the one grid all methods share (n = 96; 48 in quick mode): wall time to T, steps, time per step
(ours: Heun steps, two transport evaluations and the FFTs of the c integrator each; py-pde: accepted
adaptive steps, two right-hand sides each); (b) at matched error: py-pde on its finest grid sets the
target error, and ours is timed on the coarsest grid of its ladder that reaches it (the two timed
again in interleaved rounds). py-pde runs on n = 48 and 96 (its observed order from the two); its
build (numba compilation of the operators and the stepper, per grid: measured 100-180 s per grid on
2 cores under a load of 1-4) is timed and kept out of every row's time.
Quick mode leaves py-pde out unless asked (``pypde=True``), since that build alone outlasts it.
"""

from __future__ import annotations

import math
import os
import time

import numba
import numpy as np
from scipy.special import ndtr

from continuum import ks2d_minimal as ks
from verification.timing import contention as contention_between
from verification.timing import cpu_snapshot, timed

L = 8.0
MU, CHI, EPS, K = 1.0, 1.0, 1.0, 0.5
CENTRES = ((-1.0, -0.5), (1.2, 0.7))
MASSES = (4.0 * math.pi, 3.0 * math.pi)
SIGMA = 0.5
PYPDE_RHO = "mu*laplace(rho) - chi*divergence(rho*gradient(c))"
PYPDE_C = "(laplace(c) - k**2*c + rho)/eps"


def params(n: int) -> ks.MinimalKS2DParams:
    """The bench problem on n x n cells (periodic, box field)."""
    return ks.MinimalKS2DParams(mu=MU, chi=CHI, eps=EPS, k=K, L=L, n=n, boundary="periodic")


def initial_rho(n: int, average: bool, sigma: float = SIGMA) -> np.ndarray:
    """The periodized two-bump start on n x n cells [mass/length^2]: exact cell averages or centre values.

    ``sigma`` is the bumps' standard deviation [length].
    """
    h = L / n
    x = -L / 2 + (np.arange(n) + 0.5) * h
    edges = -L / 2 + np.arange(n + 1) * h
    rho = np.zeros((n, n))
    for (x0, y0), m in zip(CENTRES, MASSES, strict=True):
        for sx in (-L, 0.0, L):
            for sy in (-L, 0.0, L):
                if average:
                    fx = np.diff(ndtr((edges - x0 - sx) / sigma)) / h
                    fy = np.diff(ndtr((edges - y0 - sy) / sigma)) / h
                else:
                    fx = np.exp(-0.5 * ((x - x0 - sx) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
                    fy = np.exp(-0.5 * ((x - y0 - sy) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
                rho += m * np.outer(fx, fy)
    return rho


# ----------------------------------------------------------------------------- spectral reference
def spectral_reference(N: int, T: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Fourier coefficients (fft2 on the N-point cell-centre grid) of rho and c at T.

    Pseudo-spectral, 2/3-dealiased products; integrating-factor RK4 for ``u' = Lam u + N(u)``
    with ``Lam = (-mu |q|^2, -(|q|^2 + k^2)/eps)`` and ``N = (-chi i q . F[rho grad c], rho_hat / eps)``.
    """
    q1 = 2 * np.pi * np.fft.fftfreq(N, d=L / N)
    qx, qy = np.meshgrid(q1, q1, indexing="ij")
    q2 = qx**2 + qy**2
    keep = (np.abs(q1) < (2.0 / 3.0) * np.abs(q1).max())
    mask = keep[:, None] & keep[None, :]
    lam_r, lam_c = -MU * q2, -(q2 + K * K) / EPS
    dt = T / steps

    def nonlin(rh, ch):
        rho = np.fft.ifft2(rh).real
        cx = np.fft.ifft2(1j * qx * ch).real
        cy = np.fft.ifft2(1j * qy * ch).real
        div = 1j * qx * np.fft.fft2(rho * cx) + 1j * qy * np.fft.fft2(rho * cy)
        return -CHI * div * mask, rh / EPS

    er, ec = np.exp(lam_r * dt), np.exp(lam_c * dt)
    er2, ec2 = np.exp(lam_r * dt / 2), np.exp(lam_c * dt / 2)
    rh = np.fft.fft2(initial_rho(N, average=False))
    ch = rh / (q2 + K * K)  # the start c0 = (k^2 - Lap)^{-1} rho0 (the field in equilibrium with rho0)
    for _ in range(steps):
        ar, ac = nonlin(rh, ch)
        br, bc = nonlin(er2 * (rh + dt / 2 * ar), ec2 * (ch + dt / 2 * ac))
        cr, cc = nonlin(er2 * rh + dt / 2 * br, ec2 * ch + dt / 2 * bc)
        dr, dc = nonlin(er * rh + dt * er2 * cr, ec * ch + dt * ec2 * cc)
        rh = er * rh + dt / 6 * (er * ar + 2 * er2 * (br + cr) + dr)
        ch = ec * ch + dt / 6 * (ec * ac + 2 * ec2 * (bc + cc) + dc)
    return rh, ch


def initial_c(n: int, N: int = 64, sigma: float = SIGMA) -> np.ndarray:
    """c0 = (k^2 - Lap)^{-1} rho0 at the n x n cell centres (spectral, from N points per side) [conc]."""
    q1 = 2 * np.pi * np.fft.fftfreq(N, d=L / N)
    q2 = q1[:, None] ** 2 + q1[None, :] ** 2
    return sample(np.fft.fft2(initial_rho(N, average=False, sigma=sigma)) / (q2 + K * K), n, average=False)


def sample(coef: np.ndarray, n: int, average: bool) -> np.ndarray:
    """The trigonometric interpolant of fft2 coefficients ``coef`` (N-point cell-centre grid) on n x n cells.

    Centre values, or exact cell averages (each mode times ``sinc(q h / 2 pi)``).
    """
    N = coef.shape[0]
    q1 = 2 * np.pi * np.fft.fftfreq(N, d=L / N)
    c = coef.copy()
    c[N // 2, :] = 0.0  # the Nyquist modes (negligible here) have no unique off-grid extension
    c[:, N // 2] = 0.0
    h = L / n
    shift = (np.arange(n) + 0.5) * h - 0.5 * L / N  # x'_i - x_0
    e = np.exp(1j * np.outer(shift, q1))
    if average:
        e = e * np.sinc(q1 * h / (2 * np.pi))[None, :]
    return (e @ c @ e.T).real / N**2


# ----------------------------------------------------------------------------- the methods
def _err(rho: np.ndarray, ref: np.ndarray) -> float:
    """Relative discrete L2 error ``||rho - ref|| / ||ref||`` [-]."""
    return float(np.linalg.norm(rho - ref) / np.linalg.norm(ref))


def _ours(n: int, T: float, backend: str, repeats: int) -> tuple[float, ks.MinimalKS2DRecord]:
    """Best wall time [s] of our solver from the bench start to T on n x n cells, and its record."""
    rho0, c0 = initial_rho(n, average=True), initial_c(n)
    best, _, rec = timed(lambda: ks.run(params(n), rho0, [T], c0, backend=backend), repeats)
    return best, rec


class _PyPDE:
    """py-pde's adaptive explicit Euler stepper for the bench PDE on n x n points, built once."""

    def __init__(self, n: int, dt0: float = 1e-3) -> None:
        import pde
        from pde.solvers import EulerSolver

        t0 = time.perf_counter()
        grid = pde.CartesianGrid([[-L / 2, L / 2], [-L / 2, L / 2]], [n, n], periodic=True)
        self.rho0, self.c0 = initial_rho(n, average=False), initial_c(n)
        self.state = pde.FieldCollection([pde.ScalarField(grid, self.rho0), pde.ScalarField(grid, self.c0)],
                                         labels=["rho", "c"])
        eq = pde.PDE({"rho": PYPDE_RHO, "c": PYPDE_C}, consts={"mu": MU, "chi": CHI, "k": K, "eps": EPS})
        # what eq.solve(state, T) uses when no dt is given: explicit Euler, adaptive (py-pde's default)
        self.solver = EulerSolver(eq, adaptive=True, backend="numba")
        self.dt0 = dt0
        self.stepper = self.solver.make_stepper(self.state, dt=dt0)
        self.stepper(self.state, 0.0, 1e-9)  # the first call compiles the right-hand side
        self.build_seconds = time.perf_counter() - t0
        self.n = n

    def run(self, T: float, chunks: int = 1) -> tuple[int, float]:
        """From the bench start to T in ``chunks`` calls; return (accepted steps, min rho at the chunk ends)."""
        self.state.data[0] = self.rho0
        self.state.data[1] = self.c0
        self.solver.info["dt"] = self.dt0
        s0 = self.solver.info["steps"]
        low, t = float(self.rho0.min()), 0.0
        for j in range(1, chunks + 1):
            t = self.stepper(self.state, t, T * j / chunks)
            low = min(low, float(self.state.data[0].min()))
        return self.solver.info["steps"] - s0, low

    @property
    def rho(self) -> np.ndarray:
        """The density at the cell centres now [mass/length^2]."""
        return self.state.data[0]


def _interleaved(fns: dict, rounds: int) -> dict:
    """Best wall time [s] and last value of each callable, over ``rounds`` rounds calling each once in turn."""
    best = {k: (math.inf, None) for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            value = fn()
            sec = time.perf_counter() - t0
            best[k] = (min(best[k][0], sec), value)
    return best


def _row(name: str, seconds: float, steps: int, base: float | None = None, notes: str = "", **extra) -> dict:
    r = {"name": name, "seconds": seconds, "steps_per_second": steps / seconds if seconds > 0 else math.nan,
         "ratio_vs_numpy": (base / seconds) if base else None, "notes": notes, "steps": steps}
    r.update(extra)
    return r


def _have_pypde() -> bool:
    try:
        import pde  # noqa: F401
    except ImportError:
        return False
    return True


def _order(ns: list[int], errs: list[float]) -> float:
    """Least-squares slope of -log(error) against log(n) [-] (the observed spatial order)."""
    return float(-np.polyfit(np.log(ns), np.log(errs), 1)[0]) if len(ns) >= 2 else math.nan


def ks2d_minimal(quick: bool = False, pypde: bool | None = None) -> dict:
    """Ours (numba and numpy) vs py-pde on the bench problem: per step on one grid, and to T at matched error.

    Parameters
    ----------
    quick : bool
        Short horizon, coarse grids, one repeat, and py-pde left out unless ``pypde=True`` (its
        numba build of this PDE alone takes minutes, see the module docstring).
    pypde : bool or None
        Include py-pde (None: if installed and not quick). Without py-pde its rows say SKIPPED.
    """
    T = 0.25 if quick else 0.5
    n_shared = 48 if quick else 96
    py_grids = (n_shared,) if quick else (48, n_shared)
    ours_ladder = (24, 32, 40, 48, 56, 64) if quick else (32, 40, 48, 56, 64, 72, 80, 88, 96, 112, 128)
    repeats = 1 if quick else 2
    installed = _have_pypde()
    use_py = installed and (pypde if pypde is not None else not quick)
    rows, ratios, notes = [], {}, []
    # -- reference (independent pseudo-spectral), with its own error estimate
    t0 = time.perf_counter()
    N, m = (64, 50) if quick else (96, 100)
    ref_r, _ = spectral_reference(N, T, m)
    chk_r, _ = spectral_reference(N * 3 // 4, T, m // 2)
    ref_seconds = time.perf_counter() - t0
    n_chk = max(ours_ladder[-1], n_shared)
    ref_self = _err(sample(chk_r, n_chk, True), sample(ref_r, n_chk, True))
    ref_avg = {n: sample(ref_r, n, True) for n in set(ours_ladder) | {n_shared}}
    ref_pt = {n: sample(ref_r, n, False) for n in py_grids}
    snap0 = cpu_snapshot()
    py = {}
    if use_py:  # build every stepper first (numba compilation, timed apart)
        for n in py_grids:
            py[n] = _PyPDE(n)
    # -- (a) one grid, all methods: time per step (rounds interleaved, so load drifts hit every method alike)
    for backend in ks.BACKENDS:  # compile / load the numba kernel; warm the shared grid's caches
        ks.run(params(n_shared), initial_rho(n_shared, True), [1e-3], initial_c(n_shared), backend=backend)
    rho0_s, c0_s = initial_rho(n_shared, average=True), initial_c(n_shared)
    fns = {"numpy": lambda: ks.run(params(n_shared), rho0_s, [T], c0_s, backend="numpy"),
           "numba": lambda: ks.run(params(n_shared), rho0_s, [T], c0_s, backend="numba")}
    if use_py:
        fns["py-pde"] = lambda: py[n_shared].run(T)
    best = _interleaved(fns, repeats + 1)
    (s_np, rec_np), (s_nb, rec_nb) = best["numpy"], best["numba"]
    twin = float(np.max(np.abs(rec_nb.rho[-1] - rec_np.rho[-1])))
    for label, sec, rec in (("numpy twin", s_np, rec_np), ("numba", s_nb, rec_nb)):
        e = _err(rec.rho[-1], ref_avg[n_shared])
        rows.append(_row(f"(a) ours {label} n={n_shared}", sec, rec.n_steps, s_np,
                         f"{1e6 * sec / rec.n_steps:.0f} us/step; rel. L2 error {e:.2e}; min rho {rec.min_rho:.1e}",
                         error=e, min_rho=rec.min_rho, n=n_shared))
    ratios["(a) numba vs numpy twin, max |diff| of rho(T)"] = twin
    if use_py:
        for n in py_grids:
            if n == n_shared:
                s_py, (steps, _) = best["py-pde"]
                py[n].run(T)  # leave its state at T
            else:
                s_py, _, (steps, _) = timed(lambda n=n: py[n].run(T), repeats)
            e_py = _err(py[n].rho, ref_pt[n])
            e_avg = _err(py[n].rho, sample(ref_r, n, True))
            _, low = py[n].run(T, chunks=100)
            py[n].result = (s_py, steps, e_py, low, e_avg)
        s_py, steps, e_py, low, e_avg = py[n_shared].result
        rows.append(_row(f"(a) py-pde n={n_shared}", s_py, steps, s_np,
                         f"{1e6 * s_py / steps:.0f} us/step (adaptive Euler, accepted steps); rel. L2 error "
                         f"{e_py:.2e} vs centre values ({e_avg:.2e} vs cell averages); min rho {low:.1e} (start "
                         f"{py[n_shared].rho0.min():.1e}); build "
                         f"{py[n_shared].build_seconds:.3g} s apart", error=e_py, error_vs_cell_averages=e_avg,
                         min_rho=low, n=n_shared, build_seconds=py[n_shared].build_seconds))
        ratios["(a) per step: py-pde / ours numba"] = (s_py / steps) / (s_nb / rec_nb.n_steps)
        ratios["(a) steps to T: py-pde / ours"] = steps / rec_nb.n_steps
        ratios["(a) to T on the same grid: py-pde / ours numba"] = s_py / s_nb
    else:
        why = "not installed (optional extra: pip install activebench[bench])" if not installed else \
            "left out in quick mode (its numba build of this PDE takes minutes; pass pypde=True or run without --quick)"
        rows.append({"name": f"(a) py-pde n={n_shared}", "seconds": math.nan, "steps_per_second": math.nan,
                     "ratio_vs_numpy": None, "notes": f"SKIPPED: py-pde {why}"})
    # -- (b) to T at matched error
    ladder = []
    for n in ours_ladder:
        if n == n_shared:
            sec, rec = s_nb, rec_nb
        else:
            sec, rec = _ours(n, T, "numba", repeats)
        ladder.append({"method": "ours numba", "n": n, "seconds": sec, "steps": rec.n_steps,
                       "error": _err(rec.rho[-1], ref_avg[n]), "min_rho": rec.min_rho})
    for n in py_grids if use_py else ():
        s_py, steps, e_py, low, e_avg = py[n].result
        ladder.append({"method": "py-pde", "n": n, "seconds": s_py, "steps": steps, "error": e_py, "min_rho": low,
                       "error_vs_cell_averages": e_avg, "build_seconds": py[n].build_seconds})
    ours_l = [z for z in ladder if z["method"] == "ours numba"]
    ratios["(b) ours observed spatial order"] = _order([z["n"] for z in ours_l], [z["error"] for z in ours_l])
    if use_py:
        py_l = [z for z in ladder if z["method"] == "py-pde"]
        if len(py_l) >= 2:
            ratios["(b) py-pde observed spatial order"] = _order([z["n"] for z in py_l], [z["error"] for z in py_l])
        target = py_l[-1]["error"]  # py-pde on its finest grid sets the target
        mine = next((z for z in ours_l if z["error"] <= target), None)
        rows.append(_row(f"(b) py-pde n={py_l[-1]['n']} (sets the target)", py_l[-1]["seconds"], py_l[-1]["steps"],
                         None, f"rel. L2 error {target:.2e} = target; build {py_l[-1]['build_seconds']:.3g} s apart",
                         error=target, n=py_l[-1]["n"]))
        if mine is None:
            rows.append({"name": "(b) ours numba at the target", "seconds": math.nan, "steps_per_second": math.nan,
                         "ratio_vs_numpy": None,
                         "notes": f"no grid of the ladder up to n={ours_l[-1]['n']} reaches {target:.2e}"})
        else:  # the two at the target, timed again in interleaved rounds
            n_m = mine["n"]
            rho0_m, c0_m = initial_rho(n_m, average=True), initial_c(n_m)
            pair = _interleaved({"ours": lambda: ks.run(params(n_m), rho0_m, [T], c0_m, backend="numba"),
                                 "py-pde": lambda: py[py_l[-1]["n"]].run(T)}, repeats + 1)
            s_m, s_p = pair["ours"][0], pair["py-pde"][0]
            rows[-1].update(seconds=s_p, steps_per_second=py_l[-1]["steps"] / s_p)
            rows.append(_row(f"(b) ours numba n={n_m} (coarsest at the target)", s_m, mine["steps"],
                             None, f"rel. L2 error {mine['error']:.2e} <= {target:.2e}", error=mine["error"], n=n_m))
            ratios["(b) to T at matched error: py-pde / ours numba"] = s_p / s_m
    else:
        target = ours_l[-1]["error"]
        rows.append(_row(f"(b) ours numba n={ours_l[-1]['n']}", ours_l[-1]["seconds"], ours_l[-1]["steps"], None,
                         f"rel. L2 error {target:.2e} (py-pde skipped: no matched-error comparison)",
                         error=target, n=ours_l[-1]["n"]))
    contention = contention_between(snap0, cpu_snapshot())
    ratios["reference self-error estimate (rel. L2)"] = ref_self
    ratios["reference build s (spectral, two resolutions)"] = ref_seconds
    notes.append("error: relative discrete L2 error of rho(T) against a pseudo-spectral reference (IF-RK4, 2/3 "
                 f"dealiasing; N = {N}, {m} steps; self-error {ref_self:.1e} vs N = {N * 3 // 4}, {m // 2} steps); "
                 "ours against exact cell averages, py-pde against centre values")
    notes.append("ours: finite volumes, minmod + upwind, Heun with the positivity step (theta = 0.8), exponential "
                 "integrator for c; py-pde: central differences (Lap 5-point, grad/div over 2h), py-pde's default "
                 "stepper for solve() without dt: explicit Euler, adaptive (tolerance 1e-4, one step vs two half "
                 "steps, the half steps kept); py-pde's steps are accepted steps (2 right-hand sides each)")
    notes.append("min rho of py-pde: the smallest value at 100 equally spaced times (nothing in its scheme keeps "
                 "rho >= 0); ours: over every step (rho >= 0 by the step rule)")
    return {"workload": "ks2d-minimal",
            "description": f"2D minimal Keller-Segel, periodic L = {L:g}, mu = chi = eps = 1, k = {K:g}, two "
            f"Gaussian bumps (4 pi + 3 pi), c0 in equilibrium, to T = {T:g}: ours vs py-pde at equal accuracy",
            "config": {"timing": "best of interleaved rounds after warm-up", "numba_threads": numba.get_num_threads(),
                       "quick": quick, "cpu_count": os.cpu_count(), "py_pde": installed, "py_pde_run": use_py,
                       "T": T, "shared_grid": n_shared, "repeats": repeats,
                       "cpu_contention": contention},
            "rows": rows, "ratios": ratios, "ladder": ladder, "notes": notes}


WORKLOADS = {"ks2d-minimal": ks2d_minimal}
