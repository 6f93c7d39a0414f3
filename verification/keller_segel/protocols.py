"""Method protocols of the Keller-Segel checks, with our implementations as defaults.

=================  ===============================================  ======================================
protocol           what it is                                       our default
=================  ===============================================  ======================================
``ks1d.solver``    a 1D Keller-Segel solver on a periodic interval  ``continuum.keller_segel.fv_solver``
``ks2d.solver``    the 2D VisualPDE preset on a periodic square     ``continuum.keller_segel.ks2d_solver``
=================  ===============================================  ======================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from continuum.keller_segel import KellerSegel1DParams, KellerSegel2DParams, fv_solver, ks2d_solver
from verification.protocols import MethodMismatch, expect_array, register


class Solver1D(Protocol):
    """``ks1d.solver``: the 1D Keller-Segel model of [CHEMOTAXIS] §6.4 on a periodic interval."""

    def __call__(self, params: KellerSegel1DParams, u0: np.ndarray, v0: np.ndarray,
                 times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cell density u and chemoattractant v of u_t = D_u u_xx - chi0 (u v_x)_x, v_t = D_v v_xx + u - a v.

        Parameters
        ----------
        params : continuum.keller_segel.KellerSegel1DParams
            The model and grid: ``params.length`` L [length], ``params.n_cells`` (grid points
            ``params.x()`` = i dx, i = 0..n_cells-1, ``params.dx`` = L / n_cells [length]),
            ``params.d_u`` D_u and ``params.d_v`` D_v [length²/time], ``params.chi0`` chi0
            [length²/(time · units of v)], ``params.decay`` a [1/time] (production rate 1).
        u0, v0 : ndarray, shape (n_cells,)
            Initial fields at the grid points, >= 0.
        times : ndarray, shape (m,)
            Non-decreasing output times [time], >= 0 (the checks put t = 0 first).

        Returns
        -------
        (u, v) : tuple of ndarray, each of shape (m, n_cells)
            The fields at ``times`` (a solver that breaks down may return non-finite values;
            the checks then fail).
        """


class Solver2D(Protocol):
    """``ks2d.solver``: the VisualPDE "KellerSegel" preset of [CHEMOTAXIS] §6.2 on a periodic square."""

    def __call__(self, params: KellerSegel2DParams, u0: np.ndarray, v0: np.ndarray,
                 times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """u, v of u_t = lap u - div(chi(u) grad v) + u (1 - u), v_t = D lap v + u - a v, chi(u) = c u / (1 + u²).

        Parameters
        ----------
        params : continuum.keller_segel.KellerSegel2DParams
            The model and grid: ``params.length`` side L [length], ``params.n`` cells per side
            (cell (i, j) at (i dx, j dx), ``params.dx`` = L / n [length]), ``params.diffusivity``
            D [length²/time] (u diffuses with 1), ``params.decay`` a [1/time],
            ``params.sensitivity`` c.
        u0, v0 : ndarray, shape (n, n)
            Initial fields, >= 0.
        times : ndarray, shape (m,)
            Non-decreasing output times [time], >= 0 (the checks put t = 0 first).

        Returns
        -------
        (u, v) : tuple of ndarray, each of shape (m, n, n)
            The fields at ``times``.
        """


# ----------------------------------------------------------------------------- smoke tests
_TIMES = np.array([0.0, 0.05, 0.1])


def _pair(name: str, out: object) -> tuple:
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise MethodMismatch(f"{name}: the method should return a pair (u, v), got {type(out).__name__}"
                             + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    return tuple(out)


def _smoke_solver_1d(method: Callable) -> None:
    params = KellerSegel1DParams(length=16.0, n_cells=16, chi0=2.0)
    u0 = 1.0 + 0.1 * np.cos(2 * np.pi * params.x() / params.length)
    u, v = _pair("ks1d.solver", method(params, u0, u0 / params.decay, _TIMES))
    for name, f in (("u", u), ("v", v)):
        expect_array("ks1d.solver", f, (_TIMES.size, params.n_cells),
                     f"{name} at {_TIMES.size} times on {params.n_cells} cells")


def _smoke_solver_2d(method: Callable) -> None:
    params = KellerSegel2DParams(length=16.0, n=8)
    xs = np.arange(params.n) * params.dx
    u0 = 1.0 + 0.1 * (np.cos(2 * np.pi * xs / params.length)[:, None] + np.cos(2 * np.pi * xs / params.length))
    u, v = _pair("ks2d.solver", method(params, u0, u0 / params.decay, _TIMES))
    for name, f in (("u", u), ("v", v)):
        expect_array("ks2d.solver", f, (_TIMES.size, params.n, params.n),
                     f"{name} at {_TIMES.size} times on {params.n}x{params.n} cells")


SOLVER_1D = register("ks1d.solver", Solver1D, fv_solver, _smoke_solver_1d,
                     "(u, v), ndarrays (len(times), n_cells)")
SOLVER_2D = register("ks2d.solver", Solver2D, ks2d_solver, _smoke_solver_2d, "(u, v), ndarrays (len(times), n, n)")
