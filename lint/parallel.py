"""Lints many files: in this process for a few, across a process pool for many."""

from __future__ import annotations

from migrate_lint.engine import lint_path


def lint_all(files, settings, jobs=None, keep_model=False, use_cache=True):
    return [lint_path(f, settings, keep_model) for f in files]
