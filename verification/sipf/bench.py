"""Benchmark workload for [SIPF] (SIPF, 3D parabolic-parabolic Keller-Segel): each goal measured beside its row.

``sipf3d``: the paper's base configuration (Eq. 35, M0 = 80, rho_0 uniform on the unit ball,
P = 1e4, H = 24, dt = 1e-4) and larger P. The result's ``goal_rows`` print each figure next to its
goal (``activebench bench sipf3d``):

* 1000 steps at P = 1e4 (full: 1000 real steps; quick: 5 steps scaled x 200), goal <= 60 s, with the
  pair-field error against the libm direct sum (goal <= 1e-6);
* the pair sum in ns per ordered pair (P (P - 1) of Eq. 31) for every kernel: the default
  (symmetric, tiled, float64), its float32 variant, the per-particle twin, the libm baseline, and the
  default built for 512-bit vectors in a child process (``NUMBA_CPU_FEATURES``, full mode only: it
  compiles afresh), each beside the estimated compute limit of this machine (goal <= 0.5 ns);
* the NUFFTs of one step (type-1 + type-2 of 3 components) in ms at the budget's eps with 1 and 2
  threads, and at the former eps 1e-12 (goal <= 15 ms);
* the fast multipole pair sum (FMM3D, ``agents.sipf.pair_drift_fmm``) against the direct sum: time and
  error at several P, and the crossover P where they cost the same (the automatic switch,
  ``agents.sipf.FMM_MIN_PARTICLES``);
* one step at P = 1e5 (goal <= 2 s) and at P = 1e6 (goal <= 60 s): measured in full mode, estimated in
  quick mode from the measured rates (the scaling is stated in the row).

The paper-literal reference step stays as the baseline row (quick: scaled from a subset).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numba
import numpy as np

from agents import nufft
from agents import sipf as S
from agents import sipf_kernels as K
from verification.sipf.cases import rel_max
from verification.timing import contention, cpu_snapshot, timed

BASE = S.SIPFParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, L=8.0, H=24, dt=1e-4, mass=80.0)
P_BASE = 10_000
#: The goals of issue 14 (units in the names).
GOAL_S_PER_1000_STEPS = 60.0
GOAL_PAIR_ERROR = 1e-6
GOAL_NS_PER_PAIR = 0.5
GOAL_NUFFT_MS = 15.0
GOAL_STEP_1E5_S = 2.0
GOAL_STEP_1E6_S = 60.0
#: The former NUFFT tolerance, timed beside the budget's for the ratio.
FORMER_NUFFT_EPS = 1e-12

# The child process that times the default pair kernel built for 512-bit vectors.
_CHILD_512 = """
import json, sys, time
import numpy as np
from agents import sipf as S
from agents import sipf_kernels as K
p = S.SIPFParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, L=8.0, H=24, dt=1e-4, mass=80.0)
P = int(sys.argv[1])
x = np.ascontiguousarray(S.uniform_ball(P, seed=1).T)
out = {}
for prec in ("float64", "float32"):
    K.pair_drift_symmetric(x[0], x[1], x[2], p.beta, p.mass / P, prec)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        K.pair_drift_symmetric(x[0], x[1], x[2], p.beta, p.mass / P, prec)
        best = min(best, time.perf_counter() - t0)
    out[prec] = best
