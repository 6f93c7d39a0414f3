"""The 2D minimal Keller-Segel solver (continuum.ks2d_minimal): fields, twins, guarantees, validation."""

import math

import numpy as np
import pytest

from continuum import ks2d_minimal as K
from verification.validation import LimitError


def _bumps(p, masses=(10.0, 8.0)):
    return K.gaussian_bumps(p, [[-1.0, 0.0], [1.2, 0.5]], list(masses), [0.5, 0.6])


def test_cell_green_is_the_cell_integral_of_the_log_kernel():
    """W(d) against a fine midpoint quadrature of -ln|d - s| / (2 pi) over the cell, away from and at 0."""
    h = 0.3
    m = 400
    s = (np.arange(m) + 0.5) / m * h - h / 2
    sx, sy = np.meshgrid(s, s, indexing="ij")
    for dx, dy in [(0.0, 0.0), (0.3, 0.0), (0.6, -0.9), (2.1, 1.5)]:
        r = np.hypot(dx - sx, dy - sy)
        quad = float(np.sum(-np.log(r) / (2 * math.pi)) * (h / m) ** 2)
        assert K.cell_green(np.array(dx), np.array(dy), h) == pytest.approx(quad, rel=2e-5, abs=1e-9)


@pytest.mark.parametrize("n", [32, 64])
def test_free_field_of_a_gaussian_matches_the_exact_gradient_to_second_order(n):
    """grad c of a Gaussian in R^2: c'(r) = -M (1 - exp(-r^2 / 2 s^2)) / (2 pi r)."""
    errs = []
    for m in (n, 2 * n):
        p = K.MinimalKS2DParams(n=m, L=8.0, field="free")
        rho = K.gaussian_bumps(p, [[0.0, 0.0]], [1.0], [0.5])
        c = K.elliptic_field(p, rho)
        j = m // 2
        dc = (c[1:, j] - c[:-1, j]) / p.h
        xf = 0.5 * (p.centres[1:] + p.centres[:-1])
        r = np.hypot(xf, p.centres[j])
        exact = -(1 - np.exp(-r**2 / 0.5)) / (2 * math.pi * r) * xf / r
        errs.append(np.abs(dc - exact).max())
    assert 3.0 < errs[0] / errs[1] < 5.0  # second order: 4 when halving h


@pytest.mark.parametrize("boundary", K.BOUNDARIES)
@pytest.mark.parametrize("k", [0.0, 0.5])
def test_box_field_solves_the_five_point_equation(boundary, k):
    p = K.MinimalKS2DParams(n=24, L=6.0, k=k, boundary=boundary)
    rho = _bumps(p)
    c = K.elliptic_field(p, rho)
    pad = "wrap" if boundary == "periodic" else "edge"
    cp = np.pad(c, 1, mode=pad)
    lap = (cp[2:, 1:-1] + cp[:-2, 1:-1] + cp[1:-1, 2:] + cp[1:-1, :-2] - 4 * c) / p.h**2
    source = rho - rho.mean() if k == 0 else rho
    np.testing.assert_allclose(-lap + k * k * c, source, atol=1e-10 * rho.max())


@pytest.mark.parametrize("boundary", K.BOUNDARIES)
@pytest.mark.parametrize("eps", [0.0, 1e-4, 1.0])
def test_numba_kernel_and_numpy_twin_agree_and_keep_mass_and_sign(boundary, eps):
    p = K.MinimalKS2DParams(n=32, L=8.0, eps=eps, k=0.1, boundary=boundary)
    rho0 = _bumps(p, (14.0, 12.0))
    a = K.run(p, rho0, [0.0, 0.02, 0.05], backend="numba")
    b = K.run(p, rho0, [0.0, 0.02, 0.05], backend="numpy")
    assert a.n_steps == b.n_steps > 0
    np.testing.assert_allclose(a.rho, b.rho, rtol=0, atol=1e-12 * a.rho.max())
    np.testing.assert_allclose(a.c, b.c, rtol=0, atol=1e-12 * max(1.0, np.abs(a.c).max()))
    assert np.abs(a.mass / a.mass[0] - 1).max() < 1e-13
    assert a.min_rho >= 0.0


