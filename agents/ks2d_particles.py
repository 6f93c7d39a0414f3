"""Particles for the 2D parabolic-elliptic Keller-Segel model ([SIPF] Eqs. 5, 13, 14 with d = 2).

Model: rho_t = div(mu grad rho - chi rho grad c), -Laplace c = rho in R^2, so
grad c(x) = -(1/2 pi) int (x - y)/|x - y|^2 rho(y) dy ([SIPF] Eq. 13 with Gamma(1)/(2 pi)).
Particles X^p, p = 1..P, each of mass m = M/P (Eq. 14, d = 2)::

    dX^p = -chi (m / 2 pi) sum_{q != p} (X^p - X^q) / (|X^p - X^q|^2 + delta^2) dt + sqrt(2 mu) dW^p

stepped by Euler-Maruyama, X_{n+1} = X_n + b(X_n) dt + sqrt(2 mu dt) xi_n, xi_n standard normal.

``delta`` (``reg``) is an optional regularization of the pair kernel, 0 by default (the exact
kernel). Its effect on the variance identity is exact and computable: the pair part of
d/dt sum_p m |X^p|^2 is -chi m^2 / (2 pi) sum_{p != q} |X^p - X^q|^2 / (|X^p - X^q|^2 + delta^2),
i.e. each pair contributes less than its unregularized share 1 by delta^2 / (|d|^2 + delta^2)
(see verification.radial.derivation). With delta = 0 the pair part is exactly
-chi M^2 (1 - 1/P) / (2 pi) for every configuration.

Many independent systems ("replicas") are simulated at once: positions have shape (R, P, 2).
The fast kernel runs a ``prange`` over all (replica, particle) pairs; each particle owns a
counter-based SplitMix64 stream (``verification.random_streams``) seeded by (seed, replica * P + particle),
so results do not depend on the thread count. :func:`simulate` with ``backend="numpy"`` is the
obviously-correct twin; both accept explicit standard-normal increments, and then agree to
round-off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from verification import validation as val
from verification.random_streams import next_uniform, stream_state

BACKENDS = ("numba", "numpy")
#: Lower estimates of the cost of one pair evaluation (one q in the drift sum of one particle) in ns on
#: one core: measured 4.8-11 ns (numba; R x P = 64 x 64, 1 x 512, 4 x 8) and 148-243 ns (numpy twin) on one
#: thread under a load of ~5 on 2 cores; rounded down.
NS_PER_PAIR = 2.0
NS_PER_PAIR_NUMPY = 30.0


class NonFiniteParticlesError(RuntimeError):
    """A run whose positions became non-finite (raised with the step instead of returning them)."""


def _require_finite(out: np.ndarray, record_every: int, dt: float) -> np.ndarray:
    """Return ``out`` if every recorded position is finite, else raise naming the first bad record."""
    bad = ~np.isfinite(out).reshape(out.shape[0], -1).all(axis=1)
    if bad.any():
        k = int(np.argmax(bad))
        step = k * record_every
        raise NonFiniteParticlesError(
            f"particle positions became non-finite by step {step} (t = {step * dt:g}, record {k}); a close pair's "
            f"drift overflowed: use a smaller dt or a positive reg")
    return out


@dataclass(frozen=True, slots=True)
class KS2DParticleParams:
    """2D parabolic-elliptic Keller-Segel particle system.

    Parameters
    ----------
    mass : float
        Total mass M [-], > 0 (critical mass 8 pi mu / chi).
    n_particles : int
        Particles per replica P, >= 2.
    mu : float
        Diffusivity [length^2/time], > 0.
    chi : float
        Chemo-sensitivity [length^2/time per unit mass], > 0.
    dt : float
        Euler-Maruyama step [time], > 0.
    reg : float
        Kernel regularization delta [length], >= 0 (0: exact kernel).
    """

    mass: float = 4 * math.pi
    n_particles: int = 64
    mu: float = 1.0
    chi: float = 1.0
    dt: float = 1e-3
    reg: float = 0.0

    def __post_init__(self) -> None:
        """Validate; the message names the parameter and its allowed range."""
        for name in ("mass", "mu", "chi", "dt"):
            val.positive(getattr(self, name), name)
        val.nonnegative(self.reg, "reg")
        val.integer(self.n_particles, "n_particles", lo=2)

    @property
    def particle_mass(self) -> float:
        """M = M / P."""
        return self.mass / self.n_particles

    def replace(self, **kw) -> KS2DParticleParams:
        """Copy with some fields replaced (validated again)."""
        d = {n: getattr(self, n) for n in self.__slots__}
        d.update(kw)
        return KS2DParticleParams(**d)


@njit(cache=True, inline="always")
def _pair_sum(x, r, p, reg2):
    """sum_{q != p} (x_p - x_q) / (|x_p - x_q|^2 + reg2) in replica r (Eq. 14, d = 2), both components."""
    bx = 0.0
    by = 0.0
    px = x[r, p, 0]
    py = x[r, p, 1]
    for q in range(x.shape[1]):
        if q != p:
            dx = px - x[r, q, 0]
            dy = py - x[r, q, 1]
            inv = 1.0 / (dx * dx + dy * dy + reg2)
            bx += dx * inv
            by += dy * inv
    return bx, by


@njit(cache=True, inline="always")
def _gaussian_pair(states, idx):
    """Two independent N(0, 1) from walker ``idx``'s stream (Box-Muller); advances the stream."""
    s = states[idx]
    s, u1 = next_uniform(s)
    s, u2 = next_uniform(s)
    states[idx] = s
    rad = math.sqrt(-2.0 * math.log(u1))
    return rad * math.cos(2.0 * math.pi * u2), rad * math.sin(2.0 * math.pi * u2)


