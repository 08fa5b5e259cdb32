"""verify's logic: run each migration of a history under real Laravel and judge each step.

For each migration, in Laravel's order: `up` (a failure here means "not runnable", e.g. code
that needs the full application: reported, not a finding), `up` again, `down`, `down` again,
then `up` once more to restore the state after the first `up` before the next migration.
A second `up` or a `down` that fails is an ML201 finding with Laravel's own error.
It only ever runs them on a database it created, or on one the user calls disposable
(scratch.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_METHOD = re.compile(rb"function\s+(up|down)\s*\(")


class VerifyError(Exception):
    pass


def migration_files(paths) -> list[str]:
    files = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files += [str(f) for f in p.glob("*_*.php") if f.is_file()]
        elif p.is_file():
            files.append(str(p))
        else:
            raise VerifyError(f"{given}: no such file or directory")
    return sorted(files, key=lambda f: (Path(f).stem, f))


def _method_span(path: str, method: str):
    from migrate_lint.source import Source

    data = Path(path).read_bytes()
    source = Source(path, data)
    for m in _METHOD.finditer(data):
        if m.group(1).decode() == method:
            return source.span(m.start(), m.end())
    return source.span(0, 0)


def _finding(path, method, step):
    from migrate_lint.findings import Finding
    from migrate_lint.rules import ml201_not_rerunnable as rule

    error = step.error or "unknown error"
    if step.sqlstate and "SQLSTATE" not in error:
        error = f"SQLSTATE[{step.sqlstate}] {error}"
    message = f"{method}() fails when run again under Laravel: {error}"
    return Finding(code=rule.CODE, rule=rule.NAME, path=path, span=_method_span(path, method),
                   message=message, severity="error", snippet=f"{rule.CODE} {method}")


def verify_files(files, db, autoload=None, notes=None):
    """Findings for the migrations that are not re-runnable; notes for the ones not runnable."""
    from migrate_lint.dynamic import oracle

    findings = []
    for path in files:
        first = oracle.run_steps(path, ["up"], db, autoload=autoload)
        if first.error or not first.ok:
            reason = first.error or (first.failure.error if first.failure else "unknown error")
            if notes is not None:
                notes.append(f"{path}: not runnable here (first up failed): {reason}")
            continue
        rest = oracle.run_steps(path, ["up", "down", "down", "up"], db, autoload=autoload,
                                keep_going=True)
        for step, method in zip(rest.steps, ["up", "down", "down"]):
            if not step.ok:
                findings.append(_finding(path, method, step))
                break
    return findings
