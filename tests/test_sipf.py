"""Unit tests of the SIPF method ([SIPF]): validation, fast == reference, seeding, Mesa wrapper."""

import math

import numpy as np
import pytest

from agents import sipf as S
from agents.sipf_kernels import Y_MAX, exp_neg_array
from verification.sipf import derivation as deriv

P0 = S.SIPFParams(H=8, mass=80.0, dt=1e-3)


@pytest.mark.parametrize(("field", "value", "word"), [
    ("mu", 0.0, "mu"), ("mu", math.nan, "mu"), ("eps", -1.0, "eps"), ("k", -0.1, "k"),
    ("L", 0.0, "L"), ("H", 7, "H"), ("H", 2, "H"), ("dt", 0.0, "dt"), ("mass", -1.0, "mass"),
    ("dim", 2, "dim"), ("chi", math.inf, "chi"),
])
def test_params_validation_names_the_parameter(field, value, word):
    with pytest.raises(ValueError, match=word):
        P0.replace(**{field: value})


def test_eps_zero_needs_k_positive():
    with pytest.raises(ValueError, match="k must be > 0 when eps = 0"):
        S.SIPFParams(eps=0.0, k=0.0)
    assert S.SIPFParams(eps=0.0, k=0.5).beta == pytest.approx(0.5)


@pytest.mark.parametrize(("x", "word"), [
    (np.zeros((1, 3)), "P"), (np.zeros((4, 2)), "shape"), (np.full((3, 3), 5.0), "inside"),
    (np.array([[0, 0, np.nan], [0, 0, 0]]), "finite"),
])
def test_positions_validation(x, word):
    with pytest.raises(ValueError, match=word):
        S.run_sipf(P0, x, 1)


def test_vectorized_exp_accuracy():
    y = np.linspace(0.0, Y_MAX, 20001)
    assert np.max(np.abs(exp_neg_array(y) / np.exp(-y) - 1)) < 1e-10


def test_fast_equals_reference_pieces():
    x = S.uniform_ball(120, seed=3)
    a0 = S.field_update(P0, S.rho_modes_reference(P0, x * 1.2), np.zeros((9, 9, 9), complex))
    a_f, v_f = S.step_pieces_fast(P0, x, a0)
    a_r, v_r = S.step_pieces_reference(P0, x, a0)
    assert np.max(np.abs(a_f - a_r)) <= 1e-9 * np.max(np.abs(a_r))
    assert np.max(np.abs(v_f - v_r)) <= 1e-9 * np.max(np.abs(v_r))


def test_fast_equals_reference_run():
    x = S.uniform_ball(60, seed=4)
    rf = S.run_sipf(P0, x, 3, seed=9, method="fast")
    rr = S.run_sipf(P0, x, 3, seed=9, method="reference")
    assert np.max(np.abs(rf.positions - rr.positions)) < 1e-9
    assert np.max(np.abs(rf.modes - rr.modes)) < 1e-9 * np.max(np.abs(rr.modes))


def test_same_seed_same_result_and_field_real():
    x = S.uniform_ball(50, seed=5)
    a = S.run_sipf(P0, x, 4, seed=11)
    b = S.run_sipf(P0, x, 4, seed=11)
    c = S.run_sipf(P0, x, 4, seed=12)
    assert np.array_equal(a.positions, b.positions)
    assert np.array_equal(a.modes, b.modes)
    assert not np.array_equal(a.positions, c.positions)
    m = a.modes[-1]
    assert np.allclose(m, np.conj(m[::-1, ::-1, ::-1]), atol=1e-14)  # Hermitian: c is real


def test_c0_follows_backward_euler_recursion():
    x = S.uniform_ball(40, seed=6)
    r = S.run_sipf(P0, x, 5, seed=1)
    n = np.arange(6)
    be = deriv.numeric().c0_be(n, 0.0, P0.mass, P0.k, P0.eps, P0.dt)
    assert np.allclose(r.c0, be, rtol=1e-10)


def test_blowup_is_flagged_not_nan():
    x = S.uniform_ball(30, seed=7)
    r = S.run_sipf(P0, x, 5, seed=1, blowup_cinf=1e-6)
    assert r.blew_up
    assert r.blowup_time == pytest.approx(P0.dt)
    assert np.all(np.isfinite(r.c0))
    assert np.all(np.isfinite(r.positions))


