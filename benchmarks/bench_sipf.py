"""asv benchmarks of the SIPF method ([SIPF]) at small size, and tracked accuracy figures.

Eq. (35) parameters, M0 = 80, rho_0 uniform on the unit ball, H = 12. P = 2000 by default;
P = 1e4, H = 24 (the paper's base case) only with ``ACTIVEBENCH_ASV_SLOW=1``.
"""

import os
import time

import numpy as np

from agents import sipf as S
from agents.sipf_kernels import pair_drift_libm

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
BASE = S.SIPFParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, L=8.0, H=12, dt=1e-4, mass=80.0)


class SIPFStep:
    """Ten fast SIPF steps (NUFFT field + numba pair sum)."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    params = ([2000, 10000],)
    param_names = ["P"]
    timeout = 300

    def setup(self, P):
        if P > 2000 and not SLOW:
            raise NotImplementedError("slow case: set ACTIVEBENCH_ASV_SLOW=1 to run it")
        self.p = BASE if P <= 2000 else BASE.replace(H=24)
        self.x = S.uniform_ball(P, seed=1)
        S.run_sipf(self.p, self.x, 1, seed=2)  # compile / load the numba kernel

    def time_ten_steps(self, P):
        S.run_sipf(self.p, self.x, 10, seed=2)

    def peakmem_ten_steps(self, P):
        S.run_sipf(self.p, self.x, 10, seed=2)


class SIPFPieces:
    """The pieces of one step at P = 2000, H = 12."""

    rounds, repeat, warmup_time = ROUNDS, REPEAT, WARMUP_TIME

    def setup(self):
        self.p = BASE
        self.x = S.uniform_ball(2000, seed=1)
        self.xt = np.ascontiguousarray(self.x.T)
        self.alpha = S.field_update(self.p, S.rho_modes_fast(self.p, self.x), np.zeros((13, 13, 13), complex))
        S.pair_drift_fast(self.p, self.x)
        pair_drift_libm(self.xt[0], self.xt[1], self.xt[2], self.p.beta, 1.0)

    def time_pair_vectorized_exp(self):
        S.pair_drift_fast(self.p, self.x)

    def time_pair_libm_exp(self):
        pair_drift_libm(self.xt[0], self.xt[1], self.xt[2], self.p.beta, 1.0)

    def time_nufft_type1(self):
        S.rho_modes_fast(self.p, self.x)

    def time_nufft_type2(self):
        S.field_drift_fast(self.p, self.x, self.alpha)

    def track_pair_rel_error(self):
        a = S.pair_drift_fast(self.p, self.x)
        b = pair_drift_libm(self.xt[0], self.xt[1], self.xt[2], self.p.beta, self.p.mass / 2000)
        return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))

    track_pair_rel_error.unit = "relative"
    track_pair_rel_error.version = "sipf-pair-1"


class SIPFRates:
    """Rates of the base case's pieces (P = 1e4, H = 24): ns per pair of the pair sum, ms of the NUFFTs.

    Tracked figures (lower is better), each the best of 5 calls after a warm-up call, so asv's history
    shows these rates directly. ns per pair divides by the P (P - 1) ordered pairs of Eq. (31), whatever
    the kernel evaluates; ms per step counts the type-1 and the type-2 (3 components) transforms.
    """

    timeout = 300

    def setup(self):
        self.p = BASE.replace(H=24)
        self.P = 10_000
        self.x = S.uniform_ball(self.P, seed=1)
        self.alpha = S.field_update(self.p, S.rho_modes_fast(self.p, self.x), np.zeros((25, 25, 25), complex))
        S.pair_drift_fast(self.p, self.x)
        S.field_drift_fast(self.p, self.x, self.alpha)

    @staticmethod
    def _best(fn, n: int = 5) -> float:
        best = float("inf")
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        return best

    def track_ns_per_pair(self):
        return 1e9 * self._best(lambda: S.pair_drift_fast(self.p, self.x)) / (self.P * (self.P - 1))

    track_ns_per_pair.unit = "ns per pair"
    track_ns_per_pair.version = "sipf-rates-1"

    def track_ms_per_nufft_step(self):
        return 1e3 * (self._best(lambda: S.rho_modes_fast(self.p, self.x))
                      + self._best(lambda: S.field_drift_fast(self.p, self.x, self.alpha)))

    track_ms_per_nufft_step.unit = "ms (type-1 + type-2)"
    track_ms_per_nufft_step.version = "sipf-rates-1"
