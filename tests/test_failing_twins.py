"""Every check passes on our methods and fails on a deliberately wrong model.

The wrong models are small edits of the right ones (a wrong sign, a wrong factor, the
seed's own defect), fed through the check's method arguments.
"""

from functools import partial

import numpy as np
import pytest

from agents.run_tumble import TwoStateWalkerParams, simulate
from agents.run_tumble_mesa import PerAgentRunTumble, Walker
from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd
from continuum.fokker_planck import FluxFormFPE
from verification.records import REGISTRY, CheckConfig, load_all, run_check
from verification.rt1d import checks as rt1d
from verification.rtnd import checks as rtnd

CFG = CheckConfig("quick", seed=7)
event = partial(simulate, method="event")


def altered(**changes):
    """Walkers simulated with some parameters of the model replaced (a wrong model)."""
    def walkers(params, x0, s0, times, seed):
        fields = {"speed": params.speed, "rate_plus": params.rate_plus, "rate_minus": params.rate_minus}
        for name, f in changes.items():
            fields[name] = f(params)
        wrong = TwoStateWalkerParams(fields["speed"], fields["rate_plus"], fields["rate_minus"],
                                     params.length, params.boundary)
        return event(wrong, x0, s0, times, seed)
    return walkers


def scaled(attr, factor):
    return lambda p: (lambda x: factor * getattr(p, f"{attr}_at")(x))


swap_rates = {"rate_plus": lambda p: p.rate_minus, "rate_minus": lambda p: p.rate_plus}


class StickyWalker(Walker):
    """The seed 001 §4.3 wall defect: reflected position, direction not reversed."""

    def step(self):
        m = self.model
        rate = m.rate_plus(self.x) if self.s > 0 else m.rate_minus(self.x)
        if m.random.random() < -np.expm1(-rate * m.dt):
            self.s = -self.s
        self.x += self.s * m.speed(self.x) * m.dt
        if self.x > m.half_length:
            self.x = 2 * m.half_length - self.x
        elif self.x < -m.half_length:
            self.x = -2 * m.half_length - self.x


class StickyModel(PerAgentRunTumble):
    walker_class = StickyWalker


def seed_half_fpe(A, B, C, length, boundary, n_cells):
    """The effective FPE with the extra 1/2 stated in seed 000 §2.2."""
    return FluxFormFPE(lambda x: 0.5 * A(x), B, C, length, boundary, n_cells)


WRONG = {
    "rt1d.inverse_speed": {"walkers": altered(speed=lambda p: (lambda x: 1.0 / p.speed_at(x)))},
    "rt1d.diffusivity": {"walkers": altered(rate_plus=scaled("rate_plus", 2.0),
                                            rate_minus=scaled("rate_minus", 2.0))},
    "rt1d.two_state_transport": {"walkers": altered(**swap_rates)},
    "rt1d.reflecting_stationary": {"walkers": altered(**swap_rates)},
    "rt1d.chemotactic_drift": {"walkers": altered(**swap_rates)},
    "rt1d.master_equation_transient": {"walkers": altered(speed=scaled("speed", 1.2))},
    "rt1d.fpe_limit": {"fpe": seed_half_fpe},
    "rt1d.mesa_twin": {"twin": partial(rt1d.mesa_twin_run, model_class=StickyModel)},
    "rtnd.diffusivity": {"walkers": lambda params, n, times, seed: simulate_nd(
        RunTumbleNDParams(params.dim, params.speed, 0.5 * params.tumble_rate), n, times, seed)},
}


def test_every_check_has_a_failing_twin():
    """Each registered check appears in the WRONG dict of some tests/test_failing_twins*.py."""
    import importlib.util
    from pathlib import Path

    covered = set()
    for path in sorted(Path(__file__).parent.glob("test_failing_twins*.py")):
        spec = importlib.util.spec_from_file_location(f"_twins_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        covered |= set(mod.WRONG)
    assert covered == set(load_all())


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_check_passes_on_our_model(check_id):
    res = run_check(REGISTRY[check_id], CFG)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details


def test_non_finite_measurement_never_passes():
    def nan_walkers(params, x0, s0, times, seed):
        return np.full((len(times), x0.size), np.nan)

    res = run_check(load_all()["rt1d.chemotactic_drift"], CFG, walkers=nan_walkers)
    assert not res.passed


def test_used_modules_exist():
    assert rtnd.nd_diffusivity is REGISTRY["rtnd.diffusivity"].func
