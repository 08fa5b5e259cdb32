"""One migration's up() as a flat list of schema steps: the per-file summary the replay folds.

A summary is plain data (tuples of strings, ints and bools), so it can be cached per file and
the syntax tree dropped right after: replaying thousands of migrations keeps no trees alive.

Each step carries the condition it runs under (lint/model/conditions.py), which the fold
evaluates against the schema state: TRUE runs the step, FALSE skips it, UNKNOWN makes what it
touches unknown. Steps of one Blueprint share a `group`: Laravel evaluates the closure (and the
guards in it) before it sends any SQL, and orders the Blueprint's commands itself (`phase`).
"""

from __future__ import annotations

import re

from migrate_lint.model import blueprint as bp
from migrate_lint.model.blueprint import index_name
from migrate_lint.model import conditions as C
from migrate_lint.record import field, record

# Blueprint calls that change nothing the replay tracks.
_CLOSURE = re.compile(r"(?:static)?(?:function|fn)\b", re.IGNORECASE)  # a closure literal
HARMLESS = {"engine", "charset", "collation", "comment", "temporary", "getTable", "getColumns",
            "getCommands", "build", "toSql", "create", "drop", "dropIfExists", "increments"}
UNSEEN = "?"  # a connection or table name the code computes at run time

# Column type a helper gives its columns, for `schema` output.
HELPER_TYPES = {"id": "bigIncrements", "timestamps": "timestamp", "nullableTimestamps": "timestamp",
                "timestampsTz": "timestampTz", "nullableTimestampsTz": "timestampTz",
                "datetimes": "dateTime", "softDeletes": "timestamp", "softDeletesTz": "timestampTz",
                "softDeletesDatetime": "dateTime", "rememberToken": "string",
                "foreignId": "unsignedBigInteger", "foreignIdFor": "unsignedBigInteger",
                "foreignUuid": "uuid", "foreignUlid": "ulid"}
MORPH_ID_TYPES = {"uuidMorphs": "uuid", "nullableUuidMorphs": "uuid", "ulidMorphs": "ulid",
                  "nullableUlidMorphs": "ulid"}
INDEX_KIND = {"index": "index", "unique": "unique", "primary": "primary", "fullText": "fulltext",
              "fulltext": "fulltext", "spatialIndex": "spatial", "rawIndex": "index",
              "foreign": "foreign"}
# The key the replay files a table's primary key under, whatever name the code gives it:
# MySQL/MariaDB and SQLite call every primary key `primary` (PostgreSQL `<table>_pkey`),
# MySQL's grammar drops the name Laravel passes, and dropPrimary('x') / dropPrimary([...])
# drop the table's one primary key (MySQL `drop primary key`, PostgreSQL `<table>_pkey`).
PRIMARY = "primary"
_NAMESPACE = re.compile(r"^\s*namespace\s+([\w\\\\]+)\s*;", re.MULTILINE)
_CONN_PROP = re.compile(r"\$connection\s*=")
_CONN_CALL = re.compile(r"""connection\(\s*(?:(['"])([\w.-]+)\1)?""")
_SQL_DDL = re.compile(r"\b(create|alter|drop|rename)\s", re.IGNORECASE)
_CLASS_KW = re.compile(r"\bclass\s+")
_BOUNDARY = re.compile(r"\b")
_RUNS_OTHER = re.compile(r"->\s*(up|down)\s*\(\s*\)|Artisan::call|->call\(\s*['\"]migrate")

# Phases of a Blueprint's commands, in the order Laravel before 11.15 sends them: changed
# columns, added columns (one ALTER), the other commands in source order, then the indexes
# given as column modifiers (`->unique()`). From 11.15 adds and changes keep source order.
CHANGE, ADD, COMMAND, FLUENT = "change", "add", "command", "fluent"
OPEN = "open"  # the Blueprint's table itself: it must exist before anything else happens


