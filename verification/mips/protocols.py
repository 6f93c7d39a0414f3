"""Method protocols of the mips checks, with our implementations as defaults.

============================  ==============================================  ==========================================
protocol                      what it is                                      our default (``continuum`` unless named)
============================  ==============================================  ==========================================
``mips.f_prime``              the CH bulk chemical potential f'(g)            ``cahn_hilliard.f_prime``
``mips.gradient_flow``        1D gradient flow of F_eff + kappa/2 g_x²        ``gradient_flow.GradientFlow1D``
``mips.explicit_step``        n forward-Euler steps of 2D Cahn-Hilliard       ``cahn_hilliard.advance_explicit``
``mips.semi_implicit_step``   n semi-implicit steps of 2D Cahn-Hilliard       ``cahn_hilliard.advance_semi_implicit``
``mips.coarsening_stepper``   n large steps of 2D CH (coarsening runs)        ``advance_semi_implicit`` with order=2
``mips.walkers``              advance density-dependent walkers n steps       ``agents.mips.advance``
============================  ==============================================  ==========================================

``mips.semi_implicit_step`` and ``mips.coarsening_stepper`` share a signature but not a meaning:
the first must keep the discrete energy non-increasing above the explicit limit (the seed grid at
dt = 0.01) and relax flat interfaces, the second must follow the conserved coarsening dynamics
over long runs at steps up to dt = 50 in units where kappa = 1 and dx = 1 (its default is second
order in time).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

import numpy as np

from agents.mips import MipsState, MipsWalkerParams, advance, initial_state, linear_speed
from continuum import cahn_hilliard as ch
from continuum.gradient_flow import GradientFlow1D
from verification.protocols import expect_array, expect_attrs, register


class FPrime(Protocol):
    """``mips.f_prime``: the bulk chemical potential f'(g) of the Cahn-Hilliard free energy ([MIPS] §5.1)."""

    def __call__(self, g: np.ndarray, params: ch.CahnHilliardParams) -> np.ndarray:
        """f'(g), elementwise.

        Parameters
        ----------
        g : ndarray, any shape
            Densities [1/length^d] (the checks pass 1D arrays, from about 0.01 to 2.6).
        params : continuum.cahn_hilliard.CahnHilliardParams
            The model: ``params.v0`` v0 [length/time], ``params.g_star`` g* (where v = v0 (1 - g/g*)
            vanishes); ``params.coefficients`` (a, b, c) of our f'(g) = g (a + g (b + c g)).

        Returns
        -------
        ndarray, shape of ``g``
            f'(g) [energy per density]; the checks compare f'' with D_eff = v d(g v)/dg (alpha = 1).
        """


class GradientFlow(Protocol):
    """``mips.gradient_flow``: a periodic 1D gradient flow of F_eff + kappa/2 (d_x g)², built from v(g)."""

    def __call__(self, speed: Callable, log_speed_integral: Callable, length: float, n: int, kappa: float,
                 alpha: float) -> object:
        """Build the flow d_t g = d_x [M(g) d_x mu], M = g v²/alpha, mu = log g + log v(g) - kappa d_xx g.

        The checks pass every argument by keyword.

        Parameters
        ----------
        speed : callable
            v(g) [length/time], vectorized, > 0 on the densities visited.
        log_speed_integral : callable
            int_0^g log v(s) ds, vectorized (the bulk part of F_eff beyond g log g - g).
        length : float
            Domain length L [length].
        n : int
            Number of cells (the checks use 16 and 200).
        kappa : float
            Interfacial coefficient [length² per density], > 0.
        alpha : float
            Tumble rate [1/time] (1D, reversal probability 1/2).

        Returns
        -------
        flow
            An object with ``mobility(g) -> ndarray`` (M(g) elementwise, any shape of ``g``),
            ``mu(g) -> ndarray (n,)`` and ``rhs(g) -> ndarray (n,)`` (the discrete chemical potential
            and d_t g for a field ``g`` of shape (n,)), and ``solve(g0, times, rtol=..., atol=...) ->
            ndarray (len(times), n)`` (the field at each of ``times`` [time], the first may be 0).
        """


