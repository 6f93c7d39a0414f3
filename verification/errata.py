"""Errata: formulas as stated in the seed documents, compared with their sympy derivations.

Each formula entry transcribes what a seed *states* (with its location) as a
sympy expression and compares it with the derived one from
the topic's ``derivation`` module; the verdict comes from ``sympy.simplify`` of the
difference, not from this file. Code entries describe a defect of a seed's
code and demonstrate it with a small computation that mimics only the
defective step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from verification import topics


@dataclass(frozen=True)
class FormulaErratum:
    """A stated formula and its derived counterpart."""

    seed: str
    location: str
    quantity: str
    stated: Callable[[], sp.Expr]
    derived: Callable[[], sp.Expr]
    note: str = ""
    approximation: bool = False  # the seed presents it as an approximation that holds in a limit

    def evaluate(self) -> dict:
        """Compare; verdict 'correct' iff stated - derived simplifies to 0."""
        stated, derived = self.stated(), self.derived()
        same = sp.simplify(sp.expand(stated - derived)) == 0
        if same:
            verdict = "correct"
        elif self.approximation:
            verdict = "approximation"
        else:
            verdict = "WRONG"
        return {"seed": self.seed, "location": self.location, "quantity": self.quantity,
                "stated": sp.sstr(stated), "derived": sp.sstr(sp.simplify(derived)), "verdict": verdict,
                "note": self.note}


@dataclass(frozen=True)
class CodeErratum:
    """A defect of a seed's code, with a demonstration that returns (defect present, evidence)."""

    seed: str
    location: str
    quantity: str
    demonstrate: Callable[[], tuple[bool, str]]
    fix: str

    def evaluate(self) -> dict:
        """Run the demonstration."""
        present, evidence = self.demonstrate()
        return {"seed": self.seed, "location": self.location, "quantity": self.quantity,
                "stated": "(code)", "derived": evidence, "verdict": "DEFECT" if present else "not reproduced",
                "note": f"fix: {self.fix}"}


def evaluate() -> list[dict]:
    """Evaluate every erratum entry, topic by topic (formulas first, then code)."""
    rows = []
    for mod in topics.modules("errata"):
        rows += [e.evaluate() for e in getattr(mod, "FORMULAS", [])]
        rows += [e.evaluate() for e in getattr(mod, "CODE", [])]
    return rows


def format_rows(rows: list[dict]) -> str:
    """Plain-text listing: seed, location, stated, derived, verdict."""
    out = []
    for r in rows:
        out.append(f"[{r['verdict']}] seed {r['seed']} {r['location']} — {r['quantity']}")
        out.append(f"    stated : {r['stated']}")
        out.append(f"    derived: {r['derived']}")
        if r["note"]:
            out.append(f"    note   : {r['note']}")
    counts = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    out.append(", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    return "\n".join(out)
