"""A 1D Keller-Segel method written with a third-party PDE engine (py-pde), put through the ks1d checks.

This file is outside the package: it is what a user with a py-pde model brings. Try it::

    pip install py-pde                                     # or: pip install -e ".[bench]"
    activebench methods ks1d.solver                        # the protocol it must follow
    activebench run --method ks1d.solver=examples/ks1d_pypde_solver.py:solve --compare

The model of the protocol, u_t = D_u u_xx - chi0 (u v_x)_x, v_t = D_v v_xx + u - a v on a periodic
interval, is written as py-pde expressions on py-pde's periodic Cartesian grid (cell centres
(i + 1/2) dx; the checks' fields live on i dx, which for a periodic grid is only a shift of
the origin) and stepped with py-pde's adaptive Runge-Kutta solver. The discretisation is
py-pde's (central differences of the expressions), not ours: the checks report what it really
gets, with nothing tuned to make it pass.

What it gets (quick profile, default seed, py-pde 0.59): it fails both ks1d checks, for two
real reasons.

* ``ks1d.conservation_positivity``: mass is conserved to 2e-15, but u reaches -23.4 during the
  chi0 = 40 aggregation (central differences of the chemotactic flux are not positivity
  preserving; the check's finite-volume scheme is, by construction).
* ``ks1d.dispersion``: the growth rates of unstable modes come out low, increasingly with k
  (chi0 = 25, k = 1.005: 0.120 vs the derived 0.171; chi0 = 40, k = 1.32: 0.057 vs 0.193), past
  the check's budget of 2x the compact 3-point Laplacian's leading error. ``d_dx(u * d_dx(v))``
  composes two centred first derivatives, a wide stencil whose symbol sin²(k dx)/dx² has four
  times the compact stencil's error (k⁴dx²/3 against k⁴dx²/12): the check measures that.
"""

from __future__ import annotations

import numpy as np


def solve(params, u0, v0, times):
    """(u, v) at ``times``, each (len(times), n_cells); protocol ``ks1d.solver``."""
    import pde  # py-pde

    grid = pde.CartesianGrid([[0.0, params.length]], [params.n_cells], periodic=True)
    state = pde.FieldCollection([pde.ScalarField(grid, np.asarray(u0, float), label="u"),
                                 pde.ScalarField(grid, np.asarray(v0, float), label="v")])
    eq = pde.PDE({"u": f"{params.d_u} * laplace(u) - {params.chi0} * d_dx(u * d_dx(v))",
                  "v": f"{params.d_v} * laplace(v) + u - {params.decay} * v"})
    times = np.asarray(times, dtype=float)
    storage = pde.MemoryStorage()
    dt0 = 0.1 * params.dx**2 / max(params.d_u, params.d_v)
    eq.solve(state, t_range=(0.0, float(times[-1])), dt=dt0, solver="runge-kutta", adaptive=True,
             tolerance=1e-6, tracker=[storage.tracker(list(times))])
    stored_t = np.asarray(storage.times)
    u = np.empty((times.size, params.n_cells))
    v = np.empty_like(u)
    for k, t in enumerate(times):  # py-pde stores at the first step at or after each requested time
        j = int(np.argmin(np.abs(stored_t - t)))
        u[k], v[k] = storage[j][0].data, storage[j][1].data
    return u, v