class ExplicitStep(Protocol):
    """``mips.explicit_step``: forward Euler + five-point Laplacian for the 2D Cahn-Hilliard equation ([MIPS] §5.2)."""

    def __call__(self, g: np.ndarray, params: ch.CahnHilliardParams, dt: float, n_steps: int,
                 stability: str = "raise") -> np.ndarray:
        """Advance d_t g = M lap(f'(g) - kappa lap g) by ``n_steps`` steps of ``dt`` (periodic square).

        Parameters
        ----------
        g : ndarray, shape (N, N)
            The field [1/length²] on the N x N grid of spacing ``params.dx``.
        params : continuum.cahn_hilliard.CahnHilliardParams
            ``length`` L, ``n`` N, ``dx`` = L/N [length], ``v0``, ``g_star`` (f'(g) as in ``mips.f_prime``),
            ``mobility`` M, ``kappa``; ``coefficients`` (a, b, c) of f'(g) = g (a + g (b + c g)).
        dt : float
            Time step [time].
        n_steps : int
        stability : {"raise", "warn", "ignore"}
            What to do when ``dt`` is above the linear stability limit: the checks pass ``"ignore"``
            to run past it (and expect the energy to rise or the field to blow up).

        Returns
        -------
        ndarray, shape (N, N)
            The advanced field (a new array; non-finite entries are allowed only past the limit).
        """


class SemiImplicitStep(Protocol):
    """``mips.semi_implicit_step``: an energy-stable semi-implicit scheme for the 2D Cahn-Hilliard equation."""

    def __call__(self, g: np.ndarray, params: ch.CahnHilliardParams, dt: float, n_steps: int) -> np.ndarray:
        """Advance d_t g = M lap(f'(g) - kappa lap g) by ``n_steps`` steps of ``dt`` (periodic square).

        The checks run it at dt = 0.01 on the seed grid (4 x the explicit step, above the explicit
        limit) and at dt = 1e-3 on a resolved grid (dx = 0.01), and expect the discrete energy to be
        non-increasing and flat interfaces to relax to the tanh profile.

        Parameters
        ----------
        g : ndarray, shape (N, N)
            The field [1/length²].
        params : continuum.cahn_hilliard.CahnHilliardParams
            As in ``mips.explicit_step``.
        dt : float
            Time step [time].
        n_steps : int

        Returns
        -------
        ndarray, shape (N, N)
            The advanced field (a new array).
        """


class CoarseningStepper(Protocol):
    """``mips.coarsening_stepper``: a Cahn-Hilliard stepper for long coarsening runs at large steps."""

    def __call__(self, g: np.ndarray, params: ch.CahnHilliardParams, dt: float, n_steps: int) -> np.ndarray:
        """Advance d_t g = M lap(f'(g) - kappa lap g) by ``n_steps`` steps of ``dt`` (periodic square).

        The check runs it in rescaled units (kappa = 1, dx = 1, N = 256 or 512) with dt growing to 50
        and measures the domain-growth exponent: the dynamics must conserve mass.

        Parameters
        ----------
        g : ndarray, shape (N, N)
            The field [1/length²].
        params : continuum.cahn_hilliard.CahnHilliardParams
            As in ``mips.explicit_step``.
        dt : float
            Time step [time].
        n_steps : int

        Returns
        -------
        ndarray, shape (N, N)
            The advanced field (a new array).
        """


class Walkers(Protocol):
    """``mips.walkers``: advance run-and-tumble walkers whose speed depends on the smoothed density."""

    def __call__(self, params: MipsWalkerParams, state: MipsState, dt: float, n_steps: int) -> MipsState:
        """Advance the walkers by ``n_steps`` fixed steps of ``dt``.

        Parameters
        ----------
        params : agents.mips.MipsWalkerParams
            ``dim`` (the checks use 1), ``length`` L [length] (periodic), ``n_cells`` and
            ``smoothing_cells`` (the density rho~ on a grid of ``cell`` = L/n_cells, top-hat of side
            ``kernel_width``), ``speed(g)`` v(rho~) [length/time] (vectorized, >= 0; the checks use
            v0 max(0, 1 - g/g*) with v0 = 1), ``tumble_rate`` alpha [1/time], ``rho_max`` (end of the
            tabulated ``speed_table``).
        state : agents.mips.MipsState
            ``x`` (N, dim) positions in [0, L) [length], ``e`` (N, dim) unit directions, ``rng`` (N,)
            per-walker stream states, ``time``.
        dt : float
            Time step [time].
        n_steps : int

        Returns
        -------
        agents.mips.MipsState
            The advanced state (may be ``state`` itself, advanced in place); the checks read ``x``,
            shape (N, dim).
        """