@njit(cache=True, parallel=True)
def pair_drift(x: np.ndarray, coef: float, reg2: float) -> np.ndarray:
    """b_p = -coef sum_{q != p} (x_p - x_q) / (|x_p - x_q|^2 + reg2) per replica (Eq. 14, d = 2).

    Parameters
    ----------
    x : ndarray, shape (R, P, 2)
        Positions.
    coef : float
        chi m / (2 pi).
    reg2 : float
        delta^2.
    """
    R, P = x.shape[0], x.shape[1]
    out = np.empty_like(x)
    for idx in prange(R * P):
        r = idx // P
        p = idx % P
        bx, by = _pair_sum(x, r, p, reg2)
        out[r, p, 0] = -coef * bx
        out[r, p, 1] = -coef * by
    return out


@njit(cache=True, parallel=True)
def _advance(x, coef, reg2, dt, sigma, n_steps, record_every, states, inc, use_inc, out):
    """Euler-Maruyama steps in place; writes x every ``record_every`` steps into ``out[1:]``."""
    R, P = x.shape[0], x.shape[1]
    b = np.empty_like(x)
    rec = 1
    for step in range(n_steps):
        for idx in prange(R * P):
            r = idx // P
            p = idx % P
            bx, by = _pair_sum(x, r, p, reg2)
            b[r, p, 0] = -coef * bx
            b[r, p, 1] = -coef * by
        for idx in prange(R * P):
            r = idx // P
            p = idx % P
            if use_inc:
                z0 = inc[step, r, p, 0]
                z1 = inc[step, r, p, 1]
            else:
                z0, z1 = _gaussian_pair(states, idx)
            x[r, p, 0] += b[r, p, 0] * dt + sigma * z0
            x[r, p, 1] += b[r, p, 1] * dt + sigma * z1
        if (step + 1) % record_every == 0:
            out[rec] = x
            rec += 1


@njit(cache=True, parallel=True)
def _advance_replicas(x, coef, reg2, dt, sigma, n_steps, record_every, states, inc, use_inc, out):
    """Same steps as :func:`_advance`, one replica per thread with the time loop inside.

    Why: the per-step ``prange`` of :func:`_advance` synchronizes threads twice per step, which
    on shared, oversubscribed cores cost ~10x; replicas are independent, so this loop has no
    barrier. The arithmetic per particle is the same, in the same order: results are identical.
    """
    R, P = x.shape[0], x.shape[1]
    for r in prange(R):
        b = np.empty((P, 2))
        rec = 1
        for step in range(n_steps):
            for p in range(P):
                bx, by = _pair_sum(x, r, p, reg2)
                b[p, 0] = -coef * bx
                b[p, 1] = -coef * by
            for p in range(P):
                if use_inc:
                    z0 = inc[step, r, p, 0]
                    z1 = inc[step, r, p, 1]
                else:
                    z0, z1 = _gaussian_pair(states, r * P + p)
                x[r, p, 0] += b[p, 0] * dt + sigma * z0
                x[r, p, 1] += b[p, 1] * dt + sigma * z1
            if (step + 1) % record_every == 0:
                out[rec, r] = x[r]
                rec += 1


@njit(cache=True)
def _init_states(seed, n):
    s = np.empty(n, dtype=np.uint64)
    for i in range(n):
        s[i] = stream_state(seed, i)
    return s


