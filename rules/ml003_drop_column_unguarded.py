"""ML003 drop-column-unguarded.

What it does:
    Flags `dropColumn`/`dropColumns`/`dropTimestamps`/`dropSoftDeletes`/`dropMorphs`/
    `dropRememberToken`/`dropConstrainedForeignId` and `Schema::dropColumns(...)` without a
    positive `Schema::hasColumn` guard on a column it drops. A column that an earlier
    statement of the same method always adds (a temporary column: add, copy, drop) is not
    flagged: on a re-run that add fails first (ML002) or adds it again, and under ML002's guard
    it is there either way. A column renamed to counts only when the method adds the old name
    again before the drop (`category` -> `category_v3`, add `category`, drop `category_v3`):
    a rename guarded by --fix is skipped when neither name exists. An add in a branch, loop or
    try of its own, on another table or connection, or dropped in between does not count.

Why is this bad?
    A re-run (or a run on a database where someone already removed the column) fails with
    SQLSTATE[42000] 1091 "Can't DROP COLUMN `c`; check that it exists" on MariaDB/MySQL, and
    with Doctrine's ColumnDoesNotExist on SQLite under Laravel 8. The migrator stops there.

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->dropColumn('priority');
    });

Use instead:
    Schema::table('tasks', function (Blueprint $table) {
        if (Schema::hasColumn('tasks', 'priority')) {
            $table->dropColumn('priority');
        }
    });

Fix safety:
    Safe. For array forms the fix keeps ONE `dropColumn` call over the columns that still exist
    (Laravel 8 on SQLite throws when one Blueprint has several dropColumn calls), and skips it
    when none exists. A computed argument (`$columns`, `$this->columns`, `self::COLUMNS`,
    `array_merge(...)`, a spread) may hold one name or several, so the fix filters
    `(array) $expr` the same way instead of passing it to `Schema::hasColumn` (which throws a
    TypeError on an array). Every argument shape is executed under Laravel in the tests.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding, in_scope, made_before, non_create_calls, q

CODE, NAME = "ML003", "drop-column-unguarded"
FIXABLE = True
SUMMARY = "column dropped without a Schema::hasColumn guard"


def _guarded(ctx_, table, columns, conn=None) -> bool:
    if not columns:
        return ctx_.has("column", table, None, exists=True, connection=conn)
    return any(ctx_.has("column", table, c, exists=True, connection=conn) for c in columns)


def _filtered_variable(call) -> bool:
    # `$columns = array_filter([...], fn ($c) => Schema::hasColumn(...))` resolves to that
    # expression; dropping `$columns` only drops what exists (the fixer writes this form).
    return bool(call.columns) and all("hasColumn(" in c.expr for c in call.columns)


def _made_before(migration, item, table, columns) -> bool:
    """Every column dropped was added (or renamed to) earlier in the same method by a
    statement that always runs first: a temporary column (`bigIncrements('id')`, copy, drop).
    That add fails first on a re-run (ML002) or makes the column again."""
    return bool(columns) and all(c.known for c in columns) and all(
        made_before(migration, item, table, c.value.lower()) for c in columns)


def check(migration, ctx):
    rule = sys.modules[__name__]
    for op in migration.ops:
        if op.kind == "dropColumns" and in_scope(op.ctx, ctx) and not op.ctx.protection \
                and not _guarded(op.ctx, op.table, op.columns, op.conn) \
                and not (op.columns and all("hasColumn(" in c.expr for c in op.columns)) \
                and not _made_before(migration, op, op.table, op.columns):
            cols = ", ".join(q(c) for c in op.columns) or "columns"
            yield finding(rule, migration, op.span,
                          f"`Schema::dropColumns({q(op.table)})` drops {cols} without a "
                          f"`Schema::hasColumn` guard: a re-run fails with \"Can't DROP\"",
                          target=op, statement=op.statement)
    for op, call in non_create_calls(migration, ctx, "drop"):
        if _guarded(call.ctx, op.table, call.columns, op.conn) or _filtered_variable(call) \
                or _made_before(migration, call, op.table, call.columns):
            continue
        cols = ", ".join(q(c) for c in call.columns) or "columns"
        yield finding(rule, migration, call.span,
                      f"`{call.method}()` drops {cols} from {q(op.table)} without a "
                      f"`Schema::hasColumn` guard: a re-run fails with \"Can't DROP\"",
                      target=call, statement=call.statement, fixable=_can_fix(call))


def _can_fix(call) -> bool:
    if call.statement is None or not call.columns:
        return False
    own_values = not call.shared or _literal_args(call)
    return (own_values and all(c.known for c in call.columns)) or _array_code(call) is not None


def _literal_args(call) -> bool:
    from migrate_lint.model.names import array_items
    from migrate_lint.rules._fixing import base_call, call_args, is_literal

    args = call_args(base_call(call.node))
    flat = [i for a in args for i in (array_items(a) if array_items(a) is not None else [a])]
    return bool(flat) and all(is_literal(a) for a in flat)


def _array_code(call) -> str | None:
    """PHP code for the array of columns `dropColumn` is given, when not all literals: one
    argument may hold a name or an array (`$columns`, `self::COLS`, `array_merge(...)`), so
    it is cast with `(array)`; several arguments (or a spread) are names, gathered in `[...]`.
    Passing an array to `Schema::hasColumn` throws a TypeError in Laravel."""
    from migrate_lint.rules._fixing import base_call

    if call.method not in ("dropColumn", "dropColumns"):
        return None
    arguments = base_call(call.node).child_by_field_name("arguments")
    args = [a for a in (arguments.named_children if arguments is not None else [])
            if a.type != "comment"]
    if not args:
        return None
    values = [_argument_code(a) for a in args]
    if len(args) == 1 and not values[0].startswith("..."):
        return values[0] if values[0].startswith("[") else f"(array) {values[0]}"
    return "[" + ", ".join(values) + "]"


def _argument_code(arg) -> str:
    """An argument's value as PHP code: a named argument's value, a spread kept as `...$x`."""
    from migrate_lint.model.names import text

    if arg.type == "argument":
        spread = any(c.type == "..." for c in arg.children)
        value = arg.named_children[-1] if arg.named_children else arg
        return ("..." if spread else "") + text(value)
    return text(arg)


# Drops that keep their own call under a guard on all their columns (they do more than drop
# columns: dropMorphs drops its index, dropConstrainedForeignId its foreign key).
KEEP_CALL = {"dropMorphs", "dropConstrainedForeignId", "dropConstrainedForeignIdFor",
             "dropSoftDeletes", "dropSoftDeletesTz", "dropRememberToken"}


def fix(finding, migration, env):
    from migrate_lint.rules._fixing import (call_table_code, php_string, quote_of,
                                            schema_prefix, table_code, wrap)

    target = finding.extra["target"]
    if target.statement is None:
        return None
    if getattr(target, "kind", None) == "dropColumns":  # Schema::dropColumns('t', [...])
        op = target
        if not op.columns or not all(c.known for c in op.columns):
            return None
        quote = quote_of(op.node)
        table = table_code(op, False, quote)
        schema = schema_prefix(op, False)
        call_text = f"{schema}dropColumns({table}, $existingColumns)"
        return _existing(env, target.statement, schema, table,
                         "[" + ", ".join(php_string(c.value, quote) for c in op.columns) + "]",
                         call_text)
    call = target
    op = call.op
    quote = quote_of(call.node, op.node)
    schema, table = schema_prefix(op, True), call_table_code(call, quote)
    # In a shared body (a helper method) the blueprint is the body's own variable.
    drop_call = f"{call.var if call.shared else op.closure.param}->dropColumn($existingColumns)"
    # In a shared body a value bound by one call site is not the code's own.
    own_values = not call.shared or _literal_args(call)
    if not call.columns:
        return None
    if not all(c.known for c in call.columns) or not own_values:
        # A computed argument may hold several names: drop the ones that exist.
        array = _array_code(call)
        if array is None:
            return None
        return _existing(env, call.statement, schema, table, array, drop_call)
    codes = [php_string(c.value, quote) for c in call.columns]
    if len(codes) == 1 or call.method in KEEP_CALL:
        return wrap(env, call.statement, "drop-column-guard.php.j2",
                    "guard with `Schema::hasColumn`", schema=schema, table=table, columns=codes)
    # One dropColumn over the columns that still exist: Laravel 8 on SQLite throws when one
    # Blueprint has several dropColumn calls.
    return _existing(env, call.statement, schema, table, "[" + ", ".join(codes) + "]",
                     drop_call)


def _existing(env, span, schema, table, array, drop_call):
    from migrate_lint.findings import Edit, Fix

    from migrate_lint.rules._fixing import trailing_comment_end

    indent = env.source.indent_at(span.start)
    end = trailing_comment_end(env.source, span.end)
    comment = env.source.data[span.end:end].decode("utf-8", "surrogateescape")
    rendered = env.render("drop-existing-columns.php.j2", schema=schema, table=table,
                          columns=array, drop_call=drop_call, indent=indent, comment=comment)
    return Fix("drop only the columns that exist", (Edit(span.start, end, rendered),))
