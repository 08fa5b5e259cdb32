"""The live-database reader on databases that real Laravel migrated, on SQLite, MariaDB and
PostgreSQL started by the tests: live mode and dump mode agree on the same database, reading
changes nothing and cannot write, and prefix, migrations table, privileges and bad credentials
are handled, without ever showing a password."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from migrate_lint.dynamic import oracle
from migrate_lint.dynamic.dumps import schema_dump
from migrate_lint.introspect import DatabaseTarget, IntrospectError, mysql, pgsql, read_database
from migrate_lint.replay import dump

REQUIRED = os.environ.get("MIGRATE_LINT_REQUIRE_ORACLE") == "1"
ENGINES = ["sqlite", "mariadb", "pgsql"]
SECRET = "Wr0ng-s3cret"

HEAD = """<?php
use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\DB;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration {
    public function up()
    {
%s
    }
};
"""
MIGRATIONS = {
    "2024_01_01_000000_create_users_table": """
        Schema::create('users', function (Blueprint $table) {
            $table->id();
            $table->string('name');
            $table->string('email')->unique();
            $table->decimal('balance', 10, 2)->default(0);
            $table->enum('role', ['admin', 'member']);
            $table->json('meta')->nullable();
            $table->unsignedInteger('age')->nullable()->index();
            $table->boolean('active')->default(true);
            $table->uuid('token');
            $table->rememberToken();
            $table->timestamps();
            $table->softDeletes();
        });""",
    "2024_01_02_000000_create_posts_table": """
        Schema::create('posts', function (Blueprint $table) {
            $table->increments('id');
            $table->foreignId('user_id')->constrained();
            $table->unsignedBigInteger('editor_id')->nullable();
            $table->foreign('editor_id', 'posts_editor_fk')->references('id')->on('users');
            $table->string('title', 100);
            $table->text('body');
            $table->index(['user_id', 'title']);
            $table->unique(['title', 'editor_id'], 'posts_title_editor');
        });
        Schema::create('post_tag', function (Blueprint $table) {
            $table->unsignedInteger('post_id');
            $table->unsignedInteger('tag_id');
            $table->primary(['post_id', 'tag_id']);
        });""",
    "2024_01_03_000000_add_slug_to_posts": """
        Schema::table('posts', function (Blueprint $table) {
            $table->string('slug')->nullable()->unique();
        });""",
    "2024_01_04_000000_add_body_fulltext": """
        if (DB::getDriverName() === 'sqlite') {
            return; // Laravel has no full-text index on SQLite
        }
        Schema::table('posts', function (Blueprint $table) {
            $table->fullText('body');
        });""",
}


def _write(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in MIGRATIONS.items():
        (directory / f"{name}.php").write_text(HEAD % body)
    return directory


def _missing(reason: str):
    if REQUIRED:
        pytest.fail(f"oracle required (MIGRATE_LINT_REQUIRE_ORACLE=1) but {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class Prefixed:
    """A database whose Laravel connection has a table prefix."""

    db: object
    prefix: str

    def connection_config(self) -> dict:
        return {**self.db.connection_config(), "prefix": self.prefix}


@pytest.fixture
def database(request, make_db):
    """database(engine) -> (db, its URL, its server or None): empty, on that engine."""
    made = []

    def make(engine: str):
        if engine == "pgsql":
            if subprocess.run(["php", "-r", "exit(extension_loaded('pdo_pgsql') ? 0 : 1);"]
                              ).returncode != 0:
                _missing("PHP's pdo_pgsql is not installed (apt-get install php-pgsql)")
            server = request.getfixturevalue("pgsql_server")
            db = server.create_database()
            made.append((server, db))
            return db, f"pgsql://postgres:{db.password}@127.0.0.1:{db.port}/{db.database}", server
        db = make_db(engine)
        if engine == "sqlite":
            return db, f"sqlite:///{db.path}", None
        server = request.getfixturevalue("mariadb_server")
        return db, f"mariadb://root@127.0.0.1:{db.port}/{db.database}", server

    yield make
    for server, db in made:
        server.drop_database(db.database)


def _migrate(db, tmp_path) -> list[str]:
    result = oracle.migrate(_write(tmp_path / "migrations"), db)
    assert result.ok, result.error
    return result.ran


def _sql(db, server, sql: str) -> str:
    if isinstance(db, oracle.SqliteDb):
        out = subprocess.run(["sqlite3", db.path, sql], capture_output=True, text=True)
    elif isinstance(db, oracle.MariaDb):
        out = server.query(f"use `{db.database}`; {sql}")
    else:
        out = server.query(sql, database=db.database)
    assert out.returncode == 0, out.stderr
    return out.stdout if isinstance(out.stdout, str) else out.stdout.decode()


def _dump(db) -> dump.ParsedDump:
    """The schema dump each engine's own tool writes, plus the migrations rows."""
    if isinstance(db, oracle.SqliteDb) and shutil.which("sqlite3") is None:
        _missing("the sqlite3 command-line tool is not installed (apt-get install sqlite3)")
    return dump.parse(schema_dump(db))


