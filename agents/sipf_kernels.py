"""numba kernels of the SIPF method ([SIPF]): the exact O(P^2) Yukawa pair drift.

The pair term of Eq. (31), ``D(X^p) = (M0/P) sum_{q != p} grad K(X^p - X^q)`` with
``grad K(x) = x (1 + beta r) exp(-beta r) / (4 pi r^3)`` (derived in
``verification.sipf.derivation``), dominates the cost of a step. numba here has no SVML,
so ``exp`` would be a scalar libm call; :func:`_exp_neg` is a branch-free, vectorizable
``exp(-y)`` for ``0 <= y <= Y_MAX``: range reduction by 16 fixed halvings
(``exp(-y) = exp(-y / 2^16)^(2^16)``) and a degree-7 Taylor polynomial (measured:
a runtime number of halvings or an unrolled chain of ``if`` stopped LLVM from vectorizing).
Only multiplications and additions, so LLVM vectorizes the inner loop; no rounding trick
that ``fastmath`` could fold away (under ``fastmath`` the add-1.5·2^52 rounding trick is
silently optimized out), and only the reassociation flags of
``fastmath`` (needed to vectorize the sums) are on.

Two kernels compute the same sum:

* :func:`pair_drift` -- per particle over all q, float64, ``_exp_neg``, sqrt and a division: the
  obviously correct twin (and :func:`pair_drift_libm`, the same with libm ``exp``, the baseline).
* :func:`pair_drift_symmetric` -- each unordered pair once (Newton's third law), in B x B tiles,
  float64 or float32. What makes LLVM vectorize its loops (an earlier symmetric attempt with
  per-thread buffers and six separate arrays did not vectorize and was slower): positions and
  accumulators in **one 1-D tiled array** (tile t: x at ``[3Bt, 3Bt+B)``, y at +B, z at +2B, B a
  compile-time constant, so only one runtime alias check, accumulator against positions, is
  left) and **unsigned (uint64) indices** (a signed ``o + q`` makes numba emit wraparound code that
  breaks LLVM's address analysis). The exp's squarings are a compile-time count (the length of a
  tuple argument, so one specialization per count) chosen per call from ``beta D``; ``1/r`` is
  a float32 rsqrt estimate (``vrsqrtps`` / ``vrsqrt14ps``) with Newton steps. float32: the
  positions are split hi + lo (``dx = (xh_p - xh_q) + (xl_p - xl_q)``): float32 positions alone
  would round each coordinate by up to 6e-8 |x|, a relative error 6e-8 |x| / r in the difference
  of a close pair. The float32 error grows with the tile length B through the float32 partial
  sums of a tile column (B sequential terms); measured at P = 1e4 (ball / box of side 8): B = 128
  2.8e-7 / 1.3e-7, B = 256 2.6e-7 / 4.9e-7, B = 512 6.5e-7 / 4.8e-7 of max|field|.

Compute limit (:func:`pair_ops_limit_ns`): the off-diagonal tile loop compiles to 47 vector FP
instructions per vector of unordered pairs (float64: 42 + 5 squarings; float32: 45 + 2), AVX2
and AVX-512 builds alike; at 2 FP pipes per core and 2.1 GHz that is 1.40 ns per ordered pair on
one core for float64 at 256 bits, 0.70 at 512 bits; float32 half of that (the clock measured by
:func:`measure_core_ghz` was 2.45-2.9 GHz, which lowers these by 15-28 %). numba compiles 256-bit
vectors by default even on AVX-512 CPUs (LLVM's ``prefer-256-bit``); 512-bit code needs
``NUMBA_CPU_FEATURES=<host features>,-prefer-256-bit`` before numba is imported
(:func:`host_vector_bits` reports what this process compiles).
"""

from __future__ import annotations

import math
import time
from functools import lru_cache

import numpy as np
from numba import njit, prange

_INV4PI = 1.0 / (4.0 * math.pi)
# Reassociation lets LLVM vectorize the float sums; no nnan/ninf (r = 0 is masked by selects).
_FM = {"reassoc", "contract", "nsz", "arcp"}
#: Largest beta*r the vectorized exp is accurate for (|y / 2^16| <= 0.01).
Y_MAX = 655.0


