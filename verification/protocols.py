"""Method protocols: the typed contracts through which a user's method enters a check.

Each topic's ``protocols`` module registers its protocols with :func:`register`. A protocol
has a unique qualified name (``rt1d.walkers``, ``ks1d.solver``, ...), a ``typing.Protocol``
class whose ``__call__`` carries the signature and a numpydoc docstring (shapes, units, what
the parameter object offers), our default implementation, and a *smoke test*: one call on
a tiny input whose output is validated (type, shape, finite) before any check runs, so a
wrong method is refused with a message that names the protocol and the expected output.

``activebench methods`` lists them; ``activebench run --method PROTOCOL=MODULE:OBJECT`` hands
a method to the checks that declare that protocol.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


class MethodMismatch(ValueError):
    """A method under test does not fulfil its protocol (wrong signature, type, shape or non-finite output)."""


@dataclass(frozen=True)
class MethodProtocol:
    """One registered protocol.

    Parameters
    ----------
    name : str
        Qualified name, ``topic.role`` (unique).
    protocol : type
        A ``typing.Protocol`` whose ``__call__`` has the method's signature and numpydoc.
    default : callable
        Our implementation (the default of every check that accepts the protocol).
    smoke : callable
        ``smoke(method)`` calls ``method`` once on a tiny input and validates what comes back
        (with :func:`expect_array` and friends); raises :class:`MethodMismatch`.
    returns : str
        One line: what a call returns (shown in messages and in ``activebench methods``).
    """

    name: str
    protocol: type
    default: Callable
    smoke: Callable[[Callable], None]
    returns: str

    @property
    def signature(self) -> str:
        """``name(params, ...) -> ...`` from the protocol's ``__call__``."""
        sig = inspect.signature(self.protocol.__call__)
        params = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            ann = p.annotation
            text = p.name
            if ann is not inspect.Parameter.empty:
                text += f": {ann if isinstance(ann, str) else getattr(ann, '__name__', ann)}"
            if p.default is not inspect.Parameter.empty:
                text += f" = {p.default!r}"
            params.append(text)
        return f"({', '.join(params)}) -> {self.returns}"

    @property
    def doc(self) -> str:
        """The protocol's numpydoc (class docstring and ``__call__`` docstring)."""
        parts = [inspect.getdoc(self.protocol) or "", inspect.getdoc(self.protocol.__call__) or ""]
        return "\n\n".join(p for p in parts if p)

    def validate(self, method: Callable) -> None:
        """Run the smoke test; a TypeError from the call (wrong signature) becomes a MethodMismatch."""
        if not callable(method):
            raise MethodMismatch(f"{self.name}: the method must be callable, got {type(method).__name__}")
        try:
            self.smoke(method)
        except MethodMismatch:
            raise
        except TypeError as exc:
            raise MethodMismatch(f"{self.name}: calling the method as {self.signature} failed: "
                                 f"{type(exc).__name__}: {exc}") from None
        except Exception as exc:  # noqa: BLE001  (any failure of the smoke call is the method's)
            raise MethodMismatch(f"{self.name}: the method raised on the protocol's smoke input: "
                                 f"{type(exc).__name__}: {exc}") from None


REGISTRY: dict[str, MethodProtocol] = {}


def register(name: str, protocol: type, default: Callable, smoke: Callable[[Callable], None],
             returns: str) -> MethodProtocol:
    """Register a protocol (a unique ``topic.role`` name) and return it."""
    if name in REGISTRY:
        raise ValueError(f"duplicate protocol name {name!r}")
    if name.count(".") != 1:
        raise ValueError(f"protocol names are 'topic.role', got {name!r}")
    REGISTRY[name] = MethodProtocol(name, protocol, default, smoke, returns)
    return REGISTRY[name]


def all_protocols() -> dict[str, MethodProtocol]:
    """Every topic's protocols."""
    from verification import topics

    topics.modules("protocols")
    return REGISTRY


