"""The claims ledger: every claim of the four sources, and what in the suite addresses it.

Each source has one ledger file in its topic, ``verification/<topic>/claims.toml``
(``LEDGER_TOPICS``). A claim is a numbered equation, a number in the text, a table, a
figure's stated behaviour, a code listing or a stated procedure. It lists the check ids,
erratum keys (``verification.errata``), sweep names and benchmark names that address it,
or, when none does, a ``note`` that says why it is not covered::

    source = "SIPF"

    [[claim]]
    id = "eq34"
    where = "§3.2 Eq. (34)"
    claim = "|rho_hat_n(w)| <= M for every n"
    kind = "equation"
    equation = "34"
    checks = ["sipf.large_dt_stability"]
    errata = ["sipf.eq34_rho_bound"]

A claim is *covered* when a check or an erratum holds it, *sweep/bench only* when only
a sweep or a benchmark does, *not covered* otherwise. A numbered equation (kind
``equation``) counts as *transcribed* when an erratum compares it with a derivation or a
computation. :func:`problems` holds the ledger to the registries both ways: every id it
names exists, and every check and erratum is cited by at least one claim of the source
it cites. ``activebench claims`` prints :func:`coverage`; the run report has it as a section.
"""

from __future__ import annotations

import importlib.util
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from verification import refs

#: The topic folder that holds each source's ledger.
LEDGER_TOPICS: dict[str, str] = {"MIPS": "mips", "CHEMOTAXIS": "keller_segel", "ANTS": "ants", "SIPF": "sipf"}

KINDS: tuple[str, ...] = ("equation", "definition", "number", "table", "figure", "code", "text")

#: Largest fraction of a source's claims that may be left not covered (each with its reason).
MAX_NOT_COVERED = 0.10

_FIELDS = {"id", "where", "claim", "kind", "equation", "checks", "errata", "sweeps", "benchmarks", "note"}
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Claim:
    """One claim of a source and what addresses it."""

    source: str
    id: str
    where: str
    claim: str
    kind: str
    equation: str = ""
    checks: tuple[str, ...] = ()
    errata: tuple[str, ...] = ()
    sweeps: tuple[str, ...] = ()
    benchmarks: tuple[str, ...] = ()
    note: str = ""

    @property
    def status(self) -> str:
        """'covered', 'sweep/bench only' or 'not covered'."""
        if self.checks or self.errata:
            return "covered"
        if self.sweeps or self.benchmarks:
            return "sweep/bench only"
        return "not covered"

    @property
    def label(self) -> str:
        """``SOURCE:id``, how the ledger names the claim elsewhere."""
        return f"{self.source}:{self.id}"


class LedgerError(ValueError):
    """A ledger file that does not follow the schema (names the file and the claim)."""


def ledger_path(source: str) -> Path:
    """The ledger file of a source (a reference key of ``verification.refs``)."""
    if source not in LEDGER_TOPICS:
        raise KeyError(f"source must be one of {sorted(LEDGER_TOPICS)}, got {source!r}")
    return _PACKAGE / LEDGER_TOPICS[source] / "claims.toml"


