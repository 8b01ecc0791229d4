"""Notice (and undo) a grading run that changed the grader's own files.

Learner code that runs as the grader's user can rewrite the installed
``reference`` or ``autograder`` packages, for example append a fake oracle to
a reference module and then kill the fork server so that it re-imports it.
The scores of that run may still be right, but the *next* run on the machine
(the next student of a batch) would grade against tampered code. When the
grader runs as root, learner code runs as an unprivileged user and cannot
write there at all (`autograder.confine`); this module is the check for the
other cases.

`Guard` takes a snapshot of every file (its bytes and permissions) under the
grader's packages — ``reference``, ``autograder``, and ``solutions`` and
``exercises`` when they are not what is graded — and of the ``.pth`` and
``sitecustomize`` files of site-packages (code Python runs at start-up).
`Guard.check`, after grading, compares: a file modified, deleted, added or
whose permissions changed makes the run untrustworthy, said loudly on
standard error (`mark` says so in results.json, ``ai4md grade`` exits with
3), and with ``restore`` it is put back as it was (the changed version is
kept in a quarantine folder). Byte code that Python itself
wrote (a ``__pycache__`` file that is exactly the compiled current source) is
not a change. Numba's cache files are not covered (``NUMBA_CACHE_DIR``
normally lies outside these folders).

``AI4MD_TAMPER_GUARD`` chooses: ``report`` (the default: say so, put nothing
back), ``restore`` (put everything back; for unattended batches, so that the
next student is graded by the real grader) or ``off`` (no check; the
project's own tests use it). Restoring is not the default because a file
*you* edit while a grading runs is a change like any other: it would be put
back (your version kept in the quarantine folder the warning names).
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import shutil
import site
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "MODE_VARIABLE",
    "UNTRUSTWORTHY",
    "Guard",
    "Root",
    "default_roots",
    "mark",
    "mode",
]

MODE_VARIABLE = "AI4MD_TAMPER_GUARD"
_MODES = ("restore", "report", "off")
UNTRUSTWORTHY = "UNTRUSTWORTHY RUN"
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_SKIPPED_SUFFIXES = (".nbi", ".nbc")  # Numba's cache (an in-tree NUMBA_CACHE_DIR)
_STARTUP_FILES = ("sitecustomize.py", "usercustomize.py")


@dataclass(frozen=True)
class Root:
    """A folder to watch: all of it, or (``shallow``) its start-up files only."""

    path: Path
    shallow: bool = False

    def wants(self, path: Path) -> bool:
        """Whether ``path`` (found under this root) is watched."""
        if path.name.endswith(_SKIPPED_SUFFIXES):
            return False
        if self.shallow:
            return path.parent == self.path and (
                path.suffix == ".pth" or path.name in _STARTUP_FILES
            )
        return True


def mode() -> str:
    """Return ``restore``, ``report`` or ``off``, from ``AI4MD_TAMPER_GUARD``."""
    value = os.environ.get(MODE_VARIABLE, "").strip().lower() or "report"
    if value not in _MODES:
        raise ValueError(f"{MODE_VARIABLE}={value!r}: expected one of {_MODES}")
    return value


def _inside(a: Path, b: Path) -> bool:
    return a == b or b in a.parents


def default_roots(target: str | os.PathLike[str] | None = None) -> list[Root]:
    """Return the grader's folders but the graded ``target``; site start-up files."""
    import autograder
    import reference

    folders = [
        Path(reference.__file__).resolve().parent,
        Path(autograder.__file__).resolve().parent,
        _PACKAGE_ROOT / "solutions",
        _PACKAGE_ROOT / "exercises",
    ]
    graded = Path(target).resolve() if target is not None else None
    roots = [
        Root(folder)
        for folder in dict.fromkeys(folders)
        if folder.is_dir()
        and (graded is None or not (_inside(graded, folder) or _inside(folder, graded)))
    ]
    sites = [*getattr(site, "getsitepackages", list)(), site.getusersitepackages()]
    for folder in dict.fromkeys(Path(s).resolve() for s in sites if s):
        if folder.is_dir() and not any(_inside(folder, r.path) for r in roots):
            roots.append(Root(folder, shallow=True))
    return roots


