"""Python side of the oracle: runs migrations under real Laravel through php/run_migration.php."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from importlib import resources
from pathlib import Path

from migrate_lint.record import field, record

DEBIAN_AUTOLOAD = "Illuminate/Database/autoload.php"


class OracleError(Exception):
    """PHP is missing, the autoloader is missing, or the runner did not answer in JSON."""


@record(frozen=True)
class SqliteDb:
    path: str
    options: dict = field(default_factory=dict, compare=False, hash=False)  # prefix, ...

    def connection_config(self) -> dict:
        return {"driver": "sqlite", "database": str(self.path), "prefix": "",
                "foreign_key_constraints": False, **self.options}

    @property
    def engine(self) -> str:
        return "sqlite"


@record(frozen=True)
class MariaDb:
    database: str
    host: str = "127.0.0.1"
    port: int = 3306
    socket: str | None = None
    user: str = "root"
    password: str = field(default="", repr=False)
    options: dict = field(default_factory=dict, compare=False, hash=False)  # strict, charset, ...

    def connection_config(self) -> dict:
        config = {"driver": "mysql", "host": self.host, "port": self.port,
                  "database": self.database, "username": self.user, "password": self.password,
                  "charset": "utf8mb4", "collation": "utf8mb4_unicode_ci", "prefix": "",
                  **self.options}
        if self.socket:
            config["unix_socket"] = self.socket
        return config

    @property
    def engine(self) -> str:
        return "mariadb"


@record(frozen=True)
class PgSqlDb:
    database: str
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = field(default="", repr=False)
    socket: str | None = None  # the server's socket directory, for psql and pg_dump
    options: dict = field(default_factory=dict, compare=False, hash=False)

    def connection_config(self) -> dict:
        return {"driver": "pgsql", "host": self.host, "port": self.port,
                "database": self.database, "username": self.user, "password": self.password,
                "charset": "utf8", "prefix": "", "schema": "public", "sslmode": "disable",
                **self.options}

    @property
    def engine(self) -> str:
        return "pgsql"


@record
class StepResult:
    method: str
    ok: bool
    error: str | None = None
    sqlstate: str | None = None
    driver_code: int | None = None
    exception: str | None = None
    line: int | None = None  # innermost frame in the migration file: the failing statement
    fingerprint: dict | None = None  # {"hash", "tables"} of the schema after the step


@record
class StepsResult:
    ok: bool
    steps: list[StepResult]
    tables: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None  # the migration could not be loaded, or PHP stopped (fatal error)
    fatal: StepResult | None = None  # that error, with the step running then ("load" if none)
    before: dict | None = None  # the schema's fingerprint before the steps
    indexes: dict[str, list[str]] = field(default_factory=dict)  # table -> index names

    @property
    def failure(self) -> StepResult | None:
        return next((s for s in self.steps if not s.ok), None)


@record
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
    return str(resources.files("migrate_lint.dynamic") / "php" / "run_migration.php")


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


ANSWER = b"\x1emigrate-lint-answer:"


def _answer(output: bytes) -> str:
    """The runner's JSON answer: what follows its last marker (IndexError when none)."""
    if ANSWER not in output:
        raise IndexError("no answer")
    return output.rsplit(ANSWER, 1)[1].decode("utf-8", "replace").strip()


def _answered(output: bytes) -> bool:
    at = output.rfind(ANSWER)
    return at >= 0 and output.endswith(b"\n", at)


