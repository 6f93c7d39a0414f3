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


# ------------------------------------------------------------------------------------------------
# Derivations behind the errata rows of §2-4 (each result derived from the model, not from the print).
@cache
def green_from_symbol() -> SimpleNamespace:
    """K of Eq. (25) from the operator of Eq. (23) alone: the inverse 3D transform of -1/(|w|^2 + beta^2).

    ``beta2``: k^2 + eps/dt, read off (Lap - k^2 - eps/dt) of Eq. (23) as (Lap - beta^2);
    ``K``: (1/(2 pi^2 r)) int_0^oo w sin(w r) (-1/(w^2 + beta^2)) dw (radial inverse transform).
    """
    beta2 = sp.expand(-(-(k**2) - eps / dt))
    K = sp.simplify(sp.integrate(w * sp.sin(w * r) * (-1 / (w**2 + beta**2)), (w, 0, sp.oo)) / (2 * sp.pi**2 * r))
    return SimpleNamespace(beta2=beta2, K=K)


@cache
def heat_kernel() -> SimpleNamespace:
    """The kernel of exp(t Lap) (Eq. 16) and its gradient (Eq. 18), by Fourier inversion.

    ``g1``: (1/(2 pi)) int exp(-w^2 t + i w x) dw (1D); ``G3``: the 3D kernel, the product of
    ``g1`` over the coordinates ``xs``; ``minus_dG3_dx1``: -d G3/d x1, the pair kernel of the
    history drift (Eq. 18 at eps = 1) along the first coordinate.
    """
    xs = sp.symbols("y1:4", real=True)
    w_ = sp.symbols("w_", real=True)
    g1 = sp.simplify(sp.integrate(sp.exp(-w_**2 * t + sp.I * w_ * xs[0]), (w_, -sp.oo, sp.oo)) / (2 * sp.pi))
    G3 = sp.simplify(sp.Mul(*[g1.subs(xs[0], xi) for xi in xs]))
    return SimpleNamespace(xs=xs, g1=g1, G3=G3, minus_dG3_dx1=sp.simplify(-sp.diff(G3, xs[0])))


@cache
def mode_solution() -> SimpleNamespace:
    """One Fourier mode of eps c_t = Lap c - k^2 c + rho (Eq. 3) with a constant source R, c(0) = C0 (Eq. 15).

    ``c``: dsolve of eps c' = -(w^2 + k^2) c + R; ``wsq`` the symbol w^2 used.
    """
    f = sp.Function("c_hat")
    R, wsq = sp.symbols("R w_sq", positive=True)
    sol = sp.dsolve(sp.Eq(eps * f(t).diff(t), -(wsq + k**2) * f(t) + R), f(t), ics={f(0): C0}).rhs
    return SimpleNamespace(c=sp.simplify(sol), R=R, wsq=wsq)


@cache
def stability_iterate() -> SimpleNamespace:
    """Eq. (33) after n steps: y_{n} = A y_{n-1} + B M_rho, y_0 = Y0, solved by rsolve.

    ``A`` and ``B`` are the two coefficients of Eq. (32) (``field_step``); ``y_n`` the n-th
    iterate (an upper bound of |c_hat_n| when |rho_hat| <= M_rho, by the triangle inequality).
    """
    fs = field_step()
    Y0, Mrho = sp.symbols("Y_0", nonnegative=True), sp.symbols("M_rho", positive=True)
    A, B = sp.symbols("A B", positive=True)
    y = sp.Function("y")
    sol = sp.rsolve(y(n + 1) - A * y(n) - B * Mrho, y(n), {y(0): Y0})
    return SimpleNamespace(y_n=sp.simplify(sol.subs({A: fs.A_c, B: fs.B})), Y0=Y0, Mrho=Mrho)


@cache
def particle_mode_bound() -> SimpleNamespace:
    """Eq. (34): the triangle-inequality bound of |(M/P) sum_p exp(-i theta_p)| over real phases.

    ``printed``: sum_p |(M/P) exp(-i theta_p)| = M (attained when all phases agree, e.g. at w = 0);
    ``fourier_coefficient``: the same for the coefficient of Eq. (20), which carries 1/L^3: M/L^3.
    """
    P, theta = sp.symbols("P", positive=True, integer=True), sp.symbols("theta", real=True)
    term = sp.Abs(M0 / P * sp.exp(-sp.I * theta))
    printed = sp.simplify(P * term)
    return SimpleNamespace(printed=printed, fourier_coefficient=sp.simplify(printed / L**3))


