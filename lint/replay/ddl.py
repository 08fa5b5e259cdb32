"""SQL DDL to replay steps, with sqlglot: raw SQL in migrations and whole schema dumps.

sqlglot is imported lazily (about 80 ms): only a migration with a DDL string or a dump pays.
A statement sqlglot cannot read in any of the dialects tried still counts: in a migration it
makes the tables it names unknown (we never guess what it did); in a dump it is skipped.
"""

from __future__ import annotations

import re

from migrate_lint import quiet_sqlglot
from migrate_lint.model import conditions as C
from migrate_lint.replay.steps import Step, index_name

DIALECTS = ("mysql", "postgres", "sqlite")
_DDL = re.compile(r"^\s*(create|alter|drop|rename)\b", re.IGNORECASE)
_TABLE_WORD = re.compile(r"\b(?:table|into|on)\s+(?:if\s+(?:not\s+)?exists\s+)?(?:only\s+)?"
                         r"[`\"\[]?(?:\w+[`\"\]]?\.[`\"\[]?)?(\w+)", re.IGNORECASE)
_RENAME = re.compile(r"[`\"]?(?:\w+[`\"]?\.)?[`\"]?(\w+)[`\"]?\s+to\s+[`\"]?(?:\w+[`\"]?\.)?"
                     r"[`\"]?(\w+)[`\"]?", re.IGNORECASE)


def split(sql: str, dialect: str = "mysql") -> list[str]:
    """Statements of a script, split on top-level semicolons (strings and comments respected)."""
    return [text for _, text in split_at(sql, dialect)]


def split_at(sql: str, dialect: str = "mysql") -> list[tuple[int, str]]:
    """(offset, statement) pairs of a script."""
    quiet_sqlglot()
    from sqlglot.dialects.dialect import Dialect

    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    except Exception:  # sqlglot's TokenError on unbalanced quotes: split naively
        out, pos = [], 0
        for part in sql.split(";"):
            if part.strip():
                out.append((pos + len(part) - len(part.lstrip()), part.strip()))
            pos += len(part) + 1
        return out
    out, start = [], None
    for tok in tokens:
        if tok.token_type.name == "SEMICOLON":
            if start is not None:
                out.append((start, sql[start:tok.start].strip()))
            start = None
        elif start is None:
            start = tok.start
    if start is not None:
        out.append((start, sql[start:].strip()))
    return [(o, s) for o, s in out if s]


def parse_one(text: str, dialects=DIALECTS):
    quiet_sqlglot()
    import sqlglot
    from sqlglot.errors import ErrorLevel

    for d in dialects:
        try:
            tree = sqlglot.parse_one(text, read=d, error_level=ErrorLevel.RAISE)
        except Exception:
            continue
        if tree is not None:
            return tree, d
    return None, None


def _ident(node) -> str | None:
    if node is None:
        return None
    name = getattr(node, "name", None)
    return name or None


def _table_of(node) -> str | None:
    from sqlglot import exp

    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        return node.name or None
    return _ident(node)


def _type_text(kind, dialect) -> str:
    if kind is None:
        return "?"
    try:
        return kind.sql(dialect=dialect).lower()
    except Exception:
        return "?"


def steps_of_statement(text: str, line: int, conditional: bool, connection: str | None,
                       strict: bool = True, dialects=DIALECTS) -> list[Step]:
    """Steps for one SQL statement. strict: unknown DDL taints (migrations); else is skipped."""
    if not _DDL.match(text):
        return []
    tree, dialect = parse_one(text, dialects)
    if tree is None:
        return _fallback(text, line, connection, strict)
    from sqlglot import exp

    if isinstance(tree, exp.Create):
        return _create(tree, dialect, line, conditional, connection, strict)
    if isinstance(tree, exp.Drop):
        kind = (tree.args.get("kind") or "").upper()
        if kind == "TABLE":
            return [Step("drop_table", _table_of(t), line, conditional, connection,
                         if_exists=bool(tree.args.get("exists"))) for t in tree.expressions]
        if kind == "INDEX":
            name = _ident(tree.expressions[0]) if tree.expressions else None
            return [Step("drop_index", None, line, conditional, connection, index=name,
                         ctype="index", if_exists=bool(tree.args.get("exists")))]
        return []
    if isinstance(tree, exp.Alter):
        if (tree.args.get("kind") or "TABLE").upper() != "TABLE":
            return []
        table = _table_of(tree.this)
        out: list[Step] = []
        for action in tree.args.get("actions") or []:
            out += _alter_action(action, table, dialect, line, conditional, connection, strict)
        if strict and tree.args.get("exists"):  # ALTER TABLE IF EXISTS t
            out = [_when(s, C.has("table", table)) for s in out]
        return out
    if isinstance(tree, exp.Command) and str(tree.this).upper() == "RENAME":
        body = tree.expression.name if tree.expression is not None else ""
        body = re.sub(r"^\s*table\s+", "", body, flags=re.IGNORECASE)
        pairs = [_RENAME.fullmatch(p.strip()) for p in body.split(",")]
        if pairs and all(pairs):
            return [Step("rename_table", m.group(1), line, conditional, connection, to=m.group(2))
                    for m in pairs]
        return _fallback(text, line, connection, strict)
    if isinstance(tree, exp.Command):
        return _fallback(text, line, connection, strict)
    return []


