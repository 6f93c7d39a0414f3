"""Issue 13 (walkers): refusals up front, work and memory caps, no silently truncated or non-finite run.

Covers agents/run_tumble.py, run_tumble_nd.py, run_tumble_mesa.py, mips.py and ks2d_particles.py.
Every refusal is checked for its exception type and for the parameter its message names.
"""

import math

import numpy as np
import pytest

from agents import ks2d_particles as ks
from agents import mips
from agents.run_tumble import (
    MAX_EVENTS_PER_WALKER,
    TwoStateWalkerParams,
    advance,
    initial_state,
    schnitzer,
    simulate,
    temporal_sensing,
)
from agents.run_tumble_mesa import PerAgentRunTumble, RunTumbleModel
from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd, simulate_nd_numpy
from verification.validation import LimitError

HUGE = 10**12


@pytest.fixture(autouse=True)
def _default_work_cap(monkeypatch):
    monkeypatch.delenv("ACTIVEBENCH_MAX_HOURS", raising=False)


@pytest.fixture(scope="module")
def fast_pair():
    """A Schnitzer model at rate 1e5 (per direction) and a cheap one."""
    return TwoStateWalkerParams(1.0, 1e5, 1e5, 10.0, n_table=64), schnitzer(1.0, 1.0, 10.0, n_table=64)


# -- run_tumble: the event sampler's cap is on the total over all walkers ------------------------------
def test_event_cap_counts_tumbles_across_all_walkers(fast_pair):
    p, _ = fast_pair
    x, s = initial_state(p, 10_000, 1)
    assert 1e5 * 1e5 <= MAX_EVENTS_PER_WALKER  # each walker alone is under the per-walker cap
    with pytest.raises(LimitError, match=r"10000 walkers .* needs 1e\+14 tumbles .*the cap is"):
        simulate(p, x, s, [1e5], 1)


def test_one_fast_walker_is_refused_by_the_total_cap(fast_pair, monkeypatch):
    """The issue's case: 1 walker at rate 1e5 to t = 1e5 (1e10 tumbles) is estimated, not waved through."""
    p, _ = fast_pair
    x, s = initial_state(p, 1, 1)
    monkeypatch.setenv("ACTIVEBENCH_MAX_HOURS", "0.01")
    with pytest.raises(LimitError, match=r"1 walkers at max rate 100000 to t = 100000 needs 1e\+10 tumbles"):
        simulate(p, x, s, [1e5], 1)


def test_per_walker_cap_protects_the_float_clock(fast_pair):
    p, _ = fast_pair
    x, s = initial_state(p, 1, 1)
    with pytest.raises(LimitError, match="per walker"):
        simulate(p, x, s, [1e6], 1)


# -- run_tumble: the fixed-step path ---------------------------------------------------------------------
def test_fixed_step_refuses_a_time_not_reached_by_whole_steps(fast_pair):
    _, q = fast_pair
    x, s = initial_state(q, 10, 1)
    with pytest.raises(ValueError, match=r"times\[0\] = 10 is not a whole number of steps of dt = 1000 .*0 steps"):
        simulate(q, x, s, [10], 1, method="fixed", dt=1e3)
    with pytest.raises(ValueError, match=r"times\[1\] = 1 .* dt = 0.3 .*t = 0.9"):
        simulate(q, x, s, [0.6, 1.0], 1, method="fixed", dt=0.3)
    with pytest.raises(ValueError, match=r"dt = 0.3"):
        advance(q, q.tau_of(x), s.copy(), 1.0, 1, "fixed", 0.3)
    out = simulate(q, x, s, [0.0, 0.1, 0.5, 3.0], 1, method="fixed", dt=0.01)  # round-off in t / dt is fine
    assert out.shape == (4, 10)
    assert np.allclose(out[0], x)


def test_fixed_step_work_cap(fast_pair):
    _, q = fast_pair
    x, s = initial_state(q, 10_000, 1)
    with pytest.raises(LimitError, match=r"fixed-step sampler with 10000 walkers .*walker-steps.*the cap is"):
        simulate(q, x, s, [1e6], 1, method="fixed", dt=1e-4)
    with pytest.raises(LimitError, match="steps per walker"):
        simulate(q, x[:1], s[:1], [1e7], 1, method="fixed", dt=1e-4)


