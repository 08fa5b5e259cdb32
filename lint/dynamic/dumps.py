"""A database's schema and its `migrations` rows, written by the engine's own dump tool (the
shape `php artisan schema:dump` keeps): what `plan --schema` reads, for the example and the
tests that compare it with live introspection and with Laravel's Migrator."""

from __future__ import annotations

import subprocess


def _out(args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def schema_dump(db) -> str:
    """sqlite3 `.schema`, `mariadb-dump --no-data` or `pg_dump --schema-only`, then the
    migrations rows as INSERTs."""
    if db.engine == "sqlite":
        schema = _out(["sqlite3", str(db.path), ".schema"])
        rows = _out(["sqlite3", str(db.path), ".dump migrations"])
        rows = "\n".join(line for line in rows.splitlines() if line.startswith("INSERT"))
    elif db.engine == "pgsql":
        from migrate_lint.dynamic.pgsql_server import _binary

        base = [_binary("pg_dump") or "pg_dump", "-h", db.socket, "-p", str(db.port),
                "-U", db.user]
        schema = _out(base + ["--schema-only", db.database])
        rows = _out(base + ["--data-only", "--inserts", "-t", "migrations", db.database])
    else:
        base = ["mariadb-dump", "--no-defaults", f"--socket={db.socket}", "-uroot",
                "--skip-comments"]
        schema = _out(base + ["--no-data", db.database])
        rows = _out(base + ["--no-create-info", "--skip-extended-insert", db.database,
                            "migrations"])
    return schema + "\n" + rows + "\n"