default_coarsening_stepper = partial(ch.advance_semi_implicit, order=2)


# ----------------------------------------------------------------------------- smoke tests
_N = 8  # grid cells per side of the smoke inputs
_SMALL = ch.CahnHilliardParams(length=1.0, n=_N)


def _smoke_f_prime(method: Callable) -> None:
    g = np.linspace(0.1, 2.5, 7)
    expect_array("mips.f_prime", method(g, ch.CahnHilliardParams()), (7,), "f'(g) for 7 densities")


def _smoke_gradient_flow(method: Callable) -> None:
    flow = expect_attrs("mips.gradient_flow",
                        method(linear_speed(1.0, 2.0), lambda q: 0.0 * q, length=1.0, n=_N, kappa=0.05, alpha=1.0),
                        ("mobility", "mu", "rhs", "solve"))
    x = (np.arange(_N) + 0.5) / _N
    g0 = 0.5 + 0.05 * np.cos(2 * np.pi * x)
    expect_array("mips.gradient_flow", flow.mobility(np.array([0.5])), (1,), "mobility(g) for one density")
    expect_array("mips.gradient_flow", flow.mu(g0), (_N,), f"mu(g) for a field of {_N} cells")
    expect_array("mips.gradient_flow", flow.rhs(g0), (_N,), f"rhs(g) for a field of {_N} cells")
    expect_array("mips.gradient_flow", flow.solve(g0, np.array([0.0, 1e-3]), rtol=1e-6, atol=1e-8), (2, _N),
                 f"solve(g0, times) for 2 times and {_N} cells")


def _field() -> np.ndarray:
    return ch.initial_field(_SMALL, 1.2, 0.025, 1)


def _smoke_explicit(method: Callable) -> None:
    expect_array("mips.explicit_step", method(_field(), _SMALL, 1e-4, 2, stability="ignore"), (_N, _N),
                 f"the field on the {_N} x {_N} grid")


def _smoke_semi_implicit(method: Callable) -> None:
    expect_array("mips.semi_implicit_step", method(_field(), _SMALL, 1e-3, 2), (_N, _N),
                 f"the field on the {_N} x {_N} grid")


def _smoke_coarsening(method: Callable) -> None:
    expect_array("mips.coarsening_stepper", method(_field(), _SMALL, 1e-3, 2), (_N, _N),
                 f"the field on the {_N} x {_N} grid")


def _smoke_walkers(method: Callable) -> None:
    params = MipsWalkerParams(dim=1, length=10.0, n_cells=20, speed=linear_speed(1.0, 4.0))
    state = expect_attrs("mips.walkers", method(params, initial_state(params, 16, 1), 0.05, 3), ("x",),
                         "the returned state")
    expect_array("mips.walkers", state.x, (16, 1), "the state's positions x of 16 walkers in 1D")


F_PRIME = register("mips.f_prime", FPrime, ch.f_prime, _smoke_f_prime, "ndarray, shape of g")
GRADIENT_FLOW = register("mips.gradient_flow", GradientFlow, GradientFlow1D, _smoke_gradient_flow,
                         "flow (mobility, mu, rhs, solve)")
EXPLICIT_STEP = register("mips.explicit_step", ExplicitStep, ch.advance_explicit, _smoke_explicit, "ndarray (N, N)")
SEMI_IMPLICIT_STEP = register("mips.semi_implicit_step", SemiImplicitStep, ch.advance_semi_implicit,
                              _smoke_semi_implicit, "ndarray (N, N)")
COARSENING_STEPPER = register("mips.coarsening_stepper", CoarseningStepper, default_coarsening_stepper,
                              _smoke_coarsening, "ndarray (N, N)")
WALKERS = register("mips.walkers", Walkers, advance, _smoke_walkers, "MipsState (x: ndarray (N, dim))")