def test_green_function_derivation():
    g = deriv.green()
    assert g.residual == 0
    assert g.flux == 1


def test_mesa_wrapper_runs():
    m = S.SIPFModel(P0, S.uniform_ball(40, seed=8), seed=2)
    for _ in range(3):
        m.step()
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 4
    assert df["c0"].iloc[-1] > 0
    r = S.run_sipf(P0, S.uniform_ball(40, seed=8), 3, seed=2)
    assert np.array_equal(m.positions, r.positions[-1])


# -- sipf.critical_mass: the bisection task must be importable by the sweep workers ---------------
def test_critical_mass_refuses_a_task_workers_cannot_import():
    from verification.records import CheckConfig, load_all, run_check

    res = run_check(load_all()["sipf.critical_mass"], CheckConfig("full", seed=11), sipf_task=lambda **kw: {})
    assert not res.passed
    assert res.details["error"].startswith("ValueError: ")
    assert "importable by module name" in res.details["error"]


def test_importable_name_of_the_tasks():
    from verification.sipf import wrong_models
    from verification.sipf.cases import importable_name
    from verification.sipf.critical_mass import sipf_task

    assert importable_name(sipf_task) == "verification.sipf.critical_mass:sipf_task"
    assert importable_name(wrong_models.half_noise_task) == "verification.sipf.wrong_models:half_noise_task"
    with pytest.raises(ValueError, match="importable by module name"):
        importable_name(lambda **kw: {})


def test_critical_mass_noise_grid_couples_dt_and_2dt():
    """Runs at dt and 2 dt with one seed share the Brownian path; dt <= NOISE_DT draws as before."""
    from verification.sipf import critical_mass as cm

    assert cm.NOISE_DT == 1e-3
    assert [cm.noise_substeps(dt) for dt in (1e-4, 5e-4, 1e-3, 1.5e-3, 2e-3, 4e-3)] == [1, 1, 1, 1, 2, 4]
    for bad in (0.0, -1e-3, math.nan, math.inf, "1e-3"):
        with pytest.raises(ValueError, match="dt"):
            cm.noise_substeps(bad)
    # chi = 0: pure Brownian motion, so 2 steps of dt and 1 step of 2 dt end at the same place
    # (sqrt(2 mu dt)(N1 + N2) both ways); round-off only (positions O(1), two additions)
    p = cm.sipf_params("unit_ball", 48.0, 4, 1e-3).replace(chi=0.0)
    x0 = S.uniform_ball(40, seed=3)
    fine = S.run_sipf(p, x0, 2, seed=4, noise_substeps=cm.noise_substeps(p.dt))
    coarse = S.run_sipf(p.replace(dt=2e-3), x0, 1, seed=4, noise_substeps=cm.noise_substeps(2e-3))
    np.testing.assert_allclose(coarse.positions[-1], fine.positions[-1], rtol=0, atol=1e-14)
    assert not np.allclose(fine.positions[-1], x0)


def test_critical_mass_task_draws_noise_on_the_grid(monkeypatch):
    """sipf_task hands run_sipf the noise_substeps of its dt (the base size draws as before)."""
    from verification.sipf import critical_mass as cm

    seen = []
    real = S.run_sipf

    def spy(*args, **kwargs):
        seen.append(kwargs.get("noise_substeps", 1))
        return real(*args, **kwargs)

    monkeypatch.setattr(S, "run_sipf", spy)
    for dt in (1e-3, 2e-3):
        out = cm.sipf_task("unit_ball", 48.0, 4, 20, dt, 4e-3, 5)
        assert math.isfinite(out["peak_above_mean"])
    assert seen == [1, 2]


@pytest.mark.slow
def test_critical_mass_with_half_noise_collapses_below_the_bracket(monkeypatch):
    """Half the noise: 46.7 (the low end of the narrowed bracket) already collapses."""
    import importlib

    from verification.records import load_all, run_check
    from verification.sipf.wrong_models import WRONG_MODELS

    (w,) = [w for w in WRONG_MODELS if w.check == "sipf.critical_mass"]
    for module, attr, value in w.patches:
        monkeypatch.setattr(importlib.import_module(module), attr, value)
    res = run_check(load_all()[w.check], w.config, **w.methods)
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed
    assert "invalid" in res.details["sipf"][0]["status"]
