"""Sympy derivations for run-and-tumble walkers ([MIPS] §1-3, [CHEMOTAXIS] §2-5).

Each function derives a result from the microscopic model and returns sympy
expressions; ``numeric()`` lambdifies the ones the checks use, so no formula is
typed twice. Symbols: v (speed), ap = alpha_+ (+1 -> -1), am = alpha_- (-1 -> +1).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import sympy as sp

x, t, s = sp.symbols("x t s", real=True)
tau = sp.symbols("tau", positive=True)
v0, alpha0, alpha, a, b = sp.symbols("v0 alpha0 alpha a b", positive=True)
chi, grad_c = sp.symbols("chi grad_c", real=True)
v = sp.Function("v")(x)
ap = sp.Function("alpha_p")(x)
am = sp.Function("alpha_m")(x)
g = sp.Function("g")(x)


def master_rhs(p_plus: sp.Expr, p_minus: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Right-hand sides of the two-state master equation ([CHEMOTAXIS] §2.3, speed v(x))."""
    rp = -sp.diff(v * p_plus, x) - ap * p_plus + am * p_minus
    rm = sp.diff(v * p_minus, x) - am * p_minus + ap * p_plus
    return rp, rm


@cache
def adiabatic() -> SimpleNamespace:
    """Adiabatic elimination of m = P_+ - P_- ([MIPS] §2.2, [CHEMOTAXIS] §4).

    Returns
    -------
    SimpleNamespace
        ``J`` (flux in terms of g), ``A, B, C`` with J = -A d_x(B g) + C g,
        ``D`` (coefficient of -d_x g for constant v), ``V`` (drift for constant v),
        ``exact_dm`` (the exact d_t m, before the approximation).
    """
    m = sp.Function("m")(x)
    rp, rm = master_rhs((g + m) / 2, (g - m) / 2)
    dm = sp.expand(rp - rm)
    m_slow = sp.solve(sp.Eq(dm, 0), m)
    # d_t m contains d_x(v g) and m itself; solve the algebraic relation for m.
    m_sym = sp.Symbol("m_sym")
    dm_alg = dm.subs(m, m_sym)
    m_solution = sp.solve(sp.Eq(dm_alg, 0), m_sym)[0]
    J = sp.simplify(v * m_solution)
    gx = sp.Symbol("g_x")
    gs = sp.Symbol("g_s")
    J_lin = sp.expand(J.subs(sp.Derivative(g, x), gx).subs(g, gs))
    coef_gx = sp.simplify(J_lin.coeff(gx))
    coef_g = sp.simplify(J_lin.coeff(gs))
    B = v
    A = sp.simplify(-coef_gx / B)
    C = sp.simplify(coef_g + A * sp.diff(B, x))
    const = {v: v0, ap: a, am: b}
    D = sp.simplify((-coef_gx).subs(const))
    V = sp.simplify(C.subs(const))
    del m_slow
    return SimpleNamespace(J=J, A=A, B=B, C=C, D=D, V=V, exact_dm=dm)


@cache
def schnitzer() -> SimpleNamespace:
    """The Schnitzer case alpha_pm = alpha(x)/2 (tumble, then a fair coin for the direction).

    Returns ``A`` (= v/alpha), ``flux`` and ``D`` (= v0^2/alpha for constant v, alpha).
    """
    al = sp.Function("alpha")(x)
    ad = adiabatic()
    half = {ap: al / 2, am: al / 2}
    A = sp.simplify(ad.A.subs(half))
    C = sp.simplify(ad.C.subs(half))
    flux = sp.simplify(ad.J.subs(half))
    D = sp.simplify(ad.D.subs({a: alpha / 2, b: alpha / 2}))
    return SimpleNamespace(A=A, B=ad.B, C=C, flux=flux, D=D, alpha_fn=al)


@cache
def stationary() -> SimpleNamespace:
    """Zero-current stationary state of the master equation (exact, not adiabatic).

    With J = 0 the exact d_t m = 0 gives d_x(v g) = (alpha_- - alpha_+) g, so
    g = exp(psi) / v with psi' = (alpha_- - alpha_+) / v.
    """
    w = sp.Function("w")(x)  # w = v g
    ode = adiabatic().exact_dm.subs(sp.Function("m")(x), 0).subs(g, w / v)
    ode = sp.simplify(ode.doit())
    sol = sp.dsolve(sp.Eq(ode, 0), w)
    log_w = sp.log(sol.rhs)
    psi_prime = sp.simplify(sp.diff(log_w, x))
    return SimpleNamespace(psi_prime=psi_prime, w=sol.rhs)


@cache
def two_state_exact() -> SimpleNamespace:
    """Exact long-time drift and diffusivity of the two-state process with constant rates.

    The velocity is a two-state Markov chain (+v0 -> -v0 at rate a, back at
    rate b). Green-Kubo: D = int_0^oo <dv(0) dv(t)> dt in the stationary state,
    and for a stationary start Var x(t) = 2 int_0^t (t - s) C(s) ds exactly.
    """
    Q = sp.Matrix([[-a, a], [b, -b]])  # rows: from state (+, -)
    pi = sp.Matrix([[b / (a + b), a / (a + b)]])
    assert sp.simplify(pi * Q) == sp.zeros(1, 2)
    vel = sp.Matrix([v0, -v0])
    P = sp.simplify((Q * t).exp())
    V = sp.simplify((pi * vel)[0])
    corr = sp.simplify(sum(pi[i] * vel[i] * P[i, j] * vel[j] for i in range(2) for j in range(2)) - V**2)
    D = sp.simplify(sp.integrate(corr, (t, 0, sp.oo)))
    var_x = sp.simplify(2 * sp.integrate((t - s) * corr.subs(t, s), (s, 0, t)))
    D_adiabatic = adiabatic().D
    return SimpleNamespace(V=V, D=D, corr=corr, var_x=var_x, D_adiabatic=D_adiabatic,
                           adiabatic_ratio=sp.simplify(D_adiabatic / D))


