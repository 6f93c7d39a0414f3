"""Seeded stochastic models: same seed -> bit-identical; 1 vs 2 numba threads -> statistically equal.

The two-state walkers (agents/run_tumble.py) are covered by
``test_agents_run_tumble.py::test_same_seed_same_result_any_thread_count``.
Every kernel here draws from counter-based SplitMix64 streams owned by one walker / particle /
sample (verification/random_streams.py), or from numpy's Generator outside numba (SIPF noise), so the thread
count cannot change a draw; the comments at each test say whether 1 vs 2 threads is in fact
bit-identical (asserted where it is).
"""

from collections.abc import Callable

import numba
import numpy as np
from scipy import stats

from agents import ks2d_particles as ks2d
from agents import mips
from agents.run_tumble import TwoStateWalkerParams
from agents.run_tumble_mesa import RunTumbleModel
from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd
from agents.sipf import SIPFModel, SIPFParams, run_sipf, uniform_ball
from continuum.normal_modes import ModalModel, anneal, geometric_schedule

P_MIN = 1e-3


def _with_threads(n: int, fn: Callable[[], np.ndarray]) -> np.ndarray:
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
        return fn()
    finally:
        numba.set_num_threads(old)


def _check(fn: Callable[[], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Assert same seed -> identical and 1 vs 2 threads -> KS-equal; return the 1- and 2-thread results."""
    a, b = fn(), fn()
    assert np.array_equal(a, b)
    one = _with_threads(1, fn)
    two = _with_threads(2, fn)
    assert stats.ks_2samp(np.ravel(one), np.ravel(two)).pvalue > P_MIN
    return one, two


def test_mips_walkers_1d():
    p = mips.MipsWalkerParams(1, 20.0, 40, 1, mips.linear_speed(1.0, 2.0), 1.0, 10.0, 256)

    def run():
        state = mips.initial_state(p, 400, 5)
        return mips.advance(p, state, 0.2, 20).x.copy()

    one, two = _check(run)
    # bit-identical: per-walker streams; the density deposit is serial, only the move is prange
    assert np.array_equal(one, two)


def test_mips_walkers_2d():
    p = mips.MipsWalkerParams(2, 10.0, 20, 1, mips.linear_speed(1.0, 2.0), 1.0, 10.0, 256)

    def run():
        state = mips.initial_state(p, 300, 6)
        return mips.advance(p, state, 0.2, 10).x.copy()

    one, two = _check(run)
    assert np.array_equal(one, two)  # bit-identical (same reason as 1D)


def test_mips_mesa_model():
    p = mips.MipsWalkerParams(1, 20.0, 40, 1, mips.linear_speed(1.0, 2.0), 1.0, 10.0, 256)

    def run():
        m = mips.MipsModel(p, 200, 0.2, steps_per_call=3, seed=9)
        m.step()
        m.step()
        return m.state.x.copy()

    one, two = _check(run)
    assert np.array_equal(one, two)  # bit-identical


def test_run_tumble_nd():
    p = RunTumbleNDParams(3, 1.0, 2.0)

    def run():
        return simulate_nd(p, 2000, [0.5, 2.0], 17)

    one, two = _check(run)
    assert np.array_equal(one, two)  # bit-identical: one stream per walker
    assert not np.array_equal(one, simulate_nd(p, 2000, [0.5, 2.0], 18))


def test_ks2d_particles():
    p = ks2d.KS2DParticleParams(n_particles=16, dt=1e-3)
    x0 = ks2d.gaussian_start(p, 4, 1)

    def run():
        return ks2d.simulate(p, x0, 20, seed=3, record_every=20)[-1]

    one, two = _check(run)
    # bit-identical: with 4 replicas, 1 thread uses the per-replica kernel and 2 threads too
    # (R >= threads); both kernels do the same arithmetic in the same order
    assert np.array_equal(one, two)


def test_sipf_fast_path():
    p = SIPFParams(H=8, L=8.0, dt=1e-3)
    x0 = uniform_ball(200, seed=4)

    def run():
        return run_sipf(p, x0, 3, seed=7).positions[-1]

    one, two = _check(run)
    # bit-identical here: noise from numpy's Generator, NUFFT with one thread, and the numba pair
    # sum accumulates per particle in a fixed order
    assert np.array_equal(one, two)


def test_sipf_mesa_model():
    p = SIPFParams(H=8, L=8.0, dt=1e-3)
    x0 = uniform_ball(200, seed=4)

    def run():
        m = SIPFModel(p, x0, seed=7)
        m.step()
        m.step()
        return m.positions.copy()

    _check(run)


def test_normal_modes_anneal():
    model = ModalModel(np.array([1.0, 2.0, 3.0]), np.array([-1.0, -1.0, -1.0]), np.array([2.0, 3.0, 4.0]), 1.0,
                       1.0, 1.0)

    def run():
        return anneal(model, geometric_schedule(1.0, 2.0, 4), 5, 64, 11).E

    one, two = _check(run)
    assert np.array_equal(one, two)  # bit-identical: one stream per sample


def test_run_tumble_mesa_model():
    p = TwoStateWalkerParams(1.0, 1.0, 1.0, 10.0, "reflecting")

    def run():
        m = RunTumbleModel(p, 1000, dt=0.5, seed=4)
        for _ in range(3):
            m.step()
        return m.x.copy()

    one, two = _check(run)
    assert np.array_equal(one, two)  # bit-identical (the event kernel's per-walker streams)
