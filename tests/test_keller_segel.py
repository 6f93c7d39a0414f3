"""Keller-Segel solvers: kernels vs numpy twins, bad input, conservation, positivity, derivations."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from continuum.keller_segel import (
    KellerSegel1DParams,
    KellerSegel2DParams,
    fv_run,
    fv_time_step,
    ks2d_run,
    seed_scheme_run,
    seed_time_step,
)
from verification.keller_segel import derivation as deriv


def _start(params, rng, amp=0.01):
    u0 = 1.0 + amp * (rng.random(params.n_cells) - 0.5)
    return u0, u0 / params.decay


def test_fv_numba_matches_numpy_twin(rng):
    p = KellerSegel1DParams(n_cells=64, length=32.0, chi0=40.0)
    u0, v0 = _start(p, rng, 0.5)
    a = fv_run(p, u0, v0, [0.5, 2.0], backend="numba")
    b = fv_run(p, u0, v0, [0.5, 2.0], backend="numpy")
    assert a.n_steps == b.n_steps
    np.testing.assert_allclose(a.u, b.u, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.v, b.v, rtol=1e-12, atol=1e-12)


def test_ks2d_numba_matches_numpy_twin(rng):
    p = KellerSegel2DParams(length=20.0, n=16, sensitivity=6.0)
    u0 = 1.0 + 0.3 * rng.random((16, 16))
    a = ks2d_run(p, u0, u0 / p.decay, [1.0, 3.0], backend="numba")
    b = ks2d_run(p, u0, u0 / p.decay, [1.0, 3.0], backend="numpy")
    assert a.n_steps == b.n_steps
    np.testing.assert_allclose(a.u, b.u, rtol=1e-12, atol=1e-12)


def test_fv_conserves_mass_and_positivity_through_aggregation(rng):
    p = KellerSegel1DParams(chi0=40.0)
    u0, v0 = _start(p, rng)
    rec = fv_run(p, u0, v0, [0.0, 30.0])
    assert rec.min_u >= 0.0
    assert rec.u[-1].max() > 5.0
    assert abs(rec.u[-1].sum() / rec.u[0].sum() - 1) < 1e-12


def test_positivity_from_a_near_vacuum_start():
    p = KellerSegel1DParams(n_cells=50, length=25.0, chi0=80.0)
    x = p.x()
    u0 = np.where(np.abs(x - 12.5) < 2, 3.0, 0.0)
    rec = fv_run(p, u0, 2 * u0, [5.0])
    assert rec.min_u >= 0.0
    assert np.all(rec.v >= 0.0)


def test_time_step_rule_respects_peclet():
    p = KellerSegel1DParams(n_cells=100, length=10.0, chi0=50.0)
    v = np.sin(2 * np.pi * p.x() / 10.0) * 10
    dt = fv_time_step(p, v, theta=0.5)
    w = p.chi0 * np.abs(np.diff(np.append(v, v[0]))) / p.dx
    assert dt <= 0.5 * p.dx / (2 * w.max()) + 1e-15
    assert dt <= 0.5 * p.dx**2 / (2 * p.d_v) + 1e-15


def test_seed_scheme_conserves_mass_without_clipping_until_negative(rng):
    p = KellerSegel1DParams(chi0=25.0)
    u0, v0 = _start(p, rng)
    rec = seed_scheme_run(p, u0, v0, 5.0, 1000, clip=False)
    assert math.isnan(rec.first_negative_time)
    assert np.max(np.abs(rec.mass / rec.mass[0] - 1)) < 1e-13


def test_seed_step_rule_as_stated():
    p = KellerSegel1DParams()
    assert seed_time_step(p, 100.0, 20000) == (0.005, 20000)  # rule not triggered in the seed's call
    dt, n = seed_time_step(p, 50.0, 5000)
    assert math.isclose(dt, 0.2 * 0.25 / 40)
    assert n == int(50.0 / dt)


@pytest.mark.parametrize(("field", "value"), [("d_u", 0.0), ("d_v", -1.0), ("chi0", 0.0), ("decay", -2.0),
                                              ("length", float("nan")), ("n_cells", 4)])
def test_1d_bad_input(field, value):
    with pytest.raises(ValueError, match=field):
        KellerSegel1DParams(**{field: value})


@pytest.mark.parametrize(("field", "value"), [("diffusivity", 0.0), ("decay", 0.0), ("sensitivity", -1.0),
                                              ("n", 2)])
def test_2d_bad_input(field, value):
    with pytest.raises(ValueError, match=field):
        KellerSegel2DParams(**{field: value})


def test_grid_too_coarse_for_mode():
    p = KellerSegel1DParams(n_cells=40)
    assert p.wavenumber(10) > 0
    with pytest.raises(ValueError, match="too coarse"):
        p.wavenumber(11)
    with pytest.raises(ValueError, match="too coarse"):
        KellerSegel2DParams(n=16).wavenumber(5)


def test_bad_fields_and_theta():
    p = KellerSegel1DParams(n_cells=16)
    with pytest.raises(ValueError, match="shape"):
        fv_run(p, np.ones(15), np.ones(15), [1.0])
    with pytest.raises(ValueError, match=">= 0"):
        fv_run(p, -np.ones(16), np.ones(16), [1.0])
    with pytest.raises(ValueError, match="theta"):
        fv_run(p, np.ones(16), np.ones(16), [1.0], theta=0.6)
    with pytest.raises(ValueError, match="times"):
        fv_run(p, np.ones(16), np.ones(16), [2.0, 1.0])


def test_derived_dispersion_1d():
    num = deriv.numeric()
    band = num.band1d_k2(1.0, 20.0, 25.0, 1.0, 1.0)
    assert math.isclose(band, (25.0 - 1.0) / 20.0)
    assert abs(num.sigma1d(band, 1.0, 20.0, 25.0, 1.0, 1.0)) < 1e-12
    assert num.threshold1d_chi0(1.0, 20.0, 1.0, 1.0) == 1.0
    k, s = deriv.fastest_mode_1d(1.0, 20.0, 40.0, 1.0)
    assert s > num.sigma1d(k**2 * 1.1, 1.0, 20.0, 40.0, 1.0, 1.0)


def test_derived_preset_threshold():
    num = deriv.numeric()
    for D, a in ((1.0, 0.1), (2.0, 0.5)):
        cs = num.critical_c(D, a)
        assert math.isclose(cs, 2 * (math.sqrt(D) + math.sqrt(a)) ** 2)
        k2 = num.critical_k2(D, a)
        assert abs(num.sigma2d(k2, D, a, cs)) < 1e-9


def test_stencil_symbols():
    num = deriv.numeric()
    k, h = 0.7, 0.3
    assert math.isclose(num.lap_k2(k, h), 4 * math.sin(k * h / 2) ** 2 / h**2)
    assert math.isclose(num.seed_re(k, h), -math.sin(k * h) ** 2 / h**2)


def test_minmod_flux_twin_and_positivity(rng):
    p = KellerSegel1DParams(n_cells=64, length=32.0, chi0=60.0)
    u0, v0 = _start(p, rng, 1.5)
    a = fv_run(p, u0, v0, [0.5, 3.0], flux="minmod")
    b = fv_run(p, u0, v0, [0.5, 3.0], flux="minmod", backend="numpy")
    np.testing.assert_allclose(a.u, b.u, rtol=1e-12, atol=1e-12)
    assert a.min_u >= 0.0
    assert abs(a.u[-1].sum() / u0.sum() - 1) < 1e-12
    with pytest.raises(ValueError, match="theta"):
        fv_run(p, u0, v0, [1.0], flux="minmod", theta=0.45)
    with pytest.raises(ValueError, match="flux"):
        fv_run(p, u0, v0, [1.0], flux="central")


anything = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10), st.booleans())


@settings(max_examples=60, deadline=None)
@given(d_u=anything, d_v=anything, chi0=anything, decay=anything, n_cells=st.integers(-2, 40))
def test_1d_params_construct_or_raise_value_error(d_u, d_v, chi0, decay, n_cells):
    try:
        p = KellerSegel1DParams(length=20.0, n_cells=n_cells, d_u=d_u, d_v=d_v, chi0=chi0, decay=decay)
    except ValueError:
        return
    assert min(p.d_u, p.d_v, p.chi0, p.decay) > 0
    dt = fv_time_step(p, np.linspace(0.0, 1.0, p.n_cells))
    assert math.isfinite(dt)
    assert dt >= 0


@pytest.mark.parametrize("chi", [25.0, 40.0, 3.0])
def test_fastest_mode_closed_form_matches_numeric_maximum(chi):
    from scipy.optimize import minimize_scalar

    num = deriv.numeric()
    k, s = deriv.fastest_mode_1d(1.0, 20.0, chi, 1.0)
    top = num.band1d_k2(1.0, 20.0, chi, 1.0, 1.0)
    res = minimize_scalar(lambda q: -num.sigma1d(q, 1.0, 20.0, chi, 1.0, 1.0), bounds=(0, top), method="bounded",
                          options={"xatol": 1e-12})
    assert math.isclose(k**2, res.x, rel_tol=1e-6)
    assert math.isclose(s, -res.fun, rel_tol=1e-9)


def test_solver_protocols_accept_ours_and_reject_a_wrong_shape():
    from continuum.keller_segel import fv_solver, ks2d_solver
    from verification.keller_segel.protocols import SOLVER_1D, SOLVER_2D
    from verification.protocols import MethodMismatch

    SOLVER_1D.validate(SOLVER_1D.default)
    SOLVER_2D.validate(SOLVER_2D.default)
    with pytest.raises(MethodMismatch, match=r"ks1d.solver: u .* should have shape \(3, 16\)"):
        SOLVER_1D.validate(lambda p, u0, v0, t: tuple(f[:, :-1] for f in fv_solver(p, u0, v0, t)))
    with pytest.raises(MethodMismatch, match="ks1d.solver: the method should return a pair"):
        SOLVER_1D.validate(lambda p, u0, v0, t: fv_solver(p, u0, v0, t)[0])
    with pytest.raises(MethodMismatch, match=r"ks2d.solver: u .* should have shape \(3, 8, 8\)"):
        SOLVER_2D.validate(lambda p, u0, v0, t: tuple(f[-1] for f in ks2d_solver(p, u0, v0, t)))