@njit(cache=True, inline="always", fastmath=_FM)
def _exp_neg(y: float) -> float:
    """exp(-y) for 0 <= y <= Y_MAX: exp(-y/2^16)^(2^16), degree-7 Taylor on |y/2^16| <= 0.01.

    Relative error <~ 2^16 * 1.1e-16 ~ 1e-11 (each squaring doubles it).
    """
    z = -y * 1.52587890625e-05
    p = 1.0 / 5040.0
    p = p * z + 1.0 / 720.0
    p = p * z + 1.0 / 120.0
    p = p * z + 1.0 / 24.0
    p = p * z + 1.0 / 6.0
    p = p * z + 0.5
    p = p * z + 1.0
    p = p * z + 1.0
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    return p


@njit(cache=True)
def exp_neg_array(y: np.ndarray) -> np.ndarray:
    """:func:`_exp_neg` over an array (for tests)."""
    out = np.empty_like(y)
    for i in range(y.size):
        out[i] = _exp_neg(y[i])
    return out


@njit(cache=True, parallel=True, fastmath=_FM)
def pair_drift(x: np.ndarray, y: np.ndarray, z: np.ndarray, beta: float, weight: float) -> np.ndarray:
    """Exact pair sum of Eq. (31): ``weight * sum_{q != p} grad K(X^p - X^q)``.

    Parameters
    ----------
    x, y, z : ndarray, shape (P,)
        Particle coordinates [length], contiguous.
    beta : float
        Screening ``beta = sqrt(k^2 + eps/dt)`` [1/length].
    weight : float
        Particle mass ``M0/P`` [mass].

    Returns
    -------
    ndarray, shape (P, 3)
        Drift field [mass/length^2]. Coincident pairs (r = 0) contribute 0.
    """
    n = x.size
    out = np.empty((n, 3))
    for p in prange(n):
        xp, yp, zp = x[p], y[p], z[p]
        sx = 0.0
        sy = 0.0
        sz = 0.0
        for q in range(n):
            dx = xp - x[q]
            dy = yp - y[q]
            dz = zp - z[q]
            r2 = dx * dx + dy * dy + dz * dz
            r2s = max(r2, 1e-30)  # keeps f finite; r = 0 (q = p) is then zeroed below
            r = math.sqrt(r2s)
            br = beta * r
            f = (1.0 + br) * _exp_neg(br) / (r2s * r)
            f = f * (r2 > 0.0)
            sx += f * dx
            sy += f * dy
            sz += f * dz
        out[p, 0] = weight * _INV4PI * sx
        out[p, 1] = weight * _INV4PI * sy
        out[p, 2] = weight * _INV4PI * sz
    return out


@njit(cache=True, parallel=True)
def pair_drift_libm(x: np.ndarray, y: np.ndarray, z: np.ndarray, beta: float, weight: float) -> np.ndarray:
    """As :func:`pair_drift` with libm ``exp`` (the comparison baseline of the benchmark)."""
    n = x.size
    out = np.empty((n, 3))
    for p in prange(n):
        xp, yp, zp = x[p], y[p], z[p]
        sx = 0.0
        sy = 0.0
        sz = 0.0
        for q in range(n):
            dx = xp - x[q]
            dy = yp - y[q]
            dz = zp - z[q]
            r2 = dx * dx + dy * dy + dz * dz
            if r2 > 0.0:
                r = math.sqrt(r2)
                f = (1.0 + beta * r) * math.exp(-beta * r) / (r2 * r)
                sx += f * dx
                sy += f * dy
                sz += f * dz
        out[p, 0] = weight * _INV4PI * sx
        out[p, 1] = weight * _INV4PI * sy
        out[p, 2] = weight * _INV4PI * sz
    return out


