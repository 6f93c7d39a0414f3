"""Sympy derivation for isotropic run-and-tumble walkers in d dimensions ([MIPS] §1).

``numeric()`` lambdifies the results the checks use, so no formula is typed twice.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import sympy as sp

t, s = sp.symbols("t s", real=True)
v0, alpha = sp.symbols("v0 alpha", positive=True)
dim = sp.symbols("d", positive=True, integer=True)


@cache
def isotropic_nd() -> SimpleNamespace:
    """Run-and-tumble in d dimensions, new direction uniform on the sphere.

    After a tumble the mean direction is 0, so <e(0).e(t)> = P(no tumble) = exp(-alpha t).
    Per Cartesian component C(t) = v0^2 exp(-alpha t) / d; D = int C dt and the exact
    per-component variance from a start with fresh isotropic direction.
    """
    corr = v0**2 * sp.exp(-alpha * t) / dim
    D = sp.simplify(sp.integrate(corr, (t, 0, sp.oo)))
    var_x = sp.simplify(2 * sp.integrate((t - s) * corr.subs(t, s), (s, 0, t)))
    return SimpleNamespace(D=D, var_x=var_x, corr=corr)


@cache
def numeric() -> SimpleNamespace:
    """Lambdified results used by the checks (numpy functions)."""
    nd = isotropic_nd()
    return SimpleNamespace(D=sp.lambdify((v0, alpha, dim), nd.D, "numpy"),
                           var_x=sp.lambdify((v0, alpha, dim, t), nd.var_x, "numpy"))
