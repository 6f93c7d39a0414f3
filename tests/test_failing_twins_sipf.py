"""SIPF checks pass on our method and fail on deliberately wrong ones.

Wrong models: the printed Alg. 1 field update (phase, no 1/L^3, subtracted source), the
same inside a whole run (c0 identity), increments sqrt(mu dt) N (a factor 2 in the
variance), chemorepulsion (wrong sign of chi), and a field step with a hard-coded time
step (an inconsistent scheme: no convergence in dt).
"""

import pytest

from verification.records import CheckConfig, load_all, run_check
from verification.sipf import checks as sipf

CFG = CheckConfig("quick", seed=7)

WRONG = {
    "sipf.fast_vs_reference": {"pieces": sipf.seed_alg1_pieces},
    "sipf.c0_identity": {"run": sipf.seed_alg1_run},
    "sipf.free_diffusion": {"run": sipf.half_noise_run},
    "sipf.blowup_indicator": {"run": sipf.repulsive_run},
    "sipf.dt_order": {"run": sipf.fixed_dt_run},
}


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_sipf_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_sipf_check_passes_on_our_model(check_id):
    res = run_check(load_all()[check_id], CFG)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details
