"""One-dimensional run-and-tumble walkers: parameters, tables and the public API.

Two models share one description ([MIPS] §1.2, [CHEMOTAXIS] §2.3):

* the **two-state walker** with direction s = +1/-1, speed v(x) and switch
  rates alpha_+(x) (+1 -> -1) and alpha_-(x) (-1 -> +1);
* the **Schnitzer walker** with tumble rate alpha(x), after which the direction
  is +1 or -1 with probability 1/2. A tumble that keeps the direction cannot be
  seen, so this is the two-state walker with alpha_+ = alpha_- = alpha/2
  (:func:`schnitzer`).

The kernels move walkers in the *travel-time coordinate*
tau(x) = int_{-L/2}^{x} dy / v(y), in which every walker moves at unit speed.
Straight runs are then exact whatever v(x) is, and the only approximation is
the tabulation of x(tau) and alpha_pm(x(tau)) on ``n_table`` nodes (linear
interpolation, error O(h^2)). The domain is [-L/2, L/2].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from agents import run_tumble_kernels as _k
from verification import validation as val

Profile = float | Callable[[np.ndarray], np.ndarray]
BOUNDARIES = ("periodic", "reflecting")


def _as_function(value: Profile) -> Callable[[np.ndarray], np.ndarray]:
    if callable(value):
        return lambda x: np.broadcast_to(np.asarray(value(x), dtype=float), np.shape(x))
    const = float(value)
    return lambda x: np.full(np.shape(x), const)


def _range_text(a: np.ndarray) -> str:
    finite = a[np.isfinite(a)]
    bad = a.size - finite.size
    span = f"[{finite.min():.4g}, {finite.max():.4g}]" if finite.size else "none"
    return f"finite values in {span}" + (f", {bad} non-finite" if bad else "")


def _profile(value: Profile, name: str, x: np.ndarray, *, lo_open: bool) -> np.ndarray:
    """Evaluate a constant or callable profile on ``x``; the message names ``name`` and the allowed range."""
    allowed = "> 0" if lo_open else ">= 0"
    if not callable(value):
        val.real(value, name, lo=0.0, lo_open=lo_open)
    try:
        a = _as_function(value)(x)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ValueError(f"{name} must be a number or a vectorized callable of x returning finite values "
                         f"{allowed}; evaluating it on [-L/2, L/2] failed: {exc}") from None
    if not (np.all(np.isfinite(a)) and np.all(a > 0 if lo_open else a >= 0)):
        raise ValueError(f"{name} must be finite and {allowed} on [-L/2, L/2]; found {_range_text(a)}")
    return a


def output_times(value: object) -> np.ndarray:
    """Output times (a scalar counts as one time): non-empty, finite, >= 0, non-decreasing."""
    try:
        scalar = np.ndim(value) == 0
    except ValueError:  # a ragged sequence: let times_array name it
        scalar = False
    if scalar:
        return val.times_array([val.real(value, "times", lo=0.0)], "times")
    return val.times_array(value, "times")


#: Lower estimate of the event sampler's cost per candidate tumble or recorded position, in ns (one core).
#: Measured 95 ns per candidate and 24 ns per record with 1000 walkers on one thread of this machine,
#: under a load of ~5 on 2 cores; rounded down.
NS_PER_EVENT = 20.0
#: Lower estimate of the fixed-step sampler's cost per walker-step, in ns (one core; measured 15 ns with
#: 1000 walkers x 2000 steps on one thread under load; rounded down).
NS_PER_WALKER_STEP = 4.0


@dataclass(frozen=True)
class TwoStateWalkerParams:
    """Two-state (run-and-tumble) walkers on [-L/2, L/2].

    Parameters
    ----------
    speed : float or callable
        v(x) [length/time]; finite and > 0 on the whole domain.
    rate_plus : float or callable
        alpha_+(x) [1/time], switch rate +1 -> -1; finite and >= 0.
    rate_minus : float or callable
        alpha_-(x) [1/time], switch rate -1 -> +1; finite and >= 0.
    length : float
        Domain length L [length], > 0.
    boundary : {"periodic", "reflecting"}
        A reflection at a wall reverses the walker's direction.
    n_table : int
        Nodes of the tabulated x(tau), alpha_pm(x(tau)); >= 16.
    """

    speed: Profile = 1.0
    rate_plus: Profile = 0.5
    rate_minus: Profile = 0.5
    length: float = 10.0
    boundary: Literal["periodic", "reflecting"] = "periodic"
    n_table: int = 8192
    tables: _k.Tables = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate every parameter and build the kernel tables."""
        val.positive(self.length, "length")
        val.choice(self.boundary, "boundary", BOUNDARIES)
        n = val.integer(self.n_table, "n_table", lo=16)
        # the fine grid of 4 n + 1 points and about six arrays on it (x, v, 1/v, tau, two rates)
        val.require_memory(6 * 8 * (4.0 * n + 1), f"the walker tables (n_table = {n})", "a smaller n_table")
        x = self.grid(4 * self.n_table + 1)
        v = _profile(self.speed, "speed", x, lo_open=True)
        for name in ("rate_plus", "rate_minus"):
            _profile(getattr(self, name), name, x, lo_open=False)
        object.__setattr__(self, "tables", self._build_tables(x, v))

    # -- evaluation -------------------------------------------------------
    def grid(self, n: int) -> np.ndarray:
        """Return ``n`` equally spaced points on [-L/2, L/2]."""
        return np.linspace(-self.length / 2, self.length / 2, n)

    def speed_at(self, x: np.ndarray) -> np.ndarray:
        """Return v(x) [length/time]."""
        return _as_function(self.speed)(np.asarray(x, dtype=float))

    def rate_plus_at(self, x: np.ndarray) -> np.ndarray:
        """Return alpha_+(x) [1/time]."""
        return _as_function(self.rate_plus)(np.asarray(x, dtype=float))

    def rate_minus_at(self, x: np.ndarray) -> np.ndarray:
        """Return alpha_-(x) [1/time]."""
        return _as_function(self.rate_minus)(np.asarray(x, dtype=float))

    @property
    def constant_speed(self) -> bool:
        """Whether v is a constant (then tau is linear in x)."""
        return not callable(self.speed)

    def _build_tables(self, x: np.ndarray, v: np.ndarray) -> _k.Tables:
        # tau(x) by the trapezoid rule on a grid 4x finer than the table.
        inv = 1.0 / v
        tau_x = np.concatenate(([0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(x))))
        if self.constant_speed:
            tau_x = (x + self.length / 2) / float(self.speed)
        period = float(tau_x[-1])
        tau_nodes = np.linspace(0.0, period, self.n_table + 1)
        x_nodes = np.interp(tau_nodes, tau_x, x)
        return _k.Tables(
            x_of_tau=x_nodes,
            rate_plus=self.rate_plus_at(x_nodes),
            rate_minus=self.rate_minus_at(x_nodes),
            period=period,
            length=float(self.length),
            reflecting=self.boundary == "reflecting",
            tau_of_x_grid=x,
            tau_of_x=tau_x,
        )

    def tau_of(self, x: np.ndarray) -> np.ndarray:
        """Return the travel time tau(x) [time] from the left end (x in the domain)."""
        t = self.tables
        return np.interp(np.asarray(x, dtype=float), t.tau_of_x_grid, t.tau_of_x)


