"""ML011 read-then-drop.

What it does:
    Flags a query that reads a table's rows (`DB::table('t')->get()`, `->each()`, `->chunk()`,
    `->chunkById()`, `->cursor()`, `->lazy()`, `->pluck()`, or `insertUsing(...)` selecting from
    it) when the same method later drops that table (`Schema::drop('t')`,
    `Schema::dropIfExists('t')`) or renames it away (`Schema::rename('t', 'x')`,
    `$table->rename('x')` in `Schema::table('t', ...)`), unless the read is guarded by
    `Schema::hasTable('t')` or the method makes the table again after the drop (a rebuild:
    `Schema::rename('t_new', 't')`).
    The same for a column: a query that names a column (`where('action', ...)`, `select`,
    `pluck`, `orderBy`, the keys it writes) before the method drops that column
    (`$table->dropColumn('action')`) fails a re-run with "Unknown column", unless it is
    guarded by `Schema::hasColumn` or the method adds the column again after the drop.
    A table or column that an earlier statement of the same method always makes
    (`Schema::create`, an add, a rename to it) is not flagged either: on a re-run that statement
    fails first (ML001, ML002) or makes it again (the scratch-table and temporary-column
    patterns); see ML003 for when a rename counts.

Why is this bad?
    A data migration copies rows out of an old table and then drops it. When anything after
    the drop fails, the migration stays pending; the re-run starts with the read, and the table
    is gone: SQLSTATE[42S02] 1146 "Table 't' doesn't exist" on MariaDB ("no such table" on
    SQLite). Seen in real apps (cachet `MigrateComponentTagTable`, pterodactyl
    `TransferOldTasksToNewScheduler`). The inserts of such a block are reported here, not as
    ML009: the block is what must not run twice.

Example:
    $rows = DB::table('old_tags')->get();
    foreach ($rows as $row) {
        DB::table('tags')->insert(['name' => $row->name]);
    }
    Schema::dropIfExists('old_tags');

Use instead:
    if (Schema::hasTable('old_tags')) {
        $rows = DB::table('old_tags')->get();
        foreach ($rows as $row) {
            DB::table('tags')->insert(['name' => $row->name]);
        }
    }
    Schema::dropIfExists('old_tags');

Fix safety:
    The column form is report-only. For a table: safe when the read and the drop are
    statements of the same block: the fix wraps every
    statement from the read up to the drop in `if (Schema::hasTable('t'))`, so a re-run after
    the drop skips the whole data block. Otherwise report-only.
"""

from __future__ import annotations

import sys

from migrate_lint.model.types import Name
from migrate_lint.rules._common import before, finding, in_scope, made_before, q

CODE, NAME = "ML011", "read-then-drop"
FIXABLE = True
SUMMARY = "a migration reads a table it then drops, without a Schema::hasTable guard"


def dropped_after(migration, item):
    """The first drop or rename away of item's table later in the same method, or None. A
    table the method makes again after it (`Schema::create(t)`, `Schema::rename('t_new', t)`:
    a rebuild) exists on the re-run, so its read does not fail there."""
    for op in migration.ops:
        if _removes(op) and before(item, op) \
                and op.table.same(item.table, case_insensitive=True):
            return None if _remade_after(migration, op) else op
    return None


def _removes(op) -> bool:
    """Schema::drop/dropIfExists(t), Schema::rename(t, x), or `$table->rename(x)` in
    Schema::table(t, ...) (linkace MoveCategoryToListTable): afterwards t is gone."""
    if op.kind in ("drop", "dropIfExists", "rename"):
        return True
    return op.kind == "table" and any(c.category == "rename_table" for c in op.calls)


def _verb(op) -> str:
    if op.kind in ("drop", "dropIfExists"):
        return "drops"
    to = op.to_table or next((c.args[0] for c in op.calls
                              if c.category == "rename_table" and c.args), None)
    return f"renames to {q(to)}" if to is not None else "renames"


def _remade_after(migration, drop) -> bool:
    for op in migration.ops:
        made = op.table if op.kind == "create" else op.to_table if op.kind == "rename" else None
        if made is not None and before(drop, op) and made.same(drop.table, case_insensitive=True):
            return True
    return False


def _column_dropped_after(migration, item, column: str):
    """The first drop of `column` of item's table later in the same method, unless the method
    adds it again after that drop."""
    for op in migration.ops:
        if not op.table.same(item.table, case_insensitive=True):
            continue
        for call in op.calls:
            if call.category == "drop" and before(item, call) and any(
                    c.known and c.value.lower() == column for c in call.columns):
                return None if _readded_after(migration, op, call, column) else call
    return None


def _readded_after(migration, op, drop, column: str) -> bool:
    return any(call.category == "add" and before(drop, call)
               and any(c.known and c.value.lower() == column for c in call.columns)
               for other in migration.ops if other.table.same(op.table, case_insensitive=True)
               for call in other.calls)


def _column_reads(migration, ctx, seen: set):
    """`seen`: the statements already reported (a table read, `->get()->each()`): one
    finding a query."""
    rule = sys.modules[__name__]
    for item in (*migration.reads, *migration.row_deletes, *migration.updates):
        if not in_scope(item.ctx, ctx) or item.ctx.protection:
            continue
        where = _statement_start(item)
        if where in seen:
            continue
        for column in item.columns:
            if item.ctx.has("column", item.table, Name(column, column), exists=True) \
                    or made_before(migration, item, item.table, column):
                continue
            drop = _column_dropped_after(migration, item, column)
            if drop is None:
                continue
            yield finding(rule, migration, item.span,
                          f"uses column {q(item.table)}.'{column}' (`{item.method}`), which "
                          f"this method then drops (line {drop.span.line}): a re-run after "
                          f"the drop fails with 'Unknown column'; guard the data block with "
                          f"`Schema::hasColumn`", target=(item, drop), statement=item.statement,
                          fixable=False)
            seen.add(where)
            break  # one finding a query


def check(migration, ctx):
    tables = list(_table_reads(migration, ctx))
    yield from tables
    yield from _column_reads(migration, ctx,
                             {_statement_start(f.extra["target"][0]) for f in tables})


def _statement_start(item) -> int:
    return (item.statement or item.span).start


def _table_reads(migration, ctx):
    rule = sys.modules[__name__]
    for read in migration.reads:
        if not in_scope(read.ctx, ctx) or read.ctx.protection \
                or read.ctx.has("table", read.table, exists=True):
            continue
        drop = dropped_after(migration, read)
        if drop is None or made_before(migration, read, read.table):
            continue
        yield finding(rule, migration, read.span,
                      f"reads {q(read.table)} (`{read.method}`), which this method then "
                      f"{_verb(drop)} (line {drop.span.line}): a re-run after that fails with "
                      f"'Table doesn't exist'; guard the data block with `Schema::hasTable`",
                      target=(read, drop), statement=read.statement,
                      fixable=_range(migration, read, drop) is not None)


def _range(migration, read, drop):
    from migrate_lint.model.blocks import statements_between

    return statements_between(migration, read.node, drop.node)


def fix(finding, migration, env):
    from migrate_lint.findings import Span
    from migrate_lint.rules._fixing import schema_prefix, table_code, wrap

    read, drop = finding.extra["target"]
    span = _range(migration, read, drop)
    if span is None:
        return None
    return wrap(env, Span(span[0], span[1], 0, 0, 0, 0), "data-block-guard.php.j2",
                "guard the data block with `Schema::hasTable`",
                schema=schema_prefix(drop, False), table=table_code(drop, False))