@record(frozen=True)
class Step:
    """One schema change, in the order up() makes it."""

    action: str  # create_table drop_table rename_table alter_table add_column drop_column
    #              rename_column change_column add_index drop_index rename_index taint_table
    #              taint_all
    table: str | None  # None: computed at run time
    line: int
    conditional: bool = False  # runs under a condition nobody can evaluate (kept for dumps)
    connection: str | None = None  # None: the migration's default; UNSEEN: computed
    column: str | None = None  # column (None with an add/drop: a computed name)
    to: str | None = None  # new name of a rename
    ctype: str | None = None
    columns: tuple = ()  # create_table: ((name, type[, line]), ...); add_index: indexed columns
    index: str | None = None  # index name; index kind in ctype
    complete: bool = True  # create_table: every column is named
    if_exists: bool = False  # dropIfExists / DROP ... IF EXISTS
    reason: str = ""  # why a taint
    table_expr: str = ""  # how the code names the table, for messages
    cond: tuple = C.TRUE  # the condition the step runs under
    group: int = 0  # the Blueprint it belongs to (0: none)
    phase: str = ""  # CHANGE / ADD / COMMAND / FLUENT inside its Blueprint
    try_id: int = 0  # the try/catch or rescue() that catches its failure (0: none)
    references: tuple = ()  # add_index of a foreign key: (table, (columns, ...)) it points at
    # The part of `cond` evaluated before the step's Blueprint runs (the ifs and early exits
    # around the Schema call, not the guards inside its closure): PHP evaluates it once, where
    # the `if` or `return` stands, so the fold holds its value over the consecutive steps
    # that share it (a later step of the same `if` does not see what an earlier one changed).
    outer: tuple = C.TRUE


@record
class Summary:
    path: str
    name: str  # base name without .php: Laravel's key in the migrations table
    class_name: str | None = None
    anonymous: bool = False
    connection: str | None = None  # the $connection property; UNSEEN when not a literal
    error: str | None = None
    steps: list[Step] = field(default_factory=list)
    class_line: int = 1
    namespace: str | None = None
    # down(), in the same form: what rolling this migration back does (ML105 folds it on a
    # copy of the state its own up() left).
    down_steps: list[Step] = field(default_factory=list)


def summarise(migration) -> Summary:
    import os

    base = os.path.basename(migration.path)
    summary = Summary(path=migration.path, name=base[:-4] if base.endswith(".php") else base)
    if migration.error is not None:
        summary.error = migration.error_message or "cannot parse"
        return summary
    src_text = migration.source.data.decode("utf-8", errors="replace")
    summary.class_name = migration.class_name
    summary.anonymous = migration.class_name is None and "new class" in src_text
    if migration.class_name:
        line = _class_line(src_text, migration.class_name)
        if line is not None:
            summary.class_line = line
    ns = _NAMESPACE.search(src_text)
    summary.namespace = ns.group(1) if ns else None
    summary.connection = migration.connection
    if summary.connection is None and _CONN_PROP.search(src_text):
        summary.connection = UNSEEN
    whole = C.unknown("shouldRun()") if "function shouldRun" in src_text else C.TRUE
    items = [(_order(op), "op", op) for op in migration.ops]
    # A DB::statement inside a Blueprint's closure runs while the closure is read, before
    # any of the Blueprint's SQL is sent: it goes before the Schema call.
    closures = [(op.span.start, op.span.end, _order(op)) for op in migration.ops]
    items += [(_sql_order(rs, closures), "sql", rs) for rs in migration.raw_sql]
    items.sort(key=lambda t: t[0])
    builder = _Steps(summary.steps)
    down = _Steps(summary.down_steps)
    for _, kind, item in items:
        method = item.ctx.method
        if not method:
            continue
        if method == "down":
            into, scope = down, C.TRUE
        else:
            # A helper method of the class may or may not be called from up().
            into = builder
            scope = whole if method == "up" else C.and_(whole, C.unknown(f"{method}() may run"))
        if kind == "op":
            into.op(item, scope)
        else:
            into.sql(item, scope, migration.source)
    if _RUNS_OTHER.search(_method_text(src_text)):
        summary.steps.append(Step("taint_all", None, 1, True,
                                  reason="up() runs code of another migration"))
    down_text = _method_text(src_text, "down")
    if _RUNS_OTHER.search(down_text) or _HELPER_CALL.search(down_text):
        # down() runs code the summary does not hold (another migration, a helper method)
        summary.down_steps.append(Step("taint_all", None, 1, True,
                                       reason="down() runs other code"))
    return summary


