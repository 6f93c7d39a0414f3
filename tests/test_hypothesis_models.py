"""Property tests for every model's public entry points: any input works or raises ValueError.

Complements ``test_validation_hypothesis.py`` (two-state walkers, master equation). Each test
feeds arbitrary numbers (nan, inf, negative, zero, huge; floats where ints are expected) to a
constructor or entry point and requires either success or a ``ValueError``; a successful call
on a tiny problem must return finite arrays or flag a blow-up explicitly. Runs use small,
physically ranged parameters where the model has no blow-up flag (an explicit scheme fed
huge but finite coefficients overflows by design; that is not an input-validation matter).
"""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from agents import ks2d_particles as ks2d
from agents import mips
from agents.run_tumble_nd import RunTumbleNDParams, simulate_nd, simulate_nd_numpy
from agents.sipf import SIPFParams, run_sipf, uniform_ball
from continuum import cahn_hilliard as ch
from continuum import keller_segel as ks
from continuum import ks2d_minimal as ksm
from continuum.disc import DiscParams, DiscSolver
from continuum.fokker_planck import FluxFormFPE
from continuum.gradient_flow import GradientFlow1D
from continuum.normal_modes import ModalModel, anneal, geometric_schedule
from continuum.radial_ks3d import RadialKSParams, run_radial

anything = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10))
#: an int-valued argument: mostly small ints, sometimes a float (which must be refused)
int_like = st.one_of(st.integers(-3, 12), st.floats(allow_nan=True, allow_infinity=True))
#: a moderate positive coefficient for runs of models without a blow-up flag
moderate = st.floats(1e-2, 1e2)
#: a time: short (runs stay cheap) or non-finite / negative
short_time = st.one_of(st.floats(-1.0, 2.0), st.sampled_from([math.nan, math.inf, -math.inf, 0.0]))
#: a field value: moderate (a cubic f' of a 1e103 density overflows by design) or non-finite
field_value = st.one_of(st.floats(-10.0, 10.0), st.sampled_from([math.nan, math.inf, -math.inf]))
#: a step safety factor: not tiny (theta = 1e-300 is valid but makes the step count unbounded)
theta_value = st.one_of(st.floats(0.05, 1.0), st.sampled_from([math.nan, math.inf, -1.0, 0.0]))
fast = settings(max_examples=25, deadline=None)
few = settings(max_examples=12, deadline=None)


def _finite(*arrays) -> bool:
    return all(bool(np.all(np.isfinite(np.asarray(a)))) for a in arrays)


# -- agents/mips.py ------------------------------------------------------------------------------
@fast
@given(dim=st.one_of(st.integers(0, 3), st.floats(0, 3)), length=anything, n_cells=int_like,
       m=int_like, rate=anything, rho_max=anything, n_table=int_like, v0=anything)
def test_mips_params_construct_or_raise(dim, length, n_cells, m, rate, rho_max, n_table, v0):
    try:
        p = mips.MipsWalkerParams(dim, length, n_cells + 8 if isinstance(n_cells, int) else n_cells, m,
                                  mips.linear_speed(v0, 2.0), rate, rho_max, n_table)
    except ValueError:
        return
    assert p.dim in (1, 2)
    assert p.cell > 0
    vmax = float(np.max(p.speed_table))
    dt = 0.5 * p.cell / vmax if vmax > 0 else 1.0
    state = mips.initial_state(p, 6, 1)
    try:
        mips.advance(p, state, dt, 2)
    except ValueError:
        return
    assert _finite(state.x, state.e)
    assert np.all((state.x >= 0) & (state.x < p.length))


