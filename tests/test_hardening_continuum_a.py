"""Issue 13 (hardening) for continuum/keller_segel.py, continuum/radial_ks3d.py and continuum/master_equation.py.

Work caps, memory refusals, non-finite states and parameter validation. Every refusal is
checked for its exception type and for the parameter (or run) named in its message. Sizes
that are refused are never allocated: the memory check comes before any array of that size.
"""

import numpy as np
import pytest

from continuum import keller_segel as ks
from continuum.master_equation import TwoStateMasterEquation
from continuum.radial_ks3d import RadialGrid3D, RadialKSParams, radial_solver, run_radial
from verification import validation
from verification.validation import LimitError

GIB = 2**30
P1 = ks.KellerSegel1DParams()
U1, V1 = np.ones(200), np.ones(200)


@pytest.fixture
def two_gib(monkeypatch):
    """The memory available now is 2 GiB, whatever the machine (memory refusals become deterministic)."""
    monkeypatch.setattr(validation, "available_memory", lambda: 2 * GIB)


@pytest.fixture
def cap_hours(monkeypatch):
    """Set the work cap (ACTIVEBENCH_MAX_HOURS) for one test."""
    def set_cap(hours: float) -> None:
        monkeypatch.setenv("ACTIVEBENCH_MAX_HOURS", str(hours))
    return set_cap


# ----------------------------------------------------------------------------- keller_segel: work caps
def test_fv_run_to_1e9_is_refused_up_front():
    with pytest.raises(LimitError, match=r"fv_run on n_cells = 200 to t = 1e\+09 \(>= 4e\+11 steps.*cell-steps.*"
                                         r"the cap is"):
        ks.fv_run(P1, U1, V1, [1e9])


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_fv_run_huge_diffusivity_is_refused_by_the_step_count(backend):
    p = ks.KellerSegel1DParams(d_u=1e300)  # valid: its step limit 1.25e-301 is a normal float
    with pytest.raises(LimitError, match=r"fv_run .* \(>= 2e\+301 steps of dt <= 5e-302\)"):
        ks.fv_run(p, U1, V1, [1.0], backend=backend)


@pytest.mark.parametrize(("field", "value"), [("d_u", 1e308), ("d_v", 1e308), ("length", 1e300), ("length", 1e-300),
                                              ("decay", 1e308)])
def test_1d_params_refuse_a_step_limit_that_under_or_overflows(field, value):
    with pytest.raises(ValueError, match=rf"^{field} gives a step limit .* under- or overflows"):
        ks.KellerSegel1DParams(**{field: value})


@pytest.mark.parametrize(("field", "value"), [("diffusivity", 1e308), ("length", 1e300), ("decay", 1e308)])
def test_2d_params_refuse_a_step_limit_that_under_or_overflows(field, value):
    with pytest.raises(ValueError, match=rf"^{field} gives a step limit"):
        ks.KellerSegel2DParams(**{field: value})


def test_ks2d_run_to_1e9_is_refused_up_front():
    p = ks.KellerSegel2DParams(n=64)
    with pytest.raises(LimitError, match=r"ks2d_run on n\^2 = 64\^2 cells to t = 1e\+09 .*cell-steps"):
        ks.ks2d_run(p, np.ones((64, 64)), np.ones((64, 64)), [1e9])


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_fv_run_stops_at_the_cap_when_the_chemotactic_step_shrinks(cap_hours, backend):
    cap_hours(1e-6)  # 3.6 ms: the up-front estimate (400 steps) passes, the data-dependent step does not
    p = ks.KellerSegel1DParams(chi0=1e300)
    with pytest.raises(LimitError, match=r"fv_run: the data-dependent step shrank; after \d+ steps \(the work cap"):
        ks.fv_run(p, U1, V1 + np.arange(200) % 2, [1.0], backend=backend)


