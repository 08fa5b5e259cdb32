"""Plain data the rules read: no tree-sitter node types are interpreted outside lint/model."""

from __future__ import annotations

from typing import Any

from migrate_lint.findings import Span
from migrate_lint.record import field, record


@record(frozen=True)
class Name:
    """A table/column/index name: its literal value when known, else the expression's text."""

    value: str | None
    expr: str
    # A loop variable over a literal list (lint/model/loops.py): each of these values in turn.
    each: tuple[str, ...] = field(default=(), compare=False)

    @property
    def known(self) -> bool:
        return self.value is not None

    def display(self) -> str:
        return self.value if self.value is not None else self.expr

    def same(self, other: "Name | None", case_insensitive: bool = False) -> bool:
        if other is None:
            return False
        if self.value is not None and other.value is not None:
            if case_insensitive:
                return self.value.lower() == other.value.lower()
            return self.value == other.value
        if self.value is None and other.value is None:
            return self.expr == other.expr
        return False

    def covers(self, other: "Name | None") -> bool:
        """What happens to self happens to other: the same name (case-insensitively), or self
        a loop variable naming other on one of its turns. A loop variable as other is covered
        when each of its values is (two loops may use the same variable name)."""
        if other is None:
            return False
        if other.each:
            return all(self.covers(literal(v)) for v in other.each)
        if self.each:
            return other.known and other.value.lower() in (v.lower() for v in self.each)
        return self.same(other, case_insensitive=True)


def literal(value: str) -> Name:
    return Name(value, repr(value))


@record(frozen=True)
class Guard:
    """An existence check known to hold where an operation runs: one literal the operation's
    condition implies (lint/model/conditions.py).

    kind: "table" | "column" | "index" | "query". `table is None` means "some table we could
    not name" and matches any table (used for index checks through Doctrine and the like).
    connection: None for the migration's default connection (plain `Schema::`), else the
    connection's name or its code. key: an index guard's raw key (a name, or ("cols", (...))).
    """

    kind: str
    table: Name | None
    column: Name | None
    exists: bool
    connection: object = None
    key: object = None


_GUARD_KIND = {"table": "table", "column": "column", "index": "index", "foreign": "index",
               "rows": "query"}


def decode_name(value) -> Name | None:
    """A condition atom's table/column slot as a model Name."""
    if value is None:
        return None
    if isinstance(value, tuple):
        if value[0] == "cols":
            return Name(None, "[" + ",".join(value[1]) + "]")
        return Name(None, value[1])
    return literal(value)


def encode_name(name: Name | None):
    """A model Name as a condition atom's slot: its value, else ("expr", code)."""
    if name is None:
        return None
    return name.value if name.value is not None else ("expr", name.expr)


def guards_of(cond: tuple) -> tuple[Guard, ...]:
    from migrate_lint.model.conditions import implied

    out = []
    for atom, holds in implied(cond):
        if atom[0] != "has" or atom[1] not in _GUARD_KIND:
            continue
        _, kind, conn, table, name, _extra = atom
        out.append(Guard(_GUARD_KIND[kind], decode_name(table), decode_name(name), holds, conn,
                         name if kind in ("index", "foreign") else None))
    # Stable order: the same source always gives the same guards.
    return tuple(sorted(out, key=repr))


@record
class Context:
    """Where a statement runs: its method, the condition it runs under, what protects it."""

    method: str
    cond: tuple = ("true",)
    protection: str | None = None  # "try/catch" | "rescue()" | None
    function_id: int = 0  # innermost method/function node id (for "earlier in the same method")
    try_id: int = 0  # the try statement or rescue() call that catches a failure here (0: none)
    # A try/catch or rescue() around a Blueprint call inside its closure: it catches nothing
    # (the SQL runs after the closure returned), but it says the author expects the object
    # may already be gone.
    inert_try: str | None = None
    _guards: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def guards(self) -> tuple[Guard, ...]:
        if self._guards is None:
            self._guards = guards_of(self.cond)
        return self._guards

    def has(self, kind: str, table: Name | None, column: Name | None = None, exists: bool = False,
            table_fallback: bool = False, connection=None) -> bool:
        for g in self.guards:
            if g.exists != exists or g.connection != connection:
                continue
            if not _table_matches(g.table, table):
                continue
            if g.kind == kind and kind == "column":
                if column is None or g.column is None or g.column.same(column, case_insensitive=True):
                    return True
            elif g.kind == kind:
                return True
            elif table_fallback and g.kind == "table" and not exists:
                # A table that does not exist yet has none of its columns or indexes.
                return True
        return False

    def guards_on(self, table: Name | None, connection=None):
        return [g for g in self.guards
                if _table_matches(g.table, table) and g.connection == connection]


def _table_matches(guard_table: Name | None, table: Name | None) -> bool:
    if guard_table is None or table is None:
        return True
    return guard_table.same(table, case_insensitive=True)


# ORDER: every op, Blueprint call, raw SQL and insert has `order`, the byte offset of the
# statement in up()/down() where it effectively runs: its own offset, or for a copy
# instantiated from a helper method or a shared closure, the offset of the outermost call site
# (lint/model/instances.py). Copies of one body share an order: sort by (order, span.start).
# Such a copy has `ctx.method` of its caller ("up"/"down"); a helper that nobody calls keeps
# its own method name and is linted as written.


