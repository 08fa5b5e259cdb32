"""`--changed-since REF`: the files added or modified since a git ref (committed, staged,
unstaged and untracked)."""

from __future__ import annotations

import os
import subprocess


class GitError(Exception):
    pass


def normalise(path: str) -> str:
    return os.path.realpath(path)


def _git(args, cwd) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise GitError("--changed-since needs git, which is not installed") from None
    if proc.returncode != 0:
        raise GitError(f"--changed-since: git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def changed_since(ref: str, paths) -> set[str]:
    start = paths[0] if paths else "."
    cwd = start if os.path.isdir(start) else os.path.dirname(os.path.abspath(start)) or "."
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    except GitError:
        raise GitError("--changed-since: not inside a git repository") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except GitError:
        raise GitError(f"{ref} is not in this clone: fetch it, e.g. actions/checkout with "
                       "fetch-depth: 0") from None
    names = _git(["diff", "--name-only", "--diff-filter=ACMR", ref, "--"], top).splitlines()
    names += _git(["ls-files", "--others", "--exclude-standard"], top).splitlines()
    return {normalise(os.path.join(top, n)) for n in names if n}
