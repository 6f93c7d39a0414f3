"""Configurations and helpers of the SIPF topic that its checks, sweeps and critical-mass study share.

The [SIPF] §4 setting (Eq. 35 parameters, Table 1, T = 0.01), the fast-vs-reference comparison
of one step (3D and 2D), the Eq. (43) error and the blow-up indicator of Eq. (39).
"""

from __future__ import annotations

import importlib
import math
import sys

import numpy as np

from agents import sipf as S

#: Eq. (35): the paper's base parameters with M0 = 80.
PAPER = S.SIPFParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, L=8.0, H=24, dt=1e-4, mass=80.0)
#: Table 1: dt = 2^-e x 0.01 -> (L2 error of c, c0 error).
TABLE1 = {4: (0.01756, 0.01773), 5: (0.00884, 0.00898), 6: (0.00440, 0.00452), 7: (0.00218, 0.00227),
          8: (0.00106, 0.00113)}
#: End time T of the convergence studies of §4.2.
T_CONV = 0.01


def rel_max(a: np.ndarray, b: np.ndarray) -> float:
    """Return max |a - b| / max |b|."""
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def step_path_errors(space, p, x: np.ndarray, pieces):
    """One step of ``pieces`` vs the reference path of module ``space`` (agents.sipf or agents.sipf2d).

    The field c_{n-1} is non-trivial: two reference field updates from the particles. Returns the
    relative max errors of the modes and the drift, of the pair sum and the quadrature separately
    (so a failure says which piece), and the reference and tested drifts.
    """
    zero = np.zeros((p.H + 1,) * x.shape[1], complex)
    a0 = space.field_update(p, space.rho_modes_reference(p, x), zero)
    alpha_prev = space.field_update(p, space.rho_modes_reference(p, x * 0.9), a0)
    a_ref, v_ref = space.step_pieces_reference(p, x, alpha_prev)
    a_fast, v_fast = pieces(p, x, alpha_prev)
    e_pair = rel_max(space.pair_drift_fast(p, x), space.pair_drift_reference(p, x))
    e_quad = rel_max(space.field_drift_fast(p, x, alpha_prev), space.field_drift_reference(p, x, alpha_prev))
    return rel_max(a_fast, a_ref), rel_max(v_fast, v_ref), e_pair, e_quad, v_ref, v_fast


def eq43_error(c_tilde: np.ndarray, c_exact: np.ndarray) -> float:
    """Eq. (43) on the step times t_1..t_N (mean of squared relative errors, square root)."""
    rel = (c_tilde[1:] - c_exact[1:]) / c_exact[1:]
    return float(math.sqrt(np.mean(rel**2)))


