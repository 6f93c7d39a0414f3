"""Short form of the asv history run: discovery of every benchmark, then a few cheap ones measured."""

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
