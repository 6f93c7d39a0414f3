"""Method protocols of the ants checks ([ANTS] model on a disc), with our implementations as defaults.

===============================  ===============================================  ================================
protocol                         what it is                                       our default
===============================  ===============================================  ================================
``ants.solver``                  a radial disc PDE solver of Eqs. (1)-(2)         ``continuum.disc.DiscSolver``
                                 (factory; ``grid`` and ``run``)
``ants.functional``              the discrete Lyapunov functional W, Eq. (18)     ``continuum.disc.lyapunov_W``
``ants.modal_W``                 W of Eq. (46) from normal-mode amplitudes        ``modal_W`` (derived Q_m)
``ants.identity_coefficients``   the two coefficients of the Eq. (17) identity    ``identity_coefficients``
                                                                                  (derived)
``ants.annealer``                Metropolis annealing of Eq. (46) (Methods)       ``continuum.normal_modes.anneal``
===============================  ===============================================  ================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from continuum.disc import DiscParams, DiscSolver, RadialGrid, lyapunov_W
from continuum.normal_modes import ModalModel, anneal
from verification.ants.cases import PAPER, modal_model, numeric, pars
from verification.protocols import MethodMismatch, expect_array, expect_attrs, expect_finite, register

#: Modes 1..M_HAT of Eq. (46) that the checks hand to ``ants.modal_W`` (the seed's m_hat).
M_HAT = 19


class Solver(Protocol):
    """``ants.solver``: a solver of the radially symmetric Eqs. (1)-(2) on the disc, built from the model."""

    def __call__(self, params: DiscParams, n_cells: int) -> object:
        """Build the solver of rho_t = div(rho grad(D0 rho - chi0 c)), c_t = f0 rho + nu0 lap c - g0 c.

        No-flux (Neumann) boundary at r = l, radial symmetry.

        Parameters
        ----------
        params : continuum.disc.DiscParams
            The model: ``params.chi0``, ``params.D0``, ``params.f0``, ``params.nu0``, ``params.g0``
            (coefficients, > 0) and ``params.radius`` l [length]; ``params.a`` = f0 chi0 / (D0 nu0),
            ``params.replace(**changes)`` a copy with some fields replaced.
        n_cells : int
            Resolution the check asks for (radial cells, >= 8).

        Returns
        -------
        solver
            An object with ``grid``: the finite-volume cells ``continuum.disc.RadialGrid(params.radius,
            n_cells)`` on which the states live (``r`` cell centres [length], shape (n_cells,); ``volumes``
            annulus areas [length²]; ``faces``; ``n``; the checks project on it and evaluate W and the
            semi-discrete right-hand side on it); and ``run(rho0, c0, dt, n_steps, W_every=0) ->
            (rho, c, W)``: advance ``n_steps`` steps of ``dt`` [time] from the cell values ``rho0``, ``c0``
            (shape (n_cells,), >= 0) and return rho and c (shape (n_cells,)) and W (Eq. 18) after every
            ``W_every``-th step (shape (n_steps // W_every,); empty for ``W_every = 0``).
        """


class Functional(Protocol):
    """``ants.functional``: the discrete Lyapunov functional W of Eq. (18)."""

    def __call__(self, params: DiscParams, grid: RadialGrid, rho: np.ndarray, c: np.ndarray) -> float:
        """W of a radial state, in the seed's rescaled units (tau = D0 t, c' = chi0 c / D0).

        Parameters
        ----------
        params : continuum.disc.DiscParams
            The model (``chi0``, ``D0``, ``f0``, ``nu0``, ``g0``, ``radius``, ``a``).
        grid : continuum.disc.RadialGrid
            The cells: ``r`` centres [length], ``volumes`` annulus areas 2 pi r h [length²] (sum pi l²),
            ``faces`` interior face areas over h (n - 1 values), ``h``, ``n``.
        rho, c : ndarray, shape (grid.n,)
            Density and pheromone concentration per cell.

        Returns
        -------
        float
            W [the seed's W units].
        """


class ModalW(Protocol):
    """``ants.modal_W``: W of Eq. (46) from the normal-mode amplitudes of rho and c."""

    def __call__(self, params: DiscParams, c_const: float, E: np.ndarray, G: np.ndarray) -> float:
        """W = pi l² sum_m (1/2) J0(j_1m)² y_m^T Q_m y_m, y_m = (E_0m, (chi0/D0) G_0m), E_00 = rho_c = 1.

        Parameters
        ----------
        params : continuum.disc.DiscParams
            The model (``chi0``, ``D0``, ``f0``, ``nu0``, ``g0``, ``radius``).
        c_const : float
            G_00, the mean of c.
        E, G : ndarray, shape (19,)
            Amplitudes E_0m, G_0m of J0(j_1m r / l) in rho and c for the modes m = 1..19.

        Returns
        -------
        float
            W [the seed's W units].
        """


class IdentityCoefficients(Protocol):
    """``ants.identity_coefficients``: the coefficients of the dissipation identity Eq. (17)."""

    def __call__(self, params: DiscParams) -> tuple[float, float]:
        """(coef_c, coef_rho) with -dW/dtau = coef_c int (c'_tau)² dV + coef_rho int rho |grad (rho - c')|² dV.

        Parameters
        ----------
        params : continuum.disc.DiscParams
            The model (``chi0``, ``D0``, ``f0``, ``nu0``, ``g0``, ``radius``, ``a``).

        Returns
        -------
        tuple of two floats
            ``(coef_c, coef_rho)``.
        """


class Annealer(Protocol):
    """``ants.annealer``: Metropolis minimisation of Eq. (46) along a temperature schedule (Methods)."""

    def __call__(self, model: ModalModel, temperatures: np.ndarray, sweeps_per_T: int, n_samples: int, seed: int,
                 c_const0: float) -> object:
        """Anneal ``n_samples`` independent chains of normal-mode amplitudes.

        Parameters
        ----------
        model : continuum.normal_modes.ModalModel
            Eq. (46): ``q11``, ``q12``, ``q22`` (entries of Q_m, m = 0..m_hat), ``s`` = chi0/D0,
            ``rho_const``, ``radius``, ``m_hat``, ``zeros`` (j_1m), ``weights`` (J0(j_1m)²),
            ``W(c_const, E, G)``, ``basis(r)`` (J0(j_1m r/l), shape (m_hat + 1, len(r))), ``mesh()``
            (the radial mesh of the non-negativity test), ``profiles(c_const, E, G, r)``.
        temperatures : ndarray, shape (n_T,)
            Non-increasing schedule of T >= 0 [W units] (a single T = 0 is allowed).
        sweeps_per_T : int
            MC steps per temperature (one step = m_hat + 1 attempts).
        n_samples : int
            Independent chains.
        seed : int
            Seed in [0, 2**30): the same seed must give the same samples.
        c_const0 : float
            Initial G_00 (mean of c).

        Returns
        -------
        result
            An object with ``E`` and ``G``: final amplitudes, shape (n_samples, m_hat + 1) (column 0:
            E_00 = rho_const and G_00 = c_const), and ``W``: final W per sample, shape (n_samples,).
        """


def modal_W(params: DiscParams, c_const: float, E, G, m_hat: int = M_HAT) -> float:
    """Eq. (46) with the derived coefficients (:func:`verification.ants.cases.modal_model`)."""
    return modal_model(params, m_hat).W(c_const, E, G)


def identity_coefficients(params: DiscParams) -> tuple[float, float]:
    """Derived coefficients of Eq. (17): -dW/dtau = coef_c int c'_tau^2 + coef_rho int rho |grad Z|^2."""
    n = numeric()
    return float(n.coef_c(*pars(params))), float(n.coef_rho(*pars(params)))


# ----------------------------------------------------------------------------- smoke tests
_N = 8


def _three(name: str, value: object, what: str) -> tuple:
    if not (isinstance(value, tuple) and len(value) == 3):
        raise MethodMismatch(f"{name}: {what} should return a tuple (rho, c, W), got {type(value).__name__}"
                             + (f" of length {len(value)}" if isinstance(value, tuple) else ""))
    return value


def _smoke_solver(method: Callable) -> None:
    solver = expect_attrs("ants.solver", method(PAPER, _N), ("grid", "run"))
    grid = expect_attrs("ants.solver", solver.grid, ("r", "volumes", "faces", "n"), "solver.grid")
    expect_array("ants.solver", grid.r, (_N,), f"solver.grid.r for {_N} cells")
    expect_array("ants.solver", grid.volumes, (_N,), f"solver.grid.volumes for {_N} cells")
    rho0, c0 = np.ones(_N), np.full(_N, 4.0)
    rho, c, _ = _three("ants.solver", solver.run(rho0, c0, 1e-3, 2), "run(rho0, c0, dt, n_steps)")
    expect_array("ants.solver", rho, (_N,), f"rho for {_N} cells")
    expect_array("ants.solver", c, (_N,), f"c for {_N} cells")
    _, _, W = _three("ants.solver", solver.run(rho0, c0, 1e-3, 2, W_every=1), "run(..., W_every=1)")
    expect_array("ants.solver", W, (2,), "W after each of 2 steps (W_every=1)")


def _smoke_functional(method: Callable) -> None:
    grid = RadialGrid(1.0, _N)
    expect_finite("ants.functional", method(PAPER, grid, np.ones(_N), np.full(_N, 4.0)), "W")


def _smoke_modal_W(method: Callable) -> None:
    E, G = np.zeros(M_HAT), np.zeros(M_HAT)
    E[0], G[0] = 0.1, 0.05
    expect_finite("ants.modal_W", method(PAPER, 4.0, E, G), "W")


def _smoke_identity(method: Callable) -> None:
    expect_array("ants.identity_coefficients", method(PAPER), (2,), "(coef_c, coef_rho)")


def _smoke_annealer(method: Callable) -> None:
    model = modal_model(PAPER.replace(f0=5.0), m_hat=3)
    res = expect_attrs("ants.annealer", method(model, np.array([1.0, 0.0]), 2, 2, 1, 5.0), ("E", "G", "W"))
    expect_array("ants.annealer", res.E, (2, 4), "E for 2 samples of m_hat = 3 (m = 0..3)")
    expect_array("ants.annealer", res.G, (2, 4), "G for 2 samples of m_hat = 3 (m = 0..3)")
    expect_array("ants.annealer", res.W, (2,), "W for 2 samples")


SOLVER = register("ants.solver", Solver, DiscSolver, _smoke_solver, "solver (grid, run -> (rho, c, W))")
FUNCTIONAL = register("ants.functional", Functional, lyapunov_W, _smoke_functional, "float W")
MODAL_W = register("ants.modal_W", ModalW, modal_W, _smoke_modal_W, "float W")
IDENTITY = register("ants.identity_coefficients", IdentityCoefficients, identity_coefficients, _smoke_identity,
                    "(coef_c, coef_rho)")
ANNEALER = register("ants.annealer", Annealer, anneal, _smoke_annealer,
                    "result (E, G: (n_samples, m_hat + 1); W: (n_samples,))")
