"""Baselines: record today's findings, hide exactly those later.

A finding's fingerprint is its code, its file and the normalised text of the offending
statement, plus which occurrence of that statement it is: edits elsewhere in the file and
shifted lines keep it, while a new offending statement gets a new fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter

VERSION = 1


class BaselineError(Exception):
    pass


def project_root(cfg, paths) -> str:
    """Paths in a baseline are relative to the project: the directory holding the config,
    else the git work tree holding the linted paths, else the current directory."""
    if getattr(cfg, "path", None):
        return os.path.realpath(str(cfg.root))
    import subprocess

    first = next((p for p in paths if p != "-"), ".")
    start = first if os.path.isdir(first) else os.path.dirname(os.path.abspath(first))
    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start or ".",
                              capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout.strip():
            return os.path.realpath(proc.stdout.strip())
    except OSError:
        pass
    return os.path.realpath(os.getcwd())


def _key(path: str, root: str | None) -> str:
    full = os.path.realpath(path)
    return os.path.relpath(full, root or os.getcwd()).replace(os.sep, "/")


def fingerprints(findings, root: str | None = None) -> list[str]:
    seen: Counter = Counter()
    out = []
    for f in findings:
        base = (f.code, _key(f.path, root), f.snippet or f.message)
        seen[base] += 1
        raw = "\0".join([*base, str(seen[base])])
        out.append(hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24])
    return out


def write(path: str, findings, root: str | None = None) -> None:
    """Write the baseline atomically; BaselineError (nothing left behind) when it cannot be."""
    import tempfile

    entries = [{"fingerprint": fp, "code": f.code, "path": _key(f.path, root),
                "line": f.span.line, "message": f.message}
               for fp, f in zip(fingerprints(findings, root), findings)]
    data = {"version": VERSION, "tool": "migrate-lint", "findings": entries}
    if os.path.isdir(path):
        raise BaselineError(f"{path}: is a directory; give a file name for the baseline")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise BaselineError(f"{path}: cannot write the baseline: directory {directory} "
                            "does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".migrate-lint-baseline-", suffix=".tmp",
                                   dir=directory)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror}") from None
        raise


def filter_known(path: str, findings, root: str | None = None):
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        known = {entry["fingerprint"] for entry in data["findings"]}
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BaselineError(f"{path}: not a migrate-lint baseline ({exc})") from None
    return [f for fp, f in zip(fingerprints(findings, root), findings) if fp not in known]
