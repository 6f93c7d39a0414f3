"""Method protocols: registry, CLI listing, loading a user's method, smoke tests, assert_check."""

import json

import numpy as np
import pytest

from verification.cli import main
from verification.protocols import MethodMismatch, all_protocols, load_object
from verification.records import load_all
from verification.testing import CheckFailed, assert_check


def test_every_method_keyword_declares_a_registered_protocol():
    protocols = all_protocols()
    for chk in load_all().values():
        for kw, name in chk.methods.items():
            assert name in protocols, (chk.id, kw, name)


def test_every_protocol_is_used_and_its_default_passes_its_smoke_test():
    used = {name for chk in load_all().values() for name in chk.methods.values()}
    for name, p in all_protocols().items():
        assert name in used, name
        p.validate(p.default)
        assert p.protocol.__call__.__doc__, name


def test_methods_json_lists_every_protocol(capsys):
    assert main(["methods", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    names = [p["name"] for p in doc["protocols"]]
    assert len(names) == len(set(names)) == len(all_protocols())
    rt = next(p for p in doc["protocols"] if p["name"] == "rt1d.walkers")
    assert rt["signature"].startswith("rt1d.walkers(params")
    assert {"check": "rt1d.diffusivity", "keyword": "walkers", "profiles": ["quick", "full"]} in rt["checks"]


def test_unknown_protocol_is_a_usage_error_listing_valid_ones(capsys):
    assert main(["run", "--method", "walkers=numpy:zeros", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert "unknown protocol 'walkers'" in err
    assert "rt1d.walkers" in err


def test_compare_needs_a_method(capsys):
    assert main(["run", "--compare", "--no-report"]) == 2


def test_method_for_unselected_protocol_is_a_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "m.py").write_text("from agents.run_tumble_nd import simulate_nd as walk\n")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--method", "rtnd.walkers=m:walk", "--only", "rt1d.diffusivity", "--no-report"]) == 2
    assert "no selected check" in capsys.readouterr().err


def test_load_object_from_current_folder_and_path(tmp_path, monkeypatch):
    (tmp_path / "user_mod_xyz.py").write_text("def f(x):\n    return x\n")
    monkeypatch.chdir(tmp_path)
    assert load_object("user_mod_xyz:f")(3) == 3
    assert load_object(f"{tmp_path / 'user_mod_xyz.py'}:f")(4) == 4
    with pytest.raises(ValueError, match="has no attribute"):
        load_object("user_mod_xyz:g")
    with pytest.raises(ValueError, match="no such file"):
        load_object("nothere.py:f")


def test_smoke_test_names_protocol_and_shape():
    p = all_protocols()["rt1d.walkers"]
    with pytest.raises(MethodMismatch, match=r"rt1d.walkers: .*shape \(2, 8\), got shape \(2, 7\)"):
        p.validate(lambda params, x0, s0, times, seed: np.zeros((len(times), x0.size - 1)))
    with pytest.raises(MethodMismatch, match="non-finite"):
        p.validate(lambda params, x0, s0, times, seed: np.full((len(times), x0.size), np.nan))
    with pytest.raises(MethodMismatch, match="calling the method as"):
        p.validate(lambda params: None)


def test_assert_check_passes_ours_and_fails_a_wrong_method():
    from verification.rt1d.protocols import WALKERS
    from verification.rt1d.wrong_models import SWAP_RATES, altered

    assert assert_check("rt1d.two_state_transport", walkers=WALKERS.default).passed
    with pytest.raises(CheckFailed, match=r"(?s)rt1d.two_state_transport failed.*\[FAIL\] drift"):
        assert_check("rt1d.two_state_transport", walkers=altered(**SWAP_RATES))
    with pytest.raises(TypeError, match="takes no method keyword"):
        assert_check("rt1d.two_state_transport", solver=WALKERS.default)
    with pytest.raises(MethodMismatch):
        assert_check("rt1d.two_state_transport", walkers=lambda params, x0, s0, times, seed: x0)
