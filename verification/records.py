"""Check records, the check registry and profiles."""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

PROFILES = ("quick", "full")


@dataclass(frozen=True)
class CheckConfig:
    """What a check is run with.

    Parameters
    ----------
    profile : {"quick", "full"}
        "quick" sizes keep the default run in minutes on 2 cores; "full" uses larger ones.
    seed : int
        Master seed (>= 0); checks derive their own streams from it.
    """

    profile: str = "quick"
    seed: int = 20261123

    def __post_init__(self) -> None:
        """Validate the profile and the seed."""
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}, got {self.profile!r}")
        if not (isinstance(self.seed, int) and 0 <= self.seed < 2**63):
            raise ValueError(f"seed must be an int in [0, 2**63), got {self.seed!r}")

    def pick(self, quick: Any, full: Any) -> Any:
        """Return ``quick`` or ``full`` by profile."""
        return quick if self.profile == "quick" else full

    def sub_seed(self, *keys: int | str) -> int:
        """A reproducible seed for one part of a check."""
        h = self.seed
        for k in keys:
            for c in str(k):
                h = (h * 1_000_003 + ord(c)) % (2**61 - 1)
        return h


@dataclass
class Part:
    """One compared quantity inside a check.

    ``tolerance_basis`` says where the tolerance comes from (standard errors,
    a distribution quantile, or a discretization bound).
    """

    name: str
    measured: float
    expected: float
    tolerance: float
    tolerance_basis: str
    passed: bool | None = None

    def __post_init__(self) -> None:
        """Decide the verdict: finite numbers within tolerance."""
        finite = all(math.isfinite(float(v)) for v in (self.measured, self.expected, self.tolerance))
        within = finite and abs(float(self.measured) - float(self.expected)) <= float(self.tolerance)
        self.passed = bool(within) if self.passed is None else bool(self.passed and finite)
        self.measured, self.expected, self.tolerance = (
            float(self.measured), float(self.expected), float(self.tolerance))

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {k: getattr(self, k) for k in ("name", "measured", "expected", "tolerance",
                                               "tolerance_basis", "passed")}


@dataclass
class CheckResult:
    """The record of one check (the first part is the headline number)."""

    id: str
    passed: bool
    measured: float
    expected: float
    tolerance: float
    details: dict
    source: str
    seconds: float = 0.0
    plot: Callable | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        """JSON-ready form (non-finite numbers become strings)."""
        def num(v: float) -> float | str:
            return v if math.isfinite(v) else repr(v)

        return {
            "id": self.id, "passed": self.passed, "measured": num(self.measured),
            "expected": num(self.expected), "tolerance": num(self.tolerance),
            "details": _jsonable(self.details), "source": self.source, "seconds": self.seconds,
        }


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):
        return _jsonable(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return repr(obj)
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def result_from_parts(check_id: str, source: str, parts: list[Part], details: dict,
                      plot: Callable | None = None) -> CheckResult:
    """Build a result that passes iff every part passes; the first part is the headline."""
    if not parts:
        raise ValueError("a check needs at least one part")
    head = parts[0]
    details = dict(details)
    details["parts"] = [p.as_dict() for p in parts]
    return CheckResult(check_id, all(p.passed for p in parts), head.measured, head.expected,
                       head.tolerance, details, source, plot=plot)


@dataclass(frozen=True)
class Check:
    """A registered check."""

    id: str
    func: Callable[..., CheckResult]
    source: str
    profiles: tuple[str, ...]
    summary: str


REGISTRY: dict[str, Check] = {}


def check(check_id: str, source: str, profiles: tuple[str, ...] = PROFILES) -> Callable:
    """Register a check function ``f(cfg, **methods) -> CheckResult``."""
    def wrap(func: Callable) -> Callable:
        if check_id in REGISTRY:
            raise ValueError(f"duplicate check id {check_id!r}")
        summary = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else check_id
        REGISTRY[check_id] = Check(check_id, func, source, tuple(profiles), summary)
        return func
    return wrap


def load_all() -> dict[str, Check]:
    """Import every topic's ``checks`` module so that the registry is complete."""
    from verification import topics

    topics.modules("checks")
    return REGISTRY


def select(patterns: Iterable[str] | None, profile: str) -> list[Check]:
    """Checks in ``profile`` whose id equals or starts with one of ``patterns`` (all if None)."""
    checks = [c for c in load_all().values() if profile in c.profiles]
    if not patterns:
        return checks
    patterns = list(patterns)
    chosen = [c for c in checks if any(c.id == p or c.id.startswith(p.rstrip(".") + ".") for p in patterns)]
    unknown = [p for p in patterns if not any(c.id == p or c.id.startswith(p.rstrip(".") + ".")
                                              for c in load_all().values())]
    if unknown:
        raise KeyError(f"no check matches {unknown}; see `activebench list`")
    return chosen


def run_check(chk: Check, cfg: CheckConfig, **methods: Any) -> CheckResult:
    """Run one check, time it, and turn an exception into a failed record."""
    t0 = time.perf_counter()
    try:
        res = chk.func(cfg, **methods)
    except Exception as exc:  # a crashing check is a failed check, with its traceback
        res = CheckResult(chk.id, False, math.nan, math.nan, math.nan,
                          {"error": f"{type(exc).__name__}: {exc}",
                           "traceback": traceback.format_exc(limit=6)}, chk.source)
    res.seconds = round(time.perf_counter() - t0, 3)
    finite = all(math.isfinite(v) for v in (res.measured, res.expected, res.tolerance))
    res.passed = bool(res.passed and finite)
    res.details.setdefault("seed", cfg.seed)
    res.details.setdefault("profile", cfg.profile)
    return res
