"""The integrity rule at call time, in the worker child that grades one exercise.

This module owns the run-time half of `autograder.forbidden` (the overview is
there): `install`, which the worker calls before it imports the learner's
file, builds a `Guard` for the exercise's forbidden set. The guard replaces
forbidden functions by guards that only their own library may call through,
guards the methods of forbidden classes in place, puts an import hook (the
``_Finder``) first on ``sys.meta_path`` and an audit hook on ``open``, then
runs the static check (`autograder.forbidden_scan.scan`) on the lesson file.
`prepare` indexes, once in the fork server, which loaded module holds which
object, so that a child guards without scanning every module itself.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import FunctionType, ModuleType
from typing import TYPE_CHECKING, Any

from autograder import no_programs
from autograder.forbidden_scan import (
    ALWAYS,
    ForbiddenImport,
    ForbiddenUse,
    call_message,
    read_message,
    resolve,
    scan,
    static_message,
    under,
)

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

    from autograder.protocol import Reply

__all__ = ["Guard", "install", "prepare"]

# The worker's code that calls the learner's functions (and what they return): a
# guard never lets a call from there through, even for the grader's own oracles.
_LEARNER_RUNNERS = (os.path.join(os.path.dirname(__file__), "procedures.py"),)


def _library_roots(top: str) -> tuple[str, ...]:
    module = sys.modules.get(top)
    file = getattr(module, "__file__", None)
    if not file:
        return ()
    root = os.path.dirname(file) + os.sep
    return tuple(dict.fromkeys((root, os.path.realpath(root) + os.sep)))


def _is_routine(obj: Any) -> bool:
    """Functions, builtins and NumPy's array-function dispatchers (not classes)."""
    if isinstance(obj, (type, ModuleType)):
        return False
    kind = type(obj)
    if kind.__module__.startswith("numba"):  # compiled kernels: static check only
        return False
    return isinstance(obj, FunctionType) or kind.__name__ in (
        "builtin_function_or_method",
        "_ArrayFunctionDispatcher",
        "ufunc",
        "cython_function_or_method",
        "fused_cython_function",
    )


