import json
import re
from pathlib import Path

import pytest

from verification.cli import main
from verification.records import load_all

ROOT = Path(__file__).resolve().parents[1]


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for cid in load_all():
        assert cid in out


def test_run_writes_json_and_report(tmp_path, capsys):
    js = tmp_path / "r.json"
    code = main(["run", "--only", "rt1d.diffusivity", "rt1d.chemotactic_drift", "--seed", "3", "--json", str(js),
                 "--report", str(tmp_path / "rep"), "--no-progress"])
    assert code == 0
    doc = json.loads(js.read_text())
    assert doc["profile"] == "quick"
    assert doc["seed"] == 3
    assert [c["id"] for c in doc["checks"]] == ["rt1d.diffusivity", "rt1d.chemotactic_drift"]
    for c in doc["checks"]:
        assert set(c) == {"id", "passed", "measured", "expected", "tolerance", "details", "source", "seconds"}
    html = (tmp_path / "rep" / "index.html").read_text()
    assert "rt1d.diffusivity" in html
    assert (tmp_path / "rep" / "figures" / "rt1d.diffusivity.png").stat().st_size > 1000
    assert json.loads((tmp_path / "rep" / "results.json").read_text()) == doc
    assert "2 passed, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["run", "--only", "nosuch"], ["run", "--seed", "-1"], ["run", "--profile", "x"],
                                  ["bench", "nosuch"], ["frobnicate"]])
def test_usage_errors_exit_2(argv):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2


def test_failed_check_exits_1(monkeypatch, tmp_path):
    from verification.records import REGISTRY, Check, CheckResult

    def bad(cfg):
        return CheckResult("zz.bad", False, 1.0, 0.0, 0.1, {}, "test")

    monkeypatch.setitem(REGISTRY, "zz.bad", Check("zz.bad", bad, "test", ("quick",), "always fails"))
    assert main(["run", "--only", "zz", "--no-report", "--no-progress"]) == 1


def test_errata_command(tmp_path, capsys):
    assert main(["errata", "--json", str(tmp_path / "e.json")]) == 0
    assert "WRONG" in capsys.readouterr().out
    assert json.loads((tmp_path / "e.json").read_text())["errata"]


def test_readme_check_table_matches_registry():
    text = (ROOT / "README.md").read_text()
    table = dict(re.findall(r"^\| `([A-Za-z0-9_.]+)` \| (.+?) \|", text, flags=re.M))
    assert set(table) == set(load_all())


def test_ci_runs_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    cmd = re.search(r"<!-- test-command -->\n```bash\n(.+?)\n```", readme, flags=re.S).group(1).strip()
    assert cmd in ci


def test_method_under_test_from_command_line(tmp_path, monkeypatch):
    # the [MIPS] §2.2 FPE (extra 1/2) as a user's solver, in a module of the current folder
    (tmp_path / "user_solver.py").write_text(
        "from continuum.fokker_planck import FluxFormFPE\n"
        "def half(A, B, C, length, boundary, n_cells):\n"
        "    return FluxFormFPE(lambda x: 0.5 * A(x), B, C, length, boundary, n_cells)\n")
    monkeypatch.chdir(tmp_path)
    js = tmp_path / "r.json"
    assert main(["run", "--only", "rt1d.fpe_limit", "--method", "rt1d.fpe=user_solver:half", "--no-report",
                 "--no-progress", "--json", str(js)]) == 1
    doc = json.loads(js.read_text())
    assert doc["methods_under_test"] == {"rt1d.fpe": "user_solver:half"}
    assert doc["checks"][0]["details"]["methods_under_test"] == {"fpe": "rt1d.fpe=user_solver:half"}
    assert main(["run", "--only", "rt1d.fpe_limit", "--method", "nosuch.fpe=user_solver:half"]) == 2
    assert main(["run", "--only", "rt1d.fpe_limit", "--method", "rt1d.fpe=user_solver:missing"]) == 2
    assert main(["run", "--only", "rt1d.fpe_limit", "--method", "garbage"]) == 2


def test_check_without_own_plot_gets_the_parts_figure(tmp_path):
    code = main(["run", "--only", "ants.homogeneous_W", "--no-progress", "--report", str(tmp_path / "rep")])
    assert code == 0
    assert (tmp_path / "rep" / "figures" / "ants.homogeneous_W.png").stat().st_size > 1000
    assert "figures/ants.homogeneous_W.png" in (tmp_path / "rep" / "index.html").read_text()
