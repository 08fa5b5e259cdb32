"""ML010 drop-index-unguarded.

What it does:
    Flags `dropIndex`/`dropUnique`/`dropPrimary`/`dropForeign`/`dropFullText`/
    `dropSpatialIndex`/`renameIndex` in `Schema::table` without an existence guard: a positive
    index/foreign-key check, or a positive `Schema::hasColumn` on a column the index covers
    (the usual `if (Schema::hasColumn(...)) { dropForeign; dropColumn; }` pattern), unless
    the drop sits in a `try`/`rescue()` inside the Blueprint closure: that says the key may be
    gone while the column is not, and such a try catches nothing (the closure only records
    the drop; it runs after the closure returned).

Why is this bad?
    Dropping an index that is gone fails with SQLSTATE[42000] 1091 "Can't DROP 'x'; check that
    it exists" on MariaDB/MySQL. A re-run of a half-applied migration, or `down()` run twice,
    stops the migrator there.

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->dropIndex(['priority']);
    });

Use instead (Laravel 10.43+):
    Schema::table('tasks', function (Blueprint $table) {
        if (Schema::hasIndex('tasks', ['priority'])) {
            $table->dropIndex(['priority']);
        }
    });

Fix safety:
    The same version rules as ML007: indexes need `Schema::hasIndex` (10.43+), foreign keys
    `Schema::hasForeignKey` (13.10+); otherwise report-only. A name is checked lower-cased, as
    the database reports it; a list of columns as given. A foreign key dropped by its columns
    (`dropForeign(['user_id'])`) is guarded by its columns everywhere; dropped by name, it is
    guarded by name only when `database` is mysql, mariadb, pgsql or sqlsrv, and report-only
    otherwise: SQLite reports no foreign-key names, so a guard by name would never let the
    drop run there. `dropPrimary('name')` checks for the key MySQL/MariaDB/SQLite call
    `primary` (by name on pgsql/sqlsrv), and needs `database` set; `dropForeignIdFor` and
    `dropPrimary()` are report-only.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, non_create_calls, q

CODE, NAME = "ML010", "drop-index-unguarded"
FIXABLE = True
SUMMARY = "index or foreign key dropped without an existence guard"


def _column_guarded(call, op) -> bool:
    if call.ctx.inert_try:
        # `try { $table->dropForeign([...]); } catch ...` inside the closure: the author expects
        # the key may be gone while the column is still there (a half-applied first run); the
        # try catches nothing there (the SQL runs after the closure), and neither does the
        # column guard.
        return False
    names = [a.value.lower() for a in call.args if a.known]
    names += [c.value.lower() for c in call.columns if c.known]
    for g in call.ctx.guards_on(op.table):
        if g.kind != "column" or not g.exists or g.column is None:
            continue
        if g.column.known:
            col = g.column.value.lower()
            if any(col == n or col in n for n in names):
                return True
        elif any(g.column.same(n) for n in (*call.columns, *call.args)):
            return True  # `hasColumn($t, $column)` and `dropForeign([$column])`, as ML003 reads it
    return False


def check(migration, ctx):
    from migrate_lint.rules._index_fix import call_text, not_fixable_reason

    for op, call in non_create_calls(migration, ctx, "drop_index"):
        if call.ctx.has("index", op.table, exists=True) or _column_guarded(call, op):
            continue
        why = not_fixable_reason(call, ctx)
        yield finding(sys.modules[__name__], migration, call.span,
                      f"`{call_text(call)}` on {q(op.table)} has no existence guard: a "
                      f"re-run fails with \"Can't DROP ...; check that it exists\""
                      + (f"; {why}" if why else ""),
                      target=call, statement=call.statement, fixable=why is None)


def fix(finding, migration, env):
    from migrate_lint.rules._index_fix import index_fix

    return index_fix(finding, env, "drop-index-guard.php.j2")
