"""Checks of run-and-tumble walkers in 2D and 3D (isotropic tumbles); method protocol ``rtnd.walkers``."""

from __future__ import annotations

import numpy as np

from agents.run_tumble_nd import RunTumbleNDParams
from verification import stats
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite
from verification.rtnd import derivation as deriv
from verification.rtnd.protocols import WALKERS, WalkersND


@check("rtnd.diffusivity", source=cite("MIPS", "§1 (run-and-tumble in d = 2, 3), Green-Kubo"),
       methods={"walkers": "rtnd.walkers"}, unit="length^2/time")
def nd_diffusivity(ctx: CheckContext, walkers: WalkersND = WALKERS.default) -> CheckResult:
    """2D and 3D walkers: MSD slope per component vs the derived D = v0²/(d alpha)."""
    v0, alpha = 1.0, 2.0
    t1, t2 = 5.0, 25.0
    n = ctx.pick(100_000, 1_000_000)
    num = deriv.numeric()
    parts, details, curves = [], {"n_walkers": n, "v0": v0, "alpha": alpha, "t1": t1, "t2": t2}, {}
    for d in (2, 3):
        params = RunTumbleNDParams(d, v0, alpha)
        pos = walkers(params, n, [t1, t2], ctx.seed(d))
        msd = np.stack([np.sum(pos[0] ** 2, axis=1), np.sum(pos[1] ** 2, axis=1)], axis=1)
        D_hat, se = stats.batch_se(msd, lambda m, d=d: (m[:, 1].mean() - m[:, 0].mean()) / (2 * d * (t2 - t1)))
        var = num.var_x(v0, alpha, d, np.array([t1, t2]))
        expected = float((var[1] - var[0]) / (2 * (t2 - t1)))
        parts.append(Part(f"d = {d}: MSD slope per component vs v0²/(d α)", D_hat, expected, stats.Z * se,
                          f"{stats.Z:.2f} standard errors from 32 batches"))
        details[f"D_derived_d{d}"] = float(num.D(v0, alpha, d))
        details[f"stderr_d{d}"] = se
        curves[d] = (D_hat, se, expected)

    def plot(fig):
        ax = fig.add_subplot(111)
        ds = sorted(curves)
        ax.errorbar(ds, [curves[d][0] for d in ds], yerr=[stats.Z * curves[d][1] for d in ds], fmt="o",
                    label="agents")
        ax.plot(ds, [curves[d][2] for d in ds], "s", mfc="none", label="derived v0²/(dα)")
        ax.set_xticks(ds)
        ax.set_xlabel("dimension d")
        ax.set_ylabel("D per component")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)
