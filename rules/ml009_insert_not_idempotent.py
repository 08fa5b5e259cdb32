"""ML009 insert-not-idempotent.

What it does:
    Flags `DB::table(...)->insert(...)` (and `insertGetId`) in a migration that is not guarded
    by a check on that table (`! Schema::hasTable` around the create that precedes it, or a
    query such as `DB::table(...)->where(...)->exists()`). An insert into a table that the
    same method dropped (`dropIfExists`) and re-created first is fine: it starts empty.

Why is this bad?
    A re-run inserts the rows again: duplicate rows, or SQLSTATE[23000] 1062 "Duplicate entry"
    when a unique key exists, which stops the migrator.

Example:
    DB::table('roles')->insert(['name' => 'admin']);

Use instead:
    DB::table('roles')->insertOrIgnore(['name' => 'admin']);
    // or upsert(...) / updateOrInsert([...match...], [...values...])

Fix safety:
    Not fixable: which of insertOrIgnore, upsert or updateOrInsert keeps your data right is the
    author's call.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, in_scope, q

CODE, NAME = "ML009", "insert-not-idempotent"
FIXABLE = False
SUMMARY = "DB::table()->insert() in a migration (use insertOrIgnore/upsert/updateOrInsert)"


def _table_rebuilt_before(migration, ins) -> bool:
    """`Schema::dropIfExists('t'); Schema::create('t', ...); DB::table('t')->insert(...)`:
    every run starts from an empty table, so the insert cannot duplicate rows."""
    return any(op.kind in ("drop", "dropIfExists") and op.span.start < ins.span.start
               and op.ctx.function_id == ins.ctx.function_id and not op.ctx.guards
               and op.table.same(ins.table, case_insensitive=True) for op in migration.ops)


def check(migration, ctx):
    for ins in migration.inserts:
        if not in_scope(ins.ctx, ctx) or ins.ctx.protection or _table_rebuilt_before(migration, ins):
            continue
        # Any check of the rows (`where(...)->exists()`, `doesntExist()`, `count()`) is the
        # author deciding when to insert.
        if ins.ctx.has("table", ins.table, exists=False) or any(
                ins.ctx.has("query", ins.table, exists=polarity) for polarity in (True, False)):
            continue
        yield finding(sys.modules[__name__], migration, ins.span,
                      f"`DB::table({q(ins.table)})->insert()` inserts again on every re-run: use "
                      f"`insertOrIgnore`, `upsert` or `updateOrInsert`", target=ins,
                      statement=ins.statement)
