"""Putting the scratch database back to the state before a migration after one of its steps failed.

SQLite: a copy of the file before each migration. MariaDB: a full dump before each migration
costs about 5 ms a table, so only the tables the migration names are dumped (mariadb-dump).
After a failure the tables that are new are dropped and the dump reloaded, and the schema's
fingerprint (the PHP worker's, over information_schema) must match the one before the
migration; when it does not (the migration touched a table it does not name literally), the
database is rebuilt: emptied, then the up() of every migration that had run, in order.
"""

from __future__ import annotations

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
    def __init__(self, db, rebuild, fingerprint):
        self.path = db.path
        self.copy = f"{db.path}.before"

    def take(self, migration: str, tables: list[str]) -> None:
        shutil.copyfile(self.path, self.copy)

    def restore(self, applied: list[str], before: dict | None) -> None:
        shutil.copyfile(self.copy, self.path)

    def close(self) -> None:
        if os.path.exists(self.copy):
            os.unlink(self.copy)


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/bin/{name}", f"/usr/sbin/{name}") if os.access(p, os.X_OK)), None)


class MariaDbSnapshots:
    def __init__(self, db, rebuild, fingerprint):
        self.db = db
        self.rebuild_with = rebuild  # rebuild(applied): empty the database, run their up()
        self.fingerprint = fingerprint  # () -> {"hash", "tables"} of the schema now
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

    def _run(self, binary, args, data: bytes | None = None) -> bytes:
        proc = subprocess.run([binary, f"--defaults-file={self.defaults}", *args], input=data,
                              capture_output=True, timeout=300)
        if proc.returncode != 0:
            raise SnapshotError(proc.stderr.decode("utf-8", "replace").strip()[-300:])
        return proc.stdout

    def take(self, migration: str, tables: list[str]) -> None:
        if not (self.client and self.dumper):
            raise SnapshotError("mariadb and mariadb-dump are needed to restore MariaDB after a "
                                "failure (apt-get install mariadb-client)")
        text = Path(migration).read_text(errors="replace")
        prefix = self.db.options.get("prefix", "")
        named = {m.group(1) for m in _LITERAL.finditer(text)}
        wanted = [t for t in tables if t in named or (prefix and t[len(prefix):] in named)]
        self.dump = self._run(self.dumper, [
            "--skip-comments", "--skip-lock-tables", "--no-tablespaces", "--skip-triggers",
            self.db.database, *wanted]) if wanted else b""

    def restore(self, applied: list[str], before: dict | None) -> None:
        if before is None:
            self.rebuild_with(applied)
            return
        now = self.fingerprint() or {"tables": []}
        new = [t for t in now["tables"] if t not in before["tables"]]
        script = b"set foreign_key_checks = 0;\n" + b"".join(
            f"drop table if exists `{t}`;\n".encode() for t in new) + self.dump
        self._run(self.client, [self.db.database], script)
        if (self.fingerprint() or {}).get("hash") != before["hash"]:
            # the migration touched a table it does not name literally: start again from empty
            self.rebuild_with(applied)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def for_database(db, rebuild, fingerprint):
    if getattr(db, "engine", "") == "sqlite":
        return SqliteSnapshots(db, rebuild, fingerprint)
    return MariaDbSnapshots(db, rebuild, fingerprint)
