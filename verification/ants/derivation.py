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


@cache
def quasi_static() -> SimpleNamespace:
    """The quasi-static reduction of Eqs. (5)-(9): screening kappa, energy E[rho], its variation and dE/dt.

    With c_t = 0, Eq. (2) per plane wave (lap -> -k^2) gives c_k = f0 rho_k / (g0 + nu0 k^2). The
    Green function of Eq. (6) solves (lap - kappa^2) G = delta, so G_k = -1/(k^2 + kappa^2) and
    Eq. (5) reads c_k = (f0/nu0) rho_k / (k^2 + kappa^2); matching the two fixes kappa^2
    (``kappa2``; the seed writes kappa^2 = f0/nu0). Per mode, Eq. (8) is
    E_k = (D0/2) rho_k^2 + (f0 chi0/(2 nu0)) G_k rho_k^2 and its derivative is checked to be
    mu = D0 rho - chi0 c (Eq. 7's delta E/delta rho, ``mu_residual`` = 0). W of Eq. (18) for the
    same mode, minimised over c' (it is convex in c'), is (a/D0) E_k: ``energy_ratio`` = E/min_c W
    = D0/a, with the minimiser c' = (chi0/D0) c_k (``argmin_residual`` = 0). Eq. (9): under radial
    symmetry mu (1/r)(r rho mu_r)_r = (1/r)(r mu rho mu_r)_r - rho mu_r^2 (``flux_residual`` = 0),
    so with no flux at r = l, dE/dt = int mu rho_t dV = -int rho |grad mu|^2 dV.
    """
    q, kap2, r = sp.symbols("q kappa2 r", positive=True)  # q = k^2
    rho_k, cp_k = sp.symbols("rho_k cp_k", real=True)
    c_stationary = sp.solve(sp.Eq(f0 * rho_k - nu0 * q * sp.Symbol("c_k") - g0 * sp.Symbol("c_k"), 0),
                            sp.Symbol("c_k"))[0]
    G_k = sp.solve(sp.Eq((-q - kap2) * sp.Symbol("G_k"), 1), sp.Symbol("G_k"))[0]
    c_green = -(f0 / nu0) * G_k * rho_k
    kappa2 = sp.solve(sp.Eq(sp.cancel(c_stationary / rho_k), sp.cancel(c_green / rho_k)), kap2)[0]
    c_k = sp.simplify(c_green.subs(kap2, kappa2))
    E_k = D0 / 2 * rho_k**2 + f0 * chi0 / (2 * nu0) * G_k.subs(kap2, kappa2) * rho_k**2
    mu_residual = sp.simplify(sp.diff(E_k, rho_k) - (D0 * rho_k - chi0 * c_k))
    a = lyapunov().a
    W_k = a * (rho_k**2 / 2 - rho_k * cp_k) + g0 / (2 * nu0) * cp_k**2 + q * cp_k**2 / 2
    cp_min = sp.solve(sp.diff(W_k, cp_k), cp_k)[0]
    argmin_residual = sp.simplify(cp_min - chi0 / D0 * c_k)
    energy_ratio = sp.simplify(E_k / W_k.subs(cp_k, cp_min))
    rho_r, mu_r = sp.Function("rho")(r), sp.Function("mu")(r)
    flux_residual = sp.simplify(sp.expand(
        mu_r * sp.diff(r * rho_r * sp.diff(mu_r, r), r) / r
        - (sp.diff(r * mu_r * rho_r * sp.diff(mu_r, r), r) / r - rho_r * sp.diff(mu_r, r) ** 2)))
    return SimpleNamespace(kappa2=sp.simplify(kappa2), kappa2_stated=f0 / nu0, c_k=c_k, E_k=sp.expand(E_k),
                           mu_residual=mu_residual, energy_ratio=energy_ratio, argmin_residual=argmin_residual,
                           flux_residual=flux_residual)


@cache
def numeric_quasi_static() -> SimpleNamespace:
    """Lambdified :func:`quasi_static`: ``kappa2(chi0, D0, f0, nu0, g0)`` and ``energy_ratio(...)``."""
    qs = quasi_static()
    pars = (chi0, D0, f0, nu0, g0)
    return SimpleNamespace(kappa2=sp.lambdify(pars, qs.kappa2, "numpy"),
                           energy_ratio=sp.lambdify(pars, qs.energy_ratio, "numpy"))


