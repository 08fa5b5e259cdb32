"""A throwaway MariaDB server in a temporary directory, for the oracle tests and examples.

Started as LARAVEL_FACTS.md describes: mariadb-install-db, then mariadbd on its own socket and a
free loopback port, output to a log file (else it holds the caller's pipe open).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

from migrate_lint.dynamic.oracle import MariaDb


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None)


def available() -> tuple[bool, str]:
    for name in ("mariadbd", "mariadb-install-db", "mariadb"):
        if _binary(name) is None:
            return False, f"{name} is not installed (apt-get install mariadb-server-core mariadb-client-core)"
    return True, ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process, directory: str, sig: int = signal.SIGTERM) -> None:
    """Stops a server started by the tests (20 s, then killed) and removes its directory."""
    if process is not None and process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    shutil.rmtree(directory, ignore_errors=True)


class MariaDbServer:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="migrate-lint-mariadb-")
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mysqld.sock")
        self.port = _free_port()
        self.process = None
        self.log = os.path.join(self.dir, "server.log")

    def _user_args(self) -> list[str]:
        return ["--user=root"] if os.geteuid() == 0 else []

    def start(self, timeout: float = 30) -> "MariaDbServer":
        subprocess.run([_binary("mariadb-install-db"), "--no-defaults", f"--datadir={self.datadir}",
                        "--auth-root-authentication-method=normal", "--skip-test-db",
                        *self._user_args()], check=True, capture_output=True)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [_binary("mariadbd"), "--no-defaults", f"--datadir={self.datadir}",
                 f"--socket={self.socket}", f"--pid-file={os.path.join(self.dir, 'pid')}",
                 "--bind-address=127.0.0.1", f"--port={self.port}", "--skip-log-bin",
                 "--innodb-buffer-pool-size=64M", *self._user_args()],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {open(self.log).read()[-1000:]}")
            if self.query("select 1").returncode == 0:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("mariadbd did not become ready")

    def query(self, sql: str) -> subprocess.CompletedProcess:
        return subprocess.run([_binary("mariadb"), "--no-defaults", f"--socket={self.socket}",
                               "-uroot", "-e", sql], capture_output=True)

    def create_database(self, name: str | None = None) -> MariaDb:
        name = name or "ml_" + uuid.uuid4().hex[:12]
        result = self.query(f"create database `{name}`")
        if result.returncode != 0:
            raise RuntimeError(result.stderr.decode())
        return MariaDb(database=name, host="127.0.0.1", port=self.port, socket=self.socket)

    def drop_database(self, name: str) -> None:
        self.query(f"drop database if exists `{name}`")

    def stop(self) -> None:
        stop_process(self.process, self.dir)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