def _shape(steps) -> dict:
    """table -> (columns with types in order, its sorted indexes: name, kind, columns,
    references)."""
    tables: dict = {}
    for s in steps:
        if s.action == "create_table":
            tables[s.table] = (s.columns, [])
        else:
            tables[s.table][1].append((s.index, s.ctype, s.columns, s.references))
    return {t: (cols, sorted(idx)) for t, (cols, idx) in tables.items()}


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ENGINES)
def test_live_mode_and_dump_mode_agree(tmp_path, database, engine):
    db, url, server = database(engine)
    ran = _migrate(db, tmp_path)
    live = read_database(DatabaseTarget.parse(url))
    dumped = _dump(db)

    live_shape, dump_shape = _shape(live.steps), _shape(dumped.steps)
    if engine == "pgsql":
        # Laravel's fullText() on PostgreSQL is a gin index over to_tsvector(body): the dump
        # parser takes the function for a column; the catalog knows it reads `body`.
        live_posts, dump_posts = live_shape["posts"][1], dump_shape["posts"][1]
        assert ("posts_body_fulltext", "fulltext", ("body",), ()) in live_posts
        assert ("posts_body_fulltext", "index", ("to_tsvector",), ()) in dump_posts
        live_posts.remove(("posts_body_fulltext", "fulltext", ("body",), ()))
        dump_posts.remove(("posts_body_fulltext", "index", ("to_tsvector",), ()))
    assert live_shape == dump_shape
    assert set(live_shape) == {"migrations", "users", "posts", "post_tag"}
    assert len(live_shape["users"][0]) == 13 and len(live_shape["posts"][1]) >= 6
    assert live.migrations == dumped.migrations == ran == list(MIGRATIONS)
    assert live.has_migrations_table and dumped.has_migrations_table
    assert all(s.line == 0 and not s.conditional for s in live.steps)
    assert ("posts_user_id_foreign", "foreign", ("user_id",), ("users", ("id",))) \
        in live_shape["posts"][1]
    assert live.warnings == [] and live.privileges == "full" and live.source == "database"
    assert live.engine == engine
    assert live.server_version.startswith({"sqlite": "SQLite 3.", "mariadb": "MariaDB 1",
                                           "pgsql": "PostgreSQL 1"}[engine])
    assert live.path == live.url
    if engine == "pgsql":
        assert live.url.startswith("pgsql://postgres:***@127.0.0.1:") and db.password not in live.url


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ENGINES)
def test_live_mode_sees_what_laravel_sees(tmp_path, database, engine):
    """Tables, columns and index names against Laravel's own schema builder (not a dump)."""
    db, url, server = database(engine)
    _migrate(db, tmp_path)
    _sql(db, server, "DROP TABLE posts")  # drift: a table dropped by hand
    live = read_database(DatabaseTarget.parse(url))
    shape = _shape(live.steps)
    laravel = oracle.schema(db)
    if engine != "pgsql":  # the runner lists tables on SQLite and MySQL only
        assert {t: [c for c, _ in shape[t][0]] for t in shape} == laravel
    assert "posts" not in shape and "post_tag" in shape
    assert live.warnings == ["1 table(s) created by recorded migrations are absent: posts "
                             "(dropped or renamed since)"]


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ENGINES)
def test_reading_is_read_only_and_changes_nothing(tmp_path, database, engine):
    db, url, server = database(engine)
    _migrate(db, tmp_path)
    _sql(db, server, "INSERT INTO users (name, email, role, token) VALUES "
                     "('a', 'a@example.com', 'admin', '00000000-0000-0000-0000-000000000001')")
    state = _state(db, server)
    target = DatabaseTarget.parse(url)
    for _ in range(2):
        read_database(target)
    assert _state(db, server) == state
    # Refused writes are still counted by MariaDB's statement counters: compare data only now.
    state = _state(db, server, counters=False)
    if engine == "sqlite":
        with pytest.raises(IntrospectError, match="readonly database"):
            from migrate_lint.introspect import sqlite as reader

            with reader.connect(target, 5) as conn:
                conn.execute("DELETE FROM users")
    else:
        reader = mysql if engine == "mariadb" else pgsql
        for statement in ("DELETE FROM users", "CREATE TABLE hacked (id int)",
                          "DROP TABLE migrations"):
            with pytest.raises(IntrospectError, match="(?i)read.only transaction"):
                with reader.connect(target, 5) as cur:
                    cur.execute(statement)
    assert _state(db, server, counters=False) == state


