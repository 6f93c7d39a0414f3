"""No erratum verdict is constant: each code erratum is run with the fix, each number has an error bar."""

import inspect
import math

import pytest

from verification import errata

ENTRIES = errata.entries()
CODE = [e for e in ENTRIES if isinstance(e, errata.CodeErratum)]
NUMBERS = [e for e in ENTRIES if isinstance(e, errata.NumericErratum)]


def test_keys_unique_and_named_by_topic():
    keys = [e.key for e in ENTRIES]
    assert all(k and "." in k for k in keys), [e.location for e in ENTRIES if not e.key or "." not in e.key]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


@pytest.mark.parametrize("entry", CODE, ids=[e.key or e.location for e in CODE])
def test_code_erratum_shows_as_stated_and_not_with_the_fix(entry):
    assert list(inspect.signature(entry.demonstrate).parameters) == ["as_stated"]
    present, evidence = entry.demonstrate(True)
    fixed, fixed_evidence = entry.demonstrate(False)
    assert present, evidence
    assert not fixed, fixed_evidence
    assert evidence != fixed_evidence


@pytest.mark.parametrize("entry", NUMBERS, ids=[e.key for e in NUMBERS])
def test_numeric_erratum_has_a_finite_error_bar(entry):
    value, error_bar, evidence = entry.compute()
    assert math.isfinite(value), evidence
    assert math.isfinite(error_bar), evidence
    assert error_bar > 0, evidence
    assert evidence


def test_formula_erratum_verdict_follows_the_comparison():
    # a WRONG or approximate row with its stated side replaced by the derived one comes out correct,
    # and no row compares a callable with itself
    assert not [e.key for e in ENTRIES if isinstance(e, errata.FormulaErratum) and e.stated is e.derived]
    wrong = [e for e in ENTRIES if isinstance(e, errata.FormulaErratum) and e.evaluate()["verdict"] != "correct"]
    for e in wrong:
        fixed = errata.FormulaErratum(e.seed, e.location, e.quantity, e.derived, e.derived, key=e.key)
        assert fixed.evaluate()["verdict"] == "correct", e.key
