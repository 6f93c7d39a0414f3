"""2D SIPF checks pass on our method and fail on deliberately wrong ones.

Wrong models: the 3D Yukawa pair kernel ``(1 + beta r) e^{-beta r} / (4 pi r^2)`` used in
2D (instead of ``beta K_1(beta r) / (2 pi)``), and rho modes without the ``1/L^2`` of a
Fourier coefficient inside a whole run (c0 identity).
"""

import pytest

from verification.records import CheckConfig, load_all, run_check
from verification.sipf import checks_2d as sipf2d

CFG = CheckConfig("quick", seed=7)

WRONG = {
    "sipf2d.fast_vs_reference": {"pieces": sipf2d.kernel3d_pieces},
    "sipf2d.c0_identity": {"run": sipf2d.no_norm_run},
}


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_sipf2d_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


def test_fast_vs_reference_fails_without_normalization():
    res = run_check(load_all()["sipf2d.fast_vs_reference"], CFG, pieces=sipf2d.no_norm_pieces)
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_sipf2d_check_passes_on_our_model(check_id):
    res = run_check(load_all()[check_id], CFG)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details
