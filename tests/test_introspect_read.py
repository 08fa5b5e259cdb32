"""The live-database reader on bad input, read-only enforcement on SQLite, timeouts and missing
drivers. Databases built by real Laravel are in tests/oracle/test_introspect_live.py."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import sys
import time

import pytest

from migrate_lint.introspect import DatabaseTarget, IntrospectError, read_database
from migrate_lint.introspect import sqlite as sqlite_reader
from migrate_lint.replay.dump import ParsedDump

SECRET = "s3cr3t-Pa55"


def _read_error(url: str, **kwargs) -> str:
    with pytest.raises(IntrospectError) as info:
        read_database(DatabaseTarget.parse(url), **kwargs)
    message = str(info.value)
    assert "\n" not in message and SECRET not in message
    return message


def _sqlite(path, *statements) -> str:
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()
    return str(path)


MIGRATIONS = ('create table "migrations" ("id" integer primary key autoincrement not null, '
              '"migration" varchar not null, "batch" integer not null)')


def _digest(directory) -> dict:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
            for name in sorted(os.listdir(directory))}


# ------------------------------------------------------------------------------ SQLite input
def test_a_missing_sqlite_file_is_an_error_and_is_not_created(tmp_path):
    path = tmp_path / "typo.sqlite"
    message = _read_error(f"sqlite:///{path}")
    assert "no such SQLite database file" in message
    assert not path.exists() and os.listdir(tmp_path) == []


def test_a_directory_or_a_file_that_is_not_sqlite_is_an_error(tmp_path):
    assert "is a directory" in _read_error(f"sqlite:///{tmp_path}")
    text = tmp_path / "notes.txt"
    text.write_text("CREATE TABLE users (id int);\n" * 200)
    before = _digest(tmp_path)
    assert "file is not a database" in _read_error(f"sqlite:///{text}")
    assert _digest(tmp_path) == before


def test_an_empty_file_is_an_empty_database(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.touch()
    snap = read_database(DatabaseTarget.parse(f"sqlite:///{path}"))
    assert isinstance(snap, ParsedDump)
    assert (snap.steps, snap.migrations, snap.has_migrations_table) == ([], [], False)
    assert snap.engine == "sqlite" and snap.server_version.startswith("SQLite 3.")
    assert snap.source == "database"
    assert any("migrations table `migrations` is not visible" in w for w in snap.warnings)


def test_sqlite_is_opened_read_only(tmp_path):
    path = _sqlite(tmp_path / "app.sqlite", MIGRATIONS)
    target = DatabaseTarget.parse(f"sqlite:///{path}")
    with pytest.raises(IntrospectError, match="readonly database"):
        with sqlite_reader.connect(target, 5) as conn:
            conn.execute("create table hacked (id integer)")
    with pytest.raises(IntrospectError, match="readonly database"):
        with sqlite_reader.connect(target, 5) as conn:
            conn.execute("insert into migrations (migration, batch) values ('x', 1)")
    assert [r[0] for r in sqlite3.connect(path).execute(
        "select name from sqlite_master")] == ["migrations", "sqlite_sequence"]


def test_reading_sqlite_changes_no_byte(tmp_path):
    _sqlite(tmp_path / "app.sqlite", MIGRATIONS,
            "create table users (id integer primary key, email varchar not null)",
            "create unique index users_email_unique on users (email)",
            "insert into migrations (migration, batch) values "
            "('2014_10_12_000000_create_users_table', 1)")
    before = _digest(tmp_path)
    snap = read_database(DatabaseTarget.parse(f"sqlite:///{tmp_path / 'app.sqlite'}"))
    assert snap.migrations == ["2014_10_12_000000_create_users_table"]
    assert _digest(tmp_path) == before  # no journal, -wal or -shm left behind either


def test_reading_a_wal_database_leaves_no_file_behind(tmp_path):
    path = _sqlite(tmp_path / "app.sqlite", "pragma journal_mode=wal", MIGRATIONS,
                   "insert into migrations (migration, batch) values ('m1', 1)")
    assert os.listdir(tmp_path) == ["app.sqlite"]
    before = _digest(tmp_path)
    assert read_database(DatabaseTarget.parse(f"sqlite:///{path}")).migrations == ["m1"]
    assert _digest(tmp_path) == before
    # With a writer at work (its -wal file holds committed rows), those rows are read too.
    writer = sqlite3.connect(path)
    writer.execute("insert into migrations (migration, batch) values ('m2', 2)")
    writer.commit()
    assert read_database(DatabaseTarget.parse(f"sqlite:///{path}")).migrations == ["m1", "m2"]
    writer.close()


def test_sqlite_catalog_to_steps(tmp_path):
    path = _sqlite(
        tmp_path / "app.sqlite", MIGRATIONS,
        'create table "users" ("id" integer primary key autoincrement not null, '
        '"email" varchar not null, "score" numeric, "note")',
        'create table "post_tag" ("post_id" integer not null, "tag_id" integer not null, '
        'unique ("tag_id"), foreign key("post_id") references "posts"("id"), '
        'primary key ("post_id", "tag_id"))',
        'create index "users_email_score_index" on "users" ("email", "score")',
        "insert into migrations (migration, batch) values ('2024_01_02_000000_b', 2), "
        "('2024_01_03_000000_a', 1), ('2024_01_01_000000_c', 2)")
    snap = read_database(DatabaseTarget.parse(f"sqlite:///{path}"))
    shapes = [(s.action, s.table, s.index, s.ctype, s.columns, s.line) for s in snap.steps]
    assert shapes == [
        ("create_table", "migrations", None, None,
         (("id", "integer"), ("migration", "text"), ("batch", "integer")), 0),
        ("add_index", "migrations", "primary", "primary", ("id",), 0),
        ("create_table", "post_tag", None, None,
         (("post_id", "integer"), ("tag_id", "integer")), 0),
        ("add_index", "post_tag", "primary", "primary", ("post_id", "tag_id"), 0),
        ("add_index", "post_tag", "post_tag_tag_id_unique", "unique", ("tag_id",), 0),
        ("add_index", "post_tag", "post_tag_post_id_foreign", "foreign", ("post_id",), 0),
        ("create_table", "users", None, None,
         (("id", "integer"), ("email", "text"), ("score", "real"), ("note", "?")), 0),
        ("add_index", "users", "primary", "primary", ("id",), 0),
        ("add_index", "users", "users_email_score_index", "index", ("email", "score"), 0),
    ]
    assert all(s.complete and not s.conditional for s in snap.steps)
    assert [s.references for s in snap.steps if s.ctype == "foreign"] == [("posts", ("id",))]
    # Laravel's order: batch, then name (DatabaseMigrationRepository::getRan).
    assert snap.migrations == ["2024_01_03_000000_a", "2024_01_01_000000_c",
                               "2024_01_02_000000_b"]


def test_prefix_and_migrations_table(tmp_path):
    path = _sqlite(
        tmp_path / "app.sqlite",
        MIGRATIONS.replace('"migrations"', '"wp_schema_migrations"'),
        'create table "wp_users" ("id" integer not null, "email" varchar not null)',
        'create unique index "wp_users_email_unique" on "wp_users" ("email")',
        'create unique index "custom_name" on "wp_users" ("id")',
        'create table "other_app" ("id" integer)',
        "insert into wp_schema_migrations (migration, batch) values "
        "('2024_01_01_000000_create_users_table', 1), ('2024_01_02_000000_create_posts_table', 1)")
    url = f"sqlite:///{path}"
    snap = read_database(DatabaseTarget.parse(url), prefix="wp_",
                         migrations_table="schema_migrations")
    assert [(s.table, s.index) for s in snap.steps] == [
        ("schema_migrations", None), ("schema_migrations", "primary"), ("users", None),
        ("users", "custom_name"), ("users", "users_email_unique")]
    assert snap.has_migrations_table and snap.prefix == "wp_"
    assert snap.migrations == ["2024_01_01_000000_create_users_table",
                               "2024_01_02_000000_create_posts_table"]
    assert snap.warnings == ["1 table(s) created by recorded migrations are absent: posts "
                             "(dropped or renamed since)"]
    # The prefix can come with the URL (as DB_PREFIX does in a .env).
    assert read_database(DatabaseTarget.parse(url + "?prefix=wp_"),
                         migrations_table="schema_migrations").steps == snap.steps
    # Without the custom name, Laravel would see no migrations table: every migration pending.
    plain = read_database(DatabaseTarget.parse(url), prefix="wp_")
    assert (plain.migrations, plain.has_migrations_table) == ([], False)
    assert any("`wp_migrations` is not visible" in w for w in plain.warnings)


# ---------------------------------------------------------------------- servers, no server
@pytest.fixture
def silent_port():
    """A port that accepts TCP connections and never says a word: a hung server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("scheme", ["mysql", "pgsql"])