def test_exponential_integrator_has_no_step_limit_of_its_own():
    """eps = 1e-6 (a stiff c equation) runs at the transport step and matches the elliptic field closely."""
    p = K.MinimalKS2DParams(n=32, L=8.0, eps=1e-6, k=0.1, boundary="periodic")
    rho0 = _bumps(p)
    r = K.run(p, rho0, [0.0, 0.02])
    ell = K.elliptic_field(p.replace(eps=0.0), r.rho[-1])
    assert r.dt_max > 1e-4  # a step 100x the eps h^2-type explicit limit
    assert np.abs(r.c[-1] - ell).max() < 1e-3 * np.abs(ell).max()


def test_supercritical_free_space_run_reports_a_blowup_not_a_nan():
    p = K.MinimalKS2DParams(n=32, L=8.0, field="free")
    rho0 = K.gaussian_bumps(p, [[0.0, 0.0]], [3 * 8 * math.pi], [0.5])
    r = K.run(p, rho0, [0.0, 0.5, 1.0])
    assert r.blew_up
    assert r.blowup_reason == "block mass"
    assert 0 < r.blowup_time < 0.5
    assert r.times.tolist() == [0.0]  # the outputs reached before the blow-up
    assert np.isfinite(r.final_rho).all()
    assert K.block_peak(r.final_rho, periodic=False) * p.h**2 > 0.25 * r.mass[0]  # a 2 x 2 block (a corner start)


def test_observables_are_exact_for_piecewise_constant_rho():
    p = K.MinimalKS2DParams(n=16, L=4.0)
    rho = np.zeros((16, 16))
    rho[3, 5] = 2.0  # one cell [x0 - h/2, x0 + h/2] x [y0 - h/2, y0 + h/2]
    x0, y0, h = p.centres[3], p.centres[5], p.h
    assert K.second_moment(p, rho) == pytest.approx(2.0 * h * h * (x0**2 + y0**2 + h * h / 6))
    w = np.array([[1.3, -0.7]])
    exact = 2.0 * h * h * np.exp(-1j * (1.3 * x0 - 0.7 * y0)) * np.sinc(1.3 * h / (2 * np.pi)) * np.sinc(
        -0.7 * h / (2 * np.pi))
    assert K.fourier_modes(p, rho, w)[0] == pytest.approx(exact)


@pytest.mark.parametrize(("kw", "match"), [
    ({"mu": 0.0}, "mu must be"), ({"eps": -1.0}, "eps must be"), ({"n": 4}, "n must be"),
    ({"boundary": "dirichlet"}, "boundary must be"), ({"field": "free", "eps": 1.0}, "field='free'"),
    ({"field": "free", "boundary": "periodic"}, "field='free'"), ({"L": float("nan")}, "L must be"),
])
def test_parameters_are_validated_by_name(kw, match):
    with pytest.raises(ValueError, match=match):
        K.MinimalKS2DParams(**kw)


def test_run_refuses_bad_input_and_impossible_work():
    p = K.MinimalKS2DParams(n=16, L=4.0)
    rho0 = K.gaussian_bumps(p, [[0.0, 0.0]], [1.0], [0.5])
    with pytest.raises(ValueError, match="rho0 must have shape"):
        K.run(p, rho0[:8], [0.0])
    bad = rho0.copy()
    bad[2, 3] = -1.0
    with pytest.raises(ValueError, match="rho0 must lie"):
        K.run(p, bad, [0.0])
    with pytest.raises(ValueError, match="rho0 must have positive mass"):
        K.run(p, np.zeros((16, 16)), [0.0])
    with pytest.raises(ValueError, match="times must be non-decreasing"):
        K.run(p, rho0, [1.0, 0.5])
    with pytest.raises(ValueError, match="theta must be"):
        K.run(p, rho0, [0.0], theta=1.5)
    with pytest.raises(ValueError, match="2 x 2 cells, above blowup_fraction"):
        K.run(p, K.gaussian_bumps(p, [[0.0, 0.0]], [1.0], [0.1]), [0.0])
    with pytest.raises(ValueError, match="c0 is only an input for eps > 0"):
        K.run(p, rho0, [0.0], c0=np.zeros((16, 16)))
    with pytest.raises(LimitError, match="cell-steps"):
        K.run(K.MinimalKS2DParams(n=2048, L=4.0), np.ones((2048, 2048)), [1e6])