@cache
def temporal_sensing() -> SimpleNamespace:
    """Drift and diffusivity for alpha_pm = alpha0 (1 -/+ chi v0 dc/dx) ([CHEMOTAXIS] §5.2).

    ``V`` and ``D`` are the adiabatic-FPE values (= the exact long-time values
    for V); ``V_exact``, ``D_exact`` are the exact long-time transport for a
    uniform gradient.
    """
    rates = {a: alpha0 * (1 - chi * v0 * grad_c), b: alpha0 * (1 + chi * v0 * grad_c)}
    ad = adiabatic()
    ex = two_state_exact()
    return SimpleNamespace(
        V=sp.simplify(ad.V.subs(rates)),
        D=sp.simplify(ad.D.subs(rates)),
        V_exact=sp.simplify(ex.V.subs(rates)),
        D_exact=sp.simplify(ex.D.subs(rates)),
        rate_sum=sp.simplify(sum(rates.values())),
    )


@cache
def numeric() -> SimpleNamespace:
    """Lambdified results used by the checks (numpy functions)."""
    ad, sch, st, ex = adiabatic(), schnitzer(), stationary(), two_state_exact()
    ts = temporal_sensing()
    vs, aps, ams, als = sp.symbols("v_s ap_s am_s al_s", positive=True)
    fsub = {v: vs, ap: aps, am: ams}

    def lam(args, expr):
        return sp.lambdify(args, expr, "numpy")

    return SimpleNamespace(
        # J = -A d_x(B g) + C g with B = v: A(v, ap, am), C(v, ap, am)
        fpe_A=lam((vs, aps, ams), ad.A.subs(fsub)),
        fpe_C=lam((vs, aps, ams), ad.C.subs(fsub)),
        schnitzer_A=lam((vs, als), sch.A.subs({v: vs, sch.alpha_fn: als})),
        schnitzer_D=lam((v0, alpha), sch.D),
        psi_prime=lam((vs, aps, ams), st.psi_prime.subs(fsub)),
        V_exact=lam((v0, a, b), ex.V),
        D_exact=lam((v0, a, b), ex.D),
        var_exact=lam((v0, a, b, t), ex.var_x),
        D_adiabatic=lam((v0, a, b), ex.D_adiabatic),
        sensing_V=lam((v0, alpha0, chi, grad_c), ts.V),
        sensing_D=lam((v0, alpha0, chi, grad_c), ts.D),
    )


@cache
def moment_equations() -> SimpleNamespace:
    """Sum and difference forms of the master equation ([MIPS] §2.2, [CHEMOTAXIS] §3.2-3.3).

    Returns
    -------
    SimpleNamespace
        ``mips_sum``: d_t (P+ + P-) for the Schnitzer rates alpha(x)/2 with P+- = (g +- m)/2;
        ``mips_m_slow``: m = P+ - P- solved from d_t m = 0 (same rates); ``ct_sum``: d_t (p+ + p-)
        for constant speed v0 and rates alpha_pm(x), in p+ = ``p_p(x)``, p- = ``p_m(x)``;
        ``p_plus``: p+ solved from p = p+ + p-, J = v0 (p+ - p-), in symbols ``p``, ``J``.
    """
    al = sp.Function("alpha")(x)
    half = {ap: al / 2, am: al / 2}
    m = sp.Function("m")(x)
    rp, rm = master_rhs((g + m) / 2, (g - m) / 2)
    mips_sum = sp.expand((rp + rm).subs(half))
    m_sym = sp.Symbol("m_sym")
    mips_m_slow = sp.solve(sp.Eq(adiabatic().exact_dm.subs(half).subs(m, m_sym), 0), m_sym)[0]
    pp, pm = sp.Function("p_p")(x), sp.Function("p_m")(x)
    qp, qm = master_rhs(pp, pm)
    ct_sum = sp.expand((qp + qm).subs(v, v0).doit())
    p_, J_, q_p, q_m = sp.symbols("p J q_p q_m")
    sol = sp.solve([sp.Eq(p_, q_p + q_m), sp.Eq(J_, v0 * (q_p - q_m))], [q_p, q_m], dict=True)[0]
    return SimpleNamespace(mips_sum=mips_sum, mips_m_slow=mips_m_slow, ct_sum=ct_sum, p_plus=sol[q_p])


@cache
def sensed_rate() -> SimpleNamespace:
    """Rate of change of a static c along a run, X'(t) = v0 sigma ([CHEMOTAXIS] §5.1).

    ``dc_dt`` is d/dt c(X(t)) with dX/dt = v0 sigma substituted (``X``, ``c``, ``sigma`` returned too).
    """
    t_, sigma = sp.symbols("t sigma", real=True)
    X = sp.Function("X")(t_)
    c = sp.Function("c")
    dc_dt = sp.diff(c(X), t_).subs(sp.Derivative(X, t_), v0 * sigma).doit()
    return SimpleNamespace(dc_dt=dc_dt, X=X, c=c, sigma=sigma)
