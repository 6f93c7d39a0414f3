import numpy as np
import pytest

from verification import errata
from verification.rt1d import derivation as rt
from verification.rtnd import derivation as rtnd_derivation


def test_derived_transport_values():
    num = rt.numeric()
    assert num.schnitzer_D(2.0, 4.0) == pytest.approx(1.0)
    assert num.D_exact(1.0, 1.0, 1.0) == pytest.approx(0.5)  # = adiabatic when a = b
    assert num.D_exact(1.0, 1.5, 0.5) == pytest.approx(0.375)
    assert num.V_exact(1.0, 1.5, 0.5) == pytest.approx(-0.5)
    assert num.sensing_V(5.0, 2.0, 0.05, 1.0) == pytest.approx(1.25)
    assert rtnd_derivation.numeric().D(1.0, 2.0, 3) == pytest.approx(1 / 6)
    t = np.array([1e-3, 100.0])
    var = num.var_exact(1.0, 1.0, 1.0, t)
    assert var[0] == pytest.approx(1e-6, rel=1e-2)  # ballistic at short times
    assert var[1] / (2 * t[1]) == pytest.approx(0.5, rel=2e-2)


def test_errata_verdicts():
    rows = {(r["seed"], r["location"], r["quantity"]): r["verdict"] for r in errata.evaluate()}
    verdicts = list(rows.values())
    assert verdicts.count("WRONG") >= 5
    assert rows[("000", "§2.3", "effective diffusivity D_eff (constant v, alpha)")] == "correct"
    assert rows[("001", "§5.2", "chemotactic drift v_eff (small gradient)")] == "WRONG"
    assert all(r["verdict"] == "DEFECT" for r in errata.evaluate() if r["stated"] == "(code)")


SIPF_VERDICTS = {  # [SIPF] rows of verification/sipf/errata.py and verification/radial/errata.py, by key
    "WRONG": {"sipf.alg1_mode_update", "sipf.alg2_cell_shift", "sipf.eq37_frequency_range",
              "sipf.eq48_merged_cluster_centre", "radial.variance_rate_without_attractant", "radial.eq15_duhamel",
              "radial.eq18_history_kernel"},
    "approximation": {"radial.eq6_particle_identity"},
}


def test_sipf_errata_verdicts():
    from verification.radial import errata as radial_errata
    from verification.sipf import errata as sipf_errata

    rows = [e.evaluate() for mod in (sipf_errata, radial_errata) for e in errata.entries(mod)
            if not isinstance(e, errata.CodeErratum)]
    verdicts = {r["key"]: r["verdict"] for r in rows}
    expected = {k: v for v, keys in SIPF_VERDICTS.items() for k in keys}
    assert {k: v for k, v in verdicts.items() if v != "correct"} == expected
    assert verdicts["sipf.eq34_rho_bound"] == verdicts["sipf.eq34_rho_bound_particles"] == "correct"


RUN_TUMBLE_KS_VERDICTS = {  # rt1d ([MIPS] §1-3, [CHEMOTAXIS] §2-5) and keller_segel formula and number rows, by key
    "WRONG": {"rt1d.mips_fpe_half", "rt1d.mips_zero_flux_alpha0", "rt1d.ct_v_eff_sign", "rt1d.ct_rate_sum",
              "rt1d.ct_chemotactic_drift", "rt1d.ct_sensing_D", "rt1d.ct_rates_chi", "keller_segel.reynolds_number"},
    "approximation": {"rt1d.ct_variance_growth", "keller_segel.threshold_words", "keller_segel.seed_chemotaxis_symbol"},
}


def test_run_tumble_and_keller_segel_errata_verdicts():
    from verification.keller_segel import errata as ks_errata
    from verification.rt1d import errata as rt_errata

    rows = [e.evaluate() for mod in (rt_errata, ks_errata) for e in (*mod.FORMULAS, *mod.NUMBERS)]
    verdicts = {r["key"]: r["verdict"] for r in rows}
    expected = {k: v for v, keys in RUN_TUMBLE_KS_VERDICTS.items() for k in keys}
    assert {k: v for k, v in verdicts.items() if v != "correct"} == expected


ANTS_VERDICTS = {  # [ANTS] rows of verification/ants/errata.py, by key (every other row is correct)
    "WRONG": {"ants.eq6_screening", "ants.eq11_rescaled_c", "ants.eq16_identity", "ants.eq17_c_coefficient",
              "ants.lowest_neumann_mode"},
    "approximation": {"ants.eq23_j11_squared"},
    "DEFECT": {"ants.fig6_ftcs", "ants.eq43_gradient_orthogonality"},
}


def test_ants_errata_verdicts():
    from verification.ants import errata as ants_errata

    verdicts = {r["key"]: r["verdict"] for r in (e.evaluate() for e in errata.entries(ants_errata))}
    expected = {k: v for v, keys in ANTS_VERDICTS.items() for k in keys}
    assert {k: v for k, v in verdicts.items() if v != "correct"} == expected