def _class_line(src_text: str, name: str) -> int | None:
    """The line of `class NAME` (a regex per class name would be compiled per file)."""
    for m in _CLASS_KW.finditer(src_text):
        if src_text.startswith(name, m.end()) and _BOUNDARY.match(src_text, m.end() + len(name)):
            return src_text.count("\n", 0, m.start()) + 1
    return None


def _order(item) -> tuple:
    """Where the item runs in its method: copies of a helper's body run at its call site."""
    return (getattr(item, "order", None) or item.span.start, item.span.start)


def _sql_order(rs, closures) -> tuple:
    here = _order(rs)
    for start, end, order in closures:
        if start < rs.span.start < end and order[0] < here[0]:
            return (order[0] - 0.5, order[1])
    return here


def _method_text(src_text: str, method: str = "up") -> str:
    """The source from `function <method>(` on (for up(): to the end, as before)."""
    m = re.search(r"function\s+" + method + r"\s*\(", src_text)
    if not m:
        return ""
    if method == "up":
        return src_text[m.start():]
    following = re.search(r"\bfunction\s+\w+\s*\(", src_text[m.end():])
    return src_text[m.start():m.end() + following.start()] if following else src_text[m.start():]


_HELPER_CALL = re.compile(r"\$this\s*->\s*\w+\s*\(|self::\w+\s*\(|static::\w+\s*\(")


def _conn(op_connection: str | None) -> str | None:
    if op_connection is None:
        return None
    t = op_connection.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"" and re.fullmatch(r"[\w.-]+", t[1:-1]):
        return t[1:-1]
    if t.replace(" ", "") in ("$this->connection", "$this->getConnection()"):
        return None
    return UNSEEN


def _name(n) -> str | None:
    return n.value if n is not None and n.value is not None else None


class _Steps:
    """Appends the steps of one file's operations, numbering Blueprints as groups."""

    def __init__(self, steps: list[Step]):
        self.steps = steps
        self.groups = 0

    def add(self, action, table, line, conn, ctx, scope, **kw):
        cond = C.and_(scope, ctx.cond)
        self.steps.append(Step(action, table, line, connection=conn, try_id=ctx.try_id,
                               cond=cond, outer=cond, **kw))

    def op(self, op, scope) -> None:
        if not op.table.each:
            self._op(op, _name(op.table), op.table.display(), scope)
            return
        # A loop over a literal list of tables: unrolled, one turn per table in list order,
        # with the loop variable read as that table in the conditions too.
        for table in op.table.each:
            start = len(self.steps)
            self._op(op, table, table, scope)
            self.steps[start:] = [_bound(s, op.table.expr, table) for s in self.steps[start:]]

    def _op(self, op, table, texpr, scope) -> None:
        conn = _conn(op.connection)
        line = op.span.line
        kind = op.kind
        ctx = op.ctx
        if kind == "create":
            self._create(op, table, line, conn, texpr, scope)
            return
        if kind in ("drop", "dropIfExists"):
            self.add("drop_table", table, line, conn, ctx, scope,
                     if_exists=kind == "dropIfExists", table_expr=texpr)
            return
        if kind == "rename":
            self.add("rename_table", table, line, conn, ctx, scope, to=_name(op.to_table),
                     table_expr=texpr)
            return
        if kind == "dropColumns":
            self.groups += 1
            self.add("alter_table", table, line, conn, ctx, scope, table_expr=texpr,
                     group=self.groups, phase=OPEN)
            for col in op.columns:
                self.add("drop_column", table, line, conn, ctx, scope, column=_name(col),
                         table_expr=texpr, group=self.groups, phase=COMMAND)
            return
        # Schema::table and the whenTable* helpers (their condition is in the calls' context)
        self.groups += 1
        group = self.groups
        self.add("alter_table", table, line, conn, ctx, scope, table_expr=texpr, group=group,
                 phase=OPEN)
        if op.closure is None:
            self.add("taint_table", table, line, conn, ctx, C.unknown("?"), table_expr=texpr,
                     group=group, reason="Schema::table without a closure we can read")
            return
        for call in op.calls:
            for step in _alter_steps(call, table, conn, texpr):
                self.steps.append(_placed(step, call, scope, group))

    def sql(self, rs, scope, source) -> None:
        self.steps.extend(_sql_steps(rs, scope, source))

    def _create(self, op, table, line, conn, texpr, scope) -> None:
        self.groups += 1
        group = self.groups
        columns, indexes, complete = [], [], op.closure is not None
        later: list[Step] = []
        for call in op.calls:
            call_cond = call.ctx.cond
            if call_cond != op.ctx.cond and call.category in ("add", "index"):
                # A column created only sometimes: known after the create, from its condition.
                for step in _alter_steps(call, table, conn, texpr):
                    later.append(_placed(step, call, scope, group))
                continue
            complete &= _collect(call, table, columns, indexes)
        self.add("create_table", table, line, conn, op.ctx, scope, columns=tuple(columns),
                 complete=complete, table_expr=texpr, group=group, phase=ADD)
        for name, kind_, cols, fluent, *refs in indexes:
            self.add("add_index", table, line, conn, op.ctx, scope, columns=cols, index=name,
                     ctype=kind_, table_expr=texpr, group=group,
                     phase=FLUENT if fluent else COMMAND, references=refs[0] if refs else ())
        self.steps.extend(later)