# ---------------------------------------------------------------------------------------------
# Derivations behind the errata rows of the other numbered equations ([ANTS] Eqs. 4, 10-16, 20,
# 26-35, 45-46, 49-50 and the text between them). Each returns the derived objects only; the
# seed's printed forms are transcribed in ``verification.ants.errata``.
r_sym = sp.symbols("r", positive=True)


@cache
def mass_balance() -> SimpleNamespace:
    """dM/dt of Eq. (4) under Eq. (1) with radial symmetry and the Neumann conditions of Eq. (3).

    M = 2 pi int_0^l rho r dr and rho_t = (1/r)(r J)_r with J = rho (D0 rho_r - chi0 c_r), so
    dM/dt = 2 pi int_0^l (r J)_r dr = 2 pi [r J]_0^l; the boundary values of rho_r and c_r are
    symbols set to zero at r = l (Eq. 3). ``dM_dt`` is the result, ``dM_dt_general`` the
    boundary term before Eq. (3) is imposed.
    """
    rho_l, drho_l, dc_l = sp.symbols("rho_l drho_l dc_l", real=True)
    F = sp.Function("F")  # F = r J
    integral = sp.integrate(sp.diff(F(r_sym), r_sym), (r_sym, 0, ell))
    flux_l = ell * rho_l * (D0 * drho_l - chi0 * dc_l)
    general = 2 * sp.pi * integral.subs({F(ell): flux_l, F(0): 0})
    return SimpleNamespace(dM_dt_general=general, dM_dt=sp.simplify(general.subs({drho_l: 0, dc_l: 0})))


@cache
def screening_and_interaction() -> SimpleNamespace:
    """Screening kappa^2 of the Green function (Eq. 6) and the interaction coefficient of Eq. (8).

    Away from the source, c = K0(q r) must solve the quasi-static Eq. (2), nu0 lap c - g0 c = 0:
    ``kappa2`` is the q^2 that does. With c = -(f0/nu0) G * rho (Eq. 5) and
    E = (D0/2) int rho^2 + (alpha/2) int int rho G rho, delta E/delta rho = D0 rho + alpha G * rho
    equals D0 rho - chi0 c (so that Eq. 7 is Eq. 1) for ``alpha``; ``half_alpha`` is the
    coefficient printed in Eq. (8).
    """
    q2, alpha, Gr = sp.symbols("q2 alpha Grho", positive=True)
    c = sp.besselk(0, sp.sqrt(q2) * r_sym)
    residual = sp.simplify((nu0 * (sp.diff(c, r_sym, 2) + sp.diff(c, r_sym) / r_sym) - g0 * c) / c)
    kappa2 = sp.solve(sp.Eq(residual, 0), q2)[0]
    rho_s = sp.Symbol("rho", positive=True)
    c_of_G = -(f0 / nu0) * Gr  # Eq. (5) with G * rho = Grho
    dE = D0 * rho_s + alpha * Gr
    a_sol = sp.solve(sp.Eq(dE, D0 * rho_s - chi0 * c_of_G), alpha)[0]
    return SimpleNamespace(kappa2=kappa2, alpha=a_sol, half_alpha=a_sol / 2)


@cache
def pressure_forms() -> SimpleNamespace:
    """The flux part rho grad h(rho) for h = D0 rho (the model's nonlinear diffusion) and h = ln rho (classical PKS)."""
    rho = sp.Function("rho")(x)
    return SimpleNamespace(linear=sp.expand(rho * sp.diff(D0 * rho, x)),
                           log=sp.simplify(rho * sp.diff(sp.log(rho), x)), rho=rho)


