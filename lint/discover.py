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


def discover(paths: list[str], exclude: list[str] = (), root: Path | None = None):
    """Returns (files in Laravel order, [(path, reason)] for paths that cannot be read)."""
    root = (root or Path.cwd()).resolve()
    files: dict[str, None] = {}
    errors: list[tuple[str, str]] = []
    for given in paths:
        if not os.path.lexists(given):
            errors.append((given, "no such file or directory"))
            continue
        if os.path.isdir(given):
            for dirpath, dirnames, filenames in os.walk(given, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS
                                     and not _excluded(os.path.join(dirpath, d), exclude, root))
                for name in filenames:
                    full = os.path.join(dirpath, name)
                    if name.endswith(".php") and not os.path.isdir(full) \
                            and not _excluded(full, exclude, root):
                        files[full] = None
        elif os.path.exists(given):
            if not _excluded(given, exclude, root):
                files[given] = None
        else:
            errors.append((given, "broken symbolic link"))
    ordered = sorted(files, key=lambda p: (os.path.basename(p)[:-4] if p.endswith(".php")
                                           else os.path.basename(p), p))
    return ordered, errors