@dataclass(frozen=True)
class _Entry:
    """One file as it was: its bytes (or a symlink's target) and its mode."""

    data: bytes
    mode: int
    link: str | None = None


def _read(path: Path) -> _Entry | None:
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            return _Entry(b"", st.st_mode, os.readlink(path))
        if not stat.S_ISREG(st.st_mode):
            return None
        return _Entry(path.read_bytes(), st.st_mode)
    except OSError:
        return None


def _walk(root: Root) -> tuple[dict[Path, _Entry], set[Path]]:
    files: dict[Path, _Entry] = {}
    folders: set[Path] = set()
    if root.shallow:
        try:
            names = [root.path / n for n in os.listdir(root.path)]
        except OSError:
            names = []
        candidates = [p for p in names if root.wants(p)]
    else:
        candidates = []
        for folder, dirs, names in os.walk(root.path, followlinks=False):
            here = Path(folder)
            folders.add(here)
            # a symlink to a folder is a file here (os.walk lists it in dirs)
            candidates += [here / d for d in dirs if (here / d).is_symlink()]
            candidates += [here / n for n in names if root.wants(here / n)]
    for path in candidates:
        entry = _read(path)
        if entry is not None:
            files[path] = entry
    return files, folders


def _fresh_bytecode(path: Path) -> bool:
    """Whether ``path`` is byte code Python wrote for its current source, unchanged."""
    if path.parent.name != "__pycache__" or path.suffix != ".pyc":
        return False
    try:
        source = Path(importlib.util.source_from_cache(str(path)))
        data, code = path.read_bytes(), source.read_bytes()
        st = source.stat()
    except (OSError, ValueError, NotImplementedError):
        return False
    if len(data) < 16 or data[:4] != importlib.util.MAGIC_NUMBER:
        return False
    flags = int.from_bytes(data[4:8], "little")
    if flags == 0:  # checked by the source's modification time and size
        if int.from_bytes(data[8:12], "little") != int(st.st_mtime) & 0xFFFFFFFF:
            return False
        if int.from_bytes(data[12:16], "little") != st.st_size & 0xFFFFFFFF:
            return False
    elif data[8:16] != importlib.util.source_hash(code):
        return False
    level = 0
    for opt in (1, 2):
        if f".opt-{opt}." in path.name:
            level = opt
    try:
        compiled = marshal.loads(data[16:])
        expected = compile(code, str(source), "exec", dont_inherit=True, optimize=level)
    except (ValueError, EOFError, TypeError, SyntaxError, RecursionError):
        return False
    return compiled == expected


def _write(path: Path, entry: _Entry) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if entry.link is not None:
        os.symlink(entry.link, path)
        return
    path.write_bytes(entry.data)
    os.chmod(path, stat.S_IMODE(entry.mode))