# -- run_tumble: sizes and parameters ----------------------------------------------------------------------
def test_run_tumble_sizes_refused_up_front():
    q = schnitzer(1.0, 1.0, 10.0, n_table=64)
    with pytest.raises(LimitError, match=r"n_walkers = 1000000000000 needs about .* GiB"):
        initial_state(q, HUGE, 1)
    with pytest.raises(LimitError, match="n_table"):
        TwoStateWalkerParams(n_table=HUGE)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: TwoStateWalkerParams(speed="1"), "speed"),
    (lambda: TwoStateWalkerParams(rate_plus="0.5"), "rate_plus"),
    (lambda: TwoStateWalkerParams(length="10"), "length"),
    (lambda: TwoStateWalkerParams(boundary=3), "boundary"),
    (lambda: TwoStateWalkerParams(n_table=64.0), "n_table"),
    (lambda: TwoStateWalkerParams(speed=lambda x: "a"), "speed"),
    (lambda: schnitzer(1.0, "1"), "tumble_rate"),
    (lambda: temporal_sensing("1", 0.1, 1.0, 0.1), "alpha0"),
    (lambda: temporal_sensing(1.0, math.nan, 1.0, 0.1), "chi"),
    (lambda: temporal_sensing(1.0, 0.1, 1.0, "x"), "grad_c"),
    (lambda: initial_state(schnitzer(n_table=64), 2.7, 1), "n_walkers"),
    (lambda: initial_state(schnitzer(n_table=64), 5, -1), "seed"),
    (lambda: initial_state(schnitzer(n_table=64), 5, 1.5), "seed"),
    (lambda: initial_state(schnitzer(n_table=64), 5, 1, plus_fraction="0.5"), "plus_fraction"),
    (lambda: initial_state(schnitzer(n_table=64), 5, 1, x0=(0.0, "1")), r"x0\[1\]"),
])
def test_run_tumble_parameters_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_run_tumble_run_arguments_named():
    q = schnitzer(1.0, 1.0, 10.0, n_table=64)
    x, s = initial_state(q, 5, 1)
    for kwargs, name in [({"seed": -1}, "seed"), ({"seed": 2.0}, "seed"), ({"method": "exact"}, "method"),
                         ({"method": "fixed", "dt": None}, "dt"), ({"method": "fixed", "dt": "0.1"}, "dt"),
                         ({"times": [1.0, 0.5]}, "times"), ({"times": "abc"}, "times"),
                         ({"times": [math.nan]}, "times")]:
        args = {"times": [1.0], "seed": 1} | kwargs
        with pytest.raises(ValueError, match=name):
            simulate(q, x, s, **args)
    with pytest.raises(ValueError, match="s0"):
        simulate(q, x, np.zeros(5), [1.0], 1)
    with pytest.raises(ValueError, match="duration"):
        advance(q, q.tau_of(x), s.copy(), math.nan, 1)
    with pytest.raises(ValueError, match="seed"):
        advance(q, q.tau_of(x), s.copy(), 1.0, -3)


def test_numpy_integers_accepted_and_identical():
    q = schnitzer(1.0, 1.0, 10.0, n_table=np.int64(64))
    a = initial_state(q, np.int64(50), np.uint32(3))
    b = initial_state(q, 50, 3)
    assert np.array_equal(a[0], b[0])
    assert np.array_equal(a[1], b[1])
    assert np.array_equal(simulate(q, *a, [1.0], np.int64(4)), simulate(q, *b, [1.0], 4))


# -- run_tumble_mesa --------------------------------------------------------------------------------------
def test_mesa_models_validate():
    q = schnitzer(1.0, 1.0, 10.0, "reflecting", n_table=64)
    assert len(RunTumbleModel(q, np.int64(5), dt=0.5).x) == 5
    with pytest.raises(ValueError, match="n_walkers"):
        RunTumbleModel(q, 2.5, dt=0.5)
    with pytest.raises(ValueError, match="seed"):
        RunTumbleModel(q, 5, dt=0.5, seed=-1)
    with pytest.raises(ValueError, match="kernel_dt"):
        RunTumbleModel(q, 5, dt=0.5, method="fixed")
    with pytest.raises(ValueError, match=r"dt = 0.5 must be a whole number of kernel steps kernel_dt = 0.3"):
        RunTumbleModel(q, 5, dt=0.5, method="fixed", kernel_dt=0.3)
    x, s = initial_state(q, 4, 1)
    args = (lambda x: 1.0, lambda x: 0.5, lambda x: 0.5, 10.0, True, x, s, 0.1)
    PerAgentRunTumble(*args)
    for i, bad, name in [(3, "10", "length"), (7, math.nan, "dt"), (6, np.zeros(4), "s0"), (5, x + 20, "x0"),
                         (0, 1.0, "speed"), (4, "yes", "reflecting")]:
        bad_args = list(args)
        bad_args[i] = bad
        with pytest.raises(ValueError, match=name):
            PerAgentRunTumble(*bad_args)


