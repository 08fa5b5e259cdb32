"""`plan` against reality: partially migrate with Laravel's Migrator, dump, predict, migrate, compare.

Each scenario migrates the first migrations of a directory for real, optionally changes the
database by hand (the drift that makes production and staging differ), dumps it the way
`php artisan schema:dump` does (schema without data, plus the `migrations` rows), runs `plan`
on the dump, then runs Laravel's real Migrator on the whole directory and compares, migration
by migration: runs / fails (and MariaDB's error code) / never reached.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from migrate_lint.dynamic import oracle
from migrate_lint.replay.plan import FAILS, NEVER, RAN, RUNS, make_plan

HEAD = """<?php
use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration {
    public function up()
    {
%s
    }
};
"""

MIGRATIONS = {
    "2024_01_01_000000_create_tasks": """        Schema::create('tasks', function (Blueprint $table) {
            $table->increments('id');
            $table->string('title');
        });""",
    "2024_01_02_000000_create_notes": """        Schema::create('notes', function (Blueprint $table) {
            $table->increments('id');
        });""",
    "2024_01_03_000000_add_priority": """        Schema::table('tasks', function (Blueprint $table) {
            $table->integer('priority')->default(0);
        });""",
    "2024_01_04_000000_add_body": """        Schema::table('notes', function (Blueprint $table) {
            $table->text('body')->nullable();
        });""",
    "2024_01_05_000000_create_tags": """        Schema::create('tags', function (Blueprint $table) {
            $table->increments('id');
        });""",
}
NAMES = list(MIGRATIONS)


def _write(directory: Path, names) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / f"{name}.php").write_text(HEAD % MIGRATIONS[name])
    return directory


def _run_sql(db, sql: str) -> None:
    if db.engine == "sqlite":
        subprocess.run(["sqlite3", db.path, sql], check=True)
    else:
        subprocess.run(["mariadb", "--no-defaults", f"--socket={db.socket}", "-uroot",
                        db.database, "-e", sql], check=True)


def _dump(db, target: Path) -> Path:
    """Schema without data plus the migrations rows, shaped like `schema:dump` output."""
    if db.engine == "sqlite":
        if shutil.which("sqlite3") is None:
            pytest.skip("sqlite3 command-line tool not installed")
        schema = subprocess.run(["sqlite3", db.path, ".schema"], check=True,
                                capture_output=True, text=True).stdout
        rows = subprocess.run(["sqlite3", db.path, ".dump migrations"], check=True,
                              capture_output=True, text=True).stdout
        rows = "\n".join(line for line in rows.splitlines() if line.startswith("INSERT"))
    else:
        if shutil.which("mariadb-dump") is None:
            pytest.skip("mariadb-dump not installed (apt-get install mariadb-client)")
        base = ["mariadb-dump", "--no-defaults", f"--socket={db.socket}", "-uroot",
                "--skip-comments"]
        schema = subprocess.run(base + ["--no-data", db.database], check=True,
                                capture_output=True, text=True).stdout
        rows = subprocess.run(base + ["--no-create-info", "--skip-extended-insert",
                                      db.database, "migrations"], check=True,
                              capture_output=True, text=True).stdout
    target.write_text(schema + "\n" + rows + "\n")
    return target


SCENARIOS = {
    # migrated first, SQL run by hand afterwards, expected (status per pending migration)
    "clean": (2, {}, [RUNS, RUNS, RUNS]),
    "column_added_by_hand": (2, {"sqlite": "ALTER TABLE tasks ADD COLUMN priority integer",
                                 "mariadb": "ALTER TABLE tasks ADD priority int"},
                             [FAILS, NEVER, NEVER]),
    "table_dropped_by_hand": (3, {"sqlite": "DROP TABLE notes", "mariadb": "DROP TABLE notes"},
                              [FAILS, NEVER]),
    "table_created_by_hand": (4, {"sqlite": "CREATE TABLE tags (id integer primary key)",
                                  "mariadb": "CREATE TABLE tags (id int primary key)"},
                              [FAILS]),
}


@pytest.mark.oracle
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_plan_matches_the_real_migrator(tmp_path, fresh_db, scenario):
    done, drift, expected = SCENARIOS[scenario]
    first = _write(tmp_path / "first", NAMES[:done])
    result = oracle.migrate(first, fresh_db)
    assert result.ok, result.error
    if drift:
        _run_sql(fresh_db, drift[fresh_db.engine])
    dump = _dump(fresh_db, tmp_path / "schema.sql")

    full = _write(tmp_path / "migrations", NAMES)
    plan = make_plan(str(dump), [str(full)])
    predicted = {o.migration: o for o in plan.outcomes}
    assert [predicted[n].status for n in NAMES[:done]] == [RAN] * done
    assert [predicted[n].status for n in NAMES[done:]] == expected

    real = oracle.migrate(full, fresh_db)
    for name in NAMES[done:]:
        status = predicted[name].status
        if status == RUNS:
            assert name in real.ran, (name, real)
        elif status == FAILS:
            assert real.failed_migration == name, (name, real)
            if fresh_db.engine == "mariadb":
                assert f" {real.driver_code} " in predicted[name].error, (
                    predicted[name].error, real.error)
        else:
            assert name in real.pending, (name, real)
    assert plan.fails == (not real.ok)
