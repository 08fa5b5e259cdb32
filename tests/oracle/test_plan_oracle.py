"""`plan` against reality: partially migrate with Laravel's Migrator, dump, predict, migrate, compare.

Each scenario migrates the first migrations of its directory for real, optionally changes the
database by hand (the drift that makes production and staging differ), dumps it the way
`php artisan schema:dump` does (schema without data, plus the `migrations` rows), runs `plan`
on the dump, then runs Laravel's real Migrator on the whole directory and compares, migration
by migration: runs / fails (with the engine's error) / never reached, and the tables and
columns the database ends with. The expected statuses are written by hand, so a scenario
checks both the prediction and the real Migrator against what we know Laravel does.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from migrate_lint.dynamic import oracle
from migrate_lint.dynamic.dumps import schema_dump
from migrate_lint.replay.plan import FAILS, NEVER, RAN, RUNS, make_plan
from migrate_lint.replay.state import DEFAULT, YES

HEAD = """<?php
use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\QueryException;
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

CREATE_TASKS = """        Schema::create('tasks', function (Blueprint $table) {
            $table->increments('id');
            $table->string('title');
        });"""
CREATE_NOTES = """        Schema::create('notes', function (Blueprint $table) {
            $table->increments('id');
        });"""
ADD_PRIORITY = """        Schema::table('tasks', function (Blueprint $table) {
            $table->integer('priority')->default(0);
        });"""
ADD_BODY = """        Schema::table('notes', function (Blueprint $table) {
            $table->text('body')->nullable();
        });"""
CREATE_TAGS = """        Schema::create('tags', function (Blueprint $table) {
            $table->increments('id');
        });"""


def _guard(cond: str, body: str) -> str:
    return f"        if ({cond}) {{\n{body}\n        }}"


BASIC = [("create_tasks", CREATE_TASKS), ("create_notes", CREATE_NOTES),
         ("add_priority", ADD_PRIORITY), ("add_body", ADD_BODY), ("create_tags", CREATE_TAGS)]

