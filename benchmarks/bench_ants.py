"""asv benchmarks for [ANTS] ("ants"): Metropolis annealing of Eq. (46) and the radial disc PDE.

Fast cases use a tenth of the seed's MC steps per temperature; the full schedule
(51 T x 1.5e4 MC steps x 20 samples) only runs with ``ACTIVEBENCH_ASV_SLOW=1``.
"""

import os

import numpy as np
from scipy.special import j0, jn_zeros

from continuum.disc import DiscSolver, RadialGrid, ftcs_paper
from continuum.normal_modes import anneal, geometric_schedule
from verification import stats
from verification.ants.cases import PAPER, modal_model

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
J11 = float(jn_zeros(1, 1)[0])


def _require_slow():
    if not SLOW:
        raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")


class Metropolis:
    """Annealing at f0 = 5 with 1.5e3 MC steps per T (a tenth of the seed's), 20 samples."""

    # 3-6 s a call: 4 samples in each of the 3 rounds (12 a run, as the others' minimum), no warm-up beyond
    # setup's short anneal (which compiles the kernel).
    rounds, repeat, warmup_time = ROUNDS, (4, 4, 60.0), 0.0
    timeout = 180

    def setup(self):
        self.model = modal_model(PAPER.replace(f0=5.0))
        self.temps = geometric_schedule()
        anneal(self.model, self.temps, 2, 2, 1, 5.0)

    def time_anneal(self):
        anneal(self.model, self.temps, 1500, 20, 3, 5.0)

    def peakmem_anneal(self):
        anneal(self.model, self.temps, 1500, 20, 3, 5.0)


class MetropolisSeedSchedule:
    """The seed's full schedule (slow)."""

    # ~60 s a call: 3 samples in each of the 3 rounds, no warm-up beyond setup.
    # Skipped without ACTIVEBENCH_ASV_SLOW=1: then a single round (one import), not three.
    rounds, repeat, warmup_time = ROUNDS if SLOW else 1, (3, 3, 600.0), 0.0
    timeout = 600

    def setup(self):
        _require_slow()
        Metropolis.setup(self)

    def time_anneal_full(self):
        anneal(self.model, self.temps, 15000, 20, 3, 5.0)


class DiscPDE:
    """Stable split scheme (200 cells, dt = 1e-4) and the seed's FTCS (200 nodes, dt = 1e-7) to t = 0.01."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    def setup(self):
        self.p = PAPER.replace(f0=4.0)
        self.solver = DiscSolver(self.p, 200)
        g = self.solver.grid
        self.r0, self.c0 = 1.0 + 0.5 * j0(J11 * g.r), np.full(200, 4.0)
        self.rn = np.linspace(0, 1, 200)
        self.solver.run(self.r0, self.c0, 1e-4, 2)
        ftcs_paper(self.p, 1.0 + 0.5 * j0(J11 * self.rn), np.full(200, 4.0), 1e-7, 2)

    def time_split(self):
        self.solver.run(self.r0, self.c0, 1e-4, 100)

    def time_ftcs(self):
        ftcs_paper(self.p, 1.0 + 0.5 * j0(J11 * self.rn), np.full(200, 4.0), 1e-7, 100_000)

    def peakmem_split(self):
        self.solver.run(self.r0, self.c0, 1e-4, 100)


class DiscOrders:
    """Fitted convergence orders of the split scheme in dt (E_01 at t = 0.05 vs dt = 1e-6 reference)."""

    def setup(self):
        self.p = PAPER.replace(f0=4.0)

    def _e01(self, n, dt, t_end=0.05):
        s = DiscSolver(self.p, n)
        g: RadialGrid = s.grid
        phi = j0(J11 * g.r)
        rho, _, _ = s.run(1.0 + 0.5 * phi, np.full(n, 4.0), dt, round(t_end / dt))
        return float(np.sum(g.volumes * (rho - 1.0) * phi) / np.sum(g.volumes * phi**2))

    def track_dt_order(self):
        ref = self._e01(100, 1e-6)
        dts = np.array([4e-3, 2e-3, 1e-3, 5e-4])
        err = np.array([abs(self._e01(100, dt) - ref) for dt in dts])
        return abs(stats.fit_order(dts, err)[0] - 1.0)  # backward-Euler split: order 1

    # lower is better: the distance of the fitted order from the expected 1 (version 2;
    # version 1 tracked the raw order, which asv compare read as lower-is-better)
    track_dt_order.unit = "|fitted order - 1|"
    track_dt_order.version = 2
