"""ML007 add-index-unguarded.

What it does:
    Flags standalone `index`/`unique`/`primary`/`fullText`/`spatialIndex`/`rawIndex`/`foreign`
    calls in `Schema::table` (an existing table) without an index or foreign-key existence
    guard. An index on a column that the same guarded block adds (under
    `! Schema::hasColumn(...)`) is fine: the column, and so its index, is new. Index modifiers on
    an added column (`$table->string('x')->unique()`) belong to ML002. An index that an earlier
    call of the same method always drops first (by name, by its columns, or by dropping its
    columns; the same Blueprint counts, its commands run in order) is not flagged: the drop is
    ML010's.

Why is this bad?
    Adding an index that exists fails with SQLSTATE[42000] 1061 "Duplicate key name" on
    MariaDB/MySQL ("index ... already exists" on SQLite); a duplicate foreign key fails with
    errno 121 "Duplicate key on write or update". The migrator stops there.

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->index('priority');
    });

Use instead (Laravel 10.43+):
    Schema::table('tasks', function (Blueprint $table) {
        if (! Schema::hasIndex('tasks', ['priority'])) {
            $table->index('priority');
        }
    });

Fix safety:
    Fixable only when the project's Laravel version has the helper: indexes need
    `Schema::hasIndex` (10.43+), foreign keys `Schema::hasForeignKey` (13.10+). The version comes
    from `laravel-version` in the config or from composer.lock. Otherwise report-only: guard by
    hand (for example through Doctrine's `listTableIndexes`).
    Both helpers compare with `===` against what the database reports, so the guard names an
    index the way the database reports it: an explicit name lower-cased (Laravel lower-cases
    the names it reads), otherwise the column list (a computed one cast with `(array)`).
    Primary and foreign keys are always guarded by their columns: MySQL/MariaDB call every
    primary key `primary`, and SQLite reports no foreign-key names. Every guard shape is
    executed under Laravel in the tests, up and down, twice.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, index_dropped_before, non_create_calls, q

CODE, NAME = "ML007", "add-index-unguarded"
FIXABLE = True
SUMMARY = "index or foreign key added without an existence guard"


INDEX_MODIFIERS = {"index", "unique", "primary", "fullText", "fulltext", "spatialIndex"}


def _index_calls(migration, ctx):
    yield from non_create_calls(migration, ctx, "index")
    # `$table->string('x')->unique()->change()` adds an index to a column that exists already.
    for op, call in non_create_calls(migration, ctx, "change"):
        if INDEX_MODIFIERS & set(call.modifiers):
            yield op, call


def check(migration, ctx):
    from migrate_lint.rules._index_fix import call_text, not_fixable_reason

    for op, call in _index_calls(migration, ctx):
        if call.ctx.has("index", op.table, exists=False, table_fallback=True, connection=op.conn):
            continue
        if any(call.ctx.has("column", op.table, c, exists=False, connection=op.conn)
               for c in call.columns if c.known):
            continue
        if index_dropped_before(migration, op, call):
            continue
        what = "a foreign key" if call.method == "foreign" else "an index"
        if call.category == "index":
            shown, why = call_text(call), not_fixable_reason(call, ctx)
        else:  # `->unique()->change()`: the index comes with a changed column, not fixed
            shown = ", ".join(q(c) for c in call.columns)
            shown, why = f"{call.method}({shown})", None
        yield finding(sys.modules[__name__], migration, call.span,
                      f"`{shown}` adds {what} to {q(op.table)} without an existence guard: a "
                      f"re-run fails with 'Duplicate key name'" + (f"; {why}" if why else ""),
                      target=call, statement=call.statement,
                      fixable=call.category == "index" and why is None)


def fix(finding, migration, env):
    from migrate_lint.rules._index_fix import index_fix

    return index_fix(finding, env, "add-index-guard.php.j2")
