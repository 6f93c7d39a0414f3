"""Sympy derivations for the nonlinear-diffusion chemotaxis model on a disc ([ANTS]).

Model ([ANTS] Eqs. 1-2): rho_t = div(-chi0 rho grad c + D0 rho grad rho),
c_t = f0 rho + nu0 lap c - g0 c. Everything the checks use is derived here from
these two equations and lambdified in :func:`numeric`; the seed's stated forms are
transcribed separately in ``verification.ants.errata``.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import sympy as sp

chi0, D0, f0, nu0, g0, ell = sp.symbols("chi0 D0 f0 nu0 g0 l", positive=True)
rho_c, M, A, k, eta, j = sp.symbols("rho_c M A k eta j", positive=True)
x, t, tau = sp.symbols("x t tau", real=True)


@cache
def rescaled() -> SimpleNamespace:
    """Rescale tau = D0 t, c' = chi0 c / D0 in the c equation ([ANTS] Eq. 11).

    Returns ``kappa`` such that kappa * d_tau c' = lap c' - (g0/nu0) c' + a rho, and ``a``.
    """
    rho = sp.Function("rho")(x)
    cp = sp.Function("cp")(x)
    c_of_cp = D0 * cp / chi0
    # c_t = f0 rho + nu0 c_xx - g0 c; d_tau c' = (chi0/D0) c_t / D0
    dcp_dtau = chi0 / D0 / D0 * (f0 * rho + nu0 * sp.diff(c_of_cp, x, 2) - g0 * c_of_cp)
    # normalise so the coefficient of c'_xx is 1
    coef_lap = sp.simplify(sp.expand(dcp_dtau).coeff(sp.Derivative(cp, (x, 2))))
    kappa = sp.simplify(1 / coef_lap)
    rhs = sp.expand(kappa * dcp_dtau)
    a = sp.simplify(rhs.coeff(rho))
    g_over_nu = sp.simplify(-rhs.coeff(cp))
    return SimpleNamespace(kappa=kappa, a=a, g_over_nu=g_over_nu)


@cache
def lyapunov() -> SimpleNamespace:
    """The functional W (Eq. 18) and its dissipation identity (Eq. 17), derived.

    W density w = a (rho^2/2 - rho c') + (g0/(2 nu0)) c'^2 + |c'_x|^2/2. With
    rho_tau = (rho Z_x)_x (Z = rho - c') and kappa c'_tau = c'_xx - (g0/nu0) c' + a rho,
    dW/dtau = int dW/drho rho_tau + dW/dc' c'_tau; the variational derivatives come
    from sympy's Euler-Lagrange operator, then integration by parts (Neumann) gives
    -dW/dtau = coef_c int c'_tau^2 + coef_rho int rho |Z_x|^2.
    """
    rs = rescaled()
    a, kappa = rs.a, rs.kappa
    rho = sp.Function("rho")(x)
    cp = sp.Function("cp")(x)
    w = a * (rho**2 / 2 - rho * cp) + g0 / (2 * nu0) * cp**2 + sp.diff(cp, x) ** 2 / 2
    eqs = sp.calculus.euler.euler_equations(w, [rho, cp], x)
    dW_drho = sp.simplify(eqs[0].lhs)
    dW_dcp = sp.simplify(eqs[1].lhs)
    cp_tau = (sp.diff(cp, x, 2) - rs.g_over_nu * cp + a * rho) / kappa
    # dW/dc' = -kappa c'_tau  => contribution -kappa int c'_tau^2
    coef_c = sp.simplify(-dW_dcp / cp_tau)
    # dW/drho = a Z; int a Z (rho Z_x)_x = -a int rho Z_x^2
    coef_rho = sp.simplify(dW_drho / (rho - cp))
    return SimpleNamespace(density=w, dW_drho=dW_drho, dW_dcp=dW_dcp, coef_c=coef_c, coef_rho=coef_rho,
                           a=a, g_over_nu=rs.g_over_nu)


@cache
def homogeneous() -> SimpleNamespace:
    """W of the homogeneous state rho = rho_c, c = (f0/g0) rho_c on a disc of radius l (Eq. 19)."""
    ly = lyapunov()
    cp_val = chi0 / D0 * f0 / g0 * rho_c
    w = ly.a * (rho_c**2 / 2 - rho_c * cp_val) + g0 / (2 * nu0) * cp_val**2
    W = sp.factor(sp.simplify(w * sp.pi * ell**2))
    return SimpleNamespace(W=W, W_of_M=sp.factor(sp.simplify(W.subs(rho_c, M / (sp.pi * ell**2)))),
                           c_const=f0 / g0 * rho_c)


@cache
def linear() -> SimpleNamespace:
    """Linear stability of the homogeneous state (Eqs. 20-24): dispersion relation and K^2."""
    # perturbations ~ mode with lap -> -k^2
    mat = sp.Matrix([[-D0 * rho_c * k**2, chi0 * rho_c * k**2], [f0, -g0 - nu0 * k**2]])
    charpoly = mat.charpoly(eta).as_expr()
    # charpoly may return its variable without our assumptions: map it back by name
    charpoly = sp.expand(charpoly.subs({s: eta for s in charpoly.free_symbols if s.name == "eta"}))
    growth = sp.simplify(sp.Rational(1, 2) * (mat.trace() + sp.sqrt(mat.trace() ** 2 - 4 * mat.det())))
    det = sp.factor(mat.det())
    K2 = sp.solve(sp.Eq(sp.expand(mat.det() / (rho_c * k**2)), 0), k**2)[0]
    f0_star = sp.solve(sp.Eq(K2, j**2 / ell**2), f0)[0]
    return SimpleNamespace(charpoly=charpoly, growth=growth, det=det, K2=sp.simplify(K2), f0_star=f0_star)


@cache
def most_unstable() -> SimpleNamespace:
    """Most unstable wavenumber k_u^2 for g0 -> 0 (Eq. 25), from d eta/d(k^2) = 0."""
    q = sp.symbols("q", positive=True)
    eta_q = linear().growth.subs(g0, 0).subs(k, sp.sqrt(q))
    sols = sp.solve(sp.Eq(sp.diff(eta_q, q), 0), q)
    sols = [sp.simplify(s) for s in sols]
    return SimpleNamespace(candidates=sols, ku2=sols[0] if sols else None, eta_q=eta_q)


@cache
def modal() -> SimpleNamespace:
    """Radial normal-mode form of W per mode (Eqs. 45-46), from the per-mode integrals.

    For one radial mode J0(j r/l) with amplitudes E (rho) and G (c), and
    int_0^l r J0^2 dr = int_0^l r J1^2 dr = (l^2/2) J0(j)^2 (J1(j) = 0), W/(pi l^2)
    restricted to that mode is (1/2) J0(j)^2 * q(E, G); ``q`` is derived here.
    """
    ly = lyapunov()
    E, G, J0sq = sp.symbols("E G J0sq", real=True)
    s = chi0 / D0
    # disc averages (1/(pi l^2)) int: rho^2 -> J0sq E^2, rho c' -> J0sq E s G, c'^2 -> J0sq s^2 G^2,
    # |grad c'|^2 -> (j/l)^2 J0sq s^2 G^2
    Wm = (ly.a * (J0sq * E**2 / 2 - J0sq * E * s * G) + g0 / (2 * nu0) * J0sq * s**2 * G**2
          + (j / ell) ** 2 * J0sq * s**2 * G**2 / 2)
    y = sp.Matrix([E, s * G])
    H = sp.hessian(Wm / (J0sq / 2), (E, G))
    # matrix in the (E, s G) basis
    T = sp.diag(1, 1 / s)
    Q = sp.simplify(T * H * T / 2)
    return SimpleNamespace(W_mode=sp.expand(Wm), Q=Q, y=y, E=E, G=G, J0sq=J0sq)


@cache
def numeric() -> SimpleNamespace:
    """Lambdified results used by the checks."""
    ly, hom, lin, mo = lyapunov(), homogeneous(), linear(), modal()
    pars = (chi0, D0, f0, nu0, g0)

    def lam(args, expr):
        return sp.lambdify(args, expr, "numpy")

    return SimpleNamespace(
        a=lam(pars, ly.a),
        coef_c=lam(pars, ly.coef_c),
        coef_rho=lam(pars, ly.coef_rho),
        W_hom=lam((*pars, rho_c, ell), hom.W),
        growth=lam((*pars, rho_c, k), lin.growth),
        K2=lam(pars, lin.K2),
        f0_star=lam((chi0, D0, nu0, g0, ell, j), lin.f0_star),
        Q=lam((*pars, ell, j), mo.Q),
    )
