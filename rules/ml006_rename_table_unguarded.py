"""ML006 rename-table-unguarded.

What it does:
    Flags `Schema::rename('a', 'b')` (and `$table->rename('b')` in a Blueprint) unless a guard
    checks that the target `b` does not exist (`! Schema::hasTable('b')`), whether or not it
    also checks that `a` exists. The message says which side is unguarded. A rebuild-and-swap
    is not flagged: earlier in the same method, always, `a` was made by `Schema::create` (or
    is guarded to exist) and `b` dropped (`Schema::create('x_new')`, copy, `Schema::drop('x')`,
    `Schema::rename('x_new', 'x')`); the create and the drop have their own findings.

Why is this bad?
    After the first run `a` is gone, so a re-run fails with SQLSTATE[42S02] 1146 "Table 'a'
    doesn't exist" on MariaDB ("no such table" on SQLite), and the migrator stops. A guard on
    `a` alone is not enough: a real app (speedtest-tracker) guarded
    `Schema::rename('results', 'results_bad_json')` with `hasTable('results')` only; a later
    migration had created a new `results`, so on the re-run both tables existed and the rename
    failed with 1050 "Table already exists".

Example:
    Schema::rename('todos', 'tasks');

Use instead:
    if (Schema::hasTable('todos') && ! Schema::hasTable('tasks')) {
        Schema::rename('todos', 'tasks');
    }

Fix safety:
    Safe. The fix guards on both tables.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import (finding, in_scope, made_before, non_create_calls, q,
                                         table_removed_before)

CODE, NAME = "ML006", "rename-table-unguarded"
FIXABLE = True
SUMMARY = "Schema::rename without hasTable guards"


def _unguarded(ctx_, old, new, conn=None) -> str | None:
    """Why the rename is not protected, or None when the target's absence is checked."""
    if new is not None and ctx_.has("table", new, exists=False, connection=conn):
        return None
    if ctx_.has("table", old, exists=True, connection=conn):
        return (f"is guarded only on {q(old)} existing, not on "
                f"{q(new) if new is not None else 'the new name'} being absent: when both exist "
                f"on a re-run it fails with 'Table already exists'")
    return "is not guarded by `Schema::hasTable`: a re-run fails with \"Table doesn't exist\""


def _swap(migration, later, ctx_, old, new, conn) -> bool:
    """The rebuild-and-swap pattern: earlier in the same method, always, `old` was made
    (Schema::create, or guarded to exist) and `new` dropped: the rename meets both as it needs
    them on a re-run too (the create and the drop have their own findings)."""
    if new is None or not table_removed_before(migration, later, new):
        return False
    return ctx_.has("table", old, exists=True, connection=conn) or made_before(migration, later,
                                                                               old)


def check(migration, ctx):
    rule = sys.modules[__name__]
    for op in migration.ops:
        if op.kind != "rename" or not in_scope(op.ctx, ctx) or op.ctx.protection:
            continue
        why = _unguarded(op.ctx, op.table, op.to_table, op.conn)
        if why is None or _swap(migration, op, op.ctx, op.table, op.to_table, op.conn):
            continue
        new = q(op.to_table) if op.to_table else "?"
        yield finding(rule, migration, op.span, f"`Schema::rename({q(op.table)}, {new})` {why}",
                      target=op, statement=op.statement)
    for op, call in non_create_calls(migration, ctx, "rename_table"):
        new = call.columns[0] if call.columns else None
        why = _unguarded(call.ctx, op.table, new, op.conn)
        if why is None or _swap(migration, call, call.ctx, op.table, new, op.conn):
            continue
        yield finding(rule, migration, call.span,
                      f"`$table->rename({q(new) if new else '?'})` of {q(op.table)} {why}",
                      target=call, statement=call.statement, fixable=False)


def fix(finding, migration, env):
    from migrate_lint.model.names import text
    from migrate_lint.rules._fixing import call_args, schema_prefix, wrap

    op = finding.extra["target"]
    if getattr(op, "kind", None) != "rename" or op.statement is None:
        return None
    args = call_args(op.node)
    if len(args) < 2:
        return None
    return wrap(env, op.statement, "rename-table-guard.php.j2", "guard with `Schema::hasTable`",
                schema=schema_prefix(op, False), old=text(args[0]), new=text(args[1]))
