"""ML007 add-index-unguarded.

What it does:
    Flags standalone `index`/`unique`/`primary`/`fullText`/`spatialIndex`/`rawIndex`/`foreign`
    calls in `Schema::table` (an existing table) without an index or foreign-key existence
    guard. `hasIndex`/`hasForeignKey` (and `whenTableDoesntHaveIndex`) take an index NAME or an
    array of columns: a guard counts only when it names the index the call creates (its
    explicit name, else Laravel's `{table}_{columns}_{type}`) or lists its columns in order.
    `hasIndex('tasks', 'priority')` looks for an index named `priority` and guards nothing; so
    does a name with capitals (Laravel lower-cases the names it reads, then compares with
    `===`). A table prefix may lead the generated name (`x_tasks_priority_index`).
    An index on a column that the same guarded block adds (under
    `! Schema::hasColumn(...)`) is fine: the column, and so its index, is new. Index modifiers on
    an added column (`$table->string('x')->unique()`) belong to ML002. An index that an earlier
    call of the same method always drops first (by name, by its columns, or by dropping its
    columns; the same Blueprint counts, its commands run in order; or by raw SQL, `ALTER TABLE
    t DROP FOREIGN KEY|INDEX IF EXISTS name`) is not flagged: the drop is ML010's. A drop in a loop over a literal list of tables (`foreach (['a', 'b'] as $t)`,
    `collect([...])->each(...)`, `array_map(..., [...])`) drops it on each listed table.
    An index on a table the same method just made new is not flagged: a `Schema::create` after
    an always-run drop of that table, or a rename of such a table onto a dropped name (the
    rebuild-and-swap pattern). A create under `! Schema::hasTable` (or one --fix will guard)
    may keep the old table with its indexes: that one does not count.

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

from migrate_lint.rules._common import (finding, fresh_table_before, index_dropped_before,
                                         non_create_calls, q)

CODE, NAME = "ML007", "add-index-unguarded"
FIXABLE = True
SUMMARY = "index or foreign key added without an existence guard"


INDEX_MODIFIERS = {"index", "unique", "primary", "fullText", "fulltext", "spatialIndex"}


def _index_calls(migration, ctx):
    yield from non_create_calls(migration, ctx, "index")
    # `$table->string('x')->unique()->change()` adds an index to a column that exists already.
    # Read as Laravel's addFluentIndexes reads it (blueprint.fluent_index, as the replay does):
    # `->index(null)` adds none, `->unique(false)->change()` drops one.
    from migrate_lint.model.blueprint import fluent_index

    for op, call in non_create_calls(migration, ctx, "change"):
        if INDEX_MODIFIERS & set(call.modifiers):
            found = fluent_index(call)
            if found is not None and not found[2]:
                yield op, call


def _guarded(op, call) -> bool:
    """A negative existence check on this table's indexes that names this index."""
    for g in call.ctx.guards_on(op.table, op.conn):
        if g.exists:
            continue
        if g.kind == "table":  # a table that does not exist yet has no indexes
            return True
        if g.kind == "index" and _names_this_index(g.key, op, call):
            return True
    return False


def _names_this_index(key, op, call) -> bool:
    """hasIndex's argument (a name, or ("cols", (...))) against the index call creates; a key or
    a call the code does not spell out is given the benefit of the doubt."""
    from migrate_lint.model import blueprint as bp

    named = call.args[1] if call.category == "index" and len(call.args) > 1 else None
    if isinstance(key, tuple) and key[0] == "colsexpr":
        # A lookup compared an index's columns with this code (lint/model/lookups.py): it
        # names the index added on the columns the same code holds, and no other.
        return call.category == "index" and len(call.columns) == 1 \
            and not call.columns[0].known and call.columns[0].expr == key[1]
    if isinstance(key, tuple) and key[0] == "expr":
        # `hasIndex($t, $field)` guarding `index($field)`: the column is the key, not the name
        return not (len(call.columns) == 1 and call.columns[0].expr == key[1]
                    and (named is None or named.expr == "null"))
    if key is None or (isinstance(key, tuple) and key[0] != "cols"):
        return True  # Doctrine's index list
    if not call.columns or not all(c.known for c in call.columns):
        return True
    cols = [c.value.lower() for c in call.columns]
    if isinstance(key, tuple):  # Laravel compares the column list with ===: order counts
        return [c.lower() for c in key[1]] == cols
    if call.category == "change":
        # `->index('n')->change()` names its index `n` (Blueprint::addFluentIndexes)
        kind, explicit, _ = bp.fluent_index(call) or ("index", None, False)
        if explicit == "?":
            return True
    else:
        kind = bp.INDEX_KIND.get(call.method, "index")
        if named is not None and not named.known and named.expr != "null":
            return True
        explicit = named.value if named is not None and named.known else None
    if not op.table.known and explicit is None:
        return True
    names = {bp.index_name(op.table.value if op.table.known else None, cols, kind)}
    if explicit:
        names.add(explicit.lower())
    if kind == "primary":
        names.add("primary")  # MySQL/MariaDB and SQLite report every primary key so
    if kind != "foreign" and key != key.lower():
        return False  # Laravel lower-cases the index names it reads, then compares with ===
    wanted = key.lower()
    # a table prefix lengthens Laravel's generated name: `x_tasks_priority_index`
    return any(wanted == n or wanted.endswith("_" + n) for n in names)


def check(migration, ctx):
    from migrate_lint.rules._index_fix import call_text, not_fixable_reason

    for op, call in _index_calls(migration, ctx):
        if _guarded(op, call):
            continue
        if any(call.ctx.has("column", op.table, c, exists=False, connection=op.conn)
               for c in call.columns if c.known):
            continue
        if index_dropped_before(migration, op, call) or fresh_table_before(migration, call,
                                                                            op.table):
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
