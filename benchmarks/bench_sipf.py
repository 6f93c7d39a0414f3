"""asv benchmarks of the SIPF method ([SIPF]) at small size, and tracked accuracy figures.

Eq. (35) parameters, M0 = 80, rho_0 uniform on the unit ball, H = 12. P = 2000 by default;
P = 1e4, H = 24 (the paper's base case) only with ``ACTIVEBENCH_ASV_SLOW=1``.
"""

import os

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