def schnitzer(
    speed: Profile = 1.0,
    tumble_rate: Profile = 1.0,
    length: float = 10.0,
    boundary: Literal["periodic", "reflecting"] = "periodic",
    n_table: int = 8192,
) -> TwoStateWalkerParams:
    """Schnitzer walkers ([MIPS] §1): tumble rate alpha(x), new direction +/-1 with p = 1/2.

    Parameters
    ----------
    speed : float or callable
        v(x) [length/time], > 0.
    tumble_rate : float or callable
        alpha(x) [1/time], >= 0.
    length, boundary, n_table
        As in :class:`TwoStateWalkerParams`.
    """
    if callable(tumble_rate):
        half: Profile = lambda x: 0.5 * np.asarray(tumble_rate(x), dtype=float)  # noqa: E731
    else:
        half = 0.5 * val.nonnegative(tumble_rate, "tumble_rate")
    return TwoStateWalkerParams(speed, half, half, length, boundary, n_table)


def temporal_sensing(
    alpha0: float,
    chi: float,
    speed: float,
    grad_c: Profile,
    length: float = 10.0,
    boundary: Literal["periodic", "reflecting"] = "periodic",
    n_table: int = 8192,
) -> TwoStateWalkerParams:
    """Walkers sensing dc/dt along their run ([CHEMOTAXIS] §5.2).

    alpha_pm(x) = alpha0 (1 -/+ chi v0 dc/dx) for a static field c(x).

    Parameters
    ----------
    alpha0 : float
        Baseline tumble rate [1/time], > 0.
    chi : float
        Chemotactic sensitivity [time/(concentration)]; any sign.
    speed : float
        v0 [length/time], > 0.
    grad_c : float or callable
        dc/dx [concentration/length]. |chi v0 dc/dx| <= 1 keeps both rates >= 0.
    """
    val.positive(alpha0, "alpha0")
    val.real(chi, "chi")
    val.positive(speed, "speed")
    if not callable(grad_c):  # a callable is checked through the rates it makes, by TwoStateWalkerParams
        val.real(grad_c, "grad_c")
    grad = _as_function(grad_c)
    s = chi * speed
    return TwoStateWalkerParams(
        speed,
        lambda x: alpha0 * (1.0 - s * grad(x)),
        lambda x: alpha0 * (1.0 + s * grad(x)),
        length,
        boundary,
        n_table,
    )


