"""ML009 insert-not-idempotent.

What it does:
    Flags `DB::table(...)->insert(...)` (and `insertGetId`) in a migration that is not guarded
    by a check on that table (`! Schema::hasTable` around the create that precedes it, or a
    query that runs the insert only when rows are absent, such as `if (! DB::table(...)
    ->where(...)->exists())`, also of a parent table before an early return). A check that
    rows exist (`if (! DB::table('users')->where(...)->exists()) continue;`) holds again on a
    re-run and does not count. An insert into a table that the same method dropped (`dropIfExists`) and re-created
    first, or emptied first (`truncate()`, `delete()`), is fine. `insertOrIgnore`, `upsert` and
    `updateOrInsert` are never flagged.

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

from migrate_lint.rules._common import before, finding, in_scope, q, runs_whenever

CODE, NAME = "ML009", "insert-not-idempotent"
FIXABLE = False
SUMMARY = "DB::table()->insert() in a migration (use insertOrIgnore/upsert/updateOrInsert)"


def _table_rebuilt_before(migration, ins) -> bool:
    """`Schema::dropIfExists('t'); Schema::create('t', ...); DB::table('t')->insert(...)`:
    every run starts from an empty table, so the insert cannot duplicate rows."""
    return any(op.kind in ("drop", "dropIfExists")
               and (op.order, op.span.start) < (ins.order, ins.span.start)
               and op.ctx.function_id == ins.ctx.function_id and not op.ctx.guards
               and op.table.covers(ins.table) for op in migration.ops)


def _emptied_before(migration, ins) -> bool:
    """`DB::table('t')->truncate()` or `->where(...)->delete()` always runs before the insert:
    a re-run removes the rows it inserts again."""
    return any(d.table.covers(ins.table) and before(d, ins)
               and runs_whenever(d, ins) for d in migration.row_deletes)


def _copied_from_dropped_table(migration, ins) -> bool:
    """The insert copies rows out of a table this method drops afterwards (read before it, or
    guarded by that table's existence): ML011 names that cause."""

    sources = [r for r in migration.reads if before(r, ins)]
    sources += [g for g in ins.ctx.guards if g.kind == "table" and g.exists and g.table]
    for src in sources:
        table = src.table
        if any(op.kind in ("drop", "dropIfExists") and before(ins, op)
               and op.table.same(table, case_insensitive=True) for op in migration.ops):
            return True
    return False


def check(migration, ctx):
    for ins in migration.inserts:
        if not in_scope(ins.ctx, ctx) or ins.ctx.protection or _table_rebuilt_before(migration, ins) \
                or _emptied_before(migration, ins) or _copied_from_dropped_table(migration, ins):
            continue
        # A check that rows are absent (`where(...)->doesntExist()`, `! ...->first()`, an early
        # return when they exist), of this table or of the one the data hangs on, is the author
        # inserting only once. A check that rows exist (`if (! users->exists()) continue;`)
        # holds again on a re-run: it does not stop the insert repeating.
        if ins.ctx.has("table", ins.table, exists=False) or any(
                g.kind == "query" and not g.exists for g in ins.ctx.guards):
            continue
        yield finding(sys.modules[__name__], migration, ins.span,
                      f"`DB::table({q(ins.table)})->insert()` inserts again on every re-run: use "
                      f"`insertOrIgnore`, `upsert` or `updateOrInsert`", target=ins,
                      statement=ins.statement)
