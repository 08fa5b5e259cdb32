"""verify only ever runs migrations on a database it created, or one the user calls disposable."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from migrate_lint.dynamic import oracle

DROPS_USERS = """<?php
return new class extends Migration {
    public function up()
    {
        if (! Schema::hasTable('users')) {
            Schema::create('users', function (Blueprint $table) {
                $table->id();
            });
        }
    }

    public function down()
    {
        Schema::dropIfExists('users');
    }
};
"""

SLOW = """<?php
return new class extends Migration {
    public function up()
    {
        Schema::create('slow', function (Blueprint $table) { $table->id(); });
        sleep(60);
    }
};
"""


def verify(*args, env=None):
    return subprocess.run([sys.executable, "-m", "migrate_lint", "verify", *map(str, args)],
                          capture_output=True, text=True, env=env)


def migrations(tmp_path, text=DROPS_USERS):
    folder = tmp_path / "migrations"
    folder.mkdir(exist_ok=True)
    (folder / "2024_01_01_000000_users.php").write_text(text)
    return folder


def users_sqlite(path):
    with sqlite3.connect(path) as conn:
        conn.execute("create table users (id integer primary key, name text)")
        conn.execute("insert into users (name) values ('ada'), ('grace')")
    return path.read_bytes()


def databases(server) -> set[str]:
    return set(server.query("show databases").stdout.decode().split()[1:])


def scratch_databases(server) -> set[str]:
    return {d for d in databases(server) if d.startswith("migrate_lint_verify_")}


def server_url(server, password=""):
    return f"mysql://root{':' + password if password else ''}@127.0.0.1:{server.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_sqlite_file_holding_tables_is_never_touched(php_ready, tmp_path):
    folder = migrations(tmp_path)
    app = tmp_path / "app.sqlite"
    before = users_sqlite(app)
    proc = verify(folder, "--database", f"sqlite:///{app}")
    assert proc.returncode == 2 and "verify takes no --database" in proc.stderr
    proc = verify(folder, "--disposable-database", f"sqlite:///{app}")
    assert proc.returncode == 2
    assert "holds 1 table (users)" in proc.stderr and "--drop-existing-tables" in proc.stderr
    assert app.read_bytes() == before
    # said twice that it may go: verify runs there
    proc = verify(folder, "--disposable-database", f"sqlite:///{app}", "--drop-existing-tables")
    assert proc.returncode == 0, proc.stderr


def test_a_named_mariadb_database_holding_tables_is_never_touched(php_ready, mariadb_server,
                                                                   tmp_path):
    folder = migrations(tmp_path)
    db = mariadb_server.create_database()
    mariadb_server.query(f"create table `{db.database}`.users (id int primary key, name text);"
                         f"insert into `{db.database}`.users values (1, 'ada')")
    url = f"{server_url(mariadb_server)}/{db.database}"
    for args in (["--database", url], ["--disposable-database", url]):
        proc = verify(folder, *args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "holds 1 table (users)" in proc.stderr
    rows = mariadb_server.query(f"select count(*) from `{db.database}`.users").stdout.decode()
    assert rows.split()[-1] == "1"
    proc = verify(folder, "--disposable-database", url, "--drop-existing-tables")
    assert proc.returncode == 0, proc.stderr
    mariadb_server.drop_database(db.database)


def test_server_gets_a_scratch_database_that_is_dropped_at_the_end(php_ready, mariadb_server,
                                                                    tmp_path):
    folder = migrations(tmp_path)
    keep = mariadb_server.create_database()
    mariadb_server.query(f"create table `{keep.database}`.users (id int primary key)")
    before = databases(mariadb_server)
    proc = verify(folder, "--server", server_url(mariadb_server), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert databases(mariadb_server) == before
    assert "users" in mariadb_server.query(f"show tables from `{keep.database}`").stdout.decode()
    mariadb_server.drop_database(keep.database)


def test_server_is_not_a_database(php_ready, mariadb_server, tmp_path):
    proc = verify(migrations(tmp_path), "--server", server_url(mariadb_server) + "/app")
    assert proc.returncode == 2
    assert "--server takes a server, not a database" in proc.stderr


def test_leftovers_of_killed_runs_are_dropped_and_live_runs_kept(php_ready, mariadb_server,
                                                                  tmp_path):
    dead, live = "migrate_lint_verify_0000000000aa", "migrate_lint_verify_0000000000bb"
    mariadb_server.query(f"create database {dead}; create database {live}")
    holder = oracle.hold_lock(oracle.MariaDb(database="", port=mariadb_server.port), live)
    try:
        proc = verify(migrations(tmp_path), "--server", server_url(mariadb_server))
        assert proc.returncode == 0, proc.stderr
        assert scratch_databases(mariadb_server) == {live}
    finally:
        holder.stdin.close()
        holder.wait()
        mariadb_server.drop_database(live)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_scratch_database_is_dropped_when_verify_is_stopped(php_ready, mariadb_server, tmp_path,
                                                            sig):
    folder = migrations(tmp_path, SLOW)
    before = scratch_databases(mariadb_server)
    proc = subprocess.Popen([sys.executable, "-m", "migrate_lint", "verify", str(folder),
                             "--server", server_url(mariadb_server)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        created = scratch_databases(mariadb_server) - before
        if created and "slow" in mariadb_server.query(
                f"show tables from `{next(iter(created))}`").stdout.decode():
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("verify never reached the slow migration")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + sig if sig == signal.SIGTERM else proc.returncode == 130, err
    assert scratch_databases(mariadb_server) == before


def test_an_unreachable_server_is_one_clear_error(php_ready, tmp_path):
    port = free_port()
    proc = verify(migrations(tmp_path), "--server", f"mysql://root:hunter22@127.0.0.1:{port}")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("migrate-lint: error: cannot connect to "), lines
    assert "Connection refused" in lines[0]
    assert "hunter22" not in proc.stdout + proc.stderr
    assert "All checks passed" not in proc.stdout


def test_passwords_never_appear(php_ready, mariadb_server, tmp_path):
    folder = migrations(tmp_path)
    proc = verify(folder, "--server", server_url(mariadb_server, "s3cretpw"))
    assert proc.returncode == 2 and "Access denied" in proc.stderr
    assert "s3cretpw" not in proc.stdout + proc.stderr and ":***@" in proc.stderr
    env = {**os.environ, "MIGRATE_LINT_SERVER_PASSWORD": "envsecret9"}
    proc = verify(folder, "--server", server_url(mariadb_server), env=env)
    assert proc.returncode == 2 and "envsecret9" not in proc.stdout + proc.stderr
    proc = verify(folder, "--server", server_url(mariadb_server, "s3cretpw") + "/app")
    assert proc.returncode == 2 and "s3cretpw" not in proc.stderr


def test_default_is_a_temporary_sqlite_file_removed_at_the_end(php_ready, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = verify(migrations(tmp_path), env={**os.environ, "TMPDIR": str(scratch)})
    assert proc.returncode == 0, proc.stderr
    assert list(scratch.iterdir()) == []


def test_start_mariadb_runs_on_a_throwaway_server(php_ready, mariadb_server, tmp_path):
    # mariadb_server: only to require MariaDB here; verify starts and removes its own
    proc = verify(migrations(tmp_path), "--start-mariadb")
    assert proc.returncode == 0, proc.stderr
    assert "1 of 1 migrations verified" in proc.stdout and "on MariaDB." in proc.stdout
