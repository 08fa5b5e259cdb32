"""ML001 create-table-unguarded.

What it does:
    Flags `Schema::create('t', ...)` that is not guarded by a negative `Schema::hasTable('t')`
    on the same table (an enclosing `if (! Schema::hasTable('t'))`, an earlier
    `if (Schema::hasTable('t')) { return; }`, or `Schema::dropIfExists('t')` just before it).

Why is this bad?
    Laravel records a migration only after `up()` returns, and MySQL/MariaDB commit DDL at once.
    If anything later in the migration fails, the table stays while the migration stays
    pending: the next `migrate` runs `up()` again and stops at
    SQLSTATE[42S01] 1050 "Table 't' already exists" (SQLite: 'table "t" already exists'),
    blocking every migration after it.

Example:
    Schema::create('tasks', function (Blueprint $table) {
        $table->id();
    });

Use instead:
    if (! Schema::hasTable('tasks')) {
        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
        });
    }

Fix safety:
    Safe. The fix wraps the statement in the guard; when the table already exists the create is
    skipped, which is what a re-run needs. A table that exists with a different shape is not
    repaired: compare with `migrate-lint schema`.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, in_scope, q, table_dropped_before

CODE, NAME = "ML001", "create-table-unguarded"
FIXABLE = True
SUMMARY = "Schema::create without a Schema::hasTable guard"


def check(migration, ctx):
    for op in migration.ops:
        if op.kind != "create" or not in_scope(op.ctx, ctx) or op.ctx.protection:
            continue
        if op.ctx.has("table", op.table, exists=False, connection=op.conn) \
                or table_dropped_before(migration, op):
            continue
        yield finding(sys.modules[__name__], migration, op.span,
                      f"`Schema::create({q(op.table)})` is not guarded by "
                      f"`Schema::hasTable({q(op.table)})`: a re-run fails with "
                      f"'table already exists'", target=op, statement=op.statement)


def fix(finding, migration, env):
    from migrate_lint.rules._fixing import schema_prefix, table_code, wrap

    op = finding.extra["target"]
    if op.statement is None:
        return None
    return wrap(env, op.statement, "create-table-guard.php.j2",
                "guard with `Schema::hasTable`", schema=schema_prefix(op, False),
                table=table_code(op, False))
