"""``activebench run --work DIR``: the sweeps of a check are kept per check, sweep and parameters,
and a re-run resumes them (CheckConfig.work_dir, CheckContext.sweep_folder)."""

from __future__ import annotations

from verification.records import CheckConfig, CheckContext, load_all
from verification.sweep import all_sweeps, resolve_params, run_sweep

CHECK = "sipf.critical_mass"  # the check that runs sweeps
SWEEP = "radial3d-critical-mass"  # cheap tasks (radial FDM on a coarse grid)
PARAMS = {"configs": ["unit_ball"], "T": 0.02, "width": 8.0, "half_width": 8.0, "n_r": 100, "dt": 1e-3}


def _context(work_dir, seed=7):
    return CheckContext(load_all()[CHECK], CheckConfig("full", seed=seed, work_dir=work_dir))


def test_without_work_dir_the_sweep_folder_is_temporary():
    with _context(None).sweep_folder(SWEEP, {"a": 1}) as folder:
        assert folder.is_dir()
    assert not folder.exists()


def test_with_work_dir_the_folder_is_kept_per_check_sweep_and_parameters(tmp_path):
    ctx = _context(str(tmp_path))
    with ctx.sweep_folder(SWEEP, {"a": 1}) as one, ctx.sweep_folder(SWEEP, {"a": 2}) as two:
        pass
    assert one.is_dir()
    assert two != one
    assert one.parent == tmp_path / CHECK
    assert one.name.startswith(SWEEP + "-")
    with ctx.sweep_folder(SWEEP, {"a": 1}) as again:
        assert again == one


def test_a_rerun_in_the_work_dir_reads_the_stored_runs_back(tmp_path):
    sweep = all_sweeps()[SWEEP]
    p = resolve_params(sweep, PARAMS)
    ctx = _context(str(tmp_path))
    with ctx.sweep_folder(SWEEP, p) as out:
        first = run_sweep(sweep, p, out, progress=False)
    with ctx.sweep_folder(SWEEP, p) as out:
        second = run_sweep(sweep, p, out, progress=False)
    assert first.computed
    assert not second.computed
    assert sorted(second.reused) == sorted(first.computed)
    assert second.results == first.results
