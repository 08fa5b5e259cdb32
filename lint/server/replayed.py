"""The server's one door into lint/replay: ML101-ML105 for the open files of a migrations
folder, and a table's replayed state before and after one migration.

The history is the folder on disk with the editor's buffers laid over it (`overlay`), loaded
by the CLI's own `load_history` and folded by its `replay` generator. Findings are built and
suppressed by the same helpers `check_history` uses; only the loop is the server's own, so it
can stop at the last open file instead of folding the rest of the history.
"""

from __future__ import annotations

import os

from migrate_lint.record import record, replace
from migrate_lint.replay import history as hist
from migrate_lint.replay.state import DEFAULT, SchemaState, Table


def load(directory: str, overlay: dict[str, bytes], parsed: dict, given: set[str],
         cache_dir: str | None):
    """The history of one folder. No process pool: the server runs this in a thread."""
    return hist.load_history([directory], given, cache_dir=cache_dir, jobs=1, parsed=parsed,
                             overlay=overlay)


def findings(h, given: set[str], settings) -> dict[str, list]:
    """{path: replay findings} for the given (normalised) paths, suppressions applied."""
    from migrate_lint import rules as catalogue
    from migrate_lint.engine import HISTORY_CODES, _file_ignores

    enabled = set(settings.enabled) & set(HISTORY_CODES)
    found: dict[str, list] = {p: [] for p in given}
    if not enabled:
        return found
    left = set(given)
    ctx = settings.rule_ctx
    downs = set(given) if "ML105" in enabled and ctx.check_down else False
    for s, problems in hist.replay(h, engine=ctx.database, laravel=ctx.laravel_version,
                                   downs=downs, only=set(given)):
        key = os.path.normpath(s.path)
        if key in left:
            found[key] += [hist._finding(p, s, h.sources.get(key)) for p in problems
                           if p.code in enabled]
            left.discard(key)
            if not left:
                break  # later migrations cannot change what happened in these
    if "ML104" in enabled:
        for s, first in hist.duplicate_classes(h):
            key = os.path.normpath(s.path)
            if key in given:
                found[key].append(hist._class_finding(s, first, h.sources.get(key)))
    for key, fs in found.items():
        ignored = _file_ignores(key, settings)
        fs = [_short_paths(f, h.dirs) for f in fs if f.code not in ignored]
        found[key] = hist._unsuppressed(fs, h.comments.get(key, []), catalogue)
    return found


def _short_paths(finding, dirs):
    """Other migrations of the folder by their file name: the server's paths are absolute."""
    message = finding.message
    for d in dirs:
        message = message.replace(os.path.join(d, ""), "")
    return replace(finding, message=message)


@record
class TableAt:
    """A table as the replay knows it just before and just after one migration."""

    connection: str
    before: Table | None
    after: Table | None
    closed: bool = False  # every table is known (a squashed schema): an unknown one is absent
    skipped: bool = False  # the squashed schema records this migration as run


def table_at(h, path: str, connection: str | None, table: str, settings) -> TableAt:
    key = os.path.normpath(path)
    state = hist.initial_state(h)
    summary = next((s for s in h.summaries if os.path.normpath(s.path) == key), None)
    conn = _connection(h, summary, connection)
    closed = state.connection(conn).closed
    before = _copy(state, conn, table)
    if summary is not None and summary.name in h.ran:
        return TableAt(conn, before, before, closed, skipped=True)
    ctx = settings.rule_ctx
    for s, _ in hist.replay(h, state, engine=ctx.database, laravel=ctx.laravel_version):
        if os.path.normpath(s.path) == key:
            return TableAt(conn, before, _copy(state, conn, table), closed)
        before = _copy(state, conn, table)
    return TableAt(conn, before, before, closed)


def _connection(h, summary, named: str | None) -> str:
    name = named if named is not None else (summary.connection if summary else None)
    if name is None or (h.default_name is not None and name == h.default_name):
        return DEFAULT
    return name


def _copy(state: SchemaState, conn: str, table: str) -> Table | None:
    c = state.connections.get(conn)
    t = c.get(table) if c is not None else None
    return t.copy() if t is not None else None
