"""activebench in a test suite: :func:`assert_check` for a user's pytest, and the wrong-model registry.

In your own tests::

    from verification.testing import assert_check

    def test_my_sampler_diffusivity():
        assert_check("rt1d.diffusivity", walkers=my_sampler)

fails the test with every part of the check (measured, expected, tolerance and where the
tolerance comes from) when the method disagrees with theory. The keyword is the check's
method keyword (``activebench methods`` lists them with their protocols); the method is
smoke-tested against its protocol first, so a wrong signature or output shape fails with
a message naming the protocol and the expected shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verification.records import DEFAULT_SEED, CheckConfig, CheckResult, load_all, run_check


class CheckFailed(AssertionError):
    """A check ran to its end and reported failure (or crashed)."""


def format_parts(result: CheckResult) -> str:
    """One line per part: verdict, name, measured vs expected ± tolerance, and the tolerance's basis."""
    lines = []
    for p in result.details.get("parts", []):
        verdict = "ok  " if p["passed"] else "FAIL"
        lines.append(f"  [{verdict}] {p['name']}: measured {p['measured']:.6g}, expected {p['expected']:.6g} "
                     f"± {p['tolerance']:.3g} ({p['tolerance_basis']})")
    if "error" in result.details:
        lines.append(f"  raised {result.details['error']}")
    return "\n".join(lines)


def run(check_id: str, profile: str = "quick", seed: int = DEFAULT_SEED, **methods: Callable) -> CheckResult:
    """Run one check with the given methods under test (keyword -> method), after smoke-testing each.

    Raises
    ------
    KeyError
        Unknown check id (the message lists the known ones).
    TypeError
        A keyword the check does not take.
    verification.protocols.MethodMismatch
        A method that does not fulfil its protocol.
    """
    from verification.protocols import all_protocols

    checks = load_all()
    if check_id not in checks:
        raise KeyError(f"unknown check {check_id!r}; known: {', '.join(sorted(checks))}")
    chk = checks[check_id]
    unknown = sorted(set(methods) - set(chk.methods))
    if unknown:
        raise TypeError(f"check {check_id!r} takes no method keyword {unknown}; it takes "
                        + ", ".join(f"{k} ({p})" for k, p in chk.methods.items()))
    protocols = all_protocols()
    for kw, method in methods.items():
        protocols[chk.methods[kw]].validate(method)
    return run_check(chk, CheckConfig(profile=profile, seed=seed), **methods)


def assert_check(check_id: str, profile: str = "quick", seed: int = DEFAULT_SEED, **methods: Callable) -> CheckResult:
    """Run a check on your methods and raise :class:`CheckFailed` (an AssertionError) unless it passes.

    Parameters
    ----------
    check_id : str
        A check id, e.g. ``"rt1d.diffusivity"`` (``activebench list``).
    profile : {"quick", "full"}
    seed : int
        Master seed; the same seed gives the same streams to your method as to ours.
    **methods
        Keyword -> method under test, e.g. ``walkers=my_sampler`` (``activebench methods``).

    Returns
    -------
    CheckResult
        The passing result.
    """
    result = run(check_id, profile, seed, **methods)
    if not result.passed:
        raise CheckFailed(f"{check_id} failed ({result.source}):\n{format_parts(result)}")
    return result


# ----------------------------------------------------------------------------- wrong models
@dataclass(frozen=True)
class WrongModel:
    """A deliberately wrong method for one check: the check must run to its end and report failure.

    Parameters
    ----------
    check : str
        The check id.
    methods : dict
        Keyword -> wrong method.
    why : str
        What is wrong with it (a wrong sign, a wrong factor, a seed's own defect).
    config : CheckConfig
        What the check is run with in the test.
    slow : bool
        Marked ``slow`` in the tests (run with ``-m slow``).
    patches : tuple of (module, attribute, value)
        Module attributes replaced for the run (e.g. a narrower bisection bracket).
    ours_too : bool
        Also run our method in this configuration and require a pass (False where the
        configuration, e.g. a narrowed bracket, says nothing about the real check).
    """

    check: str
    methods: dict[str, Any]
    why: str
    config: CheckConfig = field(default_factory=lambda: CheckConfig("quick", seed=7))
    slow: bool = False
    patches: tuple[tuple[str, str, Any], ...] = ()
    ours_too: bool = True


def wrong_models() -> list[WrongModel]:
    """Every topic's wrong models (``WRONG_MODELS`` of ``verification.<topic>.wrong_models``)."""
    from verification import topics

    return [w for mod in topics.modules("wrong_models") for w in mod.WRONG_MODELS]