def _state(db, server, counters=True):
    """Everything that a write would change: the file's bytes, or checksums and schema times."""
    if isinstance(db, oracle.SqliteDb):
        folder = Path(db.path).parent
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
                if p.is_file()}
    if isinstance(db, oracle.MariaDb):
        tables = _sql(db, server, "SHOW TABLES").split()[1:]
        return (_sql(db, server, f"CHECKSUM TABLE {', '.join(tables)} EXTENDED"),
                _sql(db, server, "SELECT TABLE_NAME, CREATE_TIME, UPDATE_TIME FROM "
                     "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1"),
                _writes(server) if counters else None)
    return (_sql(db, server, "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM users t"),
            _sql(db, server, "SELECT string_agg(migration, ',' ORDER BY id) FROM migrations"),
            _sql(db, server, "SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname)"
                             " FROM pg_class WHERE relnamespace = 'public'::regnamespace"))


def _writes(server) -> str:
    """MariaDB's server-wide count of write statements since it started."""
    out = server.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_insert', 'Com_update', "
                       "'Com_delete', 'Com_create_table', 'Com_alter_table', 'Com_drop_table', "
                       "'Com_rename_table', 'Com_replace', 'Com_truncate')")
    return out.stdout.decode()


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ["sqlite", "mariadb", "pgsql"])
def test_prefix_and_custom_migrations_table(tmp_path, database, engine):
    """A prefixed database read with its prefix is the unprefixed one; other tables are not."""
    plain_db, plain_url, plain_server = database(engine)
    _migrate(plain_db, tmp_path / "plain")
    db, url, server = database(engine)
    _migrate(Prefixed(db, "app_"), tmp_path / "prefixed")
    _sql(db, server, "CREATE TABLE wp_posts (id int)")
    _sql(db, server, "ALTER TABLE app_migrations RENAME TO app_schema_migrations")
    _sql(plain_db, plain_server, "ALTER TABLE migrations RENAME TO schema_migrations")

    live = read_database(DatabaseTarget.parse(url), prefix="app_",
                         migrations_table="schema_migrations")
    plain = read_database(DatabaseTarget.parse(plain_url), migrations_table="schema_migrations")
    assert _shape(live.steps) == _shape(plain.steps)
    assert "users_email_unique" in str(live.steps) and "app_users" not in str(live.steps)
    assert live.migrations == list(MIGRATIONS) and live.warnings == []

    default = read_database(DatabaseTarget.parse(url), prefix="app_")
    assert default.migrations == [] and not default.has_migrations_table
    assert any("`app_migrations` is not visible" in w for w in default.warnings)