# ---------------------------------------------------------------------------------------------
# Symmetric tiled kernel: each unordered pair once ([SIPF] Eq. (31), Newton's third law)
# ---------------------------------------------------------------------------------------------
#: Tile sizes [particles]. float64: 512 (3 x 4 KiB per tile, two tiles + accumulators fit the 48 KiB
#: L1d). float32: 128 -- the float32 partial sums of a tile run over up to B terms; B = 512 measured
#: up to 6.5e-7 of max|field| (ball, P = 1e4), B = 128 2.8e-7: more room in the 1e-6 budget (module doc).
BLOCK64 = 512
BLOCK32 = 128
#: Most tile groups of the schedule (:func:`_sym64`): S <= 16 groups, at most 17 parallel regions
#: (barriers) per call -- a barrier per tile (79 at P = 1e4, B = 128) made 2-thread runs 5-9x slower
#: than 1 thread on a loaded machine (threads spinning while a preempted one finishes its tile).
#: Up to 8 group pairs per round keep up to 8 threads busy.
NGROUPS = 16
#: Largest ``beta * D`` (:func:`pair_distance_bound`) accepted by the float32 kernel: its exp loses about
#: ``2^nsq`` float32 roundings (nsq ~ log2 y_max squarings), measured 2.0e-6 relative at y_max = 13.9 and
#: 2.9e-6 at 16 (the field errors stay far lower: 1.3e-7 in the box of side 8, y_max = 13.9).
Y_MAX_F32 = 16.0
# Positions are scaled by 2^-e so that D (pair_distance_bound) is < 1 (exact: a power of two);
# r^2 is clamped below at these values [scaled length^2]: r^-3 stays finite (float32: s^3 <= 1e36).
_R2MIN64 = 1e-30
_R2MIN32 = 1e-24
# exp(-y) = exp(-y 2^-n)^(2^n) with n chosen per call so that y_max 2^-n <= _Z64 (_Z32); Taylor degree
# 8 (float64: truncation 0.07^9/9! = 1e-16) and 11 (float32: 1/12! = 2e-9 at z = 1). Measured float32
# alternative (z 0.5, degree 8): exp alone 7.3e-7 against 5.1e-7 relative at y_max = 2, the same field
# error, 2 operations fewer -- but LLVM then vectorized the off-diagonal loop at 256 bits in the
# AVX-512 build, 1.5-2.6x slower; so (1, 11).
_Z64 = 0.07
_Z32 = 1.0
_C32 = tuple(np.float32(1.0 / math.factorial(i)) for i in range(11, -1, -1))
_FMA = {"reassoc", "contract", "nsz", "arcp", "afn"}  # + afn: float32 1/sqrt -> rsqrt estimate + Newton
_U0 = np.uint64(0)
_B64 = np.uint64(BLOCK64)
_B64x2 = np.uint64(2 * BLOCK64)
_B32 = np.uint64(BLOCK32)
_B32x2 = np.uint64(2 * BLOCK32)
_B32x3 = np.uint64(3 * BLOCK32)


@njit(cache=True, inline="always", fastmath=_FMA)
def _exp64(y: float, scale: float, sq: tuple) -> float:
    """exp(-y) for 0 <= y scale <= _Z64: degree-8 Taylor of exp(-y scale), squared ``len(sq)`` times.

    ``scale = 2^-len(sq)``; ``len(sq)`` is a compile-time constant (the type of ``sq``), so the
    squarings unroll and the loop around stays vectorizable.
    """
    z = -y * scale
    p = 1.0 / 40320.0
    p = p * z + 1.0 / 5040.0
    p = p * z + 1.0 / 720.0
    p = p * z + 1.0 / 120.0
    p = p * z + 1.0 / 24.0
    p = p * z + 1.0 / 6.0
    p = p * z + 0.5
    p = p * z + 1.0
    p = p * z + 1.0
    for _ in range(len(sq)):
        p = p * p
    return p


@njit(cache=True, inline="always", fastmath=_FMA)
def _exp32(y: np.float32, scale: np.float32, sq: tuple) -> np.float32:
    """float32 exp(-y) for 0 <= y scale <= _Z32: degree-11 Taylor, squared ``len(sq)`` times."""
    z = -y * scale
    p = _C32[0]
    for i in range(1, 12):
        p = p * z + _C32[i]
    for _ in range(len(sq)):
        p = p * p
    return p


@njit(cache=True, inline="always", fastmath=_FMA)
def _inv_sqrt64(r2: float) -> float:
    """1/sqrt(r2), float64, for float32-normal r2: float32 estimate (rsqrt + Newton) + one float64 Newton step.

    Relative error ~1.5 e32^2 ~ 1e-14 with e32 ~ 1e-7 the float32 estimate's error (measured ~1e-14 on the field).
    """
    s = np.float64(np.float32(1.0) / math.sqrt(np.float32(r2)))
    return s * (1.5 - 0.5 * r2 * s * s)


@njit(cache=True, inline="always", fastmath=_FMA)
def _pair_factor64(dx, dy, dz, beta, scale, sq):
    """``(1 + beta r) e^{-beta r} / r^3`` of one pair (grad K / d without 1/(4 pi)); r^2 clamped at _R2MIN64."""
    r2 = max(dx * dx + dy * dy + dz * dz, _R2MIN64)
    s = _inv_sqrt64(r2)
    br = beta * (r2 * s)
    return (1.0 + br) * _exp64(br, scale, sq) * (s * s * s)