@fast
@given(n_walkers=int_like, seed=int_like, dt=anything, n_steps=int_like, dim=st.sampled_from([1, 2]))
def test_mips_run_arguments(n_walkers, seed, dt, n_steps, dim):
    p = mips.MipsWalkerParams(dim, 10.0, 16, 1, mips.linear_speed(1.0, 2.0), 1.0, 10.0, 64)
    try:
        state = mips.initial_state(p, n_walkers, seed)
        mips.advance(p, state, dt, n_steps)
    except ValueError:
        return
    assert _finite(state.x)
    twin = mips.initial_state(p, n_walkers, seed)
    mips.advance_numpy(p, twin, dt, n_steps)
    assert np.allclose(twin.x, state.x)


# -- agents/run_tumble_nd.py ---------------------------------------------------------------------
@fast
@given(dim=st.one_of(st.integers(0, 4), st.floats(0, 4)), speed=anything, rate=anything,
       n_walkers=int_like, seed=int_like, times=st.lists(anything, max_size=3))
def test_nd_all_arguments(dim, speed, rate, n_walkers, seed, times):
    try:
        p = RunTumbleNDParams(dim, speed, rate)
        out = simulate_nd(p, n_walkers, times, seed)
    except ValueError:
        return
    assert out.shape == (len(times), n_walkers, p.dim)
    assert _finite(out)


@fast
@given(dt=anything, n_walkers=int_like, t_end=short_time)
def test_nd_numpy_twin_arguments(dt, n_walkers, t_end):
    p = RunTumbleNDParams(3, 1.0, 2.0)
    try:
        out = simulate_nd_numpy(p, n_walkers, [0.0, t_end], dt, 3)
    except ValueError:
        return
    assert _finite(out)


# -- agents/sipf.py ------------------------------------------------------------------------------
@few
@given(mu=anything, chi=anything, eps=anything, k=anything, L=anything, H=int_like, dt=anything,
       mass=anything)
def test_sipf_params_and_tiny_run(mu, chi, eps, k, L, H, dt, mass):
    try:
        p = SIPFParams(mu, chi, eps, k, L, H, dt, mass)
    except ValueError:
        return
    assert math.isfinite(p.beta)
    assert p.H >= 4
    if p.H > 8:
        return
    x0 = uniform_ball(6, radius=p.L / 4, seed=2)
    run = run_sipf(p, x0, 2, seed=1)
    assert _finite(run.positions, run.modes, run.c0, run.cinf)
    assert run.blew_up or run.times.size == 3


@fast
@given(P=st.integers(-2, 20), offset=anything, n_steps=int_like, seed=st.integers(0, 5),
       record=st.lists(st.integers(-2, 5), max_size=3), substeps=int_like)
def test_sipf_run_arguments(P, offset, n_steps, seed, record, substeps):
    p = SIPFParams(H=4, L=4.0, dt=1e-3)
    try:
        x0 = uniform_ball(P, radius=1.0, seed=seed) + offset
        run = run_sipf(p, x0, n_steps, seed=seed, record_steps=record or None, noise_substeps=substeps)
    except ValueError:
        return
    assert n_steps <= 12
    assert _finite(run.positions, run.modes, run.c0, run.cinf)
    assert np.all(np.abs(run.positions) <= p.L / 2)


@fast
@given(n=int_like, radius=anything, center=st.lists(anything, min_size=1, max_size=4), seed=st.integers(0, 9))
def test_uniform_ball_arguments(n, radius, center, seed):
    try:
        x = uniform_ball(n, radius, center, seed)
    except ValueError:
        return
    assert x.shape == (n, 3)
    assert _finite(x)
    assert np.all(np.linalg.norm(x - np.asarray(center), axis=1) <= radius * (1 + 1e-12) + 1e-300)


# -- agents/ks2d_particles.py ----------------------------------------------------------------------
@fast
@given(mass=anything, n_particles=int_like, mu=anything, chi=anything, dt=anything, reg=anything)
def test_ks2d_params_construct_or_raise(mass, n_particles, mu, chi, dt, reg):
    try:
        p = ks2d.KS2DParticleParams(mass, n_particles, mu, chi, dt, reg)
    except ValueError:
        return
    assert p.particle_mass > 0
    assert p.n_particles >= 2