# name: (migrations, how many ran first, SQL run by hand afterwards, expected pending statuses,
#        lines skipped by guards in the pending migrations (migration index -> lines))
SCENARIOS = {
    "clean": (BASIC, 2, {}, [RUNS, RUNS, RUNS], {}),
    "column_added_by_hand": (BASIC, 2, {"sqlite": "ALTER TABLE tasks ADD COLUMN priority integer",
                                        "mariadb": "ALTER TABLE tasks ADD priority int"},
                             [FAILS, NEVER, NEVER], {}),
    "table_dropped_by_hand": (BASIC, 3, {"sqlite": "DROP TABLE notes",
                                         "mariadb": "DROP TABLE notes"}, [FAILS, NEVER], {}),
    "table_created_by_hand": (BASIC, 4, {"sqlite": "CREATE TABLE tags (id integer primary key)",
                                         "mariadb": "CREATE TABLE tags (id int primary key)"},
                              [FAILS], {}),
    "guarded_add_skips_the_column_added_by_hand": (
        [("create_tasks", CREATE_TASKS),
         ("add_priority", _guard("! Schema::hasColumn('tasks', 'priority')", ADD_PRIORITY)),
         ("create_tags", CREATE_TAGS)], 1,
        {"sqlite": "ALTER TABLE tasks ADD COLUMN priority integer",
         "mariadb": "ALTER TABLE tasks ADD priority int"}, [RUNS, RUNS], {0: [12, 13]}),
    "guarded_create_skips_the_table_created_by_hand": (
        [("create_notes", CREATE_NOTES),
         ("create_tasks", _guard("! Schema::hasTable('tasks')", CREATE_TASKS)),
         ("add_priority", ADD_PRIORITY)], 1,
        {"sqlite": "CREATE TABLE tasks (id integer primary key, title varchar(20))",
         "mariadb": "CREATE TABLE tasks (id int primary key, title varchar(20))"},
        [RUNS, RUNS], {0: [12]}),
    "index_added_by_hand": (
        [("create_tasks", CREATE_TASKS),
         ("index_title", """        Schema::table('tasks', function (Blueprint $table) {
            $table->index('title');
        });""")], 1,
        {"sqlite": "CREATE INDEX tasks_title_index ON tasks (title)",
         "mariadb": "CREATE INDEX tasks_title_index ON tasks (title)"}, [FAILS], {}),
    "index_dropped_by_hand": (
        [("create_tasks", CREATE_TASKS.replace("$table->string('title');",
                                               "$table->string('title')->index();")),
         ("drop_index", """        Schema::table('tasks', function (Blueprint $table) {
            $table->dropIndex(['title']);
        });""")], 1,
        {"sqlite": "DROP INDEX tasks_title_index",
         "mariadb": "DROP INDEX tasks_title_index ON tasks"}, [FAILS], {}),
    "column_dropped_by_hand": (
        [("create_tasks", CREATE_TASKS.replace("$table->string('title');",
                                               "$table->string('title');\n"
                                               "            $table->string('legacy');")),
         ("drop_legacy", """        Schema::table('tasks', function (Blueprint $table) {
            $table->dropColumn('legacy');
        });"""), ("create_tags", CREATE_TAGS)], 1,
        {"sqlite": "ALTER TABLE tasks DROP COLUMN legacy",
         "mariadb": "ALTER TABLE tasks DROP COLUMN legacy"}, [FAILS, NEVER], {}),
    "half_applied_migration_is_re_run_from_the_top": (
        # As in examples/staging-incident: its first attempt added `a`, then failed; it is not
        # recorded, so `migrate` runs it again from the top and stops at `a`.
        [("create_tasks", CREATE_TASKS),
         ("add_a_and_b", """        Schema::table('tasks', function (Blueprint $table) {
            $table->string('a')->nullable();
        });
        Schema::table('tasks', function (Blueprint $table) {
            $table->string('b')->nullable();
        });"""), ("create_tags", CREATE_TAGS)], 1,
        {"sqlite": "ALTER TABLE tasks ADD COLUMN a varchar(20)",
         "mariadb": "ALTER TABLE tasks ADD a varchar(20)"}, [FAILS, NEVER], {}),
    "guard_on_the_driver_picks_the_branch": (
        [("create_tasks", CREATE_TASKS),
         ("per_driver", """        if (DB::getDriverName() === 'sqlite') {
            Schema::table('tasks', function (Blueprint $table) {
                $table->string('lite')->nullable();
            });
        } else {
            Schema::table('tasks', function (Blueprint $table) {
                $table->string('full')->nullable();
            });
        }""")], 1,
        {"sqlite": "ALTER TABLE tasks ADD COLUMN lite varchar(20)",
         "mariadb": "ALTER TABLE tasks ADD full varchar(20)"}, [FAILS], {}),
    "guard_on_the_other_driver_is_skipped": (
        [("create_tasks", CREATE_TASKS),
         ("per_driver", """        if (DB::getDriverName() !== 'sqlite') {
            Schema::table('tasks', function (Blueprint $table) {
                $table->string('lite')->nullable();
            });
        }
        if (DB::getDriverName() === 'sqlite') {
            Schema::table('tasks', function (Blueprint $table) {
                $table->string('full')->nullable();
            });
        }""")], 1,
        {"sqlite": "ALTER TABLE tasks ADD COLUMN lite varchar(20)",
         "mariadb": "ALTER TABLE tasks ADD full varchar(20)"}, [RUNS], {}),
    "early_return_when_the_table_exists": (
        [("create_tasks", CREATE_TASKS),
         ("create_tags", "        if (Schema::hasTable('tags')) {\n            return;\n"
                         "        }\n" + CREATE_TAGS), ("add_priority", ADD_PRIORITY)], 1,
        {"sqlite": "CREATE TABLE tags (id integer primary key)",
         "mariadb": "CREATE TABLE tags (id int primary key)"}, [RUNS, RUNS], {0: [14]}),
    "try_catch_swallows_the_duplicate_and_goes_on": (
        [("create_tasks", CREATE_TASKS),
         ("add_priority", "        try {\n" + ADD_PRIORITY + "\n        } catch (QueryException "
                          "$e) {\n        }\n" + CREATE_TAGS)], 1,
        {"sqlite": "ALTER TABLE tasks ADD COLUMN priority integer",
         "mariadb": "ALTER TABLE tasks ADD priority int"}, [RUNS], {}),
    "has_columns_is_all_of": (
        # `! hasColumns(t, [a, b])` is true when only `a` exists: the add of `a` then fails.
        [("create_tasks", CREATE_TASKS),
         ("add_a_b", _guard("! Schema::hasColumns('tasks', ['a', 'b'])",
                            """        Schema::table('tasks', function (Blueprint $table) {
            $table->string('a')->nullable();
            $table->string('b')->nullable();
        });"""))], 1,
        {"sqlite": "ALTER TABLE tasks ADD COLUMN a varchar(20)",
         "mariadb": "ALTER TABLE tasks ADD a varchar(20)"}, [FAILS], {}),
    "pending_migrations_collide_with_each_other": (
        [("create_tasks", CREATE_TASKS), ("create_notes", CREATE_NOTES),
         ("add_title_again", """        Schema::table('tasks', function (Blueprint $table) {
            $table->string('title')->nullable();
        });"""), ("create_tags", CREATE_TAGS)], 0, {}, [RUNS, RUNS, FAILS, NEVER], {}),
}


def _write(directory: Path, migrations) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i, (name, body) in enumerate(migrations):
        (directory / f"2024_01_{i + 1:02d}_000000_{name}.php").write_text(HEAD % body)
    return directory


