"""Sweeps refuse bad input before writing anything; pool workers die with a SIGKILLed driver; files follow the umask."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from verification import sweep as SW
from verification import validation as V
from verification.cli import main

SWEEPS = SW.all_sweeps()
RT1D = SWEEPS["rt1d-diffusivity"]
SIPF_CM = SWEEPS["sipf-critical-mass"]
SIPF_DT = SWEEPS["sipf-dt-order"]


def _cli(capsys, *args: str) -> tuple[int, str]:
    rc = main(["sweep", *args, "--no-progress"])
    return rc, capsys.readouterr().err


# ----------------------------------------------------------------------------- refusals before sweep.json
@pytest.mark.parametrize(("sweep", "sets", "names"), [
    ("sipf-dt-order", ["P=1000000000000"], "sipf-dt-order reference run (P = 1000000000000"),
    ("sipf-critical-mass", ["P=1000000000000"], "sipf-critical-mass run (P = 1000000000000"),
    ("sipf-dt-order", ["H=2000"], "H = 2000"),
    ("rt1d-diffusivity", ["v0=1e300"], "v0 must be"),
    ("rt1d-diffusivity", ["seed=-1"], "seed must be an integer in [0, 2**63)"),
    ("rt1d-diffusivity", ["walkers=1000000000000"], "1000000000000 walkers"),
    ("rt1d-diffusivity", ["alphas=[1e6]"], "alphas[0] must be"),
    ("sipf-critical-mass", ["task_fn=os:getcwd"], "'task_fn' must be one of the sweep's registered task functions"),
    ("sipf-critical-mass", ["dt=0.3"], "T must be a whole number of steps of dt"),
    ("sipf-critical-mass", ["seed=-1"], "seed must be"),
    ("radial3d-critical-mass", ["n_r=1000000000"], "n_r = 1000000000"),
    ("radial3d-critical-mass-study", ["T=1e9"], "to T = 1e+09"),
    ("radial3d-critical-mass-study", ["T=1.5e-05"], "T must be a whole number of steps"),
    ("ants-entropy", ["sweeps=1000000000"], "ants-entropy task"),
    ("ants-entropy", ["f0=[-1.0]"], "f0[0] must be a finite real number > 0"),
    ("rt1d-diffusivity", ["t1=nan"], "t1 must be a finite number, got 'nan'"),
    ("rt1d-diffusivity", ["alphas=[1.0, NaN]"], "alphas: alphas must hold finite numbers only, got nan"),
    ("rt1d-diffusivity", ["t1=1e400"], "t1: t1 must hold finite numbers only, got inf"),
])
def test_bad_task_parameters_are_refused_before_anything_is_written(tmp_path, capsys, sweep, sets, names):
    out = tmp_path / "o"
    rc, err = _cli(capsys, sweep, "--out", str(out), *[a for s in sets for a in ("--set", s)])
    assert rc == 2, err
    assert names in err, err
    assert "Traceback" not in err
    assert not out.exists()  # no sweep.json: a rerun with corrected values is not refused


def test_library_refusals_name_the_parameter():
    with pytest.raises(V.LimitError, match="P = 1000000000000"):
        SW.resolve_params(SIPF_DT, {"P": 10**12})
    with pytest.raises(ValueError, match=r"v0 must be in \(0, L / \(2 t2\)\] = \(0, 20000\]"):
        SW.resolve_params(RT1D, {"v0": 1e300})
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*63\)"):
        SW.resolve_params(RT1D, {"seed": -1})
    with pytest.raises(ValueError, match="'t2' must hold finite numbers only"):
        SW.resolve_params(RT1D, {"t2": float("inf")})
    with pytest.raises(ValueError, match="'t2' must be a finite number .* got an integer beyond the float range"):
        SW.resolve_params(RT1D, {"t2": 10**399})
    with pytest.raises(ValueError, match="'walkers' must be int"):
        SW.resolve_params(RT1D, {"walkers": 1.5})


def test_task_fn_is_restricted_to_registered_tasks_for_users_only():
    registered = "verification.sipf.critical_mass:sipf_task"
    small = {"P": 100, "dt": 1e-3, "configs": ["unit_ball"]}
    with pytest.raises(ValueError, match=f"task_fn.*registered task functions \\({registered}\\), got 'os:getcwd'"):
        SW.resolve_params(SIPF_CM, {**small, "task_fn": "os:getcwd"}, from_user=True)
    assert SW.resolve_params(SIPF_CM, {**small, "task_fn": registered}, from_user=True)["task_fn"] == registered
    # a Python caller (the check sipf.critical_mass handing in its method under test) may name another
    # importable function, as text or as the callable itself; its signature must fit the tasks
    from verification.sipf.critical_mass import sipf_task

    assert SW.resolve_params(SIPF_CM, {**small, "task_fn": sipf_task})["task_fn"] == registered
    with pytest.raises(ValueError, match="'os:getcwd' cannot take the task's arguments"):
        SW.resolve_params(SIPF_CM, {**small, "task_fn": "os:getcwd"})
    with pytest.raises(ValueError, match="'no_such_module_x:f' cannot be imported"):
        SW.resolve_params(SIPF_CM, {**small, "task_fn": "no_such_module_x:f"})
    with pytest.raises(ValueError, match="importable by module name"):
        SW.resolve_params(SIPF_CM, {**small, "task_fn": lambda **kw: {}})


def test_check_sipf_critical_mass_hands_its_method_as_before():
    """The check passes ``importable_name(method)`` as task_fn to resolve_params: still accepted."""
    from verification.sipf.cases import importable_name
    from verification.sipf.critical_mass import sipf_task

    p = SW.resolve_params(SIPF_CM, {"configs": ["unit_ball"], "T": 1.0, "width": 0.2, "half_width": 8.0, "seed": 1,
                                    "task_fn": importable_name(sipf_task), "replicas": 8, "P": 2000, "dt": 1e-3})
    assert p["task_fn"] == "verification.sipf.critical_mass:sipf_task"


def test_scheduler_address_is_checked_before_anything_is_written(tmp_path, capsys):
    for bad in ("garbage", "localhost:1", "tcp://", "tcp://host:notaport", "tcp://host"):
        out = tmp_path / "o"
        rc, err = _cli(capsys, "rt1d-diffusivity", "--out", str(out), "--scheduler", bad)
        assert rc == 2, (bad, err)
        assert "--scheduler must be an address like tcp://HOST:PORT" in err
        assert not out.exists()
    SW.check_scheduler("tcp://127.0.0.1:8786")
    SW.check_scheduler(None)


def test_sweep_file_errors_name_the_file(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_bytes(b'sweep = "rt1d-diffusivity"\n# \xff\xfe\n')
    rc, err = _cli(capsys, str(f), "--out", str(tmp_path / "o"))
    assert rc == 2
    assert f"sweep file {f} is not UTF-8 text" in err
    j = tmp_path / "s.json"
    j.write_text('{"sweep": ["rt1d-diffusivity"]}')
    with pytest.raises(ValueError, match=f"sweep file {j} must name a built-in sweep"):
        SW.load_spec(str(j))
    j.write_text('{"sweep": "rt1d-diffusivity", "params": {"t1": NaN}}')
    sweep, over = SW.load_spec(str(j))
    with pytest.raises(ValueError, match="'t1' must hold finite numbers only, got nan"):
        SW.resolve_params(sweep, over, from_user=True)


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    rc, err = _cli(capsys, "rt1d-diffusivity", "--out", str(f), "--set", "walkers=64", "--set", "alphas=[1.0]")
    assert rc == 2
    assert str(f) in err
    assert "not a folder" in err


def test_folder_with_bad_parameters_and_no_results_is_taken_over(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "sweep.json").write_text('{"sweep": "rt1d-diffusivity", "params": {"v0": 1e300}, "format": 1}')
    params = SW.resolve_params(RT1D, {"walkers": 64, "alphas": [1.0], "replicas": 1, "t1": 0.5, "t2": 1.0})
    assert SW.check_out(out, RT1D, params) is False  # nothing finished: nothing would be mixed
    (out / "tasks").mkdir()
    (out / "tasks" / "x.json").write_text("{}")
    with pytest.raises(SW.SweepMismatch, match="other parameters"):
        SW.check_out(out, RT1D, params)


# ----------------------------------------------------------------------------- permissions
def test_sweep_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        params = SW.resolve_params(RT1D, {"walkers": 64, "alphas": [1.0], "replicas": 1, "t1": 0.5, "t2": 1.0})
        out = tmp_path / "o"
        SW.run_sweep(RT1D, params, out, lambda: SW.executor(None, 1), progress=False)
    finally:
        os.umask(old)
    for name in ("sweep.json", "summary.json", "summary.txt", "sweep.png"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name
    assert not list(out.glob(".*tmp*"))


# ----------------------------------------------------------------------------- orphans
DRIVER = """
import sys
sys.path.insert(0, {here!r})
from verification import sweep as SW

