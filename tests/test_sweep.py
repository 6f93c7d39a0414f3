"""Sweep runner: parameters, resume, and fault tolerance on a local pool and a real dask cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from verification import sweep as SW
from verification.cli import main

RT1D = SW.all_sweeps()["rt1d-diffusivity"]
SMALL = {"alphas": [1.0, 4.0], "walkers": 4000, "replicas": 2}


def _results_on_disk(out: Path) -> dict:
    return {f.stem: json.loads(f.read_text()) for f in (out / "tasks").glob("*.json")}


def _wait_for(pred, timeout=120.0, poll=0.05):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():
            return True
        time.sleep(poll)
    return False


# ----------------------------------------------------------------------------- parameters
def test_builtin_sweeps_are_registered_with_valid_defaults():
    sweeps = SW.all_sweeps()
    assert {"rt1d-diffusivity", "sipf-critical-mass", "radial3d-critical-mass", "ants-entropy"} <= set(sweeps)
    for s in sweeps.values():
        params = SW.resolve_params(s, {})
        assert s.plan(params, {}), s.name  # every sweep has work to do from nothing


@pytest.mark.parametrize(("overrides", "match"), [
    ({"bogus": 1}, "no parameter 'bogus'"),
    ({"walkers": "many"}, "walkers.*must be int"),
    ({"walkers": 10}, "walkers must be an integer >= 64"),
    ({"alphas": [1.0, -2.0]}, r"alphas\[1\] must be"),
    ({"t1": 30.0}, "0 < t1 < t2"),
])
def test_bad_parameters_are_refused_by_name(overrides, match):
    with pytest.raises(ValueError, match=match):
        SW.resolve_params(RT1D, overrides)


def test_sipf_sweep_validates_configs_and_step_before_work():
    s = SW.all_sweeps()["sipf-critical-mass"]
    with pytest.raises(ValueError, match="configs must be"):
        SW.resolve_params(s, {"configs": ["nope"]})
    with pytest.raises(ValueError, match="H must be two different even ints"):
        SW.resolve_params(s, {"H": [12, 13]})
    with pytest.raises(ValueError, match="P must be an integer >= 2"):
        SW.resolve_params(s, {"P": 1})


def test_task_keys_must_be_file_names():
    with pytest.raises(ValueError, match="file-safe"):
        SW.Task("../etc", "m:f", {})


def test_sweep_file_and_set(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('sweep = "rt1d-diffusivity"\n[params]\nwalkers = 5000\nalphas = [2.0]\n')
    sweep, over = SW.load_spec(str(f))
    assert sweep.name == "rt1d-diffusivity"
    assert over == {"walkers": 5000, "alphas": [2.0]}
    assert SW.parse_set(["P=2000", "configs=[\"a\"]", "name=text"]) == {"P": 2000, "configs": ["a"], "name": "text"}
    bad = tmp_path / "b.toml"
    bad.write_text('sweep = "nope"\n')
    with pytest.raises(ValueError, match="must name a built-in sweep"):
        SW.load_spec(str(bad))
    with pytest.raises(ValueError, match="neither a built-in sweep .* nor a file"):
        SW.load_spec("no-such-sweep")


def test_bisection_replay_finds_a_known_threshold():
    for true_mc in (41.3, 47.7, 55.9):
        done: dict[float, bool] = {}
        while True:
            status, points, bracket = SW.bisection_state(40.0, 56.0, 0.2, done.get)
            if status != "need":
                break
            for m in points:
                done.setdefault(m, m >= true_mc)
        assert status == "done"
        assert bracket[0] < true_mc <= bracket[1]
        assert bracket[1] - bracket[0] <= 0.2
    status, _, _ = SW.bisection_state(40.0, 56.0, 0.2, lambda m: True)  # both ends unstable
    assert status == "invalid"


# ----------------------------------------------------------------------------- local pool
def _local(workers=2):
    return lambda: SW.executor(None, workers)


def test_local_sweep_resumes_and_refuses_other_parameters(tmp_path):
    params = SW.resolve_params(RT1D, SMALL)
    out = tmp_path / "s"
    first = SW.run_sweep(RT1D, params, out, _local(), progress=False)
    assert len(first.computed) == 4
    assert not first.reused
    on_disk = _results_on_disk(out)
    assert set(on_disk) == set(first.results)
    for r in first.results.values():  # the sweep measures the derived D within statistics
        assert abs(r["D"] - r["D_exact_finite_t"]) < 5 * r["se"]
    again = SW.run_sweep(RT1D, params, out, _local(), progress=False)
    assert not again.computed
    assert sorted(again.reused) == sorted(first.results)
    assert _results_on_disk(out) == on_disk  # nothing rewritten
    assert (out / "summary.txt").read_text().startswith("alpha")
    assert (out / "sweep.png").stat().st_size > 1000
    with pytest.raises(SW.SweepMismatch, match="walkers: 4000 -> 8000"):
        SW.run_sweep(RT1D, {**params, "walkers": 8000}, out, _local(), progress=False)


def test_local_pool_survives_a_killed_worker(tmp_path):
    params = SW.resolve_params(RT1D, {"alphas": [1.0, 2.0, 4.0], "walkers": 300_000, "replicas": 2})
    out = tmp_path / "s"
    me = psutil.Process()

    def pool_workers():
        """The pool's worker processes (spawned: ``spawn_main`` in their command line), not the
        multiprocessing resource tracker, whose death breaks the shared-memory bookkeeping instead."""
        found = []
        for p in me.children(recursive=True):
            try:
                if "spawn_main" in " ".join(p.cmdline()):
                    found.append(p)
            except psutil.Error:
                continue
        return found

    def killer():
        _wait_for(lambda: len(list((out / "tasks").glob("*.json"))) >= 1)
        kids = pool_workers()
        if kids:
            kids[-1].kill()

    th = threading.Thread(target=killer)
    th.start()
    res = SW.run_sweep(RT1D, params, out, _local(), progress=False)
    th.join()
    assert len(res.results) == 6
    assert res.pool_restarts >= 1
    assert set(_results_on_disk(out)) == set(res.results)


def test_cli_sweep_runs_lists_and_reports_errors(tmp_path, capsys):
    out = tmp_path / "cli"
    args = ["sweep", "rt1d-diffusivity", "--out", str(out), "--workers", "1", "--no-progress",
            "--set", "walkers=4000", "--set", "alphas=[2.0]", "--set", "replicas=1"]
    assert main(args) == 0
    assert "1 tasks computed, 0 reused" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 tasks computed, 1 reused" in capsys.readouterr().out
    assert main(args[:-2] + ["--set", "replicas=2"]) == 2
    assert "other parameters" in capsys.readouterr().err
    assert main(["sweep", "--list"]) == 0
    assert "sipf-critical-mass" in capsys.readouterr().out
    assert main(["sweep", "rt1d-diffusivity"]) == 2
    with pytest.raises(SystemExit):
        main(["sweep", "rt1d-diffusivity", "--out", str(out), "--workers", "0"])


def test_killed_driver_resumes_without_recomputing(tmp_path):
    out = tmp_path / "s"
    cmd = [sys.executable, "-m", "verification.cli", "sweep", "rt1d-diffusivity", "--out", str(out),
           "--workers", "1", "--no-progress", "--set", "walkers=200000", "--set", "alphas=[0.5,1,2,4,8]"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert _wait_for(lambda: len(list((out / "tasks").glob("*.json"))) >= 2, timeout=300)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # driver and its pool, mid-sweep
        proc.communicate()
    before = _results_on_disk(out)
    assert 2 <= len(before) < 10
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    after = _results_on_disk(out)
    assert len(after) == 10
    assert all(after[k] == v for k, v in before.items())  # same pid, same seconds: not recomputed
    assert f"{10 - len(before)} tasks computed, {len(before)} reused" in done.stdout


# ----------------------------------------------------------------------------- dask
@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as c:
        yield c


def test_dask_sweep_equals_local_pool(tmp_path, cluster):
    params = SW.resolve_params(RT1D, SMALL)
    local = SW.run_sweep(RT1D, params, tmp_path / "local", _local(), progress=False)
    dask = SW.run_sweep(RT1D, params, tmp_path / "dask", lambda: SW.executor(cluster.scheduler_address),
                        progress=False)
    assert dask.results == local.results
    pids = {json.loads(f.read_text())["pid"] for f in (tmp_path / "dask" / "tasks").glob("*.json")}
    assert os.getpid() not in pids  # computed on the cluster's workers


def test_dask_worker_killed_mid_sweep_loses_nothing(tmp_path, cluster):
    from distributed import Client

    params = SW.resolve_params(RT1D, {"alphas": [0.5, 1.0, 2.0, 4.0], "walkers": 300_000, "replicas": 2})
    out = tmp_path / "dask"
    killed = []

    def killer():
        with Client(cluster.scheduler_address) as c:
            _wait_for(lambda: len(list((out / "tasks").glob("*.json"))) >= 1, timeout=300)
            busy = [w for w, ts in c.processing().items() if ts]
            pid = c.run(os.getpid, workers=busy[:1] or None)
            victim = next(iter(pid.values()))
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    th = threading.Thread(target=killer)
    th.start()
    res = SW.run_sweep(RT1D, params, out, lambda: SW.executor(cluster.scheduler_address), progress=False)
    th.join()
    assert killed
    assert len(res.results) == 8
    assert set(_results_on_disk(out)) == set(res.results)
    ref = SW.run_sweep(RT1D, params, tmp_path / "local", _local(), progress=False)
    assert res.results == ref.results  # rescheduled tasks give the same numbers (seeded)


def test_cli_sweep_on_the_cluster(tmp_path, cluster, capsys):
    args = ["sweep", "rt1d-diffusivity", "--out", str(tmp_path / "c"), "--scheduler", cluster.scheduler_address,
            "--no-progress", "--set", "walkers=4000", "--set", "alphas=[2.0]", "--set", "replicas=2"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "2 tasks computed, 0 reused" in captured.out
    assert cluster.scheduler_address in captured.err
    assert main(["sweep", "rt1d-diffusivity", "--out", str(tmp_path / "d"), "--scheduler", "localhost:1"]) == 2
    assert "must be an address like tcp://HOST:PORT" in capsys.readouterr().err
