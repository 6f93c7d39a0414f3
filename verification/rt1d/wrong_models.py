"""Deliberately wrong models of the rt1d checks: each check must run to its end and fail on them.

The wrong models are small edits of the right ones (a wrong sign, a wrong factor, the seed's
own defect), fed through the checks' method keywords.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from agents.run_tumble import TwoStateWalkerParams, simulate
from agents.run_tumble_mesa import PerAgentRunTumble, Walker
from continuum.fokker_planck import FluxFormFPE
from verification.rt1d.protocols import mesa_twin_run
from verification.testing import WrongModel

event = partial(simulate, method="event")


def altered(**changes):
    """Walkers simulated with some parameters of the model replaced (a wrong model)."""
    def walkers(params, x0, s0, times, seed):
        fields = {"speed": params.speed, "rate_plus": params.rate_plus, "rate_minus": params.rate_minus}
        for name, f in changes.items():
            fields[name] = f(params)
        wrong = TwoStateWalkerParams(fields["speed"], fields["rate_plus"], fields["rate_minus"],
                                     params.length, params.boundary)
        return event(wrong, x0, s0, times, seed)
    return walkers


def scaled(attr: str, factor: float):
    """Replace the profile ``attr`` by ``factor`` times itself."""
    return lambda p: (lambda x: factor * getattr(p, f"{attr}_at")(x))


SWAP_RATES = {"rate_plus": lambda p: p.rate_minus, "rate_minus": lambda p: p.rate_plus}


class StickyWalker(Walker):
    """The [CHEMOTAXIS] §4.3 wall defect: reflected position, direction not reversed."""

    def step(self):
        """Flip with the exact per-step probability, move, reflect the position only."""
        m = self.model
        rate = m.rate_plus(self.x) if self.s > 0 else m.rate_minus(self.x)
        if m.random.random() < -np.expm1(-rate * m.dt):
            self.s = -self.s
        self.x += self.s * m.speed(self.x) * m.dt
        if self.x > m.half_length:
            self.x = 2 * m.half_length - self.x
        elif self.x < -m.half_length:
            self.x = -2 * m.half_length - self.x


class StickyModel(PerAgentRunTumble):
    """Per-agent model whose walkers keep their direction at a wall."""

    walker_class = StickyWalker


def seed_half_fpe(A, B, C, length, boundary, n_cells):
    """The effective FPE with the extra 1/2 stated in [MIPS] §2.2."""
    return FluxFormFPE(lambda x: 0.5 * A(x), B, C, length, boundary, n_cells)


WRONG_MODELS = [
    WrongModel("rt1d.inverse_speed", {"walkers": altered(speed=lambda p: (lambda x: 1.0 / p.speed_at(x)))},
               "speed replaced by 1/v(x)"),
    WrongModel("rt1d.diffusivity", {"walkers": altered(rate_plus=scaled("rate_plus", 2.0),
                                                       rate_minus=scaled("rate_minus", 2.0))},
               "tumble rates doubled (D halves)"),
    WrongModel("rt1d.two_state_transport", {"walkers": altered(**SWAP_RATES)}, "alpha+ and alpha- swapped"),
    WrongModel("rt1d.reflecting_stationary", {"walkers": altered(**SWAP_RATES)}, "alpha+ and alpha- swapped"),
    WrongModel("rt1d.chemotactic_drift", {"walkers": altered(**SWAP_RATES)}, "alpha+ and alpha- swapped"),
    WrongModel("rt1d.master_equation_transient", {"walkers": altered(speed=scaled("speed", 1.2))},
               "speed 20 % too large"),
    WrongModel("rt1d.fpe_limit", {"fpe": seed_half_fpe}, "the extra 1/2 of [MIPS] §2.2 in the FPE"),
    WrongModel("rt1d.mesa_twin", {"twin": partial(mesa_twin_run, model_class=StickyModel)},
               "the seed's wall defect: direction kept at a wall"),
]
