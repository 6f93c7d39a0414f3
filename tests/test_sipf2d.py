"""Unit tests of the 2D SIPF method: validation, K1, fast == reference, seeding, blow-up."""

import math

import numpy as np
import pytest
from scipy.special import k1

from agents import sipf2d as S

P0 = S.SIPF2DParams(H=8, mass=4 * math.pi, dt=1e-3)


@pytest.mark.parametrize(("field", "value", "word"), [
    ("mu", 0.0, "mu must be a finite real number > 0"), ("mu", math.nan, "mu must be a finite"),
    ("eps", -1.0, "eps must be a finite real number >= 0"), ("k", -0.1, "k must be a finite real number >= 0"),
    ("L", 0.0, "L must be a finite real number in"), ("H", 7, "H must be an even integer >= 4"),
    ("H", 2, "H must be an even"), ("H", 4.0, "H must be"), ("dt", 0.0, "dt must be a finite real number > 0"),
    ("mass", -1.0, "mass must be a finite real number > 0"), ("chi", math.inf, "chi must be a finite"),
    ("k", 100.0, "k too large"), ("dt", 1e-12, "dt too small"),
])
def test_params_validation_names_the_parameter(field, value, word):
    with pytest.raises(ValueError, match=word):
        P0.replace(**{field: value})


def test_eps_zero_needs_k_positive():
    with pytest.raises(ValueError, match="k must be > 0 when eps = 0"):
        S.SIPF2DParams(eps=0.0, k=0.0)
    assert S.SIPF2DParams(eps=0.0, k=0.5).beta == pytest.approx(0.5)


@pytest.mark.parametrize(("x", "word"), [
    (np.zeros((1, 2)), "P"), (np.zeros((4, 3)), "shape"), (np.full((3, 2), 5.0), "inside"),
    (np.array([[0, np.nan], [0, 0]]), "finite"),
])
def test_positions_validation(x, word):
    with pytest.raises(ValueError, match=word):
        S.run_sipf2d(P0, x, 1)


@pytest.mark.parametrize(("kw", "word"), [
    ({"n_steps": -1}, "n_steps"), ({"n_steps": 1.5}, "n_steps"), ({"n_steps": 1, "method": "slow"}, "method"),
    ({"n_steps": 1, "blowup_cinf": 0.0}, "blowup_cinf"), ({"n_steps": 1, "alpha0": np.zeros((3, 3))}, "alpha0"),
    ({"n_steps": 2, "record_steps": [3]}, "record_steps"),
])
def test_run_argument_validation(kw, word):
    with pytest.raises(ValueError, match=word):
        S.run_sipf2d(P0, S.uniform_disc(5, seed=1), **kw)


def test_uniform_disc():
    x = S.uniform_disc(500, radius=0.5, center=(1.0, -1.0), seed=2)
    assert x.shape == (500, 2)
    assert np.all(np.linalg.norm(x - [1.0, -1.0], axis=1) <= 0.5)
    with pytest.raises(ValueError, match="radius"):
        S.uniform_disc(3, radius=-1.0)
    with pytest.raises(ValueError, match="center"):
        S.uniform_disc(3, center=(0.0, 0.0, 0.0))


def test_k1_accuracy():
    y = np.concatenate([np.geomspace(1e-6, 50.0, 20001), np.linspace(1.99, 2.01, 201), [600.0]])
    assert np.max(np.abs(S.k1_array(y) / k1(y) - 1)) < 1e-13


def test_fast_equals_reference_pieces():
    x = S.uniform_disc(80, seed=3)
    a0 = S.field_update(P0, S.rho_modes_reference(P0, x * 1.2), np.zeros((9, 9), complex))
    a_f, v_f = S.step_pieces_fast(P0, x, a0)
    a_r, v_r = S.step_pieces_reference(P0, x, a0)
    assert np.max(np.abs(a_f - a_r)) <= 1e-9 * np.max(np.abs(a_r))
    assert np.max(np.abs(v_f - v_r)) <= 1e-9 * np.max(np.abs(v_r))


def test_fast_equals_reference_run():
    x = S.uniform_disc(40, seed=4)
    rf = S.run_sipf2d(P0, x, 3, seed=9, method="fast")
    rr = S.run_sipf2d(P0, x, 3, seed=9, method="reference")
    assert np.max(np.abs(rf.positions - rr.positions)) < 1e-9
    assert np.max(np.abs(rf.modes - rr.modes)) < 1e-9 * np.max(np.abs(rr.modes))


def test_quadrature_approximates_grad_K_conv():
    """Q[cos(w x)] -> w sin(w x) / (w^2 + beta^2) (= grad (K * c)) as H grows: the sign and scale of Eq. 30."""
    errs = []
    for H in (16, 32):
        p = S.SIPF2DParams(H=H, eps=1.0, dt=0.04, k=0.0)  # beta = 5: the window truncation is negligible
        a = np.zeros((H + 1, H + 1), complex)
        a[H // 2 + 1, H // 2] = a[H // 2 - 1, H // 2] = 0.5
        w = 2 * np.pi / p.L
        x = np.random.default_rng(0).uniform(-4, 4, (30, 2))
        ex = w * np.sin(w * x[:, 0]) / (w**2 + p.beta**2)
        errs.append(np.max(np.abs(S.field_drift_fast(p, x, a)[:, 0] - ex)) / np.max(np.abs(ex)))
    assert errs[1] < 0.01
    assert errs[1] < errs[0] / 4


def test_same_seed_same_run():
    x = S.uniform_disc(30, seed=5)
    r1 = S.run_sipf2d(P0, x, 4, seed=11, record_steps=range(5))
    r2 = S.run_sipf2d(P0, x, 4, seed=11, record_steps=range(5))
    r3 = S.run_sipf2d(P0, x, 4, seed=12)
    assert np.array_equal(r1.positions, r2.positions)
    assert np.array_equal(r1.modes, r2.modes)
    assert np.array_equal(r1.c0, r2.c0)
    assert np.array_equal(r1.cinf, r2.cinf)
    assert not np.array_equal(r1.positions[-1], r3.positions[-1])
    assert r1.record_steps.tolist() == [0, 1, 2, 3, 4]
    assert r1.times[-1] == pytest.approx(4 * P0.dt)


def test_blowup_is_flagged_without_nan():
    """Supercritical mass (2000 >> 8 pi) aggregates: ||c||_inf grows past the threshold after a few steps."""
    p = P0.replace(mass=2000.0)
    x = S.uniform_disc(40, radius=1.0, seed=6)
    r = S.run_sipf2d(p, x, 20, seed=1, blowup_cinf=2000.0)
    assert r.blew_up
    assert 2 * p.dt < r.blowup_time < 20 * p.dt
    assert len(r.times) == len(r.c0) == len(r.cinf) == round(r.blowup_time / p.dt)
    for arr in (r.c0, r.cinf, r.positions, r.modes, r.times):
        assert np.all(np.isfinite(arr))
    assert np.all(r.cinf <= 2000.0)
    assert r.cinf[-1] > r.cinf[1]


def test_nonfinite_step_is_flagged_without_nan():
    def bad_pieces(params, x, alpha_prev):
        alpha, v = S.step_pieces_fast(params, x, alpha_prev)
        return alpha, v * np.inf if np.any(alpha_prev) else v

    r = S.run_sipf2d(P0, S.uniform_disc(10, seed=7), 5, seed=1, method=bad_pieces)
    assert r.blew_up
    assert r.blowup_time == pytest.approx(2 * P0.dt)
    assert np.all(np.isfinite(r.positions))
    assert np.all(np.isfinite(r.c0))
