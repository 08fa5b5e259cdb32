"""One migration's up() as a flat list of schema steps: the per-file summary the replay folds.

A summary is plain data (tuples of strings, ints and bools), so it can be cached per file and
the syntax tree dropped right after: replaying thousands of migrations keeps no trees alive.

The model's Context records the guards it recognises; a statement can also sit under a
condition the model does not read (`if (app()->isLocal())`, a loop, an early `return`). Such a
statement may not run, so the replay must treat it as conditional: `_conditional` walks up the
tree for those shapes. It is the one place here that reads tree-sitter node types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrate_lint.model import blueprint as bp

# Blueprint calls that change nothing the replay tracks.
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
_LOOPS = {"foreach_statement", "for_statement", "while_statement", "do_statement",
          "switch_statement", "match_expression"}
_EXIT = re.compile(rb"\b(return|throw|exit|die)\b")
_NAMESPACE = re.compile(r"^\s*namespace\s+([\w\\\\]+)\s*;", re.MULTILINE)
_CONN_PROP = re.compile(r"\$connection\s*=")
_CONN_CALL = re.compile(r"""connection\(\s*(?:(['"])([\w.-]+)\1)?""")
_SQL_DDL = re.compile(r"\b(create|alter|drop|rename)\s", re.IGNORECASE)
_RUNS_OTHER = re.compile(r"->\s*(up|down)\s*\(\s*\)|Artisan::call|->call\(\s*['\"]migrate")


@dataclass(frozen=True)
class Step:
    """One schema change, in the order up() makes it."""

    action: str  # create_table drop_table rename_table alter_table add_column drop_column
    #              rename_column change_column add_index drop_index taint_table taint_all
    table: str | None  # None: computed at run time
    line: int
    conditional: bool = False
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


@dataclass
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
        m = re.search(r"\bclass\s+" + re.escape(migration.class_name) + r"\b", src_text)
        if m:
            summary.class_line = src_text.count("\n", 0, m.start()) + 1
    ns = _NAMESPACE.search(src_text)
    summary.namespace = ns.group(1) if ns else None
    summary.connection = migration.connection
    if summary.connection is None and _CONN_PROP.search(src_text):
        summary.connection = UNSEEN
    whole_conditional = "function shouldRun" in src_text
    items = [(op.span.start, "op", op) for op in migration.ops]
    items += [(rs.span.start, "sql", rs) for rs in migration.raw_sql]
    items.sort(key=lambda t: t[0])
    walker = _Walker()
    steps = summary.steps
    for _, kind, item in items:
        method = item.ctx.method
        if method == "down" or not method:
            continue
        helper = method != "up"  # a helper method may or may not be called from up()
        if kind == "op":
            _op_steps(item, steps, walker, helper or whole_conditional)
        else:
            _sql_steps(item, steps, walker, helper or whole_conditional, migration.source)
    up_text = _method_text(src_text)
    if _RUNS_OTHER.search(up_text):
        steps.append(Step("taint_all", None, 1, reason="up() runs code of another migration"))
    return summary


def _method_text(src_text: str) -> str:
    m = re.search(r"function\s+up\s*\(", src_text)
    return src_text[m.start():] if m else ""


def _conn(op_connection: str | None) -> str | None:
    if op_connection is None:
        return None
    t = op_connection.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"" and re.fullmatch(r"[\w.-]+", t[1:-1]):
        return t[1:-1]
    return UNSEEN


def _name(n) -> str | None:
    return n.value if n is not None and n.value is not None else None


class _Walker:
    """Finds conditions the model does not record, with per-block caches."""

    def __init__(self):
        self.exits: dict[int, list[int]] = {}

    def conditional(self, node) -> bool:
        child, cur = node, node.parent
        while cur is not None:
            t = cur.type
            if t in ("method_declaration", "function_definition"):
                return False
            if t in ("if_statement", "else_clause", "else_if_clause"):
                if not _same(cur.child_by_field_name("condition"), child):
                    return True
            elif t == "conditional_expression":
                if not _same(cur.child_by_field_name("condition"), child):
                    return True
            elif t == "binary_expression":
                op = cur.child_by_field_name("operator")
                if op is not None and op.text in (b"&&", b"||", b"and", b"or", b"??") \
                        and _same(cur.child_by_field_name("right"), child):
                    return True
            elif t in _LOOPS or t == "catch_clause":
                return True
            elif t in ("compound_statement", "colon_block"):
                if self._exit_before(cur, child.start_byte):
                    return True
            child, cur = cur, cur.parent
        return False

    def _exit_before(self, block, offset: int) -> bool:
        ends = self.exits.get(block.id)
        if ends is None:
            ends = []
            for stmt in block.named_children:
                if stmt.type in ("return_statement", "if_statement", "switch_statement",
                                 "try_statement", "expression_statement") \
                        and _EXIT.search(stmt.text):
                    if stmt.type != "expression_statement" or stmt.text.lstrip().startswith(
                            (b"throw", b"exit", b"die")):
                        ends.append(stmt.end_byte)
            self.exits[block.id] = ends
        return any(end <= offset for end in ends)


def _same(a, b) -> bool:
    return a is not None and b is not None and a.id == b.id


def _guarded(ctx) -> bool:
    return bool(ctx.guards) or ctx.protection is not None


def _op_steps(op, steps: list[Step], walker: _Walker, forced: bool) -> None:
    conn = _conn(op.connection)
    table = _name(op.table)
    line = op.span.line
    cond = forced or _guarded(op.ctx) or walker.conditional(op.node)
    texpr = op.table.display()
    kind = op.kind
    if kind == "create":
        columns, indexes, complete = [], [], op.closure is not None
        for call in op.calls:
            call_cond = _guarded(call.ctx) or walker.conditional(call.node)
            if call_cond and call.category in ("add", "index"):
                complete = False  # a column only sometimes created: known after the create
                continue
            complete &= _collect(call, table, columns, indexes)
        steps.append(Step("create_table", table, line, cond, conn, columns=tuple(columns),
                          complete=complete, table_expr=texpr))
        steps += [Step("add_index", table, line, cond, conn, columns=cols, index=name,
                       ctype=kind_, table_expr=texpr) for name, kind_, cols in indexes]
        return
    if kind in ("drop", "dropIfExists"):
        steps.append(Step("drop_table", table, line, cond, conn, if_exists=kind == "dropIfExists",
                          table_expr=texpr))
        return
    if kind == "rename":
        steps.append(Step("rename_table", table, line, cond, conn, to=_name(op.to_table),
                          table_expr=texpr))
        return
    if kind == "dropColumns":
        steps.append(Step("alter_table", table, line, cond, conn, table_expr=texpr))
        for col in op.columns:
            steps.append(Step("drop_column", table, line, cond, conn, column=_name(col),
                              table_expr=texpr))
        return
    # Schema::table and the whenTable* helpers (conditional by their nature)
    if kind != "table":
        cond = True
    steps.append(Step("alter_table", table, line, cond, conn, table_expr=texpr))
    if op.closure is None:
        steps.append(Step("taint_table", table, line, True, conn, table_expr=texpr,
                          reason="Schema::table without a closure we can read"))
        return
    for call in op.calls:
        ccond = cond or _guarded(call.ctx) or walker.conditional(call.node)
        steps += _alter_steps(call, table, ccond, conn, texpr)


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
        indexes += _explicit_index(call, table)
        return True
    if call.category in ("other",) and call.method not in HARMLESS:
        return False
    if call.category in ("drop", "rename", "change"):
        return False
    return True


def index_name(table: str | None, columns, kind: str) -> str:
    # Laravel: lower-cased {table}_{columns}_{type}, '-' and '.' replaced by '_'.
    base = "_".join([table or "?", *columns, kind]).lower()
    return base.replace("-", "_").replace(".", "_")


def _implied_indexes(call, table):
    out = []
    cols = tuple(c.value for c in call.columns if c.value is not None)
    if not cols:
        return out
    if call.method in bp.MORPHS:
        out.append((index_name(table, cols, "index"), "index", cols))
    for mod in call.modifiers:
        if mod in ("unique", "index", "primary", "fullText", "spatialIndex"):
            kind = INDEX_KIND[mod]
            out.append((index_name(table, cols, kind) if kind != "primary" else "primary", kind,
                        cols))
        elif mod in ("constrained", "references"):
            out.append((index_name(table, cols[:1], "foreign"), "foreign", cols[:1]))
    return out


def _explicit_index(call, table):
    cols = tuple(c.value for c in call.columns if c.value is not None)
    if len(cols) != len(call.columns) or not cols:
        return []
    kind = INDEX_KIND.get(call.method, "index")
    name = None
    if len(call.args) > 1 and call.args[1].known:
        name = call.args[1].value
    if name is None:
        name = "primary" if kind == "primary" else index_name(table, cols, kind)
    return [(name, kind, cols)]


def _alter_steps(call, table, cond, conn, texpr) -> list[Step]:
    line = call.span.line
    cat = call.category
    out: list[Step] = []
    if cat == "add":
        if not call.columns:
            return [Step("taint_table", table, line, True, conn, table_expr=texpr,
                         reason=f"$table->{call.method}() adds a column we cannot name")]
        for col in call.columns:
            out.append(Step("add_column", table, line, cond, conn, column=col.value,
                            ctype=_column_type(call, call.method, col.value), table_expr=texpr))
        for name, kind, cols in _implied_indexes(call, table):
            out.append(Step("add_index", table, line, cond, conn, columns=cols, index=name,
                            ctype=kind, table_expr=texpr))
        return out
    if cat == "drop":
        if not call.columns:
            return [Step("taint_table", table, line, True, conn, table_expr=texpr,
                         reason=f"$table->{call.method}() drops columns we cannot name")]
        return [Step("drop_column", table, line, cond, conn, column=c.value, table_expr=texpr)
                for c in call.columns]
    if cat == "rename":
        if len(call.columns) < 2:
            return [Step("taint_table", table, line, True, conn, table_expr=texpr,
                         reason="renameColumn with computed names")]
        return [Step("rename_column", table, line, cond, conn, column=call.columns[0].value,
                     to=call.columns[1].value, table_expr=texpr)]
    if cat == "change":
        return [Step("change_column", table, line, cond, conn, column=c.value,
                     ctype=_column_type(call, call.method, c.value), table_expr=texpr)
                for c in call.columns]
    if cat == "index":
        return [Step("add_index", table, line, cond, conn, columns=cols, index=name, ctype=kind,
                     table_expr=texpr) for name, kind, cols in _explicit_index(call, table)]
    if cat == "drop_index":
        return _drop_index_steps(call, table, line, cond, conn, texpr)
    if cat == "rename_table":
        return [Step("rename_table", table, line, cond, conn,
                     to=call.columns[0].value if call.columns else None, table_expr=texpr)]
    if call.method in HARMLESS:
        return []
    # A macro or a call we do not know (`after()` nests its own closure): the table's columns
    # are no longer known for sure.
    return [Step("taint_table", table, line, True, conn, table_expr=texpr,
                 reason=f"$table->{call.method}() is not understood")]


def _drop_index_steps(call, table, line, cond, conn, texpr) -> list[Step]:
    kind = {"dropUnique": "unique", "dropPrimary": "primary", "dropForeign": "foreign",
            "dropFullText": "fulltext", "dropFulltext": "fulltext",
            "dropSpatialIndex": "spatial"}.get(call.method, "index")
    if call.method == "renameIndex":
        if len(call.args) >= 2 and call.args[0].known and call.args[1].known:
            return [Step("rename_index", table, line, cond, conn, index=call.args[0].value,
                         to=call.args[1].value, table_expr=texpr)]
        return []
    name = None
    if call.columns:  # dropIndex(['a', 'b']) names the index by its columns
        cols = [c.value for c in call.columns]
        if all(cols):
            name = index_name(table, cols, kind)
    elif call.args and call.args[0].known:
        name = call.args[0].value
    elif kind == "primary":
        name = "primary"
    return [Step("drop_index", table, line, cond, conn, index=name, ctype=kind,
                 table_expr=texpr)]


def _sql_steps(rs, steps: list[Step], walker: _Walker, forced: bool, source) -> None:
    cond = forced or _guarded(rs.ctx) or walker.conditional(rs.node)
    line = rs.span.line
    call_text = source.data[rs.span.start:rs.span.end].decode("utf-8", errors="replace")
    conn = None
    m = _CONN_CALL.search(call_text.split(rs.via, 1)[0]) if "connection(" in call_text else None
    if m is not None:
        conn = m.group(2) or UNSEEN
    if not rs.literal:
        if re.search(r"\b(alter|drop|rename|create)\s+(table|index)", rs.sql, re.IGNORECASE):
            steps.append(Step("taint_all", None, line, True, conn,
                              reason="raw SQL built at run time"))
        return
    if not _SQL_DDL.search(rs.sql):
        return
    from migrate_lint.replay import ddl

    steps += ddl.statements_of_raw(rs.sql, line, cond, conn)
