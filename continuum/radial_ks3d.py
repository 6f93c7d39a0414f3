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
NS_PER_CELL_STEP = {"numba": 15.0, "numpy": 50.0}
#: float64 arrays of n_r values a run holds at once besides its profiles (grid: r, faces, areas,
#: volumes; rho, c and the start's temporaries; the c factorization and the kernel's work rows, or
#: the twin's two banded matrices and right-hand sides), an upper count.
ARRAYS_PER_CELL = 24


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
    """Cell geometry: centres r [length], faces f (n+1), face areas f^2, volumes V (without 4 pi)."""

    r: np.ndarray
    faces: np.ndarray
    areas: np.ndarray
    volumes: np.ndarray
    h: float

    @classmethod
    def build(cls, radius: float, n: int) -> RadialGrid3D:
        """Uniform grid of n cells on [0, radius]."""
        radius = val.positive(radius, "radius")
        n = val.integer(n, "n", lo=1)
        val.require_memory(8.0 * 8 * n, f"the radial grid of n = {n} cells", "fewer cells (n_r)")
        h = radius / n
        f = h * np.arange(n + 1, dtype=float)
        return cls((np.arange(n) + 0.5) * h, f, f**2, (f[1:] ** 3 - f[:-1] ** 3) / 3.0, h)

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


@njit(cache=True, inline="always")
def _weight(x: float, upwind: bool) -> float:
    """A(x) = max(x, 1 + x/2, 0) (hybrid: central for |x| <= 2, upwind beyond) or 1 + max(x, 0) (upwind)."""
    if upwind:
        return 1.0 + max(x, 0.0)
    return max(x, 1.0 + 0.5 * x, 0.0)


@njit(cache=True)
def _factor_c(V, areas, h, eps, k, dt):
    """Thomas factorization of the (constant) c matrix of step 1: returns (sub, cp, inv)."""
    n = V.size
    sub = np.empty(n)
    sup = np.empty(n)
    dia = np.empty(n)
    s = eps / dt + k * k
    for i in range(n):
        dl = areas[i] / h
        du = areas[i + 1] / h if i < n - 1 else 0.0  # Neumann at r = R: no flux
        sub[i] = -dl
        sup[i] = -du
        dia[i] = V[i] * s + dl + du
    cp = np.empty(n)
    inv = np.empty(n)
    inv[0] = 1.0 / dia[0]
    cp[0] = sup[0] * inv[0]
    for i in range(1, n):
        inv[i] = 1.0 / (dia[i] - sub[i] * cp[i - 1])
        cp[i] = sup[i] * inv[i]
    return sub, cp, inv


