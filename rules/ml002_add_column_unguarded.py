"""ML002 add-column-unguarded.

What it does:
    Flags a Blueprint call that adds a column inside `Schema::table` (not `Schema::create`)
    without a negative `Schema::hasColumn`/`hasColumns` guard on each column it adds.
    Modifiers on the added column (`->unique()`, `->index()`, `->constrained()`) belong to
    the add. Multi-column helpers (`timestamps`, `softDeletes`, `morphs`, `rememberToken`, ...)
    need a guard on every column they add. A column that an earlier statement of the same
    method always drops first is not flagged (the drop is ML003's); in ONE Blueprint the drop
    does not count before Laravel 11.15, which runs a Blueprint's column adds first.

Why is this bad?
    This is the staging incident: a migration re-added `priority`, MySQL raised
    SQLSTATE[42S21] 1060 "Duplicate column name 'priority'", and Laravel's migrator stopped
    there, leaving that migration half-applied and every later migration pending. Since
    Laravel 11.15 MySQL gets one `ALTER TABLE ... ADD` per column (SQLite always did), so one
    closure can be half-applied: guard each column, not the closure.
    `! Schema::hasColumns('t', ['a', 'b'])` is true when ANY column is missing, so it only
    guards a one-column list.

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->string('priority')->nullable();
    });

Use instead:
    Schema::table('tasks', function (Blueprint $table) {
        if (! Schema::hasColumn('tasks', 'priority')) {
            $table->string('priority')->nullable();
        }
    });

Fix safety:
    Safe. Each added column gets its own guard inside the closure (the closure runs before any
    SQL is sent, so the check sees the table as it was). `timestamps*`, `softDeletes*` and
    `rememberToken` are expanded into per-column calls with Laravel's exact definitions.
    `morphs*` and `id` are never expanded (their column types depend on runtime settings such
    as `morphUsingUuids()`): they are guarded on all of their columns, so a half-applied one
    (one column present, the other missing) is skipped and needs a hand repair.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import column_dropped_before, finding, non_create_calls, q

CODE, NAME = "ML002", "add-column-unguarded"
FIXABLE = True
SUMMARY = "column added to an existing table without a Schema::hasColumn guard"


def unguarded_columns(op, call, migration=None, ctx=None):
    missing = []
    for column in call.columns:
        if call.ctx.has("column", op.table, column if column.known or column.expr else None,
                        exists=False, table_fallback=True, connection=op.conn):
            continue
        if migration is not None and column_dropped_before(migration, op, call, column, ctx):
            continue
        missing.append(column)
    if not call.columns and not call.ctx.has("column", op.table, None, exists=False,
                                             table_fallback=True, connection=op.conn):
        return [None]
    return missing


def check(migration, ctx):
    for op, call in non_create_calls(migration, ctx, "add"):
        missing = unguarded_columns(op, call, migration, ctx)
        if not missing:
            continue
        names = ", ".join(q(c) for c in missing if c is not None) or "a column"
        plural = "columns" if len(missing) > 1 else "column"
        yield finding(sys.modules[__name__], migration, call.span,
                      f"{plural} {names} added to {q(op.table)} by `{call.method}()` without a "
                      f"`Schema::hasColumn` guard: a re-run fails with 'Duplicate column name'",
                      target=call, statement=call.statement, fixable=_can_fix(call))


def _can_fix(call) -> bool:
    closure = call.op.closure
    if closure is None or not column_codes(call):
        return False
    return call.statement is not None or closure.arrow


# Laravel's own definitions of the two-column helpers, expanded so each column is guarded.
EXPANSIONS = {
    "timestamps": "timestamp",
    "nullableTimestamps": "timestamp",
    "timestampsTz": "timestampTz",
    "nullableTimestampsTz": "timestampTz",
    "datetimes": "dateTime",
}


def column_codes(call, quote: str = "'") -> list[str]:
    from migrate_lint.model import blueprint as bp
    from migrate_lint.model.names import text
    from migrate_lint.rules._fixing import base_call, call_args, is_literal, php_string

    args = call_args(base_call(call.node))
    named = args[1] if call.method == "addColumn" and len(args) > 1 else (args[0] if args else None)
    out = []
    for i, column in enumerate(call.columns):
        # In a shared body a value bound by one call site is not the code's own.
        if column.known and (not call.shared or named is None or is_literal(named)
                             or call.method in bp.FIXED_COLUMNS):
            out.append(php_string(column.value, quote))
        elif call.method in bp.MORPHS and args:
            out.append(f"{text(args[0])} . {php_string('_type' if i == 0 else '_id', quote)}")
        elif call.method == "addColumn" and len(args) > 1:
            out.append(text(args[1]))
        elif args and call.method != "foreignIdFor":
            out.append(text(args[0]))
        else:
            return []
    return out


def _expanded(env, call, table, schema, quote):
    """`$table->timestamps()` -> one guarded `$table->timestamp('created_at')->nullable()` each."""
    from migrate_lint.findings import Edit, Fix
    from migrate_lint.model.names import text
    from migrate_lint.rules._fixing import (base_call, call_args, php_string, reindent,
                                            trailing_comment_end)

    source = env.source
    indent = source.indent_at(call.statement.start)
    extra = "".join(", " + text(a) for a in call_args(base_call(call.node)))
    param = call.op.closure.param
    end = trailing_comment_end(source, call.statement.end)
    comment = source.data[call.statement.end:end].decode("utf-8", "surrogateescape")  # stays on the last line
    blocks = []
    for column in ("created_at", "updated_at"):
        name = php_string(column, quote)
        statement = f"{param}->{EXPANSIONS[call.method]}({name}{extra})->nullable();"
        if column == "updated_at":
            statement += comment
        blocks.append(env.render("add-column-guard.php.j2", schema=schema, table=table,
                                 columns=[name], indent=indent,
                                 statement=reindent(statement, indent, env.indent_unit)))
    joined = (env.newline + indent).join(blocks)
    return Fix(f"guard each column of `{call.method}()`",
               (Edit(call.statement.start, end, joined),))


def fix(finding, migration, env):
    from migrate_lint.rules._fixing import (arrow_to_closure, call_table_code, quote_of,
                                            schema_prefix, table_code, wrap)

    call = finding.extra["target"]
    op = call.op
    if op.closure is None:
        return None
    quote = quote_of(call.node, op.node)
    codes = column_codes(call, quote)
    if not codes:
        return None
    if op.closure.arrow:
        # An arrow function holds one expression: guard the whole statement for one column,
        # else turn it into a closure so each column gets its own guard on the next pass.
        if len(codes) == 1 and op.statement is not None:
            return wrap(env, op.statement, "add-column-guard.php.j2",
                        "guard with `Schema::hasColumn`", schema=schema_prefix(op, False),
                        table=table_code(op, False, quote), columns=codes)
        return arrow_to_closure(env, op, "turn the arrow function into a closure")
    if call.statement is None:
        return None
    schema, table = schema_prefix(op, True), call_table_code(call, quote)
    if call.method in EXPANSIONS and not call.modifiers:
        return _expanded(env, call, table, schema, quote)
    return wrap(env, call.statement, "add-column-guard.php.j2", "guard with `Schema::hasColumn`",
                schema=schema, table=table, columns=codes)
