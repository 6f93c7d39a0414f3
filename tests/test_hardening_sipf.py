"""Issue 13 (hardening) for the SIPF method: sizes, work caps and parameter validation of agents/sipf*.py.

Every refusal is checked for its exception type and for the parameter named in its message.
Sizes that are refused are never allocated: positions of 10**12 particles are passed as a
zero-stride view (``np.broadcast_to``), which holds no memory.
"""

import math

import numpy as np
import pytest

from agents import sipf as S
from agents import sipf2d as D
from verification import validation
from verification.validation import LimitError

P3 = S.SIPFParams(H=4, L=4.0, dt=1e-3)
P2 = D.SIPF2DParams(H=4, L=4.0, dt=1e-3)
X3 = S.uniform_ball(6, radius=1.0, seed=2)
X2 = D.uniform_disc(6, radius=1.0, seed=2)
GIB = 2**30


@pytest.fixture
def two_gib(monkeypatch):
    """The memory available now is 2 GiB, whatever the machine (memory refusals become deterministic)."""
    monkeypatch.setattr(validation, "available_memory", lambda: 2 * GIB)


def huge(P: int, dim: int) -> np.ndarray:
    """Positions of P particles at the origin as a zero-stride view (no memory)."""
    return np.broadcast_to(np.zeros(dim), (P, dim))


# ----------------------------------------------------------------------------- sizes
@pytest.mark.parametrize("make", [S.uniform_ball, D.uniform_disc])
def test_initial_points_refuse_10_to_12_before_allocating(make):
    with pytest.raises(LimitError, match=r"n = 1000000000000 points needs about .* GiB"):
        make(10**12)


@pytest.mark.parametrize(("params", "dim", "run"), [(P3, 3, S.run_sipf), (P2, 2, D.run_sipf2d)])
def test_run_refuses_10_to_12_particles_by_memory(params, dim, run):
    with pytest.raises(LimitError, match=r"P = 1000000000000 particles.*needs about [0-9.e+]+ GiB") as e:
        run(params, huge(10**12, dim), 0)
    assert "use fewer particles (P)" in str(e.value)


def test_state_refuses_10_to_12_particles_by_memory():
    with pytest.raises(LimitError, match=r"P = 1000000000000 particles.*GiB"):
        S.SIPFState(P3, huge(10**12, 3))
    with pytest.raises(LimitError, match=r"P = 1000000000000 particles.*GiB"):
        S.SIPFState(P2, huge(10**12, 2), space=D.SPACE)


def test_run_refuses_H_2000_by_memory():
    p = S.SIPFParams(H=2000)  # a valid parameter set; its arrays are what does not fit
    with pytest.raises(LimitError, match=r"H = 2000 modes per dimension.*needs about [0-9.e+]+ GiB"):
        S.run_sipf(p, S.uniform_ball(10, seed=1), 1)
    with pytest.raises(LimitError, match=r"H = 2000 modes per dimension"):
        S.SIPFState(p, S.uniform_ball(10, seed=1))


def test_step_pieces_refuse_H_2000_by_memory():
    p = S.SIPFParams(H=2000)
    for pieces in (S.step_pieces_fast, S.step_pieces_reference):
        with pytest.raises(LimitError, match=r"H = 2000: \(H\+1\)\^3 = 8\.01e\+09 modes"):
            pieces(p, S.uniform_ball(10, seed=1), np.zeros((1, 1, 1), complex))
    q = D.SIPF2DParams(H=10**6)
    with pytest.raises(LimitError, match=r"H = 1000000"):
        D.step_pieces_fast(q, D.uniform_disc(10, seed=1), np.zeros((1, 1), complex))


def test_run2d_refuses_huge_H_by_memory():
    with pytest.raises(LimitError, match=r"run_sipf2d \(2D: P = 6 particles, H = 1000000 modes.*GiB"):
        D.run_sipf2d(D.SIPF2DParams(H=10**6), X2, 0)


def test_memory_counts_recorded_steps(two_gib):
    # 2 GiB available: 2000 recorded steps of 20000 3D particles (~1.3 GiB of positions, twice) do not fit
    x0 = huge(20000, 3)
    S.require_run_memory(P3, S.SPACE, 20000, 1, 2000, 2)  # two records fit
    with pytest.raises(LimitError, match=r"2001 recorded steps.*use fewer particles \(P\), modes \(H\), recorded"):
        S.run_sipf(P3, x0, 2000, record_steps=range(2001))


def test_memory_counts_noise_substeps(two_gib):
    with pytest.raises(LimitError, match=r"noise_substeps = 100000000.*GiB"):
        S.run_sipf(P3.replace(chi=0.0), X3, 0, noise_substeps=10**8)


