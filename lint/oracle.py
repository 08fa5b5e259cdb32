"""Python side of the oracle: runs migrations under real Laravel through php/run_migration.php."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

DEBIAN_AUTOLOAD = "Illuminate/Database/autoload.php"


class OracleError(Exception):
    """PHP is missing, the autoloader is missing, or the runner did not answer in JSON."""


@dataclass(frozen=True)
class SqliteDb:
    path: str

    def connection_config(self) -> dict:
        return {"driver": "sqlite", "database": str(self.path), "prefix": "",
                "foreign_key_constraints": False}

    @property
    def engine(self) -> str:
        return "sqlite"


@dataclass(frozen=True)
class MariaDb:
    database: str
    host: str = "127.0.0.1"
    port: int = 3306
    socket: str | None = None
    user: str = "root"
    password: str = ""

    def connection_config(self) -> dict:
        config = {"driver": "mysql", "host": self.host, "port": self.port,
                  "database": self.database, "username": self.user, "password": self.password,
                  "charset": "utf8mb4", "collation": "utf8mb4_unicode_ci", "prefix": ""}
        if self.socket:
            config["unix_socket"] = self.socket
        return config

    @property
    def engine(self) -> str:
        return "mariadb"


@dataclass(frozen=True)
class PgSqlDb:
    database: str
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = field(default="", repr=False)
    socket: str | None = None  # the server's socket directory, for psql and pg_dump

    def connection_config(self) -> dict:
        return {"driver": "pgsql", "host": self.host, "port": self.port,
                "database": self.database, "username": self.user, "password": self.password,
                "charset": "utf8", "prefix": "", "schema": "public", "sslmode": "disable"}

    @property
    def engine(self) -> str:
        return "pgsql"


@dataclass
class StepResult:
    method: str
    ok: bool
    error: str | None = None
    sqlstate: str | None = None
    driver_code: int | None = None
    exception: str | None = None


@dataclass
class StepsResult:
    ok: bool
    steps: list[StepResult]
    tables: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None  # the migration could not even be loaded
    indexes: dict[str, list[str]] = field(default_factory=dict)  # table -> index names

    @property
    def failure(self) -> StepResult | None:
        return next((s for s in self.steps if not s.ok), None)


@dataclass
class MigrateResult:
    ok: bool
    error: str | None
    sqlstate: str | None
    driver_code: int | None
    failed_migration: str | None
    ran: list[str]
    pending: list[str]
    tables: dict[str, list[str]]


def runner_path() -> str:
    return str(resources.files("migrate_lint") / "php" / "run_migration.php")


def available(autoload: list[str] | None = None) -> tuple[bool, str]:
    php = shutil.which("php")
    if php is None:
        return False, "php is not installed (apt-get install php-cli)"
    if autoload:
        missing = [a for a in autoload if not Path(a).is_file()]
        if missing:
            return False, f"autoloader not found: {missing[0]}"
        return True, ""
    probe = subprocess.run([php, "-r", f"exit(stream_resolve_include_path('{DEBIAN_AUTOLOAD}') ? 0 : 1);"],
                           capture_output=True)
    if probe.returncode != 0:
        return False, ("Laravel's database package is not installed "
                       "(apt-get install php-illuminate-database php-illuminate-filesystem "
                       "php-sqlite3 php-mysql), and no --autoload was given")
    return True, ""


def _call(request: dict, timeout: float) -> dict:
    php = shutil.which("php")
    if php is None:
        raise OracleError("php is not installed")
    try:
        proc = subprocess.run([php, runner_path()], input=json.dumps(request).encode(),
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OracleError(f"the PHP runner did not finish within {timeout:.0f} s") from None
    try:
        data = json.loads(proc.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()[-500:]
        raise OracleError(f"the PHP runner did not answer in JSON: {tail}") from None
    if data.get("fatal") and "autoloader not found" in str(data.get("error")):
        raise OracleError(data["error"])
    return data


def _request(db, setup, autoload) -> dict:
    request = {"connection": db.connection_config(), "setup": list(setup)}
    if autoload:
        request["autoload"] = [str(a) for a in autoload]
    return request


def run_steps(file, steps, db, setup=(), autoload=None, timeout: float = 120,
              keep_going: bool = False) -> StepsResult:
    """Runs the steps in one PHP process; stops at the first failure unless keep_going."""
    request = _request(db, setup, autoload)
    request.update(action="steps", file=str(Path(file).resolve()), steps=list(steps),
                   **{"continue": keep_going})
    data = _call(request, timeout)
    results = [StepResult(method=s.get("method", "?"), ok=bool(s.get("ok")), error=s.get("error"),
                          sqlstate=s.get("sqlstate"), driver_code=s.get("driver_code"),
                          exception=s.get("exception")) for s in data.get("steps", [])]
    return StepsResult(ok=bool(data.get("ok")), steps=results, tables=data.get("tables") or {},
                       error=data.get("error") if data.get("fatal") else None,
                       indexes=data.get("indexes") or {})


def migrate(path, db, autoload=None, setup=(), timeout: float = 300) -> MigrateResult:
    request = _request(db, setup, autoload)
    request.update(action="migrate", path=str(Path(path).resolve()))
    data = _call(request, timeout)
    return MigrateResult(ok=bool(data.get("ok")), error=data.get("error"),
                         sqlstate=data.get("sqlstate"), driver_code=data.get("driver_code"),
                         failed_migration=data.get("failed_migration"), ran=data.get("ran", []),
                         pending=data.get("pending", []), tables=data.get("tables") or {})


def schema(db, autoload=None, timeout: float = 60) -> dict[str, list[str]]:
    request = _request(db, (), autoload)
    request["action"] = "schema"
    return _call(request, timeout).get("tables") or {}
