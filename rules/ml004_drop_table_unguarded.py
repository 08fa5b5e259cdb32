"""ML004 drop-table-unguarded.

What it does:
    Flags `Schema::drop('t')` that is not guarded by a positive `Schema::hasTable('t')`, and
    its Blueprint spelling, `$table->drop()` inside `Schema::table('t', ...)`.

Why is this bad?
    Dropping a table that is already gone fails with SQLSTATE[42S02] 1051 "Unknown table" on
    MariaDB/MySQL ("no such table" on SQLite). That happens on a re-run of a half-applied
    migration and when `down()` runs twice. `Schema::dropIfExists('t')` never fails this way.

Example:
    Schema::drop('tasks');

Use instead:
    Schema::dropIfExists('tasks');
    // inside Schema::table('tasks', ...): $table->dropIfExists();

Fix safety:
    Safe. `dropIfExists` drops the same table when it exists and does nothing otherwise
    (`Blueprint::dropIfExists()` compiles to the same `drop table if exists`).
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, in_scope, non_create_calls, q

CODE, NAME = "ML004", "drop-table-unguarded"
FIXABLE = True
SUMMARY = "Schema::drop instead of Schema::dropIfExists"


def check(migration, ctx):
    for op in migration.ops:
        if op.kind != "drop" or not in_scope(op.ctx, ctx) or op.ctx.protection:
            continue
        if op.ctx.has("table", op.table, exists=True, connection=op.conn):
            continue
        yield finding(sys.modules[__name__], migration, op.span,
                      f"`Schema::drop({q(op.table)})` fails when the table is already gone: "
                      f"use `Schema::dropIfExists({q(op.table)})`", target=op,
                      statement=op.statement)
    for op, call in non_create_calls(migration, ctx, "other"):
        if call.method != "drop" or call.ctx.has("table", op.table, exists=True,
                                                  connection=op.conn):
            continue
        yield finding(sys.modules[__name__], migration, call.span,
                      f"`$table->drop()` of {q(op.table)} fails when the table is already gone: "
                      f"use `$table->dropIfExists()`", target=call, statement=call.statement)


def fix(finding, migration, env):
    from migrate_lint.findings import Edit, Fix

    from migrate_lint.rules._fixing import base_call

    op = finding.extra["target"]
    name = base_call(op.node).child_by_field_name("name")
    if name is None:
        return None
    return Fix("use `dropIfExists`", (Edit(name.start_byte, name.end_byte,
                                           env.render("drop-table-if-exists.php.j2")),))
