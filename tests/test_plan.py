"""`migrate-lint plan --schema DUMP`: which pending migrations run, fail or are never reached."""

from __future__ import annotations

import json
import os
import threading

import pytest
from click.testing import CliRunner
from test_replay import ADD_PRIORITY, CREATE_TASKS, anon, write

from migrate_lint.cli import main

MYSQL_DUMP = """/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
DROP TABLE IF EXISTS `migrations`;
CREATE TABLE `migrations` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `migration` varchar(255) COLLATE utf8mb4_unicode_ci NOT NULL,
  `batch` int(11) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE `tasks` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `priority` int(11) NOT NULL,
  `created_at` timestamp NULL DEFAULT NULL,
  `updated_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `migrations` VALUES (1,'2024_01_01_000000_create_tasks',1);
"""

PG_DUMP = """--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.migrations (
    id integer NOT NULL,
    migration character varying(255) NOT NULL,
    batch integer NOT NULL
);
CREATE SEQUENCE public.migrations_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
CREATE TABLE public.tasks (
    id bigint NOT NULL,
    priority integer NOT NULL,
    created_at timestamp(0) without time zone,
    updated_at timestamp(0) without time zone
);
ALTER TABLE ONLY public.tasks ALTER COLUMN id SET DEFAULT nextval('public.tasks_id_seq'::regclass);
ALTER TABLE ONLY public.tasks ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);
INSERT INTO public.migrations (id, migration, batch) VALUES (1, '2024_01_01_000000_create_tasks', 1);
"""

SQLITE_DUMP = """CREATE TABLE IF NOT EXISTS "migrations" ("id" integer primary key autoincrement not null, "migration" varchar not null, "batch" integer not null);
CREATE TABLE sqlite_sequence(name,seq);
CREATE TABLE IF NOT EXISTS "tasks" ("id" integer primary key autoincrement not null, "priority" integer not null, "created_at" datetime, "updated_at" datetime);
INSERT INTO migrations VALUES(1,'2024_01_01_000000_create_tasks',1);
"""

LATER = """        Schema::create('notes', function (Blueprint $table) {
            $table->id();
        });"""


def project(tmp_path, dump_text):
    mig = tmp_path / "migrations"
    write(mig, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY),
                "2024_03_01_000000_notes.php": anon(LATER)})
    dump = tmp_path / "schema.sql"
    dump.write_text(dump_text)
    return mig, dump


def plan(*args):
    return CliRunner().invoke(main, ["plan", *map(str, args)])


@pytest.mark.parametrize("dump_text,dialect", [(MYSQL_DUMP, "mysql"), (PG_DUMP, "postgres"),
                                               (SQLITE_DUMP, "sqlite")])
