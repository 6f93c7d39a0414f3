"""Unit tests of the MIPS models ([MIPS] §4-6): kernels vs twins, conservation, bad input."""

import numpy as np
import pytest

from agents.mips import (
    MipsModel,
    MipsWalkerParams,
    advance,
    advance_numpy,
    initial_state,
    kernel_transfer,
    linear_speed,
    smoothed_density,
)
from continuum import cahn_hilliard as ch
from continuum.gradient_flow import GradientFlow1D
from verification.mips import derivation as dm
from verification.mips.cases import seed_numpy_baseline

SMALL = ch.CahnHilliardParams(length=2.0, n=32)


def _field(p, seed=0):
    return ch.initial_field(p, 1.2, 0.025, seed)


def test_explicit_kernels_match_numpy_twin():
    g0 = _field(SMALL)
    ref = ch.explicit_step_numpy(g0, SMALL, 1e-4, 50)
    for par in (False, True):
        np.testing.assert_allclose(ch.advance_explicit(g0, SMALL, 1e-4, 50, parallel=par), ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(seed_numpy_baseline(g0, SMALL, 1e-4, 50), ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("order", [1, 2])
def test_semi_implicit_conserves_mass_and_converges(order):
    g0 = _field(SMALL, 3)
    g = ch.advance_semi_implicit(g0, SMALL, 1e-3, 100, order=order)
    assert abs(g.mean() - g0.mean()) < 1e-12
    ref = ch.advance_semi_implicit(g0, SMALL, 2.5e-5, 4000, order=2)
    e1 = np.abs(ch.advance_semi_implicit(g0, SMALL, 1e-3, 100, order=order) - ref).max()
    e2 = np.abs(ch.advance_semi_implicit(g0, SMALL, 5e-4, 200, order=order) - ref).max()
    assert 0.7 * order < np.log2(e1 / e2) < 1.4 * order


def test_binodal_and_spinodal_of_f():
    lo, hi = ch.binodal_of_f(ch.CahnHilliardParams())
    assert lo == pytest.approx(1.5 - np.sqrt(3) / 2)
    assert hi == pytest.approx(1.5 + np.sqrt(3) / 2)
    assert [float(s(1.0, 2.0)) for s in dm.numeric().spinodal] == [1.0, 2.0]


def test_derivations():
    r = dm.mips()
    assert dm.sp.simplify(r.f_prime - r.f_prime_seed) == 0
    assert dm.sp.simplify(r.D2 - r.D1 / 2) == 0
    feff = dm.binodal_phi()
    assert 0.3 < feff["gas"] < 0.5
    assert feff["liquid"] == 2.0


def test_bad_input_continuum():
    with pytest.raises(ValueError, match="kappa"):
        ch.CahnHilliardParams(kappa=0.0)
    with pytest.raises(ValueError, match="kappa"):
        ch.CahnHilliardParams(kappa=-1e-4)
    p = ch.CahnHilliardParams()
    g0 = _field(p)
    with pytest.raises(ValueError, match="stability limit"):
        ch.advance_explicit(g0, p, 0.005, 1)
    with pytest.raises(ValueError, match="stability limit"):
        ch.explicit_step_numpy(g0, p, 0.005, 1)
    with pytest.warns(RuntimeWarning, match="stability limit"):
        ch.advance_explicit(g0, p, 0.0041, 1, stability="warn")
    with pytest.raises(ValueError, match="does not match the grid"):
        ch.advance_explicit(g0[:64, :64], p, 0.001, 1)
    with pytest.raises(ValueError, match="does not match the grid"):
        ch.advance_semi_implicit(g0[:, :64], p, 0.001, 1)
    with pytest.raises(ValueError, match="order"):
        ch.advance_semi_implicit(g0, p, 0.001, 1, order=3)
    with pytest.raises(ValueError, match="kappa"):
        GradientFlow1D(linear_speed(), lambda g: g, kappa=0.0)
    flow = GradientFlow1D(linear_speed(), lambda g: g, n=20)
    with pytest.raises(ValueError, match="does not match the grid"):
        flow.solve(np.ones(21), [1.0])
    with pytest.raises(ValueError, match="v\\(g\\) must be > 0"):
        flow.solve(np.full(20, 2.5), [1.0])


def test_bad_input_agents():
    with pytest.raises(ValueError, match="v\\(g\\) must be >= 0"):
        MipsWalkerParams(speed=lambda g: 1.0 - np.asarray(g) / 2.0)
    with pytest.raises(ValueError, match="smoothing_cells"):
        MipsWalkerParams(smoothing_cells=0)
    p = MipsWalkerParams(dim=1, length=10.0, n_cells=20)
    s = initial_state(p, 50, 1)
    with pytest.raises(ValueError, match="more than one grid cell"):
        advance(p, s, 1.0, 1)
    with pytest.raises(ValueError, match="shape"):
        advance(MipsWalkerParams(dim=2, length=10.0, n_cells=20), s, 0.01, 1)


@pytest.mark.parametrize("dim", [1, 2])
def test_walker_kernel_matches_numpy_twin(dim):
    p = MipsWalkerParams(dim=dim, length=10.0, n_cells=20, speed=linear_speed(1.0, 4.0))
    a, b = initial_state(p, 200, 4), initial_state(p, 200, 4)
    advance(p, a, 0.05, 40)
    advance_numpy(p, b, 0.05, 40)
    np.testing.assert_array_equal(a.rng, b.rng)
    np.testing.assert_array_equal(a.e, b.e)
    np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-10)
    assert np.all((a.x >= 0) & (a.x < p.length))


def test_smoothed_density_normalization_and_transfer():
    p = MipsWalkerParams(dim=2, length=10.0, n_cells=20)
    s = initial_state(p, 1000, 2)
    rho = smoothed_density(p, s.x)
    assert rho.sum() * p.cell**2 == pytest.approx(1000)
    assert float(kernel_transfer(0.0, p)) == 1.0
    assert p.self_density == pytest.approx(1 / p.kernel_width**2)


def test_mesa_model_collects():
    p = MipsWalkerParams(dim=2, length=10.0, n_cells=20)
    m = MipsModel(p, 300, 0.02, steps_per_call=5, seed=1)
    for _ in range(2):
        m.step()
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 3
    assert df["time"].iloc[-1] == pytest.approx(0.2)


def test_gradient_flow_energy_decreases():
    v = linear_speed(1.0, 2.0)
    phi = dm.numeric().phi
    flow = GradientFlow1D(v, lambda g: phi(g, 1.0, 2.0) - (g * np.log(g) - g), length=10.0, n=50, kappa=0.05)
    x = (np.arange(50) + 0.5) * 0.2
    G = flow.solve(0.6 + 0.05 * np.cos(2 * np.pi * x / 10), np.linspace(0, 5, 11))
    E = [flow.energy(q) for q in G]
    assert np.all(np.diff(E) <= 1e-9)
    assert abs(G[-1].mean() - G[0].mean()) < 1e-10


def test_errata_verdicts():
    from verification.mips import errata as errata_mips

    rows = {e.key: e.evaluate() for e in errata_mips.FORMULAS}
    assert rows.pop("mips.five_point_symbol")["verdict"] == "approximation"  # second order, not exact
    assert all(r["verdict"] == "correct" for r in rows.values())
    numbers = {e.key: e.evaluate()["verdict"] for e in errata_mips.NUMBERS}
    assert numbers == {"mips.seed_gas_peak": "correct", "mips.seed_liquid_peak": "WRONG"}
    code = {e.quantity: e for e in errata_mips.CODE}
    assert code["grid vs interface width"].evaluate()["verdict"] == "DEFECT"
    assert code["snapshot time labels"].evaluate()["verdict"] == "DEFECT"


def _bad_flow_class():
    class TransposedSolve(GradientFlow1D):
        def solve(self, g0, times, rtol=1e-8, atol=1e-10):
            return super().solve(g0, times, rtol, atol).T

    return TransposedSolve


def _walkers_flat_x(params, state, dt, n_steps):
    state = advance(params, state, dt, n_steps)
    state.x = state.x[:, 0]
    return state


@pytest.mark.parametrize(("name", "wrong", "message"), [
    ("mips.f_prime", lambda g, p: g[:-1], r"shape \(7,\), got shape \(6,\)"),
    ("mips.gradient_flow", _bad_flow_class(), r"shape \(2, 8\), got shape \(8, 2\)"),
    ("mips.explicit_step", lambda g, p, dt, n, stability="raise": g[:, :-1], r"shape \(8, 8\), got shape \(8, 7\)"),
    ("mips.explicit_step", lambda g, p, dt, n: g, "calling the method as"),
    ("mips.semi_implicit_step", lambda g, p, dt, n: g.ravel(), r"shape \(8, 8\), got shape \(64,\)"),
    ("mips.coarsening_stepper", lambda g, p, dt, n: g[None], r"shape \(8, 8\), got shape \(1, 8, 8\)"),
    ("mips.walkers", _walkers_flat_x, r"shape \(16, 1\), got shape \(16,\)"),
])
def test_protocols_accept_ours_and_reject_wrong_output(name, wrong, message):
    from verification.protocols import MethodMismatch, all_protocols

    p = all_protocols()[name]
    p.validate(p.default)
    with pytest.raises(MethodMismatch, match=f"{name}: .*{message}"):
        p.validate(wrong)
