"""Issue 13, continuum part B: refusals and run-time guarantees of disc, Cahn-Hilliard, Fokker-Planck,
gradient-flow and normal-mode solvers (every refusal names its parameter)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import j0

from continuum import cahn_hilliard as ch
from continuum.disc import DiscGuaranteeError, DiscParams, DiscSolver, RadialGrid, ftcs_paper, lyapunov_W
from continuum.fokker_planck import FluxFormFPE
from continuum.gradient_flow import GradientFlow1D
from continuum.normal_modes import ModalModel, anneal, geometric_schedule, min_mesh
from verification.validation import LimitError

J11 = 3.8317059702075125


def _disc_state(n: int) -> tuple[DiscSolver, np.ndarray, np.ndarray]:
    s = DiscSolver(DiscParams(), n)
    return s, 1.0 + 0.5 * j0(J11 * s.grid.r), np.full(n, 4.0)


# -- DiscSolver.run: guarantees verified after every step ----------------------------------------------------
@pytest.mark.parametrize("dt", [1e10, 1e15])
def test_disc_large_dt_breaks_a_guarantee_and_says_where(dt):
    s, rho0, c0 = _disc_state(64)
    with pytest.raises(DiscGuaranteeError, match=r"step 1 of 5 \(t = .*dt = .*: mass sum\(V rho\) changed"):
        s.run(rho0, c0, dt, 5)


def test_disc_guarantee_error_is_a_value_error_naming_dt():
    s, rho0, c0 = _disc_state(64)
    with pytest.raises(ValueError, match="use a smaller dt"):
        s.run(rho0, c0, 1e10, 3, W_every=1)


def test_disc_accepted_run_keeps_its_promises():
    s, rho0, c0 = _disc_state(64)
    rho, c, W = s.run(rho0, c0, 1e-3, 200, W_every=1)
    mass0, mass = np.sum(s.grid.volumes * rho0), np.sum(s.grid.volumes * rho)
    assert abs(mass - mass0) <= 1e-13 * mass0
    assert rho.min() >= 0.0
    assert np.all(np.diff(np.concatenate(([lyapunov_W(s.params, s.grid, rho0, c0)], W))) <= 1e-12 * abs(W[0]))


def test_disc_repulsive_model_is_not_held_to_W():
    """chemotaxis_sign = -1 (a wrong model) raises W; only mass and rho >= 0 are verified there."""
    s = DiscSolver(DiscParams(), 64, chemotaxis_sign=-1)
    rho0, c0 = 1.0 + 0.5 * j0(J11 * s.grid.r), np.full(64, 4.0)
    rho, _, W = s.run(rho0, c0, 1e-3, 50, W_every=1)
    assert np.all(np.isfinite(W))
    assert rho.min() >= 0


def test_disc_accepts_numpy_integers():
    s = DiscSolver(DiscParams(), np.int64(16))
    rho, c, W = s.run(np.ones(16), np.ones(16), np.float32(1e-3), np.int32(4), W_every=np.int64(2))
    assert W.shape == (2,)
    assert np.all(np.isfinite(rho))
    assert RadialGrid(1.0, np.int16(8)).n == 8


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"n_steps": 2.7}, "n_steps"), ({"n_steps": -1}, "n_steps"), ({"n_steps": "3"}, "n_steps"),
    ({"dt": "0.1"}, "dt"), ({"dt": float("nan")}, "dt"), ({"dt": 0.0}, "dt"), ({"W_every": 1.5}, "W_every"),
])
def test_disc_run_refusals_name_the_parameter(kwargs, name):
    s = DiscSolver(DiscParams(), 8)
    args = {"rho0": np.ones(8), "c0": np.ones(8), "dt": 1e-3, "n_steps": 1, **kwargs}
    with pytest.raises(ValueError, match=f"^{name}"):
        s.run(**args)


def test_disc_rho0_refusals():
    s = DiscSolver(DiscParams(), 8)
    with pytest.raises(ValueError, match="rho0 must be finite"):
        s.run(np.r_[np.nan, np.ones(7)], np.ones(8), 1e-3, 1)
    with pytest.raises(ValueError, match="c0 must lie >= 0"):
        s.run(np.ones(8), -np.ones(8), 1e-3, 1)
    with pytest.raises(ValueError, match=r"shape \(8,\)"):
        s.run(np.ones(9), np.ones(9), 1e-3, 1)


@pytest.mark.parametrize(("value", "name"), [("4", "chi0"), (True, "D0"), (float("inf"), "radius")])
def test_disc_params_strings_and_bools_name_the_parameter(value, name):
    with pytest.raises(ValueError, match=f"^{name} must be a finite real number > 0"):
        DiscParams(**{name: value})


def test_disc_sizes_and_work_refused_up_front():
    with pytest.raises(LimitError, match="n_cells = 1000000000000 needs about .* GiB"):
        DiscSolver(DiscParams(), 10**12)
    with pytest.raises(ValueError, match="n_cells must be an integer >= 8"):
        DiscSolver(DiscParams(), 8.0)
    s = DiscSolver(DiscParams(), 8)
    with pytest.raises(LimitError, match="cell-steps"):
        s.run(np.ones(8), np.ones(8), 1e-3, 10**15)


# -- ftcs_paper ----------------------------------------------------------------------------------------------
def test_ftcs_blow_up_is_an_error_not_nan():
    r = np.linspace(0.0, 1.0, 20)
    with pytest.raises(DiscGuaranteeError, match=r"ftcs_paper: rho or c left finite arithmetic at step \d+ of 1000"):
        ftcs_paper(DiscParams(), 1 + 0.5 * j0(J11 * r), np.full(20, 4.0), 1e-2, 1000)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_steps": -5}, "n_steps must be an integer >= 0"), ({"n_steps": 2.7}, "n_steps must be an integer"),
    ({"rho0": np.r_[np.nan, np.ones(19)]}, "rho0 must be finite"), ({"dt": -1.0}, "dt must be"),
    ({"n_steps": 10**15}, "cell-steps"),
])
def test_ftcs_refusals(kwargs, match):
    args = {"params": DiscParams(), "rho0": np.ones(20), "c0": np.ones(20), "dt": 1e-6, "n_steps": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        ftcs_paper(**args)


def test_ftcs_numpy_int_steps_same_as_int():
    r = np.linspace(0.0, 1.0, 20)
    a = ftcs_paper(DiscParams(), 1 + 0.5 * j0(J11 * r), np.full(20, 4.0), 1e-6, 10)
    b = ftcs_paper(DiscParams(), 1 + 0.5 * j0(J11 * r), np.full(20, 4.0), 1e-6, np.int64(10))
    assert np.array_equal(a[0], b[0])
    assert np.array_equal(a[1], b[1])


# -- Cahn-Hilliard -------------------------------------------------------------------------------------------
P16 = ch.CahnHilliardParams(n=16)


@pytest.mark.parametrize("fn", [ch.advance_explicit, ch.explicit_step_numpy, ch.advance_semi_implicit])
@pytest.mark.parametrize(("dt", "n_steps", "name"), [
    (1e-6, 2.7, "n_steps"), (1e-6, -1, "n_steps"), ("1e-6", 1, "dt"), (float("nan"), 1, "dt"),
])
def test_ch_step_arguments(fn, dt, n_steps, name):
    g = ch.initial_field(P16)
    with pytest.raises(ValueError, match=f"^{name} must be"):
        fn(g, P16, dt, n_steps)


@pytest.mark.parametrize("fn", [ch.advance_explicit, ch.explicit_step_numpy, ch.advance_semi_implicit])
def test_ch_work_cap(fn):
    g = ch.initial_field(P16)
    with pytest.raises(LimitError, match="cell-steps"):
        fn(g, P16, 1e-9, 10**16)


def test_ch_work_cap_order_2():
    with pytest.raises(LimitError, match="order 2"):
        ch.advance_semi_implicit(ch.initial_field(P16), P16, 1e-3, 10**16, order=2)


def test_ch_params_and_sizes():
    with pytest.raises(ValueError, match="^length must be a finite real number > 0"):
        ch.CahnHilliardParams(length="10")
    with pytest.raises(ValueError, match=r"^n \(cells per side\) must be an integer >= 4"):
        ch.CahnHilliardParams(n=7.5)
    assert ch.CahnHilliardParams(n=np.int64(8)).n == 8
    with pytest.raises(LimitError, match="initial_field"):
        ch.initial_field(ch.CahnHilliardParams(n=10**7))
    with pytest.raises(ValueError, match="^stability must be one of"):
        ch.advance_explicit(ch.initial_field(P16), P16, 1e-6, 1, stability="loud")
    with pytest.raises(ValueError, match="^stabilization must be"):
        ch.advance_semi_implicit(ch.initial_field(P16), P16, 1e-3, 1, stabilization=-1.0)
    with pytest.raises(ValueError, match=r"^field g must be finite; field g\[0, 0\]"):
        ch.advance_explicit(np.full((16, 16), np.nan), P16, 1e-6, 1)
    with pytest.raises(ValueError, match="^seed must be"):
        ch.initial_field(P16, seed=-1)


def test_ch_numpy_integer_steps_identical():
    g = ch.initial_field(P16)
    assert np.array_equal(ch.advance_explicit(g, P16, 1e-6, 3), ch.advance_explicit(g, P16, 1e-6, np.int64(3)))


# -- Fokker-Planck -------------------------------------------------------------------------------------------
def _one(x):
    return 1.0 + 0.0 * x


def test_fpe_refusals():
    with pytest.raises(ValueError, match="^length must be"):
        FluxFormFPE(_one, _one, _one, "1.0")
    with pytest.raises(ValueError, match="^boundary must be one of"):
        FluxFormFPE(_one, _one, _one, 1.0, "open")
    with pytest.raises(ValueError, match="^C must be a callable"):
        FluxFormFPE(_one, _one, 0.0, 1.0)
    assert FluxFormFPE(_one, _one, _one, 1.0, n_cells=np.int64(16)).n_cells == 16
    with pytest.raises(LimitError, match="n_cells = 1000000000000"):
        FluxFormFPE(_one, _one, _one, 1.0, n_cells=10**12)
    f = FluxFormFPE(_one, _one, _one, 1.0, n_cells=16)
    with pytest.raises(ValueError, match="^times must be non-decreasing"):
        f.evolve(np.ones(16), [1.0, 0.5])
    with pytest.raises(ValueError, match="^g0 must have shape"):
        f.evolve(np.ones(15), [1.0])


def test_fpe_sparse_work_cap():
    f = FluxFormFPE(_one, _one, _one, 1.0, n_cells=2000)
    with pytest.raises(LimitError, match="expm_multiply"):
        f.evolve(np.ones(2000), [1e9])


# -- gradient flow -------------------------------------------------------------------------------------------
def _flow(**kw):
    return GradientFlow1D(lambda g: 2.0 - 0.5 * g, lambda g: g, **kw)


def test_gradient_flow_refusals():
    with pytest.raises(ValueError, match="^alpha must be"):
        _flow(alpha="1")
    with pytest.raises(ValueError, match=r"^n \(cells\) must be an integer >= 8"):
        _flow(n=20.5)
    assert _flow(n=np.int64(20)).n == 20
    with pytest.raises(LimitError, match="GradientFlow1D with n"):
        _flow(n=10**8)
    flow = _flow(n=20)
    with pytest.raises(ValueError, match="^times must be strictly increasing"):
        flow.solve(np.ones(20), [1.0, 1.0])
    with pytest.raises(ValueError, match="^rtol must be"):
        flow.solve(np.ones(20), [1.0], rtol=0.0)
    with pytest.raises(ValueError, match=r"^g0 \(densities\) must be > 0"):
        flow.solve(np.zeros(20), [1.0])


# -- normal modes --------------------------------------------------------------------------------------------
def _model(m1: int = 3) -> ModalModel:
    return ModalModel(np.ones(m1), np.zeros(m1), np.ones(m1), 1.0, 1.0, 1.0)


def test_anneal_refusals():
    m = _model()
    T = geometric_schedule(1.0, 2.0, 3)
    with pytest.raises(ValueError, match="^sweeps_per_T must be an integer >= 1"):
        anneal(m, T, 2.5, 1, 0)
    with pytest.raises(ValueError, match=r"^seed must be an integer in \[0, 2147483647\]"):
        anneal(m, T, 1, 1, -1)
    with pytest.raises(ValueError, match="^temperatures must be non-increasing"):
        anneal(m, [1.0, 2.0], 1, 1, 0)
    with pytest.raises(ValueError, match="^c_const0 must be"):
        anneal(m, T, 1, 1, 0, c_const0="1")
    with pytest.raises(LimitError, match="Metropolis attempts"):
        anneal(m, T, 10**15, 1, 0)
    with pytest.raises(LimitError, match="anneal with 1000000000000 samples"):
        anneal(m, T, 1, 10**12, 0)


def test_anneal_numpy_integers_identical():
    m = _model()
    T = geometric_schedule(1.0, 2.0, 3)
    a = anneal(m, T, 2, 2, 5)
    b = anneal(m, T, np.int64(2), np.int32(2), np.uint8(5))
    assert np.array_equal(a.E, b.E)
    assert np.array_equal(a.W_history, b.W_history)


def test_modal_model_and_schedule_refusals():
    with pytest.raises(ValueError, match="^rho_const must be"):
        ModalModel(np.ones(3), np.zeros(3), np.ones(3), 1.0, "1", 1.0)
    with pytest.raises(ValueError, match="^q12 must be finite"):
        ModalModel(np.ones(3), np.r_[np.nan, 0, 0], np.ones(3), 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"^n_mesh \(0: default\) must be an integer"):
        ModalModel(np.ones(3), np.zeros(3), np.ones(3), 1.0, 1.0, 1.0, n_mesh=20.0)
    with pytest.raises(ValueError, match=r"^n \(temperatures\) must be an integer >= 1"):
        geometric_schedule(1.0, 2.0, 2.5)
    with pytest.raises(ValueError, match="^factor must be"):
        geometric_schedule(1.0, -2.0, 3)
    with pytest.raises(LimitError, match="m_hat = 1000000000000"):
        min_mesh(10**12)
