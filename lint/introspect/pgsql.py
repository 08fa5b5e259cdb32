"""PostgreSQL: pg_catalog for the current schema (the search_path's first), with psycopg 3.

The session starts with default_transaction_read_only and the transaction is SET READ ONLY, so
the server refuses any write. pg_catalog shows every table whatever the user's privileges; the
tables the user cannot read are named in a warning (Laravel's own checks may not see them).
"""

from __future__ import annotations

import contextlib
import re

from migrate_lint.introspect.snapshot import Catalog, TableFacts
from migrate_lint.introspect.target import read_only_cursor

EXTRA = "pip install 'migrate-lint[pgsql]'"
_LIBPQ_OPTIONS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "application_name",
                  "target_session_attrs", "channel_binding"}


def _driver(target):
    try:
        import psycopg
    except ImportError:
        raise target.error(f"reading PostgreSQL needs psycopg 3: {EXTRA}") from None
    return psycopg


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(" ", "\\ ")


@contextlib.contextmanager
def connect(target, timeout: float):
    """A cursor inside a READ ONLY transaction, rolled back at the end."""
    psycopg = _driver(target)
    opts = {k.lower(): v for k, v in target.options}
    settings = ["default_transaction_read_only=on", f"statement_timeout={int(timeout * 1000)}"]
    schema = opts.get("search_path") or opts.get("schema")
    if schema:
        settings.append(f"search_path={_escape(schema)}")
    kwargs = {k: v for k, v in opts.items() if k in _LIBPQ_OPTIONS}
    kwargs.update(dbname=target.database or "postgres", user=target.username or "postgres",
                  host=target.host or "127.0.0.1", port=target.port or 5432,
                  connect_timeout=max(2, int(timeout + 0.999)),
                  options=" ".join(f"-c {s}" for s in settings))
    if target.password:
        kwargs["password"] = target.password
    try:
        conn = psycopg.connect(**kwargs)
    except psycopg.Error as exc:
        raise target.error("cannot connect", exc) from None
    # After a first query, PostgreSQL refuses to make the transaction READ WRITE.
    with read_only_cursor(target, conn, psycopg.Error, "SET TRANSACTION READ ONLY",
                          "SELECT 1") as cur:
        yield cur


_TABLES = """
select c.oid, c.relname, has_table_privilege(c.oid, 'SELECT')
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = current_schema() and c.relkind in ('r', 'p')
order by c.relname"""
_COLUMNS = """
select a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod)
from pg_attribute a where a.attrelid = any(%s) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum"""
_CONSTRAINTS = """
select con.conrelid, con.conname, con.contype,
       array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i),
       con.confrelid::regclass::text,
       array(select a.attname from unnest(con.confkey) with ordinality k(n, i)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)
from pg_constraint con where con.conrelid = any(%s) and con.contype in ('p', 'u', 'f')
order by con.conrelid, con.conname"""
# Indexes that no PRIMARY KEY / UNIQUE / EXCLUDE constraint owns (those are read above).
_INDEXES = """
select i.indrelid, ic.relname, i.indisunique, am.amname,
       pg_get_expr(i.indexprs, i.indrelid),
       array(select a.attname from unnest(i.indkey) with ordinality k(n, o)
             join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.n order by k.o)
from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_am am on am.oid = ic.relam
where i.indrelid = any(%s) and not exists (select 1 from pg_constraint con
      where con.conindid = i.indexrelid and con.contype in ('p', 'u', 'x'))
order by i.indrelid, ic.relname"""


def _unqualified(regclass: str) -> str:
    """users from `users`, `other.users` or `"Users"` (regclass text)."""
    name = regclass.rsplit(".", 1)[-1]
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def _expression_columns(expression: str, columns, known) -> list[str]:
    """The table's columns an index expression reads, in their order there."""
    found = []
    for name, _type in columns:
        m = re.search(rf'(?<![\w"]){re.escape(name)}(?![\w"])|"{re.escape(name)}"', expression)
        if m and name not in known:
            found.append((m.start(), name))
    return [name for _, name in sorted(found)]


def read(target, prefix: str, migrations_table: str, timeout: float) -> Catalog:
    with connect(target, timeout) as cur:
        cur.execute("select current_setting('server_version'), current_schema()")
        version, schema = cur.fetchone()
        catalog = Catalog(engine="PostgreSQL", version=version.split()[0], dialect="postgres")
        if schema is None:
            catalog.warnings.append("no schema of the search_path exists: no tables")
            return catalog
        cur.execute(_TABLES)
        by_oid, unreadable = {}, []
        for oid, name, readable in cur.fetchall():
            by_oid[oid] = catalog.tables[name] = TableFacts(name)
            if not readable:
                unreadable.append(name)
        oids = list(by_oid)
        cur.execute(_COLUMNS, (oids,))
        for oid, column, ctype in cur.fetchall():
            by_oid[oid].columns.append((column, ctype))
        cur.execute(_CONSTRAINTS, (oids,))
        for oid, name, kind, cols, ref_table, ref_cols in cur.fetchall():
            kind = {"p": "primary", "u": "unique", "f": "foreign"}[kind]
            references = (_unqualified(ref_table), tuple(ref_cols)) if kind == "foreign" else ()
            by_oid[oid].indexes.append(("primary" if kind == "primary" else name, kind,
                                        tuple(cols), references))
        cur.execute(_INDEXES, (oids,))
        for oid, name, unique, method, expression, cols in cur.fetchall():
            kind = "unique" if unique else "index"
            if expression:
                cols = list(cols) + _expression_columns(expression, by_oid[oid].columns, cols)
            if method in ("gist", "spgist"):
                kind = "spatial"
            elif method == "gin" and expression:
                kind = "fulltext"  # Laravel's fullText(): gin over to_tsvector(...)
            by_oid[oid].indexes.append((name, kind, tuple(cols)))
        if unreadable:
            catalog.warnings.append(
                f"this user has no SELECT privilege on {len(unreadable)} table(s) of schema "
                f"{schema}: {', '.join(unreadable[:10])}{' ...' if len(unreadable) > 10 else ''}"
                " (Laravel's migrations may fail on them)")
        table = prefix + migrations_table
        if table in catalog.tables:
            if table in unreadable:
                catalog.migrations_error = "no SELECT privilege"
            else:
                from psycopg import sql

                cur.execute(sql.SQL("select migration from {}.{} order by batch, migration")
                            .format(sql.Identifier(schema), sql.Identifier(table)))
                catalog.migrations = [r[0] for r in cur.fetchall()]
    return catalog
