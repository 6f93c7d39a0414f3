"""Method protocol of the rtnd check, with our implementation as default.

==================  ===========================================  ==========================================
protocol            what it is                                   our default
==================  ===========================================  ==========================================
``rtnd.walkers``    sample isotropic 2D/3D walkers from origin   ``agents.run_tumble_nd.simulate_nd``
==================  ===========================================  ==========================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd
from verification.protocols import expect_array, register


class WalkersND(Protocol):
    """``rtnd.walkers``: sample isotropic run-and-tumble walkers in 2 or 3 dimensions."""

    def __call__(self, params: RunTumbleNDParams, n: int, times: np.ndarray, seed: int) -> np.ndarray:
        """Positions of ``n`` independent walkers started at the origin, at each of ``times``.

        Parameters
        ----------
        params : agents.run_tumble_nd.RunTumbleNDParams
            ``params.dim`` d (2 or 3), ``params.speed`` v0 [length/time], ``params.tumble_rate``
            alpha [1/time]; after a tumble the new direction is uniform on the unit sphere, and the
            initial directions are isotropic.
        n : int
            Number of walkers.
        times : array_like, shape (m,)
            Increasing output times [time], > 0.
        seed : int
            Seed in [0, 2**63): the same seed must give the same positions.

        Returns
        -------
        ndarray, shape (m, n, d)
            Positions [length] at ``times``.
        """


def _smoke_walkers(method: Callable) -> None:
    for dim in (2, 3):
        expect_array("rtnd.walkers", method(RunTumbleNDParams(dim, 1.0, 1.0), 8, np.array([0.5, 1.0]), 1),
                     (2, 8, dim), f"the positions of 8 walkers at 2 times in d = {dim}")


WALKERS = register("rtnd.walkers", WalkersND, simulate_nd, _smoke_walkers, "ndarray (len(times), n, d)")
