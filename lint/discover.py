"""Which files to lint: paths, directories, excludes, and Laravel's order (by base name)."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

SKIP_DIRS = {"vendor", "node_modules", ".git", ".migrate-lint-cache"}


def _excluded(path: str, patterns: list[str], root: Path) -> bool:
    if not patterns:
        return False
    candidates = {path, os.path.basename(path)}
    try:
        candidates.add(Path(path).resolve().relative_to(root).as_posix())
    except ValueError:
        pass
    return any(fnmatch.fnmatch(c, p) or fnmatch.fnmatch(c, p.rstrip("/") + "/*")
               for c in candidates for p in patterns)


def discover(paths: list[str], exclude: list[str] = (), root: Path | None = None,
             depend=None):
    """Returns (files in Laravel order, [(path, reason)] for paths that cannot be read).
    depend(path), when given, is told each path and directory looked at, before it is."""
    root = (root or Path.cwd()).resolve()
    files: dict[str, str] = {}  # path -> base name without .php: Laravel's order
    errors: list[tuple[str, str]] = []
    depend = depend or (lambda path: None)
    for given in paths:
        depend(given)
        if not os.path.lexists(given):
            errors.append((given, "no such file or directory"))
            continue
        if os.path.isdir(given):
            _walk(given, exclude, root, files, depend)
        elif os.path.exists(given):
            if not _excluded(given, exclude, root):
                name = os.path.basename(given)
                files[given] = name[:-4] if name.endswith(".php") else name
        else:
            errors.append((given, "broken symbolic link"))
    return sorted(files, key=lambda p: (files[p], p)), errors


def _walk(top: str, exclude, root: Path, files: dict, depend) -> None:
    """*.php under top, as os.walk(followlinks=False) finds them, with one scandir per
    directory and no stat per file."""
    stack = [top]
    while stack:
        directory = stack.pop()
        depend(directory)
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError:
            continue  # as os.walk: a directory we cannot list is skipped
        for e in entries:
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if e.name not in SKIP_DIRS and not e.is_symlink() \
                        and not _excluded(e.path, exclude, root):
                    stack.append(e.path)
            elif e.name.endswith(".php") and not _excluded(e.path, exclude, root):
                files[e.path] = e.name[:-4]
