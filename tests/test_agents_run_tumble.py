import math

import numba
import numpy as np
import pytest

from agents.run_tumble import TwoStateWalkerParams, advance, initial_state, schnitzer, simulate, temporal_sensing
from agents.run_tumble_mesa import PerAgentRunTumble, RunTumbleModel
from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd, simulate_nd_numpy
from verification import stats


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"rate_plus": -1.0}, "rate_plus"),
    ({"rate_minus": math.nan}, "rate_minus"),
    ({"rate_plus": lambda x: 1 - 2 * np.tanh(x)}, "rate_plus"),
    ({"speed": 0.0}, "speed"),
    ({"speed": lambda x: np.sin(x)}, "speed"),
    ({"length": -1.0}, "length"),
    ({"length": math.inf}, "length"),
    ({"boundary": "open"}, "boundary"),
])
def test_bad_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        TwoStateWalkerParams(**kwargs)


def test_bad_run_arguments_are_named():
    p = schnitzer(1.0, 1.0, 10.0)
    with pytest.raises(ValueError, match="n_walkers"):
        initial_state(p, 0, 1)
    x, s = initial_state(p, 10, 1)
    with pytest.raises(ValueError, match="dt"):
        simulate(p, x, s, [1.0], 1, method="fixed", dt=0.0)
    with pytest.raises(ValueError, match="dt"):
        simulate(p, x, s, [1.0], 1, method="fixed", dt=-1.0)
    with pytest.raises(ValueError, match="n_walkers"):
        simulate(p, np.zeros(0), np.zeros(0, np.int8), [1.0], 1)
    with pytest.raises(ValueError, match="x0"):
        simulate(p, x + 100, s, [1.0], 1)
    with pytest.raises(ValueError, match="tumble_rate"):
        schnitzer(1.0, -2.0)
    with pytest.raises(ValueError, match="speed"):
        temporal_sensing(1.0, 0.1, -1.0, 1.0)
    with pytest.raises(ValueError, match="rate_plus"):
        temporal_sensing(1.0, 1.0, 2.0, 1.0)  # chi v0 c' = 2 makes alpha_+ negative
    with pytest.raises(ValueError, match="dim"):
        RunTumbleNDParams(dim=4)
    with pytest.raises(ValueError, match="tumble_rate"):
        RunTumbleNDParams(tumble_rate=-1.0)


@pytest.mark.parametrize("method", ["event", "fixed"])
def test_same_seed_same_result_any_thread_count(method):
    p = TwoStateWalkerParams(lambda x: 1 + 0.2 * np.sin(x), 0.7, lambda x: 0.5 + 0.1 * np.cos(x), 12.0, "reflecting")
    x, s = initial_state(p, 2000, 3)
    a = simulate(p, x, s, [0.5, 3.0], 11, method=method, dt=0.01)
    b = simulate(p, x, s, [0.5, 3.0], 11, method=method, dt=0.01)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        c = simulate(p, x, s, [0.5, 3.0], 11, method=method, dt=0.01)
    finally:
        numba.set_num_threads(old)
    assert np.array_equal(a, b)
    assert np.array_equal(a, c)
    assert not np.array_equal(a, simulate(p, x, s, [0.5, 3.0], 12, method=method, dt=0.01))


def test_reflecting_walkers_stay_inside_and_periodic_unwrap_is_continuous():
    p = schnitzer(lambda x: 1 + 0.5 * np.cos(x), 0.3, 6.0, "reflecting")
    x, s = initial_state(p, 5000, 1)
    out = simulate(p, x, s, np.linspace(0, 20, 9), 2)
    assert np.all(np.abs(out) <= 3.0 + 1e-12)
    q = schnitzer(2.0, 0.0, 6.0, "periodic")  # no tumbles: straight runs, unwrapped
    x, s = initial_state(q, 100, 1)
    out = simulate(q, x, s, [1.0, 5.0], 2)
    assert np.allclose(out[1] - x, 2.0 * 5.0 * s)


def test_event_and_fixed_kernels_agree_statistically():
    p = TwoStateWalkerParams(1.0, lambda x: 0.8 + 0.4 * np.tanh(x), lambda x: 0.8 - 0.4 * np.tanh(x), 10.0,
                             "reflecting")
    x, s = initial_state(p, 50_000, 5, x0=(-1.0, 1.0))
    a = simulate(p, x, s, [4.0], 6, method="event")[0]
    b = simulate(p, x, s, [4.0], 7, method="fixed", dt=0.001)[0]
    assert stats.ks_two_sample(a, b) < stats.ks_two_sample_critical(a.size, b.size)


def test_advance_matches_simulate():
    p = schnitzer(1.0, 1.0, 10.0, "reflecting")
    x, s = initial_state(p, 100, 1)
    tau, s2 = p.tau_of(x), s.copy()
    got = advance(p, tau, s2, 2.0, 9)
    assert np.allclose(got, simulate(p, x, s, [2.0], 9)[0])


def test_mesa_array_model_collects_kernel_observables():
    p = schnitzer(1.0, 1.0, 10.0, "reflecting")
    m = RunTumbleModel(p, 500, dt=0.5, seed=4)
    for _ in range(4):
        m.step()
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 5
    assert df["time"].iloc[-1] == pytest.approx(2.0)
    assert df["var_x"].iloc[-1] == pytest.approx(np.var(m.x))
    with pytest.raises(ValueError, match="dt"):
        RunTumbleModel(p, 10, dt=0.0)


def test_per_agent_twin_matches_kernel():
    p = TwoStateWalkerParams(1.0, 0.6, 1.4, 1000.0, "periodic")
    n = 3000
    # a continuous start: from one point, walkers that never flip form atoms at +/- v t that the
    # per-agent sum of steps reaches only up to rounding, which a KS distance would count
    x0, s0 = initial_state(p, n, 2, x0=(-1.0, 1.0))
    m = PerAgentRunTumble.from_params(p, x0, s0, dt=0.02, seed=3)
    for _ in range(100):
        m.step()
    a = m.positions()
    b = simulate(p, x0, s0, [2.0], 5)[0]
    assert stats.ks_two_sample(a, b) < stats.ks_two_sample_critical(a.size, b.size)


def test_nd_kernel_and_numpy_twin_agree():
    p = RunTumbleNDParams(3, 1.0, 2.0)
    a = simulate_nd(p, 20_000, [3.0], 1)[0]
    b = simulate_nd_numpy(p, 20_000, [3.0], 0.005, 2)[0]
    assert np.allclose(np.linalg.norm(simulate_nd(p, 5, [0.0], 1)[0], axis=1), 0.0)
    for k in range(3):
        assert stats.ks_two_sample(a[:, k], b[:, k]) < stats.ks_two_sample_critical(a.shape[0], b.shape[0], 1e-4 / 3)
    ra, rb = np.sum(a**2, 1), np.sum(b**2, 1)
    assert stats.ks_two_sample(ra, rb) < stats.ks_two_sample_critical(ra.size, rb.size)
