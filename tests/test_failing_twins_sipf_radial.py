"""The SIPF-vs-radial check passes on our methods and fails on a deliberately wrong one.

Wrong model: SIPF with chi doubled (a wrong factor in the chemotactic drift): at M0 = 20 the
cells aggregate faster and c(r = 0.75..1, t = 0.05) exceeds the radial reference by ~20 SE.
"""

import pytest

from verification.records import CheckConfig, load_all, run_check
from verification.sipf import checks_radial as sipf_radial

CFG = CheckConfig("quick", seed=7)

WRONG = {
    "sipf.radial_agreement": {"sipf_run": sipf_radial.double_chi_run},
}


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_sipf_radial_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_sipf_radial_check_passes_on_our_model(check_id):
    res = run_check(load_all()[check_id], CFG)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details
