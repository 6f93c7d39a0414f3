"""Radial 3D Keller-Segel solver and 2D parabolic-elliptic particles ([SIPF] §2, §4.3)."""

import math

import numpy as np
import pytest
import sympy as sp

from agents.ks2d_particles import KS2DParticleParams, gaussian_start, pair_drift, second_moment, simulate
from continuum.radial_ks3d import FLUSH, RadialGrid3D, RadialKSParams, graded_cell_count, initial_density, run_radial
from verification.radial import derivation as deriv


@pytest.mark.parametrize(("field", "value"), [
    ("mu", 0.0), ("chi", -1.0), ("eps", -1e-4), ("k", float("nan")), ("radius", 0.0), ("n_r", 4),
    ("n_r", 100.5), ("dt", 0.0), ("mass", -3.0), ("ball_radius", 25.0), ("blowup_cells", 0.0), ("flux", "central"),
])
def test_radial_params_name_the_parameter(field, value):
    with pytest.raises(ValueError, match=field):
        RadialKSParams(**{field: value})


def test_radial_params_eps_and_k_not_both_zero():
    with pytest.raises(ValueError, match="eps and k"):
        RadialKSParams(eps=0.0, k=0.0)
    RadialKSParams(eps=0.0, k=0.1)  # parabolic-elliptic with decay is fine


@pytest.mark.parametrize(("field", "value"), [
    ("mass", 0.0), ("n_particles", 1), ("mu", -1.0), ("chi", 0.0), ("dt", float("inf")), ("reg", -0.1),
])
def test_particle_params_name_the_parameter(field, value):
    with pytest.raises(ValueError, match=field):
        KS2DParticleParams(**{field: value})


def test_initial_density_has_exact_mass_on_cut_cells():
    p = RadialKSParams(n_r=333, mass=47.7)
    g = RadialGrid3D.build(p.radius, p.n_r)
    assert g.mass(initial_density(p, g)) == pytest.approx(47.7, rel=1e-13)


@pytest.mark.parametrize("flux", ["hybrid", "upwind"])
def test_radial_kernel_matches_numpy_twin(flux):
    p = RadialKSParams(n_r=120, dt=2e-3, mass=45.0, radius=6.0, flux=flux)
    a = run_radial(p, 0.1, profile_times=(0.05,))
    b = run_radial(p, 0.1, profile_times=(0.05,), backend="numpy")
    # rtol: round-off of 50 steps of two tridiagonal solves each (measured <= 3.3e-13 for c, 6e-14 for rho: the
    # kernel's continuant elimination and the twin's LAPACK solve round differently); atol: the FLUSH level
    for t in (0.05, 0.1):
        np.testing.assert_allclose(a.profiles[t][0], b.profiles[t][0], rtol=3e-12, atol=1e-180)
        np.testing.assert_allclose(a.profiles[t][1], b.profiles[t][1], rtol=3e-12, atol=1e-180)
    np.testing.assert_allclose(a.times, b.times)
    np.testing.assert_allclose(a.rho0, b.rho0, rtol=3e-12)


def test_radial_mass_conserved_and_positive():
    p = RadialKSParams(n_r=400, dt=1e-3, mass=30.0, radius=10.0)
    out = run_radial(p, 0.3, profile_times=(0.1, 0.2))
    assert np.max(np.abs(out.mass / 30.0 - 1)) < 300 * 8 * np.finfo(float).eps
    for rho, c in out.profiles.values():
        assert rho.min() >= 0.0
        assert c.min() >= 0.0


def test_c_mass_follows_backward_euler_recursion():
    p = RadialKSParams(n_r=200, dt=1e-3, mass=20.0, radius=8.0, eps=0.5, k=0.3)
    out = run_radial(p, 0.05)
    g = RadialGrid3D.build(p.radius, p.n_r)
    C = 0.0
    step = deriv.numeric().c_mass_be
    for _ in range(50):
        C = step(C, 20.0, 0.5, 0.3, 1e-3)
    assert g.mass(out.profiles[0.05][1]) == pytest.approx(C, rel=1e-12)