@cache
def rescaled_steps() -> SimpleNamespace:
    """Eqs. (10), (12)-(16) derived (one Cartesian coordinate; the identities are local).

    ``rho_tau``: (1/D0) x the right-hand side of Eq. (1) with c = D0 c'/chi0. ``eq12_rhs``:
    Z (rho Z_x)_x rewritten by the product rule. ``eq14_density``: the integrand of
    d/dtau int rho Z with rho_tau = (rho Z_x)_x after dropping the divergence (Z rho Z_x)_x.
    ``eq16_density``: the integrand of 0 = int div(c'_tau grad c') with lap c' replaced by the
    derived Eq. (11), kappa c'_tau + (g0/nu0) c' - a rho.
    """
    rho = sp.Function("rho")(x, tau)
    cp = sp.Function("cp")(x, tau)
    c = D0 * cp / chi0
    rho_tau = sp.expand(sp.diff(-chi0 * rho * sp.diff(c, x) + D0 * rho * sp.diff(rho, x), x) / D0)
    Z = rho - cp
    Zx = sp.diff(Z, x)
    eq12_rhs = sp.diff(Z * rho * Zx, x) - rho * Zx**2
    flow = sp.diff(rho * Zx, x)
    d_rhoZ = rho * sp.diff(Z, tau) + Z * flow
    eq14_density = sp.expand(d_rhoZ - sp.diff(Z * rho * Zx, x))
    rs = rescaled()
    lap_cp = rs.kappa * sp.diff(cp, tau) + rs.g_over_nu * cp - rs.a * rho
    div_term = sp.expand(sp.diff(sp.diff(cp, tau) * sp.diff(cp, x), x))
    eq16_density = sp.expand(div_term.subs(sp.Derivative(cp, (x, 2)), lap_cp))
    return SimpleNamespace(rho=rho, cp=cp, Z=Z, rho_tau=rho_tau, eq12_lhs=Z * flow, eq12_rhs=eq12_rhs,
                           eq14_density=eq14_density, eq16_density=eq16_density)


@cache
def linearized() -> SimpleNamespace:
    """Eq. (20) derived: linearise Eqs. (1)-(2) about rho_c, c = (f0/g0) rho_c.

    ``reaction`` multiplies (eps_rho, eps_c), ``diffusion`` multiplies their Laplacians.
    """
    u, v = sp.Function("u")(x), sp.Function("v")(x)
    eps = sp.Symbol("epsilon")
    rho = rho_c + eps * u
    c = f0 / g0 * rho_c + eps * v
    rhs_rho = sp.diff(-chi0 * rho * sp.diff(c, x) + D0 * rho * sp.diff(rho, x), x)
    rhs_c = f0 * rho + nu0 * sp.diff(c, x, 2) - g0 * c
    lin = [sp.expand(sp.diff(e, eps).subs(eps, 0)) for e in (rhs_rho, rhs_c)]
    U, V, Uxx, Vxx = sp.symbols("U V Uxx Vxx")
    lin = [e.subs({sp.Derivative(u, (x, 2)): Uxx, sp.Derivative(v, (x, 2)): Vxx}).subs({u: U, v: V}) for e in lin]
    reaction = sp.Matrix([[e.coeff(U), e.coeff(V)] for e in lin])
    diffusion = sp.Matrix([[e.coeff(Uxx), e.coeff(Vxx)] for e in lin])
    return SimpleNamespace(reaction=reaction, diffusion=diffusion,
                           stability=sp.expand(linear().det / rho_c))


