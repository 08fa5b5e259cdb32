"""A throwaway PostgreSQL server in a temporary directory, for the tests (as mariadb_server.py).

Debian's `postgresql` package keeps its programs in /usr/lib/postgresql/<version>/bin. PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` system user (else `nobody`)
in a directory that user owns. Local socket connections are trusted; TCP connections need the
superuser's password, so a wrong password really fails.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from migrate_lint.dynamic.mariadb_server import _free_port, stop_process
from migrate_lint.dynamic.oracle import PgSqlDb

SUPERUSER = "postgres"


def _binary(name: str) -> str | None:
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0)
    for directory in reversed(versions):
        path = os.path.join(directory, name)
        if os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def available() -> tuple[bool, str]:
    for name in ("initdb", "postgres", "psql", "pg_dump"):
        if _binary(name) is None:
            return False, f"{name} is not installed (apt-get install postgresql)"
    if os.geteuid() == 0 and _run_as() is None:
        return False, "running as root and no `postgres` or `nobody` user to run PostgreSQL as"
    return True, ""


def _run_as() -> pwd.struct_passwd | None:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


class PgSqlServer:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="migrate-lint-pgsql-")
        self.datadir = os.path.join(self.dir, "data")
        self.socket_dir = self.dir
        self.port = _free_port()
        self.password = secrets.token_hex(12)
        self.process = None
        self.log = os.path.join(self.dir, "server.log")
        self.user = _run_as() if os.geteuid() == 0 else None
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)

    def _as_user(self) -> dict:
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": [],
                "env": {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                        "HOME": self.dir}}

    def start(self, timeout: float = 30) -> "PgSqlServer":
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as fh:
            fh.write(self.password + "\n")
        if self.user is not None:
            os.chown(pwfile, self.user.pw_uid, self.user.pw_gid)
        subprocess.run([_binary("initdb"), "-D", self.datadir, "-U", SUPERUSER, "-E", "UTF8",
                        "--locale=C", "--no-sync", f"--pwfile={pwfile}", "--auth-local=trust",
                        "--auth-host=scram-sha-256"],
                       check=True, capture_output=True, cwd=self.dir, **self._as_user())
        os.unlink(pwfile)
        with open(self.log, "wb") as log:
            if self.user is not None:
                os.chown(self.log, self.user.pw_uid, self.user.pw_gid)
            self.process = subprocess.Popen(
                [_binary("postgres"), "-D", self.datadir, "-k", self.socket_dir,
                 "-p", str(self.port), "-h", "127.0.0.1", "-c", "fsync=off",
                 "-c", "full_page_writes=off", "-c", "synchronous_commit=off"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir,
                **self._as_user())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {open(self.log).read()[-1000:]}")
            if self.query("select 1").returncode == 0:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("postgres did not become ready")

    def query(self, sql: str, database: str = "postgres") -> subprocess.CompletedProcess:
        """psql over the local socket (trusted), unaligned rows without headers."""
        return subprocess.run([_binary("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               "-h", self.socket_dir, "-p", str(self.port), "-U", SUPERUSER,
                               "-d", database, "-c", sql], capture_output=True)

    def create_database(self, name: str | None = None) -> PgSqlDb:
        name = name or "ml_" + uuid.uuid4().hex[:12]
        result = self.query(f'create database "{name}"')
        if result.returncode != 0:
            raise RuntimeError(result.stderr.decode())
        return PgSqlDb(database=name, host="127.0.0.1", port=self.port, user=SUPERUSER,
                       password=self.password, socket=self.socket_dir)

    def drop_database(self, name: str) -> None:
        self.query(f'drop database if exists "{name}" with (force)')

    def stop(self) -> None:
        stop_process(self.process, self.dir, signal.SIGINT)  # "fast": do not wait for clients

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
