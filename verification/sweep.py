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

Before ``sweep.json`` is written or a worker starts, every parameter is checked
(:func:`resolve_params`: types, finite numbers, the sweep's own ``validate``, which builds the
model parameter objects of its tasks and applies the work and memory caps of
:mod:`verification.validation`) and the first round of tasks is planned and checked
(:func:`validate_plan`: each task names one of the sweep's registered task functions, or a
function a Python caller handed in, and its arguments fit that function's signature). A
parameter naming a task function, given as text by a user (``--set`` or a sweep file), must
be one of the registered ones.

Local pool workers exit when their driver dies, even by SIGKILL (Linux parent-death signal,
plus a watchdog thread polling the parent pid elsewhere).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import math
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
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
        ``validate(params)`` raises ValueError naming a bad parameter; it checks what every task
        will need (model parameter objects, work and memory caps) so that bad input is refused
        before ``sweep.json`` is written or a worker starts.
    tasks : tuple of str
        The registered task functions (``"module:function"``) the plan may use; empty: any.
    function_params : tuple of str
        Parameters whose value names a task function (e.g. ``task_fn``): a user's text must be one
        of ``tasks``; a Python caller may hand in another importable function (a check's method
        under test), as a callable or its ``"module:qualname"``.
    """

    name: str
    summary: str
    source: str
    defaults: dict
    plan: Callable[[dict, dict], list[Task]]
    summarize: Callable[[dict, dict], tuple[list[str], list[list]]]
    plot: Callable | None = None
    validate: Callable[[dict], None] | None = None
    tasks: tuple[str, ...] = ()
    function_params: tuple[str, ...] = ()


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


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _non_finite(value: object) -> float | None:
    """The first non-finite float in ``value`` (nested lists and dicts), else None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for v in items:
        bad = _non_finite(v)
        if bad is not None:
            return bad
    return None


def _function_name(fn: Callable, what: str) -> str:
    """``"module:qualname"`` of a module-level function handed in by a Python caller."""
    from verification.sipf.cases import importable_name

    return importable_name(fn, what)


def resolve_params(sweep: Sweep, overrides: dict, *, from_user: bool = False) -> dict:
    """Defaults updated with ``overrides``, validated; unknown names, wrong types and bad values are refused.

    Parameters
    ----------
    sweep : Sweep
    overrides : dict
        Parameter values (JSON values). A parameter of ``sweep.function_params`` may also be a
        callable (a module-level function, e.g. a check's method under test).
    from_user : bool
        The overrides come from a user (``--set``, a sweep file): a function parameter must then
        name one of the sweep's registered task functions.

    Raises
    ------
    ValueError
        Naming the parameter, what it must be and the value received, before any work: the
        sweep's ``validate`` and the first round of tasks (:func:`validate_plan`) are checked too.
    """
    params = json.loads(json.dumps(sweep.defaults))
    for k, v in overrides.items():
        if k not in params:
            raise ValueError(f"sweep {sweep.name!r} has no parameter {k!r}; parameters: {sorted(params)}")
        want = type(params[k])
        if k in sweep.function_params and callable(v) and not from_user:
            v = _function_name(v, f"sweep parameter {k!r}")
        if want is float and isinstance(v, int) and not isinstance(v, bool):
            try:
                v = float(v)
            except OverflowError:
                raise ValueError(f"sweep parameter {k!r} must be a finite number (default {params[k]!r}), got "
                                 "an integer beyond the float range (|x| > 1.8e308)") from None
        if not isinstance(v, want) or (want is int and isinstance(v, bool)):
            kind = {float: "a finite number", int: "int (an integer)", str: "str (text)", list: "list",
                    bool: "bool (true or false)"}.get(want, want.__name__)
            raise ValueError(f"sweep parameter {k!r} must be {kind} (default {_short(params[k])}), got {_short(v)} "
                             f"({type(v).__name__})")
        bad = _non_finite(v)
        if bad is not None:
            raise ValueError(f"sweep parameter {k!r} must hold finite numbers only, got {bad!r}")
        if k in sweep.function_params and from_user and sweep.tasks and v not in sweep.tasks:
            raise ValueError(f"sweep parameter {k!r} must be one of the sweep's registered task functions "
                             f"({', '.join(sweep.tasks)}), got {_short(v)}")
        params[k] = v
    if sweep.validate is not None:
        sweep.validate(params)
    validate_plan(sweep, params)
    return params


def _load_function(name: str, what: str) -> Callable:
    module, colon, attr = name.partition(":")
    if not (module and colon and attr):
        raise ValueError(f"{what} must look like MODULE:FUNCTION, got {_short(name)}")
    try:
        func = importlib.import_module(module)
        for part in attr.split("."):
            func = getattr(func, part)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{what} {name!r} cannot be imported: {type(exc).__name__}: {exc}") from None
    if not callable(func):
        raise ValueError(f"{what} {name!r} is not callable ({type(func).__name__})")
    return func


def validate_plan(sweep: Sweep, params: dict) -> list[Task]:
    """Plan the first round and check every task before any work; return the tasks.

    Each task's function must be one of ``sweep.tasks`` or the value of one of
    ``sweep.function_params`` (checked by :func:`resolve_params`), importable, and able to take
    the task's arguments; the arguments must be finite JSON values; keys must be unique.

    Raises
    ------
    ValueError
        Naming the task and what is wrong.
    """
    tasks = sweep.plan(params, {})
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError(f"sweep {sweep.name!r} planned duplicate task keys")
    allowed = set(sweep.tasks) | {params[k] for k in sweep.function_params if isinstance(params.get(k), str)}
    functions: dict[str, Callable] = {}
    for t in tasks:
        if sweep.tasks and t.fn not in allowed:
            raise ValueError(f"sweep {sweep.name!r}: task {t.key} names {t.fn!r}, not one of the sweep's task "
                             f"functions ({', '.join(sweep.tasks)})")
        what = next((f"sweep parameter {k!r}" for k in sweep.function_params if params.get(k) == t.fn),
                    f"task function of {t.key}")
        if t.fn not in functions:
            functions[t.fn] = _load_function(t.fn, what)
        try:
            inspect.signature(functions[t.fn]).bind(**t.kwargs)
        except TypeError as exc:
            raise ValueError(f"{what} {t.fn!r} cannot take the task's arguments ({', '.join(t.kwargs)}): "
                             f"{exc}") from None
        except ValueError:  # no signature to inspect (a builtin): the call will tell
            pass
        try:
            json.dumps(t.kwargs, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"sweep {sweep.name!r}: task {t.key} has arguments that are not finite JSON "
                             f"values: {exc}") from None
    return tasks


def load_spec(name_or_file: str) -> tuple[Sweep, dict]:
    """A built-in name, or a TOML/JSON file ``{sweep = NAME, [params] ...}``: (sweep, overrides)."""
    sweeps = all_sweeps()
    if name_or_file in sweeps:
        return sweeps[name_or_file], {}
    path = Path(name_or_file)
    if not path.is_file():
        raise ValueError(f"{name_or_file!r} is neither a built-in sweep ({', '.join(sorted(sweeps))}) nor a file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"sweep file {path} is not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    except OSError as exc:
        raise ValueError(f"cannot read sweep file {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix == ".json":
            spec = json.loads(text)
        else:
            import tomllib

            spec = tomllib.loads(text)
    except ValueError as exc:
        raise ValueError(f"cannot parse sweep file {path}: {exc}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("sweep"), str) or spec["sweep"] not in sweeps:
        raise ValueError(f"sweep file {path} must name a built-in sweep as sweep = NAME ({', '.join(sorted(sweeps))})")
    extra = set(spec) - {"sweep", "params"}
    if extra:
        raise ValueError(f"sweep file {path}: unknown keys {sorted(extra)} (allowed: sweep, params)")
    params = spec.get("params", {})
    if not isinstance(params, dict):
        raise ValueError(f"sweep file {path}: params must be a table")
    return sweeps[spec["sweep"]], params


_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def parse_set(items: list[str]) -> dict:
    """``KEY=VALUE`` strings to a dict; VALUE is parsed as JSON when it can be, else kept as text.

    ``nan``, ``inf`` and ``Infinity`` (any case, signed) are refused: every number must be finite.
    """
    out = {}
    for item in items:
        k, eq, v = item.partition("=")
        if not (eq and k):
            raise ValueError(f"--set must look like KEY=VALUE, got {item!r}")
        if v.strip().lower() in _NON_FINITE:
            raise ValueError(f"--set {k}: {k} must be a finite number, got {v!r}")
        try:
            value = json.loads(v)
        except ValueError:
            value = v
        bad = _non_finite(value)
        if bad is not None:
            raise ValueError(f"--set {k}: {k} must hold finite numbers only, got {bad!r} (from {v!r})")
        out[k] = value
    return out


# ----------------------------------------------------------------------------- executors
def _init_worker(threads: int | None) -> None:
    if threads:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCHDOG_SECONDS = 1.0


def _exit_with_parent(parent_pid: int) -> None:
    """Make this pool worker die with its driver, even when the driver is killed by SIGKILL.

    Linux: the parent-death signal (SIGKILL, which cannot be caught or delayed by a running numba
    kernel). It fires when the thread that started this process exits; the local pool's workers
    are started by the thread running :func:`run_sweep` (``submit``), which outlives the pool. Then
    the parent pid is compared with the driver's (it may have died before ``prctl``). Everywhere:
    a daemon thread polls the parent pid every :data:`WATCHDOG_SECONDS` and ends the process when
    it changes (while no kernel holds the GIL).
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog alone
            pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="activebench-parent-watchdog", daemon=True).start()


def _init_pool_worker(threads: int | None, parent_pid: int) -> None:
    """Initializer of the local pool's workers: die with the driver, then set numba's threads."""
    _exit_with_parent(parent_pid)
    _init_worker(threads)


SCHEMES = ("tcp://", "tls://", "inproc://", "ws://", "wss://")


def check_scheduler(address: str | None) -> None:
    """Refuse a scheduler address that is not ``SCHEME://HOST:PORT`` (before anything is written).

    Raises
    ------
    ValueError
        Naming ``--scheduler`` and the address received.
    """
    if address is None:
        return
    want = f"--scheduler must be an address like tcp://HOST:PORT ({', '.join(SCHEMES)}), got {_short(address)}"
    if not isinstance(address, str) or not address.startswith(SCHEMES):
        raise ValueError(want)
    if address.startswith("inproc://"):
        return
    try:
        parts = urllib.parse.urlsplit(address)
        port = parts.port
    except ValueError:
        raise ValueError(want + " (the port must be an integer in [0, 65535])") from None
    if not parts.hostname or port is None or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(want)


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
                                   initializer=_init_pool_worker, initargs=(threads, os.getpid()))
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
    check_scheduler(scheduler)
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


def check_out(out: Path, sweep: Sweep, params: dict) -> bool:
    """Check that ``out`` can hold this sweep, writing nothing; True if it already holds it.

    A folder whose ``sweep.json`` names other parameters but holds no finished task (e.g. a run
    refused by an older version after writing it) is taken over: nothing would be mixed.

    Raises
    ------
    SweepMismatch
        ``out`` holds finished tasks of another sweep or of other parameters.
    ValueError
        ``out`` is not a folder, or ``sweep.json`` is unreadable.
    """
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a folder")
    path = out / "sweep.json"
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read {path}: {exc}; use another --out") from None
        if not isinstance(old, dict):
            raise ValueError(f"{path} is not a sweep description; use another --out")
        if not (out / "tasks").is_dir() or not any((out / "tasks").glob("*.json")):
            return old.get("sweep") == sweep.name and old.get("params") == params
        if old.get("sweep") != sweep.name:
            raise SweepMismatch(f"{out} holds sweep {old.get('sweep')!r}, not {sweep.name!r}; use another --out")
        oldp = old.get("params", {})
        diff = sorted(k for k in set(oldp) | set(params) if oldp.get(k) != params.get(k))
        if diff:
            shown = ", ".join(f"{k}: {oldp.get(k)!r} -> {params.get(k)!r}" for k in diff)
            raise SweepMismatch(f"{out} holds sweep {sweep.name!r} with other parameters ({shown}); "
                                "finished results would not match: use another --out")
        return True
    return False


def prepare(out: Path, sweep: Sweep, params: dict) -> None:
    """Create ``out`` or check that it holds this sweep with these parameters."""
    if not check_out(out, sweep, params):
        _write_meta(out, sweep, params)


def _write_meta(out: Path, sweep: Sweep, params: dict) -> None:
    meta = {"sweep": sweep.name, "params": params, "format": FORMAT}
    atomic_write_text(out / "sweep.json", json.dumps({**meta, "activebench": __version__}, indent=2))


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
    # Everything is checked before sweep.json is written or a worker starts.
    if sweep.validate is not None:
        sweep.validate(params)
    validate_plan(sweep, params)
    holds = check_out(out, sweep, params)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--out {out}: cannot create the folder ({exc.strerror or exc})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise ValueError(f"--out {out}: the folder is not writable")
    make_executor = make_executor or executor
    t0 = time.perf_counter()
    stored = _read_results(out)
    results = {k: v["result"] for k, v in stored.items()}
    outcome = Outcome(results)
    bar = tqdm(desc=sweep.name, unit="task", disable=not progress, file=sys.stderr, total=0)
    try:
        with contextlib.ExitStack() as stack:
            pool, threads = stack.enter_context(make_executor())  # e.g. reach the scheduler first
            if not holds:
                _write_meta(out, sweep, params)
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
