"""Issue-13 hardening of the command line: output paths checked before any work, file modes,
a closed pipe, stale figures, one-sided criteria shown as such."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from verification.cli import _summary_table, main
from verification.records import Part, result_from_parts
from verification.report import atomic_write_text

CHECK = "ants.homogeneous_W"  # a quick check (well under a second)


@pytest.mark.parametrize(("argv", "named"), [
    (["run", "--only", CHECK, "--no-progress", "--no-report", "--json", "{dir}"], "--json {dir}: is a folder"),
    (["run", "--only", CHECK, "--no-progress", "--no-report", "--json", "/proc/x"], "--json /proc/x"),
    (["run", "--only", CHECK, "--no-progress", "--report", "{file}"], "--report {file}: exists and is not a folder"),
    (["run", "--only", CHECK, "--no-progress", "--report", "/proc/x"], "--report /proc/x"),
    (["run", "--only", CHECK, "--no-progress", "--no-report", "--work", "{file}"],
     "--work {file}: {file} exists and is not a folder"),
    (["run", "--only", CHECK, "--no-progress", "--no-report", "--work", "/proc/x"], "--work /proc/x"),
    (["errata", "--json", "{dir}"], "--json {dir}: is a folder"),
    (["bench", "rt1d", "--quick", "--json", "/proc/x/b.json"], "--json /proc/x/b.json"),
    (["sweep", "rt1d-schnitzer", "--out", "/proc/x"], "--out /proc/x"),
])
def test_bad_output_paths_are_usage_errors_before_any_work(tmp_path, capsys, monkeypatch, argv, named):
    folder, file = tmp_path / "d", tmp_path / "f"
    folder.mkdir()
    file.write_text("x")
    fill = {"dir": str(folder), "file": str(file)}
    ran = []
    monkeypatch.setattr("verification.records.run_check", lambda *a, **k: ran.append(a))
    code = main([a.format(**fill) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert named.format(**fill) in err
    assert "Traceback" not in err
    assert not ran


def test_report_folder_of_other_files_is_refused_and_an_old_report_loses_its_stale_figures(tmp_path, capsys):
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    assert main(["run", "--only", CHECK, "--no-progress", "--report", str(other)]) == 2
    assert "no previous report" in capsys.readouterr().err
    assert (other / "notes.txt").read_text() == "keep me"

    rep = tmp_path / "rep"
    assert main(["run", "--only", CHECK, "--no-progress", "--report", str(rep)]) == 0
    (rep / "figures" / "gone.check.png").write_bytes(b"old")
    assert main(["run", "--only", CHECK, "--no-progress", "--report", str(rep)]) == 0
    assert sorted(p.name for p in (rep / "figures").iterdir()) == [f"{CHECK}.png"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_writes_respect_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "r.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == mode


def test_results_and_report_are_readable_like_the_figures(tmp_path):
    old = os.umask(0o022)
    try:
        assert main(["run", "--only", CHECK, "--no-progress", "--report", str(tmp_path / "rep"),
                     "--json", str(tmp_path / "r.json")]) == 0
    finally:
        os.umask(old)
    for f in (tmp_path / "r.json", tmp_path / "rep" / "index.html", tmp_path / "rep" / "results.json",
              tmp_path / "rep" / "figures" / f"{CHECK}.png"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f


def test_a_closed_pipe_ends_quietly():
    cmd = f"{Path(sys.executable).parent / 'activebench'} claims --all | head -1; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert done.returncode == 141, done.stderr
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr
    assert done.stdout.count("\n") == 1


def test_one_sided_parts_decide_and_show_their_criterion():
    strict = Part("rate above zero", 0.0308, 0.0, 0.0, "derived criterion", relation=">")
    assert strict.passed
    assert strict.criterion == "m > 0"
    assert not Part("rate above zero", -1e-3, 0.0, 0.0, "b", relation=">").passed
    assert not Part("beyond its bar", 0.5, 0.0, 0.6, "b", relation=">").passed  # inside the error bar
    assert Part("not below", -0.5, 0.0, 0.6, "b", relation=">=").passed
    assert not Part("both conditions", 200.0, 100.0, 0.0, "b", passed=False, relation=">=").passed
    assert not Part("nan", float("nan"), 0.0, 0.0, "b", relation=">").passed
    with pytest.raises(ValueError, match="relation must be one of"):
        Part("x", 1.0, 0.0, 0.0, "b", relation="=>")
    res = result_from_parts("ks2d.pattern", "src", [strict], {})
    row = _summary_table([res]).splitlines()[1]
    assert "> 0" in row
    assert "one-sided" in row
    assert "PASS" in row
