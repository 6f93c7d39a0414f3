import numpy as np
import pytest

from verification import stats


def test_block_average_recovers_ar1_error(rng):
    phi, n = 0.9, 2**16
    e = rng.normal(size=n)
    x = np.empty(n)
    x[0] = e[0] / np.sqrt(1 - phi**2)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    # exact SE of the mean of a stationary AR(1): sqrt(var/(n) (1+phi)/(1-phi))
    exact = np.sqrt(1 / (1 - phi**2) / n * (1 + phi) / (1 - phi))
    _, se = stats.block_average_se(x)
    naive = x.std() / np.sqrt(n)
    assert naive < 0.5 * exact
    assert 0.7 * exact < se < 1.4 * exact


def test_fit_order_and_ks():
    h = np.array([0.1, 0.05, 0.025, 0.0125])
    p, se = stats.fit_order(h, 3 * h**2 * (1 + 0.01 * np.array([1, -1, 1, -1])))
    assert p == pytest.approx(2, abs=0.05)
    assert se < 0.05
    with pytest.raises(ValueError):
        stats.fit_order([1, 2], [1, 2])
    x = np.linspace(0, 1, 1001)[1:-1]
    assert stats.ks_statistic(x, lambda y: y) <= 1e-3 + 1e-12
    assert stats.ks_critical(10_000, 1e-4) == pytest.approx(2.22 / 100, rel=0.05)


def test_batch_se_matches_mean_se(rng):
    x = rng.normal(size=64_000)
    m1, s1 = stats.mean_se(x)
    m2, s2 = stats.batch_se(x, np.mean)
    assert m1 == pytest.approx(m2)
    assert s2 == pytest.approx(s1, rel=0.4)