@njit(cache=True, inline="always", fastmath=_FMA)
def _pair_factor32(dx, dy, dz, beta, scale, sq):
    """float32 :func:`_pair_factor64`; r^2 clamped at _R2MIN32."""
    r2 = max(dx * dx + dy * dy + dz * dz, np.float32(_R2MIN32))
    s = np.float32(1.0) / math.sqrt(r2)  # afn: rsqrt estimate + one Newton step (LLVM)
    br = beta * (r2 * s)
    return (np.float32(1.0) + br) * _exp32(br, scale, sq) * (s * s * s)


@njit(cache=True, inline="always", fastmath=_FMA)
def _tile64(pos, acc, oi, ni, oj, nj, beta, scale, sq):
    """Rows ``oi`` (ni particles) against columns ``oj`` (nj): f d added to the row, subtracted from the column."""
    for i in range(_U0, ni):
        xp = pos[oi + i]
        yp = pos[oi + _B64 + i]
        zp = pos[oi + _B64x2 + i]
        sx = 0.0
        sy = 0.0
        sz = 0.0
        for q in range(_U0, nj):
            dx = xp - pos[oj + q]
            dy = yp - pos[oj + _B64 + q]
            dz = zp - pos[oj + _B64x2 + q]
            f = _pair_factor64(dx, dy, dz, beta, scale, sq)
            fx = f * dx
            fy = f * dy
            fz = f * dz
            sx += fx
            sy += fy
            sz += fz
            acc[oj + q] -= fx
            acc[oj + _B64 + q] -= fy
            acc[oj + _B64x2 + q] -= fz
        acc[oi + i] += sx
        acc[oi + _B64 + i] += sy
        acc[oi + _B64x2 + i] += sz


@njit(cache=True, inline="always", fastmath=_FMA)
def _tile64_diag(pos, acc, o, n, beta, scale, sq):
    """A tile with itself, one-sided over all n x n ordered pairs (the q = p term is 0: d = 0, f finite)."""
    for i in range(_U0, n):
        xp = pos[o + i]
        yp = pos[o + _B64 + i]
        zp = pos[o + _B64x2 + i]
        sx = 0.0
        sy = 0.0
        sz = 0.0
        for q in range(_U0, n):
            dx = xp - pos[o + q]
            dy = yp - pos[o + _B64 + q]
            dz = zp - pos[o + _B64x2 + q]
            f = _pair_factor64(dx, dy, dz, beta, scale, sq)
            sx += f * dx
            sy += f * dy
            sz += f * dz
        acc[o + i] += sx
        acc[o + _B64 + i] += sy
        acc[o + _B64x2 + i] += sz


@njit(cache=True, inline="always", fastmath=_FMA)
def _tile32(ph, pl, tacc, acc, oi, ni, oj, nj, beta, scale, sq):
    """float32 version of :func:`_tile64` on hi + lo positions; float32 partial sums over one tile, then float64."""
    for q in range(_U0, _B32x3):
        tacc[q] = np.float32(0.0)
    for i in range(_U0, ni):
        xh = ph[oi + i]
        yh = ph[oi + _B32 + i]
        zh = ph[oi + _B32x2 + i]
        xl = pl[oi + i]
        yl = pl[oi + _B32 + i]
        zl = pl[oi + _B32x2 + i]
        sx = np.float32(0.0)
        sy = np.float32(0.0)
        sz = np.float32(0.0)
        for q in range(_U0, nj):
            dx = (xh - ph[oj + q]) + (xl - pl[oj + q])
            dy = (yh - ph[oj + _B32 + q]) + (yl - pl[oj + _B32 + q])
            dz = (zh - ph[oj + _B32x2 + q]) + (zl - pl[oj + _B32x2 + q])
            f = _pair_factor32(dx, dy, dz, beta, scale, sq)
            fx = f * dx
            fy = f * dy
            fz = f * dz
            sx += fx
            sy += fy
            sz += fz
            tacc[q] -= fx
            tacc[_B32 + q] -= fy
            tacc[_B32x2 + q] -= fz
        acc[oi + i] += np.float64(sx)
        acc[oi + _B32 + i] += np.float64(sy)
        acc[oi + _B32x2 + i] += np.float64(sz)
    for q in range(_U0, nj):
        acc[oj + q] += np.float64(tacc[q])
        acc[oj + _B32 + q] += np.float64(tacc[_B32 + q])
        acc[oj + _B32x2 + q] += np.float64(tacc[_B32x2 + q])


