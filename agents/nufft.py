"""finufft for the SIPF fast path ([SIPF] Alg. 1-2 by NUFFTs): plans reused, threads in their own phase.

Three settings, each from a measurement on the 2-core machine of this project (finufft 2.5):

* **Plans reused.** A :class:`finufft.Plan` per (type, modes, n_trans, eps, threads) is made once
  per thread and kept; every call only sets the points (they move every step) and executes.
  Measured at P = 1e4, 25^3 modes: 0.5-1 ms saved per transform (3-10 %).
* **Threads that do not fight numba's pool.** finufft ships its own OpenMP runtime (a renamed
  libgomp), separate from the one numba's ``omp`` threading layer loads. Under the default wait
  policy idle OpenMP threads spin; with a core taken by another process, two finufft threads ran
  3-5x slower than one (measured, load 3-4). :func:`_import_finufft` therefore loads finufft's
  runtime with ``OMP_WAIT_POLICY=passive`` (its threads sleep when idle) and restores the
  environment at once, so numba's runtime, loaded later, keeps its own default. A value the user
  set is never overridden, and a finufft imported before this module keeps its settings.
  The transforms run between the numba pair sum and the particle update, never inside it, so the
  two pools take turns ("their own phase"). :func:`threads_for` gives the thread count of the
  type-2 transforms (identical results for any count); the type-1 transforms stay on one thread
  (their sums depend on the count at round-off, see :func:`type1`).
* **Upsampling fixed at 2.** finufft's automatic choice switches to 1.25 for eps >~ 1e-7; the
  error of the field drift relative to eps then changes by 10-100x between neighbouring eps
  (measured: 1.08e-7 at eps 1e-7 auto, 1.5e-9 at 1.25 forced). With 2 fixed, the error of the drift
  ``grad K * c`` at the particles is ~10 eps (measured 8.7e-9 at eps 1e-8), which is what the
  error budget of :data:`agents.sipf.NUFFT_EPS` uses.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from types import ModuleType

import numba
import numpy as np

#: finufft's oversampling factor (see the module docstring).
UPSAMPFAC = 2.0
#: Points per thread below which an extra thread costs more than it saves (see :func:`threads_for`).
#: Measured, type-1 + type-2 (3 components) at H = 24, eps 1e-8, best of 7 between numba pair sums,
#: load ~1 on 2 cores, 1 vs 2 threads [ms]: P = 300: 9.3 vs 10.4; 2000: 10.5 vs 12.3; 5000: 20.0 vs 15.9;
#: 1e4: 28.9 vs 20.3; 3e4: 73 vs 47.
MIN_POINTS_PER_EXTRA_THREAD = 2500


def _import_finufft() -> ModuleType:
    """Import finufft with its OpenMP runtime set to passive waiting (environment restored after)."""
    if "finufft" in sys.modules or "OMP_WAIT_POLICY" in os.environ:
        return importlib.import_module("finufft")
    os.environ["OMP_WAIT_POLICY"] = "passive"
    try:
        return importlib.import_module("finufft")
    finally:
        del os.environ["OMP_WAIT_POLICY"]


finufft = _import_finufft()

#: Cap on the transforms' threads (None: numba's thread count, see :func:`threads_for`).
max_threads: int | None = None


def threads_for(n_points: int) -> int:
    """Threads of the transforms for ``n_points`` points: one per MIN_POINTS_PER_EXTRA_THREAD points.

    The cap is :data:`max_threads` when set, else numba's current thread count (the number of
    cores the user allowed this process, ``NUMBA_NUM_THREADS``).
    """
    cap = numba.get_num_threads() if max_threads is None else max_threads
    return max(1, min(int(cap), n_points // MIN_POINTS_PER_EXTRA_THREAD))


_local = threading.local()


def _plan(kind: int, modes: tuple[int, ...], n_trans: int, eps: float, isign: int, nthreads: int):
    cache = getattr(_local, "plans", None)
    if cache is None:
        cache = _local.plans = {}
    key = (kind, modes, n_trans, eps, isign, nthreads)
    plan = cache.get(key)
    if plan is None:
        if len(cache) >= 16:  # a sweep over many H: keep the memory bounded
            cache.clear()
        plan = finufft.Plan(kind, modes, n_trans=n_trans, eps=eps, isign=isign, nthreads=nthreads,
                            upsampfac=UPSAMPFAC)
        cache[key] = plan
    return plan


def type1(theta: np.ndarray, weights: np.ndarray, modes: tuple[int, ...], eps: float,
          nthreads: int | None = None) -> np.ndarray:
    """``f_k = sum_p w_p exp(-i k . theta_p)`` for the modes ``k`` of ``modes`` (finufft ordering).

    Parameters
    ----------
    theta : ndarray, shape (d, P)
        Angles in [-pi, pi] [rad], contiguous rows.
    weights : ndarray, shape (P,), complex
        Strengths ``w_p``.
    modes : tuple of int
        Modes per dimension (odd sizes: ``-(n-1)/2 .. (n-1)/2``).
    eps : float
        finufft tolerance (relative, in the 2-norm over modes).
    nthreads : int, optional
        Threads (default 1: with more, finufft's spreading adds the points in an order that depends on
        the thread count -- measured 4e-11 absolute on modes of ~2e4 between 1 and 2 threads at
        P = 2e4 -- and results are kept independent of the machine; the interpolation of
        :func:`type2` is per point and gives identical results with any thread count).

    Returns
    -------
    ndarray, shape ``modes``, complex
    """
    nt = 1 if nthreads is None else nthreads
    plan = _plan(1, tuple(modes), 1, eps, -1, nt)
    plan.setpts(*theta)
    return plan.execute(weights)


def type2(theta: np.ndarray, coeffs: np.ndarray, eps: float, nthreads: int | None = None) -> np.ndarray:
    """``v_p = sum_k f_k exp(+i k . theta_p)`` for ``n_trans`` coefficient arrays at once.

    Parameters
    ----------
    theta : ndarray, shape (d, P)
        Angles in [-pi, pi] [rad], contiguous rows.
    coeffs : ndarray, shape (n_trans, *modes), complex, contiguous
        Fourier coefficients (finufft ordering), one array per transform.
    eps : float
        finufft tolerance.
    nthreads : int, optional
        Threads (default :func:`threads_for` of P).

    Returns
    -------
    ndarray, shape (n_trans, P), complex
    """
    d = theta.shape[0]
    modes = tuple(coeffs.shape[-d:])
    n_trans = coeffs.shape[0]
    nt = threads_for(theta.shape[1]) if nthreads is None else nthreads
    plan = _plan(2, modes, n_trans, eps, 1, nt)
    plan.setpts(*theta)
    return plan.execute(coeffs).reshape(n_trans, theta.shape[1])
