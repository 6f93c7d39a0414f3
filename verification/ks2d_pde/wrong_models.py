"""Deliberately wrong models of the 2D minimal Keller-Segel checks: each check must run to its end and fail on them.

Each check module keeps its wrong models beside its checks (``WRONG_MODELS``); they are collected here.
"""

from verification.ks2d_pde import checks_moments, checks_particles, checks_scheme

WRONG_MODELS = [*checks_scheme.WRONG_MODELS, *checks_moments.WRONG_MODELS, *checks_particles.WRONG_MODELS]
