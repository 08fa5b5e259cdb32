"""The only databases verify runs migrations on: ones it created, or one the user calls disposable.

verify runs up() and down() for real, so it never touches a database anyone cares about:
- by default, a temporary SQLite file, removed at the end;
- `--server URL`: a new database named `migrate_lint_verify_<hex>` on that server, dropped at
  the end (also on Ctrl-C, SIGTERM and errors). A MariaDB user lock named after it is held for
  the whole run, so the next run can tell the databases killed runs left behind (lock free)
  from those of runs still going (lock held), and drops only the former;
- `--disposable-database URL`: a database the user names and says may be destroyed; refused
  when it holds tables, unless `--drop-existing-tables` says those may go too.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from migrate_lint.record import field, record

PREFIX = "migrate_lint_verify_"
PASSWORD_ENV = "MIGRATE_LINT_SERVER_PASSWORD"
_SERVER_SCHEMES = ("mysql", "mariadb")


class ScratchError(Exception):
    """A database verify must not or cannot use; the message is one line, password masked."""


@record(frozen=True)
class ServerUrl:
    scheme: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    database: str = ""
    socket: str | None = None

    def display(self) -> str:
        auth = self.user + (":***" if self.password else "")
        where = f"{self.host}:{self.port}" if not self.socket else f"localhost?socket={self.socket}"
        return f"{self.scheme}://{auth}@{where}/{self.database}"

    def mask(self, text: str) -> str:
        return mask(text, self.password)


def mask(text: str, password: str) -> str:
    """Replace the password wherever it appears (short ones would mangle ordinary words)."""
    if password and len(password) >= 3:
        text = text.replace(password, "***")
    return text


def mask_url(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def parse_server_url(url: str, want_database: bool) -> ServerUrl:
    parsed = urlparse(url)
    if parsed.scheme not in _SERVER_SCHEMES:
        raise ScratchError(f"{mask_url(url)}: use a mysql:// or mariadb:// URL")
    database = unquote(parsed.path.lstrip("/"))
    if want_database and not database:
        raise ScratchError(f"{mask_url(url)}: name the disposable database, "
                           "e.g. mariadb://user@127.0.0.1:3306/scratch")
    if not want_database and database:
        raise ScratchError(
            f"{mask_url(url)}: --server takes a server, not a database (verify creates and "
            "drops its own scratch database there); to run on an existing database you can "
            "lose, use --disposable-database")
    query = parse_qs(parsed.query)
    password = unquote(parsed.password) if parsed.password is not None \
        else os.environ.get(PASSWORD_ENV, "")
    try:
        port = parsed.port or 3306
    except ValueError:
        raise ScratchError(f"{mask_url(url)}: the port is not a number") from None
    return ServerUrl(scheme=parsed.scheme, host=parsed.hostname or "127.0.0.1", port=port,
                     user=unquote(parsed.username or "root"), password=password,
                     database=database, socket=(query.get("socket") or [None])[0])


class Masker:
    """Masks the password of the URLs verify was given in any text it prints."""

    def __init__(self, passwords):
        self.passwords = [p for p in passwords if p]

    @classmethod
    def from_args(cls, *urls):
        found = [os.environ.get(PASSWORD_ENV, "")]
        for url in urls:
            if url:
                try:
                    found.append(unquote(urlparse(url).password or ""))
                except ValueError:
                    pass
        return cls(found)

    def __call__(self, text: str) -> str:
        for password in self.passwords:
            text = mask(text, password)
        return mask_url(text)


def _mariadb(server: ServerUrl, database: str, options=None):
    from migrate_lint.dynamic import oracle

    return oracle.MariaDb(database=database, host=server.host, port=server.port,
                          socket=server.socket, user=server.user, password=server.password,
                          options=dict(options or {}))


def _query(server: ServerUrl, database: str, statements, what: str):
    from migrate_lint.dynamic import oracle

    try:
        return oracle.query(_mariadb(server, database), statements)
    except oracle.OracleError as exc:
        error = re.sub(r" \(SQL: .*\)$", "", str(exc))
        where = what.format(where=server.display())
        raise ScratchError(server.mask(f"{where}: {error}")) from None


@contextmanager
def own_server():
    """A throwaway mariadbd in a temporary directory, for this run only: the URL to reach it."""
    from migrate_lint.dynamic import mariadb_server

    ok, reason = mariadb_server.available()
    if not ok:
        raise ScratchError(f"--start-mariadb: {reason}")
    try:
        server = mariadb_server.MariaDbServer().start()
    except (RuntimeError, OSError) as exc:
        raise ScratchError(f"--start-mariadb: {exc}") from None
    try:
        yield f"mariadb://root@127.0.0.1:{server.port}"
    finally:
        server.stop()


@contextmanager
def server_scratch(url: str, options=None):
    """A new database on the server, dropped at the end; leftovers of killed runs dropped first."""
    from migrate_lint.dynamic import oracle

    server = parse_server_url(url, want_database=False)
    _query(server, "", ["select 1"], "cannot connect to {where}")
    name = PREFIX + secrets.token_hex(6)
    try:
        holder = oracle.hold_lock(_mariadb(server, ""), name)
    except oracle.OracleError as exc:
        raise ScratchError(server.mask(f"cannot lock {name} on {server.display()}: {exc}")) from None
    try:
        drop_leftovers(server)
        _query(server, "", [f"create database `{name}` character set utf8mb4 "
                            "collate utf8mb4_unicode_ci"],
               f"cannot create the scratch database {name} on {{where}} (verify needs the CREATE "
               f"and DROP privileges on databases named {PREFIX}*)")
        try:
            yield _mariadb(server, name, options)
        finally:
            _query(server, "", [f"drop database if exists `{name}`"],
                   f"cannot drop the scratch database {name} on {{where}}")
    finally:
        holder.stdin.close()
        holder.wait()


def drop_leftovers(server: ServerUrl) -> list[str]:
    """Drop the scratch databases whose run is gone: no connection holds their lock."""
    pattern = PREFIX.replace("_", "\\_") + "%"
    rows = _query(server, "", [
        "select schema_name from information_schema.schemata "
        f"where schema_name like '{pattern}' and is_free_lock(schema_name) = 1"],
        "cannot list earlier scratch databases on {where}")[0]
    names = [r[0] for r in rows if re.fullmatch(PREFIX + r"[0-9a-f]+", r[0])]
    if names:
        _query(server, "", [f"drop database if exists `{n}`" for n in names],
               "cannot drop earlier scratch databases on {where}")
    return names


@contextmanager
def sqlite_scratch(options=None):
    from migrate_lint.dynamic import oracle

    with tempfile.TemporaryDirectory(prefix="migrate-lint-verify-") as tmp:
        path = Path(tmp) / "verify.sqlite"
        path.touch()
        yield oracle.SqliteDb(str(path), options={**(options or {}), "scratch": True})


@contextmanager
def disposable(url: str, drop_existing_tables: bool, options=None):
    """The database the user says may be destroyed, emptied first only when they said so."""
    from migrate_lint.dynamic import oracle

    if urlparse(url).scheme == "sqlite":
        path = sqlite_path(url)
        tables = _sqlite_tables(path) if path.exists() else []
        _refuse_tables(mask_url(url), tables, drop_existing_tables)
        if tables:
            path.write_bytes(b"")  # the user said: disposable, drop its tables
        path.touch()
        yield oracle.SqliteDb(str(path), options=dict(options or {}))
        return
    server = parse_server_url(url, want_database=True)
    rows = _query(server, server.database, ["show full tables"],
                  "cannot connect to {where}")[0]
    tables = [r[0] for r in rows]
    _refuse_tables(server.display(), tables, drop_existing_tables)
    db = _mariadb(server, server.database, options)
    if tables:
        try:
            empty(db)
        except oracle.OracleError as exc:
            raise ScratchError(server.mask(f"cannot empty {server.display()}: {exc}")) from None
    yield db


def empty(db) -> None:
    """Drop every table and view of a database verify may destroy."""
    from migrate_lint.dynamic import oracle

    if db.engine == "sqlite":
        Path(db.path).write_bytes(b"")
        return
    rows = oracle.query(db, ["show full tables"])[0]
    oracle.query(db, ["set foreign_key_checks = 0", *(
        f"drop {'view' if kind == 'VIEW' else 'table'} if exists `{t}`" for t, kind in rows)])


def sqlite_path(url: str) -> Path:
    """As SQLAlchemy: sqlite:///relative.sqlite, sqlite:////absolute/path.sqlite."""
    parsed = urlparse(url)
    path = unquote(parsed.netloc + parsed.path)
    return Path(path[1:] if path.startswith("/") else path)


def _sqlite_tables(path: Path) -> list[str]:
    import sqlite3
    from urllib.parse import quote

    try:
        with sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True) as conn:
            return [r[0] for r in conn.execute(
                "select name from sqlite_master where type in ('table', 'view') "
                "and name not like 'sqlite_%' order by name")]
    except sqlite3.Error as exc:
        raise ScratchError(f"{path}: not a SQLite database ({exc})") from None


def _refuse_tables(where: str, tables: list[str], drop_existing_tables: bool) -> None:
    if tables and not drop_existing_tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise ScratchError(
            f"{where} holds {len(tables)} table{'s' if len(tables) != 1 else ''} ({shown}); "
            "verify runs down() and would destroy them. Add --drop-existing-tables only if "
            "every table in it may be lost")