@fast
@given(mass=moderate, n_particles=st.integers(2, 6), mu=moderate, chi=moderate, reg=st.floats(0, 1),
       seed=st.integers(0, 2**40), backend=st.sampled_from(["numba", "numpy"]))
def test_ks2d_tiny_run_is_finite(mass, n_particles, mu, chi, reg, seed, backend):
    p = ks2d.KS2DParticleParams(mass, n_particles, mu, chi, 1e-4, reg)
    x0 = ks2d.gaussian_start(p, 2, seed % 1000)
    out = ks2d.simulate(p, x0, 4, seed=seed, record_every=2, backend=backend)
    assert out.shape == (3, 2, n_particles, 2)
    assert _finite(out)


@fast
@given(shift=anything, n_steps=int_like, seed=int_like, record_every=int_like,
       backend=st.sampled_from(["numba", "numpy", "cuda"]), n_rows=st.integers(0, 5))
def test_ks2d_simulate_arguments(shift, n_steps, seed, record_every, backend, n_rows):
    p = ks2d.KS2DParticleParams(n_particles=4)
    x0 = np.arange(2.0 * n_rows).reshape(n_rows, 2) * 0.3
    x0[0:1] += shift
    try:
        out = ks2d.simulate(p, x0, n_steps, seed=seed, record_every=record_every, backend=backend)
    except ValueError:
        return
    assert out.shape[2:] == (4, 2)
    assert _finite(out)


# -- continuum/cahn_hilliard.py --------------------------------------------------------------------
@fast
@given(length=anything, n=int_like, v0=anything, g_star=anything, mobility=anything, kappa=anything)
def test_cahn_hilliard_params_construct_or_raise(length, n, v0, g_star, mobility, kappa):
    try:
        p = ch.CahnHilliardParams(length, n, v0, g_star, mobility, kappa)
    except ValueError:
        return
    assert _finite(p.coefficients)
    assert math.isfinite(ch.explicit_dt_limit(p, 0.0, 2.0))
    if p.n <= 12:
        g = ch.advance_semi_implicit(ch.initial_field(p, 1.0, 0.01, 1), p, 1e-3, 2)
        assert g.shape == (p.n, p.n)


@fast
@given(g0=field_value, amp=field_value, dt=anything, n_steps=int_like, order=int_like, stab=anything,
       method=st.sampled_from(["numpy", "numba", "semi"]))
def test_cahn_hilliard_run_arguments(g0, amp, dt, n_steps, order, stab, method):
    p = ch.CahnHilliardParams(10.0, 8)
    try:
        g = ch.initial_field(p, g0, amp, 1)
        if method == "numpy":
            out = ch.explicit_step_numpy(g, p, dt, n_steps)
        elif method == "numba":
            out = ch.advance_explicit(g, p, dt, n_steps)
        else:
            out = ch.advance_semi_implicit(g, p, dt, n_steps, stabilization=stab, order=order)
    except ValueError:
        return
    assert n_steps <= 12
    assert _finite(out)


# -- continuum/gradient_flow.py --------------------------------------------------------------------
@fast
@given(length=anything, n=int_like, kappa=anything, alpha=anything)
def test_gradient_flow_construct_or_raise(length, n, kappa, alpha):
    try:
        gf = GradientFlow1D(mips.linear_speed(1.0, 4.0), lambda g: 0.0 * g, length, n, kappa, alpha)
    except ValueError:
        return
    assert gf.dx > 0


@few
@given(level=anything, times=st.lists(short_time, max_size=3), n=st.integers(6, 10))
def test_gradient_flow_solve_arguments(level, times, n):
    gf = GradientFlow1D(lambda g: 1.0 + 0.0 * g, lambda g: 0.0 * g, 10.0, 8, 0.05, 1.0)
    g0 = np.full(n, 1.0)
    g0[0] = level
    try:
        out = gf.solve(g0, times)
    except ValueError:
        return
    assert out.shape == (len(times), 8)
    assert _finite(out)