out["vector_bits"] = K.host_vector_bits()
print(json.dumps(out))
"""


def step_pieces_float32(params: S.SIPFParams, x: np.ndarray, alpha_prev: np.ndarray) -> tuple:
    """The fast step with the float32 pair sum (the opt-in precision of ``agents.sipf.pair_drift_direct``)."""
    return S._step_pieces(params, x, alpha_prev, S.rho_modes_fast,
                          lambda q, y: S.pair_drift_fast(q, y, precision="float32"), S.field_drift_fast)


def _best(fn, repeats: int) -> float:
    return timed(fn, repeats)[0]


def _ns_per_pair(seconds: float, P: int) -> float:
    return 1e9 * seconds / (P * (P - 1))


def _pair_kernel(x: np.ndarray, p: S.SIPFParams, precision: str) -> np.ndarray:
    xt = np.ascontiguousarray(x.T)
    return K.pair_drift_symmetric(xt[0], xt[1], xt[2], p.beta, p.mass / x.shape[0], precision)


def host_features_512() -> str | None:
    """``NUMBA_CPU_FEATURES`` for 512-bit vectors on this host (its features minus the prefer-256-bit tuning).

    None when the host has no AVX-512. The setting must be in the environment before numba is
    imported and applies to every numba function of the process (and its cache key).
    """
    from llvmlite import binding as llvm

    features = llvm.get_host_cpu_features().flatten()
    return f"{features},-prefer-256-bit" if "+avx512f" in features.split(",") else None


def _time_512(P: int) -> dict | None:
    """Best-of-5 seconds of the symmetric kernel built for 512-bit vectors, in a child process (or None)."""
    features = host_features_512()
    if features is None:
        return None
    with tempfile.TemporaryDirectory(prefix="activebench-numba512-") as cache:
        env = dict(os.environ, NUMBA_CPU_FEATURES=features, NUMBA_CACHE_DIR=cache)
        proc = subprocess.run([sys.executable, "-c", _CHILD_512, str(P)], env=env, capture_output=True, text=True,
                              timeout=1800, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _nufft_ms(p: S.SIPFParams, x: np.ndarray, alpha: np.ndarray, eps: float, threads: int, repeats: int) -> float:
    th = np.ascontiguousarray((2 * np.pi / p.L) * x.T)
    n = p.H + 1
    w = np.full(x.shape[0], p.mass / (x.shape[0] * p.L**3), dtype=complex)
    f = np.ascontiguousarray(S.quadrature_symbol(p) * alpha[None])
    nufft.type1(th, w, (n, n, n), eps, nthreads=threads)  # plan made outside the timing (reused by the step)
    nufft.type2(th, f, eps, nthreads=threads)
    t1 = _best(lambda: nufft.type1(th, w, (n, n, n), eps, nthreads=threads), repeats)
    t2 = _best(lambda: nufft.type2(th, f, eps, nthreads=threads), repeats)
    return 1e3 * (t1 + t2)


def _crossover(sizes: tuple[int, ...], repeats: int) -> tuple[list[dict], float]:
    """Direct vs FMM pair sums at each P: times, FMM error; the crossover from the largest P's rates."""
    out = []
    for P in sizes:
        x = S.uniform_ball(P, seed=5)
        S.pair_drift_direct(BASE, x[:64])  # compiled already; keeps the first timing honest
        t_dir, _, v_dir = timed(lambda x=x: S.pair_drift_direct(BASE, x), repeats)
        t_fmm, _, v_fmm = timed(lambda x=x: S.pair_drift_fmm(BASE, x), repeats)
        err = rel_max(v_fmm, v_dir)
        out.append({"P": P, "direct_s": t_dir, "fmm_s": t_fmm, "fmm_error": err})
    last = out[-1]
    per_pair = last["direct_s"] / (last["P"] * (last["P"] - 1))
    per_particle = last["fmm_s"] / last["P"]
    return out, per_particle / per_pair  # direct P^2 a = FMM P b  <=>  P = b / a


