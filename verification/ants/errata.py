"""Errata for [ANTS] (nonlinear-diffusion chemotaxis on a disc): stated formulas vs derivations.

The stated forms are transcribed from the seed; the derived ones come from
``verification.ants.derivation`` (sympy) or from a computation with an error bar; the
verdicts are computed. ``FORMULAS`` are symbolic (sympy), ``NUMBERS`` are numbers and
integral identities the seed states (an identity is compared as its residual, stated 0),
``CODE`` demonstrates defects of the seed's procedures, each run as stated and with the fix.

Rounded numbers: the seed prints rounded values; a number's error bar is half a unit in its
last printed digit (the resolution of the statement) plus the floating-point bound of our
value, and the evidence says so. A number outside that bar is a slip (``approximation`` where
the seed writes "≈").
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.integrate import quad
from scipy.special import j0, jn_zeros, jnp_zeros, jv, jvp

from continuum.disc import DiscParams, DiscSolver, ftcs_paper
from continuum.normal_modes import geometric_schedule
from verification.ants import derivation as d
from verification.errata import CodeErratum, FormulaErratum, NumericErratum

chi0, D0, f0, nu0, g0, ell = d.chi0, d.D0, d.f0, d.nu0, d.g0, d.ell
rho_c, M, k, eta, j = d.rho_c, d.M, d.k, d.eta, d.j
a_stated = f0 * chi0 / (D0 * nu0)
EPS = float(np.finfo(float).eps)
SEED = "002"


def _entrywise(mat: sp.Matrix, name: str = "w") -> sp.Expr:
    """sum_ij w_ij M_ij with independent symbols w_ij: zero iff every entry is zero."""
    return sum(sp.Symbol(f"{name}{i}{jj}") * mat[i, jj] for i in range(mat.rows) for jj in range(mat.cols))


def _Q_stated() -> sp.Matrix:
    return sp.Matrix([[a_stated, -a_stated], [-a_stated, g0 / nu0 + j**2 / ell**2]])


def _ku2_stated() -> sp.Expr:
    return f0 * chi0 * sp.sqrt(rho_c / (D0 * nu0)) * (1 / (sp.sqrt(D0 * rho_c) + sp.sqrt(nu0))) ** 2


def _ku2_derived() -> sp.Expr:
    # implicit differentiation of Eq. (22) (d.most_unstable() solves d eta/dq = 0 directly: same root, slower)
    return d.most_unstable_implicit().ku2


# -- transcriptions of the seed's printed forms ------------------------------------------------------
def _eq10_stated() -> sp.Expr:
    st = d.rescaled_steps()
    rho, cp = st.rho, st.cp
    return sp.expand(sp.diff(-rho * sp.diff(cp, d.x) + rho * sp.diff(rho, d.x), d.x))


def _eq14_stated() -> sp.Expr:
    st = d.rescaled_steps()
    rho, cp = st.rho, st.cp
    return sp.expand(sp.diff(rho**2 / 2, d.tau) - rho * sp.diff(cp, d.tau) - rho * sp.diff(st.Z, d.x) ** 2)


def _eq16_stated() -> sp.Expr:
    cp, rho = d.rescaled_steps().cp, d.rescaled_steps().rho
    cpt = sp.diff(cp, d.tau)
    return sp.expand(chi0 / nu0 * cpt**2 + g0 / nu0 * cp * cpt - a_stated * rho * cpt
                     + sp.diff(sp.diff(cp, d.x) ** 2 / 2, d.tau))


def _eq20_stated() -> sp.Expr:
    reaction = sp.Matrix([[0, 0], [f0, -g0]])
    diffusion = sp.Matrix([[D0 * rho_c, -chi0 * rho_c], [0, nu0]])
    return _entrywise(reaction, "a") + _entrywise(diffusion, "b")


def _eq20_derived() -> sp.Expr:
    lin = d.linearized()
    return _entrywise(lin.reaction, "a") + _entrywise(lin.diffusion, "b")


def _K2_stated() -> sp.Expr:
    return f0 * chi0 / (D0 * nu0) - g0 / nu0


def _eq28_stated() -> sp.Expr:
    st = d.stationary_state()
    K = sp.sqrt(_K2_stated())
    return st.A * sp.besselj(0, K * d.r_sym) + f0 * chi0 / (_K2_stated() * D0 * nu0) * st.c0


def _eq29_stated() -> sp.Expr:
    st = d.stationary_state()
    K2 = _K2_stated()
    return chi0 / D0 * (st.A * sp.besselj(0, sp.sqrt(K2) * d.r_sym) + (f0 * chi0 / (K2 * D0 * nu0) - 1) * st.c0)


def _eq33_stated() -> sp.Expr:
    """Eq. (33) transcribed, with m = rho_const (the seed's m in Eqs. 32-33) and int J0^2 dV = int J1^2 dV."""
    st = d.stationary_state()
    A, c0, mean_sq = st.A, st.c0, st.I
    K2 = d.stationary_state().q2
    m = st.rho_const
    area = sp.pi * ell**2
    J2 = area * mean_sq  # int J0^2 dV = int J1^2 dV (Eq. 34)
    return (-f0 * chi0**3 * A**2 / (2 * D0**3 * nu0) * J2
            + (sp.Rational(1, 2) * f0 * chi0 / (D0 * nu0) * m**2 - f0**2 * chi0**3 / (K2 * D0**3 * nu0**2) * m * c0)
            * area
            + g0 * chi0**2 * A**2 / (2 * D0**2 * nu0) * J2
            + f0**2 * chi0**4 * g0 / (2 * K2**2 * D0**4 * nu0**3) * c0**2 * area
            + chi0**2 * K2 * A**2 / (2 * D0**2) * J2)


def _eq45_stated() -> sp.Expr:
    ms = d.modal_sum()
    E, G, J0sq, cc = ms.E, ms.G, ms.J0sq, ms.cc
    s = chi0 / D0
    return sp.expand(a_stated * (sp.Rational(1, 2) * (rho_c**2 + J0sq * E**2) - s * (rho_c * cc + J0sq * E * G))
                     + g0 * chi0**2 / (2 * D0**2 * nu0) * (cc**2 + J0sq * G**2)
                     + chi0**2 / (2 * D0**2 * ell**2) * j**2 * J0sq * G**2)


def _eq49_stated() -> sp.Expr:
    rx = d.radial_expanded()
    rho, c, r = rx.rho, rx.c, d.r_sym
    rr, cr = sp.diff(rho, r), sp.diff(c, r)
    return (-chi0 * (rho / r * cr + rr * cr + rho * sp.diff(c, r, 2))
            + D0 * (rho / r * rr + rr**2 + rho * sp.diff(rho, r, 2)))


def _eq50_stated() -> sp.Expr:
    rx = d.radial_expanded()
    rho, c, r = rx.rho, rx.c, d.r_sym
    return f0 * rho + nu0 * (sp.diff(c, r) / r + sp.diff(c, r, 2)) - g0 * c


def _three_ratios_stated() -> sp.Expr:
    x, y, z = d.modal_sum().ratios
    return _entrywise(sp.Matrix([[x, -x], [-x, y + z * j**2]]))


def _three_ratios_derived() -> sp.Expr:
    ms = d.modal_sum()
    if not ms.ratios_only:
        return sp.Symbol("depends_on_more_than_the_three_ratios")
    return _entrywise(ms.Q_scaled)


FORMULAS: list[FormulaErratum] = [
    FormulaErratum(
        SEED, "Introduction (pressure h)", "rho grad h(rho) for the classical PKS reading h = ln rho",
        lambda: sp.diff(d.pressure_forms().rho, d.x), lambda: d.pressure_forms().log,
        "h = ln rho gives linear diffusion grad rho; h = D0 rho gives the model's D0 rho grad rho",
        key="ants.intro_log_pressure"),
    FormulaErratum(
        SEED, "Eq. (4) (text before)", "dM/dt under Eq. (1) with the Neumann conditions of Eq. (3)",
        lambda: sp.Integer(0), lambda: d.mass_balance().dM_dt,
        "boundary term 2 pi l rho(l) (D0 rho_r - chi0 c_r)(l), zero by Eq. (3)", key="ants.eq4_mass_conservation"),
    FormulaErratum(
        SEED, "Eq. (6)", "kappa^2, the screening of the Green function of the quasi-static Eq. (2)",
        lambda: f0 / nu0, lambda: d.screening_and_interaction().kappa2,
        "K0(kappa r) solves nu0 lap c - g0 c = 0 only for kappa^2 = g0/nu0 (degradation, not production, "
        "screens the pheromone); the seed's f0/nu0 agrees only when f0 = g0 (measured: "
        "ants.gradient_flow_dissipation)", key="ants.eq6_screening"),
    FormulaErratum(
        SEED, "Eq. (8)", "coefficient of the interaction term int int rho G rho in E",
        lambda: f0 * chi0 / (2 * nu0), lambda: d.screening_and_interaction().half_alpha,
        "from delta E/delta rho = D0 rho - chi0 c (Eq. 7 = Eq. 1) with Eq. (5)", key="ants.eq8_interaction"),
    FormulaErratum(
        SEED, "Eq. (9)", "integrand (per 2 pi dr) of dE/dt under radial symmetry, boundary term dropped",
        lambda: -d.r_sym * d.dissipation_density().rho * sp.diff(d.dissipation_density().mu, d.r_sym) ** 2,
        lambda: d.dissipation_density().density,
        "mu = delta E/delta rho; the dropped term [r mu rho mu_r]_0^l vanishes under no flux (measured along runs: "
        "ants.gradient_flow_dissipation)", key="ants.eq9_dissipation"),
    FormulaErratum(
        SEED, "Eq. (10)", "rho_tau in the rescaled variables (tau = D0 t, c' = chi0 c/D0)",
        _eq10_stated, lambda: d.rescaled_steps().rho_tau, "", key="ants.eq10_rescaled_rho"),
    FormulaErratum(
        SEED, "Eq. (11)", "coefficient of d c'/d tau (tau = D0 t, c' = chi0 c/D0)",
        lambda: chi0 / nu0, lambda: d.rescaled().kappa,
        "the rescaling gives D0/nu0, not chi0/nu0 (differ by 4 for the seed's chi0 = 4, D0 = 1); "
        "the sign, hence W's monotonicity, is unaffected", key="ants.eq11_rescaled_c"),
    FormulaErratum(
        SEED, "Eq. (12)", "Z d rho/d tau as a divergence minus rho |grad Z|^2",
        lambda: d.rescaled_steps().eq12_lhs, lambda: d.rescaled_steps().eq12_rhs,
        "product rule; the divergence integrates to zero under no flux", key="ants.eq12_by_parts"),
    FormulaErratum(
        SEED, "Eqs. (13)-(14)", "integrand of d/dtau int rho Z (divergence dropped)",
        _eq14_stated, lambda: d.rescaled_steps().eq14_density, "", key="ants.eq14_rhoZ"),
    FormulaErratum(
        SEED, "Eqs. (15)-(16)", "integrand of 0 = int div(c'_tau grad c') after Eq. (11)",
        _eq16_stated, lambda: d.rescaled_steps().eq16_density,
        "inherits the Eq. (11) slip in the c'_tau^2 coefficient (D0/nu0, not chi0/nu0); the other three terms "
        "are right", key="ants.eq16_identity"),
    FormulaErratum(
        SEED, "Eqs. (16)-(17)", "coefficient of int (d c'/d tau)^2 in -dW/dtau",
        lambda: chi0 / nu0, lambda: d.lyapunov().coef_c,
        "inherits the Eq. (11) slip; derived D0/nu0 (measured: ants.lyapunov identity part)",
        key="ants.eq17_c_coefficient"),
    FormulaErratum(
        SEED, "Eq. (17)", "coefficient of int rho |grad Z|^2 in -dW/dtau",
        lambda: a_stated, lambda: d.lyapunov().coef_rho, "", key="ants.eq17_rho_coefficient"),
    FormulaErratum(
        SEED, "text before Eq. (19)", "c/rho of the homogeneous stationary state",
        lambda: f0 / g0, lambda: sp.simplify(d.homogeneous().c_const / rho_c), "", key="ants.homogeneous_state"),
    FormulaErratum(
        SEED, "Eq. (19) (= Eq. 35)", "W of the homogeneous state",
        lambda: M**2 / (2 * sp.pi * ell**2) * a_stated * (1 - f0 * chi0 / (D0 * g0)),
        lambda: d.homogeneous().W_of_M, "the factor (1 - f0 chi0/(D0 g0)) is right", key="ants.eq19_homogeneous_W"),
    FormulaErratum(
        SEED, "Eq. (20)", "linearised operator (reaction and diffusion matrices)",
        _eq20_stated, _eq20_derived, "compared entry by entry (independent weights)", key="ants.eq20_linearised"),
    FormulaErratum(
        SEED, "Eq. (22)", "dispersion relation of the homogeneous state",
        lambda: (eta**2 + (k**2 * (D0 * rho_c + nu0) + g0) * eta
                 + rho_c * (k**2 * D0 * (g0 + k**2 * nu0) - k**2 * f0 * chi0)),
        lambda: d.linear().charpoly, "", key="ants.eq22_dispersion"),
    FormulaErratum(
        SEED, "text after Eq. (22)", "stability condition (det / rho_const; no rho_const left: no critical mass)",
        lambda: k**2 * D0 * (g0 + k**2 * nu0) - k**2 * f0 * chi0, lambda: d.linearized().stability, "",
        key="ants.eq22_stability_condition"),
    FormulaErratum(
        SEED, "Eq. (24)", "K^2", _K2_stated, lambda: d.linear().K2, "", key="ants.eq24_K2"),
    FormulaErratum(
        SEED, "Eq. (25)", "most unstable k_u^2 for g0 -> 0", _ku2_stated, _ku2_derived, "", key="ants.eq25_ku2"),
    FormulaErratum(
        SEED, "Eq. (26)", "rho(c) of a zero-flux stationary state",
        lambda: chi0 / D0 * (d.stationary_state().c_fn - d.stationary_state().c0),
        lambda: d.stationary_state().rho_of_c, "", key="ants.eq26_zero_flux"),
    FormulaErratum(
        SEED, "Eq. (27)", "stationary Eq. (2) with Eq. (26) substituted",
        lambda: (f0 * chi0 / D0 * (d.stationary_state().c_fn - d.stationary_state().c0)
                 + nu0 * (sp.diff(d.stationary_state().c_fn, d.r_sym, 2)
                          + sp.diff(d.stationary_state().c_fn, d.r_sym) / d.r_sym) - g0 * d.stationary_state().c_fn),
        lambda: d.stationary_state().helmholtz, "", key="ants.eq27_helmholtz"),
    FormulaErratum(
        SEED, "Eq. (28)", "radial solution c(r) of Eq. (27)", _eq28_stated, lambda: d.stationary_state().c_of_r,
        "wavenumber and constant derived from Eq. (27)", key="ants.eq28_c_of_r"),
    FormulaErratum(
        SEED, "Eq. (29)", "rho(r) of the stationary aggregate", _eq29_stated, lambda: d.stationary_state().rho_of_r,
        "", key="ants.eq29_rho_of_r"),
    FormulaErratum(
        SEED, "Eqs. (30)-(31)", "c_const/rho_const of the stationary aggregate (the homogeneous ratio f0/g0)",
        lambda: f0 / g0, lambda: d.stationary_state().c_over_rho,
        "means over the disc with int J0(K r) dV = 0", key="ants.eq30_31_means"),
    FormulaErratum(
        SEED, "Eqs. (32)-(33)", "W of the stationary aggregate with amplitude A, before the A^2 terms cancel",
        _eq33_stated, lambda: d.stationary_state().W,
        "with m = rho_const and int J0^2 dV = int J1^2 dV (Eq. 34); the three A^2 integrals cancel by Eq. (24)",
        key="ants.eq33_W_of_A"),
    FormulaErratum(
        SEED, "Eq. (35)", "W of the stationary aggregate (independent of A)",
        lambda: M**2 / (2 * sp.pi * ell**2) * a_stated * (1 - f0 * chi0 / (g0 * D0)),
        lambda: d.stationary_state().W_of_M, "equals Eq. (19) (measured: ants.stationary_bessel)",
        key="ants.eq35_W_stationary"),
    FormulaErratum(
        SEED, "Eq. (45)", "W/(pi l^2) of the constants plus one radial mode",
        _eq45_stated, lambda: d.modal_sum().W_over_area, "", key="ants.eq45_modal_W"),
    FormulaErratum(
        SEED, "Eq. (46)", "per-mode matrix in the (E_0m, chi0 G_0m / D0) basis",
        lambda: _entrywise(_Q_stated()), lambda: _entrywise(d.modal().Q),
        "compared entry by entry (independent weights); consistent with Eq. (45)", key="ants.eq46_mode_matrix"),
    FormulaErratum(
        SEED, "text after Eq. (46)", "Q_m nu0/f0 in the three ratios chi0/D0, g0/f0, nu0/(f0 l^2)",
        _three_ratios_stated, _three_ratios_derived,
        "the minimisation depends only on these three ratios (W rescaled by f0/nu0)", key="ants.eq46_three_ratios"),
    FormulaErratum(
        SEED, "text after Eq. (46)", "optimal c_const of the m = 0 term",
        lambda: f0 / g0 * rho_c, lambda: d.modal_sum().cc_opt, "", key="ants.eq46_m0_optimum"),
    FormulaErratum(
        SEED, "text after Eq. (46)", "det Q_m / Q_11: elliptic iff j_1m/l > K (sign of j_1m^2/l^2 - K^2)",
        lambda: j**2 / ell**2 - _K2_stated(), lambda: d.modal_sum().det_over_a, "", key="ants.eq46_elliptic"),
    FormulaErratum(
        SEED, "text after Eq. (46)", "sign of E_0m G_0m along the unstable axis (K l > j_1m)",
        lambda: sp.Integer(1), lambda: d.modal_sum().unstable_sign,
        "read as 'E_01, G_01 > 0' and 'E_01, G_01 < 0' (the seed's 'E01G01 < 0' taken literally as a product "
        "would be wrong: both minima lie on the axis where E and G share their sign)",
        key="ants.eq46_minima_signs"),
    FormulaErratum(
        SEED, "text after Eq. (47)", "W_ref/(pi l^2) for f0 = 5, chi0 = 4, rho_c = D0 = nu0 = g0 = l = 1",
        lambda: sp.Integer(-190),
        lambda: (d.homogeneous().W / (sp.pi * ell**2)).subs({f0: 5, chi0: 4, rho_c: 1, D0: 1, nu0: 1, g0: 1,
                                                               ell: 1}),
        "correct (measured: ants.homogeneous_W)", key="ants.W_ref_f0_5"),
    FormulaErratum(
        SEED, "Eq. (49)", "rho_t under radial symmetry, expanded", _eq49_stated, lambda: d.radial_expanded().rho_t,
        "", key="ants.eq49_radial_rho"),
    FormulaErratum(
        SEED, "Eq. (50)", "c_t under radial symmetry", _eq50_stated, lambda: d.radial_expanded().c_t, "",
        key="ants.eq50_radial_c"),
]


# -- numbers ----------------------------------------------------------------------------------------
def _rounded(value: float, stated: float, digits: int, what: str) -> tuple[float, float, str]:
    """Our exact-to-round-off value against a number printed with ``digits`` decimals."""
    bar = 0.5 * 10.0 ** (-digits) + 64 * EPS * abs(value)
    return value, bar, (f"{what}; error bar: half a unit in the seed's last printed digit (10^-{digits}/2) "
                        f"+ 64 eps round-off")


J11, J12, J13 = (float(z) for z in jn_zeros(1, 3))


def _f0_for(kl: float, chi0_: float = 4.0) -> float:
    """f0 with K l = kl for D0 = nu0 = g0 = l = 1 (Eq. 24)."""
    return (kl**2 + 1.0) / chi0_


def _quad(fun, a: float, b: float) -> tuple[float, float]:
    val, err = quad(fun, a, b, limit=200, epsabs=1e-13, epsrel=1e-11)
    return val, err + 64 * EPS * abs(val)


L_TEST = 1.3  # a disc radius != 1, so that misplaced factors of l show


def _eq34_residual() -> tuple[float, float, str]:
    K = J11 / L_TEST
    a, ea = _quad(lambda r: r * j0(K * r) ** 2, 0.0, L_TEST)
    b, eb = _quad(lambda r: r * jv(1, K * r) ** 2, 0.0, L_TEST)
    return a - b, ea + eb, f"K^2 (int r J0^2 - int r J1^2) / K^2 at K l = j11, l = {L_TEST}; error bar: quad error"


def _eq38_residual() -> tuple[float, float, str]:
    worst, bar = 0.0, 0.0
    for jm in jn_zeros(1, 5):
        v, e = _quad(lambda r, jm=jm: 2 * math.pi * r * j0(jm * r / L_TEST), 0.0, L_TEST)
        worst, bar = max(worst, abs(v)), bar + e
    return worst, bar, (f"max over m = 1..5 of |int J0(j'_0m r/l) dV| (p >= 1 vanish by the angle), l = {L_TEST}; "
                        "error bar: sum of quad errors")


def _eq39_residual() -> tuple[float, float, str]:
    worst, bar = 0.0, 0.0
    for p in range(4):
        zs = jnp_zeros(p, 3)
        for u, zu in enumerate(zs):
            phi = jv(p, zu) * jvp(p, zu, 2)
            for w, zw in enumerate(zs):
                v, e = _quad(lambda r, zu=zu, zw=zw, p=p: r * jv(p, zu * r / L_TEST) * jv(p, zw * r / L_TEST),
                             0.0, L_TEST)
                stated = -L_TEST**2 / 2 * phi * (u == w)
                worst, bar = max(worst, abs(v - stated)), bar + e + 64 * EPS * abs(stated)
    return worst, bar, (f"max |int r J_p J_p dr - (-(l^2/2) phi_pu delta_uw)| over p = 0..3, u, w = 1..3, "
                        f"l = {L_TEST}; error bar: sum of quad errors + round-off")


def _eq44_residual() -> tuple[float, float, str]:
    worst, bar = 0.0, 0.0
    zs = jn_zeros(1, 4)
    for u, zu in enumerate(zs):
        for w, zw in enumerate(zs):
            v0, e0 = _quad(lambda r, zu=zu, zw=zw: r * j0(zu * r / L_TEST) * j0(zw * r / L_TEST), 0.0, L_TEST)
            v1, e1 = _quad(lambda r, zu=zu, zw=zw: r * jv(1, zu * r / L_TEST) * jv(1, zw * r / L_TEST), 0.0, L_TEST)
            stated = L_TEST**2 / 2 * j0(zu) ** 2 * (u == w)
            worst = max(worst, abs(v0 - stated), abs(v1 - stated))
            bar += e0 + e1 + 64 * EPS * abs(stated)
    return worst, bar, (f"max of |int r J0 J0 dr - (l^2/2) J0^2(j1u) delta| and the same for J1, u, w = 1..4, "
                        f"l = {L_TEST}; error bar: sum of quad errors + round-off")


def _disc_rule(n_r: int, n_theta: int = 64):
    """Gauss-Legendre in r on [0, l] (weights include r dr) x uniform theta (exact for |p| < n_theta/2)."""
    x, w = np.polynomial.legendre.leggauss(n_r)
    r = 0.5 * L_TEST * (x + 1)
    wr = 0.5 * L_TEST * w * r
    th = 2 * math.pi * np.arange(n_theta) / n_theta
    return r, wr, th, 2 * math.pi / n_theta


def _random_modes(seed: int, p_max: int = 2, m_max: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    return {(p, m): (rng.normal(), rng.normal() if p > 0 else 0.0) for p in range(p_max + 1)
            for m in range(1, m_max + 1)}


def _field(modes: dict, const: float, r: np.ndarray, th: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, d/dr and (1/r) d/dtheta of const + sum J_p(j'_pm r/l)(E cos p th + F sin p th) on r x th."""
    R, T = np.meshgrid(r, th, indexing="ij")
    val = np.full(R.shape, const)
    dr = np.zeros(R.shape)
    dth = np.zeros(R.shape)
    for (p, m), (E, F) in modes.items():
        kk = jnp_zeros(p, m)[-1] / L_TEST
        ang = E * np.cos(p * T) + F * np.sin(p * T)
        val += jv(p, kk * R) * ang
        dr += kk * jvp(p, kk * R) * ang
        dth += jv(p, kk * R) * p * (-E * np.sin(p * T) + F * np.cos(p * T)) / R
    return val, dr, dth


def _eq40_residual() -> tuple[float, float, str]:
    modes = _random_modes(40)
    stated = 1.0
    for (p, m), (E, F) in modes.items():
        z = jnp_zeros(p, m)[-1]
        phi = jv(p, z) * jvp(p, z, 2)
        stated -= phi * E**2 if p == 0 else 0.5 * phi * (E**2 + F**2)
    vals = []
    for n_r in (60, 120):
        r, wr, th, wth = _disc_rule(n_r)
        rho = _field(modes, 1.0, r, th)[0]
        vals.append(float(np.sum(wr[:, None] * rho**2) * wth / (math.pi * L_TEST**2)))
    bar = abs(vals[1] - vals[0]) + 64 * EPS * sum(abs(v) for v in vals)
    return vals[1] - stated, bar, (f"(1/(pi l^2)) int rho^2 dV by quadrature minus Eq. (40), random E_pm, F_pm "
                                   f"(p <= 2, m <= 3, rho_const = 1, l = {L_TEST}); error bar: |quadrature 60 - 120 "
                                   "radial nodes| + round-off")


def _eq42_43_residual() -> tuple[float, float, str]:
    modes = _random_modes(42)
    # Eqs. (42) and (43) as printed, their r-integrals by quad
    s42 = sum(math.pi * z**2 * j0(z) ** 2 * modes[(0, m)][0] ** 2 for m, z in enumerate(jn_zeros(1, 3), start=1))
    s43 = 0.0
    err = 0.0
    for p in (1, 2):
        zs = jnp_zeros(p, 3)
        for m, zm in enumerate(zs, start=1):
            for n, zn in enumerate(zs, start=1):
                (Gm, Hm), (Gn, Hn) = modes[(p, m)], modes[(p, n)]
                I1, e1 = _quad(lambda r, zm=zm, zn=zn, p=p: r * jvp(p, zm * r / L_TEST) * jvp(p, zn * r / L_TEST),
                               0.0, L_TEST)
                I2, e2 = _quad(lambda r, zm=zm, zn=zn, p=p: jv(p, zm * r / L_TEST) * jv(p, zn * r / L_TEST) / r,
                               1e-300, L_TEST)
                s42 += math.pi / L_TEST**2 * zm * zn * (Gm * Gn + Hm * Hn) * I1
                s43 += math.pi * p**2 * (Gm * Gn + Hm * Hn) * I2
                err += math.pi * abs(Gm * Gn + Hm * Hn) * (zm * zn / L_TEST**2 * e1 + p**2 * e2)
    brute = []
    for n_r in (60, 120):
        r, wr, th, wth = _disc_rule(n_r)
        _, cr, cth = _field(modes, 2.0, r, th)
        brute.append((float(np.sum(wr[:, None] * cr**2) * wth), float(np.sum(wr[:, None] * cth**2) * wth)))
    bar = err + sum(abs(brute[1][i] - brute[0][i]) for i in range(2)) + 64 * EPS * (abs(s42) + abs(s43))
    worst = max(abs(brute[1][0] - s42), abs(brute[1][1] - s43))
    return worst, bar, (f"max of |int (c_r)^2 dV - Eq. (42)| and |int (c_theta/r)^2 dV - Eq. (43)|, random G_pm, "
                        f"H_pm (p <= 2, m <= 3, l = {L_TEST}); error bar: quad errors of the printed r-integrals + "
                        "|quadrature 60 - 120 radial nodes| + round-off")


def _lowest_mode() -> tuple[float, float, str]:
    zeros = [float(jnp_zeros(p, 1)[0]) for p in range(6)]
    low = min(zeros)
    p_low = zeros.index(low)
    return low, 64 * EPS * low, (f"smallest first zero of J_p' over p = 0..5 is at p = {p_low} "
                                 f"(j'_p1 = {', '.join(f'{z:.4f}' for z in zeros)}); the n = 0 mode is the lowest "
                                 "radially symmetric one only; error bar: round-off")


def _T_end() -> tuple[float, float, str]:
    temps = geometric_schedule()
    return (math.log10(float(temps[-1])), 0.5,
            f"log10 of the last T of T = 10 x 1.2^-n, n = 0..50 (= {temps[-1]:.3g}); error bar: half a decade "
            "(the seed states a power of ten)")


def _variables() -> tuple[float, float, str]:
    from verification.ants.cases import PAPER, modal_model
    mod = modal_model(PAPER)
    return 1 + 2 * mod.m_hat, 0.5, f"c_const + E_0m and G_0m for m = 1..{mod.m_hat}; error bar: integer count"


NUMBERS: list[NumericErratum] = [
    NumericErratum(
        SEED, "text after Eq. (21)", "first zero of J1 (the n = 0 Neumann mode), k l", 3.832,
        lambda: _rounded(J11, 3.832, 3, "j11 by scipy.special.jn_zeros"), key="ants.j11_value"),
    NumericErratum(
        SEED, "text after Eq. (21)", "lowest nonzero Neumann wavenumber k l of the disc ('found at n = 0')", 3.832,
        _lowest_mode,
        "the lowest Neumann mode of the disc is p = 1 (J1(j'_11 r/l) cos theta, j'_11 = 1.8412), not n = 0: "
        "for the seed's parameters the homogeneous state is linearly unstable to it for f0 > (j'_11^2 + 1)/4 = "
        "1.0975, far below f0* = 3.92, which is the threshold within radial symmetry only",
        key="ants.lowest_neumann_mode"),
    NumericErratum(
        SEED, "Eq. (23)", "(k l)^2 of the lowest radial Neumann mode, j11^2", 14.684,
        lambda: _rounded(J11**2, 14.684, 3, "j11^2"),
        "rounding slip: j11^2 = 14.6820 (3.832^2 = 14.684: the rounded zero squared); f0* = 3.9205 either way",
        approximation=True, key="ants.eq23_j11_squared"),
    NumericErratum(
        SEED, "Numerical Results; Figs. 5-6 captions", "f0* (K l = j11; chi0 = 4, rest 1)", 3.92,
        lambda: _rounded(_f0_for(J11), 3.92, 2, "(j11^2 + 1)/4 from Eq. (24)"), approximation=True,
        key="ants.f0_star"),
    NumericErratum(
        SEED, "text after Eq. (46) (Fig. 3)", "K l at f0 = 5 (chi0 = 4, rest 1)", 4.3589,
        lambda: _rounded(math.sqrt(5 * 4 - 1), 4.3589, 4, "sqrt(f0 chi0 - g0) l, Eq. (24)"), approximation=True,
        key="ants.kl_f0_5"),
    NumericErratum(
        SEED, "text after Eq. (46) (Fig. 3)", "j11 (4 decimals)", 3.8317,
        lambda: _rounded(J11, 3.8317, 4, "scipy jn_zeros"), approximation=True, key="ants.j11_4_decimals"),
    NumericErratum(
        SEED, "text after Eq. (47)", "j12", 7.0156,
        lambda: _rounded(J12, 7.0156, 4, "scipy jn_zeros"), approximation=True, key="ants.j12_value"),
    NumericErratum(
        SEED, "text after Eq. (47) (Fig. 4)", "K l at f0 = 10, chi0 = 8 (rest 1)", 8.8882,
        lambda: _rounded(math.sqrt(10 * 8 - 1), 8.8882, 4, "sqrt(f0 chi0 - g0) l, Eq. (24)"), approximation=True,
        key="ants.kl_f0_10"),
    NumericErratum(
        SEED, "text after Eq. (47) (Fig. 4)", "j13", 10.1735,
        lambda: _rounded(J13, 10.1735, 4, "scipy jn_zeros"), approximation=True, key="ants.j13_value"),
    NumericErratum(
        SEED, "text after Eq. (48) (Fig. 5)", "f0 with K l = j12 (chi0 = 4, rest 1)", 12.55,
        lambda: _rounded(_f0_for(J12), 12.55, 2, "(j12^2 + 1)/4 from Eq. (24)"), approximation=True,
        key="ants.f0_j12"),
    NumericErratum(
        SEED, "text after Eq. (47); Methods", "log10 of the final annealing temperature ('T ≈ 10^-3')", -3.0,
        _T_end, approximation=True, key="ants.T_end"),
    NumericErratum(
        SEED, "Numerical Results", "number of annealed variables for m_hat = 19", 39.0, _variables,
        key="ants.variables_39"),
    NumericErratum(
        SEED, "Eq. (34)", "residual int r J0^2(Kr) dr - int r J1^2(Kr) dr at J1(K l) = 0", 0.0, _eq34_residual,
        key="ants.eq34_identity"),
    NumericErratum(
        SEED, "Eq. (38)", "residual: int J_p(j'_pm r/l) e^{ip theta} dV", 0.0, _eq38_residual,
        key="ants.eq38_zero_mean"),
    NumericErratum(
        SEED, "Eq. (39)", "residual of the orthogonality relation with phi_pu = J_p J_p''", 0.0, _eq39_residual,
        key="ants.eq39_orthogonality"),
    NumericErratum(
        SEED, "Eq. (40)", "residual of (1/(pi l^2)) int rho^2 dV in normal modes", 0.0, _eq40_residual,
        key="ants.eq40_rho_squared"),
    NumericErratum(
        SEED, "Eqs. (41)-(43)", "residual of the radial and angular parts of int |grad c|^2 dV", 0.0,
        _eq42_43_residual, key="ants.eq42_43_gradient"),
    NumericErratum(
        SEED, "Eq. (44)", "residual of the p = 0 orthogonality (J0 and J1 forms)", 0.0, _eq44_residual,
        key="ants.eq44_orthogonality"),
]


# -- code and stated procedures -----------------------------------------------------------------------
def _ftcs_vs_fixed(as_stated: bool) -> tuple[bool, str]:
    """Eq. (49) by FTCS (the seed's Fig. 6 scheme) vs the conservative split scheme, from a state touching rho = 0.

    Both run the seed's dt = 1e-7 on 200 points to t = 0.01 from rho = max(1 + 2.7 J0(j11 r), 0)
    (an aggregate whose density vanishes near the edge, as the f0 > f0* runs reach at long times),
    c = 4, f0 = 4. The dynamics keeps rho >= 0 (the seed, ref. 27) and conserves M (Eq. 4). Defect:
    min rho over the run below -(round-off allowance n_steps x 64 eps x max rho).
    """
    p = DiscParams(f0=4.0)
    n, dt, chunk, chunks = 200, 1e-7, 5000, 20
    if as_stated:
        r = np.linspace(0.0, p.radius, n)
        weights = np.gradient(r) * r  # node quadrature of int rho r dr (trapezoid-like)
        weights[0], weights[-1] = 0.0, 0.5 * (r[-1] - r[-2]) * r[-1]
        rho = np.maximum(1.0 + 2.7 * j0(J11 * r), 0.0)
        c = np.full(n, 4.0)
        name = "seed's FTCS on the expanded Eq. (49), 200 nodes"
    else:
        solver = DiscSolver(p, n)
        r = solver.grid.r
        weights = solver.grid.volumes / (2 * math.pi)
        rho = np.maximum(1.0 + 2.7 * j0(J11 * r), 0.0)
        c = np.full(n, 4.0)
        name = "conservative split finite volumes (continuum.disc.DiscSolver), 200 cells"
    mass0 = float(np.sum(weights * rho))
    rho_max = float(rho.max())
    worst = math.inf
    for _ in range(chunks):
        if as_stated:
            rho, c = ftcs_paper(p, rho, c, dt, chunk)
        else:
            rho, c, _ = solver.run(rho, c, dt, chunk)
        worst = min(worst, float(rho.min()))
    allowance = chunk * chunks * 64 * EPS * rho_max
    drift = float(np.sum(weights * rho)) / mass0 - 1
    present = worst < -allowance
    return present, (f"{name}: min rho over t <= 0.01 (1e5 steps of dt = 1e-7) = {worst:.3g} (round-off allowance "
                     f"{allowance:.1g}); relative mass change {drift:.2g}")


def _gradient_cross_terms(as_stated: bool) -> tuple[bool, str]:
    """Text after Eq. (43): 'no orthogonality between m and n' in int |grad c|^2, hence triple sums.

    As stated: the m != n terms of Eq. (42) are kept because they do not vanish; the defect is
    that, added to those of Eq. (43), they do (Green's identity: int grad phi_m . grad phi_n dV =
    k_n^2 int phi_m phi_n dV = 0 for Neumann modes), so the triple sum is never needed. With the fix
    (int |grad c|^2 dV = sum_pm (j'_pm/l)^2 int c_pm^2 dV, diagonal), the defect is a mismatch of the
    diagonal formula with a brute-force quadrature of int |grad c|^2 dV.
    """
    if as_stated:
        rows, cancel, alone = [], True, False
        for p in (1, 2):
            zs = jnp_zeros(p, 3)
            for m in range(3):
                for n in range(m + 1, 3):
                    I1, e1 = _quad(lambda r, a=zs[m], b=zs[n], p=p: r * jvp(p, a * r / L_TEST) * jvp(p, b * r / L_TEST),
                                   0.0, L_TEST)
                    I2, e2 = _quad(lambda r, a=zs[m], b=zs[n], p=p: jv(p, a * r / L_TEST) * jv(p, b * r / L_TEST) / r,
                                   1e-300, L_TEST)
                    t42 = zs[m] * zs[n] / L_TEST**2 * I1
                    t43 = p**2 * I2
                    err = zs[m] * zs[n] / L_TEST**2 * e1 + p**2 * e2
                    cancel &= abs(t42 + t43) <= err
                    alone |= abs(t42) > err
                    rows.append(f"p={p} m={m + 1} n={n + 1}: Eq.42 {t42:.4g}, Eq.43 {t43:.4g}, sum {t42 + t43:.1g}")
        return bool(cancel and alone), ("as stated (triple sums kept): m != n terms of Eq. (42) alone nonzero: "
                                  f"{alone}; Eq. (42) + Eq. (43) cancel within the quad error: {cancel}; "
                                  + "; ".join(rows[:3]))
    modes = _random_modes(43)
    diag, diag_err = 0.0, 0.0
    for (p, m), (G, H) in modes.items():
        z = jnp_zeros(p, m)[-1]
        norm, e = _quad(lambda r, z=z, p=p: r * jv(p, z * r / L_TEST) ** 2, 0.0, L_TEST)
        weight = (z / L_TEST) ** 2 * (G**2 + H**2) * (2 * math.pi if p == 0 else math.pi)
        diag += weight * norm
        diag_err += weight * e
    brute = []
    for n_r in (60, 120):
        r, wr, th, wth = _disc_rule(n_r)
        _, cr, cth = _field(modes, 2.0, r, th)
        brute.append(float(np.sum(wr[:, None] * (cr**2 + cth**2)) * wth))
    bar = abs(brute[1] - brute[0]) + diag_err + 64 * EPS * abs(diag)
    mismatch = abs(brute[1] - diag)
    return bool(mismatch > bar), (f"fix (diagonal sum_pm (j'_pm/l)^2 int c_pm^2 dV): {diag:.10g} vs quadrature "
                                  f"{brute[1]:.10g}, |difference| {mismatch:.2g} (bound {bar:.2g}: |60 - 120 nodes| "
                                  "+ quad errors of the mode norms + round-off)")


CODE: list[CodeErratum] = [
    CodeErratum(SEED, "Fig. 6 / text after Eq. (50)", "FTCS of the expanded Eq. (49)", _ftcs_vs_fixed,
                "finite volumes on the flux form (1/r)(r rho (D0 rho_r - chi0 c_r))_r with zero boundary flux and "
                "upwind mobility (continuum.disc.DiscSolver): rho >= 0, M conserved to round-off, W non-increasing",
                key="ants.fig6_ftcs"),
    CodeErratum(SEED, "text after Eq. (43)", "'no orthogonality between m and n': triple sums kept, p > 0 dropped",
                _gradient_cross_terms,
                "int |grad c|^2 dV is diagonal in the Neumann modes (Green's identity), so W is a sum over (p, m) of "
                "2x2 forms like Eq. (46) for every p: non-radial states need no triple sum",
                key="ants.eq43_gradient_orthogonality"),
]