@cache
def stationary_state() -> SimpleNamespace:
    """Eqs. (26)-(35) derived: the zero-flux stationary aggregate and its W.

    Zero flux j = rho (D0 rho_r - chi0 c_r) = 0 where rho > 0 integrates to
    rho = (chi0/D0) c + const (``rho_of_c``, const written -(chi0/D0) c0). Substituting in Eq. (2)
    gives ``helmholtz`` (Eq. 27); its constant solution is ``c_particular`` and J0(q r) solves its
    homogeneous part for q^2 = ``q2`` (Eq. 28). ``rho_of_r`` (Eq. 29). The disc means follow from
    int J0(Kr) dV = 0 (J1(K l) = 0): ``rho_const``, ``c_const`` and ``c_over_rho`` (Eqs. 30-31).
    ``W`` is Eq. (18) for rho = rho_const + (chi0/D0) A J0, c = c_const + A J0, with the disc
    integrals int J0^2 dV = int J1^2 dV = pi l^2 I (Eq. 34) and int J0 dV = 0, as a function of A,
    I and c0 (``W``) and of M (``W_of_M``, c0 eliminated through rho_const = M/(pi l^2)).
    """
    c0s, A_, I_ = sp.symbols("c0 A I", positive=True)
    c_r = sp.Function("c")(r_sym)
    const = sp.Symbol("C")
    # D0 rho_r - chi0 c_r = 0  => D0 rho - chi0 c = const
    rho_of_c = sp.solve(sp.Eq(D0 * sp.Symbol("rho_s") - chi0 * c_r, const), sp.Symbol("rho_s"))[0]
    rho_of_c = rho_of_c.subs(const, -chi0 * c0s)
    lap = sp.diff(c_r, r_sym, 2) + sp.diff(c_r, r_sym) / r_sym
    helmholtz = sp.expand(f0 * rho_of_c + nu0 * lap - g0 * c_r)
    cc = sp.Symbol("cc")
    c_particular = sp.solve(sp.Eq(helmholtz.subs(c_r, cc).doit(), 0), cc)[0]
    q2 = sp.Symbol("q2", positive=True)
    hom = (helmholtz - helmholtz.subs(c_r, 0)).subs(c_r, sp.besselj(0, sp.sqrt(q2) * r_sym)).doit()
    q2_sol = sp.solve(sp.Eq(sp.simplify(hom / sp.besselj(0, sp.sqrt(q2) * r_sym)), 0), q2)[0]
    K = sp.sqrt(q2_sol)
    c_of_r = A_ * sp.besselj(0, K * r_sym) + c_particular
    rho_of_r = sp.expand(rho_of_c.subs(c_r, c_of_r))
    # disc means: <J0> = 0
    rho_mean = sp.simplify(rho_of_r.subs(sp.besselj(0, K * r_sym), 0))
    c_mean = sp.simplify(c_of_r.subs(sp.besselj(0, K * r_sym), 0))
    s = chi0 / D0
    a = lyapunov().a
    # W/(pi l^2) with <J0> = 0, <J0^2> = <J1^2> = I, |grad c'|^2 = s^2 K^2 A^2 J1^2
    Phi = sp.Symbol("Phi")
    rho_e = rho_mean + s * A_ * Phi
    cp_e = s * (c_mean + A_ * Phi)
    dens = sp.expand(a * (rho_e**2 / 2 - rho_e * cp_e) + g0 / (2 * nu0) * cp_e**2)
    mean_dens = dens.coeff(Phi, 0) + dens.coeff(Phi, 2) * I_  # the Phi^1 term averages to zero
    grad = s**2 * q2_sol * A_**2 * I_ / 2
    W = sp.simplify(sp.pi * ell**2 * (mean_dens + grad))
    c0_of_M = sp.solve(sp.Eq(rho_mean, M / (sp.pi * ell**2)), c0s)[0]
    return SimpleNamespace(rho_of_c=rho_of_c, helmholtz=helmholtz, c_particular=sp.simplify(c_particular),
                           q2=q2_sol, c_of_r=c_of_r, rho_of_r=rho_of_r, rho_const=rho_mean, c_const=c_mean,
                           c_over_rho=sp.simplify(c_mean / rho_mean), W=W,
                           W_of_M=sp.factor(sp.simplify(W.subs(c0s, c0_of_M))), c0=c0s, A=A_, I=I_,
                           c_fn=c_r)


@cache
def modal_sum() -> SimpleNamespace:
    """Eq. (45) and the text after Eq. (46), derived from the modal form of W.

    ``W_over_area``: W/(pi l^2) for rho = rho_c + E J0(j r/l), c = c_c + G J0(j r/l) (one mode,
    disc averages <J0> = 0, <J0^2> = J0sq, <|grad J0|^2> = (j/l)^2 J0sq by Eq. 44).
    ``cc_opt``: the c_const minimising the m = 0 term. ``det_over_a``: det Q_m / a, whose sign
    decides elliptic (> 0) vs hyperbolic. ``Q_scaled``: Q_m nu0/f0 in terms of the three ratios
    x = chi0/D0, y = g0/f0, z = nu0/(f0 l^2) when they can be substituted (``ratios_only`` True
    iff nothing else is left). ``unstable_sign``: sign of E G along the negative-curvature axis
    of Q_m when hyperbolic (b = Q22 = a - d, d > 0).
    """
    mo = modal()
    E, G, J0sq = mo.E, mo.G, mo.J0sq
    cc = sp.Symbol("c_c")
    s = chi0 / D0
    a = lyapunov().a
    const = a * (rho_c**2 / 2 - rho_c * s * cc) + g0 / (2 * nu0) * s**2 * cc**2
    W_over_area = sp.expand(const + mo.W_mode)
    cc_opt = sp.solve(sp.diff(const, cc), cc)[0]
    det_over_a = sp.simplify(mo.Q.det() / a)
    xr, yr, zr = sp.symbols("x y z", positive=True)
    Qs = (mo.Q * nu0 / f0).applyfunc(lambda e: sp.simplify(sp.expand(e).subs(
        {chi0: xr * D0, g0: yr * f0}).subs(nu0, zr * f0 * ell**2)))
    ratios_only = all(e.free_symbols <= {xr, yr, zr, j} for e in Qs)
    dd, aa = sp.symbols("d a_pos", positive=True)
    Qh = sp.Matrix([[aa, -aa], [-aa, aa - dd]])
    lam = min(Qh.eigenvals(), key=lambda e: e.subs({aa: 2, dd: 1}))
    vec = (Qh - lam * sp.eye(2)).nullspace()[0]
    unstable_sign = sp.sign(sp.simplify(vec[0] * vec[1]))
    return SimpleNamespace(W_over_area=W_over_area, cc_opt=cc_opt, det_over_a=det_over_a, Q_scaled=Qs,
                           ratios=(xr, yr, zr), ratios_only=ratios_only, unstable_sign=unstable_sign,
                           E=E, G=G, J0sq=J0sq, cc=cc)


