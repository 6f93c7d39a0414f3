"""Check records: a part, and so a check, never passes on non-finite numbers."""

import math

import pytest

from verification.records import Part, result_from_parts


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("field", ["measured", "expected", "tolerance"])
@pytest.mark.parametrize("forced", [None, True])
def test_non_finite_part_never_passes(bad, field, forced):
    values = {"measured": 1.0, "expected": 1.0, "tolerance": 0.1, field: bad}
    part = Part("x", tolerance_basis="test", passed=forced, **values)
    assert part.passed is False
    res = result_from_parts("id", "src", [Part("ok", 1.0, 1.0, 0.1, "test"), part], {})
    assert res.passed is False


def test_finite_part_within_tolerance_passes_and_outside_fails():
    assert Part("x", 1.05, 1.0, 0.1, "test").passed
    assert not Part("x", 1.2, 1.0, 0.1, "test").passed
    assert not Part("x", 1.05, 1.0, 0.1, "test", passed=False).passed
