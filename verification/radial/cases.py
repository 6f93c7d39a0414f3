"""Configurations of the radial topic that its checks and errata share."""

from __future__ import annotations

from continuum.radial_ks3d import RadialKSParams

#: The paper's physical parameters ([SIPF] Eq. 35): mu = chi = 1, eps = 1e-4, k = 0.1, on [0, R = 20].
PAPER = RadialKSParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, radius=20.0)
#: The paper's bracket of the critical mass of the unit-ball start ([SIPF] §4.3).
PAPER_BRACKET = (47.6, 47.8)

#: [SIPF] §4.3 Table 4 and the geometry paragraph: each row changes one field of the unit-ball
#: problem (PAPER); value: (the fields changed, the paper's critical-mass bracket, the paper's
#: direction of change vs the unit ball: -1 down, +1 up, 0 the unit ball itself). The radius-0.8
#: bracket (38.8, 39) is the text's (Fig. 9 b); the other brackets are Table 4's.
TABLE4_ROWS: dict[str, tuple[dict, tuple[float, float], int]] = {
    "unit ball": ({}, PAPER_BRACKET, 0),
    "ball radius 0.8": ({"ball_radius": 0.8}, (38.8, 39.0), -1),
    "mu = 0.8": ({"mu": 0.8}, (38.0, 38.2), -1),
    "chi = 0.8": ({"chi": 0.8}, (59.6, 59.8), +1),
    "eps = 8e-5": ({"eps": 8e-5}, (47.8, 48.0), +1),
    "k = 0.08": ({"k": 0.08}, (46.8, 47.0), -1),
}
#: [SIPF] §4.4 Eq. 48: centres of the four clusters (vertices of a regular tetrahedron, edge sqrt 3),
#: each a uniform ball of radius CLUSTER_RADIUS and mass CLUSTER_MASS.
CLUSTER_CENTRES = ((1.0, 0.0, 0.0), (-0.5, 0.75**0.5, 0.0), (-0.5, -(0.75**0.5), 0.0), (0.0, 0.0, 2.0**0.5))
CLUSTER_RADIUS = 0.5
CLUSTER_MASS = 20.0
#: [SIPF] §4.5: eps = 0.1, ball radius 0.8, box side L = 12, masses 40 (bounded) and 160 (blows up);
#: the fitted variance growth rate of the M0 = 40 particles.
EPS01 = PAPER.replace(eps=0.1, ball_radius=0.8, radius=6.0)
EPS01_MASSES = (40.0, 160.0)
EPS01_PAPER_RATE = 1.696