def test_ks2d_run_stops_at_the_cap_when_the_step_shrinks(cap_hours):
    cap_hours(1e-6)
    p = ks.KellerSegel2DParams(n=8, length=8.0, sensitivity=1e300)
    with pytest.raises(LimitError, match=r"ks2d_run: the data-dependent step shrank"):
        ks.ks2d_run(p, np.ones((8, 8)), np.ones((8, 8)) + np.arange(8) % 2, [1.0])


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # numpy twin: chi0 * dv overflows
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_fv_run_raises_instead_of_a_zero_step(backend):
    p = ks.KellerSegel1DParams(chi0=1e308)  # the face velocity overflows: dt = dx / inf = 0
    with pytest.raises(ks.NonFiniteStateError, match=r"fv_run: the time step stopped being a number > 0 at t = 0"):
        ks.fv_run(p, U1, V1 + 10 * (np.arange(200) % 2), [1.0], backend=backend)


def test_seed_scheme_run_is_capped(cap_hours):
    cap_hours(1e-6)
    with pytest.raises(LimitError, match=r"seed_scheme_run of 20000 steps on n_cells = 200 needs .* cell-steps"):
        ks.seed_scheme_run(P1, U1, V1, 100.0, 20000)


# ----------------------------------------------------------------------------- keller_segel: arguments
@pytest.mark.parametrize(("n_steps", "pattern"), [(-5, r"n_steps must be an integer >= 1, got -5"),
                                                  (0, r"n_steps must be an integer >= 1, got 0"),
                                                  (2.7, r"n_steps must be an integer >= 1, got 2.7 \(float\)")])
def test_seed_scheme_refuses_bad_step_counts(n_steps, pattern):
    with pytest.raises(ValueError, match=pattern):
        ks.seed_scheme_run(P1, U1, V1, 1.0, n_steps)


def test_seed_scheme_refuses_nan_and_bad_record_every():
    u = U1.copy()
    u[3] = np.nan
    with pytest.raises(ValueError, match=r"u0 must be finite; u0\[3\] = nan"):
        ks.seed_scheme_run(P1, u, V1, 1.0, 5)
    with pytest.raises(ValueError, match=r"record_every must be an integer >= 0"):
        ks.seed_scheme_run(P1, U1, V1, 1.0, 5, record_every=1.5)


