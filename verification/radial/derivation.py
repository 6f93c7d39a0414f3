"""Symbolic derivations for [SIPF] §2.1 and §4.3: the 2D variance identity and radial conservation.

* :func:`variance_identity` -- d/dt int |x|^2 rho dx for rho_t = div(mu grad rho - chi rho grad c),
  -Laplace c = rho in R^2 ([SIPF] Eq. 5 generalized to mu, chi), via the antisymmetrized pair
  kernel: (x - y) . G(x - y) with G(z) = -z / (2 pi |z|^2) (Eq. 13, d = 2) is the constant
  -1/(2 pi), so the pair term is -chi M^2 / (2 pi) and the identity is
  4 mu M - chi M^2 / (2 pi) = (M / 2 pi)(8 pi mu - chi M) (Eq. 6 at mu = chi = 1).
* :func:`particle_identity` -- the same for the P-particle system of Eq. 14 (masses m = M/P,
  sum over q != p): E d/dt sum_p m |X^p|^2 = 4 mu M - chi M^2 (1 - 1/P) / (2 pi), exact for every
  configuration (the pair sum has P(P-1) ordered terms, each contributing exactly -1/(2 pi) after
  antisymmetrization). With a regularized kernel each pair contributes |d|^2/(|d|^2 + delta^2)
  instead of 1. The Euler-Maruyama step adds dt^2 m sum_p |b_p|^2 per step to the expected increment,
  and the martingale part of one step has conditional variance
  sum_p m^2 (8 mu dt |X_p + b_p dt|^2 + 16 mu^2 dt^2).
* :func:`radial_identities` -- for Eqs. 44-45 in conservative form: d/dt int 4 pi r^2 rho dr is the
  boundary flux 4 pi [r^2 (mu rho_r - chi rho c_r)]_0^R (zero with no-flux ends); the non-conservative
  Eq. 44 equals r^-2 (r^2 (mu rho_r - chi rho c_r))_r; the c mass C = int c obeys
  eps dC/dt = -k^2 C + M, and its backward-Euler image is C^{n+1} = (eps C^n / dt + M)/(eps/dt + k^2),
  which the finite-volume scheme satisfies exactly (the c stencil also telescopes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

M, mu, chi, P, dt, delta = sp.symbols("M mu chi P dt delta", positive=True)
x1, x2, y1, y2 = sp.symbols("x1 x2 y1 y2", real=True)
r, t, R = sp.symbols("r t R", positive=True)
eps, k = sp.symbols("epsilon k", nonnegative=True)


def pair_kernel_2d(z1: sp.Expr, z2: sp.Expr, reg: sp.Expr = 0) -> tuple[sp.Expr, sp.Expr]:
    """G(z) = -z / (2 pi (|z|^2 + reg^2)): grad c for a unit point mass ([SIPF] Eq. 13, d = 2)."""
    den = 2 * sp.pi * (z1**2 + z2**2 + reg**2)
    return -z1 / den, -z2 / den


@dataclass(frozen=True)
class VarianceIdentity:
    """Derived variance identities (sympy expressions)."""

    antisym_pair: sp.Expr      # x.G(x-y) + y.G(y-x) (exact kernel): a constant
    antisym_pair_reg: sp.Expr  # same with the regularized kernel
    continuum: sp.Expr         # d/dt int |x|^2 rho, general mu, chi
    continuum_unit: sp.Expr    # at mu = chi = 1
    seed_eq6: sp.Expr          # (M / 2 pi)(8 pi - M) as stated
    critical_mass: sp.Expr     # root of the continuum identity in M


@cache
def variance_identity() -> VarianceIdentity:
    """Derive d/dt int |x|^2 rho dx for the 2D parabolic-elliptic model (see module docstring)."""
    g1, g2 = pair_kernel_2d(x1 - y1, x2 - y2)
    h1, h2 = pair_kernel_2d(y1 - x1, y2 - x2)
    anti = sp.simplify(x1 * g1 + x2 * g2 + y1 * h1 + y2 * h2)
    g1r, g2r = pair_kernel_2d(x1 - y1, x2 - y2, delta)
    h1r, h2r = pair_kernel_2d(y1 - x1, y2 - x2, delta)
    anti_r = sp.simplify(x1 * g1r + x2 * g2r + y1 * h1r + y2 * h2r)
    # int |x|^2 div(mu grad rho - chi rho grad c) = mu int rho Lap|x|^2 + chi int rho grad|x|^2 . grad c
    lap = sp.diff(x1**2 + x2**2, x1, 2) + sp.diff(x1**2 + x2**2, x2, 2)
    diffusion = mu * lap * M
    # chi int int rho(x) rho(y) 2 x.G(x-y) = chi M^2 * (1/2) * 2 * anti  (symmetrized double integral)
    pair = chi * M**2 * anti
    cont = sp.simplify(diffusion + pair)
    return VarianceIdentity(anti, anti_r, cont, sp.simplify(cont.subs({mu: 1, chi: 1})),
                            M / (2 * sp.pi) * (8 * sp.pi - M), sp.solve(sp.Eq(cont, 0), M)[0])


@dataclass(frozen=True)
class ParticleIdentity:
    """Exact identities of the P-particle system (Eq. 14, d = 2) and of its Euler-Maruyama step."""

    drift_rate: sp.Expr         # E d/dt sum_p m |X^p|^2, exact kernel
    finite_p_correction: sp.Expr  # drift_rate - continuum
    step_variance: sp.Expr      # conditional variance of one EM step's martingale part, one particle
    em_bias_per_step: sp.Expr   # extra expected increment of one particle's m|X|^2 per EM step


@cache
def particle_identity() -> ParticleIdentity:
    """Derive the particle identities (see module docstring)."""
    vi = variance_identity()
    m = M / P
    # 2 sum_p m X_p . b_p = 2 m (chi m) sum_{p != q} X_p . G(X_p - X_q) = chi m^2 P(P-1) * anti
    drift = 2 * mu * 2 * M + chi * m**2 * P * (P - 1) * vi.antisym_pair
    drift = sp.simplify(drift)
    # one particle, one step: X' = X + b dt + s xi, s^2 = 2 mu dt, xi ~ N(0, I_2)
    X1, X2, b1, b2, z1, z2 = sp.symbols("X1 X2 b1 b2 z1 z2", real=True)
    s = sp.sqrt(2 * mu * dt)
    inc = m * (((X1 + b1 * dt + s * z1) ** 2 + (X2 + b2 * dt + s * z2) ** 2) - X1**2 - X2**2)
    # Gaussian moments: E z = 0, E z^2 = 1, E z^3 = 0, E z^4 = 3
    def expect(e):
        e = sp.expand(e)
        poly = sp.Poly(e, z1, z2)
        mom = {0: 1, 1: 0, 2: 1, 3: 0, 4: 3}
        return sp.simplify(sum(c * mom[i] * mom[j] for (i, j), c in poly.terms()))
    mean = expect(inc)
    var = sp.simplify(expect(inc**2) - mean**2)
    bias = sp.simplify(mean - m * (2 * (X1 * b1 + X2 * b2) * dt + 4 * mu * dt))
    return ParticleIdentity(drift, sp.simplify(drift - vi.continuum), var, bias)


@dataclass(frozen=True)
class RadialIdentities:
    """Radial (3D) conservation statements for Eqs. 44-45."""

    eq44_minus_conservative: sp.Expr  # seed's non-conservative Eq. 44 minus r^-2 (r^2 F)_r: 0
    mass_rate: sp.Expr                # d/dt int_0^R 4 pi r^2 rho dr as a boundary term
    c_mass_solution: sp.Expr          # C(t) for eps > 0, C(0) = C0
    c_mass_backward_euler: sp.Expr    # C^{n+1} from C^n


@cache
def radial_identities() -> RadialIdentities:
    """Derive the radial identities (see module docstring)."""
    rho = sp.Function("rho")(r)
    c = sp.Function("c")(r)
    flux = mu * sp.diff(rho, r) - chi * rho * sp.diff(c, r)
    conservative = sp.diff(r**2 * flux, r) / r**2
    stated44 = (mu * (sp.diff(rho, r, 2) + 2 / r * sp.diff(rho, r))
                - chi * (sp.diff(rho, r) * sp.diff(c, r) + rho * (sp.diff(c, r, 2) + 2 / r * sp.diff(c, r))))
    diff44 = sp.simplify(sp.expand(stated44 - conservative))
    F = sp.Function("F")
    mass_rate = 4 * sp.pi * sp.integrate(r**2 * sp.diff(r**2 * F(r), r) / r**2, (r, 0, R))
    C, C0 = sp.Function("C"), sp.Symbol("C0")
    eps_p, k_p = sp.symbols("epsilon_p k_p", positive=True)
    sol = sp.dsolve(sp.Eq(eps_p * C(t).diff(t), -k_p**2 * C(t) + M), C(t), ics={C(0): C0}).rhs
    return RadialIdentities(diff44, sp.simplify(mass_rate), sp.simplify(sol), c_mass_backward_euler())


@cache
def c_mass_backward_euler() -> sp.Expr:
    """C^{n+1} solving eps (C^{n+1} - C^n)/dt = -k^2 C^{n+1} + M (backward Euler of eps C' = -k^2 C + M)."""
    Cn, Cnp1 = sp.Symbol("C_n"), sp.Symbol("C_np1")
    return sp.simplify(sp.solve(sp.Eq(eps * (Cnp1 - Cn) / dt, -k**2 * Cnp1 + M), Cnp1)[0])


def brownian_variance_rate(d: int) -> sp.Expr:
    """d/dt int |x|^2 rho dx / M for rho_t = mu Laplace rho in R^d (chi = 0): mu Laplace|x|^2 = 2 d mu."""
    xs = sp.symbols(f"z1:{d + 1}", real=True)
    sq = sum(z**2 for z in xs)
    return sp.simplify(mu * sum(sp.diff(sq, z, 2) for z in xs))


def newton_constant(d: sp.Expr) -> sp.Expr:
    """C_d with -Laplace (C_d |x|^(2-d)) = delta in R^d, d >= 3.

    C_d = 1 / ((d - 2) |S^(d-1)|) with the sphere area |S^(d-1)| = 2 pi^(d/2) / Gamma(d/2).
    """
    return 1 / ((d - 2) * 2 * sp.pi ** (d / 2) / sp.gamma(d / 2))


@dataclass(frozen=True)
class Numeric:
    """Lambdified forms used by the checks."""

    continuum_rate: object      # (M, mu, chi) -> d/dt int |x|^2 rho
    particle_rate: object       # (M, mu, chi, P) -> E d/dt sum m |X|^2 (exact kernel)
    c_mass_be: object           # (C_n, M, eps, k, dt) -> C_{n+1}


@cache
def numeric() -> Numeric:
    """Lambdify the derived expressions."""
    vi, pi_ = variance_identity(), particle_identity()
    return Numeric(sp.lambdify((M, mu, chi), vi.continuum, "math"),
                   sp.lambdify((M, mu, chi, P), pi_.drift_rate, "math"),
                   sp.lambdify((sp.Symbol("C_n"), M, eps, k, dt), c_mass_backward_euler(), "math"))
