"""The asv timing attributes of the time_ benchmarks give samples `asv compare` can tell noise from a 2x slowdown.

No timing of the machine here: the benchmarks' attributes are read the way asv reads them, and asv's own
comparison rule (``asv.commands.compare._is_result_better``: ratio beyond ``--factor`` and, with recorded samples,
a Mann-Whitney U test at p < 0.002) is applied to synthetic, seeded samples.
"""

import importlib
import inspect
import os
import sys
from pathlib import Path

import numpy as np
import pytest

asv_stats = pytest.importorskip("asv._stats")
from asv.commands.compare import _is_result_better  # noqa: E402
from asv_runner.benchmarks.time import TimeBenchmark  # noqa: E402
from asv_runner.statistics import compute_stats  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["bench_run_tumble", "bench_mips", "bench_keller_segel", "bench_ants", "bench_radial", "bench_sipf"]
# Names are the history: renaming one starts a new series on the dashboard.
TIME_BENCHMARKS = {
    "bench_ants.DiscPDE.time_ftcs",
    "bench_ants.DiscPDE.time_split",
    "bench_ants.Metropolis.time_anneal",
    "bench_ants.MetropolisSeedSchedule.time_anneal_full",
    "bench_keller_segel.KellerSegel1D.time_fv_numba_T100",
    "bench_keller_segel.KellerSegel1D.time_fv_numpy_T4",
    "bench_keller_segel.KellerSegel1D.time_seed_numpy_T4",
    "bench_keller_segel.KellerSegel2D.time_ks2d",
    "bench_keller_segel.MinimalKS2D.time_run",
    "bench_mips.MipsCahnHilliard.time_steps",
    "bench_mips.MipsSeedWorkloadSlow.time_seed_run",
    "bench_mips.MipsWalkers.time_advance",
    "bench_radial.KS2DParticles.time_simulate",
    "bench_radial.RadialKS3D.time_numba",
    "bench_radial.RadialKS3D.time_numpy_twin_50_steps",
    "bench_run_tumble.MasterEquation.time_evolve",
    "bench_run_tumble.RunTumble1D.time_advance",
    "bench_run_tumble.RunTumbleND.time_simulate_nd",
    "bench_run_tumble.SeedWorkloadSlow.time_fixed_full",
    "bench_run_tumble.SeedWorkloadSlow.time_mesa_per_agent_100_steps",
    "bench_run_tumble.SeedWorkloadSlow.time_numpy_baseline",
    "bench_sipf.SIPFPieces.time_nufft_type1",
    "bench_sipf.SIPFPieces.time_nufft_type2",
    "bench_sipf.SIPFPieces.time_pair_libm_exp",
    "bench_sipf.SIPFPieces.time_pair_vectorized_exp",
    "bench_sipf.SIPFStep.time_ten_steps",
}
# Classes whose every case needs ACTIVEBENCH_ASV_SLOW=1 (otherwise skipped in setup).
SLOW_ONLY = {
    "bench_ants.MetropolisSeedSchedule",
    "bench_mips.MipsSeedWorkloadSlow",
    "bench_run_tumble.SeedWorkloadSlow",
}
P_THRESHOLD = 0.002  # asv._stats.is_different's default
FACTOR = 1.1  # asv compare's default --factor


def _time_benchmarks() -> dict[str, TimeBenchmark]:
    """Every time_ benchmark of the six modules, built as asv_runner builds it (attributes: function, class, module)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    found = {}
    for name in MODULES:
        module = importlib.import_module(f"benchmarks.{name}")
        for cname, klass in inspect.getmembers(module, inspect.isclass):
            if klass.__module__ != module.__name__:
                continue
            for fname, func in inspect.getmembers(klass, inspect.isfunction):
                if TimeBenchmark.name_regex.match(fname):
                    key = f"{name}.{cname}.{fname}"
                    found[key] = TimeBenchmark(key, func, [func, klass, module])
    return found


@pytest.fixture(scope="module")
def benchmarks() -> dict[str, TimeBenchmark]:
    return _time_benchmarks()


def _min_samples(b: TimeBenchmark) -> int:
    min_repeat = b.repeat[0] if isinstance(b.repeat, tuple) else b.repeat
    return int(b.rounds) * int(min_repeat)


def _flagged(old: np.ndarray, new: np.ndarray) -> str:
    """asv compare's verdict on two sample lists: '+' slower, '-' faster, ' ' unchanged (median, stats, samples)."""
    m_old, s_old = compute_stats(list(old), 1)
    m_new, s_new = compute_stats(list(new), 1)
    if _is_result_better(m_new, m_old, (s_new, list(new)), (s_old, list(old)), FACTOR):
        return "-"
    if _is_result_better(m_old, m_new, (s_old, list(old)), (s_new, list(new)), FACTOR):
        return "+"
    return " "


def test_names_are_stable(benchmarks):
    assert set(benchmarks) == TIME_BENCHMARKS


def test_every_time_benchmark_takes_enough_samples_for_the_test(benchmarks):
    slow = os.environ.get("ACTIVEBENCH_ASV_SLOW") == "1"
    for name, b in benchmarks.items():
        if not slow and name.rsplit(".", 1)[0] in SLOW_ONLY:
            assert b.rounds == 1, name  # skipped: one round, one import
            continue
        n = _min_samples(b)
        assert b.rounds >= 3, name
        assert isinstance(b.repeat, tuple), name
        assert len(b.repeat) == 3, name
        assert b.warmup_time >= 0.0, name  # set on purpose, not asv's default (-1: 0.1 s on CPython)
        # Fully separated samples of n a side reach p < 0.002 (6 a side cannot: p = 2/924).
        _, p = asv_stats.mann_whitney_u(list(range(n)), list(range(100, 100 + n)))
        assert p < P_THRESHOLD, (name, n, p)


def test_six_samples_a_side_can_never_be_significant():
    _, p = asv_stats.mann_whitney_u(list(range(6)), list(range(100, 106)))
    assert p > P_THRESHOLD


@pytest.mark.parametrize("seed", range(20))
def test_compare_rule_quiet_on_noise_and_flags_2x(benchmarks, seed):
    rng = np.random.default_rng(seed)
    n = min(_min_samples(b) for name, b in benchmarks.items() if name.rsplit(".", 1)[0] not in SLOW_ONLY)

    # Lognormal spread with IQR/median ~ 28% (sigma 0.21) plus one 1.6x outlier a run: the median spread measured
    # with these attributes on the shared 2-core machine at load ~2 (per-benchmark IQR/median 8-57%, median 28%).
    def draw(scale):
        x = scale * np.exp(rng.normal(0.0, 0.21, n))
        x[rng.integers(0, n)] *= 1.6
        return x

    base = draw(1.0)
    assert _flagged(base, draw(1.0)) == " "
    assert _flagged(base, draw(2.0)) == "+"
    assert _flagged(draw(2.0), base) == "-"


def test_one_sample_a_side_is_compared_by_ratio_alone():
    # What `asv run --quick` records: one sample, repeat = 1, so asv compare uses the ratio alone and a
    # one-off 4.2x hiccup (9.8 -> 41.4 ms, the dashboard) is reported as a regression.
    s_old = {"ci_99_a": 0.0098, "ci_99_b": 0.0098, "q_25": 0.0098, "q_75": 0.0098, "repeat": 1, "number": 1}
    s_new = {**s_old, "ci_99_a": 0.0414, "ci_99_b": 0.0414, "q_25": 0.0414, "q_75": 0.0414}
    assert _is_result_better(0.0098, 0.0414, (s_old, None), (s_new, None), FACTOR)
