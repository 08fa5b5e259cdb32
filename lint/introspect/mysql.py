"""MySQL and MariaDB: information_schema, inside a READ ONLY transaction, with PyMySQL.

information_schema lists only the tables the user holds some privilege on, without an error,
so SHOW GRANTS decides whether the list can be trusted to be complete.
"""

from __future__ import annotations

import contextlib
import re

from migrate_lint.introspect.snapshot import Catalog, TableFacts
from migrate_lint.introspect.target import one_line, read_only_cursor

EXTRA = "pip install 'migrate-lint[mysql]'"


def _driver(target):
    try:
        import pymysql
    except ImportError:
        raise target.error(f"reading MySQL/MariaDB needs PyMySQL: {EXTRA}") from None
    return pymysql


@contextlib.contextmanager
def connect(target, timeout: float):
    """A cursor inside a READ ONLY transaction, rolled back at the end."""
    pymysql = _driver(target)
    kwargs = dict(user=target.username or "root", password=target.password or "",
                  database=target.database, charset="utf8mb4", autocommit=False,
                  connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout)
    if target.socket:
        kwargs["unix_socket"] = target.socket
    else:
        kwargs.update(host=target.host or "127.0.0.1", port=target.port or 3306)
    if not target.database:
        raise target.error("the URL names no database (mysql://user@host/DATABASE)")
    try:
        conn = pymysql.connect(**kwargs)
    except pymysql.MySQLError as exc:
        raise target.error("cannot connect", exc) from None
    except (OSError, ValueError) as exc:
        raise target.error("cannot connect", exc) from None
    # The session default too: even after a COMMIT the next transaction is read-only.
    with read_only_cursor(target, conn, pymysql.MySQLError, "SET SESSION TRANSACTION READ ONLY",
                          "START TRANSACTION READ ONLY") as cur:
        yield cur


def read(target, prefix: str, migrations_table: str, timeout: float) -> Catalog:
    with connect(target, timeout) as cur:
        cur.execute("SELECT VERSION(), DATABASE()")
        version, database = cur.fetchone()
        engine = "MariaDB" if "mariadb" in version.lower() else "MySQL"
        catalog = Catalog(engine=engine, version=version.split("-")[0], dialect="mysql")
        cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
                    "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", (database,))
        for (name,) in cur.fetchall():
            catalog.tables[name] = TableFacts(name)
        _columns(cur, database, catalog.tables)
        _indexes(cur, database, catalog.tables)
        _foreign_keys(cur, database, catalog.tables)
        catalog.privileges, catalog.privilege_note = _privileges(cur, database)
        table = prefix + migrations_table
        if table in catalog.tables:
            try:
                cur.execute(f"SELECT migration FROM `{table.replace('`', '``')}` "
                            "ORDER BY batch, migration")
                catalog.migrations = [r[0] for r in cur.fetchall()]
            except Exception as exc:  # seen (some privilege) but not SELECT
                catalog.migrations_error = target.mask(one_line(exc))
    return catalog


def _columns(cur, database, tables) -> None:
    cur.execute("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
                "WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, ORDINAL_POSITION", (database,))
    for table, column, ctype in cur.fetchall():
        if table in tables:
            tables[table].columns.append((column, ctype))


def _indexes(cur, database, tables) -> None:
    cur.execute("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, INDEX_TYPE, COLUMN_NAME "
                "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s "
                "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX", (database,))
    found: dict = {}
    for table, index, non_unique, itype, column in cur.fetchall():
        if index == "PRIMARY":
            key, kind = "primary", "primary"
        else:
            kind = {"FULLTEXT": "fulltext", "SPATIAL": "spatial"}.get(
                itype, "index" if int(non_unique) else "unique")
            key = index
        found.setdefault((table, key, kind), []).append(column)
    for (table, key, kind), cols in found.items():
        if table in tables:
            tables[table].indexes.append((key, kind, tuple(cols)))


def _foreign_keys(cur, database, tables) -> None:
    cur.execute("SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, "
                "k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME "
                "FROM information_schema.TABLE_CONSTRAINTS c "
                "JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = "
                "c.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND "
                "k.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = %s AND "
                "c.CONSTRAINT_TYPE = 'FOREIGN KEY' ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, "
                "k.ORDINAL_POSITION", (database,))
    found: dict = {}
    for table, name, column, ref_table, ref_column in cur.fetchall():
        cols, ref_cols = found.setdefault((table, name), (ref_table, [], []))[1:]
        cols.append(column)
        ref_cols.append(ref_column)
    for (table, name), (ref_table, cols, ref_cols) in found.items():
        if table in tables:
            tables[table].indexes.append((name, "foreign", tuple(cols),
                                          (ref_table, tuple(ref_cols))))


_GRANT = re.compile(r"^GRANT (.+?) ON (\S+) TO ", re.IGNORECASE)


def _privileges(cur, database) -> tuple[str, str]:
    """full when a global or database-wide privilege covers `database` (SHOW GRANTS)."""
    try:
        cur.execute("SHOW GRANTS")
        grants = [r[0] for r in cur.fetchall()]
    except Exception as exc:
        return "unknown", f"SHOW GRANTS failed: {exc}"
    table_level = roles = False
    for grant in grants:
        m = _GRANT.match(grant)
        if m is None:
            roles = roles or grant.upper().startswith("GRANT ")  # GRANT role TO user
            continue
        privs, on = m.group(1).upper(), m.group(2)
        if privs.strip() == "USAGE":
            continue
        db, _, tbl = on.partition(".")
        if tbl == "*" and (db == "*" or _db_matches(db, database)):
            return "full", ""
        if _db_matches(db, database):
            table_level = True
    if table_level:
        return "limited", "SHOW GRANTS gives this user privileges on single tables only"
    if roles:
        return "unknown", "privileges come from a role"
    return "limited", "SHOW GRANTS gives this user no privilege on this database"


def _db_matches(pattern: str, database: str) -> bool:
    pattern = pattern.strip("`").replace("``", "`")
    if pattern == "*":
        return True
    regex = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += {"%": ".*", "_": "."}.get(ch, re.escape(ch))
        i += 1
    return re.fullmatch(regex, database, re.IGNORECASE) is not None
