"""Read a live database's schema and `migrations` rows, read-only, as a schema dump would give.

    target = DatabaseTarget.parse(url, env_var=None, env_file=None, connection=None)
    snapshot = read_database(target, prefix=None, migrations_table="migrations", timeout=10)

One small reader per engine (sqlite.py, mysql.py, pgsql.py) answers with a Catalog; snapshot.py
turns it into the replay steps of lint/replay/dump.py. Every error is an IntrospectError with
one line and no password in it.
"""

from __future__ import annotations

from migrate_lint.introspect.target import DatabaseTarget, IntrospectError, mask

__all__ = ["DatabaseTarget", "IntrospectError", "Snapshot", "mask", "read_database"]


def __getattr__(name: str):
    if name == "Snapshot":  # the replay's modules load only when a database is read
        from migrate_lint.introspect.snapshot import Snapshot

        return Snapshot
    raise AttributeError(name)


def read_database(target: DatabaseTarget, prefix: str | None = None,
                  migrations_table: str = "migrations", timeout: float = 10) -> "Snapshot":
    """The tables, columns, indexes, foreign keys and migration rows of `target`.

    prefix: Laravel's table prefix (None: the target's DB_PREFIX / ?prefix=, else none); only
    tables that carry it are the app's, and they are reported without it.
    """
    from migrate_lint.introspect import mysql, pgsql, snapshot, sqlite

    reader = {"sqlite": sqlite, "mysql": mysql, "pgsql": pgsql}[target.driver]
    prefix = prefix if prefix is not None else (target.prefix or "")
    try:
        catalog = reader.read(target, prefix, migrations_table, timeout)
    except IntrospectError:
        raise
    except Exception as exc:  # a driver's surprise: still one masked line, never a traceback
        raise target.error("cannot read the database", exc) from None
    return snapshot.build(catalog, target.url, prefix, migrations_table, target.connection,
                          notes=target.notes)
