"""Applies fixes: non-overlapping edits, re-parse, atomic write. The only code that writes
user files.

Fixes are applied in passes: a pass applies every fix whose edits do not overlap another's,
re-lints the result, and goes again (a fix inside a statement that another fix wraps, or an
arrow function turned into a closure, is handled on the next pass). A result that does not
re-parse is never written.
"""

from __future__ import annotations

import contextlib
import difflib
from bisect import bisect_left, bisect_right, insort
import os
import signal
import stat
import tempfile

from migrate_lint.engine import FileResult, lint_source
from migrate_lint.record import field, record

MAX_PASSES = 8


@record
class FixOutcome:
    fixed: int = 0
    diff: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    results: list[FileResult] = field(default_factory=list)
    stdin_output: bytes | None = None


def _fixable(findings):
    return [f for f in findings if f.fixable and "target" in f.extra]


def _edits_for(result, settings, template_dir, used: set):
    from migrate_lint import rules
    from migrate_lint.rules._fixing import FixEnv

    env = FixEnv(result.migration.source, settings.rule_ctx, template_dir)
    catalogue = rules.by_code()
    chosen, taken = [], []
    for finding in sorted(_fixable(result.findings), key=lambda f: f.span.start):
        builder = getattr(catalogue.get(finding.code), "fix", None)
        if builder is None:
            continue
        fix = builder(finding, result.migration, env)
        if fix is None:
            fix = _open_arrow_function(finding, env)
        if fix is None or not fix.edits:
            continue
        ranges = [(e.start, e.end) for e in fix.edits]
        if any(_clashes(r, taken) for r in ranges):
            continue  # the next pass sees it again, in the rewritten text
        for r in ranges:
            insort(taken, r)  # findings come in source order: nearly always an append
        chosen += fix.edits
    used |= env.used_templates
    return chosen


def _open_arrow_function(finding, env):
    """A call inside `fn ($t) => ...` has no statement to wrap: make the arrow function a
    closure first; the next pass guards the call inside it."""
    from migrate_lint.rules._fixing import arrow_to_closure

    op = getattr(finding.extra["target"], "op", None)
    if op is None or op.closure is None or not op.closure.arrow:
        return None
    return arrow_to_closure(env, op, "turn the arrow function into a closure")


def preview(results, settings, template_dir=None, errors: list | None = None) -> dict:
    """id(finding) -> Fix for each fixable finding, computed without writing (SARIF).
    A template that cannot render is appended to errors as (path, reason)."""
    from migrate_lint import rules
    from migrate_lint.rules._fixing import FixEnv, TemplateProblem

    catalogue = rules.by_code()
    out = {}
    for result in results:
        if result.migration is None or result.migration.error is not None:
            continue
        env = FixEnv(result.migration.source, settings.rule_ctx, template_dir)
        for finding in _fixable(result.findings):
            builder = getattr(catalogue.get(finding.code), "fix", None)
            try:
                fix = builder(finding, result.migration, env) if builder else None
            except TemplateProblem as exc:
                if errors is not None and (result.path, str(exc)) not in errors:
                    errors.append((result.path, str(exc)))
                fix = None
            if fix is not None and fix.edits:
                out[id(finding)] = fix
    return out


def _clashes(r, taken: list) -> bool:
    """Whether range r overlaps one of taken, a sorted list of ranges whose interiors are
    disjoint (so their ends are sorted too): only the neighbours around r need a look."""
    i = bisect_left(taken, r)
    j = i - 1
    while j >= 0 and taken[j][1] >= r[0]:
        if _overlaps(r, taken[j]):
            return True
        j -= 1
    j = i
    while j < len(taken) and taken[j][0] <= r[1]:
        if _overlaps(r, taken[j]):
            return True
        j += 1
    return False


def _overlaps(a, b) -> bool:
    if a[0] == a[1] or b[0] == b[1]:  # insertions only clash when inside the other range
        return b[0] < a[0] < b[1] or a[0] < b[0] < a[1]
    return a[0] < b[1] and b[0] < a[1]


def apply_edits(data: bytes, edits) -> bytes:
    out, pos = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(data[pos:edit.start])
        out.append(edit.text.encode("utf-8", "surrogateescape"))
        pos = edit.end
    out.append(data[pos:])
    return b"".join(out)


def fix_source(result: FileResult, settings, template_dir=None):
    """(new bytes, findings fixed, templates used) for one linted file."""
    data = result.migration.source.data
    current, used = result, set()
    before = len(_fixable(result.findings))
    for _ in range(MAX_PASSES):
        edits = _edits_for(current, settings, template_dir, used)
        if not edits:
            break
        data = apply_edits(data, edits)
        current = lint_source(result.path, data, settings, keep_model=True)
        if current.migration.error is not None:
            break
    return data, max(0, before - len(_fixable(current.findings))), used, current


