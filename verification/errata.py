"""Errata: what the seed documents state, compared with derivations and computations.

Three kinds of entry, each with a ``key`` (``topic.name``) that the claims ledger
(``verification.claims``) refers to:

- ``FormulaErratum`` transcribes a stated formula as a sympy expression and compares it
  with the derived one from the topic's ``derivation`` module; the verdict comes from
  ``sympy.simplify`` of the difference.
- ``NumericErratum`` holds a number the source states against a computation that returns
  a value and its error bar (statistics or a discretization bound); the verdict is
  whether the stated number lies within the error bar.
- ``CodeErratum`` demonstrates a defect of a seed's code (or of a stated procedure) with a
  small computation run twice: as stated, where the defect must show, and with the fix,
  where it must not. Both runs are computations that could come out otherwise, so no
  verdict is constant (``tests/test_errata_honest.py`` runs the fixed variant).

What cannot be computed is not an erratum: it is a note of the claims ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from verification import topics


def _verdict(agrees: bool, approximation: bool) -> str:
    """'correct' when the statement agrees; else 'approximation' if the seed presents it as one, else 'WRONG'."""
    if agrees:
        return "correct"
    return "approximation" if approximation else "WRONG"


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
    key: str = ""  # topic.name, referred to by the claims ledger

    def evaluate(self) -> dict:
        """Compare; verdict 'correct' iff stated - derived simplifies to 0."""
        stated, derived = self.stated(), self.derived()
        verdict = _verdict(sp.simplify(sp.expand(stated - derived)) == 0, self.approximation)
        return {"key": self.key, "seed": self.seed, "location": self.location, "quantity": self.quantity,
                "stated": sp.sstr(stated), "derived": sp.sstr(sp.simplify(derived)), "verdict": verdict,
                "note": self.note}


@dataclass(frozen=True)
class NumericErratum:
    """A number a seed states, against a computation with an error bar.

    ``compute`` returns ``(value, error_bar, evidence)``: our value, the half-width of
    its uncertainty (a standard error times the stated factor, or a discretization bound;
    the evidence text says which) and a line of evidence. Verdict 'correct' iff
    ``|stated - value| <= error_bar``; otherwise 'approximation' when the seed presents
    the number as approximate, else 'WRONG'.
    """

    seed: str
    location: str
    quantity: str
    stated: float
    compute: Callable[[], tuple[float, float, str]]
    note: str = ""
    approximation: bool = False
    key: str = ""

    def evaluate(self) -> dict:
        """Run the computation and compare with the stated number."""
        value, error_bar, evidence = self.compute()
        verdict = _verdict(abs(self.stated - value) <= error_bar, self.approximation)
        return {"key": self.key, "seed": self.seed, "location": self.location, "quantity": self.quantity,
                "stated": f"{self.stated:g}", "derived": f"{value:.6g} ± {error_bar:.2g} ({evidence})",
                "verdict": verdict, "note": self.note}


@dataclass(frozen=True)
class CodeErratum:
    """A defect of a seed's code or stated procedure, demonstrated by a computation.

    ``demonstrate(as_stated)`` returns ``(defect present, evidence)``: with
    ``as_stated=True`` it runs the seed's version, with ``as_stated=False`` the fix. The
    verdict is DEFECT iff the defect shows in the seed's version.
    """

    seed: str
    location: str
    quantity: str
    demonstrate: Callable[[bool], tuple[bool, str]]
    fix: str
    key: str = ""

    def evaluate(self) -> dict:
        """Run the demonstration on the seed's version."""
        present, evidence = self.demonstrate(True)
        return {"key": self.key, "seed": self.seed, "location": self.location, "quantity": self.quantity,
                "stated": "(code)", "derived": evidence, "verdict": "DEFECT" if present else "not reproduced",
                "note": f"fix: {self.fix}"}


def evaluate() -> list[dict]:
    """Evaluate every erratum entry, topic by topic (formulas first, then code)."""
    rows = []
    for mod in topics.modules("errata"):
        rows += [e.evaluate() for e in entries(mod)]
    return rows


def entries(module=None) -> list:
    """The erratum entries of one topic's errata module (formulas, numbers, code), or of all topics."""
    if module is None:
        return [e for mod in topics.modules("errata") for e in entries(mod)]
    return [*getattr(module, "FORMULAS", []), *getattr(module, "NUMBERS", []), *getattr(module, "CODE", [])]


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
