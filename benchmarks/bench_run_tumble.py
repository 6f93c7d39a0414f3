"""asv benchmarks of the run-and-tumble kernels and of two convergence figures.

Workload of [CHEMOTAXIS] §4.3 (see ``verification.rt1d.bench``): 5000 walkers, v0 = 20,
L = 200, reflecting walls, alpha_pm(x) = max(0, 1 ± 2 tanh(x/(L/4))), start uniform
on [-1, 1], fair directions.

Slow cases (the full fixed-dt run, the numpy baseline, the per-agent Mesa model)
only run with ``ACTIVEBENCH_ASV_SLOW=1``; otherwise their ``setup`` raises
``NotImplementedError``, which asv reports as skipped.
"""

import os

import numpy as np

from agents.run_tumble import TwoStateWalkerParams, advance, initial_state, schnitzer, simulate
from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd
from continuum.fokker_planck import FluxFormFPE
from continuum.master_equation import TwoStateMasterEquation
from verification import stats
from verification.rt1d.cases import fpe_limit_distances, seed001_rates

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

SPEED, LENGTH, DT, SEED = 20.0, 200.0, 0.01, 12345


def _seed001_state(n_walkers):
    plus, minus = seed001_rates(LENGTH)
    params = TwoStateWalkerParams(SPEED, plus, minus, LENGTH, "reflecting")
    x0, s0 = initial_state(params, n_walkers, SEED, x0=(-1.0, 1.0))
    return params, x0, s0


def _require_slow():
    if not SLOW:
        raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")


class RunTumble1D:
    """Seed 001 §4.3 walkers advanced by the numba kernels.

    The event kernel runs the seed's full T = 40; the fixed-dt kernel runs T = 4
    (400 steps of dt = 0.01, a tenth of the seed's 4000) to keep ``asv run`` fast --
    its cost is linear in the number of steps. The full fixed-dt run is in
    :class:`SeedWorkloadSlow`.
    """

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    params = (["event", "fixed"], [5000])
    param_names = ["method", "n_walkers"]
    timeout = 120

    def setup(self, method, n_walkers):
        self.model, x0, s0 = _seed001_state(n_walkers)
        self.tau0 = self.model.tau_of(x0)
        self.s0 = s0.astype(np.int8)
        self.t_end = 40.0 if method == "event" else 4.0
        # Compile (or load from numba's cache) before timing.
        advance(self.model, self.tau0[:8].copy(), self.s0[:8].copy(), 0.1, SEED, method, DT)

    def time_advance(self, method, n_walkers):
        advance(self.model, self.tau0.copy(), self.s0.copy(), self.t_end, SEED, method, DT)

    def peakmem_advance(self, method, n_walkers):
        advance(self.model, self.tau0.copy(), self.s0.copy(), self.t_end, SEED, method, DT)


class RunTumbleND:
    """Isotropic run-and-tumble in 2D and 3D, exact event kernel, 20000 walkers to t = 10."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    params = ([2, 3],)
    param_names = ["dim"]
    timeout = 120

    def setup(self, dim):
        self.model = RunTumbleNDParams(dim=dim, speed=1.0, tumble_rate=1.0)
        simulate_nd(self.model, 8, [0.1], SEED)

    def time_simulate_nd(self, dim):
        simulate_nd(self.model, 20_000, [10.0], SEED)


class MasterEquation:
    """Two-state master-equation solver on the [CHEMOTAXIS] §4.3 model (4000 cells, to t = 1)."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    timeout = 120

    def setup(self):
        plus, minus = seed001_rates(LENGTH)
        self.me = TwoStateMasterEquation(SPEED, plus, minus, LENGTH, "reflecting", 4000)
        self.state0 = self.me.initial(lambda x: 0.5 * np.clip((x + 1.0) / 2.0, 0, 1),
                                      lambda x: 0.5 * np.clip((x + 1.0) / 2.0, 0, 1))
        self.me.evolve(self.state0, [self.me.dt])

    def time_evolve(self):
        self.me.evolve(self.state0, [1.0])


class Convergence:
    """Deterministic accuracy figures, tracked so a regression in accuracy shows in the history."""

    timeout = 300

    def track_fpe_limit_order(self):
        # Fitted order of |master equation - effective FPE|_1 in 1/alpha (expected 1; check rt1d.fpe_limit).
        alphas = np.array([8.0, 16.0, 32.0, 64.0])
        dist = fpe_limit_distances(alphas, 1.0, TwoStateMasterEquation, FluxFormFPE)
        order, _ = stats.fit_order(1.0 / alphas, dist)
        return abs(order - 1.0)

    # lower is better: the distance of the fitted order from the expected 1 (version 2;
    # version 1 tracked the raw order, which asv compare read as lower-is-better)
    track_fpe_limit_order.unit = "|fitted order - 1|"
    track_fpe_limit_order.version = 2

    def track_msd_diffusivity_rel_error(self):
        # Schnitzer walkers v0 = 2, alpha = 4 (as check rt1d.diffusivity), 100k walkers, fixed seed:
        # |relative error| of the MSD slope between t = 5 and 25 vs the exact finite-time value.
        from verification.rt1d import derivation as deriv

        v0, alpha, t1, t2, n = 2.0, 4.0, 5.0, 25.0, 100_000
        params = schnitzer(v0, alpha, 1000.0, "periodic")
        x0, s0 = initial_state(params, n, SEED, x0=np.zeros(n))
        xt = simulate(params, x0, s0, [t1, t2], SEED)
        slope = (np.var(xt[1] - x0) - np.var(xt[0] - x0)) / (2 * (t2 - t1))
        var = deriv.numeric().var_exact(v0, alpha / 2, alpha / 2, np.array([t1, t2]))
        expected = (var[1] - var[0]) / (2 * (t2 - t1))
        return abs(float(slope / expected - 1.0))

    # version 2: |relative error| (version 1 was signed, and asv compare read a negative value as "improved")
    track_msd_diffusivity_rel_error.unit = "|relative error|"
    track_msd_diffusivity_rel_error.version = 2


class SeedWorkloadSlow:
    """Full [CHEMOTAXIS] §4.3 run (4000 steps) in numpy and fixed-dt numba; Mesa per-agent, 100 steps.

    The Mesa case includes building the 5000 agents.
    """

    # Skipped without ACTIVEBENCH_ASV_SLOW=1: then a single round (one import), not three.
    rounds, repeat, warmup_time = ROUNDS if SLOW else 1, REPEAT, WARMUP_TIME

    timeout = 600

    def setup(self):
        _require_slow()
        self.model, self.x0, self.s0 = _seed001_state(5000)
        self.tau0 = self.model.tau_of(self.x0)
        advance(self.model, self.tau0[:8].copy(), self.s0[:8].astype(np.int8), 0.1, SEED, "fixed", DT)

    def time_fixed_full(self):
        advance(self.model, self.tau0.copy(), self.s0.astype(np.int8), 40.0, SEED, "fixed", DT)

    def time_numpy_baseline(self):
        from verification.rt1d.bench import numpy_walkers_final

        plus, minus = seed001_rates(LENGTH)
        numpy_walkers_final(self.x0, self.s0, 4000, DT, SPEED, LENGTH, plus, minus, SEED)

    def time_mesa_per_agent_100_steps(self):
        from agents.run_tumble_mesa import PerAgentRunTumble
        from verification.rt1d.bench import seed001_scalar_model

        scalar = seed001_scalar_model(LENGTH, 2.0, SPEED)
        model = PerAgentRunTumble(*scalar, LENGTH, True, self.x0, self.s0, DT, SEED)
        for _ in range(100):
            model.step()