@cache
def radial_expanded() -> SimpleNamespace:
    """Eqs. (49)-(50) derived: Eqs. (1)-(2) under radial symmetry, the divergence expanded."""
    rho, c = sp.Function("rho")(r_sym), sp.Function("c")(r_sym)
    rho_t = sp.expand(sp.diff(r_sym * (-chi0 * rho * sp.diff(c, r_sym) + D0 * rho * sp.diff(rho, r_sym)), r_sym)
                      / r_sym)
    c_t = sp.expand(f0 * rho + nu0 * sp.diff(r_sym * sp.diff(c, r_sym), r_sym) / r_sym - g0 * c)
    return SimpleNamespace(rho=rho, c=c, rho_t=rho_t, c_t=c_t)


@cache
def dissipation_density() -> SimpleNamespace:
    """Eq. (9) derived under radial symmetry: r mu rho_t with rho_t = (1/r)(r rho mu_r)_r, minus the divergence.

    ``density`` is r mu rho_t - (r mu rho mu_r)_r, the integrand (per 2 pi dr) of dE/dt = int mu rho_t dV once
    the boundary term [r mu rho mu_r]_0^l (zero under no flux) is dropped.
    """
    rho, mu = sp.Function("rho")(r_sym), sp.Function("mu")(r_sym)
    rho_t = sp.diff(r_sym * rho * sp.diff(mu, r_sym), r_sym) / r_sym
    density = sp.expand(r_sym * mu * rho_t - sp.diff(r_sym * mu * rho * sp.diff(mu, r_sym), r_sym))
    return SimpleNamespace(rho=rho, mu=mu, density=density)


@cache
def most_unstable_implicit() -> SimpleNamespace:
    """k_u^2 of Eq. (25) by implicit differentiation of the dispersion relation (g0 = 0), a fast route.

    On P(eta, q) = 0 (Eq. 22, q = k^2), d eta/dq = -P_q/P_eta vanishes where P_q = 0, which is
    linear in eta; eliminating eta from P = 0 leaves a polynomial in q. ``ku2`` is its root with
    q > 0 and eta > 0 (checked at a sample point with D0 rho_c != nu0), ``eta_u`` the growth there.
    """
    q = sp.symbols("q", positive=True)
    P = linear().charpoly.subs(g0, 0).subs(k, sp.sqrt(q))
    eta_q = sp.solve(sp.Eq(sp.diff(P, q), 0), eta)[0]
    roots = sp.solve(sp.Eq(sp.numer(sp.together(P.subs(eta, eta_q))), 0), q)
    pt = {chi0: 4, D0: 1, f0: 4, nu0: 1, rho_c: 2}
    good = [rt for rt in roots if complex(rt.subs(pt)).real > 0 and float(eta_q.subs(q, rt).subs(pt)) > 0]
    ku2 = sp.factor(sp.radsimp(good[0]))
    return SimpleNamespace(ku2=ku2, eta_u=sp.simplify(eta_q.subs(q, ku2)), candidates=roots)