def _bound(step: Step, var: str, value: str) -> Step:
    return _evolve(step, cond=_bind(step.cond, C.expr(var), value),
                   outer=_bind(step.outer, C.expr(var), value))


def _bind(cond, var: tuple, value: str):
    """cond with the loop variable (("expr", "$t") wherever a name goes) read as value."""
    if cond == var:
        return value
    if isinstance(cond, tuple):
        return tuple(_bind(c, var, value) for c in cond)
    return cond


def _placed(step: Step, call, scope, group) -> Step:
    return _evolve(step, cond=C.and_(scope, call.ctx.cond, step.cond), try_id=call.ctx.try_id,
                   group=group, outer=C.and_(scope, call.op.ctx.cond))


def _evolve(step: Step, **changes) -> Step:
    """replace() for the loops over every Blueprint call: it reads the class's
    fields and runs the frozen __init__ each time; Step has no __post_init__, so a copy of
    its fields with the changes is the same Step at a sixth of the cost."""
    new = object.__new__(Step)
    new.__dict__.update(step.__dict__, **changes)
    return new


def _column_type(call, method: str, name: str | None = None) -> str:
    if method == "addColumn" and call.args and call.args[0].known:
        return call.args[0].value
    if method in bp.MORPHS and name is not None:
        return "string" if name.endswith("_type") else MORPH_ID_TYPES.get(method,
                                                                          "unsignedBigInteger")
    return HELPER_TYPES.get(method, method)


def _collect(call, table, columns, indexes) -> bool:
    """Add a create closure's call to columns/indexes; False when it hides a column name."""
    if call.category == "add":
        ok = True
        for col in call.columns:
            if col.value is None:
                ok = False
                continue
            columns.append((col.value, _column_type(call, call.method, col.value),
                            call.span.line))
        indexes += _implied_indexes(call, table)
        return ok and bool(call.columns)
    if call.category == "index":
        indexes += [(n, k, c, False, r) for n, k, c, r in _explicit_index(call, table)]
        return True
    if call.category == "opaque" or (call.category == "other" and call.method not in HARMLESS):
        return False
    if call.category in ("drop", "rename", "change"):
        return False
    return True


def _implied_indexes(call, table):
    """(name, kind, columns, fluent) for the indexes an added column brings: `morphs` adds one
    as a command; `->unique()` and friends are fluent; `->constrained()` a foreign command."""
    out = []
    cols = tuple(c.value for c in call.columns if c.value is not None)
    if not cols:
        return out
    if call.method in bp.MORPHS:
        out.append((index_name(table, cols, "index"), "index", cols, False))
    if call.category == "add" and (call.method in bp.AUTO_INCREMENT or
                                   "autoIncrement" in call.modifiers):
        # Every grammar makes an auto-increment column the primary key, with the column.
        out.append(("primary", "primary", cols, False))
    fluent = bp.fluent_index(call)
    if fluent is not None and not fluent[2]:
        kind, name = fluent[0], fluent[1]
        # Blueprint::addFluentIndexes: `->index('n')` names it `n` (on a changed column too);
        # a computed name is None (the table's indexes are no longer known exactly).
        out.append((PRIMARY if kind == "primary" else index_name(table, cols, kind)
                    if name is None else None if name == "?" else name, kind, cols, True))
    for mod in call.modifiers:
        if mod in ("constrained", "references"):
            out.append((index_name(table, cols[:1], "foreign"), "foreign", cols[:1], False,
                        references(call, cols[0])))
    return out


