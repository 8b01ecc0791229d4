"""Student submissions on disk: find them, copy or unpack them safely, hash them.

A class is a folder holding one entry per student: a folder, or a ``.zip``
file. `discover` lists them, `unpack` copies one into a private working folder
(unzipping with the usual precautions: no absolute paths, no ``..``, no
links, a cap on the total size), `submission_hash` fingerprints what was
handed in and `lesson_root` finds where the lesson files actually sit (a zip
of ``exercises/`` nests them one level deeper).

Public names: `Submission`, `UnsafeSubmission`, `discover`, `unpack`,
`copy_tree`, `extract_zip`, `submission_hash`, `lesson_root`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "MAX_BYTES",
    "MAX_FILES",
    "Submission",
    "UnsafeSubmission",
    "copy_tree",
    "discover",
    "extract_zip",
    "lesson_root",
    "submission_hash",
    "unpack",
]

MAX_BYTES = 64 << 20  # a submission is a few lesson files: 64 MiB is generous
MAX_FILES = 2000
_SKIP_DIRS = {"__pycache__", "__MACOSX", ".git", ".ipynb_checkpoints"}
_CHUNK = 1 << 16


class UnsafeSubmission(ValueError):
    """A submission that cannot be unpacked safely (too big, escaping paths, ...)."""


@dataclass(frozen=True)
class Submission:
    """One student's hand-in.

    Parameters
    ----------
    name : str
        The student: the folder's name, or the zip file's name without ``.zip``.
    path : Path
        The folder or the zip file.
    """

    name: str
    path: Path

    @property
    def is_zip(self) -> bool:
        """Whether the submission is a zip file (else a folder)."""
        return self.path.is_file()


def discover(
    folder: str | os.PathLike[str], exclude: Iterable[str | os.PathLike[str]] = ()
) -> list[Submission]:
    """List the submissions in ``folder``: its subfolders and ``*.zip`` files.

    Hidden entries (a leading ``.``), ``__MACOSX`` and the paths in ``exclude``
    (such as the output folder, when it sits inside ``folder``) are skipped.

    Parameters
    ----------
    folder : path-like
        The class folder.
    exclude : iterable of path-like
        Entries to leave out.

    Returns
    -------
    list of Submission
        Sorted by student name.

    Raises
    ------
    ValueError
        If ``folder`` is not a folder, or two entries name the same student
        (``alice/`` and ``alice.zip``).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"submissions: expected a folder, got {str(folder)!r}")
    skipped = {Path(p).resolve() for p in exclude}
    found: dict[str, Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
            continue
        if entry.resolve() in skipped or entry.is_symlink():
            continue
        if entry.is_dir():
            name = entry.name
        elif entry.is_file() and entry.suffix.lower() == ".zip":
            name = entry.stem
        else:
            continue
        if name in found:
            raise ValueError(
                f"submissions: {found[name].path.name!r} and {entry.name!r} both "
                f"belong to student {name!r}; keep one of them"
            )
        found[name] = Submission(name, entry)
    return sorted(found.values(), key=lambda s: s.name)


def _member_path(name: str) -> PurePosixPath:
    """Return a zip member's relative path, or raise if it could escape."""
    path = PurePosixPath(name.replace("\\", "/"))
    drive = bool(path.parts) and path.parts[0].endswith(":")  # C:/ on Windows
    if path.is_absolute() or ".." in path.parts or drive or not path.parts:
        raise UnsafeSubmission(f"zip member {name!r} points outside the submission")
    return path


def _check_zip(archive: zipfile.ZipFile, max_bytes: int, max_files: int) -> list:
    """Return the members to extract after checking names, links and sizes."""
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > max_files:
        raise UnsafeSubmission(
            f"the zip holds {len(members)} files; at most {max_files} are accepted"
        )
    total = 0
    for member in members:
        _member_path(member.filename)
        if stat.S_ISLNK(member.external_attr >> 16):
            raise UnsafeSubmission(f"zip member {member.filename!r} is a link")
        total += member.file_size
    if total > max_bytes:
        raise UnsafeSubmission(
            f"the zip unpacks to {total / 2**20:.1f} MiB; "
            f"at most {max_bytes / 2**20:.0f} MiB are accepted"
        )
    return members


def _copy_capped(source, target, budget: int) -> int:
    """Copy a stream to a file; return the bytes left in ``budget``."""
    while chunk := source.read(_CHUNK):
        budget -= len(chunk)
        if budget < 0:  # the size in the zip's directory lied
            raise UnsafeSubmission("the submission is larger than it claims")
        target.write(chunk)
    return budget


def extract_zip(
    zip_path: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    max_bytes: int = MAX_BYTES,
    max_files: int = MAX_FILES,
) -> None:
    """Unpack a zip into ``dest``, refusing anything that is not plain files.

    Raises
    ------
    UnsafeSubmission
        For an absolute or ``..`` member, a link, more than ``max_files``
        files, more than ``max_bytes`` bytes unpacked, or a damaged zip.
    """
    dest = Path(dest)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            budget = max_bytes
            for member in _check_zip(archive, max_bytes, max_files):
                relative = _member_path(member.filename)
                if _SKIP_DIRS.intersection(relative.parts):
                    continue
                target = dest.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, open(target, "wb") as out:
                    budget = _copy_capped(source, out, budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise UnsafeSubmission(f"the zip could not be read: {exc}") from exc


def _walk_files(folder: Path):
    """Yield ``(relative path, path)`` of the regular files under ``folder``."""
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            path = Path(here, name)
            if path.is_symlink() or not path.is_file() or name.endswith(".pyc"):
                continue
            yield path.relative_to(folder).as_posix(), path


def copy_tree(
    folder: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    max_bytes: int = MAX_BYTES,
    max_files: int = MAX_FILES,
) -> None:
    """Copy a folder's regular files into ``dest`` (links and caches are left out).

    Raises
    ------
    UnsafeSubmission
        If the folder holds more than ``max_files`` files or ``max_bytes`` bytes.
    """
    budget, count = max_bytes, 0
    for relative, path in _walk_files(Path(folder)):
        count += 1
        budget -= path.stat().st_size
        if count > max_files or budget < 0:
            raise UnsafeSubmission(
                f"the folder holds more than {max_files} files or "
                f"{max_bytes / 2**20:.0f} MiB"
            )
        target = Path(dest, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def unpack(submission: Submission, dest: str | os.PathLike[str]) -> None:
    """Copy or unzip a submission into the (new or empty) folder ``dest``."""
    Path(dest).mkdir(parents=True, exist_ok=True)
    if submission.is_zip:
        extract_zip(submission.path, dest)
    else:
        copy_tree(submission.path, dest)


def submission_hash(submission: Submission) -> str:
    """Return the SHA-256 of what was handed in (the zip's bytes, or every file)."""
    digest = hashlib.sha256()
    if submission.is_zip:
        files = [("", submission.path)]
    else:
        files = list(_walk_files(submission.path))
    for relative, path in files:
        digest.update(relative.encode() + b"\0")
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def _holds_lessons(folder: Path, modules) -> bool:
    return any(
        (folder / m).is_file() or (folder / PurePosixPath(m).name).is_file()
        for m in modules
    )


def lesson_root(
    folder: str | os.PathLike[str], modules: Iterable[str], depth: int = 3
) -> Path:
    """Return the folder under ``folder`` that holds the lesson files.

    The grader looks for ``weekN/lesson.py`` or a flat ``lesson.py``; a zip of
    the whole ``exercises/`` folder (or of a course folder around it) puts them
    deeper. The shallowest folder that holds any of ``modules`` wins.

    Parameters
    ----------
    folder : path-like
        The unpacked submission.
    modules : iterable of str
        Lesson paths such as ``"week2/diagnostic_metrics.py"``.
    depth : int
        How many levels down to look.

    Returns
    -------
    Path
        That folder, or ``folder`` itself when no lesson file is found (the
        grader then reports every file as missing).
    """
    modules = list(modules)
    level = [Path(folder)]
    for _ in range(depth + 1):
        for candidate in level:
            if _holds_lessons(candidate, modules):
                return candidate
        level = [
            child
            for parent in level
            for child in sorted(parent.iterdir())
            if child.is_dir()
            and not child.is_symlink()
            and child.name not in _SKIP_DIRS
        ]
    return Path(folder)
