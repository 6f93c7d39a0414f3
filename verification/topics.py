"""The one list of topics, and how the framework finds what each topic holds.

A topic is a package ``verification.<topic>`` holding all it verifies (derivation, cases, method
protocols, checks, errata, bench workloads, sweeps, wrong models). The framework imports
its parts by kind:

========================  ==========================================================
module                    holds
========================  ==========================================================
``protocols``             method protocols (registered with ``verification.protocols``)
``checks``                checks (registered with ``verification.records.check``)
``errata``                ``FORMULAS`` and ``CODE`` (``verification.errata``)
``bench``                 ``WORKLOADS`` of ``activebench bench``
``sweeps``                ``SWEEPS`` of ``activebench sweep``
``wrong_models``          ``WRONG_MODELS``: a deliberately wrong method per check
========================  ==========================================================
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

#: Topic packages under ``verification/``, in report order.
TOPICS: tuple[str, ...] = ("rt1d", "rtnd", "mips", "keller_segel", "ants", "radial", "sipf", "ks2d_pde")

#: Topics built on another topic's reference results, which may import all of it (any other
#: cross-topic import is of a ``derivation`` module only): SIPF is held against the radial
#: finite-difference reference of the same source ([SIPF] §4.3), its cases and settled critical mass; the
#: 2D PDE topic holds the 2D particle methods of those two topics (their protocols) against its solver.
BUILDS_ON: dict[str, tuple[str, ...]] = {"sipf": ("radial",), "ks2d_pde": ("radial", "sipf")}

KINDS: tuple[str, ...] = ("protocols", "checks", "errata", "bench", "sweeps", "wrong_models")


def modules(kind: str) -> list[ModuleType]:
    """Import and return ``verification.<topic>.<kind>`` of every topic that has one."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    found = []
    for topic in TOPICS:
        name = f"verification.{topic}.{kind}"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found