# -- continuum/keller_segel.py ---------------------------------------------------------------------
@fast
@given(length=anything, n_cells=int_like, d_u=anything, d_v=anything, chi0=anything, decay=anything,
       mode=int_like)
def test_ks1d_params_construct_or_raise(length, n_cells, d_u, d_v, chi0, decay, mode):
    try:
        p = ks.KellerSegel1DParams(length, n_cells + 8 if isinstance(n_cells, int) else n_cells, d_u, d_v, chi0,
                                   decay)
        k = p.wavenumber(mode)
    except ValueError:
        return
    assert math.isfinite(k)


@fast
@given(length=moderate, d_u=moderate, d_v=moderate, chi0=moderate, decay=moderate,
       backend=st.sampled_from(["numba", "numpy"]), flux=st.sampled_from(["upwind", "minmod"]))
def test_ks1d_tiny_runs_are_finite(length, d_u, d_v, chi0, decay, backend, flux):
    p = ks.KellerSegel1DParams(length, 8, d_u, d_v, chi0, decay)
    x = p.x()
    u0 = 1.0 + 0.1 * np.cos(2 * np.pi * x / length)
    v0 = np.ones(8)
    dt = ks.fv_time_step(p, v0)
    rec = ks.fv_run(p, u0, v0, [0.0, 3 * dt], backend=backend, flux=flux)
    assert _finite(rec.u, rec.v)
    seed = ks.seed_scheme_run(p, u0, v0, 3 * dt, 3)
    assert seed.blew_up or _finite(seed.u, seed.v)


@fast
@given(u_level=field_value, times=st.lists(short_time, max_size=3), theta=theta_value, n=st.integers(6, 10),
       backend=st.sampled_from(["numba", "numpy", "gpu"]), flux=st.sampled_from(["upwind", "minmod", "weno"]),
       t_end=short_time, n_steps=int_like)
def test_ks1d_run_arguments(u_level, times, theta, n, backend, flux, t_end, n_steps):
    p = ks.KellerSegel1DParams(10.0, 8, 1.0, 1.0, 1.0, 1.0)
    u0 = np.ones(n)
    u0[0] = u_level
    v0 = np.ones(n)
    try:
        rec = ks.fv_run(p, u0, v0, times, theta, backend, flux)
    except ValueError:
        rec = None
    if rec is not None:
        assert _finite(rec.u, rec.v)
    try:
        seed = ks.seed_scheme_run(p, u0, v0, t_end, n_steps)
    except ValueError:
        return
    assert seed.blew_up or _finite(seed.u, seed.v)


@fast
@given(length=anything, n=int_like, diffusivity=anything, decay=anything, sensitivity=anything)
def test_ks2d_preset_params(length, n, diffusivity, decay, sensitivity):
    try:
        p = ks.KellerSegel2DParams(length, n + 8 if isinstance(n, int) else n, diffusivity, decay, sensitivity)
    except ValueError:
        return
    assert p.dx > 0


@fast
@given(u_level=field_value, t=short_time, theta=theta_value, backend=st.sampled_from(["numba", "numpy", "x"]),
       sensitivity=moderate, decay=moderate)
def test_ks2d_preset_run_arguments(u_level, t, theta, backend, sensitivity, decay):
    p = ks.KellerSegel2DParams(8.0, 8, 1.0, decay, sensitivity)
    u0 = np.ones((8, 8))
    u0[0, 0] = u_level
    v0 = np.full((8, 8), 1.0 / decay)
    try:
        rec = ks.ks2d_run(p, u0, v0, [0.0, t], theta, backend)
    except ValueError:
        return
    assert _finite(rec.u, rec.v)


# -- continuum/ks2d_minimal.py -----------------------------------------------------------------------
@fast
@given(mu=anything, chi=anything, eps=anything, k=anything, L=anything, n=int_like,
       boundary=st.sampled_from(["neumann", "periodic", "x"]), field=st.sampled_from(["box", "free", "y"]))