class Guard:
    """The forbidden set of one exercise, enforced in a worker child.

    ``violation`` holds the first violation's message (None while there is none).
    """

    def __init__(self, entries: Iterable[str], path: str) -> None:
        self.entries = tuple(dict.fromkeys(entries))
        self.path = path
        self.violation: str | None = None
        self._originals: dict[int, Any] = {}  # id -> forbidden object (kept alive)
        self._guard_of: dict[int, FunctionType] = {}  # id(original) -> its guard
        self._guards: dict[int, str] = {}  # id(guard) -> its entry ("": computed)
        self._watch: dict[str, dict[str, str]] = {}  # module -> {attribute: entry}
        self._roots: dict[str, tuple[str, ...]] = {}

    # -- recording ---------------------------------------------------------

    def record(self, message: str) -> str:
        """Keep the first violation; return ``message``."""
        if self.violation is None:
            self.violation = message
        return message

    def reply(self) -> Reply | None:
        """Return a ``forbidden`` reply once a violation is recorded, else None."""
        if self.violation is None:
            return None
        from autograder.protocol import Reply, ReplyStatus

        return Reply(ReplyStatus.FORBIDDEN, message=self.violation)

    def is_forbidden(self, obj: Any) -> bool:
        """Whether ``obj`` is a forbidden object or one of its guards."""
        return id(obj) in self._originals or id(obj) in self._guards

    # -- making guards -----------------------------------------------------

    def _display(self, original: Any) -> str:
        """Name a guarded object by the shortest public path that exposes it."""
        module = getattr(original, "__module__", None) or ""
        qualname = getattr(original, "__qualname__", None) or getattr(
            original, "__name__", "?"
        )
        head = qualname.split(".")[0]
        parts = module.split(".")
        for cut in range(1, len(parts)):
            name = ".".join(parts[:cut])
            if not any(under(name, entry) for entry in self.entries):
                continue
            value = getattr(sys.modules.get(name), "__dict__", {}).get(head)
            # the object, its guard or its namesake (after a reload); for a
            # method, its class
            if (
                getattr(value, "__qualname__", None) == head
                and getattr(value, "__module__", None) == module
            ):
                return f"{name}.{qualname}"
        return f"{module}.{qualname}" if module else qualname

    def _make(self, original: Any, entry: str | None) -> FunctionType:
        """Return a guard that runs ``original`` for its own library only."""
        top = (getattr(original, "__module__", None) or "").split(".")[0]
        guarding = self

        def guard(*args, **kwargs):
            caller = sys._getframe(1).f_code.co_filename
            roots = guarding._roots.get(top)
            if roots is None:
                roots = guarding._roots[top] = _library_roots(top)
            if (
                roots
                and caller.startswith(roots)
                and caller != guarding.path
                and caller not in _LEARNER_RUNNERS
            ):
                return original(*args, **kwargs)  # the library's own internal use
            name = guarding._guards.get(id(guard)) or guarding._display(original)
            raise ForbiddenUse(guarding.record(call_message(name)))

        for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
            try:
                setattr(guard, attribute, getattr(original, attribute))
            except (AttributeError, TypeError):
                pass
        self._originals[id(original)] = original
        self._guard_of[id(original)] = guard
        self._guards[id(guard)] = entry or ""
        return guard

    def _guard_class(self, cls: type, prefix: str) -> None:
        """Guard, in place, the methods ``cls`` defines under module ``prefix``."""
        self._originals[id(cls)] = cls
        for key, value in list(vars(cls).items()):
            wrapper = None
            if isinstance(value, (staticmethod, classmethod)):
                wrapper, value = type(value), value.__func__
            if not isinstance(value, FunctionType) or id(value) in self._guards:
                continue
            if not under(getattr(value, "__module__", None) or "", prefix):
                continue
            guard = self._make(value, None)
            try:
                setattr(cls, key, wrapper(guard) if wrapper else guard)
            except (AttributeError, TypeError):
                pass

    def _defined_in(self, module: ModuleType, prefix: str) -> dict:
        """Return the routines and classes ``module`` defines under ``prefix``."""
        found = {}
        for value in list(vars(module).values()):
            if id(value) in self._guards:
                continue
            if not (_is_routine(value) or isinstance(value, type)):
                continue
            if under(getattr(value, "__module__", None) or "", prefix):
                found[id(value)] = (value, None)
        return found

    def _apply(self, objects: dict, modules: list[tuple[str, Any]] | None) -> None:
        """Guard ``objects`` ({id: (object, entry or None)}) in ``modules``.

        Routines are replaced by guards wherever these modules (None: every
        loaded module) hold them; classes keep their identity and have their
        methods guarded in place.
        """
        guards = {}
        for key, (obj, entry) in objects.items():
            if isinstance(obj, type):
                prefix = obj.__module__ if entry else _prefix_of(obj, self.entries)
                self._guard_class(obj, prefix)
            elif _is_routine(obj) and key not in self._guard_of:
                guards[key] = (self._make(obj, entry), entry)
            else:
                self._originals[key] = obj  # static check only (e.g. Numba kernels)
        if not guards:
            return
        for name, attribute, value in _holders(guards, modules):
            guard, entry = guards[id(value)]
            try:
                setattr(sys.modules[name], attribute, guard)
            except (AttributeError, TypeError, KeyError):
                continue
            self._watch.setdefault(name, {})[attribute] = entry or ""

    # -- installing --------------------------------------------------------

    def _collect(self) -> dict:
        """Resolve the entries already loaded: {id: (object, entry or None)}."""
        objects: dict = {}
        for entry in self.entries:
            if under(entry, "solutions"):
                continue
            obj = sys.modules.get(entry) or resolve(entry)
            if isinstance(obj, ModuleType):
                for name, module in list(sys.modules.items()):
                    if under(name, entry) and isinstance(module, ModuleType):
                        for key, item in self._defined_in(module, entry).items():
                            objects.setdefault(key, item)
            elif obj is not None:
                objects[id(obj)] = (obj, entry)
        return objects

    def after_exec(self, module: ModuleType) -> None:
        """Guard a module just (re)executed: its forbidden objects are new."""
        name = module.__name__
        namespace = vars(module)
        objects: dict = {}
        for entry in self.entries:
            if under(name, entry):
                objects.update(self._defined_in(module, entry))
            elif entry.rpartition(".")[0] == name:
                value = namespace.get(entry.rpartition(".")[2])
                if value is not None and not isinstance(value, ModuleType):
                    if id(value) not in self._guards:
                        objects.setdefault(id(value), (value, entry))
        for attribute, entry in self._watch.get(name, {}).items():
            value = namespace.get(attribute)
            if value is not None and id(value) not in self._guards:
                objects.setdefault(id(value), (value, entry or None))
        self._apply(objects, [(name, module)])

    def watches(self, name: str) -> bool:
        """Whether the import hook must guard module ``name`` after it runs."""
        if name in self._watch:
            return True
        return any(under(name, e) or under(e, name) for e in self.entries)

    def install(self) -> Guard:
        """Guard what is loaded, then add the import hook and the audit hook."""
        for name in [n for n in sys.modules if under(n, "solutions")]:
            del sys.modules[name]
        solutions = _solutions_dirs()
        self._apply(self._collect(), None)
        sys.meta_path.insert(0, _Finder(self))
        learner = os.path.realpath(self.path)
        guard = self

        def audit(event: str, args: tuple) -> None:
            if event != "open" or not solutions or not args:
                return
            target = args[0]
            if not isinstance(target, (str, bytes, os.PathLike)):
                return
            try:
                real = os.path.realpath(os.fsdecode(target))
            except (TypeError, ValueError, OSError):
                return
            if real != learner and real.startswith(solutions):
                raise ForbiddenImport(guard.record(read_message(real)))

        sys.addaudithook(audit)
        no_programs.install(self.record)  # a program would run unguarded
        return self

    def check_source(self) -> None:
        """Run the static check on the learner's file (before importing it)."""
        try:
            source = Path(self.path).read_text(encoding="utf-8", errors="replace")
            use = scan(source, self.entries, self.is_forbidden)
        except (OSError, SyntaxError, ValueError, RecursionError):
            return  # the import reports what is wrong with the file
        if use is not None:
            self.record(static_message(use, Path(self.path).name))


