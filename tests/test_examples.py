"""The worked examples in examples/, run through the command line as a user would (subprocess, own folder).

The user's file is copied into a fresh folder and named by module (no PYTHONPATH), or by path.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RT1D = ["rt1d.diffusivity", "rt1d.two_state_transport", "rt1d.chemotactic_drift"]


def activebench(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, "-m", "verification.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=1800)


@pytest.fixture
def user_folder(tmp_path):
    shutil.copy(EXAMPLES / "rt1d_numpy_sampler.py", tmp_path / "my_sampler.py")
    return tmp_path


def test_correct_sampler_passes_side_by_side(user_folder):
    out = activebench("run", "--method", "rt1d.walkers=my_sampler:simulate", "--only", *RT1D, "--compare",
                      "--json", "r.json", "--report", "rep", "--no-progress", cwd=user_folder)
    assert out.returncode == 0, out.stdout + out.stderr
    doc = json.loads((user_folder / "r.json").read_text())
    assert doc["methods_under_test"] == {"rt1d.walkers": "my_sampler:simulate"}
    assert [row["id"] for row in doc["comparison"]] == RT1D
    for row in doc["comparison"]:
        assert row["ours"]["passed"]
        assert row["yours"]["passed"]
        assert row["yours"]["deviation_over_tolerance"] < 1
    assert [c["id"] for c in doc["ours"]] == RT1D
    html = (user_folder / "rep" / "index.html").read_text()
    assert "Method under test" in html
    assert "my_sampler:simulate" in html
    assert (user_folder / "rep" / "figures" / "rt1d.diffusivity.ours.png").exists()


def test_subtly_wrong_sampler_fails_by_verdict(user_folder):
    out = activebench("run", "--method", "rt1d.walkers=my_sampler:simulate_swapped_rates", "--only", *RT1D,
                      "--json", "r.json", "--no-report", "--no-progress", cwd=user_folder)
    assert out.returncode == 1, out.stdout + out.stderr
    checks = {c["id"]: c for c in json.loads((user_folder / "r.json").read_text())["checks"]}
    assert checks["rt1d.diffusivity"]["passed"]  # symmetric rates: the bug is invisible here
    for cid in ("rt1d.two_state_transport", "rt1d.chemotactic_drift"):
        assert not checks[cid]["passed"]
        assert "error" not in checks[cid]["details"]


def test_wrong_shape_refused_before_any_check(user_folder):
    out = activebench("run", "--method", f"rt1d.walkers={user_folder / 'my_sampler.py'}:simulate_wrong_shape",
                      "--json", "r.json", "--no-report", cwd=user_folder)
    assert out.returncode == 2
    assert "rt1d.walkers" in out.stderr
    assert "shape (2, 8)" in out.stderr
    assert "got shape (8,)" in out.stderr
    assert not (user_folder / "r.json").exists()


@pytest.fixture
def pypde_folder(tmp_path):
    pytest.importorskip("pde")
    shutil.copy(EXAMPLES / "ks1d_pypde_solver.py", tmp_path / "ks1d_pypde_solver.py")
    return tmp_path


def test_pypde_solver_reports_negative_density(pypde_folder):
    out = activebench("run", "--method", "ks1d.solver=ks1d_pypde_solver.py:solve", "--only",
                      "ks1d.conservation_positivity", "--json", "r.json", "--no-report", "--no-progress",
                      cwd=pypde_folder)
    assert out.returncode == 1, out.stdout + out.stderr
    (check,) = json.loads((pypde_folder / "r.json").read_text())["checks"]
    assert "error" not in check["details"]
    parts = {p["name"]: p for p in check["details"]["parts"]}
    assert parts["max relative mass drift over [0, T]"]["passed"]
    assert not parts["most negative u or v at 401 output times"]["passed"]


@pytest.mark.slow
def test_pypde_solver_dispersion_rates_fall_short(pypde_folder):
    out = activebench("run", "--method", "ks1d.solver=ks1d_pypde_solver.py:solve", "--only", "ks1d.dispersion",
                      "--json", "r.json", "--no-report", "--no-progress", cwd=pypde_folder)
    assert out.returncode == 1, out.stdout + out.stderr
    (check,) = json.loads((pypde_folder / "r.json").read_text())["checks"]
    assert "error" not in check["details"]
    failed = [p for p in check["details"]["parts"] if not p["passed"]]
    assert failed
    assert all(p["measured"] < p["expected"] for p in failed)  # the wide stencil damps: rates fall short
