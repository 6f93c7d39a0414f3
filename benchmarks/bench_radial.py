"""asv benchmarks of the radial 3D Keller-Segel solver and the 2D KS particles ([SIPF]).

Radial: paper parameters (mu = chi = 1, eps = 1e-4, k = 0.1, R = 20), M0 = 40, to t = 0.05 on
n_r = 2000 (dt = 1e-4) and 20000 (dt = 1e-5, only with ``ACTIVEBENCH_ASV_SLOW=1``). Particles:
P = 64, 64 replicas, 100 steps. Tracked: the fitted spatial order of the radial scheme, and the ns per
radial cell-step of the numba kernel on the paper's grid (issue 14).
"""

import math
import os
import time

import numpy as np

from agents.ks2d_particles import KS2DParticleParams, gaussian_start, simulate
from continuum.radial_ks3d import RadialGrid3D, RadialKSParams, run_radial
from verification import stats

SLOW = os.environ.get("ACTIVEBENCH_ASV_SLOW") == "1"

# Timing policy of every time_ benchmark here (asv attributes; measured noise and commands in the README's
# Benchmarks section). The kernels are compiled (or loaded from numba's cache) in setup. Each of ROUNDS
# processes (asv runs round 3 of every benchmark, then round 2, ... so a run's samples spread over its whole
# duration) warms up for WARMUP_TIME seconds (at least one call), then takes 4 to 6 one-call samples, stopping
# after 4 once 4 s have passed: 12-18 samples per benchmark, enough for the Mann-Whitney test `asv compare`
# applies to recorded samples (`--record-samples`; it cannot reach p < 0.002 with 6 samples a side).
# `asv run --quick` overrides all of this with one sample: do not use it for history.
ROUNDS = 3
REPEAT = (4, 6, 4.0)  # (min samples, max samples, seconds after which to stop once min is reached) per round
WARMUP_TIME = 0.3  # seconds
BASE = RadialKSParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, radius=20.0, mass=40.0)


class RadialKS3D:
    """Radial solver, numba kernel and numpy/solve_banded twin."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    params = ([2000, 20000],)
    param_names = ["n_r"]
    timeout = 300

    def setup(self, n_r):
        if n_r > 2000 and not SLOW:
            raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")
        self.p = BASE.replace(n_r=n_r, dt=1e-4 if n_r == 2000 else 1e-5)
        run_radial(self.p.replace(n_r=64), 5 * self.p.dt)

    def time_numba(self, n_r):
        run_radial(self.p, 0.05)

    def peakmem_numba(self, n_r):
        run_radial(self.p, 0.05)

    def time_numpy_twin_50_steps(self, n_r):
        run_radial(self.p, 50 * self.p.dt, backend="numpy")


class KS2DParticles:
    """Euler-Maruyama pair-drift kernel, many replicas."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    timeout = 120

    def setup(self):
        self.p = KS2DParticleParams(mass=12 * math.pi, n_particles=64, dt=1e-3)
        self.x0 = gaussian_start(self.p, 64, 1)
        simulate(self.p, self.x0[:2], 2, seed=1)
        simulate(self.p, self.x0, 2, seed=1)

    def time_simulate(self):
        simulate(self.p, self.x0, 100, seed=3)

    def peakmem_simulate(self):
        simulate(self.p, self.x0, 100, seed=3)


class RadialConvergence:
    """Fitted spatial order of the radial scheme (M0 = 20, R = 10, T = 0.1, L1 error vs 4x finer grid; expected 2)."""

    timeout = 300

    def setup(self):
        run_radial(BASE.replace(n_r=64), 1e-3)

    def track_spatial_order(self):
        T, R = 0.1, 10.0
        p = BASE.replace(radius=R, mass=20.0, dt=1e-4)
        cells = np.array([250, 500, 1000])
        n_ref = 4000
        ref = run_radial(p.replace(n_r=n_ref), T).profiles[T][0]
        g_ref = RadialGrid3D.build(R, n_ref)
        err = []
        for n in cells:
            g = RadialGrid3D.build(R, int(n))
            rho = run_radial(p.replace(n_r=int(n)), T).profiles[T][0]
            rbar = (ref * g_ref.volumes).reshape(int(n), n_ref // int(n)).sum(axis=1) / g.volumes
            err.append(4 * math.pi * np.sum(g.volumes * np.abs(rho - rbar)))
        order, _ = stats.fit_order(R / cells, np.array(err))
        return abs(order - 2.0)  # second order where |Pe| <= 2

    # lower is better: the distance of the fitted order from the expected 2 (version 2;
    # version 1 tracked the raw order, which asv compare read as lower-is-better)
    track_spatial_order.unit = "|fitted order - 2|"
    track_spatial_order.version = 2


class RadialCellStep:
    """ns per cell-step of the radial numba kernel on the paper's grid (n_r = 2e5, dt = 1e-5, M0 = 40), 1 thread.

    One cell-step is one cell of one backward-Euler step (both tridiagonal solves, [SIPF] Eqs. 44-45). Measured
    as the CPU time of this process over 50 steps (1e7 cell-steps, ~0.1 s), the least of 3 runs: CPU time and
    the minimum keep other processes on the machine out of the number as far as they can be kept out.
    """

    timeout = 300

    def setup(self):
        self.p = BASE.replace(n_r=200_000, dt=1e-5)
        run_radial(self.p.replace(n_r=64), 5 * self.p.dt)

    def track_ns_per_cell_step(self):
        best = math.inf
        n_steps = 50
        for _ in range(3):
            c0 = time.process_time()
            run_radial(self.p, n_steps * self.p.dt, n_series=10)
            best = min(best, time.process_time() - c0)
        return 1e9 * best / (n_steps * self.p.n_r)

    # lower is better
    track_ns_per_cell_step.unit = "ns per cell-step"
    track_ns_per_cell_step.version = "radial-cell-step-1"