def test_blow_up_is_reported_not_nan():
    p = RadialKSParams(n_r=400, dt=1e-3, mass=200.0)
    out = run_radial(p, 1.0)
    assert out.blew_up
    assert 0 < out.blowup_time < 1.0
    for arr in (out.times, out.rho0, out.c0, out.c_max, out.mass):
        assert np.all(np.isfinite(arr))
    assert out.rho0[-1] > p.blowup_level
    assert 1.0 not in out.profiles  # the final time was not reached
    sub = run_radial(p.replace(mass=10.0), 0.2)
    assert not sub.blew_up
    assert math.isnan(sub.blowup_time)


def test_particles_kernel_matches_numpy_twin():
    p = KS2DParticleParams(mass=12 * math.pi, n_particles=12, dt=1e-3, reg=0.0)
    x0 = gaussian_start(p, 3, 1)
    inc = np.random.default_rng(2).standard_normal((40, 3, 12, 2))
    a = simulate(p, x0, 40, increments=inc)
    b = simulate(p, x0, 40, increments=inc, backend="numpy")
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    # single replica (per-step prange kernel) and many replicas (one replica per thread) agree
    one = simulate(p, x0[1], 40, increments=inc[:, 1:2])
    np.testing.assert_allclose(one[:, 0], a[:, 1], rtol=0, atol=1e-12)
    pr = p.replace(reg=0.1)
    np.testing.assert_allclose(simulate(pr, x0, 40, increments=inc),
                               simulate(pr, x0, 40, increments=inc, backend="numpy"), rtol=0, atol=1e-12)


def test_particles_seeded_streams_are_reproducible():
    p = KS2DParticleParams(n_particles=8)
    x0 = gaussian_start(p, 2, 0)
    a, b = simulate(p, x0, 20, seed=5), simulate(p, x0, 20, seed=5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, simulate(p, x0, 20, seed=6))
    with pytest.raises(ValueError, match="x0"):
        simulate(p, np.zeros((2, 9, 2)), 5)


def test_pair_drift_part_of_variance_identity_is_exact():
    """2 sum_p m X_p . b_p = -chi M^2 (1 - 1/P) / (2 pi) for any configuration (delta = 0)."""
    p = KS2DParticleParams(mass=5.0, n_particles=17, chi=1.3)
    x = gaussian_start(p, 4, 9)
    b = pair_drift(x, p.chi * p.particle_mass / (2 * math.pi), 0.0)
    lhs = 2 * p.particle_mass * np.sum(x * b, axis=(1, 2))
    rhs = -p.chi * p.mass**2 * (1 - 1 / 17) / (2 * math.pi)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)
    assert second_moment(x, p).shape == (4,)


def test_derived_identities():
    vi = deriv.variance_identity()
    assert sp.simplify(vi.antisym_pair + 1 / (2 * sp.pi)) == 0
    assert sp.simplify(vi.continuum_unit - vi.seed_eq6) == 0
    assert sp.simplify(vi.critical_mass - 8 * sp.pi * deriv.mu / deriv.chi) == 0
    pi_ = deriv.particle_identity()
    assert sp.simplify(pi_.finite_p_correction - deriv.chi * deriv.M**2 / (2 * sp.pi * deriv.P)) == 0
    ri = deriv.radial_identities()
    assert ri.eq44_minus_conservative == 0


def test_protocols_accept_ours_and_reject_a_wrong_shape():
    from continuum.radial_ks3d import radial_solver
    from verification.protocols import MethodMismatch
    from verification.radial.protocols import PARTICLES, RADIAL_SOLVER

    RADIAL_SOLVER.validate(RADIAL_SOLVER.default)
    PARTICLES.validate(PARTICLES.default)

    def short_profiles(params, t_end, profile_times=()):
        out = radial_solver(params, t_end, profile_times)
        out.profiles = {t: (rho[:-1], c) for t, (rho, c) in out.profiles.items()}
        return out

    def final_only(params, t_end, profile_times=()):
        out = radial_solver(params, t_end, profile_times)
        out.profiles = {t_end: out.profiles[t_end]}
        return out

    with pytest.raises(MethodMismatch, match=r"radial3d.solver: profiles\[0\] rho .* should have shape \(32,\)"):
        RADIAL_SOLVER.validate(short_profiles)
    with pytest.raises(MethodMismatch, match="radial3d.solver: profiles should hold the requested time"):
        RADIAL_SOLVER.validate(final_only)
    with pytest.raises(MethodMismatch, match=r"ks2d.particles: .* should have shape \(4, 2, 4, 2\)"):
        PARTICLES.validate(lambda params, x0, n_steps, seed: simulate(params, x0, n_steps, seed)[1:])


