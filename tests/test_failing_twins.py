"""Every check passes on our methods and fails, by its verdict, on a deliberately wrong model.

The wrong models are registered beside the checks (``verification/<topic>/wrong_models.py``).
A wrong model counts as caught only when the check ran to its end (no exception) and reported
failure: a crash is not a verdict.
"""

import importlib

import pytest

from verification.records import load_all, run_check
from verification.testing import WrongModel, wrong_models

WRONG = wrong_models()


def _param(w: WrongModel):
    return pytest.param(w, id=f"{w.check}: {w.why}", marks=[pytest.mark.slow] if w.slow else [])


@pytest.fixture
def patched(request, monkeypatch):
    for module, attr, value in request.param.patches:
        monkeypatch.setattr(importlib.import_module(module), attr, value)
    return request.param


def test_every_check_has_a_wrong_model():
    assert {w.check for w in WRONG} == set(load_all())


def test_every_check_passes_on_ours_somewhere():
    """A check skipped in the pass-on-ours cases must say why (its wrong model's ``why``)."""
    skipped = {w.check for w in WRONG} - {w.check for w in WRONG if w.ours_too}
    assert skipped <= {"sipf.critical_mass"}, skipped


def test_wrong_models_use_declared_keywords():
    checks = load_all()
    for w in WRONG:
        assert set(w.methods) <= set(checks[w.check].methods), (w.check, sorted(w.methods))


@pytest.mark.parametrize("patched", [_param(w) for w in WRONG], indirect=True)
def test_check_fails_on_wrong_model(patched):
    w = patched
    res = run_check(load_all()[w.check], w.config, **w.methods)
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


def _ours():
    """One case per check: our methods, with the configuration of the check's first wrong model."""
    first: dict[str, WrongModel] = {}
    for w in WRONG:
        if w.ours_too:
            first.setdefault(w.check, w)
    cases = []
    for cid, w in sorted(first.items()):
        marks = [pytest.mark.slow] if w.slow else []
        cases.append(pytest.param(w, id=cid, marks=marks))
    return cases


@pytest.mark.parametrize("patched", _ours(), indirect=True)
def test_check_passes_on_our_model(patched):
    w = patched
    res = run_check(load_all()[w.check], w.config)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details
