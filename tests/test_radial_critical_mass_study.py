"""The critical-mass study's pieces: the solver's start option, the literal node FDM, the criteria, the plan."""

import math

import numpy as np
import pytest

from continuum.radial_ks3d import RadialGrid3D, RadialKSParams, initial_density, run_radial
from verification.radial import critical_mass_study as study


def test_centres_start_equals_cell_average_when_the_edge_is_a_face():
    p = RadialKSParams(radius=20.0, n_r=2000, mass=48.0)  # a / h = 100: the edge is a face
    g = RadialGrid3D.build(p.radius, p.n_r)
    np.testing.assert_allclose(initial_density(p.replace(start="centres"), g), initial_density(p, g), rtol=1e-14)


def test_centres_start_misses_the_cut_cell_mass():
    p = RadialKSParams(radius=20.0, n_r=1990, mass=48.0, start="centres")  # a / h = 99.5: cell 99 is cut
    g = RadialGrid3D.build(p.radius, p.n_r)
    exact = g.mass(initial_density(p.replace(start="cell_average"), g))
    sampled = g.mass(initial_density(p, g))
    assert exact == pytest.approx(48.0, rel=1e-12)
    # the centre of cell 99 is at 99.5 h = a (not < a): the part of the ball in that cell is lost
    lost = 48.0 * (1.0 - (99 * g.h) ** 3)
    assert sampled == pytest.approx(exact - lost, rel=1e-9)


def test_start_option_is_validated():
    with pytest.raises(ValueError, match="start must be"):
        RadialKSParams(start="nodes")


def test_default_start_results_unchanged():
    p = RadialKSParams(radius=5.0, n_r=200, dt=1e-3, mass=30.0)
    a = run_radial(p, 0.05)
    b = run_radial(p.replace(start="cell_average"), 0.05)
    np.testing.assert_array_equal(a.rho0, b.rho0)


def test_node_fdm_edges_and_grid_mass():
    h = 0.01
    masses = {e: study.node_fdm(40.0, h, 1e-4, radius=4.0, edge=e, t_end=1e-3)["grid_mass"]
              for e in ("le", "lt", "half")}
    assert masses["lt"] < masses["half"] < masses["le"]
    # control volumes: 1{r_j <= 1} holds the ball of radius 1 + h/2, 1{r_j < 1} that of radius 1 - h/2
    assert masses["le"] == pytest.approx(40.0 * (1 + h / 2) ** 3, rel=1e-9)
    assert masses["lt"] == pytest.approx(40.0 * (1 - h / 2) ** 3, rel=1e-9)
    assert abs(masses["half"] / 40.0 - 1) < h**2


def test_node_fdm_spreads_a_small_mass_and_stays_finite():
    out = study.node_fdm(10.0, 0.02, 1e-3, radius=6.0, edge="half", t_end=0.2)
    assert math.isnan(out["unstable_time"])
    assert out["rho0"][-1] < out["rho0"][0]
    assert out["final_mass"] == pytest.approx(out["grid_mass"], rel=2e-2)  # non-conservative form: O(h) drift


def test_node_fdm_refuses_a_grid_off_the_domain():
    with pytest.raises(ValueError, match="integer"):
        study.node_fdm(10.0, 0.03, 1e-3, radius=1.0)


def test_extrapolated_blowup_time_is_exact_for_type_one():
    t = np.linspace(0.0, 0.7, 50)
    rho0 = 1.0 / (0.8 - t)
    assert study.extrapolated_blowup_time(t, rho0, floor=0.0) == pytest.approx(0.8, rel=1e-2)
    assert math.isnan(study.extrapolated_blowup_time(t, rho0, floor=1e6))


def test_verdicts_read_each_criterion():
    t = np.linspace(0.0, 1.0, 11)
    h = 0.1
    rho0 = np.full(11, 10.0)
    rho0[5] = 2.5 / h**2
    v = study.verdicts(t, rho0, np.full(11, 1.0), h, math.nan, 10.0, 1.0)
    assert v["blows"]["rho0>2/h^2"]
    assert v["blows"]["rho0>0.02/h^2"]
    assert [k for k in ("rho0>200/h^2", "cmax>50", "unstable") if v["blows"][k]] == []
    assert v["when"]["rho0>2/h^2"] == pytest.approx(0.5)


def test_plan_shares_runs_between_criteria_and_summarizes():
    p = {"rows": ["grid_h=0.01", "criterion=cmax>50"], "lo": 47.0, "hi": 49.0, "width": 0.5, "T": 1.0,
         "paper_masses": []}
    tasks = study._plan(p, {})
    assert len(tasks) == 2  # both rows use the baseline runs at lo and hi
    fake = {t.key: {"blows": dict.fromkeys(study.CRITERIA, t.kwargs["mass"] > 48.1), "grid_mass": t.kwargs["mass"]}
            for t in tasks}
    while True:
        todo = [t for t in study._plan(p, fake) if t.key not in fake]
        if not todo:
            break
        for t in todo:
            fake[t.key] = {"blows": dict.fromkeys(study.CRITERIA, t.kwargs["mass"] > 48.1),
                           "grid_mass": t.kwargs["mass"]}
    br = study.brackets(p, fake)
    assert br["grid_h=0.01"][:2] == ("done", (48.0, 48.5))
    header, rows = study._summarize(p, fake)
    assert [r[6] for r in rows] == ["no", "no"]


def test_paper_grid_masses_are_planned_and_bracketed():
    p = {"rows": ["grid_h=0.01"], "lo": 47.0, "hi": 49.0, "width": 0.5, "T": 1.0, "paper_masses": [48.0, 48.1]}
    keys = {t.key: t for t in study._plan(p, {})}
    paper = [t for t in keys.values() if t.fn == study.PAPER_FN]
    assert sorted(t.kwargs["mass"] for t in paper) == [48.0, 48.1]
    fake = {t.key: {"blows": dict.fromkeys(study.CRITERIA, t.kwargs["mass"] > 48.05)} for t in paper}
    assert study.paper_grid_bracket(p, fake) == (48.0, 48.1)
    assert study.paper_grid_bracket(p, {}) is None
