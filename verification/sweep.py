"""Sweep runner: many independent runs on any ``concurrent.futures.Executor``.

A :class:`Sweep` is a named parameter set (JSON values, overridable) and a ``plan``
function that, given the parameters and the results finished so far, returns the
tasks the sweep needs. A grid sweep returns all its tasks at once; an adaptive sweep
(a bisection) returns the next round. The runner submits every planned task that has
no result yet, writes each result to its own file as it arrives, and asks the plan
again until every planned task has a result.

Executors: a local process pool by default (``spawn`` start method: numba's thread pool
and Mesa's import both rule out ``fork``), or a dask.distributed cluster given its
scheduler address (:func:`executor`). Results travel back to the driver, which writes
them, so workers need no shared filesystem.

Output folder::

    OUT/sweep.json            name and parameters (a rerun with other parameters is refused)
    OUT/tasks/KEY.json        one file per finished task, written atomically (temp file + rename)
    OUT/summary.json, .txt    the summary table, rewritten after every round
    OUT/sweep.png             the sweep's figure

Rerunning with the same ``OUT`` resumes: finished tasks are read back, never recomputed.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import multiprocessing
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from verification import __version__
from verification.report import atomic_write_text

FORMAT = 1  # version of the on-disk layout


@dataclass(frozen=True)
class Task:
    """One independent run.

    Parameters
    ----------
    key : str
        Unique within the sweep; used as the file name (letters, digits, ``._=-+``).
    fn : str
        ``"module:function"`` importable on every worker; called as ``fn(**kwargs)`` and
        returns a JSON-serialisable dict.
    kwargs : dict
        JSON-serialisable arguments.
    """

    key: str
    fn: str
    kwargs: dict

    def __post_init__(self) -> None:
        """Refuse keys that are not safe file names."""
        ok = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._=-+")
        if not self.key or not set(self.key) <= ok or self.key.startswith("."):
            raise ValueError(f"task key must be a non-empty file-safe name ([A-Za-z0-9._=+-]), got {self.key!r}")


@dataclass(frozen=True)
class Sweep:
    """A built-in sweep.

    Parameters
    ----------
    name : str
        CLI name.
    summary : str
        One line for ``activebench sweep --list``.
    source : str
        Seed section the sweep reproduces.
    defaults : dict
        Parameters (JSON values); a sweep file or ``--set`` may override them.
    plan : callable
        ``plan(params, results) -> list[Task]``: every task the sweep needs given the results
        so far (``results`` maps key -> the task function's returned dict).
    summarize : callable
        ``summarize(params, results) -> (header, rows)`` for the summary table.
    plot : callable, optional
        ``plot(fig, params, results)`` draws the sweep's figure.
    validate : callable, optional
        ``validate(params)`` raises ValueError naming a bad parameter.
    """

    name: str
    summary: str
    source: str
    defaults: dict
    plan: Callable[[dict, dict], list[Task]]
    summarize: Callable[[dict, dict], tuple[list[str], list[list]]]
    plot: Callable | None = None
    validate: Callable[[dict], None] | None = None


class SweepMismatch(ValueError):
    """The output folder holds a sweep with other parameters."""


@dataclass
class Outcome:
    """What :func:`run_sweep` did."""

    results: dict
    computed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    rounds: int = 0
    pool_restarts: int = 0
    seconds: float = 0.0


# ----------------------------------------------------------------------------- registry
def all_sweeps() -> dict[str, Sweep]:
    """Every built-in sweep (the ``SWEEPS`` lists of ``verification.<topic>.sweeps``)."""
    from verification import topics

    found: dict[str, Sweep] = {}
    for mod in topics.modules("sweeps"):
        for sw in mod.SWEEPS:
            if sw.name in found:
                raise RuntimeError(f"duplicate sweep name {sw.name!r}")
            found[sw.name] = sw
    return found


def resolve_params(sweep: Sweep, overrides: dict) -> dict:
    """Defaults updated with ``overrides``; unknown names and wrong types are refused."""
    params = json.loads(json.dumps(sweep.defaults))
    for k, v in overrides.items():
        if k not in params:
            raise ValueError(f"sweep {sweep.name!r} has no parameter {k!r}; parameters: {sorted(params)}")
        want = type(params[k])
        if want is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, want) or (want is int and isinstance(v, bool)):
            raise ValueError(f"sweep parameter {k!r} must be {want.__name__} (default {params[k]!r}), got {v!r}")
        params[k] = v
    if sweep.validate is not None:
        sweep.validate(params)
    return params


def load_spec(name_or_file: str) -> tuple[Sweep, dict]:
    """A built-in name, or a TOML/JSON file ``{sweep = NAME, [params] ...}``: (sweep, overrides)."""
    sweeps = all_sweeps()
    if name_or_file in sweeps:
        return sweeps[name_or_file], {}
    path = Path(name_or_file)
    if not path.is_file():
        raise ValueError(f"{name_or_file!r} is neither a built-in sweep ({', '.join(sorted(sweeps))}) nor a file")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".json":
            spec = json.loads(text)
        else:
            import tomllib

            spec = tomllib.loads(text)
    except ValueError as exc:
        raise ValueError(f"cannot parse sweep file {path}: {exc}") from None
    if not isinstance(spec, dict) or spec.get("sweep") not in sweeps:
        raise ValueError(f"sweep file {path} must name a built-in sweep as sweep = NAME ({', '.join(sorted(sweeps))})")
    extra = set(spec) - {"sweep", "params"}
    if extra:
        raise ValueError(f"sweep file {path}: unknown keys {sorted(extra)} (allowed: sweep, params)")
    params = spec.get("params", {})
    if not isinstance(params, dict):
        raise ValueError(f"sweep file {path}: params must be a table")
    return sweeps[spec["sweep"]], params


def parse_set(items: list[str]) -> dict:
    """``KEY=VALUE`` strings to a dict; VALUE is parsed as JSON when it can be, else kept as text."""
    out = {}
    for item in items:
        k, eq, v = item.partition("=")
        if not (eq and k):
            raise ValueError(f"--set must look like KEY=VALUE, got {item!r}")
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


# ----------------------------------------------------------------------------- executors
def _init_worker(threads: int | None) -> None:
    if threads:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


def execute(fn: str, kwargs: dict, threads: int | None = None) -> dict:
    """Run one task (on a worker): import ``fn``, call it, return its result with provenance."""
    _init_worker(threads)
    module, _, attr = fn.partition(":")
    func = importlib.import_module(module)
    for part in attr.split("."):
        func = getattr(func, part)
    t0 = time.perf_counter()
    result = func(**kwargs)
    return {"result": result, "seconds": time.perf_counter() - t0, "host": socket.gethostname(),
            "pid": os.getpid()}


@contextlib.contextmanager
def executor(scheduler: str | None = None, workers: int | None = None) -> Iterator[tuple[Executor, int | None]]:
    """Yield ``(executor, numba threads per task)``.

    Parameters
    ----------
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a dask.distributed scheduler; default: a local process pool.
    workers : int, optional
        Local pool size (default: the number of CPUs); ignored with a scheduler.
    """
    if scheduler is None:
        n = workers or os.cpu_count() or 1
        if n < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        threads = max(1, (os.cpu_count() or 1) // n)
        pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(threads,))
        try:
            yield pool, threads
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM via the CLI, a failed task): stop the workers now instead of
            # letting them finish queued runs nobody will record (Python 3.11 has no public terminate).
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return
    if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
        raise ValueError(f"--scheduler must be an address like tcp://HOST:PORT, got {scheduler!r}")
    from distributed import Client

    with Client(scheduler, timeout="30s") as client:
        # One numba thread per task: a dask worker runs one task per worker thread.
        yield client.get_executor(pure=False), 1


# ----------------------------------------------------------------------------- the runner
def _task_path(out: Path, key: str) -> Path:
    return out / "tasks" / f"{key}.json"


def _read_results(out: Path) -> dict[str, dict]:
    found = {}
    folder = out / "tasks"
    if folder.is_dir():
        for f in sorted(folder.glob("*.json")):
            try:
                found[f.stem] = json.loads(f.read_text(encoding="utf-8"))
            except ValueError:  # cannot happen with atomic writes; recompute rather than trust it
                continue
    return found


def prepare(out: Path, sweep: Sweep, params: dict) -> None:
    """Create ``out`` or check that it holds this sweep with these parameters."""
    meta = {"sweep": sweep.name, "params": params, "format": FORMAT}
    path = out / "sweep.json"
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("sweep") != sweep.name:
            raise SweepMismatch(f"{out} holds sweep {old.get('sweep')!r}, not {sweep.name!r}; use another --out")
        oldp = old.get("params", {})
        diff = sorted(k for k in set(oldp) | set(params) if oldp.get(k) != params.get(k))
        if diff:
            shown = ", ".join(f"{k}: {oldp.get(k)!r} -> {params.get(k)!r}" for k in diff)
            raise SweepMismatch(f"{out} holds sweep {sweep.name!r} with other parameters ({shown}); "
                                "finished results would not match: use another --out")
        return
    atomic_write_text(path, json.dumps({**meta, "activebench": __version__}, indent=2))


def run_sweep(sweep: Sweep, params: dict, out: str | Path, make_executor=None, progress: bool = True,
              max_pool_restarts: int = 3, log=None) -> Outcome:
    """Run (or resume) ``sweep`` with ``params`` into folder ``out``.

    Parameters
    ----------
    make_executor : callable, optional
        Zero-argument context manager yielding ``(Executor, threads)``; default
        ``executor()`` (local process pool).
    progress : bool
        Show a progress bar (tqdm, on stderr).
    max_pool_restarts : int
        A local pool whose worker died (``BrokenProcessPool``) is replaced and the unfinished
        tasks resubmitted, at most this many times.
    log : callable, optional
        ``log(str)`` for one-line messages (default: stderr).

    Returns
    -------
    Outcome
        All results by key, and which keys were computed now or reused from ``out``.
    """
    from tqdm import tqdm

    out = Path(out)
    log = log or (lambda s: print(s, file=sys.stderr))
    prepare(out, sweep, params)
    make_executor = make_executor or executor
    t0 = time.perf_counter()
    stored = _read_results(out)
    results = {k: v["result"] for k, v in stored.items()}
    outcome = Outcome(results)
    bar = tqdm(desc=sweep.name, unit="task", disable=not progress, file=sys.stderr, total=0)
    try:
        with contextlib.ExitStack() as stack:
            pool, threads = stack.enter_context(make_executor())
            while True:
                tasks = sweep.plan(params, results)
                keys = [t.key for t in tasks]
                if len(set(keys)) != len(keys):
                    raise RuntimeError(f"sweep {sweep.name!r} planned duplicate task keys")
                for t in tasks:
                    if t.key in results and t.key not in outcome.computed and t.key not in outcome.reused:
                        outcome.reused.append(t.key)
                todo = [t for t in tasks if t.key not in results]
                bar.total = len(outcome.reused) + len(outcome.computed) + len(todo)
                bar.n = len(outcome.reused) + len(outcome.computed)
                bar.refresh()
                if not todo:
                    break
                outcome.rounds += 1
                while todo:
                    try:
                        _run_round(pool, threads, todo, out, results, outcome, bar)
                        todo = []
                    except BrokenProcessPool:
                        # A local worker died (killed, out of memory): finished results are on disk;
                        # start a new pool and resubmit what is left.
                        if outcome.pool_restarts >= max_pool_restarts:
                            raise
                        outcome.pool_restarts += 1
                        todo = [t for t in todo if t.key not in results]
                        log(f"sweep {sweep.name}: a worker died; restarting the pool, {len(todo)} tasks left")
                        stack.close()
                        pool, threads = stack.enter_context(make_executor())
                write_summary(out, sweep, params, results)
    finally:
        bar.close()
    outcome.seconds = time.perf_counter() - t0
    write_summary(out, sweep, params, results, figure=True)
    return outcome


def _run_round(pool: Executor, threads, todo: list[Task], out: Path, results: dict, outcome: Outcome, bar) -> None:
    futures: dict[Future, Task] = {pool.submit(execute, t.fn, t.kwargs, threads): t for t in todo}
    try:
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                rec = fut.result()
            except BrokenProcessPool:
                raise
            except Exception as exc:
                raise RuntimeError(f"task {task.key} ({task.fn}) failed: {type(exc).__name__}: {exc}") from exc
            doc = {"key": task.key, "fn": task.fn, "kwargs": task.kwargs, **rec}
            atomic_write_text(_task_path(out, task.key), json.dumps(doc, indent=1, default=_json_default))
            results[task.key] = json.loads(json.dumps(rec["result"], default=_json_default))
            outcome.computed.append(task.key)
            bar.update(1)
    finally:
        for fut in futures:
            fut.cancel()


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


def format_table(header: list[str], rows: list[list]) -> str:
    """Plain-text table."""
    def fmt(v):
        if isinstance(v, float):
            return "nan" if math.isnan(v) else f"{v:.5g}"
        return str(v)

    cells = [[fmt(v) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def write_summary(out: Path, sweep: Sweep, params: dict, results: dict, figure: bool = False) -> str:
    """Write ``summary.json``/``summary.txt`` (and ``sweep.png`` when ``figure``); return the table."""
    header, rows = sweep.summarize(params, results)
    table = format_table(header, rows)
    atomic_write_text(out / "summary.txt", table + "\n")
    atomic_write_text(out / "summary.json", json.dumps({"sweep": sweep.name, "params": params, "header": header,
                                                        "rows": rows}, indent=1, default=_json_default))
    if figure and sweep.plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(6.4, 4.2))
        try:
            sweep.plot(fig, params, results)
            fig.tight_layout()
            tmp = out / ".sweep.png.tmp.png"
            fig.savefig(tmp, dpi=110)
            os.replace(tmp, out / "sweep.png")
        finally:
            plt.close(fig)
    return table


# ----------------------------------------------------------------------------- bisection helper
def bisection_state(lo: float, hi: float, width: float, decided: Callable[[float], bool | None]):
    """Replay a bisection on [lo, hi] from finished outcomes.

    ``decided(M)`` returns True (unstable / blows up), False (stable) or None (not run yet).
    Returns ``(status, points, bracket)`` where status is ``"need"`` (``points`` must be
    run next), ``"done"`` (``bracket`` = (stable, unstable) with width <= ``width``) or
    ``"invalid"`` (the ends do not bracket a transition). ``points`` lists every mass the
    bisection has used, in order (the plan must keep returning their tasks).
    """
    points = [lo, hi]
    a, b = decided(lo), decided(hi)
    if a is None or b is None:
        return "need", points, None
    if a or not b:
        return "invalid", points, (lo, hi)
    while hi - lo > width * (1 + 1e-9):
        mid = round(0.5 * (lo + hi), 10)
        points.append(mid)
        m = decided(mid)
        if m is None:
            return "need", points, None
        if m:
            hi = mid
        else:
            lo = mid
    return "done", points, (lo, hi)
