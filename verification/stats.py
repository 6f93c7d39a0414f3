"""Statistics for checks: standard errors, distribution distances, convergence orders.

Every tolerance a check uses is built here from a stated false-alarm rate or an
error model, so the check can say where it came from.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats as _st

#: Two-sided false-alarm probability per comparison used by the checks.
FALSE_ALARM = 1e-4
#: Standard errors that correspond to FALSE_ALARM under a normal estimator (~3.89).
Z = float(_st.norm.isf(FALSE_ALARM / 2))


def mean_se(samples: np.ndarray) -> tuple[float, float]:
    """Mean and its standard error for independent samples."""
    samples = np.asarray(samples, dtype=float)
    if samples.size < 2:
        raise ValueError("need at least 2 samples for a standard error")
    return float(samples.mean()), float(samples.std(ddof=1) / math.sqrt(samples.size))


def batch_se(
    samples: np.ndarray, estimator: Callable[[np.ndarray], float], n_batches: int = 32
) -> tuple[float, float]:
    """Estimate on all samples and its standard error from independent batches.

    Parameters
    ----------
    samples : ndarray, shape (n, ...)
        Independent samples along axis 0 (e.g. walkers).
    estimator : callable
        Maps a sub-array of samples to a number (e.g. a variance).
    n_batches : int
        Number of equal batches (>= 8); SE = std(batch estimates) / sqrt(n_batches).
    """
    samples = np.asarray(samples)
    if n_batches < 8 or samples.shape[0] < 2 * n_batches:
        raise ValueError(f"need n_batches >= 8 and at least {2 * n_batches} samples")
    batches = np.array_split(samples, n_batches)
    est = np.array([estimator(b) for b in batches])
    return float(estimator(samples)), float(est.std(ddof=1) / math.sqrt(n_batches))


def block_average_se(series: np.ndarray, min_blocks: int = 16) -> tuple[float, float]:
    """Mean of a correlated time series and its standard error by blocking.

    Flyvbjerg & Petersen (J. Chem. Phys. 91, 461, 1989): pairwise-average the
    series repeatedly; the naive standard error grows with the block size until
    blocks are longer than the correlation time, where it levels off. Returns the
    largest estimate over levels that keep at least ``min_blocks`` blocks (a
    conservative plateau value).
    """
    x = np.asarray(series, dtype=float)
    if x.size < 2 * min_blocks:
        raise ValueError(f"need at least {2 * min_blocks} points")
    mean = float(x.mean())
    best = 0.0
    while x.size >= min_blocks:
        best = max(best, float(x.std(ddof=1) / math.sqrt(x.size)))
        n = x.size // 2
        x = 0.5 * (x[: 2 * n : 2] + x[1 : 2 * n : 2])
    return mean, best


def ks_statistic(samples: np.ndarray, cdf_values_sorted: np.ndarray | Callable) -> float:
    """One-sample Kolmogorov-Smirnov distance sup |F_n - F|.

    ``cdf_values_sorted`` is the model CDF evaluated at the sorted samples, or a
    callable CDF.
    """
    xs = np.sort(np.asarray(samples, dtype=float))
    f = cdf_values_sorted(xs) if callable(cdf_values_sorted) else np.asarray(cdf_values_sorted)
    n = xs.size
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))


def ks_critical(n: int, alpha: float = FALSE_ALARM) -> float:
    """Critical one-sample KS distance: P(D_n > d) = alpha under the null (exact distribution)."""
    return float(_st.kstwo.isf(alpha, n))


def ks_two_sample(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov distance."""
    return float(_st.ks_2samp(a, b).statistic)


def ks_two_sample_critical(n: int, m: int, alpha: float = FALSE_ALARM) -> float:
    """Asymptotic two-sample critical distance c(alpha) sqrt((n + m) / (n m))."""
    c = math.sqrt(-0.5 * math.log(alpha / 2))
    return c * math.sqrt((n + m) / (n * m))


def l1_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Sum |p - q| of two vectors of bin masses."""
    return float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def fit_order(h: np.ndarray, err: np.ndarray) -> tuple[float, float]:
    """Fit err = C h^p on log-log data; return p and its standard error.

    The standard error is from the least-squares covariance (``np.polyfit(cov=True)``),
    which needs at least 3 points.
    """
    h, err = np.asarray(h, dtype=float), np.asarray(err, dtype=float)
    if h.size < 3 or np.any(h <= 0) or np.any(err <= 0):
        raise ValueError("fit_order needs >= 3 points with positive h and err")
    coef, cov = np.polyfit(np.log(h), np.log(err), 1, cov=True)
    return float(coef[0]), float(math.sqrt(max(cov[0, 0], 0.0)))
