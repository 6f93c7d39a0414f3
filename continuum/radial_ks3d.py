"""Radially symmetric 3D parabolic-parabolic Keller-Segel reference solver ([SIPF] Eqs. 44-45).

Model ([SIPF] Eq. 1 in radial form, Eqs. 44-45)::

    rho_t   = r^-2 (r^2 (mu rho_r - chi rho c_r))_r            (conservative form of Eq. 44)
    eps c_t = r^-2 (r^2 c_r)_r - k^2 c + rho                    (Eq. 45)

on 0 <= r <= R, no flux at r = R (Neumann) and regularity (zero flux) at r = 0.
Start: rho0 = M0 / (4 pi a^3 / 3) on r < a (uniform on the ball of radius a, mass M0), c0 = 0, put on
the grid as cell averages (exact mass; ``start="centres"`` samples the indicator at the cell centres).

Discretization: finite volumes on n_r cells of width h = R / n_r, centres r_i = (i + 1/2) h,
faces f_j = j h with areas f_j^2 and volumes V_i = (f_{i+1}^3 - f_i^3) / 3 (the common factor
4 pi is kept out of the stencils and put back into the mass, M = 4 pi sum V_i rho_i).
One step n -> n+1 ("c first, then rho", both backward Euler, each a linear tridiagonal solve):

1. c^{n+1}: V_i (eps/dt + k^2) c_i - [f^2 (c_{i+1} - c_i) / h]_{i+1/2} + [f^2 (c_i - c_{i-1}) / h]_{i-1/2}
   = V_i (eps c_i^n / dt + rho_i^n).   The matrix does not change: it is factorized once.
2. rho^{n+1}: V_i (rho_i^{n+1} - rho_i^n) / dt + G_{i+1/2} - G_{i-1/2} = 0 with the outward
   face flux  G_j = (mu f_j^2 / h) [A(Pe_j) rho_{j-1} - A(-Pe_j) rho_j],  Pe_j = chi (c_j - c_{j-1}) / mu
   (c = c^{n+1}: the chemotactic term is linearly implicit in rho with the new c) and the
   hybrid weight A(x) = max(x, 1 + x/2, 0) (central differencing for |Pe| <= 2, upwind beyond;
   A(x) - A(-x) = x makes the flux consistent with -mu rho_r + chi rho c_r). ``flux="upwind"``
   selects A(x) = 1 + max(x, 0) instead (first order).

Tail values of rho below FLUSH = 1e-200 are set to 0 during the solve (see FLUSH).

Kernel (issue 14): per step one downward pass (c back substitution fused with the rho coefficients and the
rho elimination, pivots carried as continuants so no division sits on a recurrence) and one upward pass
(rho back substitution fused with the next step's c forward sweep); the constant c matrix is factored once
per dt. See :func:`_steps`. ``backend="numpy"`` runs the same scheme with ``scipy.linalg.solve_banded``.

Graded grid and adaptive dt (``run_radial(..., growth=, r_core=, dt_max=, dt_tol=)``): the finite-volume
formulas above hold on any grid with the centre distance d_j in place of h in the face couplings f_j^2 / d_j
(centres at the face midpoints); the graded grid keeps the uniform cells of width h = R / n_r on a core
[0, r_core] and grows the widths geometrically beyond it. Adaptive dt moves on the ladder dt 2^k and is
limited by the relative change of rho(first cell) per step; the blow-up criterion is unchanged (the first
cell is the same, hence the same level).

Properties: G_0 = G_n = 0 and the fluxes telescope, so sum V_i rho_i is conserved to round-off.
The rho matrix has non-positive off-diagonals and column sums V_i / dt > 0 (an M-matrix), so
rho^{n+1} >= 0 *by construction* for every dt whenever rho^n >= 0; c^{n+1} >= 0 likewise.
Both are tridiagonal and solved by the Thomas algorithm in numba (no pivoting is needed for
these diagonally dominant matrices). The scheme is second order in h where |Pe| <= 2 (first
order where the hybrid switches to upwind) and first order in dt (backward Euler plus the
lag of rho^n in step 1).

Blow-up: the discrete solution cannot blow up (the M-matrix keeps it bounded by the mass in
one cell), so a blow-up is *declared* when the density at the first cell centre exceeds the
grid-tied level ``2 mu / (chi (blowup_cells h)^2)`` (the scale of the singular steady profile
2 mu / (chi r^2) at r = blowup_cells h, i.e. the core is no longer resolved by that many
cells) or when a value is non-finite. The run then stops and reports the time; the series
hold only finite values.

Limits (issue 13): every parameter is checked by :mod:`verification.validation` (the message
names it); :func:`run_radial` computes its work (round(t_end / dt) steps x n_r cells) and its
arrays before any integer step count or allocation and refuses what exceeds the work cap or
the free memory (:class:`verification.validation.LimitError`). The work estimate counts the
full run: a run that would declare a blow-up early is refused as if it ran to t_end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit
from scipy.linalg import solve_banded

from verification import validation as val

#: Smallest number of cells accepted (the stencils need a few cells inside the initial ball).
MIN_CELLS = 16
#: Values of |rho| below this are set to 0 inside the rho solve. Why: the far tail of an implicit
#: diffusion step decays geometrically into subnormal numbers, where rounding stalls the decay and
#: every operation costs ~100x (measured: 115 vs ~25 ns per cell-step at n_r = 2e5). The mass
#: changed is below 1e-200 * volume, far below round-off.
FLUSH = 1e-200
#: Lower estimates of the cost of one cell-step on one core [ns], for the work cap. Measured on this
#: machine (2 shared cores): numba kernel 17-19 ns CPU time at n_r = 200-2000 (24-34 ns wall under
#: load; 25 ns at n_r = 2e5), numpy/solve_banded twin 170-330 ns wall (n_r = 2000-2e5); rounded down.
#: The fused kernel of issue 14 measured 7.7-11 ns CPU time (n_r = 2000-2e5, load 5 on 2 cores), 8.75 ns
#: in cache; its lower estimate is 7 ns.
NS_PER_CELL_STEP = {"numba": 7.0, "numpy": 50.0}
#: float64 arrays of n_r values a run holds at once besides its profiles (grid: r, faces, areas,
#: volumes; rho, c and the start's temporaries; the c factorization and the kernel's work rows, or
#: the twin's two banded matrices and right-hand sides), an upper count.
ARRAYS_PER_CELL = 24
#: Cells per block of the kernel's rho elimination: its continuants are rescaled once per block (see _steps).
BLOCK = 4
#: The block-start values of the continuants must stay in (Q_SAFE_LO, Q_SAFE_HI): a block of BLOCK pivots
#: (each within ~1e-12 ... 1e12 for any grid the validation accepts) then cannot leave the normal range.
Q_SAFE_LO, Q_SAFE_HI = 1e-100, 1e100
#: Largest ratio of neighbouring cell widths of a graded grid (``growth``).
MAX_GROWTH = 1.5
#: Adaptive dt: steps per kernel call between decisions to double dt.
ADAPT_CHUNK = 64


@dataclass(frozen=True, slots=True)
class RadialKSParams:
    """Radial 3D Keller-Segel problem and its grid ([SIPF] Eqs. 44-45, §4.3).

    Parameters
    ----------
    mu : float
        Cell mobility [length^2/time], > 0.
    chi : float
        Chemo-sensitivity [length^2/(time * concentration)], > 0.
    eps : float
        Time-scale ratio of the chemical equation [-], >= 0 (0: parabolic-elliptic).
    k : float
        Decay rate sqrt [1/length], >= 0; eps and k may not both be 0 (the Neumann problem
        for c would be singular).
    radius : float
        Outer radius R of the domain [length], > 0 (paper: 20).
    n_r : int
        Number of cells (paper: 2e5), >= MIN_CELLS.
    dt : float
        Time step [time], > 0 (paper: 1e-5).
    mass : float
        Initial mass M0 = integral of rho0 over R^3 [-], > 0.
    ball_radius : float
        Radius a of the ball on which rho0 is uniform [length], in (0, radius).
    blowup_cells : float
        Blow-up is declared when rho(first cell) > 2 mu / (chi (blowup_cells h)^2), > 0.
    flux : {"hybrid", "upwind"}
        Face weight A(x): "hybrid" max(x, 1 + x/2, 0) (second order where |Pe| <= 2) or "upwind"
        1 + max(x, 0) (first order everywhere; both keep rho >= 0).
    start : {"cell_average", "centres"}
        How the ball's edge is put on the grid: "cell_average" (default) the cell averages of
        M0 / (4 pi a^3 / 3) 1{r < a} (exact mass M0 on any grid), or "centres" the indicator
        sampled at the cell centres, M0 / (4 pi a^3 / 3) 1{r_i < a} (the grid mass differs from
        M0 by the volume of the cut cell when a / h is not an integer).
    """

    mu: float = 1.0
    chi: float = 1.0
    eps: float = 1e-4
    k: float = 0.1
    radius: float = 20.0
    n_r: int = 2000
    dt: float = 1e-4
    mass: float = 40.0
    ball_radius: float = 1.0
    blowup_cells: float = 1.0
    flux: str = "hybrid"
    start: str = "cell_average"

    def __post_init__(self) -> None:
        """Validate every field; the message names the parameter and its allowed range."""
        for name in ("mu", "chi", "radius", "dt", "mass", "blowup_cells"):
            val.positive(getattr(self, name), name)
        for name in ("eps", "k"):
            val.nonnegative(getattr(self, name), name)
        if self.eps == 0 and self.k == 0:
            raise ValueError("eps and k must not both be 0 (singular Neumann problem for c); got eps = k = 0")
        val.integer(self.n_r, "n_r", lo=MIN_CELLS)
        val.choice(self.flux, "flux", ("hybrid", "upwind"))
        val.choice(self.start, "start", ("cell_average", "centres"))
        val.real(self.ball_radius, "ball_radius", lo=0.0, hi=float(self.radius), lo_open=True, hi_open=True)
        try:  # Python floats raise on overflow/underflow to 0 in ** and /
            derived = (self.blowup_level, self.mass / (4.0 * math.pi * self.ball_radius**3 / 3.0),
                       self.eps / self.dt + self.k**2)
        except (OverflowError, ZeroDivisionError):
            derived = (math.inf,)
        if not all(math.isfinite(d) and d > 0 for d in derived):
            raise ValueError("mu, chi, blowup_cells, radius / n_r, mass, ball_radius, eps, k and dt must give a finite "
                             "blow-up level 2 mu / (chi (blowup_cells h)^2) > 0, a finite initial density "
                             "3 M0 / (4 pi a^3) > 0 and a finite eps/dt + k^2; rescale the units")

    @property
    def h(self) -> float:
        """Cell width R / n_r [length]."""
        return self.radius / self.n_r

    @property
    def blowup_level(self) -> float:
        """Density level 2 mu / (chi (blowup_cells h)^2) above which a blow-up is declared."""
        return 2.0 * self.mu / (self.chi * (self.blowup_cells * self.h) ** 2)

    def replace(self, **kw) -> RadialKSParams:
        """Copy with some fields replaced (validated again)."""
        d = {n: getattr(self, n) for n in self.__slots__}
        d.update(kw)
        return RadialKSParams(**d)


@dataclass(frozen=True)
class RadialGrid3D:
    """Cell geometry: centres r [length], faces f (n+1), face areas f^2, volumes V (without 4 pi).

    ``gaps`` holds the n - 1 distances r_{i+1} - r_i between neighbouring centres [length] (the
    flux of interior face i + 1 is divided by it) and ``h`` is the width of the first cell.
    """

    r: np.ndarray
    faces: np.ndarray
    areas: np.ndarray
    volumes: np.ndarray
    h: float
    gaps: np.ndarray | None = None

    def __post_init__(self) -> None:
        """Uniform grids built before ``gaps`` existed: every gap is h."""
        if self.gaps is None:
            object.__setattr__(self, "gaps", np.full(max(self.r.size - 1, 0), self.h))

    @property
    def n(self) -> int:
        """Number of cells."""
        return int(self.r.size)

    @classmethod
    def build(cls, radius: float, n: int) -> RadialGrid3D:
        """Uniform grid of n cells on [0, radius]."""
        radius = val.positive(radius, "radius")
        n = val.integer(n, "n", lo=1)
        val.require_memory(8.0 * 8 * n, f"the radial grid of n = {n} cells", "fewer cells (n_r)")
        h = radius / n
        f = h * np.arange(n + 1, dtype=float)
        return cls((np.arange(n) + 0.5) * h, f, f**2, (f[1:] ** 3 - f[:-1] ** 3) / 3.0, h, np.full(n - 1, h))

    @staticmethod
    def core_cells(radius: float, h: float, r_core: float) -> int:
        """Cells of width h on the core [0, ~r_core] of :meth:`graded` (at least 1, at most R / h)."""
        return max(1, min(math.ceil(r_core / h - 1e-9), math.floor(radius / h + 1e-9)))

    @staticmethod
    def graded_widths(radius: float, h: float, r_core: float, growth: float) -> np.ndarray:
        """Cell widths of :meth:`graded` [length] (cheap: used to size a run before it allocates)."""
        n_core = RadialGrid3D.core_cells(radius, h, r_core)
        widths = [h] * n_core
        edge = n_core * h
        w = h
        while edge < radius * (1 - 1e-12):
            w *= growth
            widths.append(min(w, radius - edge))
            edge += widths[-1]
        if len(widths) >= 2 and widths[-1] < 0.5 * widths[-2]:  # no sliver at r = R
            widths[-2] += widths.pop()
        return np.array(widths)

    @classmethod
    def graded(cls, radius: float, h: float, r_core: float, growth: float) -> RadialGrid3D:
        """Graded grid: cells of width h on [0, ~r_core], then widths growing by ``growth`` per cell to R.

        The core faces are j h exactly (as :meth:`build`); centres are the midpoints of the faces.
        A last cell thinner than half its neighbour is merged into it.
        """
        radius = val.positive(radius, "radius")
        h = val.real(h, "h", lo=0.0, hi=radius, lo_open=True)
        r_core = val.real(r_core, "r_core", lo=0.0, hi=radius, lo_open=True)
        growth = val.real(growth, "growth", lo=1.0, hi=MAX_GROWTH)
        widths = cls.graded_widths(radius, h, r_core, growth)
        n_core = cls.core_cells(radius, h, r_core)
        f = np.empty(widths.size + 1)
        f[:n_core + 1] = h * np.arange(n_core + 1, dtype=float)
        f[n_core + 1:] = f[n_core] + np.cumsum(widths[n_core:])
        f[-1] = radius
        r = 0.5 * (f[1:] + f[:-1])
        return cls(r, f, f**2, (f[1:] ** 3 - f[:-1] ** 3) / 3.0, h, np.diff(r))

    def mass(self, rho: np.ndarray) -> float:
        """4 pi sum V_i rho_i: the mass of a radial density on R^3 (per the cell averages)."""
        return float(4.0 * math.pi * np.dot(self.volumes, rho))


def initial_density(params: RadialKSParams, grid: RadialGrid3D) -> np.ndarray:
    """Cell averages of M0 / (4 pi a^3 / 3) 1{r < a}: exact mass M0 on any grid (cut cells prorated).

    With ``params.start == "centres"``: the indicator sampled at the cell centres instead.
    """
    a = params.ball_radius
    if params.start == "centres":
        return np.where(grid.r < a, params.mass / (4.0 * math.pi * a**3 / 3.0), 0.0)
    inside = (np.minimum(grid.faces[1:], a) ** 3 - np.minimum(grid.faces[:-1], a) ** 3) / 3.0
    inside = np.clip(inside, 0.0, None)
    level = params.mass / (4.0 * math.pi * a**3 / 3.0)
    return level * inside / grid.volumes


@njit(cache=True, error_model="numpy")
def _factor_c(V, coupling, mu, eps, k, dt):
    """Thomas factorization of the (constant) c matrix of step 1, packed into the kernel's work rows.

    Returns (down, up), each of shape (n, 3), C order (one contiguous row per cell):
    down[i] = (cp_i, mu f_{i+1}^2 / d_{i+1}, V_i / dt) -- what the downward pass of :func:`_steps`
    reads for cell i (the face coupling of its outer face, 0 at r = R) -- and
    up[i] = (V_i inv_i eps / dt, V_i inv_i, sub_i inv_i), the forward sweep of the c system with
    the pivot reciprocals inv_i folded in: crhs_i = up_i0 c_i + up_i1 rho_i - up_i2 crhs_{i-1}.
    ``coupling`` holds f_j^2 / d_j of the n - 1 interior faces (d_j: centre distance).
    """
    n = V.size
    down = np.empty((n, 3))
    up = np.empty((n, 3))
    s = eps / dt + k * k
    prev_cp = 0.0
    for i in range(n):
        dl = coupling[i - 1] if i > 0 else 0.0  # no flux through r = 0
        du = coupling[i] if i < n - 1 else 0.0  # Neumann at r = R: no flux
        inv = 1.0 / (V[i] * s + dl + du + dl * prev_cp)
        prev_cp = -du * inv
        down[i, 0] = prev_cp
        down[i, 1] = mu * du
        down[i, 2] = V[i] / dt
        up[i, 0] = V[i] * inv * (eps / dt)
        up[i, 1] = V[i] * inv
        up[i, 2] = -dl * inv
    return down, up


@njit(cache=True, fastmath={"contract"}, error_model="numpy")
def _steps(rho, c, V, down, up, chi_mu, n_steps, offset, stride, level, out_rho0, out_c0, out_cmax,
           out_mass, out_step, crhs, eg, upwind, tol):
    """Advance (rho, c) in place by up to n_steps steps of the scheme in the module docstring ([SIPF] Eqs. 44-45).

    Records rho(r_0), c(r_0), max c, 4 pi sum V rho and the global step number whenever
    ``offset + step`` is a multiple of ``stride`` (after the step), and at a blow-up.
    Returns (steps done, records written, status, largest relative change of rho(r_0) in a step):
    status 0 all steps done, 1 blow-up declared, 2 stopped after a step that changed rho(r_0) by
    more than ``tol`` (relative; ``inf`` never stops), 3 the continuants left their safe range
    (rho and c are then invalid; the caller raises).

    One fused pass per equation and step (why: each cell is read twice per step, and every
    recurrence on the critical path is one fused multiply-add):

    * Downward pass (r = R inwards): back substitution of c^{n+1} (constant factorization,
      ``down[:, 0]``), and in the same iteration the face weights A(+-Pe) of face j + 1 and the
      elimination of rho row j + 1. The pivots P_i of that elimination are carried as ratios
      of continuants, Q_i = D_i Q_{i+1} - U_i L_{i+1} Q_{i+2}, P_i = Q_i / Q_{i+1}, and the
      right-hand side as H_i = g_i Q_i = b_i Q_{i+1} + U_i H_{i+1}, so the division 1 / Q_i is
      off the recurrence; Q and H are rescaled once per block of BLOCK cells by the reciprocal
      of Q at the block's start (computed a block ahead, so also off the recurrence).
    * Upward pass: back substitution rho_i = g_i + e_i rho_{i-1}, fused with the forward sweep
      of the next step's c system (pivot reciprocals folded into ``up``).

    Values of |rho| <= FLUSH are stored as 0 (and enter c as 0); the running value of the rho
    back substitution is flushed once per block, which keeps it out of the subnormal range
    without a select on its recurrence.
    """
    n = rho.size
    rec = 0
    big = 0.0
    half_pe = 0.5 * chi_mu
    # A(x) = 1 + x/2 + max(|x|/2 - shift, 0): shift 1 the hybrid max(x, 1 + x/2, 0), shift 0 the upwind 1 + max(x, 0)
    shift = 0.0 if upwind else 1.0
    prev = 0.0
    for i in range(n):  # forward sweep of the first step's c system
        prev = up[i, 0] * c[i] + up[i, 1] * rho[i] - up[i, 2] * prev
        crhs[i] = prev
    for step in range(n_steps):
        x_old = rho[0]
        # downward: c_j, face j+1 (between cells j and j+1), rho row i = j+1:
        # lower -L_i = -ap_in, diagonal D_i = V_i/dt + ap_out + am_in, upper -U_i = -am_out
        cn = crhs[n - 1]
        c[n - 1] = cn
        ap_out = 0.0
        am_out = 0.0
        q1 = 1.0  # Q_{i+1}
        q2 = 0.0  # Q_{i+2}
        hh = 0.0  # H_{i+1}
        q_lo = 1.0
        q_hi = 1.0
        i = n - 1
        while i > 0:
            stop = max(i - BLOCK, 0)
            scale = 1.0 / q1
            while i > stop:
                j = i - 1
                cj = crhs[j] - down[j, 0] * cn
                c[j] = cj
                ph = half_pe * (cn - cj)  # Pe / 2 of face j + 1
                cn = cj
                t = max(abs(ph) - shift, 0.0)
                wf = down[j, 1]
                ap_in = wf * (1.0 + ph + t)  # wf A(Pe)
                am_in = wf * (1.0 - ph + t)  # wf A(-Pe)
                vd = down[i, 2]
                q0 = (vd + ap_out + am_in) * q1 - (am_out * ap_out) * q2
                hn = vd * rho[i] * q1 + am_out * hh
                rq = 1.0 / q0
                eg[i, 0] = ap_in * q1 * rq  # rho_i = g_i + e_i rho_{i-1}
                g = hn * rq
                eg[i, 1] = g if abs(g) > FLUSH else 0.0
                q2 = q1
                q1 = q0
                hh = hn
                ap_out = ap_in
                am_out = am_in
                i -= 1
            q1 *= scale
            q2 *= scale
            hh *= scale
            q_lo = min(q_lo, q1)
            q_hi = max(q_hi, q1)
        vd = down[0, 2]  # row 0: no inner face
        v = (vd * rho[0] * q1 + am_out * hh) / ((vd + ap_out) * q1 - (am_out * ap_out) * q2)
        x = v if abs(v) > FLUSH else 0.0
        rho[0] = x
        if not (Q_SAFE_LO < q_lo and q_hi < Q_SAFE_HI):
            return step, rec, 3, big
        # upward: rho^{n+1}_i, then row i of the next step's c forward sweep
        x0 = x
        prev = up[0, 0] * c[0] + up[0, 1] * x
        crhs[0] = prev
        i = 1
        while i < n:
            stop = min(i + BLOCK, n)
            while i < stop:
                x = eg[i, 1] + eg[i, 0] * x
                xf = x if abs(x) > FLUSH else 0.0
                rho[i] = xf
                prev = up[i, 0] * c[i] + up[i, 1] * xf - up[i, 2] * prev
                crhs[i] = prev
                i += 1
            x = x if abs(x) > FLUSH else 0.0
        change = abs(x0 - x_old) / x_old if x_old > 0.0 else 0.0
        big = max(big, change)
        bad = not (math.isfinite(rho[0]) and math.isfinite(c[0])) or rho[0] > level
        if (offset + step + 1) % stride == 0 or bad:
            if rec < out_rho0.size:
                out_rho0[rec] = rho[0]
                out_c0[rec] = c[0]
                cm = c[0]
                for i in range(1, n):
                    if c[i] > cm:
                        cm = c[i]
                out_cmax[rec] = cm
                s = 0.0
                for i in range(n):
                    s += V[i] * rho[i]
                out_mass[rec] = 4.0 * math.pi * s
                out_step[rec] = offset + step + 1
                rec += 1
        if bad:
            return step + 1, rec, 1, big
        if change > tol:
            return step + 1, rec, 2, big
    return n_steps, rec, 0, big


def step_numpy(params: RadialKSParams, grid: RadialGrid3D, rho: np.ndarray, c: np.ndarray,
               dt: float | None = None) -> tuple:
    """One step of the same scheme with numpy and ``scipy.linalg.solve_banded`` (the readable twin).

    Returns new arrays (rho^{n+1}, c^{n+1}); see the module docstring for the equations. ``dt``
    overrides ``params.dt``; the grid may be graded (face couplings f^2 / d with the centre gaps d).
    """
    p, V, a = params, grid.volumes, grid.areas
    dt = p.dt if dt is None else dt
    n = rho.size
    coup = a[1:-1] / grid.gaps  # interior faces 1 .. n-1
    dl = np.concatenate(([0.0], coup))  # face i (inner face of cell i); none at r = 0
    du = np.append(coup, 0.0)  # face i+1 (outer face); Neumann at R
    ab = np.zeros((3, n))
    ab[0, 1:] = -du[:-1]
    ab[1] = V * (p.eps / dt + p.k**2) + dl + du
    ab[2, :-1] = -dl[1:]
    c_new = solve_banded((1, 1), ab, V * (p.eps / dt * c + rho))
    pe = p.chi * np.diff(c_new) / p.mu
    wf = p.mu * coup
    if p.flux == "upwind":
        ap, am = wf * (1 + np.maximum(pe, 0)), wf * (1 + np.maximum(-pe, 0))
    else:
        ap = wf * np.maximum.reduce([pe, 1 + pe / 2, np.zeros_like(pe)])
        am = wf * np.maximum.reduce([-pe, 1 - pe / 2, np.zeros_like(pe)])
    ab = np.zeros((3, n))
    ab[1] = V / dt
    ab[1, :-1] += ap
    ab[1, 1:] += am
    ab[0, 1:] = -am
    ab[2, :-1] = -ap
    rho_new = solve_banded((1, 1), ab, V / dt * rho)
    rho_new[np.abs(rho_new) <= FLUSH] = 0.0  # as the kernel (differs from it by < 1e-200)
    return rho_new, c_new


@dataclass
class RadialKSResult:
    """Output of :func:`run_radial`.

    Attributes
    ----------
    times : ndarray
        Times of the series [time].
    rho0, c0 : ndarray
        rho and c at the first cell centre r = h/2 (the discrete r = 0 values).
    c_max : ndarray
        max_r c at each recorded time.
    mass : ndarray
        4 pi sum V_i rho_i at each recorded time (the initial mass first).
    profiles : dict
        {requested time: (rho, c)} at the requested times (and t_end) reached before a blow-up;
        each is taken at the nearest step.
    blew_up : bool
        Whether a blow-up was declared (see the module docstring).
    blowup_time : float
        Time of the declaration (nan if none).
    r : ndarray
        Cell centres.
    """

    times: np.ndarray
    rho0: np.ndarray
    c0: np.ndarray
    c_max: np.ndarray
    mass: np.ndarray
    profiles: dict
    blew_up: bool
    blowup_time: float
    r: np.ndarray
    params: RadialKSParams | None = None
    extra: dict = field(default_factory=dict)


def graded_cell_count(params: RadialKSParams, r_core: float, growth: float) -> int:
    """Number of cells of the graded grid of :func:`run_radial` (width h = R / n_r on the core), from its formula.

    n = n_core + ceil(log(1 + (R - n_core h)(g - 1) / (g h)) / log g) + 1 at most: an upper bound, computed
    without building the grid (the work and memory limits are checked with it before any allocation).
    """
    h, R, g = params.h, params.radius, growth
    n_core = RadialGrid3D.core_cells(R, h, r_core)
    rest = max(R - n_core * h, 0.0)
    if g == 1.0:
        return n_core + math.ceil(rest / h)
    n_grow = math.ceil(math.log1p(rest * (g - 1.0) / (g * h)) / math.log1p(g - 1.0))
    return n_core + min(n_grow, math.ceil(rest / h)) + 1


def run_radial(params: RadialKSParams, t_end: float, profile_times=(), n_series: int = 1000,
               backend: str = "numba", *, growth: float = 1.0, r_core: float | None = None,
               dt_max: float | None = None, dt_tol: float = 0.02) -> RadialKSResult:
    """Solve to ``t_end`` (or to a declared blow-up) from the ball start.

    Parameters
    ----------
    params : RadialKSParams
        Problem and grid.
    t_end : float
        Final time [time], > 0; n_steps = round(t_end / dt) (fixed dt).
    profile_times : sequence of float
        Times at which (rho, c) profiles are kept (rounded to the step grid; adaptive dt lands on them).
    n_series : int
        About this many points of the time series (every max(1, n_steps // n_series) steps).
    backend : {"numba", "numpy"}
        The numba kernel or the numpy/solve_banded twin (same scheme).
    growth : float
        Ratio of neighbouring cell widths outside the core, in [1, MAX_GROWTH]. 1 (default): the uniform
        grid of ``params.n_r`` cells. > 1: a graded grid (:meth:`RadialGrid3D.graded`): cells of width
        ``params.h`` = R / n_r on [0, r_core], then widths growing geometrically to R (far fewer cells;
        the first cell, and so the blow-up level, are those of the uniform grid).
    r_core : float or None
        Radius of the uniform core of a graded grid [length], in (0, R]; default min(R, 2 ball_radius).
        Only with growth > 1.
    dt_max : float or None
        None (default): fixed dt = ``params.dt``. Else adaptive dt on the ladder params.dt 2^k <= dt_max
        (numba only): dt halves after a step that changed rho(first cell) by more than ``dt_tol``
        (relative; never below params.dt) and doubles after ADAPT_CHUNK steps that all changed it by
        less than dt_tol / 4. The blow-up criterion is the same.
    dt_tol : float
        Largest relative change of rho(first cell) per step of the adaptive dt, in (0, 1].

    Raises
    ------
    ValueError
        For a bad argument (the message names it).
    verification.validation.LimitError
        Before any work, when round(t_end / dt) steps x cells exceed the work cap (``ACTIVEBENCH_MAX_HOURS``;
        adaptive dt counts its smallest dt, params.dt) or the arrays exceed the free memory.
    RuntimeError
        If the kernel's continuants leave their safe range (rescale the units).
    """
    val.positive(t_end, "t_end")
    val.choice(backend, "backend", ("numba", "numpy"))
    val.integer(n_series, "n_series")  # values < 1 mean 1
    growth = val.real(growth, "growth", lo=1.0, hi=MAX_GROWTH)
    p = params
    if r_core is not None:
        if growth == 1.0:
            raise ValueError(f"r_core is used only with growth > 1 (a graded grid), got r_core = {r_core!r} "
                             "with growth = 1")
        r_core = val.real(r_core, "r_core", lo=0.0, hi=float(p.radius), lo_open=True)
    else:
        r_core = min(float(p.radius), 2.0 * p.ball_radius)
    adaptive = dt_max is not None
    if adaptive:
        dt_max = val.real(dt_max, "dt_max", lo=float(p.dt), hi=math.inf, hi_open=True)
        if backend != "numba":
            raise ValueError("dt_max (adaptive dt) needs backend='numba'; the numpy twin runs fixed dt only")
    dt_tol = val.real(dt_tol, "dt_tol", lo=0.0, hi=1.0, lo_open=True)
    try:
        profile_times = list(profile_times)
    except TypeError:
        raise ValueError(f"profile_times must be a sequence of numbers, got {profile_times!r}") from None
    for i, t in enumerate(profile_times):
        val.real(t, f"profile_times[{i}]")
        if not math.isfinite(t / params.dt):
            raise ValueError(f"profile_times[{i}] / dt must be finite, got {t!r} / {params.dt!r}")
    n_cells = p.n_r if growth == 1.0 else graded_cell_count(p, r_core, growth)
    steps_float = t_end / p.dt  # checked before any int step count (1e300 / dt is no int64)
    val.require_work(max(1.0, steps_float) * n_cells, unit="cell-steps", ns_per_unit=NS_PER_CELL_STEP[backend],
                     what=f"run_radial to t_end = {t_end:g} with dt = {p.dt:g} on n_r = {n_cells} cells",
                     fix="a shorter t_end, a larger dt or fewer cells (n_r)")
    n_steps = max(1, round(t_end / p.dt))
    stride = max(1, n_steps // max(1, n_series))
    wanted: dict[int, list[float]] = {n_steps: [float(t_end)]}
    for t in profile_times:
        wanted.setdefault(min(n_steps, max(0, round(t / p.dt))), []).append(float(t))
    stops = sorted(wanted)
    n_rec = (max(1, n_series) if adaptive else n_steps // stride) + len(stops) + 2
    val.require_memory(8.0 * n_cells * (ARRAYS_PER_CELL + 2 * (len(profile_times) + 1)) + 8.0 * 11 * n_rec,
                       f"run_radial on n_r = {n_cells} cells with {n_rec} series points",
                       "fewer cells (n_r), fewer profile_times or a smaller n_series")
    grid = RadialGrid3D.build(p.radius, p.n_r) if growth == 1.0 else RadialGrid3D.graded(p.radius, p.h, r_core, growth)
    rho = initial_density(p, grid)
    c = np.zeros_like(rho)
    first = (0.0, rho[0], c[0], c.max(), grid.mass(rho))
    upwind = p.flux == "upwind"
    coupling = grid.areas[1:-1] / grid.gaps
    extra = {"h": grid.h, "level": p.blowup_level, "n_cells": grid.n}
    if adaptive:
        times, series, profiles, blew, blow_t, info = _run_adaptive(p, grid, coupling, rho, c, float(t_end),
                                                                    profile_times, n_series, dt_max, dt_tol)
        series = np.column_stack([first[1:], series]) if series.size else np.array(first[1:])[:, None]
        t_rec = np.concatenate(([0.0], times))
        extra.update(info)
    else:
        series = np.full((4, n_rec), np.nan)
        t_rec = np.full(n_rec, np.nan)
        series[:, 0] = first[1:]
        t_rec[0] = 0.0
        rec = 1
        profiles = {}
        if backend == "numba":
            down, up = _factor_c(grid.volumes, coupling, p.mu, p.eps, p.k, p.dt)
            crhs = np.empty(grid.n)
            eg = np.empty((grid.n, 2))
        done = 0
        blew = False
        for stop in stops:
            todo = stop - done
            if todo > 0:
                if backend == "numba":
                    buf = np.full((4, todo // stride + 2), np.nan)
                    steps = np.zeros(todo // stride + 2, dtype=np.int64)
                    n, got, status, _ = _steps(rho, c, grid.volumes, down, up, p.chi / p.mu, todo, done, stride,
                                               p.blowup_level, buf[0], buf[1], buf[2], buf[3], steps, crhs, eg,
                                               upwind, math.inf)
                    _check_status(status, p)
                    m = min(got, n_rec - rec)
                    series[:, rec:rec + m] = buf[:, :m]
                    t_rec[rec:rec + m] = steps[:m] * p.dt
                    rec += m
                    done += n
                    blew = status == 1
                else:
                    for _ in range(todo):
                        rho, c = step_numpy(p, grid, rho, c)
                        done += 1
                        bad = not (np.isfinite(rho[0]) and np.isfinite(c[0])) or rho[0] > p.blowup_level
                        if done % stride == 0 or bad:
                            if rec < n_rec:
                                series[:, rec] = rho[0], c[0], c.max(), grid.mass(rho)
                                t_rec[rec] = done * p.dt
                                rec += 1
                        if bad:
                            blew = True
                            break
            if blew:
                break
            for t in wanted[stop]:
                profiles[t] = (rho.copy(), c.copy())
        blow_t = done * p.dt if blew else math.nan
        extra.update({"n_steps_done": done, "stride": stride})
    keep = np.isfinite(t_rec)
    ok = keep & np.all(np.isfinite(series), axis=0)
    return RadialKSResult(t_rec[ok], series[0, ok], series[1, ok], series[2, ok], series[3, ok],
                          profiles, blew, blow_t, grid.r, p, extra)


def _check_status(status: int, p: RadialKSParams) -> None:
    """Raise for kernel status 3 (continuants out of range: never seen for the validated parameters)."""
    if status == 3:
        raise RuntimeError(f"radial kernel: the rho elimination's continuants left ({Q_SAFE_LO:g}, {Q_SAFE_HI:g}) "
                           f"for {p}; rescale the units (mu, chi, dt, radius)")


def _run_adaptive(p: RadialKSParams, grid: RadialGrid3D, coupling: np.ndarray, rho: np.ndarray, c: np.ndarray,
                  t_end: float, profile_times: list, n_series: int, dt_max: float, dt_tol: float) -> tuple:
    """Adaptive-dt driver of :func:`run_radial` (see its ``dt_max``).

    Returns (times, series (4, m), profiles, blew_up, blow-up time, info).
    """
    stops = sorted({min(t_end, max(0.0, float(t))) for t in profile_times} | {t_end})
    want: dict[float, list[float]] = {}
    for t in [*profile_times, t_end]:
        want.setdefault(min(t_end, max(0.0, float(t))), []).append(float(t))
    factors: dict[float, tuple] = {}
    crhs = np.empty(grid.n)
    eg = np.empty((grid.n, 2))
    upwind = p.flux == "upwind"
    dt_rec = t_end / max(1, n_series)
    times, chunks, profiles = [], [], {}
    t, k, n_steps, n_calls, dt_largest = 0.0, 0, 0, 0, p.dt
    blew = False
    for stop in stops:
        while stop - t > 1e-12 * stop:
            dt = p.dt * 2.0**k
            n_fit = math.floor((stop - t) / dt * (1.0 + 1e-12))
            if n_fit == 0:  # the last, partial step onto the stop
                dt, n, tol = stop - t, 1, math.inf
            else:
                n, tol = min(n_fit, ADAPT_CHUNK), (dt_tol if k > 0 else math.inf)
            if dt not in factors:
                factors[dt] = _factor_c(grid.volumes, coupling, p.mu, p.eps, p.k, dt)
            down, up = factors[dt]
            stride = max(1, min(n, round(dt_rec / dt)))  # at least the chunk's last step (thinned below)
            buf = np.full((4, n // stride + 2), np.nan)
            steps = np.zeros(n // stride + 2, dtype=np.int64)
            done, got, status, big = _steps(rho, c, grid.volumes, down, up, p.chi / p.mu, n, 0, stride,
                                            p.blowup_level, buf[0], buf[1], buf[2], buf[3], steps, crhs, eg,
                                            upwind, tol)
            _check_status(status, p)
            n_calls += 1
            n_steps += done
            dt_largest = max(dt_largest, dt)
            times.append(t + steps[:got] * dt)
            chunks.append(buf[:, :got])
            t += done * dt
            if abs(stop - t) <= 1e-9 * dt:  # on the stop up to round-off of the sum
                t = stop
            if status == 1:
                blew = True
                break
            if status == 2:
                k = max(k - 1, 0)
            elif status == 0 and big < 0.25 * dt_tol and p.dt * 2.0 ** (k + 1) <= dt_max:
                k += 1
        if blew:
            break
        for tt in want[stop]:
            profiles[tt] = (rho.copy(), c.copy())
    times = np.concatenate(times) if times else np.zeros(0)
    series = np.concatenate(chunks, axis=1) if chunks else np.zeros((4, 0))
    if times.size > 1:  # about n_series points: the first record in each interval of t_end / n_series, and the last
        slot = np.floor(times / dt_rec)
        keep = np.append(slot[1:] != slot[:-1], True)
        times, series = times[keep], series[:, keep]
    info = {"n_steps_done": n_steps, "kernel_calls": n_calls, "dt_largest": dt_largest, "adaptive": True}
    return times, series, profiles, blew, (t if blew else math.nan), info


def radial_solver(params: RadialKSParams, t_end: float, profile_times=()) -> RadialKSResult:
    """The solver protocol of the radial checks: ``solver(params, t_end, profile_times) -> RadialKSResult``."""
    return run_radial(params, t_end, profile_times)