# -- run_tumble_nd ---------------------------------------------------------------------------------------
def test_nd_caps_and_sizes():
    fast = RunTumbleNDParams(2, 1.0, 1e5)
    with pytest.raises(LimitError, match="simulate_nd output for 1000000000000 walkers"):
        simulate_nd(fast, HUGE, [1.0], 1)
    with pytest.raises(LimitError, match=r"100000 walkers .*tumbles and records \(all walkers\).*the cap is"):
        simulate_nd(fast, 100_000, [1e5], 1)
    with pytest.raises(LimitError, match="per walker"):
        simulate_nd(fast, 1, [1e6], 1)
    slow = RunTumbleNDParams(3, 1.0, 1.0)
    with pytest.raises(LimitError, match="simulate_nd_numpy with 1000000000000 walkers"):
        simulate_nd_numpy(slow, HUGE, [1.0], 0.1, 1)
    with pytest.raises(LimitError, match="walker-steps"):
        simulate_nd_numpy(slow, 100_000, [1e6], 1e-3, 1)
    with pytest.raises(ValueError, match=r"times\[0\] = 10 is not a whole number of steps of dt = 1000"):
        simulate_nd_numpy(slow, 4, [10.0], 1e3, 1)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: RunTumbleNDParams(dim=2.0), "dim"),
    (lambda: RunTumbleNDParams(dim=4), "dim"),
    (lambda: RunTumbleNDParams(speed="1"), "speed"),
    (lambda: RunTumbleNDParams(tumble_rate="1"), "tumble_rate"),
    (lambda: simulate_nd(RunTumbleNDParams(), 2.5, [1.0], 1), "n_walkers"),
    (lambda: simulate_nd(RunTumbleNDParams(), 4, [1.0], -1), "seed"),
    (lambda: simulate_nd(RunTumbleNDParams(), 4, [], 1), "times"),
    (lambda: simulate_nd_numpy(RunTumbleNDParams(), 4, [1.0], "0.1", 1), "dt"),
    (lambda: simulate_nd_numpy(RunTumbleNDParams(), 4, [1.0], 0.1, -1), "seed"),
])
def test_nd_parameters_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_nd_numpy_integers_accepted():
    p = RunTumbleNDParams(np.int64(3), 1.0, 1.0)
    assert np.array_equal(simulate_nd(p, np.int64(4), [1.0], np.int64(2)), simulate_nd(p, 4, [1.0], 2))


# -- mips ------------------------------------------------------------------------------------------------
def test_mips_sizes_and_work_caps():
    p = mips.MipsWalkerParams(1, 10.0, 16, 1, mips.linear_speed(1.0, 2.0), 1.0, 10.0, 64)
    with pytest.raises(LimitError, match=r"n_walkers = 1000000000000 needs about"):
        mips.initial_state(p, HUGE, 1)
    with pytest.raises(LimitError, match="n_table"):
        mips.MipsWalkerParams(n_table=HUGE)
    state = mips.initial_state(p, 100, 1)
    with pytest.raises(LimitError, match=r"mips.advance with 100 walkers x 1000000000000 steps .*walker-steps"):
        mips.advance(p, state, 0.1, HUGE)
    with pytest.raises(LimitError, match=r"mips.advance_numpy .*walker-steps"):
        mips.advance_numpy(p, state, 0.1, 10**10)
    grid = mips.MipsWalkerParams(2, 2048.0, 2048, 1, mips.linear_speed(1.0, 2.0), 1.0, 10.0, 64)
    with pytest.raises(LimitError, match="density smoothing .*cell operations"):
        mips.advance(grid, mips.initial_state(grid, 10, 1), 0.5, 10**7)
    huge_grid = mips.MipsWalkerParams(2, 1e6, 10**6, 1, mips.linear_speed(1.0, 2.0), 1.0, 10.0, 64)
    with pytest.raises(LimitError, match=r"10\^6 cells|1000000\^2 cells"):
        mips.smoothed_density(huge_grid, np.zeros((3, 2)))
    assert state.time == 0.0  # nothing ran


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"dim": 1.0}, "dim"), ({"dim": 3}, "dim"), ({"length": "100"}, "length"), ({"n_cells": 400.0}, "n_cells"),
    ({"smoothing_cells": 2.0}, "smoothing_cells"), ({"tumble_rate": "1"}, "tumble_rate"),
    ({"n_table": 3.5}, "n_table"), ({"speed": 1.0}, "speed"), ({"speed": lambda g: "a"}, "speed"),
])
def test_mips_parameters_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        mips.MipsWalkerParams(**kwargs)