# --------------------------------------------------------------- credentials and privileges
def _mariadb_user(server, db, name: str, password: str, grants) -> str:
    """A user of this test's database only (users are server-wide: the name is made unique)."""
    name = f"{name}_{db.database[-6:]}"
    out = server.query(f"CREATE USER '{name}'@'127.0.0.1' IDENTIFIED BY '{password}'")
    assert out.returncode == 0, out.stderr
    for what in grants:
        out = server.query(f"GRANT {what} TO '{name}'@'127.0.0.1'")
        assert out.returncode == 0, out.stderr
    return f"mysql://{name}:{password}@127.0.0.1:{db.port}/{db.database}"


@pytest.mark.oracle
def test_mariadb_bad_credentials_and_database_are_one_masked_line(tmp_path, database):
    db, _, server = database("mariadb")
    good = _mariadb_user(server, db, "deploy", "Right-pass-123",
                         [f"SELECT ON `{db.database}`.* "])
    bad = good.replace("Right-pass-123", SECRET)
    for url, cause in ((bad, "Access denied for user 'deploy_"),
                       (good.replace(f"/{db.database}", "/no_such_db"), "to database 'no_such_db'"),
                       (good.replace("deploy_", "nobody_"), "Access denied for user 'nobody_")):
        with pytest.raises(IntrospectError) as info:
            read_database(DatabaseTarget.parse(url), timeout=5)
        message = str(info.value)
        assert cause in message and "cannot connect" in message and "\n" not in message
        assert SECRET not in message and "Right-pass-123" not in message
        assert ":***@127.0.0.1" in message
    assert read_database(DatabaseTarget.parse(good)).privileges == "full"


@pytest.mark.oracle
def test_mariadb_user_with_table_privileges_sees_fewer_tables_and_is_warned(tmp_path, database):
    db, root_url, server = database("mariadb")
    _migrate(db, tmp_path)
    some = _mariadb_user(server, db, "reporter", "pw-rep0rter",
                         [f"SELECT ON `{db.database}`.`users`",
                          f"SELECT ON `{db.database}`.`migrations`"])
    snap = read_database(DatabaseTarget.parse(some))
    assert {s.table for s in snap.steps} == {"users", "migrations"}
    assert snap.migrations == list(MIGRATIONS) and snap.privileges == "limited"
    text = " | ".join(snap.warnings)
    assert "this user cannot see every table" in text and "single tables only" in text
    assert "absent: posts (this user cannot see them)" in text

    blind = _mariadb_user(server, db, "blind", "pw-bl1nd", [f"SELECT ON `{db.database}`.`users`"])
    snap = read_database(DatabaseTarget.parse(blind))
    assert snap.migrations == [] and not snap.has_migrations_table
    assert any("`migrations` is not visible: every migration counts as pending (this user "
               "may lack the privilege to see it)" in w for w in snap.warnings)
    writer = _mariadb_user(server, db, "writer", "pw-wr1ter",
                           [f"INSERT ON `{db.database}`.`migrations`"])
    snap = read_database(DatabaseTarget.parse(writer))
    assert snap.has_migrations_table and snap.migrations == []
    assert any("`migrations` exists but cannot be read (SELECT command denied" in w
               for w in snap.warnings), snap.warnings
    assert read_database(DatabaseTarget.parse(root_url)).warnings == []