def test_run_bytes_grows_with_every_size():
    base = S.run_bytes(3, 1000, 24)
    assert S.run_bytes(3, 2000, 24) > base
    assert S.run_bytes(3, 1000, 48) > base
    assert S.run_bytes(3, 1000, 24, noise_substeps=4) > base
    assert S.run_bytes(3, 1000, 24, n_records=3) - base == pytest.approx(6 * (8 * 1000 * 3 + 16 * 25**3))
    assert S.run_bytes(3, 1000, 24, reference=True) > base
    # H = 2000 in 3D: 2001^3 complex modes alone are 128 GB
    assert S.run_bytes(3, 10, 2000) > 2001**3 * 16


# ----------------------------------------------------------------------------- work caps
def test_run_refuses_pair_work_beyond_the_cap():
    # 1e5 particles for 1e4 steps: 1e14 pair evaluations, > 2.5e4 s at >= 0.25 ns each (cap 6 h)
    with pytest.raises(LimitError, match=r"run_sipf \(3D: P = 100000 particles, H = 4 modes per dimension, "
                                         r"n_steps = 10000\), with the NUFFTs, FFT and noise counted as pairs of "
                                         r"equal cost, needs 1(\.\d+)?e\+14 pair evaluations, about") as e:
        S.run_sipf(P3, huge(10**5, 3), 10**4)
    msg = str(e.value)
    assert "at >= 0.25 ns per unit" in msg
    assert "the cap is" in msg
    assert "ACTIVEBENCH_MAX_HOURS" in msg
    assert "fewer particles (P), modes (H), steps (n_steps)" in msg


def test_run2d_refuses_pair_work_beyond_the_cap():
    with pytest.raises(LimitError, match=r"run_sipf2d \(2D: P = 100000 particles.*n_steps = 1000\).* needs "
                                         r"1(\.\d+)?e\+13 pair evaluations.*at >= 20 ns per unit"):
        D.run_sipf2d(P2, huge(10**5, 2), 1000)


def test_run_refuses_step_count_beyond_the_cap():
    with pytest.raises(LimitError, match=r"n_steps = 1000000000000\).* needs \d"):
        S.run_sipf(P3, X3, 10**12)
    with pytest.raises(LimitError, match=r"n_steps = 1000000000000\).* needs \d"):
        D.run_sipf2d(P2, X2, 10**12)


def test_work_cap_follows_the_environment(monkeypatch):
    # 200 particles x 1000 steps is about 1 s of work at the lower per-unit costs: fine at 6 h,
    # refused under a cap of 1e-5 h (36 ms), before any step runs
    x0 = S.uniform_ball(200, seed=1)
    assert 0.1 < S.require_run_work(P3, S.SPACE, 200, 1000) < 10.0
    monkeypatch.setenv("ACTIVEBENCH_MAX_HOURS", "1e-5")
    with pytest.raises(LimitError, match=r"P = 200 particles.*n_steps = 1000.*the cap is"):
        S.run_sipf(P3, x0, 1000)


def test_work_counts_nufft_and_noise_without_pairs():
    # chi = 0 has no pair sum; the NUFFT, the grid FFT and the noise still cost time
    free = P3.replace(chi=0.0)
    assert S.require_run_work(free, S.SPACE, 10, 10**6) > 0
    assert S.require_run_work(free, S.SPACE, 10, 10, noise_substeps=8) > S.require_run_work(free, S.SPACE, 10, 10)
    with pytest.raises(LimitError, match="noise_substeps = 1000000000"):
        S.run_sipf(free, X3, 10**4, noise_substeps=10**9)


def test_callable_method_counts_only_the_run_loop():
    fast = S.require_run_work(P3, S.SPACE, 1000, 100, method="fast")
    own = S.require_run_work(P3, S.SPACE, 1000, 100, method=lambda p, x, a: S.step_pieces_fast(p, x, a))
    assert 0 < own < fast
    assert S.require_run_work(P3, S.SPACE, 1000, 100, method=S.step_pieces_fast) == fast


# ----------------------------------------------------------------------------- parameters
FIELDS = ("mu", "chi", "eps", "k", "L", "dt", "mass")


@pytest.mark.parametrize("cls", [S.SIPFParams, D.SIPF2DParams])
@pytest.mark.parametrize("field", FIELDS)
def test_string_parameters_are_refused_by_name(cls, field):
    with pytest.raises(ValueError, match=rf"^{field} must be a finite real number.*got '1' \(str\)"):
        cls(**{field: "1"})


