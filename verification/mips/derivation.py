"""Sympy derivations for motility-induced phase separation ([MIPS] §4-6).

* Flux of run-and-tumble walkers with density-dependent speed v(g), in d dimensions, from
  the angular moment hierarchy closed at the first moment (isotropic tumbles at rate alpha,
  new direction uniform): J = -(v / (d alpha)) grad(v g), so
  D_eff(g) = (v^2 + g v v') / (d alpha).  In 1D with reversal probability 1/2 the same
  closure gives J = -(v/alpha) d_x(v g) ([MIPS] §2, §4.2 with alpha = 1).
* The Cahn-Hilliard bulk term of [MIPS] §5.1: f'' against D_eff (1D, alpha = 1).
* The gradient-flow form of §6: J = -M(g) d_x mu_eff with mu_eff = log g + log v and the
  mobility that reproduces the flux, M(g) = g v^2 / (d alpha) -- equal to the seed's g v^2
  only for d alpha = 1.
* Spinodal: D_eff < 0  <=>  d(g v)/dg < 0 (v > 0), and the F_eff bulk density phi(g).

Everything the checks use comes out of :func:`numeric` (lambdified).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import sympy as sp

g, s, theta = sp.symbols("g s theta", positive=True)
v0, g_star, alpha = sp.symbols("v0 g_star alpha", positive=True)
d = sp.symbols("d", positive=True, integer=True)
x, y = sp.symbols("x y", real=True)
V = sp.Function("v")


def v_linear(q: sp.Expr) -> sp.Expr:
    """Default motility v(q) = v0 (1 - q/g*) ([MIPS] §4)."""
    return v0 * (1 - q / g_star)


@cache
def flux_2d() -> SimpleNamespace:
    """2D isotropic tumbles: psi(x, theta); moments rho, m = int e psi, Q = int (ee - I/2) psi.

    d_t psi = -div(v e psi) - alpha psi + alpha rho / (2 pi). Taking the first moment,
    d_t m_i = -d_j [v int e_i e_j psi] - alpha m_i; with the closure Q = 0 (fast relaxation of
    the nematic moment, adiabatic) int e_i e_j psi = rho delta_ij * <e_i e_j>_iso; the
    isotropic average is computed here by integrating over theta. Setting d_t m = 0 gives m.
    """
    e = sp.Matrix([sp.cos(theta), sp.sin(theta)])
    iso = (e * e.T).applyfunc(lambda q: sp.integrate(q, (theta, 0, 2 * sp.pi)) / (2 * sp.pi))
    rho = sp.Function("rho")(x, y)
    vv = V(rho)
    # m_i = -(1/alpha) d_j [v rho iso_ij]
    m = [-(sp.diff(vv * rho * iso[i, 0], x) + sp.diff(vv * rho * iso[i, 1], y)) / alpha for i in range(2)]
    J = [sp.simplify(vv * mi) for mi in m]
    gx = sp.Symbol("g_x")
    # D_eff: coefficient of -d_x rho in J_x
    Jx = J[0].subs(sp.Derivative(rho, x), gx).subs(rho, g)
    D = sp.simplify(-sp.diff(Jx, gx))
    return SimpleNamespace(J=J, D=D, iso=iso)


@cache
def flux_1d() -> SimpleNamespace:
    """1D: P+-, reversal probability 1/2 at rate alpha. m = P+ - P-; d_t m = -d_x(v g) - alpha m."""
    gf = sp.Function("g")(x)
    m_slow = -sp.diff(V(gf) * gf, x) / alpha
    J = V(gf) * m_slow
    gx = sp.Symbol("g_x")
    D = sp.simplify(-sp.diff(J.subs(sp.Derivative(gf, x), gx).subs(gf, g), gx))
    return SimpleNamespace(J=J, D=D)


@cache
def mips() -> SimpleNamespace:
    """D_eff in d dimensions, gradient-flow form, spinodal, CH f and F_eff for v linear."""
    D1 = flux_1d().D
    D2 = flux_2d().D
    # general d: D2 has 1/(2 alpha), D1 has 1/alpha -> 1/(d alpha)
    Dd = sp.simplify(D1 / d)
    mu_eff = sp.log(g) + sp.log(V(g))
    # mobility that reproduces the flux: M mu_eff' = D_eff
    M = sp.simplify(Dd / sp.diff(mu_eff, g))
    # Cahn-Hilliard f' of [MIPS] §5.1 (stated); derived: integrate D_eff (1D, alpha = 1)
    f_prime_seed = v0**2 * (g - 3 * g**2 / (2 * g_star) + 2 * g**3 / (3 * g_star**2))
    D_lin = sp.expand(D1.subs(V(g), v_linear(g)).doit().subs(alpha, 1))
    f_prime = sp.integrate(D_lin.subs(g, s), (s, 0, g))
    f = sp.integrate(f_prime.subs(g, s), (s, 0, g))
    # int_0^g log v(s) ds with w = 1 - s/g* (w in (0, 1], no branch cuts): ds = -g* dw
    w, w1 = sp.symbols("w w_1", positive=True)
    int_log_v = g * sp.log(v0) - g_star * sp.integrate(sp.log(w), (w, 1, w1)).subs(w1, 1 - g / g_star)
    phi = g * sp.log(g) - g + int_log_v
    assert sp.simplify(sp.diff(phi, g) - (sp.log(g) + sp.log(v_linear(g)))) == 0
    spin_poly = sp.diff(g * v_linear(g), g)
    spinodal = sp.solve(sp.Eq(D_lin, 0), g)
    return SimpleNamespace(D1=D1, D2=D2, Dd=Dd, mu_eff=mu_eff, M=M, f_prime_seed=f_prime_seed,
                           f_prime=f_prime, f=f, D_lin=D_lin, phi=phi, spin_poly=spin_poly,
                           spinodal=sorted(spinodal, key=lambda r: float(r.subs({g_star: 2}))))


@cache
def numeric() -> SimpleNamespace:
    """Lambdified results (numpy), for v(g) = v0 (1 - g/g*) unless a callable is asked for."""
    r = mips()
    lin = {V(g): v_linear(g)}

    def lam(args, expr):
        return sp.lambdify(args, sp.simplify(expr.subs(lin).doit()), "numpy")

    return SimpleNamespace(
        D_eff_1d=lam((g, v0, g_star, alpha), r.D1),
        D_eff_2d=lam((g, v0, g_star, alpha), r.D2),
        mobility=lam((g, v0, g_star, alpha, d), r.M),
        mu_eff=lam((g, v0, g_star), r.mu_eff),
        f_prime=lam((g, v0, g_star), r.f_prime),
        f=lam((g, v0, g_star), r.f),
        phi=lam((g, v0, g_star), r.phi),
        phi_prime=lam((g, v0, g_star), sp.diff(r.phi, g)),
        spinodal=[sp.lambdify((v0, g_star), q) for q in r.spinodal],
    )


def binodal_phi(v0_: float = 1.0, g_star_: float = 2.0) -> dict:
    """Lower convex hull of the F_eff bulk density phi on (0, g*) for linear v.

    For v = v0 (1 - g/g*) the chemical potential mu = log(g v) is symmetric about g*/2 and
    the equal-mu, equal-pressure pair inside (0, g*) does not exist (the pressure difference
    is 2(1-u) - log((2-u)/u) != 0 in units g* = 2); phi(g*) is finite while phi' -> -inf,
    so the convex hull is the tangent from a gas density g_gas to the end point g = g*.
    Returns ``{"gas": g_gas, "liquid": g*, "tangent": True}``.
    """
    from scipy.optimize import brentq

    num = numeric()
    phi = lambda q: float(num.phi(q, v0_, g_star_))  # noqa: E731
    dphi = lambda q: float(num.phi_prime(q, v0_, g_star_))  # noqa: E731
    end = phi(g_star_ * (1 - 1e-15))
    h = lambda q: dphi(q) - (end - phi(q)) / (g_star_ - q)  # noqa: E731
    gas = brentq(h, 1e-6 * g_star_, 0.5 * g_star_ - 1e-12, xtol=1e-14)
    return {"gas": gas, "liquid": g_star_, "tangent": True}


@cache
def linear_walkers_1d() -> SimpleNamespace:
    """Exact linear theory of 1D density-dependent walkers about g0 (no adiabatic elimination).

    With g = P+ + P-, m = P+ - P-: d_t g = -d_x(v m), d_t m = -d_x(v g) - alpha m, v = v(K*g).
    A mode exp(i k x) of (dg, dm) obeys d/dt (dg, dm) = A (dg, dm) with
    A = [[0, -i k V], [-i k (V + g0 V' K^), -alpha]] (V = v(g0), V' = v'(g0), K^ the kernel's
    transfer function). Returns the eigenvalues and the amplitude ratio dg(t)/dg(0) for dm(0) = 0.
    """
    k, g0, Vv, Vp, Kh, t = sp.symbols("k g_0 V V_p K_hat t")
    A = sp.Matrix([[0, -sp.I * k * Vv], [-sp.I * k * (Vv + g0 * Vp * Kh), -alpha]])
    lam = sp.symbols("lambda")
    char = sp.expand((A - lam * sp.eye(2)).det())
    roots = sp.solve(char, lam)
    lp, lm = roots[0], roots[1]
    # dg(t) = c+ e^{l+ t} + c- e^{l- t}, dg(0) = 1, dg'(0) = A[0,1] dm(0) = 0
    ratio = (lp * sp.exp(lm * t) - lm * sp.exp(lp * t)) / (lp - lm)
    return SimpleNamespace(char=char, roots=roots, ratio=ratio, syms=(k, g0, Vv, Vp, Kh, alpha, t))


def linear_ratio_1d():
    """Numpy function ratio(k, g0, V, V', K^, alpha, t) = dg(t)/dg(0) (complex arithmetic, real result)."""
    r = linear_walkers_1d()
    f = sp.lambdify(r.syms, r.ratio, "numpy")

    def ratio(k, g0, V, Vp, Kh, al, t):
        args = (complex(k), complex(g0), complex(V), complex(Vp), complex(Kh), complex(al))
        return np.real(f(*args, np.asarray(t) + 0j))

    return ratio


def growth_rate_1d():
    """Numpy function: largest real part of the eigenvalues."""
    r = linear_walkers_1d()
    fs = [sp.lambdify(r.syms[:-1], q, "numpy") for q in r.roots]
    return lambda *a: max(float(np.real(f(*[complex(z) for z in a]))) for f in fs)


@cache
def density_flux() -> SimpleNamespace:
    """The Schnitzer flux with v = v(g(x)) and alpha = 1 ([MIPS] §4.2), and the dissipation integrand of §6.3.

    ``flux``: J for a density profile ``gfield(x)`` (from :func:`verification.rt1d.derivation.schnitzer`);
    ``dissipation``: mu d_x[M d_x mu] - d_x(mu M d_x mu) for functions M(x), mu(x) -- the integrand of
    dF_eff/dt after removing the total derivative (zero integral on a periodic domain).
    """
    from verification.rt1d import derivation as rt

    gf = sp.Function("gfield")(x)
    sch = rt.schnitzer()
    flux = sp.expand(sch.flux.subs(sch.alpha_fn, 1).subs(rt.v, V(gf)).subs(rt.g, gf).doit())
    mob, mu = sp.Function("M")(x), sp.Function("mu")(x)
    dissipation = sp.expand(mu * sp.diff(mob * sp.diff(mu, x), x) - sp.diff(mu * mob * sp.diff(mu, x), x))
    return SimpleNamespace(flux=flux, gfield=gf, dissipation=dissipation, M=mob, mu=mu)