def references(call, column: str | None) -> tuple:
    """(table, columns) a foreign key points at: `->references('id')->on('users')`,
    `->constrained()` (Laravel derives the table from the column's name), `->constrained('t')`;
    "?" for a name the code computes."""
    from migrate_lint.model.inflect import plural

    mods = dict(call.modifier_args)

    def arg(name: str, pos: int, label: str):
        given = mods.get(name, ())
        for key, value in given:
            if key == label:
                return value
        positional = [v for k, v in given if k is None]
        return positional[pos] if pos < len(positional) else None

    if "constrained" in mods:
        t, c = arg("constrained", 0, "table"), arg("constrained", 1, "column")
        col = c.display() if c is not None and c.known else ("?" if c is not None else "id")
        if t is not None:
            return (t.value if t.known else "?", (col,))
        if call.method == "foreignIdFor" and call.args:
            return (bp.model_table(call.args[0].expr.replace(" ", "")) or "?", (col,))
        if column and column.endswith("_" + col):
            return (plural(column[: -len(col) - 1]), (col,))
        return ("?", (col,))
    on, ref = arg("on", 0, "table"), arg("references", 0, "columns")
    if on is None:
        return ()
    cols = (ref.value,) if ref is not None and ref.known else ("?",)
    return (on.value if on.known else "?", cols)


def _explicit_index(call, table):
    cols = tuple(c.value for c in call.columns if c.value is not None)
    if len(cols) != len(call.columns) or not cols:
        return []
    kind = INDEX_KIND.get(call.method, "index")
    name = None
    if len(call.args) > 1 and call.args[1].known:
        name = call.args[1].value
    if kind == "primary":
        name = PRIMARY
    elif name is None:
        name = index_name(table, cols, kind)
    return [(name, kind, cols, references(call, cols[0]) if kind == "foreign" else ())]


