"""verification.validation: every refusal names the parameter, the range and the value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from verification import validation as V


@pytest.mark.parametrize("value", ["abc", None, True, np.bool_(True), 1 + 2j, [1.0]])
def test_real_refuses_non_numbers_naming_the_parameter(value):
    with pytest.raises(ValueError, match=r"^dt must be a finite real number > 0, got .*\(\w+\)"):
        V.real(value, "dt", lo=0.0, lo_open=True)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 0.0, -1.0])
def test_real_refuses_non_finite_and_out_of_range(value):
    with pytest.raises(ValueError, match="^dt must be a finite real number > 0"):
        V.real(value, "dt", lo=0.0, lo_open=True)


def test_real_accepts_numpy_scalars_and_ints_and_returns_float():
    assert V.real(np.float32(0.5), "x") == 0.5
    assert isinstance(V.real(np.int64(3), "x"), float)
    assert V.real(1.0, "p", lo=0.0, hi=1.0) == 1.0
    with pytest.raises(ValueError, match=r"p must be a finite real number in \(0, 1\), got 1.0"):
        V.real(1.0, "p", lo=0.0, hi=1.0, lo_open=True, hi_open=True)


@pytest.mark.parametrize("value", [2.7, 3.0, "3", True, None])
def test_integer_refuses_floats_strings_and_bools_never_truncates(value):
    with pytest.raises(ValueError, match="^n_steps must be an integer >= 0, got"):
        V.integer(value, "n_steps", lo=0)


def test_integer_accepts_numpy_integers_and_checks_the_range():
    assert V.integer(np.int32(7), "n", lo=1) == 7
    assert type(V.integer(np.int64(7), "n")) is int
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 4\], got 5"):
        V.integer(5, "n", lo=1, hi=4)
    with pytest.raises(ValueError, match="seed must be an integer in"):
        V.seed(-1)
    assert V.seed(np.uint64(2**63 - 1)) == 2**63 - 1


def test_arrays_and_times():
    with pytest.raises(ValueError, match=r"rho0 must be finite; rho0\[0, 1\] = nan"):
        V.real_array([[1.0, np.nan]], "rho0")
    with pytest.raises(ValueError, match=r"x0 must have shape \(any, 3\), got \(4, 2\)"):
        V.real_array(np.zeros((4, 2)), "x0", shape=(None, 3))
    with pytest.raises(ValueError, match="times must be non-decreasing"):
        V.times_array([0.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="times must hold at least 1"):
        V.times_array([])
    with pytest.raises(ValueError, match="method must be one of 'event', 'fixed'; got 'evnt'"):
        V.choice("evnt", "method", ("event", "fixed"))


def test_work_cap_names_the_estimate_the_cap_and_the_fix(monkeypatch):
    monkeypatch.delenv("ACTIVEBENCH_MAX_HOURS", raising=False)
    assert V.require_work(1e9, unit="cell-steps", ns_per_unit=1.0, what="run") == pytest.approx(1.0)
    with pytest.raises(V.LimitError, match=r"fv_run to t = 1e9 needs 1e\+20 cell-steps, about .* years.*"
                                           r"the cap is 2.16e\+13 cell-steps \(6 h.*use a shorter t_end"):
        V.require_work(1e20, unit="cell-steps", ns_per_unit=1.0, what="fv_run to t = 1e9", fix="a shorter t_end")
    with pytest.raises(V.LimitError, match="forever"):
        V.require_work(math.inf, unit="steps", ns_per_unit=1.0, what="run")
    monkeypatch.setenv("ACTIVEBENCH_MAX_HOURS", "0.001")
    with pytest.raises(V.LimitError, match=r"0.001 h"):
        V.require_work(1e9, unit="cell-steps", ns_per_unit=10.0, what="run")
    monkeypatch.setenv("ACTIVEBENCH_MAX_HOURS", "soon")
    with pytest.raises(ValueError, match="ACTIVEBENCH_MAX_HOURS must be a number of hours > 0, got 'soon'"):
        V.require_work(1.0, unit="steps", ns_per_unit=1.0, what="run")


def test_memory_cap_compares_with_what_is_available():
    assert V.available_memory() > 2**20
    assert V.require_memory(1e6, "a small run") == 1e6
    with pytest.raises(V.LimitError, match=r"10\*\*12 walkers needs about .* GiB of arrays, more than 80%.*"
                                           r"use fewer walkers"):
        V.require_memory(8e12 * 3, "10**12 walkers", "fewer walkers")
    with pytest.raises(V.LimitError):
        V.require_memory(math.inf, "x")