@njit(cache=True)
def _steps(rho, c, V, areas, h, mu, chi, eps, dt, sub, cp, inv, n_steps, offset, stride, level,
           out_rho0, out_c0, out_cmax, out_mass, out_step, work, upwind):
    """Advance (rho, c) in place by up to n_steps steps of the scheme in the module docstring.

    Records rho(r_0), c(r_0), max c, 4 pi sum V rho and the global step number whenever
    ``offset + step`` is a multiple of ``stride`` (after the step), and at a blow-up.
    Returns (steps done, records written); fewer steps than n_steps means a blow-up was declared.

    Sweep order (why: two passes per step instead of four, each carrying two independent
    recurrences that the CPU overlaps): the rho system is eliminated from r = R inwards and
    back-substituted outwards. Downward pass: back-substitution of c^{n+1} fused with the
    elimination of rho row i + 1 (its faces need c_i, c_{i+1}, c_{i+2}). Upward pass:
    back-substitution of rho^{n+1} fused with the forward sweep of the next step's c system.
    """
    n = rho.size
    crhs = work[0]
    e = work[1]
    g = work[2]
    w = mu / h
    kc = chi / mu
    ed = eps / dt
    Vd = V / dt
    rec = 0
    prev = 0.0
    for i in range(n):  # forward sweep of the first step's c system
        prev = (V[i] * (eps / dt * c[i] + rho[i]) - sub[i] * prev) * inv[i]
        crhs[i] = prev
    for step in range(n_steps):
        # downward: c_j, then face j+1 and row j+1 of the rho system
        c[n - 1] = crhs[n - 1]
        ap_out = 0.0  # face i+1 of row i (zero flux at r = R)
        am_out = 0.0
        enext = 0.0
        gnext = 0.0
        for j in range(n - 2, -1, -1):
            c[j] = crhs[j] - cp[j] * c[j + 1]
            pe = kc * (c[j + 1] - c[j])
            wf = w * areas[j + 1]
            ap_in = wf * _weight(pe, upwind)
            am_in = wf * _weight(-pe, upwind)
            i = j + 1
            # row i: lower -ap_in, diagonal V_i/dt + ap_out + am_in, upper -am_out
            m = 1.0 / (Vd[i] + ap_out + am_in + am_out * enext)
            enext = -ap_in * m
            v = (Vd[i] * rho[i] + am_out * gnext) * m
            gnext = v if abs(v) > FLUSH else 0.0
            e[i] = enext
            g[i] = gnext
            ap_out = ap_in
            am_out = am_in
        v = (Vd[0] * rho[0] + am_out * gnext) / (Vd[0] + ap_out + am_out * enext)  # row 0: no inner face
        x = v if abs(v) > FLUSH else 0.0
        rho[0] = x
        # upward: rho^{n+1}_i, then row i of the next step's c forward sweep
        prev = V[0] * (ed * c[0] + x) * inv[0]
        crhs[0] = prev
        for i in range(1, n):
            v = g[i] - e[i] * x
            x = v if abs(v) > FLUSH else 0.0
            rho[i] = x
            prev = (V[i] * (ed * c[i] + x) - sub[i] * prev) * inv[i]
            crhs[i] = prev
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
            return step + 1, rec
    return n_steps, rec


def step_numpy(params: RadialKSParams, grid: RadialGrid3D, rho: np.ndarray, c: np.ndarray) -> tuple:
    """One step of the same scheme with numpy and ``scipy.linalg.solve_banded`` (the readable twin).

    Returns new arrays (rho^{n+1}, c^{n+1}); see the module docstring for the equations.
    """
    p, V, a, h = params, grid.volumes, grid.areas, grid.h
    n = rho.size
    dl = a[:-1] / h  # face i (inner face of cell i); dl[0] = 0
    du = np.append(a[1:-1] / h, 0.0)  # face i+1 (outer face); Neumann at R
    ab = np.zeros((3, n))
    ab[0, 1:] = -du[:-1]
    ab[1] = V * (p.eps / p.dt + p.k**2) + dl + du
    ab[2, :-1] = -dl[1:]
    c_new = solve_banded((1, 1), ab, V * (p.eps / p.dt * c + rho))
    pe = p.chi * np.diff(c_new) / p.mu
    wf = p.mu / h * a[1:-1]
    if p.flux == "upwind":
        ap, am = wf * (1 + np.maximum(pe, 0)), wf * (1 + np.maximum(-pe, 0))
    else:
        ap = wf * np.maximum.reduce([pe, 1 + pe / 2, np.zeros_like(pe)])
        am = wf * np.maximum.reduce([-pe, 1 - pe / 2, np.zeros_like(pe)])
    ab = np.zeros((3, n))
    ab[1] = V / p.dt
    ab[1, :-1] += ap
    ab[1, 1:] += am
    ab[0, 1:] = -am
    ab[2, :-1] = -ap
    rho_new = solve_banded((1, 1), ab, V / p.dt * rho)
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