@contextlib.contextmanager
def _signals_held():
    mask = getattr(signal, "pthread_sigmask", None)  # not on Windows
    blocked = mask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if mask else None
    try:
        yield
    finally:
        if mask:
            mask(signal.SIG_SETMASK, blocked)


def write_atomic(path: str, data: bytes) -> None:
    mode = stat.S_IMODE(os.stat(path).st_mode)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        # A signal is delivered when a system call returns: blocked while mkstemp creates the
        # file, it lands once `tmp` is known, inside this try, which removes the file.
        with _signals_held():
            fd, tmp = tempfile.mkstemp(prefix=".migrate-lint-", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            if tmp is not None:
                os.unlink(tmp)
        except OSError:
            pass
        raise


def _writable(path: str) -> str | None:
    try:
        st = os.stat(path)
    except OSError as exc:
        return exc.strerror
    # Root may write anywhere: a file without write bits is still the user's "do not touch".
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        return "file is read-only; not fixed"
    return None


def _terminate(signum, frame):
    # SIGTERM kills Python without unwinding; as an exception it lets a write in progress
    # remove its temporary file. Finished files are already complete (atomic rename).
    raise SystemExit(128 + signum)


def run(results, settings, cfg, write: bool, stdin: bool = False) -> FixOutcome:
    previous = signal.signal(signal.SIGTERM, _terminate) if write else None
    try:
        return _run(results, settings, cfg, write, stdin)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(results, settings, cfg, write: bool, stdin: bool) -> FixOutcome:
    from migrate_lint import parse
    from migrate_lint.rules._fixing import TemplateProblem
    from migrate_lint.rules.templates_env import is_user_template

    outcome = FixOutcome()
    template_dir = str(cfg.template_dir) if getattr(cfg, "template_dir", None) else None
    diffs = []
    for result in results:
        migration = result.migration
        if migration is None or migration.error is not None or not _fixable(result.findings):
            outcome.results.append(result)
            continue
        original = migration.source.data
        try:
            new, count, used, relinted = fix_source(result, settings, template_dir)
        except TemplateProblem as exc:
            outcome.errors.append((result.path, f"{exc}; file not written"))
            outcome.results.append(result)
            continue
        if new == original:
            outcome.results.append(result)
            continue
        if parse.first_error(parse.parse(new)) is not None:
            mine = sorted(n for n in used if is_user_template(template_dir, n))
            why = (f"template {', '.join(mine)} from template-dir rendered invalid PHP" if mine
                   else "internal error: the fixed file does not parse")
            outcome.errors.append((result.path, f"{why}; file not written"))
            outcome.results.append(result)
            continue
        if stdin and result.path == "-" or (stdin and result is results[0]):
            outcome.stdin_output = new
        elif write:
            problem = _writable(result.path)
            if problem:
                outcome.errors.append((result.path, problem))
                outcome.results.append(result)
                continue
            try:
                write_atomic(result.path, new)
            except OSError as exc:
                outcome.errors.append((result.path, f"cannot write: {exc.strerror}"))
                outcome.results.append(result)
                continue
        diffs.append("".join(difflib.unified_diff(
            original.decode("utf-8", "replace").splitlines(keepends=True),
            new.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"a/{result.path}", tofile=f"b/{result.path}")))
        outcome.fixed += count
        outcome.results.append(relinted)
    outcome.diff = "".join(d if d.endswith("\n") else d + "\n" for d in diffs)
    return outcome


def fix_diff(data: bytes, fix, path: str, context: int = 2, line_starts=None) -> str:
    """The unified diff one fix makes on its own (a preview: nothing is written). Only the lines
    the edits touch, with their context, are compared: the diff of the whole file, faster.
    `line_starts` (Source.line_starts) spares a count of the lines before them in a big file."""
    from migrate_lint.unified_diff import unified_diff

    if line_starts is None:
        from migrate_lint.source import Source

        line_starts = Source(path, data).line_starts
    lo = min(e.start for e in fix.edits)
    hi = max(e.end for e in fix.edits)
    top = max(0, bisect_right(line_starts, lo) - 1 - context)
    bottom = bisect_right(line_starts, hi) + context  # the line after the region
    first = line_starts[top]
    last = line_starts[bottom] if bottom < len(line_starts) else len(data)
    region = data[first:last]
    moved = [type(e)(e.start - first, e.end - first, e.text) for e in fix.edits]
    new = apply_edits(region, moved)
    return unified_diff(region.decode("utf-8", "replace").splitlines(keepends=True),
                        new.decode("utf-8", "replace").splitlines(keepends=True),
                        f"a/{path}", f"b/{path}", n=context, offset=top)
