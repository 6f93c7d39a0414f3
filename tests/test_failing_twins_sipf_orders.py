"""SIPF convergence-order checks (P and H) pass on our method and fail on deliberately wrong ones.

Wrong models: one Brownian increment shared by all particles (the particles' paths are not
independent, so the Monte-Carlo error does not average out with P), and a field whose particle
source stops at the modes |k_i| <= 3 whatever H (the modes beyond the cut-off carry nothing, so
the error in H is no truncation error).
"""

import pytest

from verification.records import CheckConfig, load_all, run_check
from verification.sipf import checks_orders as sipf_orders

CFG = CheckConfig("quick", seed=7)

WRONG = {
    "sipf.particle_order": {"run": sipf_orders.shared_noise_run},
    "sipf.mode_order": {"run": sipf_orders.cutoff_run},
}


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_sipf_order_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_sipf_order_check_passes_on_our_model(check_id):
    res = run_check(load_all()[check_id], CFG)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details