@njit(cache=True, inline="always", fastmath=_FMA)
def _tile32_diag(ph, pl, acc, o, n, beta, scale, sq):
    """float32 version of :func:`_tile64_diag`."""
    for i in range(_U0, n):
        xh = ph[o + i]
        yh = ph[o + _B32 + i]
        zh = ph[o + _B32x2 + i]
        xl = pl[o + i]
        yl = pl[o + _B32 + i]
        zl = pl[o + _B32x2 + i]
        sx = np.float32(0.0)
        sy = np.float32(0.0)
        sz = np.float32(0.0)
        for q in range(_U0, n):
            dx = (xh - ph[o + q]) + (xl - pl[o + q])
            dy = (yh - ph[o + _B32 + q]) + (yl - pl[o + _B32 + q])
            dz = (zh - ph[o + _B32x2 + q]) + (zl - pl[o + _B32x2 + q])
            f = _pair_factor32(dx, dy, dz, beta, scale, sq)
            sx += f * dx
            sy += f * dy
            sz += f * dz
        acc[o + i] += np.float64(sx)
        acc[o + _B32 + i] += np.float64(sy)
        acc[o + _B32x2 + i] += np.float64(sz)


@njit(cache=True, inline="always")
def _circle(k: int, r: int, m: int) -> int:
    """Tile at seat k in round r of the circle method for m (even) tiles: seat 0 fixed, the others rotate."""
    if k == 0:
        return 0
    return (k - 1 + r) % (m - 1) + 1


@njit(cache=True)
def _pack(x, y, z, c, s, B):
    """Tiled 1-D layout of ``(x - c) s``: tile t holds x at [3Bt, 3Bt+B), y at +B, z at +2B; padding 0."""
    n = x.size
    nt = (n + B - 1) // B
    pos = np.zeros(nt * 3 * B)
    for i in range(n):
        t = i // B
        o = 3 * B * t + i - t * B
        pos[o] = (x[i] - c[0]) * s
        pos[o + B] = (y[i] - c[1]) * s
        pos[o + 2 * B] = (z[i] - c[2]) * s
    return pos


@njit(cache=True)
def _unpack(acc, n, B, w):
    """(P, 3) array ``w * acc`` from the tiled layout of :func:`_pack`."""
    out = np.empty((n, 3))
    for i in range(n):
        t = i // B
        o = 3 * B * t + i - t * B
        out[i, 0] = w * acc[o]
        out[i, 1] = w * acc[o + B]
        out[i, 2] = w * acc[o + 2 * B]
    return out


@njit(cache=True, inline="always")
def _n_groups(nt: int) -> int:
    """Number S <= NGROUPS of tile groups: ``ceil(nt / g)`` with ``g = ceil(nt / NGROUPS)`` tiles per group."""
    g = (nt + NGROUPS - 1) // NGROUPS
    return (nt + g - 1) // g


