"""The oracle harness itself: real Laravel on real SQLite and MariaDB."""

from __future__ import annotations

import textwrap

from migrate_lint.dynamic import oracle

ADD_PRIORITY = """
<?php
use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration {
    public function up()
    {
        Schema::table('tasks', function (Blueprint $table) {
            $table->string('priority')->nullable();
        });
    }
};
"""

NAMED_CREATE = """
<?php
use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\Schema;

class CreateNotesTable extends Migration
{
    public function up()
    {
        Schema::create('notes', function (Blueprint $table) {
            $table->id();
            $table->text('body');
        });
    }

    public function down()
    {
        Schema::dropIfExists('notes');
    }
}
"""


def put(path, text):
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_adding_an_existing_column_fails_with_the_engine_error(tmp_path, fresh_db):
    m = put(tmp_path / "m.php", ADD_PRIORITY)
    result = oracle.run_steps(m, ["up", "up"], fresh_db,
                              setup=["create table tasks (id integer primary key)"])
    assert [s.ok for s in result.steps] == [True, False]
    failure = result.failure
    if fresh_db.engine == "mariadb":
        assert (failure.sqlstate, failure.driver_code) == ("42S21", 1060)
        assert "Duplicate column name 'priority'" in failure.error
    else:
        assert "duplicate column name: priority" in failure.error
    assert result.tables["tasks"] == ["id", "priority"]


def test_create_on_existing_table_fails(tmp_path, fresh_db):
    m = put(tmp_path / "2024_01_01_000000_create_notes_table.php", NAMED_CREATE)
    result = oracle.run_steps(m, ["up"], fresh_db, setup=["create table notes (id integer)"])
    assert not result.ok
    if fresh_db.engine == "mariadb":
        assert (result.failure.sqlstate, result.failure.driver_code) == ("42S01", 1050)
    else:
        assert 'table "notes" already exists' in result.failure.error


def test_named_class_runs_up_and_down(tmp_path, fresh_db):
    m = put(tmp_path / "2024_01_01_000000_create_notes_table.php", NAMED_CREATE)
    result = oracle.run_steps(m, ["up", "down", "up"], fresh_db)
    assert result.ok, result.failure
    assert result.tables["notes"] == ["id", "body"]


def test_migrator_stops_at_the_first_failure(tmp_path, fresh_db):
    d = tmp_path / "migrations"
    d.mkdir()
    put(d / "2024_01_01_000000_create_notes_table.php", NAMED_CREATE)
    put(d / "2024_01_02_000000_add_priority.php", ADD_PRIORITY)  # tasks does not exist
    put(d / "2024_01_03_000000_create_tags.php", NAMED_CREATE.replace("CreateNotesTable", "CreateTags")
        .replace("'notes'", "'tags'"))
    result = oracle.migrate(d, fresh_db)
    assert not result.ok
    assert result.ran == ["2024_01_01_000000_create_notes_table"]
    assert result.failed_migration == "2024_01_02_000000_add_priority"
    assert result.pending == ["2024_01_03_000000_create_tags"]
    assert "migrations" in result.tables and "notes" in result.tables
    assert "tags" not in result.tables
