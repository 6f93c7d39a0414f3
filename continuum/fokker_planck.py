"""One-dimensional Fokker-Planck equation in the flux form of adiabatic elimination.

Solves

    d_t g = -d_x J,    J = -A(x) d_x[B(x) g] + C(x) g,

on [-L/2, L/2] (periodic or zero flux). With A = v/alpha, B = v, C = 0 this is
the Schnitzer effective equation ([MIPS] §2.2); the coefficients for the
two-state walker come from ``verification.derivations``.

Scheme (exponential fitting, Scharfetter-Gummel type): with w = B g and
U = C / (A B), J = -A (d_x w - U w) and the face flux is

    F_{i+1/2} = -(A_f / dx) (exp(-delta/2) w_{i+1} - exp(+delta/2) w_i),  delta = U_f dx.

The semi-discrete system dg/dt = G g has G with non-negative off-diagonals and
zero column sums (the generator of a Markov jump process), so the exact time
propagator exp(t G) (``scipy.linalg.expm``, or ``expm_multiply`` on large grids),
conserves mass and keeps g >= 0. Zero-flux stationary states are exact on the
grid: w_{i+1} / w_i = exp(delta).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply

from verification import validation as val

#: Lower estimates of the cost on one core, for the work cap (measured on the shared 2-core machine): ``expm`` of
#: an n x n generator took 0.33-0.63 ns per n^3 per (log2(t ||G||_1) + 6) (its squarings), a bare matrix product
#: 0.11-0.19 ns per n^3 (n = 400-1500); ``expm_multiply`` took 400-510 ns per cell per t ||G||_1 / 10 (n = 20000;
#: it needs at least that many matrix-vector products: Taylor degree <= 55 per scaling step, theta_55 ~ 10).
NS_PER_DENSE_FLOP = 0.1
NS_PER_SPARSE_CELL = 100.0

Coefficient = Callable[[np.ndarray], np.ndarray]


class FluxFormFPE:
    """Finite-volume solver of d_t g = d_x[A d_x(B g) - C g].

    Parameters
    ----------
    A : callable
        A(x) [length^2/time / (units of B)], > 0.
    B : callable
        B(x), > 0.
    C : callable
        C(x) [length/time], drift coefficient.
    length : float
        L [length], > 0.
    boundary : {"periodic", "reflecting"}
        "reflecting" means zero flux at both walls.
    n_cells : int
        Number of cells, >= 8.
    """

    def __init__(
        self,
        A: Coefficient,
        B: Coefficient,
        C: Coefficient,
        length: float,
        boundary: Literal["periodic", "reflecting"] = "periodic",
        n_cells: int = 400,
    ) -> None:
        length = val.positive(length, "length")
        val.choice(boundary, "boundary", ("periodic", "reflecting"))
        n_cells = val.integer(n_cells, "n_cells", lo=8)
        for name, fn in (("A", A), ("B", B), ("C", C)):
            if not callable(fn):
                raise ValueError(f"{name} must be a callable of x (vectorized), got {type(fn).__name__}")
        # coefficient and grid arrays (about 20 of n_cells), plus the dense generator that evolve() builds
        # with expm's work matrices (about 8 of n_cells^2) up to DENSE_MAX cells
        dense = 8.0 * float(n_cells) ** 2 if n_cells <= self.DENSE_MAX else 0.0
        val.require_memory(8.0 * (20.0 * n_cells + dense), f"FluxFormFPE with n_cells = {n_cells}", "fewer cells")
        self.length, self.boundary, self.n_cells = length, boundary, n_cells
        self.dx = length / n_cells
        self.x_edges = np.linspace(-length / 2, length / 2, n_cells + 1)
        self.x = 0.5 * (self.x_edges[1:] + self.x_edges[:-1])
        faces = self.x_edges[1:] if boundary == "periodic" else self.x_edges[1:-1]
        a_f = np.asarray(A(faces), dtype=float) * np.ones_like(faces)
        b_c = np.asarray(B(self.x), dtype=float) * np.ones_like(self.x)
        b_f = np.asarray(B(faces), dtype=float) * np.ones_like(faces)
        c_f = np.asarray(C(faces), dtype=float) * np.ones_like(faces)
        if not (np.all(np.isfinite(a_f)) and np.all(a_f > 0)):
            raise ValueError("A must be finite and > 0 on the domain")
        if not (np.all(np.isfinite(b_c)) and np.all(b_c > 0)):
            raise ValueError("B must be finite and > 0 on the domain")
        if not np.all(np.isfinite(c_f)):
            raise ValueError("C must be finite on the domain")
        delta = c_f / (a_f * b_f) * self.dx
        i = np.arange(faces.size)
        j = (i + 1) % n_cells
        k = a_f / self.dx**2
        to_left = k * np.exp(-delta / 2) * b_c[j]  # rate cell j -> cell i
        to_right = k * np.exp(delta / 2) * b_c[i]  # rate cell i -> cell j
        rows = np.concatenate([i, j, i, j])
        cols = np.concatenate([j, i, i, j])
        vals = np.concatenate([to_left, to_right, -to_right, -to_left])
        self.generator = sp.csr_matrix((vals, (rows, cols)), shape=(n_cells, n_cells))
        self._delta, self._b = delta, b_c

    #: Up to this many cells the propagator is a dense ``scipy.linalg.expm`` (scaling and squaring,
    #: cost independent of t); above it ``expm_multiply`` (cost grows with t ||G||).
    DENSE_MAX = 1500

    def initial_from_cdf(self, cdf: Callable) -> np.ndarray:
        """Cell-average density g [1/length] from a cumulative distribution on x."""
        return np.diff(np.asarray(cdf(self.x_edges), dtype=float)) / self.dx

    def evolve(self, g0: np.ndarray, times: np.ndarray) -> list[np.ndarray]:
        """Exact-in-time solutions at ``times`` [time].

        Parameters
        ----------
        g0 : np.ndarray
            Cell densities at t = 0, shape (n_cells,), finite.
        times : array_like
            Output times [time], finite, >= 0, non-decreasing, at least one. Refused up front if the
            propagator's work (dense: matrix squarings, about log2(t ||G||) + 6 per output; sparse:
            about t ||G|| / 10 matrix-vector products) exceeds the work cap.

        Returns
        -------
        list of np.ndarray
            g at each time (negative round-off clipped to 0).
        """
        times = val.times_array(times, "times")
        g = val.real_array(g0, "g0", shape=(self.n_cells,))
        out, t_prev = [], 0.0
        self._require_evolve_work(times)
        dense = self.generator.toarray() if self.n_cells <= self.DENSE_MAX else None
        for t in times:
            if t > t_prev and dense is not None:
                g = scipy.linalg.expm(dense * (t - t_prev)) @ g
            elif t > t_prev:
                g = expm_multiply(self.generator * (t - t_prev), g)
            out.append(np.maximum(g, 0.0))
            t_prev = t
        return out

    def _require_evolve_work(self, times: np.ndarray) -> None:
        """Work cap of :meth:`evolve`, from the output times and the generator's 1-norm."""
        n = float(self.n_cells)
        norm = float(abs(self.generator).sum(axis=0).max())  # ||G||_1
        steps = np.diff(np.concatenate(([0.0], times)))
        steps = steps[steps > 0]
        if self.n_cells <= self.DENSE_MAX:
            squarings = float(np.sum(np.log2(np.maximum(steps * norm, 1.0)) + 6.0))
            val.require_work(squarings * n**3, unit="flop-pairs", ns_per_unit=NS_PER_DENSE_FLOP,
                             what=f"FluxFormFPE.evolve to t = {float(times[-1]):g} on {self.n_cells} cells "
                                  "(dense expm)",
                             fix="fewer output times or fewer cells")
        else:
            matvecs = float(np.sum(steps)) * norm / 10.0
            val.require_work(matvecs * n, unit="cell-matvecs", ns_per_unit=NS_PER_SPARSE_CELL,
                             what=f"FluxFormFPE.evolve to t = {float(times[-1]):g} on {self.n_cells} cells "
                                  "(expm_multiply)", fix="a shorter time span or fewer cells")

    def stationary(self) -> np.ndarray:
        """Normalized stationary density [1/length] (exact zero-flux state for walls)."""
        if self.boundary == "reflecting":
            logw = np.concatenate(([0.0], np.cumsum(self._delta)))
            g = np.exp(logw - logw.max()) / self._b
        else:
            m = self.generator.tolil()
            m[0, :] = 1.0
            rhs = np.zeros(self.n_cells)
            rhs[0] = 1.0
            g = sp.linalg.spsolve(m.tocsr(), rhs)
        return g / (g.sum() * self.dx)

    def cdf(self, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Cumulative probability at ``x`` (piecewise linear between cell edges)."""
        cum = np.concatenate(([0.0], np.cumsum(g) * self.dx))
        return np.interp(x, self.x_edges, cum)