def _when(step: Step, cond) -> Step:
    """step, run only under cond (IF [NOT] EXISTS in a migration's SQL)."""
    from migrate_lint import record

    return record.replace(step, cond=C.and_(step.cond, cond))


def _fallback(text, line, connection, strict) -> list[Step]:
    if not strict:
        return []
    m = _TABLE_WORD.search(text)
    if m is not None and re.match(r"\s*(create|drop)\s+(view|trigger|procedure|function|"
                                  r"sequence|type|extension|schema|database|event|user|role)",
                                  text, re.IGNORECASE):
        return []
    reason = f"SQL not understood: {text[:60]}"
    if m is None:
        return [Step("taint_all", None, line, True, connection, reason=reason)]
    return [Step("taint_table", m.group(1), line, True, connection, reason=reason)]


def _create(tree, dialect, line, cond, connection, strict) -> list[Step]:
    from sqlglot import exp

    kind = (tree.args.get("kind") or "").upper()
    # In a dump, IF NOT EXISTS changes nothing: the dump is one snapshot.
    guarded = strict and bool(tree.args.get("exists"))
    replace = strict and bool(tree.args.get("replace"))
    if kind == "INDEX":
        index = tree.this
        if not isinstance(index, exp.Index):
            return []
        table = _table_of(index.args.get("table"))
        params = index.args.get("params")
        cols = tuple(c.name for c in (params.args.get("columns") or [])
                     if c.name) if params is not None else ()
        unique = bool(tree.args.get("unique"))
        step = Step("add_index", table, line, cond, connection, index=_ident(index.this),
                    columns=cols, ctype="unique" if unique else "index")
        return [_when(step, C.not_(C.has("index", table, step.index)))] if guarded else [step]
    if kind != "TABLE":
        return []
    schema = tree.this
    table = _table_of(schema)
    if not isinstance(schema, exp.Schema):  # CREATE TABLE ... AS SELECT / LIKE
        steps = [Step("create_table", table, line, cond, connection, complete=False)]
        return _guard_create(steps, table, line, connection, guarded, replace)
    columns, indexes = [], []
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            columns.append((item.name, _type_text(item.args.get("kind"), dialect)))
            for c in item.args.get("constraints") or []:
                ck = c.args.get("kind")
                if isinstance(ck, exp.PrimaryKeyColumnConstraint):
                    indexes.append(("primary", "primary", (item.name,)))
                elif isinstance(ck, exp.UniqueColumnConstraint):
                    indexes.append((f"{table}_{item.name}_unique", "unique", (item.name,)))
        else:
            idx = _index_item(item, table)
            if idx is not None:
                indexes.append(idx)
    steps = [Step("create_table", table, line, cond, connection, columns=tuple(columns),
                  complete=True)]
    steps += [Step("add_index", table, line, cond, connection, index=n, ctype=k, columns=c,
                   references=refs[0] if refs else ())
              for n, k, c, *refs in indexes]
    return _guard_create(steps, table, line, connection, guarded, replace)


def _guard_create(steps, table, line, connection, guarded, replace) -> list[Step]:
    if replace:  # MariaDB's CREATE OR REPLACE TABLE: drop it if it is there, then create
        return [Step("drop_table", table, line, False, connection, if_exists=True), *steps]
    if guarded:
        return [_when(s, C.not_(C.has("table", table))) for s in steps]
    return steps


def _cols(nodes) -> tuple:
    return tuple(n.name for n in nodes or [] if getattr(n, "name", None))


