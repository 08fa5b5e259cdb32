"""Which database to read: a URL, an environment variable holding one, or a Laravel `.env`.

A password is kept only on the target (never in its repr) and every message about a target goes
through `target.mask()`, which hides it in any form it may take (as given, URL-encoded).
"""

from __future__ import annotations

import contextlib
import os
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from migrate_lint.record import field, record

DRIVERS = {"mysql": "mysql", "mariadb": "mysql", "pgsql": "pgsql", "postgres": "pgsql",
           "postgresql": "pgsql", "sqlite": "sqlite"}
DEFAULT_PORTS = {"mysql": 3306, "pgsql": 5432}
SCHEMES = "mysql://, mariadb://, pgsql://, postgres://, postgresql:// or sqlite:///path"
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"((?:password|pass|pwd)=)[^&\s]*", re.IGNORECASE)


class IntrospectError(Exception):
    """The database cannot be read; the message is one line with no password in it."""


def mask(text: str) -> str:
    """Hides the password of every URL in `text` (user:***@host) and `password=` parameters."""
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))


@record(frozen=True)
class DatabaseTarget:
    driver: str  # mysql | pgsql | sqlite
    database: str | None = None  # a database name, or the SQLite file's path
    host: str | None = None
    port: int | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    socket: str | None = None  # MySQL unix socket
    options: tuple = ()  # (key, value) pairs of the URL's query (sslmode, search_path, ...)
    prefix: str | None = None  # table prefix from DB_PREFIX or ?prefix=
    scheme: str = ""  # as written: mariadb, postgres, ...
    source: str = ""  # where the settings came from, for messages
    connection: str | None = None  # the Laravel connection name asked for
    notes: tuple = ()  # environment variables that overrode the .env file

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def parse(cls, url: str | None = None, env_var: str | None = None,
              env_file: str | None = None, connection: str | None = None) -> "DatabaseTarget":
        """Exactly one of: a URL, the name of an environment variable holding one, a .env file."""
        given = [x for x in (url, env_var, env_file) if x]
        if len(given) != 1:
            raise IntrospectError("give one of --database URL, --database-env NAME, "
                                  "--env-file .env")
        if env_var:
            value = os.environ.get(env_var)
            if not value:
                raise IntrospectError(f"environment variable {env_var} is not set or empty")
            return cls.from_url(value, source=f"${env_var}", connection=connection)
        if env_file:
            return cls.from_env_file(env_file, connection=connection)
        return cls.from_url(url, source="--database", connection=connection)

    @classmethod
    def from_url(cls, url: str, source: str = "", connection: str | None = None,
                 base: dict | None = None) -> "DatabaseTarget":
        url = url.strip()
        scheme = url.split(":", 1)[0].lower() if "://" in url else ""
        driver = DRIVERS.get(scheme)
        if driver is None:
            # Not echoed: where the scheme is unknown, so is where a password would sit.
            what = f"scheme '{scheme}'" if scheme and re.fullmatch(r"[a-z0-9+.-]+", scheme) \
                else "no scheme://"
            raise IntrospectError(f"{source or 'the database URL'}: unsupported database URL "
                                  f"({what}): use {SCHEMES}")
        if driver == "sqlite":
            return cls._sqlite_url(url, scheme, source, connection)
        try:
            parts = urlsplit(url)
            port = parts.port
            username = unquote(parts.username) if parts.username else None
            password = unquote(parts.password) if parts.password is not None else None
            host = unquote(parts.hostname) if parts.hostname else None
        except ValueError:  # not echoed: it may hold part of a misparsed password
            raise IntrospectError(f"{source or 'the database URL'}: not a valid {scheme}:// URL "
                                  "(percent-encode special characters in the password, e.g. / "
                                  "as %2F, @ as %40, # as %23, space as %20)") from None
        query = [(k, unquote(v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        qd = {k.lower(): v for k, v in query}
        base = dict(base or {})
        settings = {
            "database": unquote(parts.path.lstrip("/")) or base.get("database"),
            "host": host or base.get("host"),
            "port": port or base.get("port"),
            "username": username if username is not None else base.get("username"),
            "password": password if password is not None else base.get("password"),
            "socket": qd.pop("unix_socket", None) or qd.pop("socket", None) or base.get("socket"),
        }
        if settings["password"] is None and "password" in qd:
            settings["password"] = qd.pop("password")
        prefix = qd.pop("prefix", None)
        options = tuple((k, v) for k, v in query if k.lower() in qd)
        return cls(driver=driver, scheme=scheme, source=source, connection=connection,
                   options=options, prefix=prefix if prefix is not None else base.get("prefix"),
                   notes=tuple(base.get("notes", ())), **settings)

    @classmethod
    def _sqlite_url(cls, url, scheme, source, connection) -> "DatabaseTarget":
        # sqlite:///relative.sqlite and sqlite:////absolute.sqlite, as Laravel and SQLAlchemy.
        rest = url.split("://", 1)[1]
        path, _, query = rest.partition("?")
        if not path.startswith("/") or path == "/":
            raise IntrospectError(f"{source or 'the database URL'}: a SQLite URL is "
                                  "sqlite:///relative/path or sqlite:////absolute/path")
        path = unquote(path[1:])
        qd = dict(parse_qsl(query))
        return cls(driver="sqlite", database=path, scheme=scheme, source=source,
                   connection=connection, prefix=qd.get("prefix"))

    @classmethod
    def from_env_file(cls, path: str, connection: str | None = None,
                      environ: dict | None = None) -> "DatabaseTarget":
        """Laravel's DB_* settings (DB_URL/DATABASE_URL over them, the environment over both)."""
        from migrate_lint.introspect import envfile

        environ = dict(os.environ) if environ is None else environ
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise IntrospectError(f"{path}: cannot read the .env file: "
                                  f"{getattr(exc, 'strerror', None) or exc.__class__.__name__}") \
                from None
        try:
            merged = envfile.parse(text, environ)
        except envfile.EnvFileError as exc:
            raise IntrospectError(f"{path}: {exc}") from None
        keys = ("DB_CONNECTION", "DB_HOST", "DB_PORT", "DB_DATABASE", "DB_USERNAME",
                "DB_PASSWORD", "DB_SOCKET", "DB_PREFIX", "DB_URL", "DATABASE_URL")
        notes = tuple(f"{k} is taken from the environment, not from {path} (as Laravel does)"
                      for k in keys if k in environ and k in merged)
        value = {k: envfile.laravel_value(merged.get(k, environ.get(k))) for k in keys}
        name = connection or value["DB_CONNECTION"]
        url = value["DB_URL"] or value["DATABASE_URL"]
        driver = DRIVERS.get((name or "").lower())
        if url and "://" in url:
            driver = DRIVERS.get(url.split(":", 1)[0].lower(), driver)
        if driver is None:
            if not name:
                raise IntrospectError(f"{path}: DB_CONNECTION is not set")
            raise IntrospectError(f"{path}: connection '{name}' is not one of mysql, mariadb, "
                                  "pgsql, sqlite (its settings live in config/database.php, "
                                  "which is not read): give --database URL")
        base_dir = os.path.dirname(os.path.abspath(path))
        database = value["DB_DATABASE"]
        if driver == "sqlite":
            database = database or os.path.join("database", "database.sqlite")
            database = os.path.join(base_dir, database)  # artisan runs in the project root
        port = value["DB_PORT"]
        base = {"database": database, "host": value["DB_HOST"] or "127.0.0.1",
                "port": int(port) if port and port.isdigit() else None,
                "username": value["DB_USERNAME"], "password": value["DB_PASSWORD"],
                "socket": value["DB_SOCKET"] or None, "prefix": value["DB_PREFIX"],
                "notes": notes}
        if port and not port.isdigit():
            raise IntrospectError(f"{path}: DB_PORT is not a number")
        if url:
            return cls.from_url(url, source=path, connection=name, base=base)
        if driver == "sqlite":
            return cls(driver="sqlite", database=database, scheme="sqlite", source=path,
                       connection=name, prefix=base["prefix"], notes=notes)
        return cls(driver=driver, scheme=driver, source=path, connection=name,
                   database=database, host=base["host"], port=base["port"],
                   username=base["username"], password=base["password"], socket=base["socket"],
                   prefix=base["prefix"], notes=notes)

    # -- showing -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The target as a URL with the password masked: safe to print."""
        if self.driver == "sqlite":
            path = self.database or ""
            return "sqlite:///" + quote(path, safe="/:._-~")
        user = quote(self.username or "", safe="")
        auth = f"{user}:***@" if self.password else (f"{user}@" if user else "")
        host = self.host or "localhost"
        if ":" in host:
            host = f"[{host}]"
        port = f":{self.port}" if self.port else ""
        query = "&".join(f"{k}={quote(v, safe='/')}" for k, v in self.options
                         if k.lower() not in ("password", "pass", "pwd"))
        if self.socket:
            query = "&".join(x for x in (query, f"unix_socket={self.socket}") if x)
        return f"{self.scheme or self.driver}://{auth}{host}{port}/{quote(self.database or '')}" \
            + (f"?{query}" if query else "")

    def mask(self, text: str) -> str:
        """`text` with this target's password hidden in every form, and any URL's password."""
        text = mask(str(text))
        if self.password:
            for form in {self.password, quote(self.password, safe=""), quote(self.password)}:
                text = text.replace(form, "***")
        return text

    def error(self, what: str, exc: BaseException | str | None = None) -> IntrospectError:
        """One masked line: '<url>: what: cause'."""
        cause = "" if exc is None else f": {one_line(exc)}"
        return IntrospectError(self.mask(f"{self.url}: {what}{cause}"))

    def __repr__(self) -> str:
        return f"DatabaseTarget({self.url!r})"

    __str__ = __repr__


@contextlib.contextmanager
def read_only_cursor(target: DatabaseTarget, conn, errors, *statements):
    """A cursor of `conn` after `statements` (those that make it read-only); rolled back and
    closed at the end; a driver error (`errors`) becomes one masked line."""
    try:
        cur = conn.cursor()
        for sql in statements:
            cur.execute(sql)
        yield cur
    except errors as exc:
        raise target.error("cannot read the database", exc) from None
    finally:
        with contextlib.suppress(Exception):
            conn.rollback()
        with contextlib.suppress(Exception):
            conn.close()


def one_line(exc: BaseException | str) -> str:
    text = str(exc) if not isinstance(exc, BaseException) or str(exc) else exc.__class__.__name__
    args = getattr(exc, "args", ())
    if len(args) == 2 and isinstance(args[0], int):  # PyMySQL: (code, message)
        text = f"{args[1]} ({args[0]})"
    return re.sub(r"\s+", " ", text).strip()
