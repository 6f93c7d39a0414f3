"""Mesa models of 1D run-and-tumble walkers.

* :class:`RunTumbleModel` -- a Mesa ``Model`` over a structure of arrays; its
  ``step()`` calls the numba kernel, and a ``DataCollector`` records the
  observables (mean, variance, fraction of right-movers). Costs almost nothing
  on top of the kernel.
* :class:`PerAgentRunTumble` -- the obviously-correct twin: one
  ``mesa.Agent`` per walker, each flipping with probability 1 - exp(-alpha dt)
  and running dt with an explicit reflection at the walls. Slow by design.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import mesa
import numpy as np

from agents.run_tumble import METHODS, WHOLE_STEP_RTOL, TwoStateWalkerParams, advance, initial_state
from verification import validation as val
from verification.random_streams import derive_seed

ScalarFn = Callable[[float], float]


class RunTumbleModel(mesa.Model):
    """Array-backed Mesa model of two-state walkers.

    Parameters
    ----------
    params : TwoStateWalkerParams
    n_walkers : int
        >= 1.
    dt : float
        Model time per ``step()`` [time], > 0.
    seed : int
        Seeds the initial state and the kernel streams (step k uses a derived seed).
    method : {"event", "fixed"}
        Kernel; "fixed" uses ``kernel_dt`` sub-steps.
    kernel_dt : float, optional
        Sub-step [time] of the "fixed" kernel, > 0; ``dt`` must be a whole number of sub-steps.
    x0 : (a, b) or None
        Initial positions uniform in (a, b), or on the whole domain.
    """

    def __init__(
        self,
        params: TwoStateWalkerParams,
        n_walkers: int,
        dt: float,
        seed: int = 0,
        method: Literal["event", "fixed"] = "event",
        kernel_dt: float | None = None,
        x0: tuple[float, float] | None = None,
    ) -> None:
        if not isinstance(params, TwoStateWalkerParams):
            raise ValueError(f"params must be a TwoStateWalkerParams, got {type(params).__name__}")
        dt = val.positive(dt, "dt")
        n_walkers = val.integer(n_walkers, "n_walkers", lo=1)
        seed = val.seed(seed)
        val.choice(method, "method", METHODS)
        if method == "fixed":
            kernel_dt = val.positive(kernel_dt, "kernel_dt")
            k = round(dt / kernel_dt)
            if not abs(k * kernel_dt - dt) <= WHOLE_STEP_RTOL * max(dt, kernel_dt):
                raise ValueError(f"dt = {dt:g} must be a whole number of kernel steps kernel_dt = {kernel_dt:g} "
                                 f"(it is {dt / kernel_dt:.6g} of them)")
        super().__init__(seed=seed)
        self.params, self.dt, self.method, self.kernel_dt = params, float(dt), method, kernel_dt
        self._kernel_seed = int(seed)
        x, s = initial_state(params, n_walkers, seed, x0=x0)
        self.x0 = x.copy()
        self.tau = params.tau_of(x)
        self.s = s
        self.x = x
        self.time = 0.0
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "time": lambda m: m.time,
                "mean_x": lambda m: float(np.mean(m.x)),
                "var_x": lambda m: float(np.var(m.x)),
                "plus_fraction": lambda m: float(np.mean(m.s > 0)),
            }
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        """Advance every walker by ``dt`` with the numba kernel, then collect."""
        k = self.steps
        seed = derive_seed(self._kernel_seed, "step", k)
        self.x = advance(self.params, self.tau, self.s, self.dt, seed, self.method, self.kernel_dt)
        self.time += self.dt
        self.datacollector.collect(self)


class Walker(mesa.Agent):
    """One walker: position x [length] and direction s (+1/-1)."""

    def __init__(self, model: PerAgentRunTumble, x: float, s: int) -> None:
        super().__init__(model)
        self.x = x
        self.s = s

    def step(self) -> None:
        """Flip with probability 1 - exp(-alpha_s(x) dt), then run dt (reflect at walls)."""
        m = self.model
        rate = m.rate_plus(self.x) if self.s > 0 else m.rate_minus(self.x)
        if m.random.random() < -math.expm1(-rate * m.dt):
            self.s = -self.s
        self.x += self.s * m.speed(self.x) * m.dt
        half = m.half_length
        if m.reflecting:
            if self.x > half:
                self.x = 2 * half - self.x
                self.s = -self.s
            elif self.x < -half:
                self.x = -2 * half - self.x
                self.s = -self.s
        elif not -half <= self.x < half:
            self.x = (self.x + half) % (2 * half) - half


class PerAgentRunTumble(mesa.Model):
    """One ``mesa.Agent`` per walker (the slow, obviously-correct twin).

    Parameters
    ----------
    speed, rate_plus, rate_minus : callable float -> float
        v(x) [length/time], alpha_+(x), alpha_-(x) [1/time] for one position.
    length : float
        L [length]; the domain is [-L/2, L/2].
    reflecting : bool
        Reflecting walls (else periodic, positions wrapped).
    x0, s0 : sequences
        Initial positions and directions.
    dt : float
        Step [time], > 0.
    seed : int
    """

    walker_class: type[Walker] = Walker

    def __init__(self, speed: ScalarFn, rate_plus: ScalarFn, rate_minus: ScalarFn, length: float,
                 reflecting: bool, x0, s0, dt: float, seed: int = 0) -> None:
        for name, f in (("speed", speed), ("rate_plus", rate_plus), ("rate_minus", rate_minus)):
            if not callable(f):
                raise ValueError(f"{name} must be a callable of one position, got {type(f).__name__}")
        length = val.positive(length, "length")
        val.choice(reflecting, "reflecting", (True, False))
        x0 = val.real_array(x0, "x0", ndim=1, lo=-length / 2, hi=length / 2)
        s0 = val.real_array(s0, "s0", shape=x0.shape)
        if not np.all(np.abs(s0) == 1):
            raise ValueError("s0 must hold only +1 and -1")
        dt = val.positive(dt, "dt")
        seed = val.seed(seed)
        super().__init__(seed=seed)
        self.speed, self.rate_plus, self.rate_minus = speed, rate_plus, rate_minus
        self.half_length, self.reflecting, self.dt = length / 2, reflecting, float(dt)
        for x, s in zip(x0, s0, strict=True):
            self.walker_class(self, float(x), int(s))

    @classmethod
    def from_params(cls, params: TwoStateWalkerParams, x0, s0, dt: float, seed: int = 0) -> PerAgentRunTumble:
        """Build from :class:`TwoStateWalkerParams` (evaluating its callables one point at a time)."""
        def scalar(f):
            return lambda x: float(f(np.float64(x)))

        return cls(scalar(params.speed_at), scalar(params.rate_plus_at), scalar(params.rate_minus_at),
                   params.length, params.boundary == "reflecting", x0, s0, dt, seed)

    def step(self) -> None:
        """Step every agent once."""
        self.agents.do("step")

    def positions(self) -> np.ndarray:
        """Positions of all walkers [length]."""
        return np.array([a.x for a in self.agents])