# ----------------------------------------------------------------------------- graded grid, adaptive dt (issue 14)
@pytest.mark.parametrize(("r_core", "growth"), [(1.5, 1.05), (0.3, 1.3), (6.0, 1.2)])
def test_graded_grid_geometry(r_core, growth):
    g = RadialGrid3D.graded(6.0, 0.01, r_core, growth)
    assert g.faces[0] == 0.0
    assert g.faces[-1] == 6.0
    w = np.diff(g.faces)
    n_core = int(round(min(r_core, 6.0) / 0.01))
    np.testing.assert_array_equal(g.faces[:n_core + 1], 0.01 * np.arange(n_core + 1))  # core faces j h exactly
    assert np.all(w > 0)
    assert np.all(w[n_core:-1] / w[n_core - 1:-2] <= growth * (1 + 1e-12))  # geometric growth, at most `growth`
    assert g.n <= graded_cell_count(RadialKSParams(radius=6.0, n_r=600), r_core, growth)  # the sizing bound holds
    np.testing.assert_allclose(g.volumes.sum(), 6.0**3 / 3, rtol=1e-13)  # volumes telescope to R^3 / 3
    np.testing.assert_allclose(g.gaps, np.diff(g.r), rtol=0, atol=0)
    assert g.h == 0.01


@pytest.mark.parametrize("flux", ["hybrid", "upwind"])
def test_graded_kernel_matches_numpy_twin_and_conserves_mass(flux):
    p = RadialKSParams(n_r=120, dt=2e-3, mass=45.0, radius=6.0, flux=flux)
    a = run_radial(p, 0.1, profile_times=(0.05,), growth=1.1, r_core=1.5)
    b = run_radial(p, 0.1, profile_times=(0.05,), backend="numpy", growth=1.1, r_core=1.5)
    assert a.r.size == b.r.size < 120
    for t in (0.05, 0.1):  # same round-off basis as test_radial_kernel_matches_numpy_twin
        np.testing.assert_allclose(a.profiles[t][0], b.profiles[t][0], rtol=3e-12, atol=1e-180)
        np.testing.assert_allclose(a.profiles[t][1], b.profiles[t][1], rtol=3e-12, atol=1e-180)
        assert a.profiles[t][0].min() >= 0.0
    # exact initial mass on the graded grid, then conserved to round-off (8 eps per step x 50 steps)
    assert np.max(np.abs(a.mass / 45.0 - 1)) < 50 * 8 * np.finfo(float).eps


def test_adaptive_dt_with_dt_max_equal_to_dt_is_the_fixed_dt_run():
    p = RadialKSParams(n_r=200, dt=1e-3, mass=45.0, radius=6.0)
    a = run_radial(p, 0.2, profile_times=(0.05, 0.13))
    b = run_radial(p, 0.2, profile_times=(0.05, 0.13), dt_max=p.dt)
    for t in (0.05, 0.13, 0.2):  # same steps (in kernel calls of ADAPT_CHUNK steps), same arithmetic: identical
        np.testing.assert_array_equal(a.profiles[t][0], b.profiles[t][0])
        np.testing.assert_array_equal(a.profiles[t][1], b.profiles[t][1])
    assert b.extra["dt_largest"] == p.dt
    # 0.1301 is not on the step grid: the fixed run takes the nearest step, the adaptive run lands on it exactly
    c = run_radial(p, 0.2, profile_times=(0.1301,), dt_max=p.dt)
    assert 0.1301 in c.profiles
    assert not np.array_equal(c.profiles[0.1301][0], a.profiles[0.13][0])


