"""sipf.critical_mass (full profile, through the sweep runner) fails on a deliberately wrong SIPF model.

Wrong model: Euler-Maruyama noise of variance mu dt instead of 2 mu dt (sqrt(mu dt) N, a classic
slip; the cells diffuse at half the rate, so the critical mass drops far below the paper's bracket
and no mass in it stays bounded). The test narrows the bisection to [46.7, 48.7] and uses 2 seeds
so that it costs minutes, not the check's full [39.7, 55.7] with 8 seeds; the run functions
execute in the check's own process pool (spawned workers import this module through the
inherited sys.path).
"""

import pytest

from verification.records import CheckConfig, load_all, run_check
from verification.sipf import checks_critical_mass as sipf_critical

CFG = CheckConfig("full", seed=11)


def half_noise_task(**kw):
    """verification.sipf.critical_mass.sipf_task with mu/2 in the noise (and nowhere else: chi, eps, k kept)."""
    import verification.sipf.critical_mass as cm

    real = cm._physics
    cm._physics = lambda config: {**real(config), "mu": real(config)["mu"] / 2}
    try:
        return cm.sipf_task(**kw)
    finally:
        cm._physics = real


WRONG = {"sipf.critical_mass": {"sipf_task": "test_failing_twins_sipf_critical:half_noise_task"}}


@pytest.fixture
def narrow(monkeypatch):
    monkeypatch.setattr(sipf_critical, "HALF_WIDTH", 1.0)
    monkeypatch.setattr(sipf_critical, "WIDTH", 1.0)
    monkeypatch.setattr(sipf_critical, "REPLICAS", 2)
    monkeypatch.setattr(sipf_critical, "REPLICAS_ALT", 1)


@pytest.mark.slow
@pytest.mark.usefixtures("narrow")
def test_critical_mass_fails_on_wrong_noise():
    res = run_check(load_all()["sipf.critical_mass"], CFG, **WRONG["sipf.critical_mass"])
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed
    assert "invalid" in res.details["sipf"][0]["status"]  # 46.7 already collapses
