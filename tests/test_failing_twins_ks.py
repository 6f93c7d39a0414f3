"""Keller-Segel checks pass on our solvers and fail on deliberately wrong ones.

Wrong models: the chemotactic coefficient doubled (1D dispersion), the seed 001 §6.4
algorithm itself (conservation/positivity: it blows up during aggregation), and chi(u)
with c/2 (2D onset).
"""

from dataclasses import replace

import pytest

from continuum.keller_segel import fv_solver
from verification.keller_segel import checks as ks
from verification.records import CheckConfig, load_all, run_check

CFG = CheckConfig("quick", seed=7)


def doubled_chi0(params, u0, v0, times):
    return fv_solver(replace(params, chi0=2 * params.chi0), u0, v0, times)


WRONG = {
    "ks1d.dispersion": {"solver": doubled_chi0},
    "ks1d.conservation_positivity": {"solver": ks.seed_solver},
    "ks2d.pattern": {"solver": ks.halved_sensitivity()},
}


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_ks_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_ks_check_passes_on_our_model(check_id):
    res = run_check(load_all()[check_id], CFG)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details
