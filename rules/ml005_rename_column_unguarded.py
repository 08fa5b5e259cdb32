"""ML005 rename-column-unguarded.

What it does:
    Flags `$table->renameColumn('a', 'b')` in `Schema::table` unless a guard checks that the
    target `b` does not exist (`! Schema::hasColumn('t', 'b')`), whether or not it also checks
    that `a` exists. The message says which side is unguarded.

Why is this bad?
    After the first run `a` is gone and `b` exists, so a re-run fails: MariaDB says
    SQLSTATE[42S22] 1054 "Unknown column 'a'", SQLite "no such column". A guard on `a` alone is
    not enough: when `a` exists again on the re-run (the same migration re-adds it after the
    rename, or a later one did), the rename runs into the existing `b` and fails with 1060
    "Duplicate column name".

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->renameColumn('prio', 'priority');
    });

Use instead:
    Schema::table('tasks', function (Blueprint $table) {
        if (Schema::hasColumn('tasks', 'prio') && ! Schema::hasColumn('tasks', 'priority')) {
            $table->renameColumn('prio', 'priority');
        }
    });

Fix safety:
    Safe. The fix guards on both: `a` exists and `b` does not.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, non_create_calls, q

CODE, NAME = "ML005", "rename-column-unguarded"
FIXABLE = True
SUMMARY = "renameColumn without hasColumn guards"


def check(migration, ctx):
    for op, call in non_create_calls(migration, ctx, "rename"):
        if len(call.columns) < 2:
            continue
        old, new = call.columns[:2]
        if call.ctx.has("column", op.table, new, exists=False, connection=op.conn):
            continue
        if call.ctx.has("column", op.table, old, exists=True, connection=op.conn):
            why = (f"is guarded only on {q(old)} existing, not on {q(new)} being absent: when "
                   f"{q(old)} exists again on a re-run it fails with 'Duplicate column name'")
        else:
            why = ("is not guarded by `Schema::hasColumn`: a re-run fails with 'Unknown column'")
        yield finding(sys.modules[__name__], migration, call.span,
                      f"`renameColumn({q(old)}, {q(new)})` on {q(op.table)} {why}",
                      target=call, statement=call.statement)


def fix(finding, migration, env):
    from migrate_lint.rules._fixing import (base_call, call_args, call_table_code, quote_of,
                                            schema_prefix, wrap)
    from migrate_lint.model.names import text

    call = finding.extra["target"]
    args = call_args(base_call(call.node))
    if call.statement is None or len(args) < 2:
        return None
    return wrap(env, call.statement, "rename-column-guard.php.j2",
                "guard with `Schema::hasColumn`", schema=schema_prefix(call.op, True),
                table=call_table_code(call, quote_of(call.node, call.op.node)),
                old=text(args[0]), new=text(args[1]))
