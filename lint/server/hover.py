"""Hover text: a rule's documentation on its finding, and the replayed state of a table or
column named in a migration (who created it, which columns it has, before and after this
migration)."""

from __future__ import annotations

import os
import re

from migrate_lint.record import record
from migrate_lint.replay.state import MAYBE, NO, YES

_QUOTED = re.compile(rb"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")


def rule_docs(findings, offset: int) -> str | None:
    """Markdown: each finding under the cursor with its rule's page (`--explain`)."""
    from migrate_lint import docs, rules

    under = [f for f in findings if f.span.start <= offset <= max(f.span.end, f.span.start + 1)]
    if not under:
        return None
    parts, seen = [], set()
    for f in sorted(under, key=lambda f: f.sort_key()):
        parts.append(f"**{f.code}** {f.message}")
        rule = rules.by_code().get(f.code)
        if rule is not None and f.code not in seen:
            seen.add(f.code)
            parts.append(docs.render(rule))
    return "\n\n".join(parts)


@record
class Target:
    """A table (and maybe a column) named by a string literal under the cursor."""

    table: str
    column: str | None
    connection: str | None  # a literal `Schema::connection('x')`, else the migration's
    start: int
    end: int


def target_at(migration, offset: int) -> Target | None:
    """The table or column whose quoted name is under the cursor, read from the model."""
    word = _literal_at(migration.source, offset)
    if word is None:
        return None
    value, start, end = word
    inside = [op for op in migration.ops if op.span.start <= start and end <= op.span.end]
    for op in sorted(inside, key=lambda op: op.span.end - op.span.start):
        table = op.table.value
        conn = _literal(op.connection)
        for call in op.calls:
            if call.span.start <= start and end <= call.span.end and table and any(
                    c.value == value for c in call.columns):
                return Target(table, value, conn, start, end)
        if table and any(c.value == value for c in op.columns):
            return Target(table, value, conn, start, end)
        for name in (op.table, op.to_table):
            if name is not None and name.value == value:
                return Target(value, None, conn, start, end)
    for insert in migration.inserts:
        if insert.span.start <= start and end <= insert.span.end and insert.table.value == value:
            return Target(value, None, None, start, end)
    return None


def _literal(text: str | None) -> str | None:
    if text and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return None


def _literal_at(source, offset: int):
    line = source.line_of(offset)
    start = source.line_starts[line - 1]
    end = source.line_starts[line] if line < len(source.line_starts) else len(source.data)
    for m in _QUOTED.finditer(source.data, start, end):
        if m.start() <= offset <= m.end():
            raw = m.group()[1:-1]
            if b"\\" in raw or b"$" in raw:
                return None  # escapes or interpolation: not a plain name
            return raw.decode("utf-8", errors="replace"), m.start(), m.end()
    return None


_WORD = {YES: "exists", NO: "does not exist", MAYBE: "may or may not exist"}


def _where(origin) -> str:
    if origin is None:
        return ""
    return f"{os.path.basename(origin.path)}:{origin.line}"


def _table_line(t, closed: bool) -> str:
    if t is None:
        return ("does not exist" if closed
                else "not created by an earlier migration (it may exist outside them)")
    text = _WORD[t.status]
    if t.status == NO and t.removed_by is not None:
        text += f" (dropped or renamed by {_where(t.removed_by)})"
    elif t.origin is not None:
        text += f" (created by {_where(t.origin)})"
    elif t.status != NO:
        text += " (it existed before these migrations)"
    return text


def _columns(t) -> str:
    if t is None or t.status == NO:
        return ""
    cols = [c for c in t.columns.values() if c.status != NO]
    shown = ", ".join(f"`{c.name}`" + (" (maybe)" if c.status == MAYBE else "") for c in cols)
    more = "" if t.complete else (" and columns the replay cannot name" if cols
                                  else "columns the replay cannot name")
    text = f"columns: {shown}{more}" if shown or more else "columns: none"
    if t.notes:
        text += "  \n" + "  \n".join(f"_{n}_" for n in t.notes[:3])
    return text


def _column_line(t, name: str, closed: bool) -> str:
    if t is None:
        return "unknown: the table " + _table_line(t, closed)
    status = t.column_status(name)
    text = _WORD[status]
    col = t.column(name)
    if col is not None and col.origin is not None:
        verb = "added" if col.status != NO else "dropped"
        text += f" ({verb} by {_where(col.origin)})"
    return text


def state_markdown(target: Target, at) -> str:
    """at: replayed.TableAt for the migration being edited."""
    conn = "" if at.connection == "default" else f" on connection `{at.connection}`"
    if target.column is None:
        title = f"**table `{target.table}`**{conn}, replayed"
        rows = [f"before this migration: {_table_line(at.before, at.closed)}"]
        if at.before is not None and _columns(at.before):
            rows.append(_columns(at.before))
        rows.append(f"after it: {_table_line(at.after, at.closed)}")
        if at.after is not None and _columns(at.after) and _columns(at.after) != _columns(
                at.before):
            rows.append(_columns(at.after))
    else:
        title = f"**column `{target.table}.{target.column}`**{conn}, replayed"
        rows = [f"before this migration: {_column_line(at.before, target.column, at.closed)}",
                f"after it: {_column_line(at.after, target.column, at.closed)}"]
    if at.skipped:
        rows.append("_the squashed schema records this migration as run: Laravel skips it_")
    return title + "\n\n" + "  \n".join(rows)
