"""ML005 rename-column-unguarded.

What it does:
    Flags `$table->renameColumn('a', 'b')` in `Schema::table` without a guard that `a` exists
    (`Schema::hasColumn('t', 'a')`) or that `b` does not (`! Schema::hasColumn('t', 'b')`).

Why is this bad?
    After the first run `a` is gone and `b` exists, so a re-run fails: MariaDB says
    SQLSTATE[42S22] 1054 "Unknown column 'a'", SQLite "no such column". Either guard makes the
    re-run skip the rename.

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
        if call.ctx.has("column", op.table, old, exists=True, connection=op.conn) or \
                call.ctx.has("column", op.table, new, exists=False, connection=op.conn):
            continue
        yield finding(sys.modules[__name__], migration, call.span,
                      f"`renameColumn({q(old)}, {q(new)})` on {q(op.table)} is not guarded by "
                      f"`Schema::hasColumn`: a re-run fails with 'Unknown column'",
                      target=call, statement=call.statement)


def fix(finding, migration, env):
    from migrate_lint.rules._fixing import (base_call, call_args, quote_of, schema_prefix,
                                            table_code, wrap)
    from migrate_lint.model.names import text

    call = finding.extra["target"]
    args = call_args(base_call(call.node))
    if call.statement is None or len(args) < 2:
        return None
    return wrap(env, call.statement, "rename-column-guard.php.j2",
                "guard with `Schema::hasColumn`", schema=schema_prefix(call.op, True),
                table=table_code(call.op, True, quote_of(call.node, call.op.node)),
                old=text(args[0]), new=text(args[1]))