def _call(request: dict, timeout: float) -> dict:
    php = shutil.which("php")
    if php is None:
        raise OracleError("php is not installed")
    try:
        proc = subprocess.run([php, runner_path()], input=json.dumps(request).encode() + b"\n",
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OracleError(f"the PHP runner did not finish within {timeout:.0f} s") from None
    try:
        data = json.loads(_answer(proc.stdout))
    except (ValueError, IndexError):
        tail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()[-500:]
        raise OracleError(f"the PHP runner did not answer in JSON: {tail}") from None
    if data.get("fatal") and "autoloader not found" in str(data.get("error")):
        raise OracleError(data["error"])
    return data


def _step(s: dict, method: str | None = None) -> StepResult:
    return StepResult(method=method or s.get("method", "?"), ok=bool(s.get("ok")),
                      error=s.get("error"), sqlstate=s.get("sqlstate"),
                      driver_code=s.get("driver_code"), exception=s.get("exception"),
                      line=s.get("line"), fingerprint=s.get("fingerprint"))


def _request(db, setup, autoload) -> dict:
    request = {"connection": db.connection_config(), "setup": list(setup)}
    if isinstance(db, SqliteDb) and db.options.get("scratch"):
        # A scratch file needs no durability: no fsync per statement.
        request["session"] = ["PRAGMA synchronous = OFF", "PRAGMA journal_mode = MEMORY"]
        request["connection"].pop("scratch", None)
    if autoload:
        request["autoload"] = [str(a) for a in autoload]
    return request


def run_steps(file, steps, db, setup=(), autoload=None, timeout: float = 120,
              keep_going: bool = False, tables: bool = True) -> StepsResult:
    """Runs the steps in one PHP process; stops at the first failure unless keep_going."""
    request = _request(db, setup, autoload)
    request.update(action="steps", file=str(Path(file).resolve()), steps=list(steps),
                   tables=tables, **{"continue": keep_going})
    return _steps_result(_call(request, timeout))


def _steps_result(data: dict) -> StepsResult:
    results = [_step(s) for s in data.get("steps", [])]
    fatal = _step(data, data.get("running") or "load") if data.get("fatal") else None
    return StepsResult(ok=bool(data.get("ok")), steps=results, tables=data.get("tables") or {},
                       error=data.get("error") if data.get("fatal") else None, fatal=fatal,
                       before=data.get("before"), indexes=data.get("indexes") or {})


class Worker:
    """One PHP process booted once, running steps requests one at a time (a process per
    migration costs ~60 ms of booting). A PHP fatal error, exit() or a timeout ends the
    process after that request; the next request starts a new one."""

    def __init__(self, db, autoload=None, timeout: float = 120):
        self.db, self.autoload, self.timeout = db, autoload, timeout
        self.proc: subprocess.Popen | None = None

    def _start(self):
        request = _request(self.db, (), self.autoload)
        request["action"] = "serve"
        self.proc = subprocess.Popen([shutil.which("php") or "php", runner_path()],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        self.proc.stdin.flush()

    def run_steps(self, file, steps, keep_going: bool = False,
                  fingerprint: bool = False) -> StepsResult:
        import selectors

        if self.proc is None or self.proc.poll() is not None:
            self._start()
        job = {"file": str(Path(file).resolve()) if file else None, "steps": list(steps),
               "continue": keep_going, "fingerprint": fingerprint}
        try:
            self.proc.stdin.write(json.dumps(job).encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + self.timeout
        out, ready = b"", True
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            # What the migration wrote itself comes first: read up to our answer's line end.
            # (os.read, not readline: a buffered reader would hide lines from select.)
            while not _answered(out):
                ready = bool(sel.select(max(0.0, deadline - time.monotonic())))
                chunk = os.read(fd, 1 << 16) if ready else b""
                if not chunk:
                    break
                out += chunk
        try:
            data = json.loads(_answer(out))
        except (ValueError, IndexError):
            self.close()
            error = (f"the PHP runner did not finish within {self.timeout:.0f} s" if not ready
                     else "the PHP runner stopped without answering")
            return StepsResult(ok=False, steps=[], error=error,
                               fatal=StepResult(method="load", ok=False, error=error,
                                                exception="OracleError"))
        if data.get("fatal") and "autoloader not found" in str(data.get("error")):
            self.close()
            raise OracleError(data["error"])
        if data.get("php_fatal"):
            self.close()
        return _steps_result(data)

    def fingerprint(self) -> dict | None:
        return self.run_steps(None, [], fingerprint=True).before

    def close(self):
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def replay(files, db, autoload=None, timeout: float = 600) -> dict:
    """up() of each file in order in one PHP process: {"ok", "error", "failed"}."""
    request = _request(db, (), autoload)
    request.update(action="replay", files=[str(Path(f).resolve()) for f in files], tables=False)
    return _call(request, timeout)


def probe(autoload=None, timeout: float = 60) -> dict:
    """Whether the autoloader boots here: {"ok", "laravel" (version or None), "php", "error"}."""
    request = _request(SqliteDb(":memory:"), (), autoload)
    request["action"] = "probe"
    try:
        return _call(request, timeout)
    except OracleError as exc:
        return {"ok": False, "error": str(exc)}


def migrate(path, db, autoload=None, setup=(), timeout: float = 300) -> MigrateResult:
    request = _request(db, setup, autoload)
    request.update(action="migrate", path=str(Path(path).resolve()))
    data = _call(request, timeout)
    return MigrateResult(ok=bool(data.get("ok")), error=data.get("error"),
                         sqlstate=data.get("sqlstate"), driver_code=data.get("driver_code"),
                         failed_migration=data.get("failed_migration"), ran=data.get("ran", []),
                         pending=data.get("pending", []), tables=data.get("tables") or {})


def query(db, statements, timeout: float = 60) -> list[list[list]]:
    """Rows of each SQL statement, run on db's connection; OracleError with the server's error."""
    request = _request(db, (), None)
    request.update(action="query", sql=list(statements))
    data = _call(request, timeout)
    if not data.get("ok"):
        raise OracleError(data.get("error") or "the query failed")
    return data.get("rows") or []


def hold_lock(db, name: str) -> subprocess.Popen:
    """A PHP process holding MariaDB's user lock `name` until its stdin is closed (or we die)."""
    request = _request(db, (), None)
    request.update(action="hold", lock=name)
    proc = subprocess.Popen([shutil.which("php") or "php", runner_path()], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdin.write(json.dumps(request).encode() + b"\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    try:
        ok = json.loads(line or b"{}").get("ok")
    except ValueError:
        ok = False
    if not ok:
        proc.stdin.close()
        proc.wait()
        raise OracleError(f"could not take the lock {name}")
    return proc


def schema(db, autoload=None, timeout: float = 60) -> dict[str, list[str]]:
    request = _request(db, (), autoload)
    request["action"] = "schema"
    return _call(request, timeout).get("tables") or {}
