"""Deliberately wrong model of the rtnd check: it must run to its end and fail on it."""

from __future__ import annotations

from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd
from verification.testing import WrongModel


def half_rate_walkers(params, n, times, seed):
    """Walkers tumbling at half the requested rate (D doubles)."""
    return simulate_nd(RunTumbleNDParams(params.dim, params.speed, 0.5 * params.tumble_rate), n, times, seed)


WRONG_MODELS = [WrongModel("rtnd.diffusivity", {"walkers": half_rate_walkers}, "tumble rate halved")]
