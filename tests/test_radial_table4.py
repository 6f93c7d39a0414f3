"""Fast tests of the helpers of verification/radial/checks_table4.py (Table 4, type-I, §4.4-4.5 checks)."""

import math

import numpy as np
import sympy as sp

from continuum.radial_ks3d import RadialGrid3D, RadialKSParams, initial_density, run_radial
from verification.radial.checks_table4 import overriding, pair_term, second_moment, self_similar_residual


def test_self_similar_profile_solves_the_profile_equation():
    res, u0, tail = self_similar_residual()
    assert sp.simplify(res) == 0
    assert u0 == 6
    assert tail == 4


def test_overriding_replaces_fields_before_the_call():
    seen = []

    def fake(params, t_end, profile_times=()):
        seen.append((params.mu, params.k, t_end, profile_times))
        return "ok"

    assert overriding(fake, mu=0.8, k=0.08)(RadialKSParams(), 0.5, (0.1,)) == "ok"
    assert seen == [(0.8, 0.08, 0.5, (0.1,))]


def test_second_moment_of_the_uniform_ball_is_three_fifths_a_squared_m():
    p = RadialKSParams(radius=4.0, n_r=64, mass=7.0, ball_radius=1.0)  # a = 1 lies on a face (h = 1/16)
    g = RadialGrid3D.build(p.radius, p.n_r)
    assert math.isclose(second_moment(g, initial_density(p, g)), 0.6 * p.mass, rel_tol=1e-12)


def test_pair_term_vanishes_for_a_flat_field():
    g = RadialGrid3D.build(4.0, 32)
    assert pair_term(g, np.ones(32), np.full(32, 3.0), 1.0) == 0.0


def test_chi_scaling_holds_on_the_discrete_scheme():
    base = RadialKSParams(radius=4.0, n_r=64, dt=1e-3, mass=20.0)
    a = run_radial(base.replace(chi=0.8), 0.05)
    b = run_radial(base.replace(mass=0.8 * base.mass), 0.05)
    np.testing.assert_allclose(0.8 * a.rho0, b.rho0, rtol=1e-12)