@pytest.mark.parametrize("cls", [S.SIPFParams, D.SIPF2DParams])
@pytest.mark.parametrize(("field", "value", "text"), [
    ("mu", True, "mu must be a finite real number > 0"), ("mu", -1.0, "mu must be a finite real number > 0"),
    ("eps", -1e-3, "eps must be a finite real number >= 0"), ("k", math.nan, "k must be a finite real number >= 0"),
    ("chi", math.inf, "chi must be a finite real number"), ("dt", 0.0, "dt must be a finite real number > 0"),
    ("mass", 0, "mass must be a finite real number > 0"), ("L", 1e200, r"L must be a finite real number in \[1e-100"),
    ("L", 1e-200, "L must be a finite real number in"), ("H", "8", "H must be an integer"),
    ("H", 8.0, "H must be an integer"), ("H", 2.7, "H must be an integer"), ("H", np.int64(6), None),
    ("H", 6 + 1, "H must be an even integer >= 4, got 7"), ("H", np.int64(2), "H must be an even integer >= 4"),
    ("H", True, "H must be an integer"),
])
def test_parameter_ranges_are_named(cls, field, value, text):
    if text is None:
        assert cls(**{field: value}).H == 6
        return
    with pytest.raises(ValueError, match=text):
        cls(**{field: value})


@pytest.mark.parametrize("cls", [S.SIPFParams, D.SIPF2DParams])
def test_numpy_scalars_are_accepted_and_stored_as_python_numbers(cls):
    p = cls(mu=np.float32(0.5), chi=np.int64(2), eps=np.float64(1e-4), k=np.float16(0.25), L=np.int32(8),
            H=np.int64(8), dt=np.float32(1e-3), mass=np.int64(20))
    assert type(p.H) is int
    assert p.H == 8
    for name in ("mu", "chi", "k", "L", "dt", "mass"):
        assert type(getattr(p, name)) in (int, float), name
    assert isinstance(p.eps, float)  # np.float64 is a float: kept as given
    q = cls(mu=0.5, chi=2, eps=1e-4, k=0.25, L=8, H=8, dt=float(np.float32(1e-3)), mass=20)
    assert p.beta == q.beta
    assert p == q


def test_dim_accepts_numpy_ints_and_refuses_others():
    assert S.SIPFParams(dim=np.int64(3)).dim == 3
    with pytest.raises(ValueError, match="dim must be 3"):
        S.SIPFParams(dim=2)
    with pytest.raises(ValueError, match="dim must be an integer"):
        S.SIPFParams(dim="3")


def test_beta_underflow_is_refused():
    with pytest.raises(ValueError, match=r"beta = sqrt\(k\^2 \+ eps/dt\) must be > 0"):
        S.SIPFParams(k=0.0, eps=5e-324, dt=10.0, L=1.0)


# ----------------------------------------------------------------------------- run arguments
@pytest.mark.parametrize(("run", "params", "x0"), [(S.run_sipf, P3, X3), (D.run_sipf2d, P2, X2)])
@pytest.mark.parametrize(("kw", "text"), [
    ({"n_steps": 2.7}, r"n_steps must be an integer >= 0, got 2\.7"),
    ({"n_steps": -5}, "n_steps must be an integer >= 0, got -5"),
    ({"n_steps": "3"}, "n_steps must be an integer"),
    ({"n_steps": 1, "seed": -1}, r"seed must be an integer in \[0, 2\*\*63\)"),
    ({"n_steps": 1, "seed": 1.5}, "seed must be an integer"),
    ({"n_steps": 1, "seed": 2**63}, "seed must be an integer"),
    ({"n_steps": 1, "seed": "1"}, "seed must be an integer"),
    ({"n_steps": 2, "record_steps": [1.5]}, r"an entry of record_steps must be an integer in \[0, 2\], got 1\.5"),
    ({"n_steps": 2, "record_steps": [3]}, "an entry of record_steps must be an integer in"),
    ({"n_steps": 2, "record_steps": 2}, "record_steps must be an iterable of integers"),
    ({"n_steps": 2, "record_steps": "01"}, "record_steps must be an iterable of integers"),
    ({"n_steps": 1, "method": "slow"}, "method must be one of 'fast', 'reference'"),
    ({"n_steps": 1, "method": 5}, "method must be one of 'fast', 'reference' or a callable"),
    ({"n_steps": 1, "blowup_cinf": "big"}, "blowup_cinf must be a finite real number > 0"),
    ({"n_steps": 1, "blowup_cinf": math.inf}, "blowup_cinf must be a finite real number > 0"),
    ({"n_steps": 1, "blowup_cinf": -1.0}, "blowup_cinf must be a finite real number > 0"),
])
def test_run_arguments_are_named(run, params, x0, kw, text):
    with pytest.raises(ValueError, match=text):
        run(params, x0, **kw)


