r"""Micro-benchmarks (pytest-benchmark) of the walker kernels and the master-equation solver.

In a normal test run (``addopts`` has ``--benchmark-disable``) each benchmarked call runs
once as a plain test; nothing here asserts on time. To measure, save a baseline and
compare a later run against it::

    pytest tests/test_bench_micro.py --benchmark-enable --benchmark-autosave
    pytest tests/test_bench_micro.py --benchmark-enable --benchmark-compare
    pytest tests/test_bench_micro.py --benchmark-enable --benchmark-compare=0001 \
        --benchmark-compare-fail=mean:25%

Saved runs go to ``.benchmarks/``. The full [CHEMOTAXIS] §4.3 comparison (numpy baseline,
Mesa) is ``activebench bench rt1d``; long-term history is in asv (``benchmarks/``).
"""

import json
import math

import numpy as np
import pytest

from agents.run_tumble import TwoStateWalkerParams, initial_state, simulate
from continuum.master_equation import TwoStateMasterEquation
from verification.rt1d.cases import seed001_rates

N_WALKERS, SPEED, LENGTH, DT, SEED = 5000, 20.0, 200.0, 0.01, 7


@pytest.fixture(scope="module")
def seed001():
    """Seed 001 §4.3 model and start, with both kernels compiled (or loaded from cache)."""
    plus, minus = seed001_rates(LENGTH)
    params = TwoStateWalkerParams(SPEED, plus, minus, LENGTH, "reflecting")
    x0, s0 = initial_state(params, N_WALKERS, SEED, x0=(-1.0, 1.0))
    for method in ("event", "fixed"):
        simulate(params, x0[:8], s0[:8], [0.1], SEED, method=method, dt=DT)
    return params, x0, s0


def test_event_kernel_5000_walkers(benchmark, seed001):
    params, x0, s0 = seed001
    out = benchmark(simulate, params, x0, s0, [4.0], SEED, method="event")
    assert out.shape == (1, N_WALKERS)
    assert np.all(np.abs(out) <= LENGTH / 2)


def test_fixed_kernel_5000_walkers(benchmark, seed001):
    params, x0, s0 = seed001
    out = benchmark(simulate, params, x0, s0, [1.0], SEED, method="fixed", dt=DT)  # 100 steps
    assert out.shape == (1, N_WALKERS)
    assert np.all(np.abs(out) <= LENGTH / 2)


def test_master_equation_evolve(benchmark):
    plus, minus = seed001_rates(LENGTH)
    me = TwoStateMasterEquation(SPEED, plus, minus, LENGTH, "reflecting", 2000)
    state0 = me.initial(lambda x: 0.5 * np.clip((x + 1.0) / 2.0, 0, 1),
                        lambda x: 0.5 * np.clip((x + 1.0) / 2.0, 0, 1))
    me.evolve(state0, [me.dt])  # compile outside the measurement
    _, (state,) = benchmark(me.evolve, state0, [1.0])
    assert math.isclose(float(state[0].sum() + state[1].sum()), 1.0, rel_tol=1e-12)


def test_bench_rt1d_quick_structure():
    from verification.bench import all_workloads, format_table
    from verification.rt1d.bench import bench_rt1d

    assert all_workloads()["rt1d"] is bench_rt1d
    res = bench_rt1d(quick=True)
    assert res["workload"] == "rt1d"
    assert res["config"]["quick"] is True
    names = [r["name"] for r in res["rows"]]
    for want in ("numpy baseline", "numba fixed-dt", "numba event-driven", "Mesa per-agent"):
        assert want in names
    numpy_s = res["rows"][names.index("numpy baseline")]["seconds"]
    for row in res["rows"]:
        assert set(row) >= {"name", "seconds", "particle_steps", "steps_per_second", "ratio_vs_numpy",
                            "notes"}
        assert math.isfinite(row["seconds"])
        assert row["seconds"] > 0
        assert row["particle_steps"] == N_WALKERS * 4000
        assert math.isclose(row["ratio_vs_numpy"], numpy_s / row["seconds"])
        assert math.isclose(row["steps_per_second"], row["particle_steps"] / row["seconds"])
    assert "scaled" in res["rows"][names.index("Mesa per-agent")]["notes"]
    assert set(res["goals"]) == set(res["goal_met"]) == {"vs_numpy", "vs_mesa_per_agent"}
    assert all(isinstance(v, bool) for v in res["goal_met"].values())
    assert all(math.isfinite(v) and v > 0 for v in res["ratios"].values())
    assert len(res["seed_defects_fixed"]) >= 4
    assert set(res["sanity"]["methods"]) >= {"numpy baseline", "numba fixed-dt", "numba event-driven"}
    for m in res["sanity"]["methods"].values():
        assert math.isfinite(m["z_mean"])
        assert math.isfinite(m["z_var"])
    json.dumps(res)  # the CLI writes it as JSON
    table = format_table(res)
    for name in names:
        assert name in table
    assert "goals" in table


def test_goal_rows_print_measured_beside_goal():
    from verification.bench import format_table

    res = {"workload": "w", "rows": [{"name": "a", "seconds": 1.0, "steps_per_second": 1.0}],
           "goal_rows": [{"name": "1000 steps", "measured": "70 s", "goal": "<= 60 s", "met": False,
                          "notes": "limit: the pair sum"},
                         {"name": "error", "measured": "1e-14", "goal": "<= 1e-06", "met": True},
                         {"name": "crossover", "measured": "P ~ 2e5", "goal": None, "met": None}]}
    lines = format_table(res).splitlines()
    start = lines.index("goals, measured side by side:")
    rows = lines[start + 3:start + 6]
    for text in ("70 s", "<= 60 s", "NOT MET", "limit: the pair sum"):
        assert text in rows[0]
    assert rows[1].split()[-1] == "MET"
    assert "P ~ 2e5" in rows[2]
    assert rows[2].rstrip().endswith("-")
