"""asv benchmarks of the Keller-Segel solvers ([CHEMOTAXIS] §6, [SIPF] Eq. 1 in 2D) and a tracked convergence order.

1D: seed grid (L = 100, 200 cells), D_u = 1, D_v = 20, a = 1, chi0 = 40. The seed
algorithm (numpy) is timed to T = 4 (it blows up at t ~ 6); the finite-volume numba
kernel to the seed's T = 100. 2D: the VisualPDE preset (D = 1, a = 0.1, c = 4) on
64^2 cells to t = 20; 128^2 to t = 100 only with ``ACTIVEBENCH_ASV_SLOW=1``. 2D minimal model
(continuum.ks2d_minimal): parabolic-elliptic, two sub-critical bumps (4 pi, 3 pi), 64^2 cells on
L = 8 to t = 0.2, with the periodic box field (FFT) and with the free-space field (2n x 2n FFT).
"""

import os

import numpy as np

from continuum import ks2d_minimal
from continuum.keller_segel import KellerSegel1DParams, KellerSegel2DParams, fv_run, ks2d_run, seed_scheme_run
from verification import stats
from verification.keller_segel import derivation as deriv
from verification.keller_segel.cases import SEED_1D, measure_growth_1d

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


def _seed_start(chi0=40.0):
    params = KellerSegel1DParams(chi0=chi0)
    rng = np.random.default_rng(12345)
    u0 = 1.0 + 0.01 * (rng.random(params.n_cells) - 0.5)
    return params, u0, u0 / params.decay


class KellerSegel1D:
    """Seed 001 §6.4 workload: finite volume (numba, T = 100) and the seed algorithm (numpy, T = 4)."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    timeout = 120

    def setup(self):
        self.params, self.u0, self.v0 = _seed_start()
        fv_run(self.params, self.u0, self.v0, [0.01])

    def time_fv_numba_T100(self):
        fv_run(self.params, self.u0, self.v0, [100.0])

    def peakmem_fv_numba_T100(self):
        fv_run(self.params, self.u0, self.v0, [100.0])

    def time_seed_numpy_T4(self):
        seed_scheme_run(self.params, self.u0, self.v0, 4.0, 800)

    def time_fv_numpy_T4(self):
        fv_run(self.params, self.u0, self.v0, [4.0], backend="numpy")


class KellerSegel2D:
    """VisualPDE preset, random start around (1, 1/a), finite volume (numba)."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    params = ([64, 128],)
    param_names = ["n"]
    timeout = 300

    def setup(self, n):
        if n > 64 and not SLOW:
            raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")
        self.model = KellerSegel2DParams(length=100.0, n=n)
        rng = np.random.default_rng(1)
        self.u0 = 1.0 + 0.01 * rng.random((n, n))
        self.v0 = self.u0 / self.model.decay
        self.t_end = 20.0 if n == 64 else 100.0
        ks2d_run(self.model, self.u0, self.v0, [0.01])

    def time_ks2d(self, n):
        ks2d_run(self.model, self.u0, self.v0, [self.t_end])

    def peakmem_ks2d(self, n):
        ks2d_run(self.model, self.u0, self.v0, [self.t_end])


class KellerSegelConvergence:
    """Fitted order of the growth-rate error |sigma_measured - sigma(k)| in dx (mode 8, chi0 = 25; expected 2)."""

    timeout = 300

    def setup(self):
        fv_run(KellerSegel1DParams(n_cells=16), np.ones(16), np.ones(16), [0.01])

    def track_growth_rate_order(self):
        from continuum.keller_segel import fv_solver

        num = deriv.numeric()
        times = np.linspace(1.0, 4.0, 13)
        cells = np.array([100, 200, 400])
        err = []
        for n in cells:
            p = KellerSegel1DParams(**{**SEED_1D, "n_cells": int(n)}, chi0=25.0)
            rate, _, _ = measure_growth_1d(fv_solver, p, 8, times)
            err.append(abs(rate - num.sigma1d(p.wavenumber(8) ** 2, 1.0, 20.0, 25.0, 1.0, 1.0)))
        order, _ = stats.fit_order(100.0 / cells, np.array(err))
        return abs(order - 2.0)  # second order in space

    # lower is better: the distance of the fitted order from the expected 2 (version 2;
    # version 1 tracked the raw order, which asv compare read as lower-is-better)
    track_growth_rate_order.unit = "|fitted order - 2|"
    track_growth_rate_order.version = 2


class MinimalKS2D:
    """2D minimal Keller-Segel finite volumes (numba kernel): one run to t = 0.2 on 64^2 cells, per field kind."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    params = (["box", "free"],)
    param_names = ["field"]
    timeout = 120

    def setup(self, field):
        boundary = "periodic" if field == "box" else "neumann"
        self.model = ks2d_minimal.MinimalKS2DParams(L=8.0, n=64, field=field, boundary=boundary)
        self.rho0 = ks2d_minimal.gaussian_bumps(self.model, [[-1.0, 0.0], [1.2, 0.5]], [4 * np.pi, 3 * np.pi],
                                                [0.5, 0.5])
        ks2d_minimal.run(self.model, self.rho0, [0.0, 0.01])

    def time_run(self, field):
        ks2d_minimal.run(self.model, self.rho0, [0.2])
