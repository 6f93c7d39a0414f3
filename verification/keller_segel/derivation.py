"""Sympy derivations for Keller-Segel models ([CHEMOTAXIS] §6): linearization, dispersion relations, thresholds.

The linearization is done on the PDE right-hand sides themselves: a Fourier
perturbation ``u = u* + eps U exp(i k x)`` (same for v) is substituted, the O(eps)
term is taken, and the 2x2 symbol A(k) with d/dt (U, V) = A (U, V) is read off.
The growth rate sigma(k) is the larger eigenvalue of A. The discrete operators'
symbols (three-point Laplacian; the seed's central-then-backward chemotactic
difference) are derived the same way, by applying the stencils to exp(i k x).
``numeric()`` lambdifies what the checks use; nothing is typed twice.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import sympy as sp

x = sp.symbols("x", real=True)
k, k2, dx, dt = sp.symbols("k k2 dx dt", positive=True)
eps = sp.symbols("epsilon")
d_u, d_v, chi0, a, ustar = sp.symbols("D_u D_v chi0 a u_star", positive=True)
c, D = sp.symbols("c D", positive=True)
U, V = sp.symbols("U V")


def _linearize(rhs_u, rhs_v, u_star: sp.Expr, v_star: sp.Expr) -> sp.Matrix:
    """Symbol A(k) of the linearization of (u_t, v_t) = (rhs_u(u, v), rhs_v(u, v)) about (u*, v*).

    ``rhs_u``/``rhs_v`` take sympy expressions u(x), v(x) and return the right-hand side,
    using sp.diff in x. The result is written in k^2 (symbol ``k2``) when possible.
    """
    mode = sp.exp(sp.I * k * x)
    uf = u_star + eps * U * mode
    vf = v_star + eps * V * mode
    rows = []
    for rhs in (rhs_u, rhs_v):
        lin = sp.diff(rhs(uf, vf), eps).subs(eps, 0)
        lin = sp.simplify(sp.expand(lin / mode))
        rows.append([sp.expand(lin).coeff(U), sp.expand(lin).coeff(V)])
    A = sp.Matrix(rows)
    return A.subs(k**2, k2)


def _larger_eigenvalue(A: sp.Matrix) -> sp.Expr:
    tr, det = A.trace(), A.det()
    return sp.simplify(tr / 2 + sp.sqrt(tr**2 / 4 - det))


@cache
def ks1d() -> SimpleNamespace:
    """Seed 001 §6.4 model u_t = D_u u_xx - chi0 (u v_x)_x, v_t = D_v v_xx + u - a v about (u*, u*/a).

    Returns
    -------
    SimpleNamespace
        ``A`` (symbol in k2 = k^2), ``sigma`` (larger eigenvalue), ``det``,
        ``band_k2`` (unstable band 0 < k^2 < band_k2), ``threshold_chi0`` (smallest
        chi0 with an unstable band), ``fastest_k2`` (k^2 of the fastest mode, stationary
        point of sigma; D_u != D_v), ``sigma_max`` (its growth rate), ``dsigma_dk2``.
    """
    def rhs_u(u, v):
        return d_u * sp.diff(u, x, 2) - chi0 * sp.diff(u * sp.diff(v, x), x)

    def rhs_v(u, v):
        return d_v * sp.diff(v, x, 2) + u - a * v

    A = _linearize(rhs_u, rhs_v, ustar, ustar / a)
    det = sp.factor(A.det())
    sig = _larger_eigenvalue(A)
    # det = k2 (D_u (D_v k2 + a) - chi0 u*): a growing real eigenvalue iff det < 0.
    roots = [r for r in sp.solve(sp.Eq(sp.cancel(det / k2), 0), k2)]
    band = sp.simplify(roots[0])
    thr = sp.solve(sp.Eq(band, 0), chi0)[0]
    dsig = sp.simplify(sp.diff(sig, k2))
    # Fastest mode: sigma solves s^2 - tr s + det = 0; at ds/dk2 = 0 this gives s = det'/tr' (primes: d/dk2),
    # and substituting back gives an equation for k2 (two roots; the admissible one is picked on the seed's
    # values, where it must lie inside the band). Singular for D_u = D_v (then use the numeric maximum).
    tr = A.trace()
    s_star = sp.simplify(sp.diff(det, k2) / sp.diff(tr, k2))
    roots = sp.solve(sp.Eq(s_star**2 - tr * s_star + det, 0), k2)
    seed_vals = {d_u: 1, d_v: 20, chi0: 25, a: 1, ustar: 1}
    fastest = next(r for r in roots if 0 < float(r.subs(seed_vals)) < float(band.subs(seed_vals)))
    return SimpleNamespace(A=A, det=det, sigma=sig, band_k2=band, threshold_chi0=thr, dsigma_dk2=dsig,
                           fastest_k2=sp.simplify(fastest), sigma_max=sp.simplify(s_star.subs(k2, fastest)))


@cache
def preset2d() -> SimpleNamespace:
    """VisualPDE preset u_t = lap u - div(chi(u) grad v) + u(1 - u), v_t = D lap v + u - a v, chi = c u/(1+u^2).

    The homogeneous states solve u(1 - u) = 0, u - a v = 0; the non-trivial one is used.
    A plane wave exp(i k.x) makes lap -> -|k|^2, so a 1D perturbation gives the symbol with
    k2 = |k|^2. Returns ``A``, ``sigma``, ``u_star``, ``v_star``, ``chi_star`` = chi(u*),
    ``critical_c`` (pattern onset: min over k^2 of det = 0 with a double root),
    ``critical_k2``, ``band_k2`` (the two roots of det = 0 in k^2) and ``dsigma_dk2``.
    """
    u_s, v_s = sp.symbols("u_s v_s")
    states = sp.solve([u_s * (1 - u_s), u_s - a * v_s], [u_s, v_s], dict=True)
    state = next(s for s in states if s[u_s] != 0)

    def chi(u):
        return c * u / (1 + u**2)

    def rhs_u(u, v):
        return sp.diff(u, x, 2) - sp.diff(chi(u) * sp.diff(v, x), x) + u * (1 - u)

    def rhs_v(u, v):
        return D * sp.diff(v, x, 2) + u - a * v

    A = _linearize(rhs_u, rhs_v, state[u_s], state[v_s])
    det = sp.expand(A.det())
    sig = _larger_eigenvalue(A)
    # det is a quadratic in k2; onset when its minimum over k2 touches 0 (double root).
    poly = sp.Poly(det, k2)
    disc = sp.discriminant(poly.as_expr(), k2)
    cands = sp.solve(sp.Eq(disc, 0), c)
    k2_min = sp.solve(sp.diff(det, k2), k2)[0]
    # keep the root for which the double root k2 is positive
    crit = [sp.simplify(r) for r in cands if sp.simplify(k2_min.subs(c, r)).is_positive]
    c_star = crit[0]
    band = sp.solve(sp.Eq(det, 0), k2)  # edges of the unstable band in k^2 (real when c > c*)
    return SimpleNamespace(A=A, det=det, sigma=sig, u_star=state[u_s], v_star=state[v_s],
                           chi_star=chi(state[u_s]), critical_c=c_star, band_k2=band,
                           critical_k2=sp.simplify(k2_min.subs(c, c_star)), dsigma_dk2=sp.simplify(sp.diff(sig, k2)))


@cache
def stencils() -> SimpleNamespace:
    """Symbols of the discrete operators, from the stencils applied to exp(i k x).

    ``lap_k2``: -(symbol of (f_{i+1} - 2 f_i + f_{i-1})/dx^2), the k^2 the three-point
    Laplacian sees. ``seed_chemotaxis``: symbol of the seed's ``(J_i - J_{i-1})/dx`` with
    ``J_i = (v_{i+1} - v_{i-1})/(2 dx)`` acting on v, to compare with -k^2 for d_xx;
    its imaginary part is a spurious first-derivative (advection) term.
    """
    e = sp.exp(sp.I * k * dx)
    lap = sp.simplify(((e - 2 + 1 / e) / dx**2).rewrite(sp.cos))
    lap_k2 = sp.simplify(sp.trigsimp(-lap).rewrite(sp.sin))
    central = (e - 1 / e) / (2 * dx)
    backward = (1 - 1 / e) / dx
    seed = sp.expand((backward * central).rewrite(sp.cos))
    return SimpleNamespace(lap_k2=lap_k2, seed_chemotaxis=seed,
                           seed_re=sp.simplify(sp.re(seed)), seed_im=sp.simplify(sp.im(seed)))


@cache
def numeric() -> SimpleNamespace:
    """Lambdified results used by the checks (numpy functions of plain floats/arrays)."""
    m1, m2, st = ks1d(), preset2d(), stencils()

    def lam(args, expr):
        return sp.lambdify(args, expr, "numpy")

    p1 = (k2, d_u, d_v, chi0, a, ustar)
    p2 = (k2, D, a, c)
    A1 = lam(p1, m1.A)
    A2 = lam(p2, m2.A)

    def euler_rate(A: np.ndarray, step: float) -> float:
        """Growth rate per unit time of forward Euler on d/dt y = A y: log(spectral radius of I + dt A)/dt."""
        lam_ = np.linalg.eigvals(np.eye(A.shape[0]) + step * A)
        return float(np.log(np.max(np.abs(lam_))) / step)

    return SimpleNamespace(
        sigma1d=lam(p1, m1.sigma), A1d=lambda *args: np.array(A1(*args), dtype=float),
        band1d_k2=lam((d_u, d_v, chi0, a, ustar), m1.band_k2),
        threshold1d_chi0=lam((d_u, d_v, a, ustar), m1.threshold_chi0),
        dsigma1d_dk2=lam(p1, m1.dsigma_dk2),
        fastest1d_k2=lam(p1[1:], m1.fastest_k2), sigma1d_max=lam(p1[1:], m1.sigma_max),
        sigma2d=lam(p2, m2.sigma), A2d=lambda *args: np.array(A2(*args), dtype=float),
        critical_c=lam((D, a), m2.critical_c), critical_k2=lam((D, a), m2.critical_k2),
        band2d_k2=lam((D, a, c), sp.Matrix([sorted(m2.band_k2, key=sp.default_sort_key)])),
        lap_k2=lam((k, dx), st.lap_k2), seed_re=lam((k, dx), st.seed_re), seed_im=lam((k, dx), st.seed_im),
        euler_rate=euler_rate,
    )


def fastest_mode_1d(d_u_: float, d_v_: float, chi0_: float, a_: float, u_star: float = 1.0) -> tuple[float, float]:
    """(k_max, sigma_max) of the derived 1D dispersion relation.

    Closed form from :func:`ks1d` when D_u != D_v and the band is non-empty; otherwise a
    bounded scalar maximization of the lambdified sigma in k^2.
    """
    from scipy.optimize import minimize_scalar

    num = numeric()
    top = float(num.band1d_k2(d_u_, d_v_, chi0_, a_, u_star))
    if not top > 0:
        return 0.0, float(num.sigma1d(0.0, d_u_, d_v_, chi0_, a_, u_star))
    if d_u_ != d_v_:
        q = float(np.real(num.fastest1d_k2(d_u_, d_v_, chi0_, a_, u_star)))
        if 0 < q < top:
            return float(np.sqrt(q)), float(np.real(num.sigma1d_max(d_u_, d_v_, chi0_, a_, u_star)))
    res = minimize_scalar(lambda q: -num.sigma1d(q, d_u_, d_v_, chi0_, a_, u_star), bounds=(0.0, top),
                          method="bounded", options={"xatol": 1e-12})
    return float(np.sqrt(res.x)), float(-res.fun)


@cache
def spike_1d() -> SimpleNamespace:
    """Narrow stationary spike of u_t = D_u u_xx - chi0 (u v_x)_x, v_t = D_v v_xx + u - a v.

    Zero flux, D_u u_x = chi0 u v_x, gives u = u_0 exp(chi0 (v - v_0)/D_u). For a spike of mass M
    much narrower than sqrt(D_v/a), integrating D_v v_xx = -u across it gives the kink
    v_x(0+) - v_x(0-) = -M/D_v, symmetric: v - v_0 = -M |x|/(2 D_v) over the spike. Hence
    u = u_0 exp(-|x|/w) with width ``width`` w and height ``height`` u_0 = M/(2 w) from int u = M.
    """
    M, xx = sp.symbols("M x_", positive=True)
    slope = sp.solve(sp.Eq(-2 * sp.Symbol("s") * d_v, -M), sp.Symbol("s"))[0]  # v_x(0+) = -s, v_x(0-) = s
    u0 = sp.Symbol("u0", positive=True)
    u_right = u0 * sp.exp(-chi0 * slope * xx / d_u)  # x > 0
    # zero flux holds: D_u u_x - chi0 u v_x = 0 with v_x = -slope
    flux = sp.simplify(d_u * sp.diff(u_right, xx) - chi0 * u_right * (-slope))
    mass = 2 * sp.integrate(u_right, (xx, 0, sp.oo))
    height = sp.solve(sp.Eq(mass, M), u0)[0]
    width = sp.simplify(1 / (chi0 * slope / d_u))
    return SimpleNamespace(width=width, height=sp.simplify(height), flux_residual=flux, M=M)