# Which loaded module holds which object, indexed once in the fork server
# (`prepare`): a child that scanned every module itself would copy most of the
# server's memory pages (reading an object writes its reference count).
_HOLDERS: dict[int, list[tuple[str, str]]] | None = None
_INDEXED: frozenset[str] = frozenset()


def prepare() -> None:
    """Index the loaded modules' attributes (the fork server, before forking)."""
    global _HOLDERS, _INDEXED
    holders: dict[int, list[tuple[str, str]]] = {}
    modules = list(sys.modules.items())
    for name, module in modules:
        if isinstance(module, ModuleType):
            for attribute, value in vars(module).items():
                holders.setdefault(id(value), []).append((name, attribute))
    _HOLDERS, _INDEXED = holders, frozenset(name for name, _ in modules)


def _holders(wanted: dict, modules: list[tuple[str, Any]] | None):
    """Yield ``(module name, attribute, value)`` for each held object in ``wanted``."""
    if modules is None and _HOLDERS is not None:
        for key in wanted:
            for name, attribute in _HOLDERS.get(key, ()):
                value = getattr(sys.modules.get(name), "__dict__", {}).get(attribute)
                if id(value) == key:
                    yield name, attribute, value
        modules = [(n, m) for n, m in list(sys.modules.items()) if n not in _INDEXED]
    for name, module in modules if modules is not None else list(sys.modules.items()):
        if isinstance(module, ModuleType):
            for attribute, value in list(vars(module).items()):
                if id(value) in wanted:
                    yield name, attribute, value


def _prefix_of(obj: Any, entries: tuple[str, ...]) -> str:
    module = getattr(obj, "__module__", None) or ""
    return next((e for e in entries if under(module, e)), module)


def _solutions_dirs() -> tuple[str, ...]:
    """Where the ``solutions`` package lives (installed copy and source tree)."""
    found = []
    try:
        spec = importlib.util.find_spec("solutions")
    except (ImportError, ValueError):
        spec = None
    for location in (spec and spec.submodule_search_locations) or ():
        found.append(location)
    found.append(str(Path(__file__).resolve().parent.parent / "solutions"))
    found.append(os.path.join(os.getcwd(), "solutions"))
    dirs = [os.path.realpath(d) + os.sep for d in found if os.path.isdir(d)]
    return tuple(dict.fromkeys(dirs))


class _Loader(importlib.abc.Loader):
    """Runs the real loader, then guards the module it executed."""

    def __init__(self, loader: Any, guard: Guard) -> None:
        self._loader, self._guard = loader, guard

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        self._guard.after_exec(module)

    def __getattr__(self, name: str) -> Any:
        loader = self.__dict__.get("_loader")
        if loader is None:
            raise AttributeError(name)
        return getattr(loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: refuses ``solutions``, guards forbidden modules."""

    def __init__(self, guard: Guard) -> None:
        self._guard = guard

    def find_spec(
        self,
        name: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if under(name, "solutions"):
            raise ForbiddenImport(self._guard.record(call_message(name, "imported")))
        if not self._guard.watches(name):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader, self._guard)
                return spec
        return None


def install(entries: Iterable[str], path: str) -> Guard:
    """In a worker child, before the learner's import: guard, then scan the file.

    Parameters
    ----------
    entries : iterable of str
        The exercise's forbidden dotted names (`for_exercise`).
    path : str
        The learner's lesson file.

    Returns
    -------
    Guard
        Its ``violation`` is set at once if the static check found one.
    """
    guard = Guard((*ALWAYS, *entries), path).install()
    guard.check_source()
    return guard
