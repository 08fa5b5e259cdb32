"""What an engine reader reports (a Catalog), and the Snapshot the replay starts from.

Engine readers only query; this module turns their facts into the replay steps a schema dump
gives (lint/replay/dump.py): the table prefix, the migrations table, the warnings about what
the user may not see, and column types written as sqlglot writes them for a dump.
"""

from __future__ import annotations

import re

from migrate_lint import quiet_sqlglot
from migrate_lint.record import field, record
from migrate_lint.replay.dump import ParsedDump
from migrate_lint.replay.steps import Step

_CREATES = re.compile(r"^\d{4}_\d{2}_\d{2}_\d{6}_create_(\w+?)_table$")


@record
class TableFacts:
    name: str
    columns: list = field(default_factory=list)  # (name, type as the catalog writes it)
    # (name, kind, columns[, (table, columns) a foreign key references]); kinds: primary unique
    # index fulltext spatial foreign
    indexes: list = field(default_factory=list)


@record
class Catalog:
    """One engine's raw answer: every base table of the database or schema read."""

    engine: str  # MySQL | MariaDB | PostgreSQL | SQLite
    version: str
    dialect: str  # sqlglot's: mysql | postgres | sqlite
    tables: dict = field(default_factory=dict)  # name -> TableFacts
    migrations: list | None = None  # rows of the migrations table; None: not readable
    migrations_error: str = ""  # why the migrations table could not be read
    privileges: str = "full"  # full | limited | unknown: can the user see every table?
    privilege_note: str = ""  # what showed the privileges limited or unknown
    warnings: list = field(default_factory=list)


ENGINES = {"MySQL": "mysql", "MariaDB": "mariadb", "SQLite": "sqlite", "PostgreSQL": "pgsql"}


@record
class Snapshot(ParsedDump):
    """A ParsedDump read from a live database (source "database", engine mysql | mariadb |
    sqlite | pgsql, warnings), with what the reading found out."""

    url: str = ""  # the masked URL (also in `path`)
    server_version: str = ""  # "MariaDB 10.11.6"
    prefix: str = ""
    migrations_table: str = "migrations"
    connection: str | None = None
    privileges: str = "full"  # full | limited | unknown: does the snapshot hold every table?


def build(catalog: Catalog, url: str, prefix: str = "", migrations_table: str = "migrations",
          connection: str | None = None, notes=()) -> Snapshot:
    snap = Snapshot(path=url, dialect=catalog.dialect, engine=ENGINES[catalog.engine],
                    source="database", warnings=list(notes) + catalog.warnings, url=url,
                    server_version=f"{catalog.engine} {catalog.version}".strip(), prefix=prefix,
                    migrations_table=migrations_table, connection=connection,
                    privileges=catalog.privileges)
    tables = {}
    for name, facts in catalog.tables.items():
        if name.lower().startswith(prefix.lower()):
            tables[name[len(prefix):]] = facts
    for name in sorted(tables, key=str.lower):
        snap.steps += _table_steps(name, tables[name], prefix, catalog.dialect)
    snap.has_migrations_table = any(n.lower() == migrations_table.lower() for n in tables)
    snap.migrations = list(catalog.migrations or [])
    snap.warnings += _visibility_warnings(catalog, tables, prefix + migrations_table,
                                          snap.migrations, snap.has_migrations_table)
    return snap


def _table_steps(name: str, facts: TableFacts, prefix: str, dialect: str) -> list[Step]:
    columns = tuple((col, normalise_type(ctype, dialect)) for col, ctype in facts.columns)
    steps = [Step(action="create_table", table=name, line=0, columns=columns, complete=True)]
    order = {"primary": 0, "unique": 1, "index": 2, "fulltext": 2, "spatial": 2, "foreign": 3}
    for index, kind, cols, *refs in sorted(facts.indexes,
                                           key=lambda i: (order.get(i[1], 2), i[0])):
        references = ()
        if refs and refs[0]:
            table, ref_cols = refs[0]
            if table.lower().startswith(prefix.lower()):
                table = table[len(prefix):]
            references = (table, tuple(ref_cols))
        steps.append(Step(action="add_index", table=name, line=0, index=_unprefix(
            index, prefix, name), ctype=kind, columns=tuple(cols), references=references))
    return steps


def _unprefix(index: str, prefix: str, table: str) -> str:
    # Laravel names an index `{prefix}{table}_...`: report it as the unprefixed migration names it.
    if prefix and index.lower().startswith((prefix + table + "_").lower()):
        return index[len(prefix):]
    return index


def normalise_type(text: str, dialect: str) -> str:
    """A column type as a dump parsed by sqlglot shows it ('?' when the catalog has none)."""
    quiet_sqlglot()
    if not text or not text.strip():
        return "?"
    from sqlglot import exp

    try:
        return exp.DataType.build(text, dialect=dialect).sql(dialect=dialect).lower()
    except Exception:  # a type sqlglot does not know: keep the catalog's words
        return text.strip().lower()


def _visibility_warnings(catalog, tables, migrations_table, ran, has_table) -> list[str]:
    out = []
    limited = {"limited": f" ({catalog.privilege_note})" if catalog.privilege_note else "",
               "unknown": " (the user's privileges could not be checked: "
                          f"{catalog.privilege_note or 'unknown'})"}.get(catalog.privileges, "")
    if catalog.privileges == "limited":
        out.append("this user cannot see every table: tables it has no privilege on are "
                   f"missing from this snapshot{limited}")
    if not has_table:
        why = ("this user may lack the privilege to see it" if catalog.privileges != "full"
               else "nothing was ever migrated here, or another migrations table name is used")
        out.append(f"the migrations table `{migrations_table}` is not visible: every migration "
                   f"counts as pending ({why}){limited if catalog.privileges == 'unknown' else ''}")
    elif catalog.migrations is None:
        out.append(f"the migrations table `{migrations_table}` exists but cannot be read "
                   f"({catalog.migrations_error or 'unknown error'}): every migration counts as "
                   "pending")
    lower = {t.lower() for t in tables}
    absent = []
    for name in ran:
        m = _CREATES.match(name)
        if m and m.group(1).lower() not in lower and m.group(1) not in absent:
            absent.append(m.group(1))
    if absent:
        who = ("this user cannot see them" if catalog.privileges != "full"
               else "dropped or renamed since")
        out.append(f"{len(absent)} table(s) created by recorded migrations are absent: "
                   f"{', '.join(absent[:10])}{' ...' if len(absent) > 10 else ''} ({who})")
    return out