def simulate(params: KS2DParticleParams, x0: np.ndarray, n_steps: int, seed: int = 0, record_every: int = 1,
             increments: np.ndarray | None = None, backend: str = "numba") -> np.ndarray:
    """Euler-Maruyama trajectories of the particle system.

    Parameters
    ----------
    params : KS2DParticleParams
        Model and step.
    x0 : ndarray, shape (R, P, 2) or (P, 2)
        Initial positions [length]; P must equal ``params.n_particles``.
    n_steps : int
        Number of steps (>= 0).
    seed : int
        Seed of the per-particle counter-based streams (numba) or of numpy's Generator (numpy);
        ignored when ``increments`` is given.
    record_every : int
        Keep positions every this many steps (n_steps must be a multiple).
    increments : ndarray, shape (n_steps, R, P, 2), optional
        Standard-normal increments xi_n to use instead of generated ones.
    backend : {"numba", "numpy"}
        Fast kernel or the numpy twin.

    Returns
    -------
    ndarray, shape (n_steps // record_every + 1, R, P, 2)
        Positions at t = 0, record_every dt, ... (a leading replica axis of 1 is kept for 2D input);
        always finite.

    Raises
    ------
    ValueError
        Bad arguments, naming the parameter; :class:`~verification.validation.LimitError` when the
        records do not fit in memory or the n_steps x R x P (P - 1) pair evaluations exceed the work cap.
    NonFiniteParticlesError
        If positions overflow (a close pair with the exact kernel and a large dt), with the step.
    """
    if not isinstance(params, KS2DParticleParams):
        raise ValueError(f"params must be a KS2DParticleParams, got {type(params).__name__}")
    x = np.array(val.real_array(x0, "x0"), dtype=float, copy=True)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[2] != 2 or x.shape[1] != params.n_particles or x.shape[0] < 1:
        raise ValueError(f"x0 must have shape (R, {params.n_particles}, 2) with R >= 1 or ({params.n_particles}, 2), "
                         f"got {np.shape(x0)}")
    n_steps = val.integer(n_steps, "n_steps", lo=0)
    seed = val.seed(seed)
    record_every = val.integer(record_every, "record_every", lo=1)
    if n_steps % record_every:
        raise ValueError(f"record_every must divide n_steps = {n_steps}, got {record_every}")
    val.choice(backend, "backend", BACKENDS)
    R, P = x.shape[:2]
    if increments is not None:
        increments = np.ascontiguousarray(val.real_array(increments, "increments", shape=(n_steps, R, P, 2)))
    # the records; the numpy twin also holds about seven (R, P, P) float64 arrays per step (differences,
    # squares, distances, quotients), the numba kernel R x P stream states and drifts
    per_step = 7 * 8.0 * R * P * P if backend == "numpy" else 3 * 8.0 * R * P
    val.require_memory(8.0 * (n_steps // record_every + 1) * R * P * 2 + per_step,
                       f"ks2d_particles.simulate with R x P = {R} x {P} and {n_steps // record_every + 1} records",
                       "fewer replicas, particles or records (a larger record_every)")
    val.require_work(float(n_steps) * R * P * (P - 1), unit="pair evaluations",
                     ns_per_unit=NS_PER_PAIR_NUMPY if backend == "numpy" else NS_PER_PAIR,
                     what=f"ks2d_particles.simulate ({backend}) with R x P = {R} x {P} for {n_steps} steps",
                     fix="fewer replicas, particles or steps")
    coef = params.chi * params.particle_mass / (2 * math.pi)
    reg2 = params.reg**2
    sigma = math.sqrt(2 * params.mu * params.dt)
    out = np.empty((n_steps // record_every + 1, R, P, 2))
    out[0] = x
    if backend == "numba":
        states = _init_states(np.uint64(seed), R * P)
        inc = increments if increments is not None else np.zeros((1, 1, 1, 2))
        kernel = _advance_replicas if R >= numba.get_num_threads() else _advance
        kernel(x, coef, reg2, params.dt, sigma, n_steps, record_every, states, inc, increments is not None, out)
        return _require_finite(out, record_every, params.dt)
    rng = np.random.default_rng(seed)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # overflow is reported below, with the step
        for step in range(n_steps):
            d = x[:, :, None, :] - x[:, None, :, :]  # d[r, p, q] = x_p - x_q
            r2 = np.sum(d**2, axis=-1) + reg2
            idx = np.arange(P)
            r2[:, idx, idx] = np.inf  # q = p excluded
            b = -coef * np.sum(d / r2[..., None], axis=2)
            xi = increments[step] if increments is not None else rng.standard_normal((R, P, 2))
            x = x + b * params.dt + sigma * xi
            if (step + 1) % record_every == 0:
                out[(step + 1) // record_every] = x
    return _require_finite(out, record_every, params.dt)


def gaussian_start(params: KS2DParticleParams, n_replicas: int, seed: int, std: float = 1.0) -> np.ndarray:
    """Positions (R, P, 2) drawn from N(0, std^2 I); the mass-weighted second moment is 2 std^2 M."""
    n_replicas = val.integer(n_replicas, "n_replicas", lo=1)
    seed = val.seed(seed)
    val.nonnegative(std, "std")
    val.require_memory(2 * 8.0 * n_replicas * params.n_particles * 2,
                       f"gaussian_start for R x P = {n_replicas} x {params.n_particles}", "fewer replicas or particles")
    rng = np.random.default_rng(seed)
    return std * rng.standard_normal((n_replicas, params.n_particles, 2))


def second_moment(x: np.ndarray, params: KS2DParticleParams) -> np.ndarray:
    """Mass-weighted second moment sum_p m |X^p|^2 (the particle int |x|^2 rho dx), over the last two axes."""
    return params.particle_mass * np.sum(x**2, axis=(-2, -1))