@pytest.mark.parametrize(("kw", "text"), [
    ({"noise_substeps": 0}, "noise_substeps must be an integer >= 1"),
    ({"noise_substeps": 2.0}, "noise_substeps must be an integer"),
    ({"noise_substeps": True}, "noise_substeps must be an integer"),
    ({"alpha0": np.full((5, 5, 5), np.nan, complex)}, "alpha0 must be finite"),
    ({"alpha0": np.full((5, 5, 5), 1e308, complex)}, "alpha0 must give a finite field"),
    ({"alpha0": np.zeros((4, 4, 4))}, "alpha0 must have shape"),
    ({"alpha0": "x"}, "alpha0 must"),
    ({"space": "3d"}, "space must be an agents.sipf.Space"),
    ({"space": D.SPACE}, "params are 3D"),
])
def test_state_arguments_are_named(kw, text):
    with pytest.raises(ValueError, match=text):
        S.run_sipf(P3, X3, 1, **kw)
    with pytest.raises(ValueError, match=text):
        S.SIPFState(P3, X3, **kw)


def test_params_must_match_the_space():
    with pytest.raises(ValueError, match="params are 2D"):
        S.run_sipf(P2, X2, 1)
    with pytest.raises(ValueError, match="params must be SIPFParams"):
        S.run_sipf({"H": 4}, X3, 1)


@pytest.mark.parametrize(("x", "text"), [
    ("abc", "positions must be an array of real numbers"), (np.zeros((1, 3)), "P .* must be an integer >= 2"),
    (np.zeros((4, 2)), r"positions must have shape \(any, 3\)"), (np.zeros(6), "positions must have shape"),
    (np.array([[0, 0, np.nan], [0, 0, 0]]), r"positions must be finite; positions\[0, 2\] = nan"),
    (np.full((3, 3), 5.0), r"positions must lie inside Omega = \[-L/2, L/2\]\^3 with L = 4.0; found"),
])
def test_positions_are_named(x, text):
    with pytest.raises(ValueError, match=text):
        S.run_sipf(P3, x, 1)


def test_numpy_ints_are_accepted_for_counts_and_seeds():
    a = S.run_sipf(P3, X3, np.int64(3), seed=np.uint32(7), record_steps=np.arange(4), noise_substeps=np.int8(2))
    b = S.run_sipf(P3, X3, 3, seed=7, record_steps=[0, 1, 2, 3], noise_substeps=2)
    assert np.array_equal(a.positions, b.positions)
    assert np.array_equal(a.modes, b.modes)
    assert np.array_equal(a.record_steps, [0, 1, 2, 3])
    c = D.run_sipf2d(P2, X2, np.int16(2), seed=np.int64(5))
    assert np.array_equal(c.positions, D.run_sipf2d(P2, X2, 2, seed=5).positions)


def test_positions_are_copied():
    x0 = X3.copy()
    st = S.SIPFState(P3, x0)
    assert st.x is not x0
    assert np.array_equal(st.x, x0)


@pytest.mark.parametrize(("make", "dim"), [(S.uniform_ball, 3), (D.uniform_disc, 2)])
@pytest.mark.parametrize(("kw", "text"), [
    ({"n": 2.5}, r"n must be an integer >= 0, got 2\.5"), ({"n": -1}, "n must be an integer >= 0"),
    ({"n": "3"}, "n must be an integer"), ({"n": 3, "radius": "1"}, "radius must be a finite real number >= 0"),
    ({"n": 3, "radius": -1.0}, "radius must be a finite real number >= 0"),
    ({"n": 3, "center": "ab"}, "center must"), ({"n": 3, "center": (0.0,) * 4}, "center must have shape"),
    ({"n": 3, "seed": -1}, "seed must be an integer"), ({"n": 3, "seed": 0.5}, "seed must be an integer"),
])
def test_initial_point_arguments_are_named(make, dim, kw, text):
    with pytest.raises(ValueError, match=text):
        make(**kw)


@pytest.mark.parametrize(("make", "dim"), [(S.uniform_ball, 3), (D.uniform_disc, 2)])
def test_initial_points_accept_numpy_scalars_unchanged(make, dim):
    a = make(np.int64(50), radius=np.float32(0.5), center=np.zeros(dim, np.float32), seed=np.int64(4))
    b = make(50, radius=float(np.float32(0.5)), center=(0.0,) * dim, seed=4)
    assert np.array_equal(a, b)


# ----------------------------------------------------------------------------- guarantees
def test_histories_stay_finite_when_the_run_blows_up():
    # a strongly attracting run: stopped and flagged, no nan or inf in the outputs
    p = S.SIPFParams(H=4, L=4.0, dt=1e-2, mass=1e6)
    r = S.run_sipf(p, S.uniform_ball(40, radius=0.3, seed=1), 50, seed=1, blowup_cinf=1e3)
    assert r.blew_up
    assert math.isfinite(r.blowup_time)
    for a in (r.positions, r.modes, r.times, r.c0, r.cinf):
        assert np.all(np.isfinite(a))
    assert r.cinf.max() <= 1e3
