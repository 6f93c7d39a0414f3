"""Scheme checks of the 2D minimal Keller-Segel solver: helpers, the solver's wrong-model options, twins, orders."""

import math

import numpy as np
import pytest

from continuum import ks2d_minimal as K
from verification.ks2d_pde import checks_scheme as S

AGG = 12 * math.pi


def _agg(boundary: str, eps: float, n: int = 32) -> tuple[K.MinimalKS2DParams, np.ndarray]:
    p = K.MinimalKS2DParams(mu=1.0, chi=1.0, eps=eps, L=4.0, n=n, boundary=boundary)
    return p, S.bumps(p, [(0.3, -0.2)], [AGG], [0.4])


def test_wrapped_bumps_keep_the_whole_mass_and_block_means_restrict_exactly():
    p = K.MinimalKS2DParams(L=4.0, n=32, boundary="periodic")
    rho = S.bumps(p, [(1.6, -1.5)], [AGG], [0.4])
    assert p.h**2 * rho.sum() == pytest.approx(AGG, rel=1e-13)  # the images hold the part outside the box
    fine = S.bumps(p.replace(n=64), [(1.6, -1.5)], [AGG], [0.4])
    assert np.allclose(S.restrict(fine), rho, rtol=1e-12, atol=1e-12 * rho.max())  # exact cell averages nest
    q = p.replace(boundary="neumann")
    assert np.array_equal(S.bumps(q, [(0.1, 0.2)], [1.0], [0.5]), K.gaussian_bumps(q, [(0.1, 0.2)], [1.0], [0.5]))


def test_local_orders_and_mass_tolerance():
    assert np.allclose(S.local_orders([16.0, 4.0, 1.0]), [2.0, 2.0])
    part, info = S.order_part("x", "d", np.array([16.0, 4.0, 1.0]))
    assert part.passed
    assert (part.measured, part.tolerance) == (2.0, 0.0)
    assert info["fitted_order_all_points"] == pytest.approx(2.0)
    assert not S.order_part("x", "d", np.array([8.0, 4.0, 2.0]))[0].passed
    assert S.mass_tolerance(100, 64) == pytest.approx(S.U * (1600 + 24))


@pytest.mark.parametrize("boundary", ["neumann", "periodic"])
@pytest.mark.parametrize("eps", [0.0, 0.01])
@pytest.mark.parametrize("options", [{}, {"reconstruction": "none"}, {"reconstruction": "central"},
                                     {"stepper": "euler"}, {"c_stage": "rho_stage"}])
def test_numba_kernel_and_numpy_twin_agree_for_every_option(boundary, eps, options):
    p, rho0 = _agg(boundary, eps)
    a = K.run(p, rho0, [0.0, 0.05, 0.12], **options)
    b = K.run(p, rho0, [0.0, 0.05, 0.12], backend="numpy", **options)
    assert a.n_steps == b.n_steps
    assert np.max(np.abs(a.rho - b.rho)) <= 1e-12 * np.max(np.abs(a.rho))
    assert np.max(np.abs(a.c - b.c)) <= 1e-12 * np.max(np.abs(a.c))


def test_defaults_are_the_documented_scheme():
    p, rho0 = _agg("neumann", 0.01)
    a = K.run(p, rho0, [0.0, 0.05])
    b = K.run(p, rho0, [0.0, 0.05], reconstruction="minmod", stepper="heun", step_factor=1.0, c_stage="rho_stage")
    assert np.array_equal(a.rho, b.rho)
    assert np.array_equal(a.c, b.c)


@pytest.mark.parametrize("boundary", ["neumann", "periodic"])
def test_upwind_schemes_stay_positive_and_the_central_flux_does_not(boundary):
    p, rho0 = _agg(boundary, 0.0, n=64)
    m0 = p.h**2 * rho0.sum()
    for rec in ("minmod", "none"):
        r = K.run(p, rho0, np.linspace(0.0, 0.3, 7), reconstruction=rec, blowup_fraction=S.AGG_BLOWUP_FRACTION)
        assert r.min_rho >= 0.0
        assert abs(p.h**2 * r.final_rho.sum() / m0 - 1) <= S.mass_tolerance(r.n_steps, p.n)
        assert r.blew_up or rec == "none"  # first-order upwind smears the aggregate: no collapse by t = 0.3 at n = 64
    r = K.run(p, rho0, np.linspace(0.0, 0.3, 7), reconstruction="central", blowup_fraction=S.AGG_BLOWUP_FRACTION)
    assert r.min_rho < 0.0  # cell Peclet number > 2 in the aggregate


def test_a_step_beyond_the_positivity_bound_is_an_option_not_the_default():
    p, rho0 = _agg("neumann", 0.0)
    with pytest.raises(ValueError, match="theta"):
        K.run(p, rho0, [0.0, 0.01], theta=1.5)
    r = K.run(p, rho0, [0.0, 0.01], step_factor=1.2)  # theta * factor = 0.96 <= 1: still positive
    assert r.min_rho >= 0.0


@pytest.mark.parametrize(("kw", "match"), [({"reconstruction": "weno"}, "reconstruction"),
                                       ({"stepper": "rk4"}, "stepper"), ({"step_factor": 0.0}, "step_factor"),
                                       ({"c_stage": "x"}, "c_stage")])
def test_options_are_validated_by_name(kw, match):
    p, rho0 = _agg("neumann", 0.0, n=16)
    with pytest.raises(ValueError, match=match):
        K.run(p, rho0, [0.0, 0.01], **kw)


def _time_orders(eps: float, **kw) -> np.ndarray:
    p = K.MinimalKS2DParams(mu=1.0, chi=1.0, eps=eps, L=4.0, n=32, boundary="periodic")
    rho0 = S.bumps(p, **S.SMOOTH)
    T, Ns = 0.05, (32, 64, 128, 256)
    sols = [K.run(p, rho0, [T], dt_max=T / N, **kw).rho[-1] for N in Ns]
    return S.local_orders([np.abs(a - b).sum() for a, b in zip(sols[:-1], sols[1:], strict=True)])


def test_the_stage_field_from_rho_n_is_first_order_when_dt_exceeds_eps_and_ours_is_second():
    """A finding: with dt/eps = 16..2 a c stage from rho^n alone lags a step (order 1); ours (the default) gives 2."""
    from_rho_n = _time_orders(1e-4, c_stage="rho_n")
    ours = _time_orders(1e-4)
    assert np.all(np.abs(from_rho_n - 1.0) < 0.1), from_rho_n
    assert np.all(np.abs(ours - 2.0) < 0.1), ours


def test_order_checks_see_their_orders_on_ours_and_first_order_on_the_wrong_models():
    from verification.records import CheckConfig, load_all, run_check

    checks = load_all()
    cfg = CheckConfig("quick")
    ours = run_check(checks["ks2d_pde.time_order"], cfg)
    wrong = run_check(checks["ks2d_pde.time_order"], cfg, solver=S.forward_euler_solver)
    assert ours.passed
    assert abs(ours.measured - 2) < 0.05
    assert not wrong.passed
    assert abs(wrong.measured - 1) < 0.05
