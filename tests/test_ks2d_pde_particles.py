"""The observables and helpers of verification.ks2d_pde.checks_particles (particles vs the 2D PDE)."""

import math

import numpy as np
import pytest
from scipy import stats as st

from agents import sipf2d as S2
from continuum import ks2d_minimal as K
from verification import stats
from verification.ks2d_pde import checks_particles as C


def test_bump_particles_equal_counts_and_seeded():
    x = C.bump_particles(1000, seed=3)
    assert x.shape == (3000, 2)
    for b, centre in enumerate(C.CENTRES):
        block = x[1000 * b:1000 * (b + 1)]
        assert np.allclose(block.mean(axis=0), centre, atol=5 * C.WIDTH / math.sqrt(1000))
        assert np.allclose(block.std(axis=0), C.WIDTH, rtol=0.1)
    assert np.array_equal(x, C.bump_particles(1000, seed=3))


def test_empirical_modes_direct_sum_and_replica_axis():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 7, 2))
    got = C.empirical_modes(x, 2.0)
    assert got.shape == (3, len(C.OMEGAS))
    for r in range(3):
        for q, w in enumerate(C.OMEGAS):
            want = 2.0 / 7 * sum(np.exp(-1j * (w @ xp)) for xp in x[r])
            assert got[r, q] == pytest.approx(want, rel=1e-13)


def test_empirical_modes_are_sipf_modes_times_l2():
    """The compared wavevectors are SIPF's k of L = 8: L^2 rho_hat_k (Alg. 1) equals our empirical modes."""
    p = C.SIPF_BASE
    x = C.bump_particles(20, seed=5)
    rho_hat = S2.rho_modes_reference(p, x)
    idx = C.WAVES + p.H // 2
    assert np.allclose(p.L**2 * rho_hat[idx[:, 0], idx[:, 1]], C.empirical_modes(x, p.mass), rtol=1e-12, atol=1e-12)
    alpha = np.zeros((p.H + 1, p.H + 1), complex)
    alpha[idx[2, 0], idx[2, 1]] = 0.5 - 0.25j
    got = C.sipf_field_modes(p, alpha)
    assert got[2] == pytest.approx(p.L**2 * (0.5 - 0.25j))
    assert np.count_nonzero(got) == 1


def test_sipf_field_modes_need_l8():
    with pytest.raises(ValueError, match="L = 8"):
        C.sipf_field_modes(C.SIPF_BASE.replace(L=6.0), np.zeros((33, 33), complex))


def test_pde_field_modes_of_a_grid_cosine():
    p = K.MinimalKS2DParams(L=8.0, n=32, boundary="periodic")
    x = p.centres
    w = C.OMEGAS[0]
    c = np.cos(w[0] * x)[:, None] * np.ones(p.n)[None, :]
    got = C.pde_field_modes(p, c)
    assert got[0] == pytest.approx(p.L**2 / 2, rel=1e-12)
    assert abs(got[1]) < 1e-10  # the (0, 1) mode of a function of x alone


def test_pde_free_field_matches_the_solver_field_at_cell_centres():
    p = K.MinimalKS2DParams(L=6.0, n=24, field="free")
    rho = K.gaussian_bumps(p, [[0.3, -0.2]], [2.0], [0.5])
    c = K.elliptic_field(p, rho)
    i, j = 7, 15
    pts = np.array([[p.centres[i], p.centres[j]]])
    assert C.pde_free_field(p, rho, pts)[0] == pytest.approx(c[i, j], rel=1e-10)


def test_particle_field_far_away_is_the_point_mass_field():
    x = C.bump_particles(100, seed=2) * 0.01
    y = np.array([[40.0, 30.0]])
    got = C.particle_field(x, 3.0, y)
    assert got[0] == pytest.approx(-3.0 * math.log(50.0) / (2 * math.pi), rel=1e-3)
    assert C.particle_field(np.stack([x, x]), 3.0, y).shape == (2, 1)


def test_student_z_is_bonferroni_t_quantile():
    assert C.student_z(24, 32) == pytest.approx(st.t.isf(stats.FALSE_ALARM / 48, 31))
    assert C.student_z(1, 10**6) == pytest.approx(stats.Z, rel=1e-4)
    assert C.student_z(24, 16) > C.student_z(24, 64) > C.student_z(12, 64)


def test_wrong_solvers_change_chi_only():
    p = K.MinimalKS2DParams(n=16, L=6.0, chi=2.0)
    rho0 = K.gaussian_bumps(p, [[0.0, 0.0]], [1.0], [0.6])
    flip = C.chi_flipped_solver(p, rho0, [0.0, 0.01])
    assert np.array_equal(flip.rho, K.run(p.replace(chi=-2.0), rho0, [0.0, 0.01]).rho)
    half = C.half_chi_solver(p, rho0, [0.0, 0.01])
    assert np.array_equal(half.rho, K.run(p.replace(chi=1.0), rho0, [0.0, 0.01]).rho)


def test_step_bias_studies_run_and_are_shaped():
    b = C.particle_step_bias(n_per_bump=4, n_replicas=3, dt=0.01, seed=1)
    m = 2 * len(C.WAVES) + len(C.FIELD_POINTS)
    assert b["bias"].shape == (m,)
    assert b["se"].shape == (m,)
    assert len(b["names"]) == m
    assert np.isfinite(b["bias"]).all()
    s = C.sipf_step_bias(n_per_bump=3, n_replicas=2, dt=0.025, seed=1)
    for key in ("dt", "H/2", "2H"):
        assert s[key]["mean"].shape == (4 * len(C.WAVES),)
        assert np.isfinite(s[key]["mean"]).all()


def test_plot_hook_draws_particles_pde_and_deviations():
    from matplotlib.figure import Figure

    p = K.MinimalKS2DParams(L=8.0, n=16, boundary="periodic")
    rho = C.pde_start(p)
    x = np.stack([C.bump_particles(10, seed=s) for s in range(3)])
    m = 3
    table = {"names": ["a", "b", "c"], "measured": np.ones(m), "pde": np.zeros(m), "tolerance": np.full(m, 2.0),
             "se": np.full(m, 0.1), "z": 4.0, "pde_diffusion": np.full(m, 3.0)}
    fig = Figure()
    C._plot_hook(x, 3 * C.BUMP_MASS, p, rho, 4.0, table, "test")(fig)
    assert len(fig.axes) == 4  # particles, PDE, its colour bar, deviations
