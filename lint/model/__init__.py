"""The migration model: plain data built from one file's syntax tree."""

from __future__ import annotations

from migrate_lint.model.types import (BlueprintCall, Closure, Comment, Context, Guard, Insert,
                                      Migration, Name, RawSql, SchemaOp, SqlStatement)
from migrate_lint.source import Source

__all__ = ["build", "BlueprintCall", "Closure", "Comment", "Context", "Guard", "Insert",
           "Migration", "Name", "RawSql", "SchemaOp", "SqlStatement"]


def undecodable(data: bytes) -> str | None:
    # PHP reads source as bytes: a Latin-1 (any non-UTF-8) file runs, so it is linted.
    if b"\0" in data[:8192]:
        return "binary file (NUL bytes)"
    return None


def build(path: str, data: bytes, summary_only: bool = False) -> Migration:
    """Parse one file and build its model. A file that is not PHP text gets `error` set.
    summary_only: only what the replay's summary reads (see Builder.build)."""
    from migrate_lint import parse as parsing
    from migrate_lint.model.builder import Builder

    source = Source(path, data)
    migration = Migration(path=path, source=source)
    problem = undecodable(data)
    if problem is not None:
        migration.error = source.span(0, 0)
        migration.error_message = f"cannot lint: {problem}"
        return migration
    tree = parsing.parse(data)
    migration.tree = tree
    bad = parsing.first_error(tree)
    if bad is not None:
        migration.error = source.node_span(bad)
        if bad.is_missing:
            what = f"missing `{bad.type}`"
        else:
            snippet = bad.text.decode("utf-8", errors="replace").split("\n")[0].strip()[:30]
            what = f"unexpected `{snippet}`" if snippet else "unexpected end of file"
        migration.error_message = f"syntax error: {what}; the file's other rules were skipped"
        return migration
    Builder(migration, tree).build(summary_only)
    return migration
