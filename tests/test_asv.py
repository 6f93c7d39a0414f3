"""Short form of the asv history run: discovery of every benchmark, then a few cheap ones measured."""

import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASV = shutil.which("asv") or str(Path(sys.executable).with_name("asv"))


def _asv(*args, timeout=900):
    return subprocess.run([ASV, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def machine():
    if not (ROOT / ".git").exists():
        pytest.fail("asv needs the git checkout (asv.conf.json: repo = '.')")
    r = _asv("machine", "--yes")
    assert r.returncode == 0, r.stderr


def test_asv_quick_dry_run_measures_tracks_and_times(machine):
    r = _asv("run", "--python=same", "--quick", "--dry-run", "--show-stderr",
             "--bench", r"bench_run_tumble\.Convergence|bench_sipf\.SIPFPieces|bench_radial\.RadialConvergence"
             r"|bench_checks\.CheckFiguresFull")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "track_fpe_limit_order" in out
    assert "time_nufft_type1" in out
    assert "failed" not in out.lower(), out


def test_every_benchmark_module_is_discovered(machine):
    r = _asv("check", "--python=same")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out  # every benchmark module imports and every benchmark is well-formed


def _bench_checks():
    """Import ``benchmarks/bench_checks.py`` as asv does (the benchmark folder's parent on sys.path)."""
    from asv_runner._aux import update_sys_path

    update_sys_path(str(ROOT / "benchmarks"))
    import importlib

    return importlib.import_module("benchmarks.bench_checks")


def test_check_error_tracks_one_per_quick_check_with_stable_names():
    from asv_runner.discovery import disc_benchmarks

    from verification.records import load_all

    checks = load_all()
    quick = sorted(cid for cid, c in checks.items() if "quick" in c.profiles)
    full_only = sorted(cid for cid, c in checks.items() if c.profiles == ("full",))
    found = {b.name: b for b in disc_benchmarks(str(ROOT / "benchmarks")) if b.name.startswith("bench_checks.")}
    errors = sorted(n for n in found if n.startswith("bench_checks.CheckFiguresError."))
    # the names asv stores history under: the check id with dots as underscores, one per quick check
    assert errors == sorted(f"bench_checks.CheckFiguresError.track_error_{cid.replace('.', '_')}" for cid in quick)
    assert "bench_checks.CheckFiguresError.track_error_rt1d_diffusivity" in errors
    assert sorted(n for n in found if n.startswith("bench_checks.CheckFiguresFullError.")) == sorted(
        f"bench_checks.CheckFiguresFullError.track_error_{cid.replace('.', '_')}" for cid in full_only)
    for cid in quick:
        b = found[f"bench_checks.CheckFiguresError.track_error_{cid.replace('.', '_')}"]
        assert b.unit == checks[cid].unit, cid  # the check's own unit, not a generic label
        assert b.unit, cid
        assert b.version == "1", cid
        assert b.type == "track", cid
        assert not b.params, cid
    assert "bench_checks.CheckFigures.track_headline" not in found  # raw values stay in the run's JSON
    worst = found["bench_checks.CheckFigures.track_worst_deviation"]
    assert worst.version == "2"
    # one setup_cache (one quick-profile run per asv run) for the worst-deviation series and every error track
    quick_keys = {b.setup_cache_key for n, b in found.items()
                  if n.startswith(("bench_checks.CheckFigures.", "bench_checks.CheckFiguresError."))}
    assert len(quick_keys) == 1
    assert None not in quick_keys


def test_headline_error_is_a_distance_or_a_shortfall():
    bench = _bench_checks()
    part = {"measured": 1.06, "expected": 1.0, "tolerance": 0.12}  # a fitted order: its distance from 1
    assert bench.headline_error(part) == pytest.approx(0.06)
    assert bench.headline_error({**part, "measured": 0.94}) == pytest.approx(0.06)
    # one-sided m > e + t: 0 while it holds, the violation otherwise (never the margin)
    assert bench.headline_error({"measured": 3.9, "expected": 0.0, "tolerance": 0.2, "relation": ">"}) == 0.0
    assert bench.headline_error({"measured": 0.1, "expected": 0.0, "tolerance": 0.2, "relation": ">"}) == (
        pytest.approx(0.1))
    assert bench.headline_error({"measured": 0.5, "expected": 1.0, "tolerance": 0.1, "relation": ">="}) == (
        pytest.approx(0.4))
    assert bench.headline_error({"measured": 1.5, "expected": 1.0, "tolerance": 0.1, "relation": "<="}) == (
        pytest.approx(0.4))
    assert bench.headline_error({"measured": 0.95, "expected": 1.0, "tolerance": 0.1, "relation": "<"}) == (
        pytest.approx(0.05))
    assert math.isnan(bench.headline_error(None))  # the check crashed: no parts
    assert math.isnan(bench.headline_error({"measured": "nan", "expected": 0.0, "tolerance": 1.0}))
    parts = [{"measured": 3.9, "expected": 0.0, "tolerance": 0.2, "relation": ">", "passed": True},
             {"measured": 1.1, "expected": 1.0, "tolerance": 0.2, "passed": True},
             {"measured": 2.0, "expected": 2.0, "tolerance": 0.0, "passed": True},
             {"measured": 0.0, "expected": 1.0, "tolerance": 1e-9, "passed": True}]  # the check's own "<= 1 + 1e-9"
    assert bench.worst_deviation(parts) == pytest.approx(0.5)  # neither the margin 19.5 nor 1e9 is a deviation
    assert bench.worst_deviation([*parts, {"measured": 1.6, "expected": 1.0, "tolerance": 0.2, "passed": False}]) == (
        pytest.approx(3.0))