@njit(cache=True, parallel=True, fastmath=_FMA)
def _sym64(pos, n, beta, scale, sq):
    """Sum over unordered pairs on the tiled float64 positions; returns the tiled accumulator.

    First every tile with itself (one ``prange`` over tiles). Then the nt tiles form S <= NGROUPS
    groups (group a: tiles ``[a nt / S, (a+1) nt / S)``). Rounds 0 .. m-2 (m = S rounded up to
    even): the circle method pairs every group with exactly one other, one ``prange`` iteration per
    group pair; last, every group with itself (its tile pairs I > J). Within a round no two
    iterations touch the same tile, so one accumulator serves all threads (no races, no per-thread
    copies), and every accumulator entry receives its terms in an order fixed by nt alone.
    m + 1 barriers per call. Keep the ``prange`` bounds and bodies free of conditional expressions:
    with ``prange(S if r == m - 1 else m // 2)`` and ``a = k if ... else ...`` numba ran the loop
    serially (silently) and LLVM did not vectorize the float64 tile loops (9.9 ns/pair).
    """
    B = BLOCK64
    nt = (n + B - 1) // B
    S = _n_groups(nt)
    m = S + (S & 1)
    acc = np.zeros(nt * 3 * B)
    for t in prange(nt):
        _tile64_diag(pos, acc, np.uint64(3 * B * t), np.uint64(min(B, n - t * B)), beta, scale, sq)
    for r in range(m - 1):
        for k in prange(m // 2):
            a = _circle(k, r, m)
            b = _circle(m - 1 - k, r, m)
            if a < S and b < S:
                for ti in range(a * nt // S, (a + 1) * nt // S):
                    for tj in range(b * nt // S, (b + 1) * nt // S):
                        hi = max(ti, tj)  # the partial last tile goes to the rows: the column loop stays full
                        lo = min(ti, tj)
                        _tile64(pos, acc, np.uint64(3 * B * hi), np.uint64(min(B, n - hi * B)),
                                np.uint64(3 * B * lo), np.uint64(B), beta, scale, sq)
    for k in prange(S):
        for ti in range(k * nt // S, (k + 1) * nt // S):
            for tj in range(k * nt // S, ti):
                _tile64(pos, acc, np.uint64(3 * B * ti), np.uint64(min(B, n - ti * B)),
                        np.uint64(3 * B * tj), np.uint64(B), beta, scale, sq)
    return acc


@njit(cache=True, parallel=True, fastmath=_FMA)
def _sym32(ph, pl, n, beta, scale, sq):
    """As :func:`_sym64` on the tiled float32 hi + lo positions; float32 tile sums, float64 accumulator.

    17 barriers per call at P = 1e4 (79 tiles, 16 groups) instead of 80 with one tile pair per
    ``prange`` iteration, which ran 5-9x slower on 2 threads than on 1 on the loaded machine.
    """
    B = BLOCK32
    nt = (n + B - 1) // B
    S = _n_groups(nt)
    m = S + (S & 1)
    acc = np.zeros(nt * 3 * B)
    tacc = np.empty((S, 3 * B), dtype=np.float32)
    for t in prange(nt):
        _tile32_diag(ph, pl, acc, np.uint64(3 * B * t), np.uint64(min(B, n - t * B)), beta, scale, sq)
    for r in range(m - 1):
        for k in prange(m // 2):
            a = _circle(k, r, m)
            b = _circle(m - 1 - k, r, m)
            if a < S and b < S:
                for ti in range(a * nt // S, (a + 1) * nt // S):
                    for tj in range(b * nt // S, (b + 1) * nt // S):
                        hi = max(ti, tj)
                        lo = min(ti, tj)
                        _tile32(ph, pl, tacc[k], acc, np.uint64(3 * B * hi), np.uint64(min(B, n - hi * B)),
                                np.uint64(3 * B * lo), np.uint64(B), beta, scale, sq)
    for k in prange(S):  # the tile pairs inside each group
        for ti in range(k * nt // S, (k + 1) * nt // S):
            for tj in range(k * nt // S, ti):
                _tile32(ph, pl, tacc[k], acc, np.uint64(3 * B * ti), np.uint64(min(B, n - ti * B)),
                        np.uint64(3 * B * tj), np.uint64(B), beta, scale, sq)
    return acc


#: The float64 kernel's squaring counts (each a compiled specialization): the smallest level at or above
#: :func:`exp_squarings` is used, so a run whose particles spread or collapse compiles at most three
#: variants (a numba compile of the parallel kernel takes 4-15 s), never one per power of two of beta D.
#: Levels: beta D <= 4, <= 32, <= Y_MAX. The base case (unit ball, beta ~ 1: beta D ~ 2.0) sits inside
#: the first level, not on its edge (with a level ending at 2 its particles crossed it after 3 steps and
#: compiled mid-run). Extra squarings cost one multiply per pair each (<= 5 of ~50 operations) and double
#: the exp's rounding error each (2^14 u = 1.8e-12 relative at the top level).
SQUARING_LEVELS64 = (6, 9, 14)


def exp_squarings(y_max: float, precision: str = "float64") -> int:
    """Squarings the symmetric kernel's exp uses: smallest n >= 0 with ``y_max 2^-n <= z`` (z = 0.07 or 1).

    ``y_max = beta * D`` is the largest ``beta r`` of the call (D bounds every pair distance).
    """
    z_max = _Z64 if precision == "float64" else _Z32
    n = 0
    while y_max * 0.5**n > z_max:
        n += 1
    return n


#: Vector FP operations per unordered pair in the off-diagonal tile loop, without the exp's squarings:
#: counted from the loop body; the compiled loops have 47 vector FP instructions per vector of pairs with 5
#: (float64) or 2 (float32) squarings (avx2 and avx512 builds alike; module doc).
PAIR_OPS = {"float64": 42, "float32": 45}


def pair_ops_limit_ns(precision: str, vector_bits: int, threads: int, ghz: float = 2.1, squarings: int | None = None,
                      fp_ports: int = 2) -> float:
    """Compute-limit estimate of :func:`pair_drift_symmetric` [ns per ordered pair].

    ``(PAIR_OPS[precision] + squarings) / 2 / (lanes * fp_ports * ghz * threads)``: every unordered pair
    serves two ordered pairs; ``lanes = vector_bits / 64`` (float64) or ``/ 32`` (float32); each of the
    ``fp_ports`` vector pipes of a core retires one FMA, add, mul, max, convert or rsqrt per cycle; the
    loop's 6 loads + 3 stores (+ constant reloads) per vector fit the load/store ports. Diagonal tiles
    (one-sided, 1-5 % of the pairs at P = 1e4) and per-row reductions are not counted.

    Parameters
    ----------
    precision : {"float64", "float32"}
    vector_bits : int
        Vector width the kernel was compiled for [bits] (:func:`host_vector_bits`).
    threads : int
        Cores used (1 thread per core).
    ghz : float
        Core clock [GHz]. 2.1 is what this VM reports (turbo not visible); :func:`measure_core_ghz`
        measured 2.45-2.9 GHz in this session, which is the better value to pass.
    squarings : int, optional
        Squarings of the exp (:func:`exp_squarings`); default: the unit ball at beta ~ 1 (5, or 2 in float32).
    fp_ports : int
        Vector FP pipes per core.
    """
    if precision not in PAIR_OPS:
        raise ValueError(f"precision must be 'float64' or 'float32', got {precision!r}")
    if squarings is None:
        squarings = 5 if precision == "float64" else 2
    lanes = vector_bits // (64 if precision == "float64" else 32)
    return (PAIR_OPS[precision] + squarings) / 2.0 / (lanes * fp_ports * ghz * threads)


@njit(cache=True)
def _mul_chain(n: int, a: float) -> float:
    """Chain of n dependent float64 multiplications (no fastmath: LLVM keeps the chain)."""
    x = 1.0
    for _ in range(n):
        x = x * a
    return x


def measure_core_ghz(n: int = 100_000_000, repeats: int = 3, latency: int = 4) -> float:
    """Core clock estimate [GHz]: ``latency * n / t`` for a chain of n dependent ``vmulsd``.

    ``latency`` is the multiply latency in cycles (4 on Intel cores since Skylake). ``t`` is the best
    process CPU time of ``repeats`` runs, so other processes on the machine inflate it less than wall
    time (a VM's stolen time still does). ``a = -1`` keeps ``x = +-1``: no subnormals, no folding.
    """
    _mul_chain(10, -1.0)
    best = math.inf
    for _ in range(repeats):
        t0 = time.process_time()
        _mul_chain(n, -1.0)
        best = min(best, time.process_time() - t0)
    return latency * n / best / 1e9


@lru_cache(maxsize=1)
def host_vector_bits() -> int:
    """Vector width [bits] numba compiles float loops with in this process (512, 256 or 128).

    Compiled, not guessed: a float64 reduction is compiled (uncached) and its assembly searched for
    zmm / ymm registers. With the host defaults LLVM prefers 256-bit vectors even on AVX-512 CPUs
    (tuning ``prefer-256-bit``); 512 needs ``NUMBA_CPU_FEATURES=<host features>,-prefer-256-bit``
    set before numba is imported.
    """
    def probe(a):
        s = 0.0
        for i in range(a.size):
            s += a[i] * a[i]
        return s

    f = njit(fastmath=True)(probe)
    f(np.ones(64))
    asm = next(iter(f.inspect_asm().values()))
    return 512 if "zmm" in asm else 256 if "ymm" in asm else 128


def _distance_bound(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[float, np.ndarray]:
    """``(D, c)``: c the bounding-box centre, ``D = 2 max_p |X^p - c|`` >= every pair distance."""
    c = 0.5 * np.array([x.min() + x.max(), y.min() + y.max(), z.min() + z.max()])
    return 2.0 * math.sqrt(float(np.max((x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2))), c


def pair_distance_bound(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """The bound D [length] on all pair distances that :func:`pair_drift_symmetric` checks ``beta D`` with.

    ``D = 2 max_p |X^p - c|``, c the centre of the positions' bounding box (triangle inequality);
    at most the box diagonal. A caller picks ``precision="float32"`` only if ``beta D <= Y_MAX_F32``.
    """
    return _distance_bound(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64),
                           np.asarray(z, dtype=np.float64))[0] if np.size(x) else 0.0


def pair_drift_symmetric(x: np.ndarray, y: np.ndarray, z: np.ndarray, beta: float, weight: float,
                         precision: str = "float64") -> np.ndarray:
    """Exact pair sum of [SIPF] Eq. (31), each unordered pair evaluated once (fast twin of :func:`pair_drift`).

    ``weight * sum_{q != p} grad K(X^p - X^q)``, ``grad K(d) = d (1 + beta r) e^{-beta r} / (4 pi r^3)``:
    the term of a pair is added to p and subtracted from q. Positions are scaled by ``2^-e`` (exact)
    so that ``D = 2 max_p |X^p - c|`` (c the bounding-box centre), a bound on every pair distance,
    becomes < 1, and the result is scaled back by ``2^-2e``; float32 positions are centred on c first.
    Pairs are evaluated in B x B tiles (B = :data:`BLOCK64` or :data:`BLOCK32`) of a 1-D tiled layout;
    padding of the last tile is never read (loop bounds). ``exp(-beta r)`` is a Taylor polynomial with
    :func:`exp_squarings` ``(beta D)`` squarings, ``1/r`` a float32 rsqrt estimate refined by Newton
    steps (no sqrt or division); ``r^2`` is clamped below at 1e-30 (float32: 1e-24) in scaled units, which keeps ``f``
    finite, so the term of a coincident pair, ``f * d`` with ``d = 0``, is exactly 0 (no mask).

    The result is deterministic and does **not** depend on numba's thread count: the tile pairs are
    scheduled in rounds of disjoint pairs (circle method, one ``prange`` per round), so each
    accumulator entry receives its terms in the same order whichever thread computes them.

    Parameters
    ----------
    x, y, z : ndarray, shape (P,)
        Particle coordinates [length], finite (checked by the caller, ``agents.sipf``).
    beta : float
        Screening ``beta = sqrt(k^2 + eps/dt)`` [1/length] > 0, with ``beta D <= Y_MAX`` (float64) or
        ``<= Y_MAX_F32`` (float32).
    weight : float
        Particle mass ``M0/P`` [mass].
    precision : {"float64", "float32"}
        "float64": measured error <= 3e-14 of max|field| against libm (``pair_drift_libm``).
        "float32": float32 arithmetic on hi + lo position splits (the differences keep float32
        relative accuracy even for close pairs), float32 sums within a tile, float64 across tiles;
        measured 2.8e-7 (unit ball), 1.3e-7 (box of side 8), 3.1e-7 (ball of radius 0.05) of max|field|
        at P = 1e4; 7.5e-7 for the ball of radius 0.05 at P = 2e3 (closest to the 1e-6 budget).

    Returns
    -------
    ndarray, shape (P, 3)
        Drift field [mass/length^2]. Pairs closer than ``1e-15 D`` (float64) or ``1e-12 D`` (float32)
        are evaluated at that distance; coincident pairs (r = 0) contribute 0.

    Raises
    ------
    ValueError
        If ``precision`` is not "float64" or "float32", or ``beta D`` exceeds the precision's limit.
    """
    if precision not in ("float64", "float32"):
        raise ValueError(f"precision must be 'float64' or 'float32', got {precision!r}")
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    z = np.ascontiguousarray(z, dtype=np.float64)
    n = x.size
    if n == 0:
        return np.zeros((0, 3))
    D, c = _distance_bound(x, y, z)
    y_max = beta * D
    limit = Y_MAX if precision == "float64" else Y_MAX_F32
    if not y_max <= limit:
        raise ValueError(f"beta * D (D = twice the largest distance from the bounding-box centre) must be <= "
                         f"{limit} for precision={precision!r}, got {y_max:.4g}")
    e = math.frexp(D)[1] if D > 0 else 0  # D 2^-e in [0.5, 1)
    s = math.ldexp(1.0, -e)
    w = weight * _INV4PI * math.ldexp(1.0, -2 * e)
    bs = math.ldexp(beta, e)
    if precision == "float64":
        nsq = min(n_sq for n_sq in SQUARING_LEVELS64 if n_sq >= exp_squarings(y_max, "float64"))
        # not centred: x - c would round (|x| u absolute), the scaling by 2^-e is exact
        acc = _sym64(_pack(x, y, z, np.zeros(3), s, BLOCK64), n, bs, 0.5**nsq, (0,) * nsq)
        return _unpack(acc, n, BLOCK64, w)
    nsq = exp_squarings(y_max, "float32")
    pos = _pack(x, y, z, c, s, BLOCK32)
    ph = pos.astype(np.float32)
    pl = (pos - ph).astype(np.float32)
    acc = _sym32(ph, pl, n, np.float32(bs), np.float32(0.5**nsq), (0,) * nsq)
    return _unpack(acc, n, BLOCK32, w)