def _index_item(item, table):
    """(name, kind, columns[, references]) of a table-level key or constraint, else None."""
    from sqlglot import exp

    name = None
    if isinstance(item, exp.Constraint):
        name = _ident(item.this)
        inner = item.expressions[0] if item.expressions else None
        if isinstance(inner, exp.ForeignKey):
            cols = _cols(inner.expressions)
            return (name or index_name(table, cols, "foreign"), "foreign", cols,
                    _references(inner))
        if isinstance(inner, exp.PrimaryKey):
            return ("primary", "primary", _cols(inner.expressions))
        if isinstance(inner, (exp.UniqueColumnConstraint,)):
            schema = inner.this
            cols = _cols(schema.expressions) if isinstance(schema, exp.Schema) else ()
            return (name or f"{table}_unique", "unique", cols)
        return None
    if isinstance(item, exp.PrimaryKey):
        return ("primary", "primary", _cols(item.expressions))
    if isinstance(item, exp.IndexColumnConstraint):
        kind = (item.args.get("kind") or "index").lower()
        return (_ident(item.this) or f"{table}_index", kind, _cols(item.expressions))
    if isinstance(item, exp.UniqueColumnConstraint):
        schema = item.this
        cols = _cols(schema.expressions) if isinstance(schema, exp.Schema) else ()
        return (_ident(schema.this) if isinstance(schema, exp.Schema) and schema.this is not None
                and not isinstance(schema.this, exp.Table) else f"{table}_unique", "unique", cols)
    if isinstance(item, exp.ForeignKey):
        # Unnamed (SQLite keeps no names): Laravel's name, so two keys stay two.
        cols = _cols(item.expressions)
        return (index_name(table, cols, "foreign"), "foreign", cols, _references(item))
    return None


def _references(fk) -> tuple:
    """(table, columns) of `FOREIGN KEY (...) REFERENCES table (columns)`."""
    from sqlglot import exp

    ref = fk.args.get("reference")
    target = ref.this if ref is not None else None
    if isinstance(target, exp.Schema) and isinstance(target.this, exp.Table):
        return (target.this.name, _cols(target.expressions))
    if isinstance(target, exp.Table):
        return (target.name, ())
    return ()


def _alter_action(action, table, dialect, line, cond, connection, strict) -> list[Step]:
    from sqlglot import exp

    if isinstance(action, exp.ColumnDef):
        step = Step("add_column", table, line, cond, connection, column=action.name,
                    ctype=_type_text(action.args.get("kind"), dialect))
        if strict and action.args.get("exists"):
            step = _when(step, C.not_(C.has("column", table, action.name)))
        return [step]
    if isinstance(action, exp.Drop):
        kind = (action.args.get("kind") or "").upper()
        exists = strict and bool(action.args.get("exists"))
        if kind == "COLUMN" or not kind:
            steps = [Step("drop_column", table, line, cond, connection, column=t.name)
                     for t in action.expressions]
            return [_when(s, C.has("column", table, s.column)) for s in steps] if exists \
                else steps
        # sqlglot reads the name of `DROP INDEX n` / `DROP FOREIGN KEY n` into `tables`
        named = action.expressions or action.args.get("tables") or ()
        ctype = "foreign" if kind.startswith("FOREIGN") else \
            "primary" if kind.startswith("PRIMARY") else "index"
        step = Step("drop_index", table, line, cond, connection,
                    index="primary" if ctype == "primary" else
                    _ident(named[0]) if named else None, ctype=ctype)
        kind_atom = "foreign" if ctype == "foreign" else "index"
        return [_when(step, C.has(kind_atom, table, step.index))] if exists else [step]
    if isinstance(action, exp.RenameColumn):
        step = Step("rename_column", table, line, cond, connection, column=action.this.name,
                    to=action.args["to"].name)
        if strict and action.args.get("exists"):
            step = _when(step, C.has("column", table, step.column))
        return [step]
    if isinstance(action, exp.ModifyColumn):
        new = action.this
        old = action.args.get("rename_from")
        ctype = _type_text(new.args.get("kind"), dialect) if isinstance(new, exp.ColumnDef) else "?"
        if old is not None and old.name != new.name:
            return [Step("rename_column", table, line, cond, connection, column=old.name,
                         to=new.name), Step("change_column", table, line, cond, connection,
                                            column=new.name, ctype=ctype)]
        return [Step("change_column", table, line, cond, connection, column=new.name,
                     ctype=ctype)]
    if isinstance(action, exp.AlterRename):
        return [Step("rename_table", table, line, cond, connection, to=_table_of(action.this))]
    if isinstance(action, exp.AddConstraint):
        out = []
        for item in action.expressions:
            idx = _index_item(item, table)
            if idx is not None:
                out.append(Step("add_index", table, line, cond, connection, index=idx[0],
                                ctype=idx[1], columns=idx[2],
                                references=idx[3] if len(idx) > 3 else ()))
        return out
    if isinstance(action, exp.AlterColumn):
        if action.args.get("dtype") is not None:
            return [Step("change_column", table, line, cond, connection, column=action.name,
                         ctype=_type_text(action.args.get("dtype"), dialect))]
        return []  # SET/DROP DEFAULT, NOT NULL: no column appears or disappears
    if not strict:
        return []
    return [Step("taint_table", table, line, True, connection,
                 reason=f"ALTER TABLE action not understood: {action.sql()[:50]}")]


def statements_of_raw(sql: str, line: int, conditional: bool, connection: str | None):
    """Steps for a migration's literal raw SQL (DB::statement / DB::unprepared)."""
    out: list[Step] = []
    for text in split(sql):
        out += steps_of_statement(text, line, conditional, connection, strict=True)
    return out