def sipf3d(quick: bool = False) -> dict:
    """Time the SIPF step and its pieces at the paper's base configuration, and larger P; goals beside rows."""
    t_begin, snap0 = time.perf_counter(), cpu_snapshot()
    p, P = BASE, P_BASE
    x = S.uniform_ball(P, seed=1)
    st = S.SIPFState(p, x, seed=2)
    for _ in range(2):  # warm-up: numba compile/load, NUFFT plans, cached quadrature symbol
        st.advance()
    n_steps = 5 if quick else 1000
    t0 = time.perf_counter()
    for _ in range(n_steps):
        st.advance()
    t_step = (time.perf_counter() - t0) / n_steps
    per1000 = 1000 * t_step
    st32 = S.SIPFState(p, x, seed=2, method=step_pieces_float32)
    for _ in range(2):
        st32.advance()
    n32 = 5 if quick else 200
    t0 = time.perf_counter()
    for _ in range(n32):
        st32.advance()
    per1000_f32 = 1000 * (time.perf_counter() - t0) / n32
    xs, al = st.x, st.alpha
    rep = 3 if quick else 5

    # pieces of the step as the step runs them
    t_t1 = _best(lambda: S.rho_modes_fast(p, xs), rep)
    t_t2 = _best(lambda: S.field_drift_fast(p, xs, al), rep)
    t_pair, _, v_fast = timed(lambda: S.pair_drift_fast(p, xs), rep)
    rest = t_step - t_t1 - t_t2 - t_pair

    # pair kernels
    xt = np.ascontiguousarray(xs.T)
    _pair_kernel(xs, p, "float32")  # compile (or load) the float32 specialization
    t_f32, _, v_f32 = timed(lambda: _pair_kernel(xs, p, "float32"), rep)
    t_twin = _best(lambda: K.pair_drift(xt[0], xt[1], xt[2], p.beta, p.mass / P), 2 if quick else 3)
    t_libm = _best(lambda: K.pair_drift_libm(xt[0], xt[1], xt[2], p.beta, p.mass / P), 1)
    v_libm = K.pair_drift_libm(xt[0], xt[1], xt[2], p.beta, p.mass / P)
    pair_err = rel_max(v_fast, v_libm)
    f32_err = rel_max(v_f32, v_libm)
    sub = np.arange(0, P, 50)  # numpy reference on a subset of targets, all sources
    d = xs[sub, None, :] - xs[None, :, :]
    r = np.linalg.norm(d, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (1 + p.beta * r) * np.exp(-p.beta * r) / (4 * np.pi * r**3)
    f[r == 0] = 0.0
    pair_err_np = rel_max(v_fast[sub], np.einsum("pq,pqd->pd", f, d) * (p.mass / P))
    threads = numba.get_num_threads()
    bits = K.host_vector_bits()
    ghz = K.measure_core_ghz()
    beta_d = p.beta * K.pair_distance_bound(xt[0], xt[1], xt[2])

    def limit(prec: str, vbits: int) -> float:
        return K.pair_ops_limit_ns(prec, vbits, threads, ghz=ghz, squarings=K.exp_squarings(beta_d, prec))

    lim64, lim32 = limit("float64", bits), limit("float32", bits)
    wide = None if quick else _time_512(P)

    # NUFFTs: the budget's eps at 1 and 2 threads, and the former eps
    nufft_threads = nufft.threads_for(P)
    ms_1 = _nufft_ms(p, xs, al, S.NUFFT_EPS, 1, rep)
    ms_2 = _nufft_ms(p, xs, al, S.NUFFT_EPS, 2, rep)
    ms_old = _nufft_ms(p, xs, al, FORMER_NUFFT_EPS, 1, rep)
    ms_step = 1e3 * (t_t1 + t_t2)

    tracemalloc.start()
    S.step_pieces_fast(p, xs, al)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # reference path
    if quick:
        Ps = 500
        xsub = xs[:Ps]
        t_rho = _best(lambda: S.rho_modes_reference(p, xsub), 1) * P / Ps
        t_quad = _best(lambda: S.field_drift_reference(p, xsub, al), 1) * P / Ps
        t_pnp = _best(lambda: S.pair_drift_reference(p, xsub), 1) * (P / Ps) ** 2
        t_ref = t_rho + t_quad + t_pnp
        ref_note = (f"scaled from P = {Ps}: mode sums {t_rho:.3g} s (x P), per-particle iFFT quadrature "
                    f"{t_quad:.3g} s (x P), numpy pair sum {t_pnp:.3g} s (x P^2)")
    else:
        t_ref = _best(lambda: S.step_pieces_reference(p, xs, al), 1)
        ref_note = "one real reference step at P = 1e4"

    # FMM against the direct sum; crossover
    sizes = (10_000,) if quick else (30_000, 100_000, 200_000)
    cross, p_star = _crossover(sizes, 1 if quick or len(sizes) > 1 else 2)

    # P = 1e5 and 1e6: one step
    fmm_per_particle = cross[-1]["fmm_s"] / cross[-1]["P"]
    direct_per_pair = cross[-1]["direct_s"] / (cross[-1]["P"] * (cross[-1]["P"] - 1))
    big = {}
    for Pb in (100_000, 1_000_000):
        method = "fmm" if Pb >= S.FMM_MIN_PARTICLES else "direct"
        if quick:
            pair_s = fmm_per_particle * Pb if method == "fmm" else direct_per_pair * Pb * (Pb - 1)
            big[Pb] = {"seconds": pair_s + (t_step - t_pair) * Pb / P, "method": method,
                       "how": (f"estimated: {'FMM s/particle' if method == 'fmm' else 'direct s/pair'} at "
                               f"P = {cross[-1]['P']:.0e} x P{'' if method == 'fmm' else '^2'}, the rest of the "
                               "P = 1e4 step x P / 1e4")}
        else:
            stb = S.SIPFState(p, S.uniform_ball(Pb, seed=3), seed=4)
            t_first = _best(stb.advance, 1)  # includes the NUFFT plans for this P (made once per run)
            big[Pb] = {"seconds": t_first, "method": method, "how": "one step measured (the run's first)"}
            if Pb <= 100_000:
                big[Pb]["seconds"] = _best(stb.advance, 1)
                big[Pb]["how"] = "one step measured after a first step"

    ns_pair = _ns_per_pair(t_pair, P)
    rows = [
        {"name": "fast step (P=1e4, H=24)", "seconds": t_step, "ratio": None,
         "notes": f"{per1000:.3g} s per 1000 steps; mean of {n_steps} steps after 2 warm-up steps"},
        {"name": "  type-1 NUFFT (rho modes)", "seconds": t_t1, "ratio": t_t1 / t_step,
         "notes": f"eps {S.NUFFT_EPS:g}, 1 thread, plan reused"},
        {"name": "  type-2 NUFFT (3 gradient comps)", "seconds": t_t2, "ratio": t_t2 / t_step,
         "notes": f"eps {S.NUFFT_EPS:g}, one call of n_trans = 3, {nufft_threads} thread(s)"},
        {"name": "  pair sum (symmetric tiled, float64)", "seconds": t_pair, "ratio": t_pair / t_step,
         "notes": f"{threads} numba threads, {bits}-bit vectors, {ns_pair:.3g} ns/pair"},
        {"name": "  rest (field update, c_inf, noise, clip)", "seconds": rest, "ratio": rest / t_step, "notes": ""},
        {"name": "pair sum, float32 (hi+lo positions)", "seconds": t_f32, "ratio": t_f32 / t_pair,
         "notes": f"{_ns_per_pair(t_f32, P):.3g} ns/pair, error {f32_err:.2g}; ratio = float32 / float64"},
        {"name": "pair sum, per-particle twin", "seconds": t_twin, "ratio": t_twin / t_pair,
         "notes": f"{_ns_per_pair(t_twin, P):.3g} ns/pair (every ordered pair, sqrt + division)"},
        {"name": "pair sum, libm exp (baseline)", "seconds": t_libm, "ratio": t_libm / t_pair,
         "notes": f"{_ns_per_pair(t_libm, P):.3g} ns/pair; ratio = libm / default"},
        {"name": "reference step (paper literal)", "seconds": t_ref, "ratio": t_ref / t_step,
         "notes": ref_note + "; ratio = reference / fast"},
    ]
    for c in cross:
        rows.append({"name": f"pair sum P={c['P']:.0e}: direct / FMM", "seconds": c["direct_s"],
                     "ratio": c["direct_s"] / c["fmm_s"],
                     "notes": f"FMM {c['fmm_s']:.3g} s (eps {S.FMM_EPS:g}, one thread), error vs direct "
                              f"{c['fmm_error']:.2g}; ratio = direct / FMM"})
    for Pb, b in big.items():
        rows.append({"name": f"fast step P={Pb:.0e}", "seconds": b["seconds"], "ratio": None,
                     "notes": f"pair sum by {b['method']}; {b['how']}"})
    n_part = {f"fast step P={Pb:.0e}": Pb for Pb in big}
    for row in rows:  # particle-steps per second (pieces: particles per second of that piece)
        row["steps_per_second"] = n_part.get(row["name"], P) / row["seconds"] if row["seconds"] > 0 else 0.0

    goal_rows = [
        {"name": "1000 steps, P = 1e4, H = 24", "measured": f"{per1000:.3g} s",
         "goal": f"<= {GOAL_S_PER_1000_STEPS:g} s", "met": per1000 <= GOAL_S_PER_1000_STEPS,
         "notes": f"{'1000 real steps' if not quick else f'{n_steps} steps x {1000 // n_steps}'}; paper: 284 s on "
                  "one RTX 2070"},
        {"name": "1000 steps, float32 pair sum", "measured": f"{per1000_f32:.3g} s",
         "goal": f"<= {GOAL_S_PER_1000_STEPS:g} s", "met": per1000_f32 <= GOAL_S_PER_1000_STEPS,
         "notes": f"{n32} steps x {1000 / n32:g} after 2 warm-up steps; pair error in the row 'pair sum, float32'"},
        {"name": "pair-field error vs libm direct sum", "measured": f"{pair_err:.2g}",
         "goal": f"<= {GOAL_PAIR_ERROR:g}", "met": pair_err <= GOAL_PAIR_ERROR,
         "notes": f"max|dv| / max|v| over all particles; vs numpy on {sub.size} targets {pair_err_np:.2g}"},
        {"name": "pair sum, float64 (the step's)", "measured": f"{ns_pair:.3g} ns/pair",
         "goal": f"<= {GOAL_NS_PER_PAIR:g} ns/pair", "met": ns_pair <= GOAL_NS_PER_PAIR,
         "notes": f"estimated compute limit {lim64:.2g} ns/pair ({threads} cores at the measured {ghz:.2g} GHz, "
                  f"{bits}-bit vectors, 2 FP ports, {K.PAIR_OPS['float64']} ops + squarings per pair)"},
        {"name": "pair sum, float32", "measured": f"{_ns_per_pair(t_f32, P):.3g} ns/pair",
         "goal": f"<= {GOAL_NS_PER_PAIR:g} ns/pair", "met": _ns_per_pair(t_f32, P) <= GOAL_NS_PER_PAIR,
         "notes": f"error {f32_err:.2g} (budget {GOAL_PAIR_ERROR:g}); estimated limit {lim32:.2g} ns/pair"},
    ]
    if wide is not None and "error" not in wide:
        for prec in ("float64", "float32"):
            ns = _ns_per_pair(wide[prec], P)
            goal_rows.append({"name": f"pair sum, {prec}, 512-bit build", "measured": f"{ns:.3g} ns/pair",
                              "goal": f"<= {GOAL_NS_PER_PAIR:g} ns/pair", "met": ns <= GOAL_NS_PER_PAIR,
                              "notes": f"child process with NUMBA_CPU_FEATURES (-prefer-256-bit), compiled "
                                       f"{wide['vector_bits']}-bit; estimated limit "
                                       f"{limit(prec, 512):.2g} ns/pair"})
    else:
        goal_rows.append({"name": "pair sum, 512-bit build", "measured": "not run", "goal": None, "met": None,
                          "notes": "quick mode (it compiles afresh in a child process)" if quick else
                                   f"not available here: {wide}"})
    goal_rows += [
        {"name": f"NUFFTs per step (type-2 on {nufft_threads} thr.)", "measured": f"{ms_step:.3g} ms",
         "goal": f"<= {GOAL_NUFFT_MS:g} ms", "met": ms_step <= GOAL_NUFFT_MS,
         "notes": f"type-1 {1e3 * t_t1:.3g} ms (one thread: its sums depend on the thread count) + type-2 "
                  f"{1e3 * t_t2:.3g} ms at eps {S.NUFFT_EPS:g}"},
        {"name": "NUFFTs, 1 thread / 2 threads", "measured": f"{ms_1:.3g} / {ms_2:.3g} ms",
         "goal": f"<= {GOAL_NUFFT_MS:g} ms", "met": min(ms_1, ms_2) <= GOAL_NUFFT_MS,
         "notes": f"former eps {FORMER_NUFFT_EPS:g}: {ms_old:.3g} ms (1 thread)"},
        {"name": "FMM crossover (direct = FMM)", "measured": f"P ~ {p_star:.3g}", "goal": None, "met": None,
         "notes": f"from the rates at P = {cross[-1]['P']:.0e}; automatic switch at "
                  f"FMM_MIN_PARTICLES = {S.FMM_MIN_PARTICLES:.3g}; FMM errors "
                  + ", ".join(f"{c['fmm_error']:.1g}" for c in cross)},
    ]
    for Pb, goal in ((100_000, GOAL_STEP_1E5_S), (1_000_000, GOAL_STEP_1E6_S)):
        b = big[Pb]
        goal_rows.append({"name": f"one step, P = {Pb:.0e}", "measured": f"{b['seconds']:.3g} s",
                          "goal": f"<= {goal:g} s", "met": b["seconds"] <= goal,
                          "notes": f"{b['method']} pair sum; {b['how']}"})
    return {"workload": "sipf3d",
            "description": "SIPF step, [SIPF] Eq. (35), M0 = 80, P = 1e4, H = 24, dt = 1e-4; and P = 1e5, 1e6",
            "config": {"timing": "mean of steps after warm-up; pieces best of repeats", "quick": quick,
                       "numba_threads": threads, "nufft_threads": nufft_threads, "vector_bits": bits,
                       "cpu_count": os.cpu_count(), "load_average": os.getloadavg(),
                       "seconds": time.perf_counter() - t_begin,
                       "cpu_contention": contention(snap0, cpu_snapshot())},
            "rows": rows, "goal_rows": goal_rows,
            "ratios": {"reference / fast": t_ref / t_step, "libm / default pair sum": t_libm / t_pair,
                       "per-particle twin / default pair sum": t_twin / t_pair,
                       "pair sum share of a step": t_pair / t_step,
                       f"NUFFT eps {FORMER_NUFFT_EPS:g} / eps {S.NUFFT_EPS:g}": ms_old / ms_1},
            "crossover": {"sizes": cross, "P_star": p_star},
            "notes": [f"peak memory of a fast step: tracemalloc {peak / 2**20:.1f} MiB (numpy; finufft's C buffers "
                      f"not traced), process ru_maxrss {maxrss_mb:.0f} MiB",
                      "ns per pair divide by the P (P - 1) ordered pairs of Eq. (31), whatever the kernel evaluates "
                      "(the symmetric kernel evaluates each unordered pair once)"]}


WORKLOADS = {"sipf3d": sipf3d}
