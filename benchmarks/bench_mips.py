"""asv benchmarks of the MIPS solvers ([MIPS] §4-6).

* ``MipsCahnHilliard``: one step-batch of each 2D Cahn-Hilliard scheme on the seed grid (128²,
  kappa = 1e-4) -- numpy baseline (seed algorithm), numba explicit, semi-implicit spectral
  (order 1 and SBDF2).
* ``MipsWalkers``: the density-dependent walker kernel (1D and 2D).
* ``MipsOrders``: fitted temporal order of the semi-implicit schemes and spatial order of the
  five-point scheme (``track_``).
* ``MipsSeedWorkloadSlow``: the seed's full run (8000 steps) with numpy and numba; only with
  ``ACTIVEBENCH_ASV_SLOW=1``.
"""

import os

import numpy as np

from agents.mips import MipsWalkerParams, advance, initial_state, linear_speed
from continuum import cahn_hilliard as ch

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
SEED_P = ch.CahnHilliardParams()
DT = 20.0 / 8000


def _numpy_seed(g, p, dt, n):
    from verification.mips.cases import seed_numpy_baseline

    return seed_numpy_baseline(g, p, dt, n)


class MipsCahnHilliard:
    """200 steps of dt = 0.0025 on the seed grid (a fortieth of the seed's run)."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    params = (["numpy_seed", "numba_explicit", "semi_implicit_1", "semi_implicit_2"],)
    param_names = ["scheme"]
    timeout = 120

    def setup(self, scheme):
        self.g0 = ch.initial_field(SEED_P, 1.2, 0.025, 1)
        self.fn = {
            "numpy_seed": lambda g, n: _numpy_seed(g, SEED_P, DT, n),
            "numba_explicit": lambda g, n: ch.advance_explicit(g, SEED_P, DT, n),
            "semi_implicit_1": lambda g, n: ch.advance_semi_implicit(g, SEED_P, DT, n, order=1),
            "semi_implicit_2": lambda g, n: ch.advance_semi_implicit(g, SEED_P, DT, n, order=2),
        }[scheme]
        self.fn(self.g0, 2)  # compile / load the numba cache first

    def time_steps(self, scheme):
        self.fn(self.g0, 200)

    def peakmem_steps(self, scheme):
        self.fn(self.g0, 200)


class MipsWalkers:
    """50 steps of 2e4 walkers (v = v0 max(0, 1 - rho~/g*), kernel 3 cells)."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    params = ([1, 2],)
    param_names = ["dim"]
    timeout = 120

    def setup(self, dim):
        self.p = MipsWalkerParams(dim=dim, length=100.0 if dim == 1 else 50.0, n_cells=200 if dim == 1 else 100,
                                  speed=linear_speed(1.0, 400.0 if dim == 1 else 16.0), rho_max=1200.0)
        self.state = initial_state(self.p, 20000, 3)
        advance(self.p, initial_state(self.p, 10, 1), 0.02, 1)

    def time_advance(self, dim):
        advance(self.p, self.state, 0.02, 50)

    def peakmem_advance(self, dim):
        advance(self.p, self.state, 0.02, 50)


def _fit(hs, errs):
    return float(np.polyfit(np.log(hs), np.log(errs), 1)[0])


class MipsOrders:
    """Fitted convergence orders (small grids, a fraction of a second each)."""

    timeout = 300

    def setup(self):
        self.p = ch.CahnHilliardParams(length=2.0, n=32, kappa=1e-3)
        x = (np.arange(32) + 0.5) * self.p.dx * 2 * np.pi / self.p.length
        # smooth start (a few low modes): the asymptotic temporal regime is reached at moderate dt
        self.g0 = 1.2 + 0.2 * np.cos(x)[:, None] * np.cos(x)[None, :] + 0.1 * np.sin(2 * x)[:, None]

    def _temporal(self, order):
        ref = ch.advance_semi_implicit(self.g0, self.p, 1.25e-4, 1600, order=2)
        dts = [4e-3, 2e-3, 1e-3]
        errs = [np.abs(ch.advance_semi_implicit(self.g0, self.p, d, int(round(0.2 / d)), order=order) - ref).max()
                for d in dts]
        return _fit(dts, errs)

    def track_semi_implicit_order1_temporal(self):
        return abs(self._temporal(1) - 1.0)

    # lower is better: the distance of the fitted order from the expected 1 (version 2;
    # version 1 tracked the raw order, which asv compare read as lower-is-better)
    track_semi_implicit_order1_temporal.unit = "|fitted order - 1|"
    track_semi_implicit_order1_temporal.version = 2

    def track_sbdf2_temporal(self):
        return abs(self._temporal(2) - 2.0)

    # lower is better: the distance of the fitted order from the expected 2 (version 2;
    # version 1 tracked the raw order, which asv compare read as lower-is-better)
    track_sbdf2_temporal.unit = "|fitted order - 2|"
    track_sbdf2_temporal.version = 2

    def track_five_point_spatial(self):
        """Spatial order of the five-point scheme: one smooth mode, linear regime, vs the exact mode decay."""
        errs, hs = [], []
        for n in (16, 32, 64):
            p = ch.CahnHilliardParams(length=2.0, n=n, kappa=1e-2)
            x = (np.arange(n) + 0.5) * p.dx
            g0 = 0.5 + 1e-6 * np.cos(2 * np.pi * x / p.length)[:, None] * np.ones(n)[None, :]
            t = 0.01
            dt = 0.2 * ch.explicit_dt_limit(p, 0.4, 0.6)
            steps = int(np.ceil(t / dt))
            g = ch.advance_explicit(g0, p, t / steps, steps)
            k2 = (2 * np.pi / p.length) ** 2
            rate = -p.mobility * k2 * (float(ch.f_second(np.array(0.5), p)) + p.kappa * k2)
            exact = 0.5 + 1e-6 * np.exp(rate * t) * np.cos(2 * np.pi * x / p.length)[:, None]
            errs.append(np.abs(g - exact).max() / 1e-6)
            hs.append(p.dx)
        return abs(_fit(hs, errs) - 2.0)

    # lower is better: the distance of the fitted order from the expected 2 (version 2;
    # version 1 tracked the raw order, which asv compare read as lower-is-better)
    track_five_point_spatial.unit = "|fitted order - 2|"
    track_five_point_spatial.version = 2


class MipsSeedWorkloadSlow:
    """The seed's full run, 8000 steps on 128² (numpy seed algorithm vs numba)."""

    # Skipped without ACTIVEBENCH_ASV_SLOW=1: then a single round (one import), not three.
    rounds, repeat, warmup_time = ROUNDS if SLOW else 1, REPEAT, WARMUP_TIME

    params = (["numpy_seed", "numba_explicit"],)
    param_names = ["scheme"]
    timeout = 300

    def setup(self, scheme):
        if not SLOW:
            raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")
        self.g0 = ch.initial_field(SEED_P, 1.2, 0.025, 1)
        ch.advance_explicit(self.g0, SEED_P, DT, 2)

    def time_seed_run(self, scheme):
        if scheme == "numpy_seed":
            _numpy_seed(self.g0, SEED_P, DT, 8000)
        else:
            ch.advance_explicit(self.g0, SEED_P, DT, 8000)
