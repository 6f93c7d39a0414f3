"""Check records, the check registry, profiles, seeds and the check context.

A check is a function ``f(ctx: CheckContext, **methods) -> CheckResult`` registered with
:func:`check`, which states the check's id, its source (a reference key, see
:mod:`verification.refs`) and the method protocols it accepts, once. Inside the check,
``ctx`` gives the profile (``ctx.pick``), the sub-seeds (``ctx.seed``) and builds the
result (``ctx.result``) with that id and source.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verification.random_streams import derive_seed

PROFILES = ("quick", "full")

#: The master seed of every run unless a user gives another (``activebench run --seed``).
DEFAULT_SEED = 20261123
SEED_LIMIT = 2**63


def validate_seed(seed: object, name: str = "seed") -> int:
    """Return ``seed`` if it is an int in [0, 2**63); raise ValueError naming ``name`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"{name} must be an int in [0, 2**63), got {seed!r}")
    return seed


@dataclass(frozen=True)
class CheckConfig:
    """What a check is run with.

    Parameters
    ----------
    profile : {"quick", "full"}
        "quick" sizes keep the default run in minutes on 2 cores; "full" uses larger ones.
    seed : int
        Master seed (>= 0); checks derive their own streams from it.
    work_dir : str or Path, optional
        Folder where checks that run sweeps keep them (:meth:`CheckContext.sweep_folder`), so that a
        re-run with the same seed resumes them; None (default) uses temporary folders.
    """

    profile: str = "quick"
    seed: int = DEFAULT_SEED
    work_dir: str | Path | None = None

    def __post_init__(self) -> None:
        """Validate the profile and the seed."""
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}, got {self.profile!r}")
        validate_seed(self.seed)

    def pick(self, quick: Any, full: Any) -> Any:
        """Return ``quick`` or ``full`` by profile."""
        return quick if self.profile == "quick" else full


RELATIONS = (">", ">=", "<", "<=")


def relation_margin(measured: float, expected: float, tolerance: float, relation: str) -> float:
    """Signed distance of ``measured`` from a one-sided part's threshold, positive on the passing side.

    The threshold is expected + tolerance for ``">"`` and ``"<="``, expected - tolerance for ``">="``
    and ``"<"`` (see :class:`Part`); a strict relation passes when the margin is > 0, a non-strict one
    when it is >= 0.
    """
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {sorted(RELATIONS)} or '', got {relation!r}")
    bound = expected + tolerance if relation in (">", "<=") else expected - tolerance
    return measured - bound if relation in (">", ">=") else bound - measured


@dataclass
class Part:
    """One compared quantity inside a check.

    ``tolerance_basis`` says where the tolerance comes from (standard errors,
    a distribution quantile, or a discretization bound).

    The verdict is two-sided, |measured - expected| <= tolerance, unless ``relation`` names a
    one-sided criterion: ``">"`` measured > expected + tolerance (beyond by more than the
    tolerance), ``">="`` measured >= expected - tolerance (not below by more than it), and
    ``"<"`` / ``"<="`` the mirror images. A ``passed`` given by the check is a further
    condition (both must hold); without ``relation`` it replaces the two-sided rule and the
    criterion is the one ``tolerance_basis`` states.
    """

    name: str
    measured: float
    expected: float
    tolerance: float
    tolerance_basis: str
    passed: bool | None = None
    relation: str = ""

    def __post_init__(self) -> None:
        """Decide the verdict: finite numbers within tolerance (or on the side ``relation`` names)."""
        finite = all(math.isfinite(float(v)) for v in (self.measured, self.expected, self.tolerance))
        m, e, t = float(self.measured), float(self.expected), float(self.tolerance)
        if self.relation:
            margin = relation_margin(m, e, t, self.relation)
            rule = margin > 0 if self.relation in (">", "<") else margin >= 0
        else:
            rule = abs(m - e) <= t if self.passed is None else True
        self.passed = bool(finite and rule and (self.passed is None or self.passed))
        self.measured, self.expected, self.tolerance = m, e, t

    @property
    def criterion(self) -> str:
        """The pass rule in symbols, e.g. ``|m - e| <= 0.01`` or ``m > 0``."""
        if not self.relation:
            return f"|m - e| <= {self.tolerance:.4g}"
        sign = "+" if self.relation in (">", "<=") else "-"
        shift = f" {sign} {self.tolerance:.4g}" if self.tolerance > 0 else ""
        return f"m {self.relation} {self.expected:.4g}{shift}"

    def as_dict(self) -> dict:
        """JSON-ready form (``relation`` only for a one-sided part)."""
        out = {k: getattr(self, k) for k in ("name", "measured", "expected", "tolerance",
                                              "tolerance_basis", "passed")}
        if self.relation:
            out["relation"] = self.relation
            out["criterion"] = self.criterion
        return out


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
    """A registered check.

    ``methods`` maps each keyword the check takes a method under test through to the
    qualified name of its protocol (see :mod:`verification.protocols`). ``unit`` is the unit of
    the headline quantity (the first part's measured value), e.g. ``"KS distance"`` or
    ``"order (fitted exponent)"``; asv labels the check's accuracy track with it.
    """

    id: str
    func: Callable[..., CheckResult]
    source: str
    profiles: tuple[str, ...]
    summary: str
    methods: dict[str, str] = field(default_factory=dict)
    unit: str = ""

    def keywords_for(self, protocol: str) -> list[str]:
        """The keywords through which this check takes a method of ``protocol``."""
        return [k for k, p in self.methods.items() if p == protocol]


class CheckContext:
    """What a running check knows about itself: its id, source, profile and seeds.

    Parameters
    ----------
    check : Check
        The registered check.
    config : CheckConfig
        Profile and master seed of the run.
    """

    def __init__(self, check: Check, config: CheckConfig) -> None:
        self.check = check
        self.config = config

    @property
    def id(self) -> str:
        """The check's id."""
        return self.check.id

    @property
    def source(self) -> str:
        """The check's source (reference key and location)."""
        return self.check.source

    @property
    def profile(self) -> str:
        """``"quick"`` or ``"full"``."""
        return self.config.profile

    def pick(self, quick: Any, full: Any) -> Any:
        """Return ``quick`` or ``full`` by profile."""
        return self.config.pick(quick, full)

    def seed(self, *keys: int | str) -> int:
        """A seed for one stream of this check: :func:`derive_seed` of (check id, *keys)."""
        return derive_seed(self.config.seed, self.check.id, *keys)

    def shared_seed(self, *keys: int | str) -> int:
        """A seed shared by the checks of a topic (e.g. the same initial particles): ``derive_seed(*keys)``."""
        return derive_seed(self.config.seed, *keys)

    @contextlib.contextmanager
    def sweep_folder(self, name: str, params: dict) -> Iterator[Path]:
        """The output folder of sweep ``name`` run with ``params`` inside this check.

        With ``work_dir`` (``activebench run --work DIR``) it is ``DIR/<check id>/<name>-<digest of params>``
        and is kept, so a re-run with the same parameters and seed reuses the runs already stored there
        (:func:`verification.sweep.run_sweep` resumes); without, a temporary folder removed afterwards.
        """
        if self.config.work_dir is None:
            with tempfile.TemporaryDirectory(prefix=f"activebench-{name}-") as out:
                yield Path(out)
            return
        digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]
        folder = Path(self.config.work_dir) / self.check.id / f"{name}-{digest}"
        folder.mkdir(parents=True, exist_ok=True)
        yield folder

    def result(self, parts: list[Part], details: dict, plot: Callable | None = None) -> CheckResult:
        """The check's record: passes iff every part passes; the first part is the headline."""
        return result_from_parts(self.check.id, self.check.source, parts, details, plot)


REGISTRY: dict[str, Check] = {}


def check(check_id: str, source: str, profiles: tuple[str, ...] = PROFILES,
          methods: dict[str, str] | None = None, unit: str = "") -> Callable:
    """Register a check function ``f(ctx: CheckContext, **methods) -> CheckResult``.

    Parameters
    ----------
    check_id : str
        Unique id, ``topic.name``.
    source : str
        What the check verifies, cited by reference key (:func:`verification.refs.cite`).
    profiles : tuple of str
        Profiles the check runs in.
    methods : dict, optional
        Keyword of ``f`` -> qualified protocol name, for every method under test it accepts.
    unit : str
        Unit of the headline quantity (the first part's measured value), e.g. ``"KS distance"``,
        ``"length^2/time"``, ``"order (fitted exponent)"``; every registered check states one.
    """
    def wrap(func: Callable) -> Callable:
        import inspect

        if check_id in REGISTRY:
            raise ValueError(f"duplicate check id {check_id!r}")
        params = inspect.signature(func).parameters
        declared = dict(methods or {})
        missing = [k for k in declared if k not in params]
        undeclared = [k for k in list(params)[1:] if k not in declared]
        if missing or undeclared:
            raise ValueError(f"check {check_id!r}: methods {sorted(methods)} must be exactly the keywords after "
                             f"the context; not in the signature {missing}, not declared {undeclared}")
        summary = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else check_id
        REGISTRY[check_id] = Check(check_id, func, source, tuple(profiles), summary, declared, unit)
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
    """Run one check, time it, and turn an exception into a failed record.

    ``methods`` are keyword -> method under test (keywords of ``chk.methods``).
    """
    unknown = sorted(set(methods) - set(chk.methods))
    if unknown:
        raise TypeError(f"check {chk.id!r} takes no method keyword {unknown}; it takes {sorted(chk.methods)}")
    t0 = time.perf_counter()
    try:
        res = chk.func(CheckContext(chk, cfg), **methods)
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
