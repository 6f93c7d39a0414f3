"""Sweeps of the radial topic: the unit-ball critical-mass study ([SIPF] §4.3).

See :mod:`verification.radial.critical_mass_study`.
"""

from __future__ import annotations

from verification.radial.critical_mass_study import SWEEPS

__all__ = ["SWEEPS"]
