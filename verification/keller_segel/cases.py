"""Configurations and helpers of the keller_segel topic that checks, errata, wrong models and benchmarks share."""

from __future__ import annotations

import math

import numpy as np

from continuum.keller_segel import KellerSegel1DParams
from verification.keller_segel import derivation as deriv

#: [CHEMOTAXIS] §6.4 model parameters (chi0 varies).
SEED_1D = {"length": 100.0, "n_cells": 200, "d_u": 1.0, "d_v": 20.0, "decay": 1.0}
#: The seed's own call: T = 100, Nt = 20000 (dt = 0.005; its x0.2 step rule does not trigger).
SEED_T, SEED_NT = 100.0, 20000
#: Amplitude of the seeded Fourier perturbations of the growth-rate measurements.
AMPLITUDE = 1e-6


def mode_amplitude(field: np.ndarray, k: float, dx: float) -> np.ndarray:
    """|Fourier coefficient| of mode k (1D, last axis), normalized so that A cos(k x) has amplitude A."""
    n = field.shape[-1]
    phase = np.exp(-1j * k * dx * np.arange(n))
    return np.abs((field - field.mean(axis=-1, keepdims=True)) @ phase) * 2 / n


def log_linear_rate(times: np.ndarray, amp: np.ndarray) -> tuple[float, float]:
    """Slope of log(amp) vs t by least squares and its standard error (np.polyfit covariance)."""
    coef, cov = np.polyfit(times, np.log(amp), 1, cov=True)
    return float(coef[0]), float(math.sqrt(max(cov[0, 0], 0.0)))


def unstable_eigvec(A: np.ndarray) -> np.ndarray:
    """Real part of the eigenvector of the eigenvalue of ``A`` with the largest real part, first entry 1."""
    w, vec = np.linalg.eig(A)
    e = np.real(vec[:, int(np.argmax(np.real(w)))])
    return e / e[0]


def measure_growth_1d(solver, params: KellerSegel1DParams, mode: int, times: np.ndarray) -> tuple[float, float, float]:
    """Seed u = 1 + eps cos(kx) along the continuum eigenvector; return (rate, stderr, max amplitude).

    ``solver`` follows the ``ks1d.solver`` protocol (:mod:`verification.keller_segel.protocols`).
    """
    num = deriv.numeric()
    k = params.wavenumber(mode)
    # eigenvector of the three-point symbol, so no decaying component pollutes the fit
    A = num.A1d(float(num.lap_k2(k, params.dx)), params.d_u, params.d_v, params.chi0, params.decay, 1.0)
    e = unstable_eigvec(A)
    x = params.x()
    u0 = 1.0 + AMPLITUDE * e[0] * np.cos(k * x)
    v0 = 1.0 / params.decay + AMPLITUDE * e[1] * np.cos(k * x)
    u, _ = solver(params, u0, v0, np.concatenate(([0.0], times)))
    amp = mode_amplitude(u[1:], k, params.dx)
    rate, se = log_linear_rate(times, amp)
    return rate, se, float(amp.max())


def periodic_peaks(u: np.ndarray, dx: float, prominence: float) -> tuple[np.ndarray, np.ndarray]:
    """Peaks of a periodic grid field: (positions [length], heights), positions to sub-cell accuracy.

    A peak is a local maximum whose prominence (find_peaks, on the field wrapped by one cell at each
    end) is at least ``prominence``; its position is the vertex of the parabola through the maximum
    and its two neighbours, taken modulo the period n dx. Non-finite fields have no peaks.
    """
    from scipy.signal import find_peaks

    u = np.asarray(u, dtype=float)
    n = u.size
    if not np.all(np.isfinite(u)):
        return np.array([]), np.array([])
    idx, _ = find_peaks(np.concatenate((u[-1:], u, u[:1])), prominence=prominence)
    idx = idx - 1
    left, mid, right = u[(idx - 1) % n], u[idx], u[(idx + 1) % n]
    curv = left - 2 * mid + right
    offset = np.where(curv != 0, 0.5 * (left - right) / np.where(curv != 0, curv, 1.0), 0.0)
    return ((idx + offset) * dx) % (n * dx), mid


def max_displacement(before: np.ndarray, after: np.ndarray, period: float) -> float:
    """Largest periodic distance from a peak in ``before`` to its nearest peak in ``after`` (inf if none)."""
    if before.size == 0 or after.size == 0:
        return math.inf
    d = np.abs(before[:, None] - after[None, :]) % period
    return float(np.max(np.min(np.minimum(d, period - d), axis=1)))
