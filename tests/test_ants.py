"""Unit tests for [ANTS] ("ants"): validation, conservation, modal W, annealer reproducibility."""

import math

import numpy as np
import pytest
from scipy.special import j0, jn_zeros

from continuum.disc import DiscParams, DiscSolver, RadialGrid, ftcs_paper, lyapunov_W, shannon_entropy
from continuum.normal_modes import ModalModel, anneal, geometric_schedule, min_mesh
from verification.ants import derivation as d
from verification.ants.cases import PAPER, modal_model


@pytest.mark.parametrize("name", ["chi0", "D0", "f0", "nu0", "g0", "radius"])
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan])
def test_params_reject_non_positive(name, bad):
    with pytest.raises(ValueError, match=name):
        DiscParams(**{name: bad})


def test_modal_mesh_too_coarse():
    m = modal_model(PAPER)
    with pytest.raises(ValueError, match="n_mesh"):
        ModalModel(m.q11, m.q12, m.q22, m.s, 1.0, 1.0, n_mesh=min_mesh(19) - 1)


def test_schedule_must_not_increase():
    m = modal_model(PAPER)
    with pytest.raises(ValueError, match="non-increasing"):
        anneal(m, np.array([1.0, 2.0]), 1, 1, 0)
    with pytest.raises(ValueError, match="sweeps_per_T"):
        anneal(m, geometric_schedule(), 0, 1, 0)


def test_solver_rejects_bad_input():
    s = DiscSolver(PAPER, 16)
    with pytest.raises(ValueError, match="dt"):
        s.run(np.ones(16), np.ones(16), -1.0, 1)
    with pytest.raises(ValueError, match="rho0 must lie >= 0"):
        s.run(-np.ones(16), np.ones(16), 1e-3, 1)
    with pytest.raises(ValueError, match="n"):
        RadialGrid(1.0, 4)


def test_mass_conserved_and_W_decreases():
    p = PAPER.replace(f0=4.5)
    s = DiscSolver(p, 50)
    phi = j0(jn_zeros(1, 1)[0] * s.grid.r)
    rho0 = 1 + 0.5 * phi
    rho, c, W = s.run(rho0, np.full(50, 4.5), 1e-3, 500, W_every=1)
    V = s.grid.volumes
    assert np.sum(V * rho) == pytest.approx(np.sum(V * rho0), rel=1e-12)
    assert np.all(np.diff(W) <= 1e-9)
    assert rho.min() >= 0


def test_modal_W_matches_grid_W_for_one_mode():
    p = PAPER.replace(f0=4.3)
    m = modal_model(p)
    E = np.zeros(19)
    G = np.zeros(19)
    E[1], G[2] = 0.3, 0.2
    Wm = m.W(4.0, E, G)
    Wg = []
    for n in (400, 800):
        g = RadialGrid(1.0, n)
        rho, c = m.profiles(4.0, E, G, g.r)
        Wg.append(lyapunov_W(p, g, rho, c))
    assert abs(Wg[1] - Wm) < 3 * abs(Wg[0] - Wg[1]) + 1e-9


def test_annealer_reproducible():
    m = modal_model(PAPER.replace(f0=5.0))
    a = anneal(m, geometric_schedule(n=5), 20, 3, 42, 5.0)
    b = anneal(m, geometric_schedule(n=5), 20, 3, 42, 5.0)
    np.testing.assert_array_equal(a.E, b.E)


def test_entropy_homogeneous_zero_and_nan_for_negative():
    g = RadialGrid(1.0, 20)
    assert shannon_entropy(g, np.ones(20), 1.0) == 0.0
    assert math.isnan(shannon_entropy(g, -np.ones(20), 1.0))


def test_ftcs_runs():
    r = np.linspace(0, 1, 20)
    rho, c = ftcs_paper(PAPER, 1 + 0.1 * j0(3.83 * r), np.full(20, 4.0), 1e-6, 10)
    assert np.all(np.isfinite(rho))


def test_derived_threshold():
    j11 = float(jn_zeros(1, 1)[0])
    assert d.numeric().f0_star(4, 1, 1, 1, 1, j11) == pytest.approx((j11**2 + 1) / 4)