def test_mips_run_arguments_named():
    p = mips.MipsWalkerParams(1, 10.0, 16, 1, mips.linear_speed(1.0, 2.0), 1.0, 10.0, 64)
    assert mips.MipsWalkerParams(n_cells=np.int64(400), n_table=np.int32(101)).n_cells == 400
    state = mips.initial_state(p, np.int64(20), np.int64(1))
    for call, name in [(lambda: mips.initial_state(p, 2.5, 1), "n_walkers"),
                       (lambda: mips.initial_state(p, 20, -1), "seed"),
                       (lambda: mips.initial_state(p, 20, 1, density=lambda x: 0 * x), "density"),
                       (lambda: mips.initial_state(p, 20, 1, density=3.0), "density"),
                       (lambda: mips.advance(p, state, "0.1", 1), "dt"),
                       (lambda: mips.advance(p, state, 0.1, 2.7), "n_steps"),
                       (lambda: mips.MipsModel(p, 20, 0.1, steps_per_call=2.5), "steps_per_call")]:
        with pytest.raises(ValueError, match=name):
            call()


# -- ks2d_particles --------------------------------------------------------------------------------------
def test_ks2d_sizes_and_work_caps():
    with pytest.raises(LimitError, match=r"gaussian_start for R x P = 1 x 1000000000000"):
        ks.gaussian_start(ks.KS2DParticleParams(n_particles=HUGE), 1, 0)
    with pytest.raises(LimitError, match=r"gaussian_start for R x P = 1000000000000 x 64"):
        ks.gaussian_start(ks.KS2DParticleParams(), HUGE, 0)
    p = ks.KS2DParticleParams(n_particles=512)
    x0 = ks.gaussian_start(p, 1, 0)
    with pytest.raises(LimitError, match=r"1 x 512 for 1000000000 steps needs .* pair evaluations.*the cap is"):
        ks.simulate(p, x0, 10**9, record_every=10**9)
    with pytest.raises(LimitError, match="records"):
        ks.simulate(p, x0, 10**9)
    big = ks.KS2DParticleParams(n_particles=100_000)
    with pytest.raises(LimitError, match=r"R x P = 1 x 100000"):
        ks.simulate(big, np.zeros((100_000, 2)), 1, backend="numpy")


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"mass": "1"}, "mass"), ({"mu": math.inf}, "mu"), ({"chi": -1.0}, "chi"), ({"dt": 0.0}, "dt"),
    ({"reg": -1e-3}, "reg"), ({"n_particles": 64.0}, "n_particles"), ({"n_particles": 1}, "n_particles"),
])
def test_ks2d_parameters_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ks.KS2DParticleParams(**kwargs)


def test_ks2d_run_arguments_named():
    p = ks.KS2DParticleParams(n_particles=8)
    x0 = ks.gaussian_start(p, 2, 0)
    for kwargs, name in [({"n_steps": 2.0}, "n_steps"), ({"seed": -1}, "seed"), ({"seed": 2**63}, "seed"),
                         ({"record_every": 3}, "record_every"), ({"record_every": 1.0}, "record_every"),
                         ({"backend": "cuda"}, "backend"),
                         ({"increments": np.full((4, 2, 8, 2), math.nan)}, "increments")]:
        args = {"n_steps": 4, "seed": 1} | kwargs
        with pytest.raises(ValueError, match=name):
            ks.simulate(p, x0, **args)
    with pytest.raises(ValueError, match="x0"):
        ks.simulate(p, np.full((8, 2), math.nan), 1)
    for call, name in [(lambda: ks.gaussian_start(p, 2.0, 0), "n_replicas"),
                       (lambda: ks.gaussian_start(p, 2, -5), "seed"),
                       (lambda: ks.gaussian_start(p, 2, 0, std="1"), "std")]:
        with pytest.raises(ValueError, match=name):
            call()
    a = ks.simulate(p, x0, 4, seed=np.uint64(7))
    assert np.array_equal(a, ks.simulate(p, x0, np.int64(4), seed=7))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_ks2d_never_returns_non_finite_positions(backend):
    p = ks.KS2DParticleParams(n_particles=2)
    with pytest.raises(ks.NonFiniteParticlesError, match=r"non-finite by step 1 \(t = 0.001"):
        ks.simulate(p, np.zeros((2, 2)), 2, backend=backend)  # a coincident pair: the exact kernel is singular
