"""Sympy derivations for the SIPF method of [SIPF] (3D parabolic-parabolic Keller-Segel).

Model ([SIPF] Eq. 1): rho_t = div(mu grad rho - chi rho grad c), eps c_t = Lap c - k^2 c + rho.
Derived here, from the model and the implicit-Euler step (Eq. 22) only:

* the Green's function K = -exp(-beta r)/(4 pi r) of Lap - beta^2, beta^2 = k^2 + eps/dt
  (Eq. 25): it solves the homogeneous equation for r > 0 and carries unit flux, its Fourier
  transform is -1/(|w|^2 + beta^2) (Eq. 26), and grad K in closed form (Eq. 31);
* the mode update of c_n (Eq. 24 in Fourier space) and the two coefficients of Eq. (32);
* the mass identity eps dc0/dt = -k^2 c0 + M0 (Eq. 41), its solution (Eq. 42), and the exact
  solution of the backward-Euler recursion the method applies to the zero mode;
* free diffusion (chi = 0): E|X(t)|^2 = |X0|^2 + 2 d mu t (Ito / generator of the SDE Eq. 17).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import sympy as sp

mu, chi, eps, k, L, dt, M0, beta = sp.symbols("mu chi epsilon k L delta_t M_0 beta", positive=True)
r, w, t = sp.symbols("r omega t", positive=True)
n = sp.symbols("n", integer=True, nonnegative=True)
C0 = sp.symbols("C_0", real=True)
a_prev, rho_hat, w2 = sp.symbols("alpha_prev rho_hat w2", real=True)


@cache
def green() -> SimpleNamespace:
    """K(r), its radial derivative, the Fourier transform and the checks that K is the Green's function.

    Returns ``K``, ``dK`` (dK/dr), ``residual`` ((Lap - beta^2) K for r > 0, should be 0),
    ``flux`` (lim_{r->0} 4 pi r^2 dK/dr, should be 1: Lap K - beta^2 K = delta),
    ``FK`` (the 3D transform int K exp(-i w.x) dx = 4 pi int_0^oo K r^2 sin(w r)/(w r) dr),
    ``gradK_factor`` (grad K(x) = x * gradK_factor(|x|)).
    """
    K = -sp.exp(-beta * r) / (4 * sp.pi * r)
    dK = sp.simplify(sp.diff(K, r))
    lap = sp.diff(r**2 * sp.diff(K, r), r) / r**2
    residual = sp.simplify(lap - beta**2 * K)
    flux = sp.limit(4 * sp.pi * r**2 * dK, r, 0)
    FK = sp.simplify(4 * sp.pi * sp.integrate(K * r**2 * sp.sin(w * r) / (w * r), (r, 0, sp.oo)))
    return SimpleNamespace(K=K, dK=dK, residual=residual, flux=flux, FK=FK,
                           gradK_factor=sp.simplify(dK / r))


@cache
def field_step() -> SimpleNamespace:
    """Mode update from Eq. (22): eps (c_n - c_{n-1})/dt = (Lap - k^2) c_n + rho_n, per Fourier mode.

    ``alpha_n`` in terms of ``alpha_prev``, ``rho_hat`` and ``w2 = |w|^2``; ``A_c`` and ``B``
    the coefficients of alpha_prev and rho_hat (Eq. 32); ``Mc`` the fixed point of
    |c| <= A_c |c| + B M_rho (Eq. 33).
    """
    a_n = sp.symbols("alpha_n")
    sol = sp.solve(sp.Eq(eps * (a_n - a_prev) / dt, -(w2 + k**2) * a_n + rho_hat), a_n)[0]
    A_c = sp.simplify(sp.diff(sol, a_prev))
    B = sp.simplify(sp.diff(sol, rho_hat))
    Mrho = sp.symbols("M_rho", positive=True)
    mc = sp.symbols("M_c")
    Mc = sp.simplify(sp.solve(sp.Eq(mc, A_c * mc + B * Mrho), mc)[0])
    beta2 = k**2 + eps / dt
    return SimpleNamespace(alpha_n=sol, A_c=A_c, B=B, Mc=Mc, beta2=beta2,
                           multiplier=sp.simplify(B * (w2 + beta2) / (w2 + beta2)))


@cache
def mass_identity() -> SimpleNamespace:
    """c0(t) = int c: integrate the c equation over Omega (no flux), solve the ODE and the BE recursion.

    ``ode_rhs``: dc0/dt; ``c0``: solution with c0(0) = C0 (Eq. 42); ``c0_be``: the n-th
    backward-Euler iterate c0_n = (eps/dt c0_{n-1} + M0)/(k^2 + eps/dt), c0_0 = C0 (rsolve);
    ``ratio``: its contraction factor r = eps/(eps + k^2 dt).
    """
    f = sp.Function("c0")
    ode = sp.Eq(eps * f(t).diff(t), -k**2 * f(t) + M0)
    c0 = sp.simplify(sp.dsolve(ode, f(t), ics={f(0): C0}).rhs)
    y = sp.Function("y")
    rec = y(n + 1) - (eps / dt * y(n) + M0) / (k**2 + eps / dt)
    c0_be = sp.simplify(sp.rsolve(rec, y(n), {y(0): C0}))
    ratio = sp.simplify(eps / dt / (k**2 + eps / dt))
    # the same iterate written with r^n (rsolve's form overflows in floating point for large n)
    c0_be_stable = M0 / k**2 + (C0 - M0 / k**2) * ratio**n
    if sp.simplify(sp.powdenest(sp.together(c0_be - c0_be_stable), force=True)) != 0:
        raise ArithmeticError("the r^n form does not match rsolve's solution")
    return SimpleNamespace(ode_rhs=(-k**2 * f(t) + M0) / eps, c0=c0, c0_be=c0_be, c0_be_stable=c0_be_stable,
                           ratio=ratio)


@cache
def free_diffusion() -> SimpleNamespace:
    """Free diffusion (chi = 0): dX = sqrt(2 mu) dW in d = 3; E|X|^2 from the generator mu Lap applied to |x|^2."""
    xs = sp.symbols("x1:4", real=True)
    f = sum(xi**2 for xi in xs)
    gen = sp.simplify(mu * sum(sp.diff(f, xi, 2) for xi in xs))  # = 2 d mu, constant
    X0sq = sp.symbols("X0sq", nonnegative=True)
    msd = X0sq + sp.integrate(gen, (t, 0, t))
    return SimpleNamespace(generator=gen, EX2=msd, X0sq=X0sq, growth_rate=gen)


@cache
def numeric() -> SimpleNamespace:
    """Lambdified results used by the checks and tests."""
    g, mi, fd = green(), mass_identity(), free_diffusion()
    return SimpleNamespace(
        c0_exact=sp.lambdify((t, C0, M0, k, eps), mi.c0, "numpy"),
        c0_be=sp.lambdify((n, C0, M0, k, eps, dt), mi.c0_be_stable, "numpy"),
        gradK_factor=sp.lambdify((r, beta), g.gradK_factor, "numpy"),
        FK=sp.lambdify((w, beta), g.FK, "numpy"),
        msd_rate=sp.lambdify((mu,), fd.growth_rate, "numpy"),
    )
