"""SQLite: sqlite_master and the table pragmas, through a read-only URI (mode=ro).

mode=ro makes SQLite refuse every write and never create the file; `query_only` refuses writes
a second time. A path that does not exist is an error before anything is opened. A database in
WAL mode is opened immutable when no -wal file exists, so that reading leaves no file behind.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from urllib.parse import quote

from migrate_lint.introspect.snapshot import Catalog, TableFacts


@contextlib.contextmanager
def connect(target, timeout: float):
    path = target.database or ""
    if not os.path.exists(path):
        raise target.error("no such SQLite database file (nothing was created)")
    if os.path.isdir(path):
        raise target.error("is a directory, not a SQLite database file")
    uri = "file:" + quote(os.path.abspath(path)) + "?mode=ro"
    if _wal_without_log(path):
        # Read-only, SQLite would still create (and leave) -wal and -shm files beside it.
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise target.error("cannot open the SQLite database", exc) from None
    try:
        conn.execute("PRAGMA query_only = ON")
        yield conn
    except sqlite3.DatabaseError as exc:
        raise target.error("cannot read the SQLite database", exc) from None
    finally:
        conn.close()


def _wal_without_log(path: str) -> bool:
    """A database in WAL mode whose -wal file is absent: no writer is in the middle of it."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return header[:16] == b"SQLite format 3\x00" and header[18:20] == b"\x02\x02" and \
        not os.path.exists(path + "-wal")


def read(target, prefix: str, migrations_table: str, timeout: float) -> Catalog:
    with connect(target, timeout) as conn:
        version = conn.execute("select sqlite_version()").fetchone()[0]
        catalog = Catalog(engine="SQLite", version=version, dialect="sqlite")
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' "
            "escape '\\' order by name")]
        for name in names:
            catalog.tables[name] = _table(conn, name)
        table = prefix + migrations_table
        if any(n.lower() == table.lower() for n in names):
            catalog.migrations = [r[0] for r in conn.execute(
                f"select migration from {_quote(table)} order by batch, migration")]
    return catalog


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(conn, name: str) -> TableFacts:
    facts = TableFacts(name)
    info = conn.execute(f"pragma table_info({_quote(name)})").fetchall()
    facts.columns = [(row[1], row[2]) for row in info]
    pk = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
    if pk:
        facts.indexes.append(("primary", "primary", tuple(pk)))
    for _seq, index, unique, origin, *_ in conn.execute(f"pragma index_list({_quote(name)})"):
        if origin == "pk":
            continue  # the primary key, already read from table_info
        cols = tuple(r[2] for r in conn.execute(f"pragma index_info({_quote(index)})"))
        if origin == "u":  # an inline UNIQUE constraint: SQLite names it sqlite_autoindex_...
            index = "_".join((name, *cols, "unique")).lower()
        facts.indexes.append((index, "unique" if unique else "index", cols))
    fks: dict[int, tuple] = {}
    for fk_id, _seq, table, column, to, *_ in conn.execute(
            f"pragma foreign_key_list({_quote(name)})"):
        cols, ref_cols = fks.setdefault(fk_id, (table, [], []))[1:]
        cols.append(column)
        if to is not None:  # None: the referenced table's primary key, unnamed
            ref_cols.append(to)
    for table, cols, ref_cols in fks.values():
        # SQLite keeps no constraint names: Laravel's name for a foreign key on these columns.
        facts.indexes.append(("_".join((name, *cols, "foreign")).lower(), "foreign",
                              tuple(cols), (table, tuple(ref_cols))))
    return facts
