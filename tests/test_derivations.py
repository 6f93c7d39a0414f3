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