# ----------------------------------------------------------------------------- output validation
def expect_array(protocol: str, value: Any, shape: tuple, what: str = "the output") -> np.ndarray:
    """Return ``value`` as a float array if it has ``shape`` and is finite; MethodMismatch otherwise.

    ``shape`` may hold ``None`` for an axis of any length.
    """
    want = "(" + ", ".join("any" if n is None else str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise MethodMismatch(f"{protocol}: {what} should be an array of shape {want}, got a "
                                 f"{type(value).__name__} that is not numeric") from None
    if not isinstance(value, np.ndarray):
        raise MethodMismatch(f"{protocol}: {what} should be a numpy array of shape {want}, "
                             f"got {type(value).__name__}")
    if value.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, value.shape, strict=False)):
        raise MethodMismatch(f"{protocol}: {what} should have shape {want}, got shape {value.shape}")
    if not np.issubdtype(value.dtype, np.number):
        raise MethodMismatch(f"{protocol}: {what} should be numeric, got dtype {value.dtype}")
    if not np.all(np.isfinite(value)):
        raise MethodMismatch(f"{protocol}: {what} has non-finite entries ({int(np.sum(~np.isfinite(value)))} "
                             f"of {value.size})")
    return value


def expect_attrs(protocol: str, value: Any, names: tuple[str, ...], what: str = "the returned object") -> Any:
    """Return ``value`` if it has every attribute in ``names``; MethodMismatch naming the missing ones."""
    missing = [n for n in names if not hasattr(value, n)]
    if missing:
        raise MethodMismatch(f"{protocol}: {what} should offer {', '.join(names)}; "
                             f"{type(value).__name__} lacks {', '.join(missing)}")
    return value


def expect_finite(protocol: str, value: Any, what: str = "the output") -> float:
    """Return ``value`` as a float if it is a finite real number; MethodMismatch otherwise."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise MethodMismatch(f"{protocol}: {what} should be a real number, got {type(value).__name__}") from None
    if not np.isfinite(out):
        raise MethodMismatch(f"{protocol}: {what} should be finite, got {out}")
    return out


# ----------------------------------------------------------------------------- loading a user's method
def load_object(target: str) -> Callable:
    """Load ``MODULE:OBJECT`` or ``PATH.py:OBJECT`` (a module in the current folder works without PYTHONPATH).

    Raises ValueError with the reason.
    """
    module_name, colon, attr = target.rpartition(":")
    if not (colon and module_name and attr):
        raise ValueError(f"expected MODULE:OBJECT or PATH.py:OBJECT, got {target!r}")
    if module_name.endswith(".py") or "/" in module_name or "\\" in module_name:
        path = Path(module_name).expanduser().resolve()
        if not path.is_file():
            raise ValueError(f"no such file: {path}")
        mod_name = f"_activebench_user_{path.stem}_{abs(hash(str(path)))}"
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise ValueError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        sys.path.insert(0, str(path.parent))  # its own sibling imports
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise ValueError(f"importing {path} failed: {type(exc).__name__}: {exc}") from None
        finally:
            sys.path.remove(str(path.parent))
    else:
        cwd = str(Path.cwd())
        added = cwd not in sys.path
        if added:
            sys.path.insert(0, cwd)
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ValueError(f"cannot import module {module_name!r} (looked in the current folder and the "
                             f"installed packages): {exc}") from None
        except Exception as exc:
            raise ValueError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from None
        finally:
            if added:
                sys.path.remove(cwd)
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{module_name} has no attribute {attr!r}") from None
    if not callable(obj):
        raise ValueError(f"{target} is not callable (got {type(obj).__name__})")
    return obj


def parse_method_spec(spec: str) -> tuple[MethodProtocol, Callable]:
    """``PROTOCOL=MODULE:OBJECT`` -> (protocol, method). ValueError for a bad spec or an unknown protocol."""
    name, eq, target = spec.partition("=")
    if not (eq and name and target):
        raise ValueError(f"--method must look like PROTOCOL=MODULE:OBJECT or PROTOCOL=PATH.py:OBJECT, got {spec!r}")
    protocols = all_protocols()
    if name not in protocols:
        raise ValueError(f"unknown protocol {name!r}; valid protocols: {', '.join(sorted(protocols))} "
                         "(see `activebench methods`)")
    try:
        method = load_object(target)
    except ValueError as exc:
        raise ValueError(f"--method {spec!r}: {exc}") from None
    return protocols[name], method
