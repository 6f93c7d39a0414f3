"""Sweep ``ants-entropy``: the entropy S(f0) of annealed normal-mode states ([ANTS] Figs. 3-5).

Each task anneals the normal-mode Lyapunov functional W (Eq. 46, derived coefficients,
:func:`verification.ants.cases.modal_model`) at one f0 by Metropolis (``n_samples``
independent chains, geometric temperature schedule ending at T = 0) and returns the
mean and standard error of the entropy S (Eq. 48) of the final states. The scan shows the
single jump of S at the linear-stability threshold f0* = j11^2 D0 nu0/(chi0 g0 R^2)
(derived; ≈ 3.92 for the paper's parameters), which the summary marks.
"""

from __future__ import annotations

import numpy as np

from verification import validation as V
from verification.sweep import Sweep, Task

FN = "verification.ants.sweeps:entropy_task"
#: Lower estimate of one Metropolis attempt (one mode move and its non-negativity test on the mesh) in ns:
#: measured 66 ns here (m_hat = 19, 78 mesh points, one thread), rounded down.
NS_PER_ATTEMPT = 20.0
#: Bytes per chain held by one task: E, G (m_hat + 1 each), the W history (one per temperature), S.
BYTES_PER_CHAIN = 8.0 * (2 * 20 + 52 + 1)


def entropy_task(f0: float, chi0: float, sweeps: int, n_samples: int, seed: int) -> dict:
    """Anneal W at ``f0`` and return S statistics over ``n_samples`` chains."""
    from continuum.normal_modes import anneal, geometric_schedule
    from verification import stats
    from verification.ants.cases import PAPER, RHO_C, entropy_from_modes, modal_model

    mod = modal_model(PAPER.replace(f0=f0, chi0=chi0))
    temps = np.concatenate((geometric_schedule(), [0.0]))
    res = anneal(mod, temps, sweeps, n_samples, seed % 2**30, f0 * RHO_C)
    S = np.array([entropy_from_modes(mod, res.E[k], res.G[k]) for k in range(n_samples)])
    m, se = stats.mean_se(S)
    return {"S_mean": float(m), "S_se": float(se), "S": S.tolist()}


def _validate(p: dict) -> None:
    """Every task's parameters, the modal model of each f0 (finite coefficients), and one task's work and memory."""
    from continuum.normal_modes import geometric_schedule
    from verification.ants.cases import PAPER, modal_model

    if not isinstance(p["f0"], list) or not p["f0"]:
        raise ValueError(f"f0 must be a non-empty list of values > 0, got {p['f0']!r}")
    f0s = [V.positive(f, f"f0[{i}]") for i, f in enumerate(p["f0"])]
    chi0 = V.positive(p["chi0"], "chi0")
    sweeps = V.integer(p["sweeps"], "sweeps", lo=1)
    n_samples = V.integer(p["n_samples"], "n_samples", lo=2)  # for a standard error
    V.seed(p["seed"], "seed")
    if p["seed"] + len(f0s) - 1 >= V.SEED_LIMIT:
        raise ValueError(f"seed must leave room for the task seeds (seed + index < 2**63), got {p['seed']}")
    m_hat = 0
    for i, f in enumerate(f0s):
        try:
            m_hat = modal_model(PAPER.replace(f0=f, chi0=chi0)).m_hat
        except ValueError as exc:
            raise ValueError(f"f0[{i}] = {f:g} with chi0 = {chi0:g} gives no valid modal model: {exc}") from None
    attempts = n_samples * (geometric_schedule().size + 1) * sweeps * (m_hat + 1)
    V.require_memory(BYTES_PER_CHAIN * n_samples, f"one ants-entropy task with {n_samples} chains", "fewer n_samples")
    V.require_work(attempts, unit="Metropolis attempts", ns_per_unit=NS_PER_ATTEMPT,
                   what=f"one ants-entropy task ({n_samples} chains x {sweeps} sweeps per temperature)",
                   fix="fewer sweeps or n_samples")


def _plan(p: dict, results: dict) -> list[Task]:
    return [Task(f"f0={f:g}", FN, {"f0": float(f), "chi0": p["chi0"], "sweeps": p["sweeps"],
                                   "n_samples": p["n_samples"], "seed": p["seed"] + i})
            for i, f in enumerate(p["f0"])]


def _summarize(p: dict, results: dict):
    from verification.ants.cases import f0_star

    fs = f0_star(p["chi0"])
    rows = []
    for f in p["f0"]:
        r = results.get(f"f0={f:g}")
        rows.append([float(f), "-" if r is None else r["S_mean"], "-" if r is None else r["S_se"],
                     "below f0*" if f < fs else "above f0*"])
    return ["f0", "S mean", "S SE", f"vs derived f0* = {fs:.4f}"], rows


def _plot(fig, p: dict, results: dict) -> None:
    from verification.ants.cases import f0_star

    ax = fig.add_subplot(111)
    pts = [(f, results[f"f0={f:g}"]) for f in p["f0"] if f"f0={f:g}" in results]
    ax.errorbar([f for f, _ in pts], [r["S_mean"] for _, r in pts], yerr=[2 * r["S_se"] for _, r in pts], fmt="o-")
    ax.axvline(f0_star(p["chi0"]), color="k", ls="--", lw=0.7, label="derived f0*")
    ax.set_xlabel("f0")
    ax.set_ylabel("entropy S of annealed states (± 2 SE)")
    ax.legend(fontsize=7)


SWEEPS = [Sweep(
    name="ants-entropy",
    summary="entropy S(f0) of Metropolis-annealed normal-mode states across the threshold (minutes)",
    source="[ANTS] Methods, Figs. 3-5",
    defaults={"f0": [3.0, 3.4, 3.6, 3.72, 3.84, 3.96, 4.08, 4.2, 4.6, 5.0, 6.0, 8.0], "chi0": 4.0, "sweeps": 2000,
              "n_samples": 20, "seed": 7},
    plan=_plan, summarize=_summarize, plot=_plot, validate=_validate, tasks=(FN,))]
