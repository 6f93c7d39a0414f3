"""Counter-based random streams for numba kernels, and the seed derivation, shared by ``agents`` and ``continuum``.

It lives here, a leaf module with no activebench imports, so that both the particle models
(``agents``) and the Metropolis annealer (``continuum.normal_modes``) use one implementation
without either importing the other.

Each walker owns one SplitMix64 stream (Steele, Lea & Flood, OOPSLA 2014),
seeded from ``(seed, walker index)``. Because no stream is shared between
threads, a kernel's output depends on the seed only, never on the number of
threads or on how ``prange`` splits the work.

numba's own ``np.random`` keeps one hidden state per thread and is not seeded
by numpy's generator (seeding numpy outside ``@njit`` does not seed it), which is
why the kernels do not use it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_SEED_MODULUS = 2**61 - 1

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def stream_state(seed: int, index: int) -> np.uint64:
    """Initial state of the stream of walker ``index`` under ``seed``."""
    s = _mix(np.uint64(seed) + _GOLDEN)
    return _mix(s ^ _mix(np.uint64(index) * _GOLDEN + _M2))


@njit(cache=True, inline="always")
def next_uniform(state: np.uint64) -> tuple[np.uint64, float]:
    """Advance a stream; return the new state and a uniform on (0, 1]."""
    state = state + _GOLDEN
    z = _mix(state)
    return state, (float(z >> _S11) + 1.0) * _TWO_M53


def derive_seed(master: int, *keys: int | str) -> int:
    """The one seed derivation of activebench: a reproducible seed for ``keys`` under ``master``.

    A polynomial hash of the characters of each key (base 1_000_003, modulo the Mersenne
    prime 2**61 - 1). Checks (through their context), the Mesa model wrapper and benchmarks derive
    their streams with it.
    """
    h = master
    for k in keys:
        for c in str(k):
            h = (h * 1_000_003 + ord(c)) % _SEED_MODULUS
    return h