def _names(migrations) -> list[str]:
    return [f"2024_01_{i + 1:02d}_000000_{name}" for i, (name, _) in enumerate(migrations)]


def _run_sql(db, sql: str) -> None:
    if db.engine == "pgsql":
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", db.socket, "-p",
                        str(db.port), "-U", db.user, "-d", db.database, "-c", sql], check=True)
    elif db.engine == "sqlite":
        subprocess.run(["sqlite3", db.path, sql], check=True)
    else:
        subprocess.run(["mariadb", "--no-defaults", f"--socket={db.socket}", "-uroot",
                        db.database, "-e", sql], check=True)


def _dump(db, target: Path) -> Path:
    """Schema without data plus the migrations rows, shaped like `schema:dump` output."""
    if db.engine == "sqlite" and shutil.which("sqlite3") is None:
        pytest.fail("sqlite3 command-line tool not installed (apt-get install sqlite3)")
    target.write_text(schema_dump(db))
    return target


def _predicted_tables(plan) -> dict[str, set[str]]:
    conn = plan.final.connection(DEFAULT)
    return {t.name.lower(): {c.name.lower() for c in t.columns.values() if c.status == YES}
            for t in conn.tables.values() if t.status == YES and t.name != "migrations"}


def _real_tables(result) -> dict[str, set[str]]:
    return {name.lower(): {c.lower() for c in cols} for name, cols in result.tables.items()
            if name != "migrations"}


def _same_error(predicted, real, engine) -> bool:
    if engine == "pgsql":
        return predicted.sqlstate == real.sqlstate and predicted.error in (real.error or "")
    if engine == "mariadb":
        return f" {real.driver_code} " in predicted.error and predicted.sqlstate == real.sqlstate
    if real.sqlstate:  # SQLite: HY000 and the message
        return predicted.sqlstate == real.sqlstate and predicted.error.split(": 1 ")[-1] in \
            (real.error or "")
    return predicted.error in (real.error or "")  # Doctrine's exception, without SQLSTATE


def _prepare(tmp_path, db, scenario):
    """The database of a scenario: its first migrations run for real, then the drift."""
    migrations, done, drift, *_ = SCENARIOS[scenario]
    drift = {**drift, **PGSQL.get(scenario, ({},))[0]}
    first = _write(tmp_path / "first", migrations[:done])
    result = oracle.migrate(first, db)  # with none to run, it creates `migrations`
    assert result.ok, result.error
    if drift:
        _run_sql(db, drift[db.engine])
    return _dump(db, tmp_path / "schema.sql")


def _plan(tmp_path, db, scenario):
    dump = _prepare(tmp_path, db, scenario)
    full = _write(tmp_path / "migrations", SCENARIOS[scenario][0])
    return full, make_plan(str(dump), [str(full)], engine=db.engine, laravel=(8, 83))


@pytest.mark.oracle
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_plan_matches_the_real_migrator(tmp_path, fresh_db, scenario):
    migrations, done, drift, expected, skipped = SCENARIOS[scenario]
    names = _names(migrations)
    full, plan = _plan(tmp_path, fresh_db, scenario)
    predicted = {o.migration: o for o in plan.outcomes}
    assert [predicted[n].status for n in names[:done]] == [RAN] * done
    assert [predicted[n].status for n in names[done:]] == expected
    assert all(predicted[n].checked for n in names[done:]), plan.outcomes
    for i, lines in skipped.items():
        assert predicted[names[done + i]].skipped_lines == lines

    real = oracle.migrate(full, fresh_db)
    for name in names[done:]:
        status = predicted[name].status
        if status == RUNS:
            assert name in real.ran, (name, real)
        elif status == FAILS:
            assert real.failed_migration == name, (name, real)
            assert _same_error(predicted[name], real, fresh_db.engine), (
                predicted[name].error, real.sqlstate, real.error)
        else:
            assert name in real.pending, (name, real)
    assert plan.fails == (not real.ok)
    assert _predicted_tables(plan) == _real_tables(real)


def _url(db) -> str:
    if db.engine == "sqlite":
        return f"sqlite:///{db.path}"
    return f"mariadb://{db.user}@{db.host}:{db.port}/{db.database}"


@pytest.mark.oracle
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_live_mode_and_dump_mode_agree(tmp_path, fresh_db, scenario):
    """`plan --database URL` reads the same database the dump was made of: same prediction."""
    from migrate_lint.introspect import DatabaseTarget, read_database

    full, from_dump = _plan(tmp_path, fresh_db, scenario)
    live = read_database(DatabaseTarget.parse(_url(fresh_db)))
    from_live = make_plan(live, [str(full)], engine=live.engine, laravel=(8, 83))
    keys = ("migration", "status", "error", "line", "skipped_lines", "checked")
    assert [{k: getattr(o, k) for k in keys} for o in from_live.outcomes] == \
        [{k: getattr(o, k) for k in keys} for o in from_dump.outcomes]
    # The reasons differ only in where the object was seen: the dump's line, or the database.
    assert [o.reason.split(" (")[0] for o in from_live.outcomes] == \
        [o.reason.split(" (")[0] for o in from_dump.outcomes]
    assert from_live.gap == from_dump.gap


