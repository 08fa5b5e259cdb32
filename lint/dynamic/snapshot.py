"""Putting the scratch database back to the state before a migration after one of its steps failed.

SQLite: a copy of the file before each migration. MariaDB: a full dump before each migration
costs about 5 ms a table, so only the tables the migration names are dumped (mariadb-dump),
with a fingerprint of the whole schema (information_schema). After a failure the tables that are
new are dropped and the dump reloaded; when the fingerprint still differs (the migration touched
a table it does not name literally), the database is rebuilt: emptied, then the up() of every
migration that had run, in order.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

_LITERAL = re.compile(r"""['"]([A-Za-z0-9_]+)['"]""")


class SnapshotError(Exception):
    pass


class SqliteSnapshots:
    def __init__(self, db):
        self.path = db.path
        self.copy = f"{db.path}.before"

    def take(self, migration: str) -> None:
        shutil.copyfile(self.path, self.copy)

    def restore(self, applied: list[str]) -> None:
        shutil.copyfile(self.copy, self.path)

    def close(self) -> None:
        if os.path.exists(self.copy):
            os.unlink(self.copy)


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/bin/{name}", f"/usr/sbin/{name}") if os.access(p, os.X_OK)), None)


class MariaDbSnapshots:
    def __init__(self, db, rebuild):
        self.db = db
        self.rebuild_with = rebuild  # rebuild(applied): empty the database, run their up()
        self.dir = tempfile.mkdtemp(prefix="migrate-lint-snapshot-")
        self.client, self.dumper = _binary("mariadb") or _binary("mysql"), \
            _binary("mariadb-dump") or _binary("mysqldump")
        self.defaults = os.path.join(self.dir, "client.cnf")
        fd = os.open(self.defaults, os.O_WRONLY | os.O_CREAT, 0o600)  # the password stays in here
        lines = ["[client]", f"user={db.user}", f"password={db.password}", f"host={db.host}",
                 f"port={db.port}"] + ([f"socket={db.socket}"] if db.socket else [])
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.dump = b""
        self.tables: list[str] = []
        self.fingerprint = ""

    def _run(self, binary, args, data: bytes | None = None) -> bytes:
        proc = subprocess.run([binary, f"--defaults-file={self.defaults}", *args], input=data,
                              capture_output=True, timeout=300)
        if proc.returncode != 0:
            raise SnapshotError(proc.stderr.decode("utf-8", "replace").strip()[-300:])
        return proc.stdout

    def _state(self) -> tuple[list[str], str]:
        name = self.db.database
        out = self._run(self.client, ["-N", "-B", "-e", (
            f"select 'T', table_name, '', '', '' from information_schema.tables where table_schema = '{name}';"
            f"select 'C', table_name, column_name, column_type, concat_ws('/', is_nullable, column_default, extra) "
            f"from information_schema.columns where table_schema = '{name}';"
            f"select 'I', table_name, index_name, column_name, non_unique "
            f"from information_schema.statistics where table_schema = '{name}';"
            f"select 'F', table_name, constraint_name, referenced_table_name, '' "
            f"from information_schema.referential_constraints where constraint_schema = '{name}';")])
        rows = sorted(out.decode("utf-8", "replace").splitlines())
        tables = [r.split("\t")[1] for r in rows if r.startswith("T\t")]
        return tables, hashlib.sha256("\n".join(rows).encode()).hexdigest()

    def take(self, migration: str) -> None:
        if not (self.client and self.dumper):
            raise SnapshotError("mariadb and mariadb-dump are needed to restore MariaDB after a "
                                "failure (apt-get install mariadb-client)")
        self.tables, self.fingerprint = self._state()
        text = Path(migration).read_text(errors="replace")
        prefix = self.db.options.get("prefix", "")
        named = {m.group(1) for m in _LITERAL.finditer(text)}
        wanted = [t for t in self.tables if t in named or (prefix and t[len(prefix):] in named)]
        self.dump = self._run(self.dumper, [
            "--skip-comments", "--skip-lock-tables", "--no-tablespaces", "--skip-triggers",
            self.db.database, *wanted]) if wanted else b""

    def restore(self, applied: list[str]) -> None:
        now, _ = self._state()
        new = [t for t in now if t not in self.tables]
        script = b"set foreign_key_checks = 0;\n" + b"".join(
            f"drop table if exists `{t}`;\n".encode() for t in new) + self.dump
        self._run(self.client, [self.db.database], script)
        if self._state()[1] != self.fingerprint:
            self.rebuild_with(applied)
            if self._state()[1] != self.fingerprint:
                raise SnapshotError("could not put the scratch database back to the state before "
                                    "the failed migration")

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def for_database(db, rebuild):
    if getattr(db, "engine", "") == "sqlite":
        return SqliteSnapshots(db)
    return MariaDbSnapshots(db, rebuild)