@record
class Closure:
    param: str | None  # "$table"
    arrow: bool
    span: Span
    body_span: Span
    node: Any = field(repr=False, default=None)
    # Written elsewhere (a variable, a method) and run here: its body serves several ops, so a
    # fix inside it must name the table as `$table->getTable()`.
    shared: bool = False


@record
class SchemaOp:
    """One schema-builder call: Schema::create/table/drop/dropIfExists/rename/dropColumns/..."""

    kind: str
    table: Name
    to_table: Name | None
    builder: str  # source text of the builder: "Schema", "Schema::connection('x')", "$schema"
    connection: str | None  # source text of the connection argument, when the code names one
    span: Span
    statement: Span | None  # the whole expression statement, when the call is one
    ctx: Context
    closure: Closure | None = None
    columns: tuple[Name, ...] = ()  # Schema::dropColumns
    calls: list["BlueprintCall"] = field(default_factory=list)
    node: Any = field(repr=False, default=None)
    # The connection as guards name it: None for the migration's default connection (inside
    # up()/down() the Migrator makes the migration's $connection the default), else its name.
    conn: object = None
    # Where it effectively runs in up()/down(), as a byte offset (ORDER below).
    order: int = 0


@record
class BlueprintCall:
    """One chained Blueprint call inside a schema closure: `$table->string('x')->nullable()`."""

    op: SchemaOp
    method: str  # the call on the blueprint variable itself
    # add | drop | rename | index | drop_index | change | rename_table | other (a macro) |
    # opaque (a call we cannot read that is given the Blueprint: method is its callee)
    category: str
    columns: tuple[Name, ...]
    modifiers: tuple[str, ...]
    span: Span
    statement: Span | None
    ctx: Context
    args: tuple[Name, ...] = ()
    expands: bool = False  # a helper that adds several columns (timestamps, morphs, ...)
    node: Any = field(repr=False, default=None)
    order: int = 0
    # Written in a body that serves several ops (a closure in a variable, a helper method):
    # a fix there names the table through `var` (`$table->getTable()`) and the columns by
    # their code, never by the values of one instantiation.
    shared: bool = False
    var: str = "$table"
    # Arguments of the foreign-key modifiers (references, on, constrained) and of the fluent
    # index modifiers (`->index('name')`, blueprint.FLUENT_INDEX_ORDER), by modifier:
    # ((modifier, ((argument name or None, value), ...)), ...)
    modifier_args: tuple = ()


@record
class SqlStatement:
    # create_table | drop_table | create_index | drop_index | alter_add | alter_drop |
    # alter_add_index | alter_drop_index | alter_rename_column (CHANGE a b, RENAME COLUMN) |
    # create_view | create_trigger | create_procedure | create_function | drop_view | drop_...
    kind: str
    table: str | None  # the table, or the view/trigger/routine's name
    column: str | None
    guarded: bool  # IF [NOT] EXISTS / OR REPLACE present
    text: str
    to: str | None = None  # the new column name of alter_rename_column


@record
class RawSql:
    via: str  # "statement" | "unprepared"
    sql: str
    literal: bool
    statements: list[SqlStatement]
    span: Span
    statement: Span | None
    ctx: Context
    string_span: Span | None = None  # the literal string node, for fixes
    node: Any = field(repr=False, default=None)
    order: int = 0
    # The connection it runs on, as guards compare it (None: the migration's default), and
    # its argument's source text (`'reporting'`) when it is a literal a guard can name.
    conn: object = None
    connection: str | None = None


@record
class Insert:
    """A query builder call on a table's rows: insert/insertGetId (Migration.inserts),
    delete/truncate (Migration.row_deletes), get/each/chunk/cursor/... (Migration.reads),
    update/increment/decrement (Migration.updates)."""

    table: Name
    span: Span
    statement: Span | None
    ctx: Context
    node: Any = field(repr=False, default=None)
    order: int = 0
    method: str = "insert"
    # Columns the query names as literals (where/select/pluck/orderBy arguments, the keys of
    # the values it writes), lower-cased, without a `table.` prefix: a re-run after a drop of
    # one of them fails at this query.
    columns: tuple[str, ...] = ()


@record
class Comment:
    line: int
    end_line: int
    text: str
    span: Span
    trailing: bool  # code precedes it on its line


@record
class Migration:
    path: str
    source: Any  # migrate_lint.source.Source
    tree: Any = field(repr=False, default=None)
    error: Span | None = None
    error_message: str = ""
    class_name: str | None = None
    base_class: str | None = None
    connection: str | None = None  # the $connection property
    laravel_version: tuple[int, ...] | None = None
    # Classes the file declares, as (name or None, base class or None): a seeder or a
    # controller is not a migration even when it calls Schema:: or DB::table()->insert().
    classes: list = field(default_factory=list)
    ops: list[SchemaOp] = field(default_factory=list)
    raw_sql: list[RawSql] = field(default_factory=list)
    inserts: list[Insert] = field(default_factory=list)
    row_deletes: list[Insert] = field(default_factory=list)
    reads: list[Insert] = field(default_factory=list)  # DB::table(t)->get()/each()/chunk()/...
    updates: list[Insert] = field(default_factory=list)  # DB::table(t)->update()/increment()
    comments: list[Comment] = field(default_factory=list)

    @property
    def calls(self):
        for op in self.ops:
            yield from op.calls