def initial_state(
    params: TwoStateWalkerParams,
    n_walkers: int,
    seed: int,
    x0: np.ndarray | tuple[float, float] | None = None,
    plus_fraction: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw initial positions and directions.

    Parameters
    ----------
    x0 : array, (a, b) or None
        Positions [length]; an interval (a, b) draws uniformly in it; None draws
        uniformly on the whole domain.
    plus_fraction : float
        Probability in [0, 1] that a walker starts with s = +1.

    Returns
    -------
    x, s : ndarray
        Positions (float64) and directions (int8, +/-1).
    """
    n_walkers = val.integer(n_walkers, "n_walkers", lo=1)
    seed = val.seed(seed)
    val.real(plus_fraction, "plus_fraction", lo=0.0, hi=1.0)
    half = params.length / 2
    if x0 is None or isinstance(x0, tuple):
        # x and the uniforms (float64), the int64 directions before the int8 copy, s (int8)
        val.require_memory(25.0 * n_walkers, f"initial_state for n_walkers = {n_walkers}", "fewer walkers")
    rng = np.random.default_rng(seed)
    if x0 is None:
        x = rng.uniform(-half, half, n_walkers)
    elif isinstance(x0, tuple):
        if len(x0) != 2:
            raise ValueError(f"x0 as an interval must be a pair (a, b), got {x0!r}")
        a = val.real(x0[0], "x0[0]")
        b = val.real(x0[1], "x0[1]")
        if not -half <= a <= b <= half:
            raise ValueError(f"x0 interval must lie in [-L/2, L/2] = [{-half}, {half}], got {x0}")
        x = rng.uniform(x0[0], x0[1], n_walkers)
    else:
        x = val.real_array(x0, "x0", shape=(n_walkers,), lo=-half, hi=half).copy()
    s = np.where(rng.random(n_walkers) < plus_fraction, 1, -1).astype(np.int8)
    return x, s


def simulate(
    params: TwoStateWalkerParams,
    x0: np.ndarray,
    s0: np.ndarray,
    times: np.ndarray,
    seed: int,
    method: Literal["event", "fixed"] = "event",
    dt: float | None = None,
) -> np.ndarray:
    """Advance walkers and record their positions at ``times``.

    Parameters
    ----------
    params : TwoStateWalkerParams
    x0, s0 : ndarray
        Initial positions [length] in [-L/2, L/2] and directions (+/-1).
    times : array_like
        Non-decreasing record times [time], >= 0.
    seed : int
        Seed of the per-walker random streams (results do not depend on threads).
    method : {"event", "fixed"}
        "event": exact event-driven sampler (thinning). "fixed": steps of ``dt``
        with flip probability 1 - exp(-alpha dt) per step (first order in dt).
    dt : float, optional
        Step [time] for ``method="fixed"``, > 0; every record time must be a whole
        number of steps (within a relative 1e-9), else the run is refused.

    Returns
    -------
    ndarray, shape (len(times), n_walkers)
        Positions [length]. In a periodic domain positions are unwrapped
        (continuous across the period), so displacements are meaningful.

    Raises
    ------
    ValueError
        Bad arguments, naming the parameter; a record time that is not a whole number of
        steps of ``dt``. :class:`~verification.validation.LimitError` when the work (tumbles or
        walker-steps summed over all walkers, see :func:`_plan`) exceeds the work cap, a walker
        would see more than :data:`MAX_EVENTS_PER_WALKER` events, or the output does not fit in memory.
    """
    half = params.length / 2
    x0 = val.real_array(x0, "x0", ndim=1, lo=-half, hi=half)
    if x0.size < 1:
        raise ValueError("n_walkers = x0.size must be >= 1, got 0 (x0 is empty)")
    times = output_times(times)
    s0 = val.real_array(s0, "s0", shape=x0.shape)
    if not np.all(np.abs(s0) == 1):
        raise ValueError("s0 must hold only +1 and -1")
    seed = val.seed(seed)
    val.choice(method, "method", METHODS)
    if method == "fixed":
        dt = val.positive(dt, "dt")
    val.require_memory(8.0 * times.size * x0.size + 17.0 * x0.size,
                       f"simulate with {x0.size} walkers x {times.size} times", "fewer walkers or output times")
    steps = _plan(params, x0.size, times, method, dt)
    tau = params.tau_of(x0)
    s = s0.astype(np.int8)
    out = np.empty((times.size, x0.size))
    _run(params, tau, s, times, seed, method, dt, steps, out)
    return out


#: Cap on the expected tumbles (event sampler) or steps (fixed step) of ONE walker, whatever the work cap.
#: The work cap (:data:`NS_PER_EVENT`, ``require_work``) limits the total over all walkers; this one protects
#: the float64 clocks: event times t <= t_end are spaced ~t_end / (rate t_end), resolved to
#: 2.2e-16 x 1e10 ~ 2e-6 of a spacing at the cap (beyond ~1e15 a step t -> t + gap stalls or is grossly
#: rounded), and in the fixed-step path the step count stays far inside int64 and the sum of 1e10 dt's
#: keeps its round-off below ~1e-6 relative. Raising ACTIVEBENCH_MAX_HOURS does not lift it.
MAX_EVENTS_PER_WALKER = 1e10
METHODS = ("event", "fixed")
#: Relative tolerance (of max(t, dt)) within which an output time counts as a whole number of steps of dt.
WHOLE_STEP_RTOL = 1e-9


def whole_steps(times: np.ndarray, dt: float) -> np.ndarray:
    """The step counts rint(times / dt), after checking each time is a whole number of steps.

    Parameters
    ----------
    times : ndarray
        Validated output times [time].
    dt : float
        Validated time step [time].

    Raises
    ------
    ValueError
        Naming the first time that is off a whole step by more than ``WHOLE_STEP_RTOL`` (relative):
        a fixed-step run would record it at another time.
    """
    steps = np.rint(times / dt)
    off = np.abs(steps * dt - times) > WHOLE_STEP_RTOL * np.maximum(times, dt)
    if np.any(off):
        j = int(np.argmax(off))
        raise ValueError(f"times[{j}] = {times[j]:g} is not a whole number of steps of dt = {dt:g} (it would be "
                         f"recorded after {steps[j]:.0f} steps, at t = {steps[j] * dt:g}); use a dt that divides "
                         f"every output time")
    return steps


def _plan(params: TwoStateWalkerParams, n_walkers: int, times: np.ndarray, method: str,
          dt: float | None) -> np.ndarray | None:
    """Check a validated run against the caps before any work; the fixed path's step counts (else None).

    Event sampler: n_walkers x (max rate x last time + len(times)) candidate tumbles and records,
    at >= :data:`NS_PER_EVENT` ns each. Fixed step: n_walkers x (last step + len(times)) walker-steps,
    at >= :data:`NS_PER_WALKER_STEP` ns each; every output time must be a whole number of steps of dt
    (within round-off), so nothing is silently recorded at another time (e.g. dt > t rounding to 0 steps).
    """
    tab = params.tables
    t_end = float(times[-1])
    if method == "event":
        rate_max = float(max(np.max(tab.rate_plus), np.max(tab.rate_minus)))
        per_walker = rate_max * t_end
        if not per_walker <= MAX_EVENTS_PER_WALKER:
            raise val.LimitError(
                f"max rate x last time = {rate_max:g} x {t_end:g} = {per_walker:.3g} expected tumbles per walker; "
                f"allowed <= {MAX_EVENTS_PER_WALKER:.0e} (float64 event times lose their resolution beyond it)")
        val.require_work(n_walkers * (per_walker + times.size), unit="tumbles and records (all walkers)",
                         ns_per_unit=NS_PER_EVENT,
                         what=f"the event sampler with {n_walkers} walkers at max rate {rate_max:g} to t = {t_end:g}",
                         fix="fewer walkers, a lower rate or a shorter last time")
        return None
    n_per_walker = t_end / dt
    if not n_per_walker <= MAX_EVENTS_PER_WALKER:
        raise val.LimitError(f"last time / dt = {t_end:g} / {dt:g} = {n_per_walker:.3g} steps per walker; "
                             f"allowed <= {MAX_EVENTS_PER_WALKER:.0e}")
    steps = whole_steps(times, dt)
    val.require_work(n_walkers * (steps[-1] + times.size), unit="walker-steps", ns_per_unit=NS_PER_WALKER_STEP,
                     what=f"the fixed-step sampler with {n_walkers} walkers x {steps[-1]:.3g} steps of dt = {dt:g}",
                     fix="fewer walkers, a larger dt or a shorter last time")
    return steps.astype(np.int64)


def _run(params, tau, s, times, seed, method, dt, steps, out) -> None:
    tab = params.tables
    if method == "event":
        _k.advance_event(tau, s, times, tab.x_of_tau, tab.rate_plus, tab.rate_minus,
                         tab.period, tab.length, tab.reflecting, seed, out)
    else:
        p_plus = -np.expm1(-tab.rate_plus * dt)
        p_minus = -np.expm1(-tab.rate_minus * dt)
        _k.advance_fixed(tau, s, steps, float(dt), tab.x_of_tau, p_plus, p_minus,
                         tab.period, tab.length, tab.reflecting, seed, out)


def advance(
    params: TwoStateWalkerParams,
    tau: np.ndarray,
    s: np.ndarray,
    duration: float,
    seed: int,
    method: Literal["event", "fixed"] = "event",
    dt: float | None = None,
) -> np.ndarray:
    """Advance a walker state in the travel-time coordinate in place.

    Parameters
    ----------
    tau : ndarray (float64)
        Travel times [time] (unwrapped in a periodic domain); updated in place.
    s : ndarray (int8)
        Directions +/-1; updated in place.
    duration : float
        Time to advance [time], >= 0.

    Returns
    -------
    ndarray
        Positions [length] after ``duration`` (unwrapped if periodic).
    """
    duration = val.nonnegative(duration, "duration")
    if not (isinstance(tau, np.ndarray) and isinstance(s, np.ndarray) and tau.dtype == np.float64
            and s.dtype == np.int8 and tau.ndim == 1 and tau.shape == s.shape and tau.size >= 1):
        raise ValueError("tau must be a non-empty 1-D float64 array and s an int8 array of the same shape")
    val.real_array(tau, "tau")
    seed = val.seed(seed)
    val.choice(method, "method", METHODS)
    if method == "fixed":
        dt = val.positive(dt, "dt")
    times = np.array([duration])
    steps = _plan(params, tau.size, times, method, dt)
    out = np.empty((1, tau.size))
    _run(params, tau, s, times, seed, method, dt, steps, out)
    return out[0]