def test_adaptive_dt_keeps_the_verdicts_and_lands_on_profile_times():
    base = RadialKSParams(n_r=2000, radius=10.0, dt=1e-5, mass=40.0)
    for mass, blows in ((40.0, False), (60.0, True)):
        p = base.replace(mass=mass)
        fixed = run_radial(p, 1.0, growth=1.1, r_core=2.0)
        adapt = run_radial(p, 1.0, profile_times=(0.0123,), growth=1.1, r_core=2.0, dt_max=1e-3, dt_tol=0.01)
        assert fixed.blew_up is adapt.blew_up is blows
        assert adapt.extra["n_steps_done"] < fixed.extra["n_steps_done"] / 5  # measured: / 10 (M0 = 60), / 50 (40)
        assert adapt.extra["dt_largest"] > 10 * p.dt
        assert 0.0123 in adapt.profiles
        assert adapt.times.size <= 1000 + 2  # about n_series points
        if not blows:  # the series runs to t_end and ends on the final profile
            assert adapt.times[-1] == pytest.approx(1.0, abs=1e-12)
            assert adapt.rho0[-1] == adapt.profiles[1.0][0][0]
            assert np.all(np.diff(adapt.times) > 0)
        assert np.max(np.abs(adapt.mass / mass - 1)) < 1e-12  # mass: round-off, whatever the dt
        if blows:
            # backward Euler is first order in dt; near the collapse the controller is back at dt = 1e-5, so the
            # declared time moves by a few of the largest steps taken before it: |dT*| <= 5 x 1.6e-4 measured 4.5e-4
            assert abs(adapt.blowup_time - fixed.blowup_time) < 8e-4
            assert adapt.rho0[-1] > p.blowup_level


def test_blow_up_on_the_last_step_before_a_profile_stop_is_declared():
    """Regression: a blow-up on the last step of a segment between profile times was missed by the old driver."""
    p = RadialKSParams(n_r=400, dt=1e-3, mass=200.0)
    ref = run_radial(p, 1.0)
    n = ref.extra["n_steps_done"]
    dense = run_radial(p, 1.0, profile_times=[k * p.dt for k in range(n - 3, n + 3)])
    assert dense.blew_up
    assert dense.blowup_time == ref.blowup_time
    assert dense.extra["n_steps_done"] == n


def test_no_subnormals_in_the_state():
    """rho below FLUSH is stored as 0 and c stays normal: no subnormal number reaches the next step."""
    p = RadialKSParams(n_r=4000, dt=1e-5, mass=40.0)
    out = run_radial(p, 2e-3, profile_times=(1e-4, 1e-3))
    tiny = np.finfo(float).tiny
    for rho, c in out.profiles.values():
        assert np.all((rho == 0) | (np.abs(rho) > FLUSH))
        assert np.all((c == 0) | (np.abs(c) >= tiny))
        assert np.any(rho == 0)  # the flush is exercised (tail beyond the front)


@pytest.mark.parametrize(("kw", "name"), [
    ({"growth": 0.9}, "growth"), ({"growth": 2.0}, "growth"), ({"growth": float("nan")}, "growth"),
    ({"r_core": 1.0}, "r_core"), ({"growth": 1.1, "r_core": 0.0}, "r_core"),
    ({"growth": 1.1, "r_core": 30.0}, "r_core"), ({"dt_max": 1e-5}, "dt_max"), ({"dt_max": float("inf")}, "dt_max"),
    ({"dt_max": 1e-2, "backend": "numpy"}, "dt_max"),
    ({"dt_max": 1e-2, "dt_tol": 0.0}, "dt_tol"), ({"dt_max": 1e-2, "dt_tol": 2.0}, "dt_tol"),
])
def test_graded_and_adaptive_options_are_validated(kw, name):
    with pytest.raises(ValueError, match=name):
        run_radial(RadialKSParams(n_r=64, dt=1e-4), 1e-3, **kw)


def test_bench_bisection_brackets_the_settled_critical_mass_on_a_coarse_graded_grid():
    """verification.radial.bench.critical_mass_bisection: two runs at h = 0.02 (the settled study moves by <= 1/32)."""
    from verification.radial.bench import critical_mass_bisection
    from verification.radial.critical_mass_study import SETTLED_ERROR, SETTLED_MC

    out = critical_mass_bisection(h=0.02, half_width=0.25)
    lo, hi = out["bracket"]
    assert hi - lo <= 0.5
    assert len(out["runs"]) == 2
    assert lo - 1 / 32 <= SETTLED_MC + SETTLED_ERROR
    assert SETTLED_MC - SETTLED_ERROR <= hi + 1 / 32
