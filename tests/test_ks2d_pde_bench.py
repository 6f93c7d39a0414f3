"""``activebench bench ks2d-minimal``: ours vs py-pde on the 2D minimal Keller-Segel model.

Quick-mode runs of the workload (py-pde left out, as in ``--quick``; its numba build of the
PDE takes minutes) check the rows, the reference and the error ladder; a run with py-pde is
marked slow. No assertion on wall time.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from verification.ks2d_pde import bench as B


@pytest.fixture(scope="module")
def quick():
    """One quick run of the workload (default selection: py-pde left out in quick mode)."""
    return B.ks2d_minimal(quick=True)


def test_registered():
    from verification.bench import all_workloads

    assert all_workloads()["ks2d-minimal"] is B.ks2d_minimal


def test_quick_rows_exist_and_are_finite(quick):
    from verification.bench import format_table

    assert quick["workload"] == "ks2d-minimal"
    assert quick["config"]["quick"] is True
    assert quick["config"]["py_pde_run"] is False
    names = [r["name"] for r in quick["rows"]]
    n = quick["config"]["shared_grid"]
    for want in (f"(a) ours numpy twin n={n}", f"(a) ours numba n={n}", f"(a) py-pde n={n}"):
        assert want in names
    for row in quick["rows"]:
        if row["name"].startswith("(a) py-pde"):
            assert math.isnan(row["seconds"])
            assert row["notes"].startswith("SKIPPED: py-pde left out in quick mode")
            continue
        assert math.isfinite(row["seconds"])
        assert row["seconds"] > 0
        assert math.isfinite(row["steps_per_second"])
        assert row["steps_per_second"] > 0
        assert math.isfinite(row["error"])
        assert 0 < row["error"] < 0.05
    numpy_row = quick["rows"][names.index(f"(a) ours numpy twin n={n}")]
    assert numpy_row["ratio_vs_numpy"] == pytest.approx(1.0)
    # the numba kernel and its numpy twin take the same steps to the same state
    assert quick["ratios"]["(a) numba vs numpy twin, max |diff| of rho(T)"] < 1e-12
    assert all(r["min_rho"] >= 0 for r in quick["rows"] if "min_rho" in r)
    assert all(math.isfinite(v) for v in quick["ratios"].values())
    assert "ks2d-minimal" in format_table(quick)


def test_quick_error_ladder_converges(quick):
    ladder = [z for z in quick["ladder"] if z["method"] == "ours numba"]
    errs = [z["error"] for z in ladder]
    assert len(errs) >= 4
    assert all(math.isfinite(e) for e in errs)
    assert all(b < a for a, b in zip(errs, errs[1:], strict=False))  # finer grid, smaller error
    # second order in space (minmod clips at the peaks): the fitted order, not a timing
    assert 1.5 < quick["ratios"]["(b) ours observed spatial order"] < 2.5
    # the reference is far more accurate than any method it judges
    assert quick["ratios"]["reference self-error estimate (rel. L2)"] < 0.01 * min(errs)


def test_reference_sampling_is_exact_for_the_start():
    # cell averages and centre values of the spectral start equal the closed forms (periodized Gaussians)
    N, n = 64, 32
    coef = np.fft.fft2(B.initial_rho(N, average=False))
    assert np.max(np.abs(B.sample(coef, n, average=True) - B.initial_rho(n, average=True))) < 1e-10
    assert np.max(np.abs(B.sample(coef, n, average=False) - B.initial_rho(n, average=False))) < 1e-10
    assert B.initial_rho(n, True).sum() * (B.L / n) ** 2 == pytest.approx(sum(B.MASSES), rel=1e-12)


def test_py_pde_absent_is_skipped_with_a_note(monkeypatch):
    monkeypatch.setattr(B, "_have_pypde", lambda: False)
    res = B.ks2d_minimal(quick=True, pypde=True)
    row = next(r for r in res["rows"] if r["name"].startswith("(a) py-pde"))
    assert math.isnan(row["seconds"])
    assert "SKIPPED: py-pde not installed" in row["notes"]
    assert res["config"]["py_pde"] is False
    assert res["config"]["py_pde_run"] is False


@pytest.mark.slow
def test_quick_with_py_pde():
    pytest.importorskip("pde")
    res = B.ks2d_minimal(quick=True, pypde=True)
    rows = {r["name"]: r for r in res["rows"]}
    n = res["config"]["shared_grid"]
    row = rows[f"(a) py-pde n={n}"]
    assert math.isfinite(row["seconds"])
    assert row["seconds"] > 0
    assert math.isfinite(row["error"])
    assert 0 < row["error"] < 0.05
    assert math.isfinite(row["min_rho"])
    assert math.isfinite(row["build_seconds"])
    assert math.isfinite(res["ratios"]["(a) per step: py-pde / ours numba"])
    assert any(name.startswith("(b) ours numba") for name in rows)