@dataclass
class Guard:
    """A snapshot of the grader's files; `check` compares, restores and reports.

    Parameters
    ----------
    target : path, optional
        What is graded (left out of the snapshot).
    roots : list of Root, optional
        The folders to watch (default: `default_roots`; none if
        ``AI4MD_TAMPER_GUARD=off``).
    """

    target: str | os.PathLike[str] | None = None
    roots: list[Root] | None = None
    changes: list[str] = field(default_factory=list)
    quarantine: Path | None = None

    def __post_init__(self) -> None:
        if self.roots is None:
            self.roots = [] if mode() == "off" else default_roots(self.target)
        self._files: dict[Path, _Entry] = {}
        self._folders: set[Path] = set()
        for root in self.roots:
            files, folders = _walk(root)
            self._files.update(files)
            self._folders |= folders

    @property
    def tampered(self) -> bool:
        """Whether `check` found a change."""
        return bool(self.changes)

    def _keep(self, path: Path) -> None:
        """Move the changed version of ``path`` into the quarantine folder."""
        if self.quarantine is None:
            self.quarantine = Path(tempfile.mkdtemp(prefix="ai4md-tampered-"))
        kept = self.quarantine / str(path).lstrip(os.sep)
        kept.parent.mkdir(parents=True, exist_ok=True)
        try:
            if path.is_symlink() or path.is_file():
                shutil.copy2(path, kept, follow_symlinks=False)
            elif path.is_dir():
                shutil.copytree(path, kept, symlinks=True)
        except OSError:
            pass

    def check(self, restore: bool | None = None, report: bool = True) -> list[str]:
        """Compare with the snapshot; put things back; warn. Return the changes.

        Each change reads ``"modified: PATH"`` (or ``deleted``, ``added``,
        ``permissions``). ``restore`` defaults to on only with
        ``AI4MD_TAMPER_GUARD=restore``.
        """
        if restore is None:
            restore = mode() == "restore"
        now: dict[Path, _Entry] = {}
        folders: set[Path] = set()
        for root in self.roots:
            files, found = _walk(root)
            now.update(files)
            folders |= found
        changes: list[tuple[str, Path]] = []
        for path, before in self._files.items():
            after = now.get(path)
            if after is None:
                if not (path.suffix == ".pyc" and path.parent.name == "__pycache__"):
                    changes.append(("deleted", path))  # (byte code: harmless)
            elif (after.data, after.link) != (before.data, before.link):
                if not _fresh_bytecode(path):
                    changes.append(("modified", path))
            elif stat.S_IMODE(after.mode) != stat.S_IMODE(before.mode):
                changes.append(("permissions", path))
        for path in now.keys() - self._files.keys():
            if not _fresh_bytecode(path):
                changes.append(("added", path))
        failed = []
        if restore:
            for kind, path in changes:
                try:
                    if kind in ("modified", "added"):
                        self._keep(path)
                    if kind == "added":
                        path.unlink()
                    elif kind == "permissions":
                        os.chmod(path, stat.S_IMODE(self._files[path].mode))
                    else:
                        _write(path, self._files[path])
                except OSError as exc:
                    failed.append(f"{path}: {exc}")
            for folder in sorted(folders - self._folders, reverse=True):
                try:
                    folder.rmdir()  # an added folder, now empty
                except OSError:
                    pass
        self.changes = [f"{kind}: {path}" for kind, path in sorted(changes)]
        if self.changes and report:
            print(self.warning(restore, failed), file=sys.stderr)
        return self.changes

    def summary(self) -> str:
        """One paragraph for results.json ("" when nothing changed)."""
        if not self.changes:
            return ""
        shown = "; ".join(self.changes[:5])
        more = f"; and {len(self.changes) - 5} more" if len(self.changes) > 5 else ""
        return (
            f"{UNTRUSTWORTHY}: the grader's own files changed while grading "
            f"({shown}{more}). Learner code may have changed how it was graded: "
            "these scores cannot be trusted."
        )

    def warning(self, restored: bool, failed: list[str]) -> str:
        """Return the loud message printed on standard error."""
        line = "=" * 72
        rows = [
            line,
            f"{UNTRUSTWORTHY}: the grader's own files changed while grading.",
            *(f"  {change}" for change in self.changes),
        ]
        if restored and not failed:
            rows.append("They were put back as they were.")
        elif restored:
            rows += ["They could not all be put back:", *(f"  {f}" for f in failed)]
        else:
            rows.append(f"They were NOT put back ({MODE_VARIABLE}=report).")
        if self.quarantine is not None:
            rows.append(f"The changed versions are kept in {self.quarantine}")
        rows += [
            "Learner code runs as the grader's user, so it can write there: the",
            "scores of this run cannot be trusted. Grade as root (learner code then",
            "runs as an unprivileged user) or in a fresh copy of the grader.",
            line,
        ]
        return "\n".join(rows)


def mark(data: dict, guard: Guard | None) -> dict:
    """Return results.json ``data``, marked untrustworthy if ``guard`` found changes."""
    if guard is None or not guard.changes:
        return data
    extra = data.get("extra_data") if isinstance(data.get("extra_data"), dict) else {}
    output = str(data.get("output", ""))
    return {
        **data,
        "output": f"{guard.summary()}\n{output}".strip(),
        "extra_data": {**extra, "tampered": list(guard.changes)},
    }
