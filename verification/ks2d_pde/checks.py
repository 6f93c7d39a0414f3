"""Checks of the 2D minimal Keller-Segel topic: one module per group, imported here so the framework finds them.

* :mod:`verification.ks2d_pde.checks_scheme` -- the finite-volume scheme: positivity and mass through
  aggregation, fitted orders in space and time.
* :mod:`verification.ks2d_pde.checks_moments` -- the second-moment identity of the parabolic-elliptic
  PDE, the 8 pi dichotomy with the blow-up time against its bound, the merger of sub-critical bumps.
* :mod:`verification.ks2d_pde.checks_particles` -- particles against the PDE off the radial line:
  2D SIPF (parabolic-parabolic) and the parabolic-elliptic particles from multi-bump starts.
"""

from verification.ks2d_pde import checks_moments, checks_particles, checks_scheme  # noqa: F401  (registers the checks)
