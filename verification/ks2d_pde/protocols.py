"""Method protocols of the 2D minimal Keller-Segel checks, with our implementation as default.

===================  =====================================================  ==================================
protocol             what it is                                             our default
===================  =====================================================  ==================================
``ks2d_pde.solver``  a 2D minimal Keller-Segel solver on a square           ``continuum.ks2d_minimal.run``
===================  =====================================================  ==================================

The particle methods compared with it are the protocols ``ks2d.particles``
(:mod:`verification.radial.protocols`) and ``sipf2d.run`` (:mod:`verification.sipf.protocols`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np

from continuum import ks2d_minimal as K
from continuum.ks2d_minimal import MinimalKS2DParams, MinimalKS2DRecord
from verification.protocols import MethodMismatch, expect_array, expect_attrs, register


class PDESolver(Protocol):
    """``ks2d_pde.solver``: rho_t = div(mu grad rho - chi rho grad c), eps c_t = Lap c - k² c + rho on a square."""

    def __call__(self, params: MinimalKS2DParams, rho0: np.ndarray, times, c0=None, *,
                 dt_max: float = math.inf, blowup_fraction: float = 0.25) -> MinimalKS2DRecord:
        """Solve from ``rho0`` (and ``c0``) and return the fields at ``times``, or up to a blow-up.

        Parameters
        ----------
        params : continuum.ks2d_minimal.MinimalKS2DParams
            The model and grid: ``mu`` [length²/time], ``chi``, ``eps`` [-] (0: parabolic-elliptic),
            ``k`` [1/length], ``L`` (Omega = [-L/2, L/2]², [length]), ``n`` cells per side (cell
            width ``params.h`` = L/n, centres ``params.centres``), ``boundary`` ("neumann" no-flux
            or "periodic"), ``field`` ("box": c on the same square; "free": the free-space
            field ``c = -ln|x|/(2 pi) * rho`` of R², eps = k = 0); ``params.replace(**fields)``.
        rho0 : ndarray, shape (n, n)
            Initial cell averages of rho [mass/length²], >= 0.
        times : sequence of float
            Output times [time], non-decreasing, >= 0.
        c0 : ndarray, shape (n, n), optional
            Initial c at the cell centres (eps > 0 only; default: the elliptic field of rho0).
        dt_max : float
            Largest time step [time] (the order-in-time check fixes the step with it).
        blowup_fraction : float
            Stop and report a blow-up once a block of 2 x 2 cells holds more than this fraction
            of the mass, in (0, 1] (the positivity check runs deeper into the aggregation).

        The configurations the checks ask for (raise ``NotImplementedError`` for one your method
        lacks: the check stops there and reports the message; the smoke test uses the first):
        periodic box field with eps = 0; ``space_order``/``time_order``: also no-flux with
        eps = 0.1 (``time_order``: periodic with eps = 1e-4, dt >= eps); ``positivity_mass``:
        eps = 0 and 0.01, no-flux and periodic, with ``blowup_fraction=0.6``; ``sipf_agreement``:
        periodic box field, eps = 0.05, k = 0.1, ``c0`` zero; ``second_moment_identity``,
        ``critical_mass_dichotomy``, ``merger``, ``particles_agreement``: the free-space field.

        Returns
        -------
        continuum.ks2d_minimal.MinimalKS2DRecord
            ``.times`` (m,) reached, ``.rho`` and ``.c`` (m, n, n) at those times (cell averages
            of rho, cell-centre values of c), ``.mass`` (m,), ``.min_rho``, ``.blew_up`` (bool)
            and ``.blowup_time`` [time] (nan if none), ``.final_time``, ``.final_rho``.
        """


def _smoke_pde(method: Callable) -> None:
    p = MinimalKS2DParams(n=16, L=8.0, boundary="periodic")  # the simplest case: periodic, parabolic-elliptic
    rho0 = K.gaussian_bumps(p, [[0.0, 0.0]], [1.0], [1.0])
    out = expect_attrs("ks2d_pde.solver", method(p, rho0, [0.0, 1e-3]),
                       ("times", "rho", "c", "mass", "min_rho", "blew_up", "blowup_time"))
    expect_array("ks2d_pde.solver", out.times, (2,), "times for 2 output times")
    expect_array("ks2d_pde.solver", out.rho, (2, 16, 16), "rho at 2 output times on a 16 x 16 grid")
    expect_array("ks2d_pde.solver", out.c, (2, 16, 16), "c at 2 output times on a 16 x 16 grid")
    if out.blew_up:
        raise MethodMismatch("ks2d_pde.solver: a mass-1 Gaussian blew up within t = 1e-3")


SOLVER = register("ks2d_pde.solver", PDESolver, K.run, _smoke_pde,
               "MinimalKS2DRecord (.times, .rho, .c, .mass, .min_rho, .blew_up, .blowup_time)")
