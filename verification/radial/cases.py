"""Configurations of the radial topic that its checks and errata share."""

from __future__ import annotations

from continuum.radial_ks3d import RadialKSParams

#: The paper's physical parameters ([SIPF] Eq. 35): mu = chi = 1, eps = 1e-4, k = 0.1, on [0, R = 20].
PAPER = RadialKSParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, radius=20.0)
#: The paper's bracket of the critical mass of the unit-ball start ([SIPF] §4.3).
PAPER_BRACKET = (47.6, 47.8)
