"""Fast tests of the §4.4-4.5 SIPF helpers (verification.sipf.checks_clusters, cases)."""

import math

import numpy as np
import pytest

from agents import sipf as S
from verification.sipf import cases as C
from verification.sipf import checks_clusters as CC
from verification.sipf import wrong_models as W


def test_four_clusters_eq48():
    x = C.four_clusters(400, seed=3)
    assert x.shape == (400, 3)
    for i, v in enumerate(C.TETRAHEDRON):
        ball = x[i * 100:(i + 1) * 100]
        assert np.all(np.linalg.norm(ball - v, axis=1) <= C.CLUSTER_RADIUS + 1e-12)
    # regular tetrahedron: all six edges sqrt(3); centroid (0, 0, sqrt(2)/4)
    d = [np.linalg.norm(a - b) for i, a in enumerate(C.TETRAHEDRON) for b in C.TETRAHEDRON[i + 1:]]
    assert np.allclose(d, math.sqrt(3))
    assert np.allclose(C.TETRAHEDRON.mean(axis=0), [0, 0, math.sqrt(2) / 4])
    with pytest.raises(ValueError, match="multiple of 4"):
        C.four_clusters(10, seed=1)


def test_refined_field_contains_grid_and_peak_history():
    p = C.PAPER.replace(H=8, dt=1e-3, mass=20.0)
    x0 = S.uniform_ball(64, seed=2)
    r = S.run_sipf(p, x0, 3, seed=1, record_steps=[0, 1, 2, 3])
    hist = C.peak_history(p, r)
    for k, alpha in enumerate(r.modes):
        assert hist[k] == pytest.approx(C.peak_above_mean(p, alpha), abs=1e-9)
        ref, axis = C.refined_field(p, alpha, factor=2)
        assert np.allclose(ref[::2, ::2, ::2], S.grid_values(p, alpha), atol=1e-10)
        assert ref.max() >= S.grid_values(p, alpha).max() - 1e-12
    assert axis.min() == pytest.approx(-p.L / 2)
    assert axis.max() < p.L / 2


@pytest.mark.parametrize(("pieces", "equivariant"), [(S.step_pieces_fast, True), (W.cell_centre_pieces, False)])
def test_step_translation_equivariance(pieces, equivariant):
    """Particles shifted by s: modes times exp(-i w.s), the same drift (ours); the cell-centre model breaks it."""
    p = C.PAPER.replace(H=8, dt=1e-3, mass=20.0)
    x = S.uniform_ball(50, seed=4)
    a_prev = S.field_update(p, S.rho_modes_fast(p, x * 0.9), np.zeros((9, 9, 9), complex))
    w = 2 * np.pi * S.wavenumbers(p) / p.L
    phase = np.exp(-1j * (w[:, None, None] + w[None, :, None] + w[None, None, :]) * C.SHIFT[0])
    a0, v0 = pieces(p, x, a_prev)
    a1, v1 = pieces(p, x + C.SHIFT, a_prev * phase)
    assert np.max(np.abs(a1 - a0 * phase)) <= 1e-10 * np.max(np.abs(a0))
    err = np.max(np.abs(v1 - v0)) / np.max(np.abs(v0))
    assert (err < 1e-9) == equivariant, err


def test_class_parts():
    assert CC.focusing_part("f", 2.5, 2.0).passed  # above R_delta counts as focusing
    assert not CC.focusing_part("f", 1.4, 2.0).passed
    assert CC.spreading_part("s", 1.2, 2.0).passed
    assert CC.classified_part("c", 1.3, True, 1.25, 2.0).passed
    assert not CC.classified_part("c", 1.3, False, 1.25, 2.0).passed
    assert math.isnan(CC.first_crossing(np.arange(3.0), np.ones(3), 2.0))
    assert CC.first_crossing(np.arange(3.0), np.array([1.0, 2.5, 3.0]), 2.0) == 1.0
