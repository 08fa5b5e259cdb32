"""ML003 drop-column-unguarded.

What it does:
    Flags `dropColumn`/`dropColumns`/`dropTimestamps`/`dropSoftDeletes`/`dropMorphs`/
    `dropRememberToken`/`dropConstrainedForeignId` and `Schema::dropColumns(...)` without a
    positive `Schema::hasColumn` guard on a column it drops.

Why is this bad?
    A re-run (or a run on a database where someone already removed the column) fails with
    SQLSTATE[42000] 1091 "Can't DROP COLUMN `c`; check that it exists" on MariaDB/MySQL, and
    with Doctrine's ColumnDoesNotExist on SQLite under Laravel 8. The migrator stops there.

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->dropColumn('priority');
    });

Use instead:
    Schema::table('tasks', function (Blueprint $table) {
        if (Schema::hasColumn('tasks', 'priority')) {
            $table->dropColumn('priority');
        }
    });

Fix safety:
    Safe. For array forms the fix keeps ONE `dropColumn` call over the columns that still exist
    (Laravel 8 on SQLite throws when one Blueprint has several dropColumn calls), and skips it
    when none exists.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, in_scope, non_create_calls, q

CODE, NAME = "ML003", "drop-column-unguarded"
FIXABLE = True
SUMMARY = "column dropped without a Schema::hasColumn guard"


def _guarded(ctx_, table, columns) -> bool:
    if not columns:
        return ctx_.has("column", table, None, exists=True)
    return any(ctx_.has("column", table, c, exists=True) for c in columns)


def _filtered_variable(call) -> bool:
    # `$columns = array_filter([...], fn ($c) => Schema::hasColumn(...))` resolves to that
    # expression; dropping `$columns` only drops what exists (the fixer writes this form).
    return bool(call.columns) and all("hasColumn(" in c.expr for c in call.columns)


def check(migration, ctx):
    rule = sys.modules[__name__]
    for op in migration.ops:
        if op.kind == "dropColumns" and in_scope(op.ctx, ctx) and not op.ctx.protection \
                and not _guarded(op.ctx, op.table, op.columns):
            cols = ", ".join(q(c) for c in op.columns) or "columns"
            yield finding(rule, migration, op.span,
                          f"`Schema::dropColumns({q(op.table)})` drops {cols} without a "
                          f"`Schema::hasColumn` guard: a re-run fails with \"Can't DROP\"",
                          target=op, statement=op.statement)
    for op, call in non_create_calls(migration, ctx, "drop"):
        if _guarded(call.ctx, op.table, call.columns) or _filtered_variable(call):
            continue
        cols = ", ".join(q(c) for c in call.columns) or "columns"
        yield finding(rule, migration, call.span,
                      f"`{call.method}()` drops {cols} from {q(op.table)} without a "
                      f"`Schema::hasColumn` guard: a re-run fails with \"Can't DROP\"",
                      target=call, statement=call.statement)