def test_numpy_integers_are_ints_and_give_the_same_run():
    p = ks.KellerSegel1DParams(n_cells=np.int64(16))
    assert p.dx == ks.KellerSegel1DParams(n_cells=16).dx
    assert p.wavenumber(np.int32(2)) == p.wavenumber(2)
    u0 = 1.0 + 0.1 * np.cos(2 * np.pi * p.x() / p.length)
    a = ks.seed_scheme_run(p, u0, np.ones(16), 1.0, np.int64(50), record_every=np.int16(10))
    b = ks.seed_scheme_run(p, u0, np.ones(16), 1.0, 50, record_every=10)
    assert np.array_equal(a.u, b.u)
    assert a.n_steps == b.n_steps == 50
    assert ks.KellerSegel2DParams(n=np.int64(8)).dx == 12.5
    with pytest.raises(ValueError, match=r"n_cells must be an integer >= 8, got 64.0 \(float\)"):
        ks.KellerSegel1DParams(n_cells=64.0)
    with pytest.raises(ValueError, match=r"mode must be an integer in \[1, 4\].*too coarse"):
        p.wavenumber(2.0)


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"theta": "0.3"}, r"theta must be a finite real number in \(0, 0.5\], got '0.3' \(str\)"),
    ({"flux": "weno"}, r"flux must be one of 'upwind', 'minmod'"),
    ({"backend": "gpu"}, r"backend must be one of 'numba', 'numpy'"),
])
def test_fv_run_names_bad_arguments(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        ks.fv_run(P1, U1, V1, [1.0], **kwargs)


def test_string_parameters_are_named():
    with pytest.raises(ValueError, match=r"d_u must be a finite real number > 0, got '1' \(str\)"):
        ks.KellerSegel1DParams(d_u="1")
    with pytest.raises(ValueError, match=r"sensitivity must be a finite real number > 0"):
        ks.KellerSegel2DParams(sensitivity="4")
    with pytest.raises(ValueError, match=r"times must be an array of real numbers"):
        ks.fv_run(P1, U1, V1, "abc")


def test_a_scalar_time_is_still_accepted():
    p = ks.KellerSegel1DParams(n_cells=16)
    a = ks.fv_run(p, np.ones(16), np.ones(16), 0.5)
    b = ks.fv_run(p, np.ones(16), np.ones(16), [0.5])
    assert np.array_equal(a.u, b.u)


# ----------------------------------------------------------------------------- keller_segel: sizes
def test_a_grid_of_10_to_12_cells_is_refused_before_allocating(two_gib):
    p = ks.KellerSegel1DParams(n_cells=10**12)  # a valid parameter set; its arrays are what does not fit
    with pytest.raises(LimitError, match=r"fv_run on n_cells = 1000000000000 needs about [0-9.e+]+ GiB"):
        ks.fv_run(p, np.zeros(8), np.zeros(8), [1.0])
    with pytest.raises(LimitError, match=r"the grid of n_cells = 1000000000000 cells needs about"):
        p.x()
    with pytest.raises(LimitError, match=r"ks2d_run on n\^2 = 1000000\^2 cells needs about [0-9.e+]+ GiB"):
        ks.ks2d_run(ks.KellerSegel2DParams(n=10**6), np.zeros((8, 8)), np.zeros((8, 8)), [1.0])


def test_seed_scheme_refuses_a_step_count_that_does_not_fit(two_gib):
    with pytest.raises(LimitError, match=r"seed_scheme_run of 799999999999 steps .* GiB"):
        ks.seed_scheme_run(P1, U1, V1, 1e9, 5)


# ----------------------------------------------------------------------------- radial_ks3d
def test_radial_long_run_is_refused():
    with pytest.raises(LimitError, match=r"run_radial to t_end = 1e\+07 with dt = 0.001 on n_r = 2000 cells needs "
                                         r"2e\+13 cell-steps"):
        radial_solver(RadialKSParams(dt=1e-3), 1e7)


def test_radial_tiny_step_is_refused(cap_hours):
    # 2e12 cell-steps: >= 3.9 h at the 7 ns lower estimate: refused under a 1 h cap.
    cap_hours(1)
    with pytest.raises(LimitError, match=r"run_radial to t_end = 1 with dt = 1e-09 on n_r = 2000 cells needs "
                                         r"2e\+12 cell-steps.*the cap is .*\(1 h"):
        radial_solver(RadialKSParams(dt=1e-9), 1.0)


def test_radial_tiny_step_is_refused_by_the_default_cap(monkeypatch):
    monkeypatch.delenv("ACTIVEBENCH_MAX_HOURS", raising=False)
    # 2e13 cell-steps: >= 39 h at the 7 ns lower estimate, over the default 6 h cap
    with pytest.raises(LimitError, match=r"dt = 1e-10 on n_r = 2000 cells needs 2e\+13 cell-steps.*\(6 h"):
        radial_solver(RadialKSParams(dt=1e-10), 1.0)
    with pytest.raises(LimitError, match=r"dt = 1e-09 on n_r = 20000 cells needs 2e\+13 cell-steps.*\(6 h"):
        radial_solver(RadialKSParams(dt=1e-9, n_r=20000), 1.0)


def test_radial_t_end_1e300_is_refused_with_a_message_not_a_typing_error():
    with pytest.raises(LimitError, match=r"run_radial to t_end = 1e\+300 .* use a shorter t_end"):
        radial_solver(RadialKSParams(), 1e300)


def test_radial_huge_grid_is_refused_by_memory(two_gib):
    with pytest.raises(LimitError, match=r"run_radial on n_r = 1000000000000 cells .* GiB"):
        run_radial(RadialKSParams(n_r=10**12), 1e-4)
    with pytest.raises(LimitError, match=r"the radial grid of n = 1000000000000 cells needs"):
        RadialGrid3D.build(20.0, 10**12)
    with pytest.raises(LimitError, match=r"with 1000000003 series points .*smaller n_series"):
        run_radial(RadialKSParams(n_r=16, dt=1e-9, radius=4.0), 1.0, n_series=10**15)


def test_radial_arguments_are_named():
    with pytest.raises(ValueError, match=r"mu must be a finite real number > 0, got '1' \(str\)"):
        RadialKSParams(mu="1")
    with pytest.raises(ValueError, match=r"n_r must be an integer >= 16, got 64.0 \(float\)"):
        RadialKSParams(n_r=64.0)
    with pytest.raises(ValueError, match=r"ball_radius must be a finite real number in \(0, 20\)"):
        RadialKSParams(ball_radius=20.0)
    p = RadialKSParams(n_r=16, radius=4.0, dt=0.05)
    with pytest.raises(ValueError, match=r"profile_times\[1\] must be a finite real number"):
        run_radial(p, 0.2, profile_times=[0.1, "a"])
    with pytest.raises(ValueError, match=r"profile_times must be a sequence"):
        run_radial(p, 0.2, profile_times=0.1)
    with pytest.raises(ValueError, match=r"t_end must be a finite real number > 0"):
        run_radial(p, "1")
    with pytest.raises(ValueError, match=r"n_series must be an integer"):
        run_radial(p, 0.2, n_series=10.0)


def test_radial_numpy_integers_give_the_same_run():
    a = run_radial(RadialKSParams(n_r=np.int64(32), radius=4.0, dt=0.01), 0.05, n_series=np.int32(3))
    b = run_radial(RadialKSParams(n_r=32, radius=4.0, dt=0.01), 0.05, n_series=3)
    assert np.array_equal(a.rho0, b.rho0)
    assert np.array_equal(a.mass, b.mass)


# ----------------------------------------------------------------------------- master_equation
def _me(n: int = 2000) -> tuple[TwoStateMasterEquation, tuple[np.ndarray, np.ndarray]]:
    me = TwoStateMasterEquation(1.0, 0.5, 0.5, 10.0, n_cells=n)
    return me, (np.full(n, 0.5 / n), np.full(n, 0.5 / n))


def test_master_equation_long_evolve_is_refused():
    me, st = _me()
    with pytest.raises(LimitError, match=r"evolve to t = 1e\+09 with dt = 0.005 on n_cells = 2000 needs 4e\+14 "
                                         r"cell-steps"):
        me.evolve(st, [1e9])


def test_master_equation_accepts_numpy_integers():
    a = TwoStateMasterEquation(1.0, 0.5, 0.5, 10.0, n_cells=np.int64(64))
    b = TwoStateMasterEquation(1.0, 0.5, 0.5, 10.0, n_cells=64)
    assert a.dt == b.dt
    assert type(a.n_cells) is int
    st = (np.full(64, 0.5 / 64), np.full(64, 0.5 / 64))
    ta, sa = a.evolve(st, [1.0, 2.0])
    tb, sb = b.evolve(st, [1.0, 2.0])
    assert np.array_equal(ta, tb)
    for (pa, ma), (pb, mb) in zip(sa, sb, strict=True):
        assert np.array_equal(pa, pb)
        assert np.array_equal(ma, mb)


@pytest.mark.parametrize(("args", "pattern"), [
    ((1.0, 0.5, 0.5, 10.0, "periodic", 64.0), r"n_cells must be an integer >= 8, got 64.0 \(float\)"),
    ((1.0, 0.5, 0.5, "10"), r"length must be a finite real number > 0, got '10' \(str\)"),
    (("1", 0.5, 0.5, 10.0), r"speed must be a finite real number, got '1' \(str\)"),
    ((1.0, "x", 0.5, 10.0), r"rate_plus must be a finite real number"),
    ((1.0, 0.5, 0.5, 10.0, "open"), r"boundary must be one of 'periodic', 'reflecting'"),
])
def test_master_equation_names_bad_arguments(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        TwoStateMasterEquation(*args)


def test_master_equation_evolve_checks_its_state_and_times():
    me, st = _me(64)
    with pytest.raises(ValueError, match=r"state\[0\] \(Q_plus\) must have shape \(64\), got \(63,\)"):
        me.evolve((st[0][:-1], st[1]), [1.0])
    with pytest.raises(ValueError, match=r"times must be non-decreasing"):
        me.evolve(st, [2.0, 1.0])
    with pytest.raises(ValueError, match=r"times must be an array of real numbers"):
        me.evolve(st, ["a"])
    assert me.evolve(st, [])[0].size == 0


def test_master_equation_huge_grid_is_refused_by_memory(two_gib):
    with pytest.raises(LimitError, match=r"TwoStateMasterEquation with n_cells = 1000000000000 needs about"):
        TwoStateMasterEquation(1.0, 0.5, 0.5, 10.0, n_cells=10**12)
