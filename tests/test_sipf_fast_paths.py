"""The SIPF fast path's settings (issue 14): NUFFT tolerance and plans, threads, the FMM pair sum."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from agents import nufft
from agents import sipf as S
from verification.sipf.cases import rel_max

P_SMALL = S.SIPFParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, L=8.0, H=12, dt=1e-4, mass=80.0)


def test_zero_mode_is_the_exact_mass():
    x = S.uniform_ball(500, seed=3)
    modes = S.rho_modes_fast(P_SMALL, x)
    c = P_SMALL.H // 2
    assert modes[c, c, c] == P_SMALL.mass / P_SMALL.L**3


def test_fast_drift_within_the_budget_of_nufft_eps():
    """The error budget of NUFFT_EPS: fast vs reference pieces well inside 1e-6 (expected ~10 eps)."""
    x = S.uniform_ball(300, seed=4)
    alpha = S.field_update(P_SMALL, S.rho_modes_reference(P_SMALL, x), np.zeros((13, 13, 13), complex))
    ref = S.field_drift_reference(P_SMALL, x, alpha)
    fast = S.field_drift_fast(P_SMALL, x, alpha)
    assert rel_max(fast, ref) < 100 * S.NUFFT_EPS
    assert rel_max(S.rho_modes_fast(P_SMALL, x), S.rho_modes_reference(P_SMALL, x)) < 100 * S.NUFFT_EPS


def test_plans_are_reused_and_give_the_one_shot_result():
    x = S.uniform_ball(700, seed=5)
    th = np.ascontiguousarray((2 * np.pi / P_SMALL.L) * x.T)
    w = np.full(700, 1.0 + 0j)
    a = nufft.type1(th, w, (13, 13, 13), 1e-8, nthreads=1)
    n_plans = len(nufft._local.plans)
    b = nufft.type1(th[:, ::-1].copy(), w, (13, 13, 13), 1e-8, nthreads=1)  # new points, same plan
    assert len(nufft._local.plans) == n_plans
    one_shot = nufft.finufft.nufft3d1(*th, w, (13, 13, 13), eps=1e-8, isign=-1, nthreads=1, upsampfac=2.0)
    np.testing.assert_array_equal(a, one_shot)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize(("n_points", "cap", "expected"), [(100, 2, 1), (4999, 2, 1), (5000, 2, 2), (10**6, 2, 2),
                                                     (10**6, 1, 1)])
def test_threads_for(monkeypatch, n_points, cap, expected):
    monkeypatch.setattr(nufft, "max_threads", cap)
    assert nufft.threads_for(n_points) == expected


def test_finufft_import_leaves_the_environment_as_it_was():
    code = ("import os; assert 'OMP_WAIT_POLICY' not in os.environ; import agents.nufft; "
            "assert 'OMP_WAIT_POLICY' not in os.environ; print('ok')")
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("P", [2, 50, 3000])
def test_fmm_pair_sum_matches_the_direct_sum(P):
    """FMM3D at eps 1e-6 vs the exact sum: measured <= 2e-8 relative; asserted at the 1e-6 budget."""
    x = S.uniform_ball(P, seed=6)
    fmm = S.pair_drift_fast(P_SMALL, x, method="fmm")
    direct = S.pair_drift_fast(P_SMALL, x, method="direct")
    assert rel_max(fmm, direct) < 1e-6


def test_pair_method_auto_switches_at_the_crossover(monkeypatch):
    x = S.uniform_ball(400, seed=7)
    calls = []
    monkeypatch.setattr(S, "pair_drift_fmm", lambda p, y: calls.append("fmm") or np.zeros_like(y))
    monkeypatch.setattr(S, "FMM_MIN_PARTICLES", 400)
    S.pair_drift_fast(P_SMALL, x)
    monkeypatch.setattr(S, "FMM_MIN_PARTICLES", 401)
    S.pair_drift_fast(P_SMALL, x)
    assert calls == ["fmm"]


def test_pair_method_is_validated():
    with pytest.raises(ValueError, match="method must be one of"):
        S.pair_drift_fast(P_SMALL, S.uniform_ball(10, seed=1), method="tree")


def test_work_cap_counts_the_fmm_linearly():
    """Above the crossover the estimate grows like P (FMM), not P^2."""
    p = P_SMALL.replace(H=4)
    sp = S.SPACE
    t_small = S.require_run_work(p, sp, S.FMM_MIN_PARTICLES, 1)
    t_big = S.require_run_work(p, sp, 4 * S.FMM_MIN_PARTICLES, 1)
    assert 3.0 < t_big / t_small < 5.0


def test_nufft_results_do_not_depend_on_the_thread_count(monkeypatch):
    """Type-1 stays on one thread by default; type-2 (per-point interpolation) is identical on 1 and 2."""
    x = S.uniform_ball(6000, seed=8)
    th = np.ascontiguousarray((2 * np.pi / P_SMALL.L) * x.T)
    w = np.full(6000, 1.0 + 0j)
    f = np.ascontiguousarray(np.random.default_rng(2).standard_normal((3, 13, 13, 13)) + 0j)
    out = {}
    for cap in (1, 2):
        monkeypatch.setattr(nufft, "max_threads", cap)
        out[cap] = (nufft.type1(th, w, (13, 13, 13), 1e-8), nufft.type2(th, f, 1e-8))
    np.testing.assert_array_equal(out[1][0], out[2][0])
    np.testing.assert_array_equal(out[1][1], out[2][1])
