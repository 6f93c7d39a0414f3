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

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from agents import run_tumble_kernels as _k

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


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


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
        _require(
            isinstance(self.length, (int, float)) and math.isfinite(self.length) and self.length > 0,
            f"length must be a finite number > 0, got {self.length!r}",
        )
        _require(
            self.boundary in BOUNDARIES,
            f"boundary must be one of {BOUNDARIES}, got {self.boundary!r}",
        )
        _require(
            isinstance(self.n_table, int) and self.n_table >= 16,
            f"n_table must be an int >= 16, got {self.n_table!r}",
        )
        x = self.grid(4 * self.n_table + 1)
        v = self.speed_at(x)
        _require(
            bool(np.all(np.isfinite(v)) and np.all(v > 0)),
            f"speed must be finite and > 0 on [-L/2, L/2]; found {_range_text(v)}",
        )
        for name in ("rate_plus", "rate_minus"):
            a = _as_function(getattr(self, name))(x)
            _require(
                bool(np.all(np.isfinite(a)) and np.all(a >= 0)),
                f"{name} must be finite and >= 0 on [-L/2, L/2]; found {_range_text(a)}",
            )
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
        _require(
            isinstance(tumble_rate, (int, float)) and math.isfinite(tumble_rate) and tumble_rate >= 0,
            f"tumble_rate must be finite and >= 0, got {tumble_rate!r}",
        )
        half = 0.5 * float(tumble_rate)
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
    _require(math.isfinite(alpha0) and alpha0 > 0, f"alpha0 must be finite and > 0, got {alpha0!r}")
    _require(math.isfinite(chi), f"chi must be finite, got {chi!r}")
    _require(
        isinstance(speed, (int, float)) and math.isfinite(speed) and speed > 0,
        f"speed must be a finite number > 0, got {speed!r}",
    )
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


def _validate_run(n_walkers: int, times: np.ndarray) -> np.ndarray:
    _require(
        isinstance(n_walkers, (int, np.integer)) and n_walkers >= 1,
        f"n_walkers must be an int >= 1, got {n_walkers!r}",
    )
    times = np.atleast_1d(np.asarray(times, dtype=float))
    _require(
        times.ndim == 1 and times.size >= 1 and bool(np.all(np.isfinite(times))) and bool(np.all(times >= 0)),
        "times must be a non-empty 1D array of finite values >= 0",
    )
    _require(bool(np.all(np.diff(times) >= 0)), "times must be non-decreasing")
    return times


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
    _require(n_walkers >= 1, f"n_walkers must be >= 1, got {n_walkers!r}")
    _require(0.0 <= plus_fraction <= 1.0, f"plus_fraction must be in [0, 1], got {plus_fraction!r}")
    rng = np.random.default_rng(seed)
    half = params.length / 2
    if x0 is None:
        x = rng.uniform(-half, half, n_walkers)
    elif isinstance(x0, tuple):
        a, b = x0
        _require(-half <= a <= b <= half, f"x0 interval must lie in [-L/2, L/2] = [{-half}, {half}], got {x0}")
        x = rng.uniform(a, b, n_walkers)
    else:
        x = np.asarray(x0, dtype=float).copy()
        _require(x.shape == (n_walkers,), f"x0 must have shape ({n_walkers},), got {x.shape}")
        _require(bool(np.all(np.abs(x) <= half)), f"x0 must lie in [-L/2, L/2] = [{-half}, {half}]")
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
        with flip probability 1 - exp(-alpha dt) per step (first order in dt);
        record times are rounded to whole steps.
    dt : float, optional
        Step [time] for ``method="fixed"``, > 0.

    Returns
    -------
    ndarray, shape (len(times), n_walkers)
        Positions [length]. In a periodic domain positions are unwrapped
        (continuous across the period), so displacements are meaningful.
    """
    x0 = np.asarray(x0, dtype=float)
    times = _validate_run(x0.size, times)
    s0 = np.asarray(s0)
    _require(s0.shape == x0.shape, "s0 must have the shape of x0")
    _require(bool(np.all(np.abs(s0) == 1)), "s0 must hold only +1 and -1")
    half = params.length / 2
    _require(bool(np.all(np.abs(x0) <= half)), f"x0 must lie in [-L/2, L/2] = [{-half}, {half}]")
    _require(isinstance(seed, (int, np.integer)) and seed >= 0, f"seed must be an int >= 0, got {seed!r}")
    tau = params.tau_of(x0)
    s = s0.astype(np.int8).copy()
    out = np.empty((times.size, x0.size))
    _run(params, tau, s, times, int(seed), method, dt, out)
    return out


#: Work cap per walker (tumbles or fixed steps) beyond which a run is refused as a usage error.
MAX_EVENTS_PER_WALKER = 1e10


def _run(params, tau, s, times, seed, method, dt, out) -> None:
    tab = params.tables
    t_end = float(times[-1]) if times.size else 0.0
    if method == "event":
        rate_max = float(max(np.max(tab.rate_plus), np.max(tab.rate_minus)))
        _require(rate_max * t_end <= MAX_EVENTS_PER_WALKER,
                 f"max rate x last time = {rate_max * t_end:.3g} expected tumbles per walker; "
                 f"allowed <= {MAX_EVENTS_PER_WALKER:.0e}")
        _k.advance_event(tau, s, times, tab.x_of_tau, tab.rate_plus, tab.rate_minus,
                         tab.period, tab.length, tab.reflecting, seed, out)
    elif method == "fixed":
        _require(dt is not None and math.isfinite(dt) and dt > 0, f"dt must be finite and > 0, got {dt!r}")
        _require(t_end / dt <= MAX_EVENTS_PER_WALKER,
                 f"last time / dt = {t_end / dt:.3g} steps; allowed <= {MAX_EVENTS_PER_WALKER:.0e}")
        steps = np.rint(times / dt).astype(np.int64)
        p_plus = -np.expm1(-tab.rate_plus * dt)
        p_minus = -np.expm1(-tab.rate_minus * dt)
        _k.advance_fixed(tau, s, steps, float(dt), tab.x_of_tau, p_plus, p_minus,
                         tab.period, tab.length, tab.reflecting, seed, out)
    else:
        raise ValueError(f"method must be 'event' or 'fixed', got {method!r}")


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
    _require(math.isfinite(duration) and duration >= 0, f"duration must be finite and >= 0, got {duration!r}")
    _require(tau.dtype == np.float64 and s.dtype == np.int8 and tau.shape == s.shape,
             "tau must be float64 and s int8 of the same shape")
    out = np.empty((1, tau.size))
    _run(params, tau, s, np.array([float(duration)]), int(seed), method, dt, out)
    return out[0]