def _alter_steps(call, table, conn, texpr) -> list[Step]:
    line = call.span.line
    cat = call.category
    out: list[Step] = []
    if cat == "add":
        if not call.columns:
            return [Step("taint_table", table, line, connection=conn, table_expr=texpr,
                         cond=C.unknown("?"),
                         reason=f"$table->{call.method}() adds a column we cannot name")]
        for col in call.columns:
            out.append(Step("add_column", table, line, connection=conn, column=col.value,
                            ctype=_column_type(call, call.method, col.value), table_expr=texpr,
                            phase=ADD))
        for name, kind, cols, fluent, *refs in _implied_indexes(call, table):
            out.append(Step("add_index", table, line, connection=conn, columns=cols, index=name,
                            ctype=kind, table_expr=texpr, phase=FLUENT if fluent else COMMAND,
                            references=refs[0] if refs else ()))
        return out
    if cat == "drop":
        if not call.columns:
            return [Step("taint_table", table, line, connection=conn, table_expr=texpr,
                         cond=C.unknown("?"),
                         reason=f"$table->{call.method}() drops columns we cannot name")]
        return [Step("drop_column", table, line, connection=conn, column=c.value,
                     table_expr=texpr, phase=COMMAND) for c in call.columns]
    if cat == "rename":
        if len(call.columns) < 2:
            return [Step("taint_table", table, line, connection=conn, table_expr=texpr,
                         cond=C.unknown("?"), reason="renameColumn with computed names")]
        return [Step("rename_column", table, line, connection=conn, column=call.columns[0].value,
                     to=call.columns[1].value, table_expr=texpr, phase=COMMAND)]
    if cat == "change":
        out = [Step("change_column", table, line, connection=conn, column=c.value,
                    ctype=_column_type(call, call.method, c.value), table_expr=texpr,
                    phase=CHANGE) for c in call.columns]
        for name, kind, cols, fluent, *_ in _implied_indexes(call, table):
            if fluent:
                out.append(Step("add_index", table, line, connection=conn, columns=cols,
                                index=name, ctype=kind, table_expr=texpr, phase=FLUENT))
        fluent = bp.fluent_index(call)
        if fluent is not None and fluent[2] and len(call.columns) == 1 and call.columns[0].known:
            # `->unique(false)->change()`: Laravel 9+ drops the index by its default name,
            # Laravel 8 adds one under it; either way not known here.
            kind = fluent[0]
            out.append(Step("drop_index", table, line, connection=conn,
                            index=PRIMARY if kind == "primary" else
                            index_name(table, [call.columns[0].value], kind), ctype=kind,
                            table_expr=texpr, phase=FLUENT, if_exists=True,
                            cond=C.unknown(f"->{kind}(false)->change(): Laravel 9+ drops "
                                           f"the index, 8 adds it")))
        return out
    if cat == "index":
        return [Step("add_index", table, line, connection=conn, columns=cols, index=name,
                     ctype=kind, table_expr=texpr, phase=COMMAND, references=refs)
                for name, kind, cols, refs in _explicit_index(call, table)]
    if cat == "drop_index":
        return _drop_index_steps(call, table, line, conn, texpr)
    if cat == "rename_table":
        return [Step("rename_table", table, line, connection=conn,
                     to=call.columns[0].value if call.columns else None, table_expr=texpr,
                     phase=COMMAND)]
    if cat == "opaque":
        return [Step("taint_table", table, line, connection=conn, table_expr=texpr,
                     cond=C.unknown("?"),
                     reason=f"`{call.method}()` is given the Blueprint and is not read")]
    if call.method in HARMLESS or (call.method == "after" and len(call.args) > 1
                                   and _CLOSURE.match(call.args[1].expr)):
        # `after('col', function ($table) {...})` only places the columns its closure adds;
        # those calls are the op's own (the model reads nested closures).
        return []
    # A macro or a call we do not know (`after('col', $this->cols(...))`): the table's columns
    # are no longer known for sure.
    return [Step("taint_table", table, line, connection=conn, table_expr=texpr,
                 cond=C.unknown("?"), reason=f"$table->{call.method}() is not understood")]


def _drop_index_steps(call, table, line, conn, texpr) -> list[Step]:
    kind = {"dropUnique": "unique", "dropPrimary": "primary", "dropForeign": "foreign",
            "dropFullText": "fulltext", "dropFulltext": "fulltext",
            "dropSpatialIndex": "spatial"}.get(call.method, "index")
    if call.method == "renameIndex":
        if len(call.args) >= 2 and call.args[0].known and call.args[1].known:
            return [Step("rename_index", table, line, connection=conn, index=call.args[0].value,
                         to=call.args[1].value, table_expr=texpr, phase=COMMAND)]
        return []
    name = None
    if kind == "primary":
        name = PRIMARY  # the table has one: every grammar drops it whatever name is given
    elif call.columns:  # dropIndex(['a', 'b']) names the index by its columns
        cols = [c.value for c in call.columns]
        if all(cols):
            name = index_name(table, cols, kind)
    elif call.args and call.args[0].known:
        name = call.args[0].value
    return [Step("drop_index", table, line, connection=conn, index=name, ctype=kind,
                 table_expr=texpr, phase=COMMAND)]


def _sql_steps(rs, scope, source) -> list[Step]:
    cond = C.and_(scope, rs.ctx.cond)
    line = rs.span.line
    call_text = source.data[rs.span.start:rs.span.end].decode("utf-8", errors="replace")
    conn = None
    m = _CONN_CALL.search(call_text.split(rs.via, 1)[0]) if "connection(" in call_text else None
    if m is not None:
        conn = m.group(2) or UNSEEN
    if not rs.literal:
        if re.search(r"\b(alter|drop|rename|create)\s+(table|index)", rs.sql, re.IGNORECASE):
            return [Step("taint_all", None, line, True, conn, reason="raw SQL built at run time")]
        return []
    if not _SQL_DDL.search(rs.sql):
        return []
    from migrate_lint.replay import ddl

    return [_evolve(s, cond=C.and_(cond, s.cond), try_id=rs.ctx.try_id, outer=cond)
            for s in ddl.statements_of_raw(rs.sql, line, False, conn)]
