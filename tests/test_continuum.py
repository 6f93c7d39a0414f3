import numpy as np
import pytest

from continuum.fokker_planck import FluxFormFPE
from continuum.master_equation import TwoStateMasterEquation


def _v(x):
    return 1 + 0.4 * np.sin(x)


@pytest.mark.parametrize("boundary", ["periodic", "reflecting"])
def test_master_equation_conserves_mass_and_positivity(boundary):
    me = TwoStateMasterEquation(_v, lambda x: 2 + np.tanh(x), lambda x: 2 - np.tanh(x), 8.0, boundary, 400)
    step = lambda x: np.clip(x + 0.5, 0, 1)  # noqa: E731  a point-like start
    state = me.initial(lambda x: 0.5 * step(x), lambda x: 0.5 * step(x))
    _, states = me.evolve(state, [0.5, 3.0, 10.0])
    for qp, qm in states:
        assert abs(qp.sum() + qm.sum() - 1) < 1e-12
        assert qp.min() >= 0
        assert qm.min() >= 0


def test_master_equation_reflecting_stationary_is_exact_state():
    # zero current: v g ∝ exp(int (a- - a+)/v); run long and compare on cells
    a_p, a_m = (lambda x: 1 + 0.5 * np.tanh(x)), (lambda x: 1 - 0.5 * np.tanh(x))
    me = TwoStateMasterEquation(1.0, a_p, a_m, 10.0, "reflecting", 1000)
    state = me.initial(lambda x: 0.25 * (x + 5) / 5, lambda x: 0.25 * (x + 5) / 5)
    _, (st,) = me.evolve(state, [200.0])
    x, g = me.density(st)
    exact = np.exp(-np.log(np.cosh(x)))  # psi' = -tanh(x) for v = 1
    exact /= exact.sum() * (x[1] - x[0])
    assert np.max(np.abs(g / exact - 1)) < 1e-3


@pytest.mark.parametrize(("boundary", "drift"), [("periodic", 0.3), ("reflecting", 0.3), ("periodic", 0.0)])
def test_fpe_conserves_and_is_positive_with_exact_stationary(boundary, drift):
    fpe = FluxFormFPE(lambda x: 0.5 + 0 * x, _v, lambda x: drift * np.cos(x), 2 * np.pi, boundary, 200)
    g0 = fpe.initial_from_cdf(lambda x: np.clip(x + 0.3, 0, 0.6) / 0.6)
    gs = fpe.evolve(g0, [0.1, 1.0, 500.0])
    for g in gs:
        assert abs(g.sum() * fpe.dx - 1) < 1e-10
        assert g.min() >= 0
    st = fpe.stationary()
    assert np.max(np.abs(gs[-1] - st)) < 1e-6 * st.max()
    if drift == 0.0:
        w = st * _v(fpe.x)
        assert np.ptp(w) / w.mean() < 1e-10  # g ∝ 1/v exactly on the grid


def test_solvers_reject_bad_input():
    with pytest.raises(ValueError, match="length"):
        TwoStateMasterEquation(1.0, 1.0, 1.0, -1.0)
    with pytest.raises(ValueError, match="speed"):
        TwoStateMasterEquation(0.0, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="rate_plus"):
        TwoStateMasterEquation(1.0, -1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="n_cells"):
        FluxFormFPE(lambda x: 1 + 0 * x, lambda x: 1 + 0 * x, lambda x: 0 * x, 1.0, "periodic", 2)
    with pytest.raises(ValueError, match="A must"):
        FluxFormFPE(lambda x: -1 + 0 * x, lambda x: 1 + 0 * x, lambda x: 0 * x, 1.0)
