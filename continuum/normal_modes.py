"""Radial normal-mode Lyapunov functional ([ANTS] Eq. 46) and its Metropolis annealing (Methods).

State: G_00 = c_const and amplitudes E_0m, G_0m (m = 1..m_hat) of J0(j_{1m} r / l), with
rho = rho_const + sum_m E_0m J0(j_{1m} r/l), c = c_const + sum_m G_0m J0(j_{1m} r/l).
W = pi l^2 sum_{m>=0} (1/2) J0(j_{1m})^2 y_m^T Q_m y_m with y_m = (E_0m, (chi0/D0) G_0m),
j_{10} = 0, E_00 = rho_const; Q_m is taken from ``verification``'s derivation by the caller
(passed in as its three entries), so this module only evaluates it.

Metropolis (seed's Methods): pick m uniformly in 0..m_hat; for m > 0 add r_E, r_G ~ U[-0.1, 0.1)
to E_0m, G_0m, for m = 0 only r_G to G_00; accept if W' <= W or u < exp((W - W')/T); an
accepted move is then carried out only if rho and c stay non-negative on a radial mesh.
One MC step = m_hat + 1 attempts. Samples run in parallel, sample k seeded with seed + k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange
from scipy.special import j0, jn_zeros

from verification import validation as val
from verification.random_streams import next_uniform, stream_state

#: Lower estimate of the cost of one Metropolis attempt on one core, for the work cap (measured 64-255 ns per
#: attempt, m_hat = 19 with the default mesh, the seed's schedule and T = 0, on the shared 2-core machine).
NS_PER_ATTEMPT = 10.0


@dataclass(frozen=True)
class ModalModel:
    """Coefficients of Eq. (46) for m = 0..m_hat.

    Parameters
    ----------
    q11, q12, q22 : np.ndarray
        Entries of the 2x2 matrix Q_m per mode (length m_hat + 1) [1/length^2].
    s : float
        chi0 / D0.
    rho_const : float
        Mean density (> 0).
    radius : float
        Disc radius l (> 0).
    n_mesh : int
        Radial mesh points for the non-negativity test (>= 8 points per shortest wavelength).
    """

    q11: np.ndarray
    q12: np.ndarray
    q22: np.ndarray
    s: float
    rho_const: float
    radius: float
    n_mesh: int = 0

    def __post_init__(self) -> None:
        """Validate; default mesh: 8 points per shortest wavelength of the highest mode."""
        for name in ("q11", "q12", "q22"):
            val.real_array(getattr(self, name), name, ndim=1)
        m1 = len(self.q11)
        if m1 < 2 or len(self.q12) != m1 or len(self.q22) != m1:
            raise ValueError(f"q11, q12, q22 must have equal length m_hat + 1 >= 2, got lengths {len(self.q11)}, "
                             f"{len(self.q12)}, {len(self.q22)}")
        for name in ("s", "rho_const", "radius"):
            val.positive(getattr(self, name), name)
        val.integer(self.n_mesh, "n_mesh (0: default)", lo=0)
        need = min_mesh(m1 - 1)
        if self.n_mesh == 0:
            object.__setattr__(self, "n_mesh", need)
        if self.n_mesh < need:
            raise ValueError(f"n_mesh must be >= {need} (8 points per wavelength of mode {m1 - 1}), "
                             f"got {self.n_mesh}")

    @property
    def m_hat(self) -> int:
        """Highest mode index."""
        return len(self.q11) - 1

    @property
    def zeros(self) -> np.ndarray:
        """j_{1m}, m = 0..m_hat, with j_{10} = 0."""
        return np.concatenate(([0.0], jn_zeros(1, self.m_hat)))

    @property
    def weights(self) -> np.ndarray:
        """J0(j_{1m})^2 (1 for m = 0)."""
        return j0(self.zeros) ** 2

    def mesh(self) -> np.ndarray:
        """Radial mesh r_k in [0, l] for the non-negativity test."""
        return np.linspace(0.0, self.radius, self.n_mesh)

    def basis(self, r: np.ndarray) -> np.ndarray:
        """J0(j_{1m} r / l) for m = 0..m_hat, shape (m_hat + 1, len(r))."""
        return j0(np.outer(self.zeros, np.asarray(r) / self.radius))

    def W(self, c_const: float, E: np.ndarray, G: np.ndarray) -> float:
        """Eq. (46) [W units]; E, G of length m_hat (modes 1..m_hat)."""
        Ev = np.concatenate(([self.rho_const], np.asarray(E, float)))
        Gv = np.concatenate(([c_const], np.asarray(G, float))) * self.s
        terms = 0.5 * self.weights * (self.q11 * Ev**2 + 2 * self.q12 * Ev * Gv + self.q22 * Gv**2)
        return float(math.pi * self.radius**2 * terms.sum())

    def profiles(self, c_const: float, E: np.ndarray, G: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """rho(r), c(r) from the amplitudes (Eqs. 36-37 with p = 0)."""
        B = self.basis(r)[1:]
        return self.rho_const + np.asarray(E) @ B, c_const + np.asarray(G) @ B


def min_mesh(m_hat: int) -> int:
    """Mesh points on [0, l] that give 8 points per wavelength 2 pi l / j_{1 m_hat}."""
    m_hat = val.integer(m_hat, "m_hat", lo=0)
    val.require_memory(8.0 * 4 * max(m_hat, 1), f"jn_zeros for m_hat = {m_hat}", "fewer modes")
    jm = jn_zeros(1, max(m_hat, 1))[-1]
    return int(math.ceil(8 * jm / (2 * math.pi))) + 1


def geometric_schedule(t0: float = 10.0, factor: float = 1.2, n: int = 51) -> np.ndarray:
    """T_n = t0 factor^(-n), n = 0..n-1 (seed's Methods: 10 x 1.2^-n, n = 0..50)."""
    val.positive(t0, "t0")
    val.positive(factor, "factor")
    n = val.integer(n, "n (temperatures)", lo=1)
    val.require_memory(2 * 8.0 * n, f"geometric_schedule of {n} temperatures", "fewer temperatures")
    return t0 * factor ** (-np.arange(n, dtype=float))


@njit(cache=True)
def _w_mode(m, E, Gs, wts, q11, q12, q22):
    return 0.5 * wts[m] * (q11[m] * E * E + 2.0 * q12[m] * E * Gs + q22[m] * Gs * Gs)


@njit(cache=True, fastmath=True)
def _shifted_mins(rho, c, row, dE, dG):
    """min_i (rho_i + dE row_i), min_i (c_i + dG row_i): one read-only, vectorisable pass."""
    nr = np.inf
    nc = np.inf
    for i in range(row.size):
        nr = min(nr, rho[i] + dE * row[i])
        nc = min(nc, c[i] + dG * row[i])
    return nr, nc


@njit(cache=True, fastmath=True)
def _shift(rho, c, row, dE, dG):
    for i in range(row.size):
        rho[i] += dE * row[i]
        c[i] += dG * row[i]


#: margin of the lower-bound shortcut (rho, c are O(1-10); accumulated round-off is far below it)
_SAFE = 1e-8


@njit(cache=True, parallel=True)
def _anneal(E_out, G_out, W_hist, temps, n_sweeps, seed, wts, q11, q12, q22, s, rho_c, c0, basis, area,
            check_sign):
    n_samples = E_out.shape[0]
    m1 = E_out.shape[1]
    n_mesh = basis.shape[1]
    for k in prange(n_samples):
        st = stream_state(seed, k)  # counter-based stream per sample (agents._rng): 5 ns/draw vs 26 ns for MT
        E = np.zeros(m1)
        G = np.zeros(m1)
        E[0] = rho_c
        G[0] = c0
        rho = np.full(n_mesh, rho_c)
        c = np.full(n_mesh, c0)
        # lower bounds of min(rho), min(c) on the mesh: |J0| <= 1, so a move by dE lowers min(rho) by
        # at most |dE|; while the bound stays >= SAFE the exact min pass is skipped (same decisions)
        lb_rho = rho_c
        lb_c = c0
        W = 0.0
        for m in range(m1):
            W += _w_mode(m, E[m], s * G[m], wts, q11, q12, q22)
        W *= area
        for it in range(temps.size):
            T = temps[it]
            for _ in range(n_sweeps * m1):
                st, u = next_uniform(st)
                m = min(int(u * m1), m1 - 1)
                dE = 0.0
                if m > 0:
                    st, u = next_uniform(st)
                    dE = 0.2 * u - 0.1
                st, u = next_uniform(st)
                dG = 0.2 * u - 0.1
                old = _w_mode(m, E[m], s * G[m], wts, q11, q12, q22)
                new = _w_mode(m, E[m] + dE, s * (G[m] + dG), wts, q11, q12, q22)
                dW = area * (new - old)
                if dW > 0.0:
                    if T <= 0.0:
                        continue
                    st, u = next_uniform(st)
                    if u > math.exp(-dW / T):
                        continue
                # non-negativity on the mesh
                if m == 0:
                    if lb_c + dG < _SAFE:
                        lb_c = c.min()  # exact min(c) decides
                        if check_sign and lb_c + dG < 0.0:
                            continue
                    for i in range(n_mesh):
                        c[i] += dG
                    lb_c += dG
                else:
                    row = basis[m]
                    if lb_rho - abs(dE) >= _SAFE and lb_c - abs(dG) >= _SAFE:
                        _shift(rho, c, row, dE, dG)
                        lb_rho -= abs(dE)
                        lb_c -= abs(dG)
                    else:
                        nr, nc = _shifted_mins(rho, c, row, dE, dG)
                        if check_sign and (nr < 0.0 or nc < 0.0):
                            continue
                        _shift(rho, c, row, dE, dG)
                        lb_rho = nr
                        lb_c = nc
                E[m] += dE
                G[m] += dG
                W += dW
            W_hist[k, it] = W
        for m in range(m1):
            E_out[k, m] = E[m]
            G_out[k, m] = G[m]


@dataclass
class AnnealResult:
    """Final amplitudes per sample (column 0: E_00 = rho_const, G_00 = c_const) and W after each T."""

    E: np.ndarray
    G: np.ndarray
    W_history: np.ndarray
    temperatures: np.ndarray

    @property
    def W(self) -> np.ndarray:
        """Final W per sample."""
        return self.W_history[:, -1]


def anneal(model: ModalModel, temperatures: np.ndarray, sweeps_per_T: int, n_samples: int, seed: int,
           c_const0: float | None = None, enforce_nonnegative: bool = True) -> AnnealResult:
    """Metropolis minimisation of Eq. (46) along a temperature schedule ([ANTS] Methods).

    Parameters
    ----------
    model : ModalModel
        Eq. (46) coefficients.
    temperatures : array
        Non-increasing schedule of T >= 0 [W units]; a single T (e.g. 0) is allowed.
    sweeps_per_T : int
        MC steps per temperature (one step = m_hat + 1 attempts).
    n_samples : int
        Independent samples (sample k uses seed + k).
    seed : int
        Non-negative seed.
    c_const0 : float, optional
        Initial G_00 (default rho_const, the seed's Methods).
    enforce_nonnegative : bool
        The seed's rejection of moves that make rho or c negative on the mesh (False: a wrong annealer).
    """
    if not isinstance(model, ModalModel):
        raise ValueError(f"model must be a ModalModel, got {type(model).__name__}")
    temps = val.real_array(temperatures, "temperatures", ndim=1, lo=0.0, min_size=1)
    if np.any(np.diff(temps) > 0):
        i = int(np.argmax(np.diff(temps) > 0))
        raise ValueError(f"temperatures must be non-increasing (an annealing schedule); temperatures[{i + 1}] = "
                         f"{float(temps[i + 1])!r} > temperatures[{i}] = {float(temps[i])!r}")
    sweeps_per_T = val.integer(sweeps_per_T, "sweeps_per_T", lo=1)
    n_samples = val.integer(n_samples, "n_samples", lo=1)
    seed = val.integer(seed, "seed", lo=0, hi=2**31 - 1)
    c0 = model.rho_const if c_const0 is None else val.real(c_const0, "c_const0")
    m1 = model.m_hat + 1
    # state per sample (E, G, W history) and the basis on the mesh; per worker thread rho, c on the mesh
    val.require_memory(8.0 * (n_samples * (2.0 * m1 + temps.size) + (m1 + 2.0) * model.n_mesh),
                       f"anneal with {n_samples} samples, {m1} modes and {temps.size} temperatures",
                       "fewer samples or temperatures")
    attempts = float(n_samples) * temps.size * sweeps_per_T * m1
    val.require_work(attempts, unit="Metropolis attempts", ns_per_unit=NS_PER_ATTEMPT,
                     what=f"anneal with {n_samples} samples x {temps.size} temperatures x {sweeps_per_T} sweeps x "
                          f"{m1} modes", fix="fewer samples, temperatures or sweeps_per_T")
    E = np.empty((n_samples, m1))
    G = np.empty((n_samples, m1))
    Wh = np.empty((n_samples, temps.size))
    basis = np.ascontiguousarray(model.basis(model.mesh()))
    _anneal(E, G, Wh, temps, sweeps_per_T, seed, model.weights, np.asarray(model.q11, float),
            np.asarray(model.q12, float), np.asarray(model.q22, float), model.s, model.rho_const, c0, basis,
            math.pi * model.radius**2, enforce_nonnegative)
    return AnnealResult(E, G, Wh, temps)
