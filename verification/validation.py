"""Validation at the boundary, shared by the parameter objects of ``agents/`` and ``continuum/``.

Every message names the parameter, the allowed range and the value received, so that bad
input is refused where it enters instead of failing deep inside a kernel:

- :func:`real`, :func:`integer`, :func:`seed`, :func:`choice`, :func:`real_array`,
  :func:`times_array` check one value (numpy scalars count as numbers; ``bool`` does not);
- :func:`require_work` refuses a loop whose size, computed up front from its parameters
  (steps x cells, total tumbles across walkers, pair evaluations), would run longer than
  the work cap (``ACTIVEBENCH_MAX_HOURS``, default 6 h on this kind of machine);
- :func:`require_memory` refuses arrays larger than the memory available now, before they
  are allocated.

Both limits raise :class:`LimitError`, a ``ValueError`` whose message gives the estimate,
the cap and how to change the request.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable

import numpy as np

SEED_LIMIT = 2**63
DEFAULT_MAX_HOURS = 6.0  # the longest run the suite makes (sipf.critical_mass, full) is under 1 h
MEMORY_FRACTION = 0.8  # of the memory available now; the rest stays for the interpreter and the OS


class LimitError(ValueError):
    """A request whose work or memory, estimated before starting, exceeds the machine's limit."""


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _range_text(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:
    if math.isinf(lo) and math.isinf(hi):
        return "finite"
    if math.isinf(hi):
        return f"{'>' if lo_open else '>='} {lo:g}"
    if math.isinf(lo):
        return f"{'<' if hi_open else '<='} {hi:g}"
    return f"in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"


def real(value: object, name: str, *, lo: float = -math.inf, hi: float = math.inf,
         lo_open: bool = False, hi_open: bool = False) -> float:
    """A finite real number in the given range, as a float.

    Parameters
    ----------
    value : object
        What the caller passed (a Python or numpy real number; ``bool`` and strings are refused).
    name : str
        The parameter's name, used in the message.
    lo, hi : float
        Bounds (infinite: unbounded on that side).
    lo_open, hi_open : bool
        Whether the bound itself is excluded.

    Raises
    ------
    ValueError
        Naming ``name``, the allowed range and ``value``.
    """
    allowed = _range_text(lo, hi, lo_open, hi_open)
    wanted = "a finite real number" + ("" if allowed == "finite" else f" {allowed}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {wanted}, got {_describe(value)}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be {wanted}, got {x!r}")
    below = x <= lo if lo_open else x < lo
    above = x >= hi if hi_open else x > hi
    if below or above:
        raise ValueError(f"{name} must be {wanted}, got {x!r}")
    return x


def positive(value: object, name: str) -> float:
    """A finite real number > 0 (see :func:`real`)."""
    return real(value, name, lo=0.0, lo_open=True)


def nonnegative(value: object, name: str) -> float:
    """A finite real number >= 0 (see :func:`real`)."""
    return real(value, name, lo=0.0)


def integer(value: object, name: str, *, lo: int | None = None, hi: int | None = None) -> int:
    """An integer (Python or numpy; not ``bool``, not a float) in [lo, hi], as an int.

    Raises
    ------
    ValueError
        Naming ``name``, the allowed range and ``value`` (a float such as 2.7 is refused, never
        truncated).
    """
    if lo is not None and hi is not None:
        allowed = f" in [{lo}, {hi}]"
    elif lo is not None:
        allowed = f" >= {lo}"
    elif hi is not None:
        allowed = f" <= {hi}"
    else:
        allowed = ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer{allowed}, got {_describe(value)}")
    n = int(value)
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        raise ValueError(f"{name} must be an integer{allowed}, got {n}")
    return n


def seed(value: object, name: str = "seed") -> int:
    """A random seed: an integer in [0, 2**63)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or not 0 <= int(value) < SEED_LIMIT:
        raise ValueError(f"{name} must be an integer in [0, 2**63), got {_describe(value)}")
    return int(value)


def choice(value: object, name: str, allowed: Iterable) -> object:
    """``value`` if it is one of ``allowed``."""
    options = tuple(allowed)
    try:
        ok = value in options
    except TypeError:  # an unhashable or incomparable value
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in options)}; got {_describe(value)}")
    return value


def real_array(value: object, name: str, *, shape: tuple | None = None, ndim: int | None = None,
               lo: float = -math.inf, hi: float = math.inf, min_size: int = 0) -> np.ndarray:
    """A float64 array of finite values in [lo, hi] with the given shape or number of dimensions.

    ``shape`` may hold ``None`` for a free length (e.g. ``(None, 3)``).
    """
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers, got {_describe(value)}") from None
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {a.shape}")
    if shape is not None and (a.ndim != len(shape)
                              or any(w is not None and w != s for w, s in zip(shape, a.shape, strict=False))):
        want = "(" + ", ".join("any" if w is None else str(w) for w in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    if a.size < min_size:
        raise ValueError(f"{name} must hold at least {min_size} values, got {a.size}")
    finite = np.isfinite(a)
    if not finite.all():
        where = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"{name} must be finite; {name}[{', '.join(map(str, where))}] = {float(a[where])!r}")
    if a.size and (a.min() < lo or a.max() > hi):
        raise ValueError(f"{name} must lie {_range_text(lo, hi, False, False)}; found values in "
                         f"[{a.min():.6g}, {a.max():.6g}]")
    return a


def times_array(value: object, name: str = "times") -> np.ndarray:
    """Output times: a non-empty 1-D float64 array of finite, non-negative, non-decreasing values."""
    t = real_array(value, name, ndim=1, lo=0.0, min_size=1)
    if np.any(np.diff(t) < 0):
        i = int(np.argmax(np.diff(t) < 0))
        raise ValueError(f"{name} must be non-decreasing; {name}[{i + 1}] = {float(t[i + 1])!r} < "
                         f"{name}[{i}] = {float(t[i])!r}")
    return t


# ----------------------------------------------------------------------------- work and memory
def max_hours() -> float:
    """The work cap in hours: ``ACTIVEBENCH_MAX_HOURS`` if set (a number > 0), else 6."""
    text = os.environ.get("ACTIVEBENCH_MAX_HOURS")
    if text is None:
        return DEFAULT_MAX_HOURS
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and hours > 0):
        raise ValueError(f"ACTIVEBENCH_MAX_HOURS must be a number of hours > 0, got {text!r}")
    return hours


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "forever"
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.3g} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.3g} h"
    if seconds < 2 * 365.25 * 86400:
        return f"{seconds / 86400:.3g} days"
    return f"{seconds / (365.25 * 86400):.3g} years"


def require_work(amount: float, *, unit: str, ns_per_unit: float, what: str, fix: str = "") -> float:
    """Refuse a loop of ``amount`` work units that would run past the work cap.

    Parameters
    ----------
    amount : float
        Work units the run needs, computed from its parameters before starting (may be inf).
    unit : str
        What one unit is ("cell-steps", "tumbles", "pair evaluations").
    ns_per_unit : float
        A lower estimate of the cost of one unit on one core of this kind of machine, in ns
        (a lower estimate: the cap refuses only what certainly cannot finish).
    what : str
        The run, for the message (e.g. "fv_run to t = 1e+09").
    fix : str
        How to shrink the request (e.g. "a shorter t_end or a larger dt").

    Returns
    -------
    float
        The estimated run time in seconds.

    Raises
    ------
    LimitError
        With the estimate, the cap and ``fix``.
    """
    amount = float(amount)
    seconds = amount * ns_per_unit * 1e-9 if math.isfinite(amount) else math.inf
    hours = max_hours()
    if not seconds <= hours * 3600:
        cap = hours * 3600 / (ns_per_unit * 1e-9)
        raise LimitError(
            f"{what} needs {amount:.3g} {unit}, about {_duration(seconds)} at >= {ns_per_unit:g} ns per unit; "
            f"the cap is {cap:.3g} {unit} ({hours:g} h, set ACTIVEBENCH_MAX_HOURS to change it)"
            + (f"; use {fix}" if fix else ""))
    return seconds


def available_memory() -> int:
    """Bytes of memory available now (``MemAvailable`` of /proc/meminfo, else free physical pages)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 2**62  # unknown: do not refuse


def require_memory(nbytes: float, what: str, fix: str = "") -> float:
    """Refuse to allocate ``nbytes`` (an estimate of the arrays a run holds at once) beyond 80 % of what is free.

    Raises
    ------
    LimitError
        With the estimate, the memory available and ``fix``.
    """
    nbytes = float(nbytes)
    avail = available_memory()
    if not nbytes <= MEMORY_FRACTION * avail:
        gib = 2.0**30
        raise LimitError(f"{what} needs about {nbytes / gib:.3g} GiB of arrays, more than {MEMORY_FRACTION:.0%} of "
                         f"the {avail / gib:.3g} GiB available now" + (f"; use {fix}" if fix else ""))
    return nbytes
