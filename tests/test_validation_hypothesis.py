"""Property tests: any parameters give a working model or a ValueError, never another crash."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.run_tumble import TwoStateWalkerParams, initial_state, simulate
from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd
from continuum.master_equation import TwoStateMasterEquation
from verification.validation import LimitError

anything = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10))


@settings(max_examples=60, deadline=None)
@given(speed=anything, rate_plus=anything, rate_minus=anything, length=anything,
       boundary=st.sampled_from(["periodic", "reflecting", "open"]))
def test_walker_params_construct_or_raise_value_error(speed, rate_plus, rate_minus, length, boundary):
    try:
        p = TwoStateWalkerParams(speed, rate_plus, rate_minus, length, boundary, n_table=64)
    except ValueError:
        return
    assert p.speed > 0
    assert p.rate_plus >= 0
    assert p.rate_minus >= 0
    assert math.isfinite(p.length)
    assert p.length > 0
    x, s = initial_state(p, 16, 1)
    try:
        out = simulate(p, x, s, [0.0, 0.5], 2)
    except ValueError as exc:  # only the work cap may refuse a valid model
        assert isinstance(exc, LimitError) or "allowed <=" in str(exc)  # noqa: PT017
        return
    assert np.all(np.isfinite(out))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(-3, 40), times=st.lists(anything, min_size=0, max_size=4), dt=anything)
def test_simulate_arguments(n, times, dt):
    p = TwoStateWalkerParams(1.0, 0.5, 0.5, 10.0, "reflecting", n_table=64)
    try:
        x, s = initial_state(p, n, 1)
        out = simulate(p, x, s, times, 3, method="fixed", dt=dt)
    except ValueError:
        return
    assert out.shape == (len(times), n)
    assert np.all(np.isfinite(out))


@settings(max_examples=40, deadline=None)
@given(dim=st.integers(0, 4), speed=anything, rate=anything)
def test_nd_params(dim, speed, rate):
    try:
        p = RunTumbleNDParams(dim, speed, rate)
    except ValueError:
        return
    try:
        out = simulate_nd(p, 8, [0.1, 1.0], 1)
    except ValueError as exc:  # only the work cap may refuse a valid model
        assert isinstance(exc, LimitError) or "allowed <=" in str(exc)  # noqa: PT017
        return
    assert np.all(np.isfinite(out))


@settings(max_examples=40, deadline=None)
@given(speed=anything, rate=anything, length=anything, n_cells=st.integers(-2, 64))
def test_master_equation_params(speed, rate, length, n_cells):
    try:
        me = TwoStateMasterEquation(speed, rate, rate, length, "periodic", n_cells)
    except ValueError:
        return
    assert me.dt > 0
