"""Wall-clock timing shared by the ``activebench bench`` workloads."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Best and median wall time [s] of ``repeats`` calls of ``fn``, and the last call's value."""
    times, value = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times)), value