def test_predicts_failure_and_never_reached(tmp_path, dump_text, dialect):
    mig, dump = project(tmp_path, dump_text)
    result = plan("--schema", dump, mig, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["dialect"] == dialect
    assert data["recorded_migrations"] == 1
    statuses = [(m["migration"], m["status"]) for m in data["migrations"]]
    assert statuses == [("2024_01_01_000000_create_tasks", "already ran"),
                        ("2024_02_01_000000_add_priority", "fails"),
                        ("2024_03_01_000000_notes", "never reached")]
    failing = data["migrations"][1]
    assert "tasks.priority" in failing["reason"] and "already exists" in failing["reason"]
    # The error as this engine words it.
    assert {"mysql": "1060 Duplicate column name 'priority'",
            "postgres": 'SQLSTATE[42701]: Duplicate column: 7 ERROR:  column "priority" of '
                        'relation "tasks" already exists',
            "sqlite": "General error: 1 duplicate column name: priority"}[dialect] \
        in failing["error"]
    assert failing["line"] == 11
    # --fix guards the add with hasColumn (ML002), which lets the whole run complete.
    assert [(f["line"], (f["fix"] or "")[:5]) for f in data["fix"]] == [(11, "ML002")]


def test_text_output(tmp_path):
    mig, dump = project(tmp_path, MYSQL_DUMP)
    result = plan("--schema", dump, mig)
    assert result.exit_code == 1
    out = result.output
    assert "FAILS" in out and "NEVER REACHED" in out
    assert "SQLSTATE[42S21]" in out
    assert "What --fix would change" in out


def test_clean_run_exits_zero(tmp_path):
    mig, dump = project(tmp_path, MYSQL_DUMP.replace("  `priority` int(11) NOT NULL,\n", ""))
    result = plan("--schema", dump, mig, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [m["status"] for m in data["migrations"]] == ["already ran", "runs", "runs"]
    assert data["failure_predicted"] is False


def test_without_migration_rows_everything_is_pending(tmp_path):
    no_rows = "\n".join(line for line in MYSQL_DUMP.splitlines() if "INSERT" not in line)
    mig, dump = project(tmp_path, no_rows)
    data = json.loads(plan("--schema", dump, mig, "--format", "json").output)
    first = data["migrations"][0]
    assert first["status"] == "fails" and "table 'tasks' already exists" in first["reason"]
    assert "1050" in first["error"]


def test_missing_table_in_a_real_dump_is_definite(tmp_path):
    # A dump lists every table: a table it lacks is missing, not unknown.
    mig = tmp_path / "migrations"
    write(mig, {"2024_05_01_000000_alter_users.php": anon(
        "        Schema::table('users', function (Blueprint $table) {\n"
        "            $table->string('nick');\n        });")})
    dump = tmp_path / "schema.sql"
    dump.write_text(MYSQL_DUMP)
    data = json.loads(plan("--schema", dump, mig, "--format", "json").output)
    assert data["migrations"][0]["status"] == "fails"
    assert "1146" in data["migrations"][0]["error"]


def test_guarded_migrations_run(tmp_path):
    mig, dump = project(tmp_path, MYSQL_DUMP)
    write(mig, {"2024_02_01_000000_add_priority.php": anon(
        "if (! Schema::hasColumn('tasks', 'priority')) {\n" + ADD_PRIORITY + "\n}")})
    result = plan("--schema", dump, mig, "--format", "json")
    assert result.exit_code == 0, result.output


def test_missing_dump_is_a_clear_error(tmp_path):
    mig, _ = project(tmp_path, MYSQL_DUMP)
    result = plan("--schema", tmp_path / "nope.sql", mig)
    assert result.exit_code == 2
    assert "no such schema dump" in result.output


def test_a_file_that_is_not_sql_is_an_error_and_an_empty_dump_an_empty_database(tmp_path):
    mig, dump = project(tmp_path, MYSQL_DUMP)
    dump.write_text("Hello,\nthis is a shopping list: eggs; milk; bread.\n")
    result = plan("--schema", dump, mig)
    assert result.exit_code == 2
    assert result.output.strip().endswith("not a schema dump (no SQL statement in it)")
    assert len(result.output.strip().splitlines()) == 1
    dump.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    result = plan("--schema", dump, mig)
    assert result.exit_code == 2 and "not a schema dump (a binary file)" in result.output
    dump.write_text("-- nothing here yet\n")
    data = json.loads(plan("--schema", dump, mig, "--format", "json").output)
    assert [m["status"] for m in data["migrations"]] == ["runs", "fails", "never reached"]
    assert data["has_migrations_table"] is False
    assert any("no `migrations` table" in w for w in data["warnings"])


def test_a_dump_without_migration_rows_says_so_loudly(tmp_path):
    no_rows = "\n".join(line for line in MYSQL_DUMP.splitlines() if "INSERT" not in line)
    mig, dump = project(tmp_path, no_rows)
    result = plan("--schema", dump, mig)
    assert "warning: THE DUMP HAS NO `migrations` ROWS" in result.output
    assert "mysqldump --no-data" in result.output


def test_guarded_steps_the_database_already_has_are_skipped_and_said(tmp_path):
    mig, dump = project(tmp_path, MYSQL_DUMP)
    write(mig, {"2024_02_01_000000_add_priority.php": anon(
        "if (! Schema::hasColumn('tasks', 'priority')) {\n" + ADD_PRIORITY + "\n}")})
    data = json.loads(plan("--schema", dump, mig, "--format", "json").output)
    guarded = data["migrations"][1]
    assert guarded["status"] == "runs" and guarded["skipped_lines"] == [11, 12]
    assert data["fully_checked"] is True and data["failure_predicted"] is False
    out = plan("--schema", dump, mig).output
    assert "skips the guarded step(s) at line(s) 11, 12" in out
    assert "It has 1 of the 2 tables and 4 of the 5 columns the migrations create." in out


def test_fix_preview_says_whether_the_run_completes(tmp_path):
    mig, dump = project(tmp_path, MYSQL_DUMP)
    data = json.loads(plan("--schema", dump, mig, "--format", "json").output)
    assert data["after_fix"]["failure_predicted"] is False
    assert [m["status"] for m in data["after_fix"]["migrations"]] == ["runs", "runs"]
    assert "After --fix: all 2 pending migration(s) run." in plan("--schema", dump, mig).output


def test_live_mode_errors_are_one_line_and_never_show_the_password(tmp_path):
    mig, _ = project(tmp_path, MYSQL_DUMP)
    missing = tmp_path / "typo.sqlite"
    result = plan("--database", f"sqlite:///{missing}", mig)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert not missing.exists()  # read-only: a mistyped path never creates a database
    result = plan("--database", "mysql://app:s3cr3t-pw@127.0.0.1:1/app", mig)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "s3cr3t-pw" not in result.output and "app:***@127.0.0.1" in result.output
    result = plan("--schema", tmp_path / "schema.sql", "--database", "sqlite:///x", mig)
    assert result.exit_code == 2 and "exactly one of" in result.output


def test_live_mode_on_sqlite_from_a_laravel_env_file(tmp_path):
    import sqlite3

    mig, _ = project(tmp_path, MYSQL_DUMP)
    db = tmp_path / "database" / "database.sqlite"
    db.parent.mkdir()
    with sqlite3.connect(db) as con:
        con.executescript(SQLITE_DUMP.replace("CREATE TABLE sqlite_sequence(name,seq);", ""))
    (tmp_path / ".env").write_text("DB_CONNECTION=sqlite\nDB_DATABASE=database/database.sqlite\n")
    result = plan("--env-file", tmp_path / ".env", mig, "--format", "json")
    data = json.loads(result.output)
    assert data["source"] == "database" and data["engine"] == "sqlite"
    assert [m["status"] for m in data["migrations"]] == ["already ran", "fails", "never reached"]
    assert data["migrations"][1]["error"] == ("SQLSTATE[HY000]: General error: 1 duplicate "
                                              "column name: priority")


def test_an_index_a_helper_may_have_dropped_is_not_a_definite_failure(tmp_path):
    # Lychee: `$this->optimize->dropIndexIfExists($table, 'x'); $table->index([...], 'x');`
    # re-creates an index an earlier migration made; the helper is not read, so the plan must
    # not predict 'Duplicate key name' (it did: FAILS, and 99 migrations never reached).
    create = """        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
            $table->integer('priority');
            $table->index(['priority'], 'tasks_prio');
        });"""
    readd = """        Schema::table('tasks', function (Blueprint $table) {
            $this->optimize->dropIndexIfExists($table, 'tasks_prio');
            $table->index(['priority', 'id'], 'tasks_prio');
        });"""
    plain = readd.replace("$this->optimize->dropIndexIfExists($table, 'tasks_prio');", "")
    mig = tmp_path / "migrations"
    dump = tmp_path / "empty.sql"
    dump.write_text("")
    write(mig, {"2024_01_01_000000_create_tasks.php": anon(create),
                "2024_02_01_000000_readd.php": anon(readd)})
    data = json.loads(plan("--schema", dump, mig, "--format", "json").output)
    readd_result = data["migrations"][1]
    assert readd_result["status"] == "runs" and readd_result["checked"] is False
    assert readd_result["unchecked"] == [
        {"line": 12, "reason": "the indexes of 'tasks' are not known exactly"}]
    # Without the helper the same re-add is a definite failure.
    write(mig, {"2024_02_01_000000_readd.php": anon(plain)})
    data = json.loads(plan("--schema", dump, mig, "--format", "json").output)
    assert [m["status"] for m in data["migrations"]] == ["runs", "fails"]
    assert "tasks_prio" in data["migrations"][1]["reason"]


def test_dev_null_and_a_pipe_are_dumps_a_directory_and_a_device_are_not(tmp_path):
    mig, _ = project(tmp_path, MYSQL_DUMP)
    data = json.loads(plan("--schema", os.devnull, mig, "--format", "json").output)
    assert [m["status"] for m in data["migrations"]] == ["runs", "fails", "never reached"]
    fifo = tmp_path / "dump.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(MYSQL_DUMP))
    writer.start()
    data = json.loads(plan("--schema", fifo, mig, "--format", "json").output)
    writer.join()
    assert data["recorded_migrations"] == 1
    for not_a_dump in (tmp_path, "/dev/zero"):
        result = plan("--schema", not_a_dump, mig)
        assert result.exit_code == 2 and "no such schema dump" in result.output