@pytest.mark.oracle
def test_pgsql_bad_credentials_database_and_privileges(tmp_path, database):
    db, url, server = database("pgsql")
    _migrate(db, tmp_path)
    for bad, cause in ((url.replace(db.password, SECRET), "password authentication failed"),
                       (url.replace(db.database, "no_such_db"), 'database "no_such_db" does not')):
        with pytest.raises(IntrospectError) as info:
            read_database(DatabaseTarget.parse(bad), timeout=5)
        message = str(info.value)
        assert cause in message and "\n" not in message
        assert SECRET not in message and db.password not in message
    role = f"reporter_{db.database}"  # roles are server-wide
    server.query(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-rep0rter'")
    server.query(f"GRANT SELECT ON users, migrations TO {role}", database=db.database)
    snap = read_database(DatabaseTarget.parse(
        f"postgres://{role}:pw-rep0rter@127.0.0.1:{db.port}/{db.database}"))
    assert {s.table for s in snap.steps} == {"users", "migrations", "posts", "post_tag"}
    assert snap.migrations == list(MIGRATIONS)
    assert any("no SELECT privilege on 2 table(s) of schema public: post_tag, posts" in w
               for w in snap.warnings), snap.warnings
    server.query(f"CREATE ROLE blind_{db.database} LOGIN PASSWORD 'pw-bl1nd'")
    snap = read_database(DatabaseTarget.parse(
        f"postgres://blind_{db.database}:pw-bl1nd@127.0.0.1:{db.port}/{db.database}"))
    assert snap.has_migrations_table and snap.migrations == []
    assert "the migrations table `migrations` exists but cannot be read (no SELECT privilege)" \
        in " | ".join(snap.warnings)


@pytest.mark.oracle
def test_pgsql_reads_the_schema_of_the_search_path(tmp_path, database):
    db, url, server = database("pgsql")
    _migrate(db, tmp_path)
    server.query("CREATE SCHEMA tenant; CREATE TABLE tenant.invoices (id bigint PRIMARY KEY, "
                 "total numeric(8, 2))", database=db.database)
    snap = read_database(DatabaseTarget.parse(url + "?search_path=tenant"))
    assert _shape(snap.steps) == {"invoices": ((("id", "bigint"), ("total", "decimal(8, 2)")),
                                               [("primary", "primary", ("id",), ())])}
    assert not snap.has_migrations_table
    assert "users" in _shape(read_database(DatabaseTarget.parse(url)).steps)


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ["mariadb", "pgsql"])
def test_a_password_with_special_characters_from_env_file_url_and_variable(
        tmp_path, database, engine, monkeypatch):
    """No password on the command line: a Laravel .env or an environment variable holds it."""
    from urllib.parse import quote

    db, _, server = database(engine)
    _migrate(db, tmp_path)
    password = 'p@ss w#rd"/x$'
    if engine == "mariadb":
        _mariadb_user(server, db, "deploy", password.replace("'", "''"),
                      [f"SELECT ON `{db.database}`.*"])
        connection, user = "mysql", f"deploy_{db.database[-6:]}"
    else:
        user = f"deploy_{db.database}"  # roles are server-wide
        server.query(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
        server.query(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {user}", database=db.database)
        connection = "pgsql"
    env = tmp_path / ".env"
    env.write_text(f"APP_NAME=Shop\nDB_CONNECTION={connection}\nDB_HOST=127.0.0.1\n"
                   f"DB_PORT={db.port}\nDB_DATABASE={db.database}\nDB_USERNAME={user}\n"
                   f"DB_PASSWORD='{password}'\n")
    for key in ("DB_CONNECTION", "DB_HOST", "DB_PORT", "DB_DATABASE", "DB_USERNAME",
                "DB_PASSWORD", "DB_URL", "DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    from_env = read_database(DatabaseTarget.parse(None, env_file=str(env)))
    assert from_env.migrations == list(MIGRATIONS) and password not in repr(from_env)
    url = f"{connection}://{user}:{quote(password, safe='')}@127.0.0.1:{db.port}/{db.database}"
    monkeypatch.setenv("STAGING_DATABASE_URL", url)
    from_var = read_database(DatabaseTarget.parse(None, env_var="STAGING_DATABASE_URL"))
    assert _shape(from_var.steps) == _shape(from_env.steps)
    assert from_var.url == f"{connection}://{user}:***@127.0.0.1:{db.port}/{db.database}"

    env.write_text(env.read_text().replace(f"DB_PASSWORD='{password}'",
                                           f"DB_PASSWORD=\"{SECRET}\""))
    with pytest.raises(IntrospectError) as info:
        read_database(DatabaseTarget.parse(None, env_file=str(env)))
    assert SECRET not in str(info.value) and "cannot connect" in str(info.value)
