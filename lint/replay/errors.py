"""The error Laravel raises for each failure the replay predicts, as each engine words it.

Seen under Laravel 8.83 on MariaDB 10.11 and SQLite 3 (LARAVEL_FACTS.md), and PostgreSQL 15.
SQLite reports every error as HY000/1, and Laravel 8 drops/renames SQLite columns through
Doctrine, whose own exception has no SQLSTATE: match those on the message or the class.
"""

from __future__ import annotations

from migrate_lint.record import record

MYSQL, MARIADB, SQLITE, PGSQL = "mysql", "mariadb", "sqlite", "pgsql"
DOCTRINE_MISSING_COLUMN = "Doctrine\\DBAL\\Schema\\Exception\\ColumnDoesNotExist"


@record(frozen=True)
class Error:
    sqlstate: str | None  # None: not a database error (a Doctrine or Laravel exception)
    message: str
    exception: str = "Illuminate\\Database\\QueryException"

    def __str__(self) -> str:
        return self.message


def engine_of(name: str | None) -> str:
    """The engine a `database` setting or dump dialect names (MySQL's wording by default)."""
    return {"postgres": PGSQL, "postgresql": PGSQL, "pgsql": PGSQL, "sqlite": SQLITE,
            "mariadb": MARIADB}.get((name or "").lower(), MYSQL)


def error(kind: str, engine: str | None, table: str = "", name: str = "",
          db: str = "<database>") -> Error:
    e = engine_of(engine)
    if e == SQLITE:
        return _sqlite(kind, table, name)
    if e == PGSQL:
        return _pgsql(kind, table, name)
    return _mysql(kind, table, name, db)


def _mysql(kind, table, name, db) -> Error:
    return {
        "duplicate_column": Error("42S21", f"SQLSTATE[42S21]: Column already exists: 1060 "
                                           f"Duplicate column name '{name}'"),
        "duplicate_table": Error("42S01", f"SQLSTATE[42S01]: Base table or view already exists: "
                                          f"1050 Table '{table}' already exists"),
        "missing_table": Error("42S02", f"SQLSTATE[42S02]: Base table or view not found: 1146 "
                                        f"Table '{db}.{table}' doesn't exist"),
        "drop_missing_table": Error("42S02", f"SQLSTATE[42S02]: Base table or view not found: "
                                             f"1051 Unknown table '{db}.{table}'"),
        "missing_column": Error("42000", f"SQLSTATE[42000]: Syntax error or access violation: "
                                         f"1091 Can't DROP COLUMN `{name}`; check that it "
                                         f"exists"),
        "unknown_column": Error("42S22", f"SQLSTATE[42S22]: Column not found: 1054 Unknown "
                                         f"column '{name}' in '{table}'"),
        "duplicate_index": Error("42000", f"SQLSTATE[42000]: Syntax error or access violation: "
                                          f"1061 Duplicate key name '{name}'"),
        "missing_index": Error("42000", f"SQLSTATE[42000]: Syntax error or access violation: "
                                        f"1091 Can't DROP INDEX `{name}`; check that it exists"),
        "duplicate_foreign": Error("HY000", f"SQLSTATE[HY000]: General error: 1005 Can't create "
                                            f"table `{db}`.`{table}` (errno: 121 \"Duplicate key "
                                            f"on write or update\")"),
        "missing_foreign": Error("42000", f"SQLSTATE[42000]: Syntax error or access violation: "
                                          f"1091 Can't DROP FOREIGN KEY `{name}`; check that it "
                                          f"exists"),
    }[kind]


def _sqlite(kind, table, name) -> Error:
    general = "SQLSTATE[HY000]: General error: 1 "
    missing_column = Error(None, f'There is no column with name "{name}" on table "{table}".',
                           DOCTRINE_MISSING_COLUMN)
    return {
        "duplicate_column": Error("HY000", f"{general}duplicate column name: {name}"),
        "duplicate_table": Error("HY000", f"{general}table \"{table}\" already exists"),
        "missing_table": Error("HY000", f"{general}no such table: {table}"),
        "drop_missing_table": Error("HY000", f"{general}no such table: {table}"),
        "missing_column": missing_column,
        "unknown_column": missing_column,
        "duplicate_index": Error("HY000", f"{general}index {name} already exists"),
        "missing_index": Error("HY000", f"{general}no such index: {name}"),
        "duplicate_foreign": Error("HY000", f"{general}foreign key {name} already exists"),
        "missing_foreign": Error(None, "This database driver does not support dropping foreign "
                                       "keys.", "RuntimeException"),
    }[kind]


def _pgsql(kind, table, name) -> Error:
    return {
        "duplicate_column": Error("42701", f"SQLSTATE[42701]: Duplicate column: 7 ERROR:  column "
                                           f"\"{name}\" of relation \"{table}\" already exists"),
        "duplicate_table": Error("42P07", f"SQLSTATE[42P07]: Duplicate table: 7 ERROR:  relation "
                                          f"\"{table}\" already exists"),
        "missing_table": Error("42P01", f"SQLSTATE[42P01]: Undefined table: 7 ERROR:  relation "
                                        f"\"{table}\" does not exist"),
        "drop_missing_table": Error("42P01", f"SQLSTATE[42P01]: Undefined table: 7 ERROR:  table "
                                             f"\"{table}\" does not exist"),
        "missing_column": Error("42703", f"SQLSTATE[42703]: Undefined column: 7 ERROR:  column "
                                         f"\"{name}\" of relation \"{table}\" does not exist"),
        "unknown_column": Error("42703", f"SQLSTATE[42703]: Undefined column: 7 ERROR:  column "
                                         f"\"{name}\" does not exist"),
        "duplicate_index": Error("42P07", f"SQLSTATE[42P07]: Duplicate table: 7 ERROR:  relation "
                                          f"\"{name}\" already exists"),
        "missing_index": Error("42704", f"SQLSTATE[42704]: Undefined object: 7 ERROR:  index "
                                        f"\"{name}\" does not exist"),
        "duplicate_foreign": Error("42710", f"SQLSTATE[42710]: Duplicate object: 7 ERROR:  "
                                            f"constraint \"{name}\" for relation \"{table}\" "
                                            f"already exists"),
        "missing_foreign": Error("42704", f"SQLSTATE[42704]: Undefined object: 7 ERROR:  "
                                          f"constraint \"{name}\" of relation \"{table}\" does "
                                          f"not exist"),
        "aborted_transaction": Error("25P02", "SQLSTATE[25P02]: In failed sql transaction: 7 "
                                              "ERROR:  current transaction is aborted, commands "
                                              "ignored until end of transaction block"),
    }[kind]