def test_minimal_ks2d_params_construct_or_raise(mu, chi, eps, k, L, n, boundary, field):
    try:
        p = ksm.MinimalKS2DParams(mu, chi, eps, k, L, n + 8 if isinstance(n, int) else n, boundary, field)
    except ValueError:
        return
    assert p.h > 0
    assert p.field != "free" or (p.eps == 0 and p.k == 0 and p.boundary == "neumann")


@fast
@given(level=field_value, t=short_time, theta=theta_value, backend=st.sampled_from(["numba", "numpy", "x"]),
       chi=st.floats(-20.0, 20.0), eps=st.sampled_from([0.0, 1e-3, 1.0]),
       fraction=st.one_of(st.floats(0.3, 1.0), st.sampled_from([math.nan, 0.0, 2.0])))
def test_minimal_ks2d_run_finishes_finite_or_raises(level, t, theta, backend, chi, eps, fraction):
    p = ksm.MinimalKS2DParams(chi=chi, eps=eps, k=0.5, L=8.0, n=16, boundary="periodic")
    rho0 = ksm.gaussian_bumps(p, [[0.0, 0.0]], [5.0], [1.0])
    rho0[0, 0] = level
    try:
        rec = ksm.run(p, rho0, [0.0, t], theta=theta, backend=backend, blowup_fraction=fraction)
    except ValueError:
        return
    assert _finite(rec.rho, rec.c, rec.final_rho)
    assert rec.min_rho >= 0.0
    assert rec.blew_up or rec.times.size == 2


# -- continuum/disc.py -------------------------------------------------------------------------------
@fast
@given(chi0=anything, D0=anything, f0=anything, nu0=anything, g0=anything, radius=anything, n_cells=int_like,
       sign=anything)
def test_disc_params_and_solver(chi0, D0, f0, nu0, g0, radius, n_cells, sign):
    try:
        p = DiscParams(chi0, D0, f0, nu0, g0, radius)
        solver = DiscSolver(p, n_cells + 8 if isinstance(n_cells, int) else n_cells, sign)
    except ValueError:
        return
    assert math.isfinite(p.a)
    n = solver.grid.n
    rho, c, W = solver.run(np.ones(n), np.ones(n), 1e-3, 2, W_every=1)
    assert _finite(rho, c, W)


@fast
@given(level=anything, dt=anything, n_steps=int_like, W_every=int_like, n=st.integers(7, 9))
def test_disc_run_arguments(level, dt, n_steps, W_every, n):
    solver = DiscSolver(DiscParams(), 8)
    rho0 = np.ones(n)
    rho0[0] = level
    try:
        rho, c, W = solver.run(rho0, np.ones(n), dt, n_steps, W_every)
    except ValueError:
        return
    assert n_steps <= 12
    assert _finite(rho, c, W)


# -- continuum/normal_modes.py -----------------------------------------------------------------------
@fast
@given(q=st.lists(anything, min_size=3, max_size=9), s=anything, rho_const=anything, radius=anything,
       n_mesh=int_like)
def test_modal_model_construct_or_raise(q, s, rho_const, radius, n_mesh):
    m1 = len(q) // 3
    try:
        model = ModalModel(np.array(q[:m1]), np.array(q[m1:2 * m1]), np.array(q[2 * m1:3 * m1]), s, rho_const,
                           radius, n_mesh)
    except ValueError:
        return
    assert model.n_mesh >= 2
    assert math.isfinite(model.W(rho_const, np.zeros(model.m_hat), np.zeros(model.m_hat)))


@fast
@given(temps=st.lists(anything, min_size=0, max_size=3), sweeps=int_like, n_samples=int_like, seed=st.one_of(
    st.integers(-3, 2**32), st.floats()), c0=st.one_of(st.none(), anything), enforce=st.booleans())