FIXABLE = ["column_added_by_hand", "table_created_by_hand", "index_added_by_hand",
           "column_dropped_by_hand", "half_applied_migration_is_re_run_from_the_top",
           "has_columns_is_all_of", "pending_migrations_collide_with_each_other"]


@pytest.mark.oracle
@pytest.mark.parametrize("scenario", FIXABLE)
def test_after_fix_prediction_matches_the_real_migrator(tmp_path, fresh_db, scenario):
    """plan says what the run does once --fix has guarded the migrations: run --fix on them
    for real and migrate the same database with Laravel's Migrator."""
    from click.testing import CliRunner

    from migrate_lint.cli import main

    full, plan = _plan(tmp_path, fresh_db, scenario)
    assert plan.fails and plan.after_fix is not None
    fixed = tmp_path / "fixed"
    shutil.copytree(full, fixed)
    # Index guards need Schema::hasIndex (10.43+): say the project runs a Laravel that has it
    # only where the oracle emulates it; else those findings stay report-only.
    CliRunner().invoke(main, ["--fix", "--no-cache", "--laravel-version", "8.83", str(fixed)])
    real = oracle.migrate(fixed, fresh_db)
    for o in plan.after_fix:
        if o.status == RUNS:
            assert o.migration in real.ran, (o, real)
        elif o.status == FAILS:
            assert real.failed_migration == o.migration, (o, real)
        elif o.status == NEVER:
            assert o.migration in real.pending, (o, real)
    assert any(o.status == FAILS for o in plan.after_fix) == (not real.ok), real


# PostgreSQL: its drift where the SQL differs, and its outcome where it differs. The Migrator
# runs each migration in a transaction there: a caught error still aborts it (25P02), and a
# failure rolls the whole migration back.
PGSQL = {
    "clean": ({},),
    "column_added_by_hand": ({"pgsql": "ALTER TABLE tasks ADD COLUMN priority integer"},),
    "table_dropped_by_hand": ({"pgsql": "DROP TABLE notes"},),
    "table_created_by_hand": ({"pgsql": "CREATE TABLE tags (id integer primary key)"},),
    "guarded_add_skips_the_column_added_by_hand": (
        {"pgsql": "ALTER TABLE tasks ADD COLUMN priority integer"},),
    "index_added_by_hand": ({"pgsql": "CREATE INDEX tasks_title_index ON tasks (title)"},),
    "index_dropped_by_hand": ({"pgsql": "DROP INDEX tasks_title_index"},),
    "column_dropped_by_hand": ({"pgsql": "ALTER TABLE tasks DROP COLUMN legacy"},),
    "half_applied_migration_is_re_run_from_the_top": (
        {"pgsql": "ALTER TABLE tasks ADD COLUMN a varchar(20)"},),
    "guard_on_the_driver_picks_the_branch": (
        {"pgsql": "ALTER TABLE tasks ADD COLUMN \"full\" varchar(20)"},),
    "try_catch_swallows_the_duplicate_and_goes_on": (
        {"pgsql": "ALTER TABLE tasks ADD COLUMN priority integer"}, [FAILS]),
    "pending_migrations_collide_with_each_other": ({},),
}


@pytest.fixture
def pg_db(pgsql_server, php_ready):
    db = pgsql_server.create_database()
    yield db
    pgsql_server.drop_database(db.database)


@pytest.mark.oracle
@pytest.mark.parametrize("scenario", list(PGSQL))
def test_plan_matches_the_real_migrator_on_postgresql(tmp_path, pg_db, scenario):
    migrations, done, _, expected, _ = SCENARIOS[scenario]
    expected = PGSQL[scenario][1] if len(PGSQL[scenario]) > 1 else expected
    names = _names(migrations)
    full, plan = _plan(tmp_path, pg_db, scenario)
    predicted = {o.migration: o for o in plan.outcomes}
    assert [predicted[n].status for n in names[done:]] == expected
    real = oracle.migrate(full, pg_db)
    for name in names[done:]:
        status = predicted[name].status
        if status == RUNS:
            assert name in real.ran, (name, real)
        elif status == FAILS:
            assert real.failed_migration == name, (name, real)
            assert _same_error(predicted[name], real, "pgsql"), (
                predicted[name].error, real.sqlstate, real.error)
        else:
            assert name in real.pending, (name, real)
    assert plan.fails == (not real.ok)
    assert _predicted_tables(plan) == _real_tables(real)
