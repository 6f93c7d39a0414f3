"""The four source documents, by reference key.

Check sources, errata rows and docstrings cite a source as ``[KEY] location`` (for example
``[MIPS] §2.3``); the README's References section lists the same keys. The documents call
themselves [MIPS]-003 in older notes; ``seed`` keeps that number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """One source document."""

    key: str
    seed: str
    title: str
    authors: str
    kind: str


REFERENCES: dict[str, Reference] = {r.key: r for r in (
    Reference("MIPS", "000", "From Externally Driven to Internally Driven Pattern Formation (first heading; "
              "lecture on motility-induced phase separation)",
              "lecture notes after Erwin Frey's lecture (no author named)",
              "lecture notes: Schnitzer run-and-tumble model, effective Fokker-Planck equation, MIPS, "
              "Cahn-Hilliard free energy, effective free energy F_eff, with Python code"),
    Reference("CHEMOTAXIS", "001",
              "From Unbiased to Biased Random Walks (first heading; lecture on bacterial chemotaxis)",
              "lecture notes after Erwin Frey's lecture (no author named)",
              "lecture notes: two-state master equation, adiabatic elimination, temporal sensing, "
              "Keller-Segel linear stability, with Python code"),
    Reference("ANTS", "002", "Pheromone-mediated aggregation of ants on a disc (title not given in the document)",
              "not given in the document",
              "journal paper: Keller-Segel-type model of ants on a disc, Lyapunov functional W, "
              "Bessel-mode threshold f0*, normal-mode Metropolis annealing"),
    Reference("SIPF", "003", "A Novel Stochastic Interacting Particle-Field Algorithm for 3D Parabolic-Parabolic "
              "Keller-Segel Chemotaxis System", "Zhongjian Wang, Jack Xin, Zhiwen Zhang",
              "journal paper: SIPF algorithm, convergence tables, critical mass of the unit ball"),
)}

BY_SEED: dict[str, Reference] = {r.seed: r for r in REFERENCES.values()}


def cite(key: str, location: str = "") -> str:
    """``"[KEY] location"`` for a known reference key (ValueError for an unknown one)."""
    if key not in REFERENCES:
        raise ValueError(f"unknown reference key {key!r}; known: {sorted(REFERENCES)}")
    return f"[{key}] {location}".rstrip()