def test_a_hung_server_times_out_with_one_line(scheme, silent_port):
    start = time.monotonic()
    message = _read_error(f"{scheme}://app:{SECRET}@127.0.0.1:{silent_port}/shop", timeout=2)
    assert time.monotonic() - start < 10
    assert f"{scheme}://app:***@127.0.0.1:{silent_port}/shop: cannot connect" in message
    assert "timeout" in message.lower() or "timed out" in message.lower()


@pytest.mark.parametrize("scheme", ["mariadb", "postgres"])
def test_an_unreachable_server_is_one_masked_line(scheme, closed_port):
    message = _read_error(f"{scheme}://app:{SECRET}@127.0.0.1:{closed_port}/shop", timeout=3)
    assert f"{scheme}://app:***@127.0.0.1:{closed_port}/shop: cannot connect" in message
    assert "refused" in message.lower()


@pytest.mark.parametrize("scheme, module, extra", [("mysql", "pymysql", "[mysql]"),
                                                   ("pgsql", "psycopg", "[pgsql]")])
def test_a_missing_driver_names_the_extra(monkeypatch, scheme, module, extra, closed_port):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    message = _read_error(f"{scheme}://app:{SECRET}@127.0.0.1:{closed_port}/shop")
    assert f"pip install 'migrate-lint{extra}'" in message
