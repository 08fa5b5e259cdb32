"""ML002 add-column-unguarded.

What it does:
    Flags a Blueprint call that adds a column inside `Schema::table` (not `Schema::create`)
    without a negative `Schema::hasColumn`/`hasColumns` guard on each column it adds.
    Modifiers on the added column (`->unique()`, `->index()`, `->constrained()`) belong to
    the add. Multi-column helpers (`timestamps`, `softDeletes`, `morphs`, `rememberToken`, ...)
    need a guard on every column they add.

Why is this bad?
    This is the staging incident: a migration re-added `priority`, MySQL raised
    SQLSTATE[42S21] 1060 "Duplicate column name 'priority'", and Laravel's migrator stopped
    there, leaving that migration half-applied and every later migration pending. Since
    Laravel 11.15 MySQL gets one `ALTER TABLE ... ADD` per column (SQLite always did), so one
    closure can be half-applied: guard each column, not the closure.
    `! Schema::hasColumns('t', ['a', 'b'])` is true when ANY column is missing, so it only
    guards a one-column list.

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->string('priority')->nullable();
    });

Use instead:
    Schema::table('tasks', function (Blueprint $table) {
        if (! Schema::hasColumn('tasks', 'priority')) {
            $table->string('priority')->nullable();
        }
    });

Fix safety:
    Safe. Each added column gets its own guard inside the closure (the closure runs before any
    SQL is sent, so the check sees the table as it was). `timestamps*`, `softDeletes*` and
    `rememberToken` are expanded into per-column calls with Laravel's exact definitions.
    `morphs*` and `id` are never expanded (their column types depend on runtime settings such
    as `morphUsingUuids()`): they are guarded on all of their columns, so a half-applied one
    (one column present, the other missing) is skipped and needs a hand repair.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, non_create_calls, q

CODE, NAME = "ML002", "add-column-unguarded"
FIXABLE = True
SUMMARY = "column added to an existing table without a Schema::hasColumn guard"


def unguarded_columns(op, call):
    missing = []
    for column in call.columns:
        if call.ctx.has("column", op.table, column if column.known or column.expr else None,
                        exists=False, table_fallback=True):
            continue
        missing.append(column)
    if not call.columns and not call.ctx.has("column", op.table, None, exists=False,
                                             table_fallback=True):
        return [None]
    return missing


def check(migration, ctx):
    for op, call in non_create_calls(migration, ctx, "add"):
        missing = unguarded_columns(op, call)
        if not missing:
            continue
        names = ", ".join(q(c) for c in missing if c is not None) or "a column"
        plural = "columns" if len(missing) > 1 else "column"
        yield finding(sys.modules[__name__], migration, call.span,
                      f"{plural} {names} added to {q(op.table)} by `{call.method}()` without a "
                      f"`Schema::hasColumn` guard: a re-run fails with 'Duplicate column name'",
                      target=call, statement=call.statement)