def _as_list(value, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise LedgerError(f"{where}: {name} must be a list of non-empty strings, got {value!r}")
    return tuple(value)


def parse(path: Path) -> list[Claim]:
    """Read and validate one ledger file.

    Raises
    ------
    LedgerError
        Unknown or missing fields, an unknown kind or source, a duplicate id, or a claim
        that nothing addresses and that has no ``note``.
    """
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    source = data.get("source")
    if source not in refs.REFERENCES:
        raise LedgerError(f"{path}: source must be a reference key {sorted(refs.REFERENCES)}, got {source!r}")
    claims, seen = [], set()
    for n, raw in enumerate(data.get("claim", []), start=1):
        where = f"{path.name} claim #{n} ({raw.get('id', '?')})"
        unknown = set(raw) - _FIELDS
        if unknown:
            raise LedgerError(f"{where}: unknown field(s) {sorted(unknown)}; allowed {sorted(_FIELDS)}")
        for name in ("id", "where", "claim", "kind"):
            if not isinstance(raw.get(name), str) or not raw[name].strip():
                raise LedgerError(f"{where}: field {name!r} must be a non-empty string")
        if raw["kind"] not in KINDS:
            raise LedgerError(f"{where}: kind must be one of {KINDS}, got {raw['kind']!r}")
        if raw["id"] in seen:
            raise LedgerError(f"{where}: duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        claim = Claim(source, raw["id"], raw["where"], raw["claim"], raw["kind"], str(raw.get("equation", "")),
                      *(_as_list(raw.get(k, []), where, k) for k in ("checks", "errata", "sweeps", "benchmarks")),
                      note=str(raw.get("note", "")))
        if claim.status == "not covered" and not claim.note.strip():
            raise LedgerError(f"{where}: nothing addresses this claim, so it needs a note saying why")
        claims.append(claim)
    if not claims:
        raise LedgerError(f"{path}: no [[claim]] entries")
    return claims


def load(sources: list[str] | None = None) -> dict[str, list[Claim]]:
    """The ledgers of the given sources (default: all four), by reference key."""
    return {s: parse(ledger_path(s)) for s in (sources or list(LEDGER_TOPICS))}


# -- holding the ledger to the registries ----------------------------------------------
def _benchmark_exists(name: str, workloads: set[str]) -> bool:
    """An ``activebench bench`` workload, or an asv benchmark ``module.Class.method`` of ``benchmarks/``.

    The asv benchmarks live in the repository, not in the installed package: without a
    ``benchmarks/`` folder beside the package (``pip install .``), asv names are taken as
    they are (the repository's tests check them).
    """
    if name in workloads:
        return True
    module, _, attr_path = name.partition(".")
    folder = _PACKAGE.parent / "benchmarks"
    if attr_path and not folder.is_dir():
        return True
    file = folder / f"{module}.py"
    if not attr_path or not file.exists():
        return False
    spec = importlib.util.spec_from_file_location(f"_asv_{module}", file)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    obj = mod
    for part in attr_path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return True


def problems(ledger: dict[str, list[Claim]] | None = None) -> list[str]:
    """Every mismatch between the ledger and the registries (empty when they agree).

    Checks: every named check, erratum, sweep and benchmark exists; every check is cited
    by a claim of each source its ``source`` names; every erratum is cited by a claim.
    """
    from verification import errata
    from verification.bench import all_workloads
    from verification.records import REGISTRY, load_all
    from verification.sweep import all_sweeps

    ledger = ledger if ledger is not None else load()
    load_all()
    erratum_keys = {e.key for e in errata.entries()}
    sweeps, workloads = set(all_sweeps()), set(all_workloads())
    out = []
    for source, claims in ledger.items():
        for c in claims:
            out += [f"{c.label}: unknown check {x!r}" for x in c.checks if x not in REGISTRY]
            out += [f"{c.label}: unknown erratum key {x!r}" for x in c.errata if x not in erratum_keys]
            out += [f"{c.label}: unknown sweep {x!r}" for x in c.sweeps if x not in sweeps]
            out += [f"{c.label}: unknown benchmark {x!r}" for x in c.benchmarks
                    if not _benchmark_exists(x, workloads)]
        cited = {x for c in claims for x in c.checks}
        for chk in REGISTRY.values():
            if f"[{source}]" in chk.source and chk.id not in cited:
                out.append(f"check {chk.id} cites [{source}] but no claim of the {source} ledger names it")
    cited_errata = {x for claims in ledger.values() for c in claims for x in c.errata}
    if set(ledger) == set(LEDGER_TOPICS):
        out += [f"erratum {k!r} is cited by no claim" for k in sorted(erratum_keys - cited_errata)]
    return out


# -- coverage ----------------------------------------------------------------------------
@dataclass
class Coverage:
    """Counts of one source's ledger."""

    source: str
    claims: int = 0
    covered: int = 0
    sweep_bench_only: int = 0
    not_covered: list[Claim] = field(default_factory=list)
    equations: int = 0
    transcribed: int = 0

    @property
    def not_covered_fraction(self) -> float:
        """Fraction of the claims that nothing addresses."""
        return len(self.not_covered) / self.claims if self.claims else 0.0

    def as_dict(self) -> dict:
        """JSON-ready summary (the not-covered claims with their reasons)."""
        return {"source": self.source, "title": refs.REFERENCES[self.source].title, "claims": self.claims,
                "covered": self.covered, "sweep_bench_only": self.sweep_bench_only,
                "not_covered": len(self.not_covered), "not_covered_fraction": self.not_covered_fraction,
                "within_limit": self.not_covered_fraction <= MAX_NOT_COVERED,
                "numbered_equations": self.equations, "transcribed": self.transcribed,
                "not_covered_claims": [{"id": c.label, "where": c.where, "claim": c.claim, "reason": c.note}
                                       for c in self.not_covered]}


def coverage(ledger: dict[str, list[Claim]] | None = None) -> list[Coverage]:
    """Per-source coverage counts, in the order of ``LEDGER_TOPICS``."""
    ledger = ledger if ledger is not None else load()
    out = []
    for source, claims in ledger.items():
        cov = Coverage(source, claims=len(claims))
        for c in claims:
            if c.status == "covered":
                cov.covered += 1
            elif c.status == "sweep/bench only":
                cov.sweep_bench_only += 1
            else:
                cov.not_covered.append(c)
            if c.kind == "equation":
                cov.equations += 1
                cov.transcribed += bool(c.errata)
        out.append(cov)
    return out


def format_text(summary: list[Coverage], ledger: dict[str, list[Claim]], found: list[str]) -> str:
    """Plain text: a table per source, the claims not covered with their reasons, ledger problems."""
    head = f"{'source':<11} {'claims':>6} {'covered':>8} {'sweep/bench':>11} {'not covered':>11} {'equations':>10}"
    lines = [head, "-" * len(head)]
    for cov in summary:
        flag = "" if cov.not_covered_fraction <= MAX_NOT_COVERED else f"  over the {MAX_NOT_COVERED:.0%} limit"
        lines.append(f"{cov.source:<11} {cov.claims:>6} {cov.covered:>8} {cov.sweep_bench_only:>11} "
                     f"{len(cov.not_covered):>4} ({cov.not_covered_fraction:4.0%}) "
                     f"{cov.transcribed:>4}/{cov.equations:<4} transcribed{flag}")
    for cov in summary:
        if cov.not_covered:
            lines.append(f"\nnot covered in [{cov.source}]:")
            lines += [f"  {c.label:<28} {c.where}: {c.claim}\n  {'':<28} why: {c.note}" for c in cov.not_covered]
    sweep_only = [c for claims in ledger.values() for c in claims if c.status == "sweep/bench only"]
    if sweep_only:
        lines.append("\nheld by a sweep or a benchmark only:")
        lines += [f"  {c.label:<28} {c.where}: {', '.join(c.sweeps + c.benchmarks)}" for c in sweep_only]
    if found:
        lines.append("\nledger problems:")
        lines += [f"  {p}" for p in found]
    return "\n".join(lines)


def html_section(summary: list[Coverage]) -> str:
    """The report's coverage section (a table per source and the claims not covered)."""
    import html

    rows = "".join(
        f"<tr><td>[{c.source}]</td><td>{c.claims}</td><td>{c.covered}</td><td>{c.sweep_bench_only}</td>"
        f"<td>{len(c.not_covered)} ({c.not_covered_fraction:.0%})</td><td>{c.transcribed}/{c.equations}</td></tr>"
        for c in summary)
    missing = "".join(f"<li><b>{html.escape(c.label)}</b> {html.escape(c.where)}: {html.escape(c.claim)} — "
                      f"<i>{html.escape(c.note)}</i></li>" for cov in summary for c in cov.not_covered)
    return ("<section id='claims'><h2>Claims of the sources</h2><p>Every claim of each source, and whether a check "
            "or an erratum holds it (<code>activebench claims</code> lists them).</p><table><tr><th>source</th>"
            "<th>claims</th><th>covered</th><th>sweep/bench only</th><th>not covered</th>"
            f"<th>equations transcribed</th></tr>{rows}</table><ul>{missing}</ul></section>")