FN = "sleepy_tasks:sleep_task"
if __name__ == "__main__":  # spawn re-imports this file in the workers
    sw = SW.Sweep(name="sleepy", summary="", source="", defaults={{"n": 2}},
                  plan=lambda p, r: [SW.Task(f"t{{i}}", FN, {{"i": i, "where": {here!r}}}) for i in range(p["n"])],
                  summarize=lambda p, r: (["key"], []), tasks=(FN,))
    SW.run_sweep(sw, {{"n": 2}}, {out!r}, lambda: SW.executor(None, 2), progress=False)
"""
TASKS = """
import os, time

def sleep_task(i, where):
    with open(os.path.join(where, f"pid{i}.tmp"), "w") as f:
        f.write(str(os.getpid()))
    os.replace(os.path.join(where, f"pid{i}.tmp"), os.path.join(where, f"pid{i}"))
    time.sleep(600)
    return {}
"""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_pool_workers_and_resource_tracker_die_with_a_sigkilled_driver(tmp_path):
    (tmp_path / "sleepy_tasks.py").write_text(textwrap.dedent(TASKS))
    script = tmp_path / "driver.py"
    script.write_text(DRIVER.format(here=str(tmp_path), out=str(tmp_path / "out")))
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    log = tmp_path / "driver.err"
    with open(log, "wb") as err:
        driver = subprocess.Popen([sys.executable, str(script)], env=env, cwd=Path(__file__).parents[1],
                                  stdout=subprocess.DEVNULL, stderr=err)
    kids: list[int] = []
    try:
        t0 = time.monotonic()
        while not all((tmp_path / f"pid{i}").exists() for i in range(2)):
            assert driver.poll() is None, log.read_text()
            assert time.monotonic() - t0 < 120, "the tasks did not start"
            time.sleep(0.1)
        workers = {int((tmp_path / f"pid{i}").read_text()) for i in range(2)}
        kids = [p.pid for p in psutil.Process(driver.pid).children(recursive=True)]
        assert workers <= set(kids)
        assert len(kids) >= 3  # the two workers and the resource tracker
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        t0 = time.monotonic()
        while any(_alive(pid) for pid in kids) and time.monotonic() - t0 < 10:
            time.sleep(0.1)
        assert not [pid for pid in kids if _alive(pid)], "processes of the killed driver still alive after 10 s"
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
        for pid in kids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