def delta_ratio(p: S.SIPFParams, n_steps: int, H1: int, H2: int) -> tuple[float, float, float]:
    """Return max c - mean c of a point mass at the origin after n BE steps from c = 0, at H1 and H2, and the ratio.

    c(0) - mean = sum_{k != 0} (M0/L^3) (1 - r_k^n)/(|w_k|^2 + k^2), r_k = eps/(eps + (|w_k|^2 + k^2) dt):
    the delta-type profile of Eq. (39) seen through H modes.
    """
    vals = []
    for H in (H1, H2):
        q = p.replace(H=H)
        w = 2 * np.pi * S.wavenumbers(q) / q.L
        lam = (w[:, None, None] ** 2 + w[None, :, None] ** 2 + w[None, None, :] ** 2) + q.k**2
        rk = q.eps / (q.eps + lam * q.dt)
        terms = q.mass / q.L**3 * (1 - rk**n_steps) / lam
        terms[H // 2, H // 2, H // 2] = 0.0  # the zero mode: fixed by Eq. (42) alone, the same for every H
        vals.append(float(np.sum(terms)))
    return vals[0], vals[1], vals[1] / vals[0]


def peak_above_mean(p: S.SIPFParams, alpha: np.ndarray) -> float:
    """Return max c - mean c on the H^3 grid of Eq. (29)."""
    return float(np.max(S.grid_values(p, alpha)) - S.c_total(p, alpha) / p.L**3)


def importable_name(fn, what: str = "the task") -> str:
    """``"module:qualname"`` of ``fn`` for the sweep runner's worker processes, which import it by that name.

    Raises ValueError when ``fn`` is not a module-level object that a fresh process can import by
    module name (a lambda, a closure, a ``functools.partial``, a function of ``__main__`` or of a
    module loaded from a file path).
    """
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    why = None
    if not (isinstance(module, str) and isinstance(qualname, str)):
        why = f"it has no __module__/__qualname__ ({type(fn).__name__})"
    elif module == "__main__" or "<" in qualname:
        why = f"{module}:{qualname} cannot be imported by another process"
    else:
        top = module.partition(".")[0]
        if not any(_finds(finder, top) for finder in sys.meta_path):
            why = f"its module {module!r} is not importable by name (loaded from a file path?)"
        else:
            obj = sys.modules.get(module) or importlib.import_module(module)
            for part in qualname.split("."):
                obj = getattr(obj, part, None)
            if obj is not fn:
                why = f"{module}:{qualname} does not name it"
    if why:
        raise ValueError(f"{what} runs in worker processes and must be a module-level function importable by "
                         f"module name; {why}")
    return f"{module}:{qualname}"


def _finds(finder, name: str) -> bool:
    find = getattr(finder, "find_spec", None)
    try:
        return find is not None and find(name, None) is not None
    except Exception:  # noqa: BLE001  (a finder that cannot answer does not find it)
        return False


# ----------------------------------------------------------------------------- §4.4-4.5 configurations
#: [SIPF] §4.4 Eq. (48): centres of the four initial balls (vertices of a regular tetrahedron) [length].
TETRAHEDRON = np.array([[1.0, 0.0, 0.0], [-0.5, math.sqrt(3) / 2, 0.0], [-0.5, -math.sqrt(3) / 2, 0.0],
                        [0.0, 0.0, math.sqrt(2)]])
#: Radius of each of the four balls of Eq. (48) [length] (mass 20 each, M0 = 80).
CLUSTER_RADIUS = 0.5
#: §4.4 "shifted initial distribution": the unit ball centred here instead of the origin [length].
SHIFT = np.full(3, 1.0 / 6.0)
#: §4.5: Eq. (35) with eps = 0.1 and the box enlarged to L = 12 (mass, H and dt set per check). The paper's
#: dt = 1e-4 is refused by the pair kernel's range (beta L sqrt 3 = 657 > Y_MAX = 655): dt >= 1.1e-4 here.
EPS01 = PAPER.replace(eps=0.1, L=12.0, mass=40.0, dt=1e-3)
#: §4.5: radius of the initial ball [length].
EPS01_RADIUS = 0.8


def four_clusters(n_particles: int, seed: int) -> np.ndarray:
    """Eq. (48): ``n_particles`` (a multiple of 4) uniform on the four balls, a quarter each; shape (P, 3)."""
    if n_particles % 4:
        raise ValueError(f"n_particles must be a multiple of 4 (a quarter per ball), got {n_particles}")
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**31, size=4)
    return np.concatenate([S.uniform_ball(n_particles // 4, CLUSTER_RADIUS, tuple(c), seed=int(s))
                           for c, s in zip(TETRAHEDRON, seeds, strict=True)])


def peak_history(p: S.SIPFParams, run) -> np.ndarray:
    """``||c||_inf - mean c`` at every step of a run (from its ``cinf`` and ``c0`` histories), shape (n_done + 1,).

    ``||c||_inf`` is the grid maximum of |c|; c >= 0 here (c(0) = 0, positive source), so it is the
    ``max c - mean c`` of :func:`peak_above_mean` without recording the modes of every step.
    """
    return np.asarray(run.cinf, dtype=float) - np.asarray(run.c0, dtype=float) / p.L**3


def refined_field(p: S.SIPFParams, alpha: np.ndarray, factor: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """C on the ``(factor H)^3`` grid ``x_j = j L/(factor H)`` (the truncated series between the Eq. 29 nodes).

    Returns ``(values, axis)``: values of shape (N, N, N), N = factor H, index j per axis at
    ``axis[j]`` in [-L/2, L/2) [length]. ``factor >= 2`` keeps the Nyquist pair k = +-H/2 apart.
    """
    if factor < 2:
        raise ValueError(f"factor must be >= 2, got {factor}")
    N = factor * p.H
    kk = S.wavenumbers(p) % N
    big = np.zeros((N, N, N), complex)
    big[np.ix_(kk, kk, kk)] = alpha
    values = (np.fft.ifftn(big) * N**3).real
    axis = np.arange(N) * p.L / N
    return values, np.where(axis >= p.L / 2, axis - p.L, axis)