def run_radial(params: RadialKSParams, t_end: float, profile_times=(), n_series: int = 1000,
               backend: str = "numba") -> RadialKSResult:
    """Solve to ``t_end`` (or to a declared blow-up) from the ball start.

    Parameters
    ----------
    params : RadialKSParams
        Problem and grid.
    t_end : float
        Final time [time], > 0; n_steps = round(t_end / dt).
    profile_times : sequence of float
        Times at which (rho, c) profiles are kept (rounded to the step grid).
    n_series : int
        About this many points of the time series (every max(1, n_steps // n_series) steps).
    backend : {"numba", "numpy"}
        The numba kernel or the numpy/solve_banded twin (same scheme).

    Raises
    ------
    ValueError
        For a bad argument (the message names it).
    verification.validation.LimitError
        Before any work, when round(t_end / dt) steps x n_r cells exceed the work cap
        (``ACTIVEBENCH_MAX_HOURS``) or the arrays exceed the free memory.
    """
    val.positive(t_end, "t_end")
    val.choice(backend, "backend", ("numba", "numpy"))
    val.integer(n_series, "n_series")  # values < 1 mean 1
    try:
        profile_times = list(profile_times)
    except TypeError:
        raise ValueError(f"profile_times must be a sequence of numbers, got {profile_times!r}") from None
    for i, t in enumerate(profile_times):
        val.real(t, f"profile_times[{i}]")
        if not math.isfinite(t / params.dt):
            raise ValueError(f"profile_times[{i}] / dt must be finite, got {t!r} / {params.dt!r}")
    p = params
    steps_float = t_end / p.dt  # checked before any int step count (1e300 / dt is no int64)
    val.require_work(max(1.0, steps_float) * p.n_r, unit="cell-steps", ns_per_unit=NS_PER_CELL_STEP[backend],
                     what=f"run_radial to t_end = {t_end:g} with dt = {p.dt:g} on n_r = {p.n_r} cells",
                     fix="a shorter t_end, a larger dt or fewer cells (n_r)")
    n_steps = max(1, round(t_end / p.dt))
    stride = max(1, n_steps // max(1, n_series))
    wanted: dict[int, list[float]] = {n_steps: [float(t_end)]}
    for t in profile_times:
        wanted.setdefault(min(n_steps, max(0, round(t / p.dt))), []).append(float(t))
    stops = sorted(wanted)
    n_rec = n_steps // stride + len(stops) + 2
    val.require_memory(8.0 * p.n_r * (ARRAYS_PER_CELL + 2 * (len(profile_times) + 1)) + 8.0 * 11 * n_rec,
                       f"run_radial on n_r = {p.n_r} cells with {n_rec} series points",
                       "fewer cells (n_r), fewer profile_times or a smaller n_series")
    grid = RadialGrid3D.build(p.radius, p.n_r)
    rho = initial_density(p, grid)
    c = np.zeros_like(rho)
    series = np.full((4, n_rec), np.nan)
    t_rec = np.full(n_rec, np.nan)
    series[:, 0] = rho[0], c[0], c.max(), grid.mass(rho)
    t_rec[0] = 0.0
    rec = 1
    profiles = {}
    if backend == "numba":
        sub, cp, inv = _factor_c(grid.volumes, grid.areas, grid.h, p.eps, p.k, p.dt)
        work = np.empty((3, p.n_r))
    done = 0
    blew = False
    for stop in stops:
        todo = stop - done
        if todo > 0:
            if backend == "numba":
                buf = np.full((4, todo // stride + 2), np.nan)
                steps = np.zeros(todo // stride + 2, dtype=np.int64)
                n, got = _steps(rho, c, grid.volumes, grid.areas, grid.h, p.mu, p.chi, p.eps, p.dt, sub, cp, inv,
                                todo, done, stride, p.blowup_level, buf[0], buf[1], buf[2], buf[3], steps, work,
                                p.flux == "upwind")
                m = min(got, n_rec - rec)
                series[:, rec:rec + m] = buf[:, :m]
                t_rec[rec:rec + m] = steps[:m] * p.dt
                rec += m
                done += n
                blew = n < todo
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
    keep = np.isfinite(t_rec)
    ok = keep & np.all(np.isfinite(series), axis=0)
    blow_t = done * p.dt if blew else math.nan
    return RadialKSResult(t_rec[ok], series[0, ok], series[1, ok], series[2, ok], series[3, ok],
                          profiles, blew, blow_t, grid.r, p,
                          {"n_steps_done": done, "stride": stride, "h": grid.h, "level": p.blowup_level})


def radial_solver(params: RadialKSParams, t_end: float, profile_times=()) -> RadialKSResult:
    """The solver protocol of the radial checks: ``solver(params, t_end, profile_times) -> RadialKSResult``."""
    return run_radial(params, t_end, profile_times)
