"""Wall-clock timing and CPU accounting shared by the ``activebench bench`` workloads."""

from __future__ import annotations

import math
import os
import resource
import time
from collections.abc import Callable

import numba
import numpy as np


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Best and median wall time [s] of ``repeats`` calls of ``fn``, and the last call's value."""
    times, value = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times)), value


def cpu_snapshot() -> tuple[float, float, float, float]:
    """(busy CPU s of the whole machine excluding steal, steal s, CPU s of this process, wall s)."""
    try:
        with open("/proc/stat") as f:
            v = [int(a) for a in f.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
        tick = os.sysconf("SC_CLK_TCK")
        busy, steal = (v[0] + v[1] + v[2] + v[5] + v[6]) / tick, v[7] / tick
    except (OSError, ValueError, IndexError):
        busy = steal = math.nan
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return busy, steal, ru.ru_utime + ru.ru_stime, time.perf_counter()


def contention(a, b) -> dict:
    """Average cores used by other processes and stolen by the hypervisor between two snapshots (Linux)."""
    wall = b[3] - a[3]
    own = (b[2] - a[2]) / wall
    others = max(0.0, (b[0] - a[0]) / wall - own)
    return {"wall_seconds": wall, "own_cores": own, "other_processes_cores": others,
            "steal_cores": (b[1] - a[1]) / wall}


def threading_layer() -> str:
    """Numba's threading layer, or "not initialised" before the first parallel kernel ran."""
    try:
        return numba.threading_layer()
    except ValueError:
        return "not initialised"
