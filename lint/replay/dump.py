"""Schema dumps as a starting state: Laravel's schema:dump, mysqldump/mariadb-dump --no-data,
pg_dump --schema-only and SQLite's .schema, with the `migrations` rows when present.
"""

from __future__ import annotations

import re

from migrate_lint import quiet_sqlglot
from migrate_lint.record import field, record
from migrate_lint.replay.state import Connection
from migrate_lint.replay.steps import Step


class DumpError(Exception):
    pass


@record
class ParsedDump:
    """A database's schema and `migrations` rows: read from a dump, or live (lint/introspect)."""

    path: str  # the dump's path, or the database URL with its password masked
    dialect: str
    steps: list[Step] = field(default_factory=list)
    migrations: list[str] = field(default_factory=list)  # names recorded as run, in batch order
    has_migrations_table: bool = False
    engine: str | None = None  # mysql | mariadb | sqlite | pgsql, when the source says
    source: str = "dump"  # "dump" | "database"
    warnings: list[str] = field(default_factory=list)


_MIGRATIONS_INSERT = re.compile(r"^\s*insert\s+into\s+[`\"\[]?(?:\w+[`\"\]]?\.[`\"\[]?)?"
                                r"migrations[`\"\]]?[\s(]", re.IGNORECASE)
_MIGRATION_NAME = re.compile(r"^\d{4}_\d{2}_\d{2}_\d{6}_|_")


def detect_dialect(text: str) -> str:
    head = text[:20000]
    if re.search(r"PostgreSQL database dump|SET search_path|pg_catalog|CREATE SEQUENCE", head):
        return "postgres"
    if "`" in head or re.search(r"ENGINE\s*=|mysqldump|MariaDB dump|/\*!\d{5}", head):
        return "mysql"
    if re.search(r"PRAGMA|sqlite_sequence|AUTOINCREMENT|CREATE TABLE IF NOT EXISTS \"", head,
                 re.IGNORECASE):
        return "sqlite"
    return "mysql"


_SQL_START = re.compile(r"^\s*(create|alter|drop|insert|replace|set|lock|unlock|use|select|"
                        r"comment|begin|commit|start|pragma|grant|revoke|delimiter|truncate|"
                        r"delete|update|with|values|analyze|vacuum|rollback|savepoint|do|"
                        r"declare|copy|reindex|cluster|refresh|security|reset|show)\b",
                        re.IGNORECASE)


def load(path: str, dialect: str | None = None) -> ParsedDump:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise DumpError(f"{path}: cannot read the schema dump: {exc.strerror or exc}") from exc
    if b"\0" in raw[:8192]:
        raise DumpError(f"{path}: not a schema dump (a binary file)")
    return parse(raw.decode("utf-8", errors="replace"), path, dialect)


def _engine(text: str, dialect: str) -> str | None:
    if dialect == "mysql":
        return "mariadb" if re.search(r"MariaDB dump|-MariaDB", text[:4000]) else "mysql"
    return {"postgres": "pgsql", "sqlite": "sqlite"}.get(dialect)


def parse(text: str, path: str = "<dump>", dialect: str | None = None) -> ParsedDump:
    from migrate_lint.replay import ddl

    dialect = dialect or detect_dialect(text)
    dialects = (dialect,) + tuple(d for d in ddl.DIALECTS if d != dialect)
    out = ParsedDump(path, dialect, engine=_engine(text, dialect))
    last_offset, last_line = 0, 1
    statements = sql_like = 0
    for offset, stmt in ddl.split_at(text, dialect):
        last_line += text.count("\n", last_offset, offset)
        last_offset = offset
        stmt = _strip_comments(stmt)
        if not stmt:
            continue
        statements += 1
        sql_like += bool(_SQL_START.match(stmt))
        if _MIGRATIONS_INSERT.match(stmt):
            out.migrations += _migration_rows(stmt, dialect)
            continue
        line = last_line
        out.steps += [s for s in ddl.steps_of_statement(stmt, line, False, None, strict=False,
                                                        dialects=dialects)
                      if not (s.table or "").lower().startswith("sqlite_")]  # SQLite's own
    if statements and not sql_like:
        # Not one statement starts like SQL: the wrong file, not an empty database.
        raise DumpError(f"{path}: not a schema dump (no SQL statement in it)")
    out.has_migrations_table = any(s.action == "create_table" and s.table and
                                   s.table.lower() == "migrations" for s in out.steps)
    return out


def _strip_comments(stmt: str) -> str:
    # mysqldump's version comments (`/*!40101 SET ... */`) and plain comments carry no DDL.
    stmt = re.sub(r"/\*!?\d*.*?\*/", " ", stmt, flags=re.DOTALL)
    lines = [ln for ln in stmt.splitlines() if not ln.lstrip().startswith(("--", "#"))]
    return "\n".join(lines).strip()


def _migration_rows(stmt: str, dialect: str) -> list[str]:
    quiet_sqlglot()
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(stmt, read=dialect)
    except Exception:
        tree = None
    names: list[str] = []
    if tree is not None and isinstance(tree, exp.Insert):
        columns = []
        target = tree.this
        if isinstance(target, exp.Schema):
            columns = [c.name.lower() for c in target.expressions]
        values = tree.expression
        rows = values.expressions if isinstance(values, exp.Values) else []
        for row in rows:
            items = row.expressions if isinstance(row, exp.Tuple) else [row]
            name = None
            if "migration" in columns and len(items) == len(columns):
                lit = items[columns.index("migration")]
                name = lit.this if isinstance(lit, exp.Literal) else None
            else:
                strings = [i.this for i in items if isinstance(i, exp.Literal) and i.is_string]
                name = strings[0] if strings else None
            if name:
                names.append(name)
        return names
    # Fallback: every quoted string in the VALUES part that looks like a migration name.
    return re.findall(r"'(\d{4}_\d{2}_\d{2}_\d{6}_[^']*)'", stmt)


def apply_to(parsed: ParsedDump, conn: Connection, closed: bool) -> None:
    """Replays a dump's DDL into an empty connection (a dump is one consistent snapshot)."""
    from migrate_lint.replay.fold import DUMP, Replay
    from migrate_lint.replay.state import SchemaState
    from migrate_lint.replay.steps import Summary

    state = SchemaState({conn.name: conn})
    r = Replay(state)
    summary = Summary(path=parsed.path, name=DUMP, connection=conn.name)
    for step in parsed.steps:
        r.apply_step(step, summary)
    conn.closed = closed