def growth_log_exponent(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """lim_{var -> oo} (var f'/f) ln var: 1 for f ~ ln var, oo for a power law, 0 for ln ln var."""
    return sp.limit(var * sp.diff(expr, var) / expr * sp.log(var), var, sp.oo)


def growth_power_exponent(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """lim_{var -> oo} var f'/f: the power p of f ~ var^p (0 for logarithms)."""
    return sp.limit(var * sp.diff(expr, var) / expr, var, sp.oo)


@cache
def cinf_growth() -> SimpleNamespace:
    """Eqs. (36)-(39): c(0) for the two blow-up profiles as the frequency cut-off W = pi H / L grows.

    ``rho_hat_inv_r2``: the 3D transform of |x|^-2, 4 pi int_0^oo sin(w r)/(w r) dr = 2 pi^2 / w;
    ``c0_profile`` / ``c0_delta``: int_{|w| < W} rho_hat/(|w|^2 + k^2) dw for rho = |x|^-2 and for
    rho = delta (rho_hat = 1), as functions of H (the cube of Eq. 37 and a ball give the same order).
    """
    Hs, Ls, W = sp.symbols("H L W", positive=True)
    rho_hat = sp.simplify(4 * sp.pi * sp.integrate(sp.sin(w * r) / (w * r), (r, 0, sp.oo)))
    c0_profile = sp.integrate(4 * sp.pi * w**2 * rho_hat / (w**2 + k**2), (w, 0, W)).subs(W, sp.pi * Hs / Ls)
    c0_delta = sp.integrate(4 * sp.pi * w**2 / (w**2 + k**2), (w, 0, W)).subs(W, sp.pi * Hs / Ls)
    return SimpleNamespace(H=Hs, rho_hat_inv_r2=rho_hat, c0_profile=sp.simplify(c0_profile),
                           c0_delta=sp.simplify(c0_delta))


@cache
def self_similar_rate() -> SimpleNamespace:
    """Eqs. (7)-(9): the power q of rho = (T - t)^-q V(|x|/sqrt(T - t)) that the 3D parabolic-elliptic model admits.

    With c = (T - t)^(1 - q) U(|x|/sqrt(T - t)) (so that -Lap c = rho holds for every q), the
    terms of rho_t = Lap rho - div(rho grad c) carry the powers -q - 1 (rho_t, Lap rho) and -2 q
    (the drift) of s = T - t at fixed y = |x|/sqrt(s); a solution needs them equal: ``q``.
    ``bound_gap``: V(y)/s - C/(s + |x|^2) for V(y) = C/(1 + y^2) (Eq. 9 from Eq. 7), 0.
    """
    rr, s, y, q, Cc = sp.symbols("r s y q C", positive=True)
    V, U = sp.Function("V"), sp.Function("U")
    rho = s**-q * V(rr / sp.sqrt(s))
    c = s ** (1 - q) * U(rr / sp.sqrt(s))

    def lap(f):
        return sp.diff(rr**2 * sp.diff(f, rr), rr) / rr**2

    def powers(e):
        e = sp.expand(e.subs(rr, y * sp.sqrt(s)).doit())
        return {sp.simplify(sp.powsimp(term, force=True).as_coeff_exponent(s)[1]) for term in sp.Add.make_args(
            sp.powsimp(e, force=True))}

    drift_powers = powers(-sp.diff(rho, s) - lap(rho) + sp.diff(rr**2 * rho * sp.diff(c, rr), rr) / rr**2)
    poisson_powers = powers(lap(c) + rho)
    if len(drift_powers) != 2 or len(poisson_powers) != 1:
        raise ArithmeticError(f"unexpected scaling powers {drift_powers}, {poisson_powers}")
    q_sol = sp.solve(sp.Eq(*sorted(drift_powers, key=sp.default_sort_key)), q)
    profile = Cc / (1 + y**2)
    gap = sp.simplify((profile / s).subs(y, rr / sp.sqrt(s)) - Cc / (s + rr**2))
    return SimpleNamespace(q=q_sol[0], drift_powers=drift_powers, bound_gap=gap)


@cache
def tetrahedron() -> SimpleNamespace:
    """Eq. (48): the four centres, their six distances and their centroid (conserved centre of mass)."""
    pts = [sp.Matrix([1, 0, 0]), sp.Matrix([-sp.Rational(1, 2), sp.sqrt(3) / 2, 0]),
           sp.Matrix([-sp.Rational(1, 2), -sp.sqrt(3) / 2, 0]), sp.Matrix([0, 0, sp.sqrt(2)])]
    edges = [sp.sqrt((a - b).dot(a - b)) for i, a in enumerate(pts) for b in pts[i + 1:]]
    centroid = sum(pts, sp.zeros(3, 1)) / 4
    return SimpleNamespace(points=pts, edges=[sp.simplify(e) for e in edges],
                           edge_spread=sp.simplify(sp.Max(*edges) - sp.Min(*edges)), centroid=centroid)


@cache
def green_2d() -> SimpleNamespace:
    """The d = 2 line of Eq. (12): the radial G with Lap G = 0 for r > 0 and flux -2 pi r G'(r) = 1, G(1) = 0."""
    G = sp.Function("G")
    a, b = sp.symbols("a b")
    gen = sp.dsolve(sp.diff(r * G(r).diff(r), r), G(r)).rhs
    consts = sorted(gen.free_symbols - {r}, key=str)
    cand = gen.subs({consts[0]: a, consts[1]: b})
    sol = sp.solve([sp.Eq(-2 * sp.pi * r * sp.diff(cand, r), 1), sp.Eq(cand.subs(r, 1), 0)], [a, b], dict=True)[0]
    return SimpleNamespace(G=sp.simplify(cand.subs(sol)))


@cache
def radial_laplacian() -> sp.Expr:
    """The 3D Laplacian of a radial function c(|x|), from Cartesian coordinates, written in r (Eq. 45)."""
    xs = sp.symbols("z1:4", real=True)
    f = sp.Function("c")
    R = sp.sqrt(sum(v**2 for v in xs))
    lap = sum(sp.diff(f(R), v, 2) for v in xs)
    lap = lap.subs(R, r).subs(xs[0] ** 2, r**2 - xs[1] ** 2 - xs[2] ** 2)
    return sp.simplify(sp.expand(lap))
