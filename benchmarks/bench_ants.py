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
J11 = float(jn_zeros(1, 1)[0])


def _require_slow():
    if not SLOW:
        raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")


class Metropolis:
    """Annealing at f0 = 5 with 1.5e3 MC steps per T (a tenth of the seed's), 20 samples."""

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

    timeout = 600

    def setup(self):
        _require_slow()
        Metropolis.setup(self)

    def time_anneal_full(self):
        anneal(self.model, self.temps, 15000, 20, 3, 5.0)


class DiscPDE:
    """Stable split scheme (200 cells, dt = 1e-4) and the seed's FTCS (200 nodes, dt = 1e-7) to t = 0.01."""

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
        return stats.fit_order(dts, err)[0]

    track_dt_order.unit = "order"
    track_dt_order.version = 1