def test_anneal_arguments(temps, sweeps, n_samples, seed, c0, enforce):
    model = ModalModel(np.array([1.0, 2.0, 3.0]), np.array([-1.0, -1.0, -1.0]), np.array([2.0, 3.0, 4.0]), 1.0,
                       1.0, 1.0)
    try:
        res = anneal(model, sorted(temps, reverse=True) if all(t == t for t in temps) else temps, sweeps,
                     n_samples, seed, c0, enforce)
    except ValueError:
        return
    assert sweeps <= 12
    assert _finite(res.E, res.G, res.W_history)


def test_anneal_schedule_runs():
    model = ModalModel(np.array([1.0, 2.0]), np.array([-1.0, -1.0]), np.array([2.0, 3.0]), 1.0, 1.0, 1.0)
    res = anneal(model, geometric_schedule(1.0, 2.0, 3), 2, 2, 0)
    assert _finite(res.W)


# -- continuum/radial_ks3d.py ------------------------------------------------------------------------
@fast
@given(mu=anything, chi=anything, eps=anything, k=anything, radius=anything, n_r=int_like, dt=anything,
       mass=anything, ball=anything, blowup_cells=anything)
def test_radial_params_and_tiny_run(mu, chi, eps, k, radius, n_r, dt, mass, ball, blowup_cells):
    try:
        p = RadialKSParams(mu, chi, eps, k, radius, n_r + 16 if isinstance(n_r, int) else n_r, dt, mass, ball,
                           blowup_cells)
        res = run_radial(p, 3 * p.dt, profile_times=(p.dt,))
    except ValueError:
        return
    assert _finite(res.rho0, res.c0, res.c_max, res.mass)
    assert res.blew_up or res.extra["n_steps_done"] == 3
    for rho, c in res.profiles.values():
        assert _finite(rho, c)


@fast
@given(t_end=short_time, profile=st.lists(anything, max_size=3), n_series=int_like,
       backend=st.sampled_from(["numba", "numpy", "fortran"]))
def test_radial_run_arguments(t_end, profile, n_series, backend):
    p = RadialKSParams(n_r=16, dt=0.05, radius=4.0)
    try:
        res = run_radial(p, t_end, profile_times=profile, n_series=n_series, backend=backend)
    except ValueError:
        return
    assert res.extra["n_steps_done"] <= 200
    assert _finite(res.rho0, res.c0, res.mass)


# -- continuum/fokker_planck.py ----------------------------------------------------------------------
@fast
@given(a=st.one_of(moderate, st.sampled_from([math.nan, math.inf, 0.0, -1.0])),
       b=st.one_of(moderate, st.sampled_from([math.nan, math.inf, 0.0, -1.0])),
       c=st.one_of(st.floats(-1.0, 1.0), st.sampled_from([math.nan, math.inf])),
       length=st.one_of(moderate, st.sampled_from([math.nan, math.inf, 0.0, -1.0])), n_cells=int_like,
       boundary=st.sampled_from(["periodic", "reflecting", "open"]))
def test_fokker_planck_construct_and_evolve(a, b, c, length, n_cells, boundary):
    try:
        fpe = FluxFormFPE(lambda x: a + 0 * x, lambda x: b + 0 * x, lambda x: c + 0 * x, length, boundary,
                          n_cells + 8 if isinstance(n_cells, int) else n_cells)
    except ValueError:
        return
    g0 = np.full(fpe.n_cells, 1.0 / fpe.length)
    out = fpe.evolve(g0, [0.0, 0.1])
    assert _finite(*out)


@fast
@given(level=anything, times=st.lists(anything, max_size=3), n=st.integers(7, 9))
def test_fokker_planck_evolve_arguments(level, times, n):
    fpe = FluxFormFPE(lambda x: 1.0 + 0 * x, lambda x: 1.0 + 0 * x, lambda x: 0.1 + 0 * x, 4.0, "reflecting", 8)
    g0 = np.ones(n)
    g0[0] = level
    try:
        out = fpe.evolve(g0, times)
    except ValueError:
        return
    assert len(out) == len(times)
    assert _finite(*out)
