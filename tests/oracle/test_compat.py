"""lint/dynamic/php/compat.php: Laravel's newer schema helpers on Debian's Laravel 8.83, checked on the
real engines against what Laravel's own code answers (Builder::hasIndex compares the
lower-cased index name or the exact column list with ===; SQLite keeps no foreign key names).

Each migration reports through the schema it leaves behind: a `checks` table with one column
per check, named `<check>__yes` or `<check>__no`, or the columns a callback added.
"""

from __future__ import annotations

import sqlite3
import textwrap

import pytest

from migrate_lint.dynamic import oracle

HEAD = """<?php
use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\DB;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration {
    public function up()
    {
"""
TAIL = """
    }
};
"""

SCHEMA = """
Schema::create('users', function (Blueprint $table) {
    $table->id();
    $table->string('email')->unique();
});
Schema::create('tasks', function (Blueprint $table) {
    $table->id();
    $table->string('code');
    $table->unsignedBigInteger('user_id');
    $table->integer('priority');
    $table->string('title');
    $table->unique('code');
    $table->index(['priority', 'user_id'], 'Tasks_Prio_User_IDX');
    $table->foreign('user_id')->references('id')->on('users');
});
Schema::create('memberships', function (Blueprint $table) {
    $table->unsignedBigInteger('team_id');
    $table->unsignedBigInteger('user_id');
    $table->primary(['team_id', 'user_id']);
});
"""

# check name -> (PHP expression, expected on SQLite, expected on MariaDB)
CHECKS = {
    "idx_name": ("Schema::hasIndex('tasks', 'tasks_code_unique')", True, True),
    "idx_lower_name": ("Schema::hasIndex('tasks', 'tasks_prio_user_idx')", True, True),
    # Laravel lower-cases the names it reads, and compares with ===
    "idx_mixed_name": ("Schema::hasIndex('tasks', 'Tasks_Prio_User_IDX')", False, False),
    "idx_columns": ("Schema::hasIndex('tasks', ['priority', 'user_id'])", True, True),
    "idx_columns_order": ("Schema::hasIndex('tasks', ['user_id', 'priority'])", False, False),
    "idx_columns_subset": ("Schema::hasIndex('tasks', ['priority'])", False, False),
    "idx_unique": ("Schema::hasIndex('tasks', 'tasks_code_unique', 'unique')", True, True),
    "idx_unique_cols_upper": ("Schema::hasIndex('tasks', ['code'], 'UNIQUE')", True, True),
    "idx_not_unique": ("Schema::hasIndex('tasks', 'tasks_prio_user_idx', 'unique')", False, False),
    # 'index' is no type Laravel reports (SQLite: null, MySQL: btree)
    "idx_type_index": ("Schema::hasIndex('tasks', 'tasks_prio_user_idx', 'index')", False, False),
    "idx_btree": ("Schema::hasIndex('tasks', 'tasks_prio_user_idx', 'btree')", False, True),
    # InnoDB adds an index named after the foreign key for its column; SQLite adds none
    "idx_fk_column": ("Schema::hasIndex('tasks', ['user_id'])", False, True),
    "idx_missing_table": ("Schema::hasIndex('nothing', 'primary')", False, False),
    "pk_name": ("Schema::hasIndex('tasks', 'primary')", True, True),
    "pk_columns": ("Schema::hasIndex('tasks', ['id'], 'primary')", True, True),
    "pk_unique": ("Schema::hasIndex('tasks', ['id'], 'unique')", True, True),
    "unique_not_pk": ("Schema::hasIndex('tasks', ['code'], 'primary')", False, False),
    # SQLite: a composite key is reported under its sqlite_autoindex name, not 'primary'
    "pk_composite_name": ("Schema::hasIndex('memberships', 'primary')", False, True),
    "pk_composite_cols": ("Schema::hasIndex('memberships', ['team_id', 'user_id'], 'primary')",
                          True, True),
    "listing": ("in_array('users_email_unique', Schema::getIndexListing('users'), true)", True, True),
    "fk_name": ("Schema::hasForeignKey('tasks', 'tasks_user_id_foreign')", False, True),
    "fk_columns": ("Schema::hasForeignKey('tasks', ['user_id'])", True, True),
    "fk_other_columns": ("Schema::hasForeignKey('tasks', ['priority'])", False, False),
    "fk_none": ("Schema::hasForeignKey('users', ['id'])", False, False),
    "fk_target": ("Schema::getForeignKeys('tasks')[0]['foreign_table'] === 'users'", True, True),
    "conn_idx": ("Schema::connection('default')->hasIndex('tasks', 'tasks_code_unique', 'unique')",
                 True, True),
    "conn_fk": ("Schema::connection('default')->hasForeignKey('tasks', ['user_id'])", True, True),
    "db_idx": ("DB::getSchemaBuilder()->hasIndex('tasks', ['priority', 'user_id'])", True, True),
    "db_fk_name": ("DB::getSchemaBuilder()->hasForeignKey('tasks', 'tasks_user_id_foreign')",
                   False, True),
    "db_conn_idx": ("DB::connection()->getSchemaBuilder()->hasIndex('tasks', 'tasks_code_unique')",
                    True, True),
}


def migration(path, body):
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(body).strip(), " " * 8) + TAIL)
    return path


def checks_body(checks) -> str:
    lines = ["$checks = ["]
    lines += [f"    {name!r} => {expr}," for name, (expr, *_) in checks.items()]
    lines += ["];", """
Schema::create('checks', function (Blueprint $table) use ($checks) {
    foreach ($checks as $name => $value) {
        $table->boolean($name . ($value === true ? '__yes' : ($value === false ? '__no' : '__other')))->nullable();
    }
});"""]
    return "\n".join(lines)


def test_has_index_and_has_foreign_key_answer_as_laravel(tmp_path, fresh_db):
    m = migration(tmp_path / "m.php", SCHEMA + checks_body(CHECKS))
    result = oracle.run_steps(m, ["up"], fresh_db)
    assert result.ok, result.failure or result.error
    column = 1 if fresh_db.engine == "sqlite" else 2
    expected = {f"{name}__{'yes' if row[column] else 'no'}" for name, row in CHECKS.items()}
    assert set(result.tables["checks"]) == expected


WHEN = """
Schema::whenTableHasColumn('tasks', 'title', function (Blueprint $table) {
    $table->string('has_title')->nullable();
});
Schema::whenTableHasColumn('tasks', 'nope', function (Blueprint $table) {
    $table->string('has_nope')->nullable();
});
Schema::whenTableDoesntHaveColumn('tasks', 'TITLE', function (Blueprint $table) {
    $table->string('lacks_title')->nullable();
});
Schema::whenTableDoesntHaveColumn('tasks', 'nope', function (Blueprint $table) {
    $table->string('lacks_nope')->nullable();
});
Schema::whenTableHasIndex('tasks', 'tasks_code_unique', function (Blueprint $table) {
    $table->string('has_code_idx')->nullable();
});
Schema::whenTableHasIndex('tasks', ['code'], function (Blueprint $table) {
    $table->string('has_code_pk')->nullable();
}, 'primary');
Schema::whenTableHasIndex('tasks', ['code'], function (Blueprint $table) {
    $table->string('has_code_unique')->nullable();
}, 'unique');
Schema::whenTableDoesntHaveIndex('tasks', 'tasks_prio_user_idx', function (Blueprint $table) {
    $table->string('lacks_prio_idx')->nullable();
});
Schema::whenTableDoesntHaveIndex('tasks', 'Tasks_Prio_User_IDX', function (Blueprint $table) {
    $table->string('lacks_mixed_idx')->nullable();
});
Schema::connection('default')->whenTableDoesntHaveColumn('tasks', 'conn_col', function (Blueprint $table) {
    $table->string('conn_col')->nullable();
});
DB::getSchemaBuilder()->whenTableHasIndex('tasks', ['priority', 'user_id'], function (Blueprint $table) {
    $table->string('db_col')->nullable();
});
"""


def test_when_table_helpers_run_the_callback_only_when_the_condition_holds(tmp_path, fresh_db):
    m = migration(tmp_path / "m.php", SCHEMA + WHEN)
    result = oracle.run_steps(m, ["up"], fresh_db)
    assert result.ok, result.failure or result.error
    assert result.tables["tasks"] == [
        "id", "code", "user_id", "priority", "title",
        "has_title", "lacks_nope", "has_code_idx", "has_code_unique",
        "lacks_mixed_idx",  # a mixed-case name never matches: the callback runs
        "conn_col", "db_col"]


def engine_indexes(request, db, table) -> set[str]:
    """Index names read from the engine itself, not through Laravel."""
    if db.engine == "sqlite":
        with sqlite3.connect(db.path) as conn:
            rows = conn.execute("select name from sqlite_master where type = 'index' and tbl_name = ?",
                                (table,)).fetchall()
        return {r[0] for r in rows}
    server = request.getfixturevalue("mariadb_server")
    out = server.query(f"select index_name from information_schema.statistics "
                       f"where table_schema = '{db.database}' and table_name = '{table}'")
    assert out.returncode == 0, out.stderr
    return set(out.stdout.decode().split()[1:])


ADD_TITLE_INDEX = """Schema::table('tasks', function (Blueprint $table) {
    $table->index('title');
});"""
ADD_CODE_UNIQUE = """Schema::table('tasks', function (Blueprint $table) {
    $table->unique('code');
});"""


@pytest.mark.parametrize("bare, guarded, name", [
    (ADD_TITLE_INDEX, ADD_TITLE_INDEX.replace("Schema::table('tasks',",
                                              "Schema::whenTableDoesntHaveIndex('tasks', ['title'],"),
     "tasks_title_index"),
    (ADD_CODE_UNIQUE, "if (! Schema::hasIndex('tasks', 'tasks_code_unique', 'unique')) {\n"
                      + textwrap.indent(ADD_CODE_UNIQUE, "    ") + "\n}", "tasks_code_unique"),
])
def test_index_guards_make_an_index_add_rerunnable(request, tmp_path, fresh_db, bare, guarded, name):
    schema = migration(tmp_path / "schema.php", SCHEMA.replace("$table->unique('code');", ""))
    assert oracle.run_steps(schema, ["up"], fresh_db).ok
    before = oracle.run_steps(migration(tmp_path / "bare.php", bare), ["up", "up"], fresh_db,
                              keep_going=True)
    assert [s.ok for s in before.steps] == [True, False]  # unguarded, the re-run fails
    result = oracle.run_steps(migration(tmp_path / "m.php", guarded), ["up", "up"], fresh_db)
    assert [s.ok for s in result.steps] == [True, True], result.failure
    assert name in engine_indexes(request, fresh_db, "tasks")


def test_a_projects_own_laravel_gets_no_emulation(tmp_path, make_db):
    m = migration(tmp_path / "m.php", "Schema::hasIndex('tasks', 'primary');")
    autoload = [f"/usr/share/php/Illuminate/{p}/autoload.php" for p in ("Database", "Filesystem", "Events")]
    result = oracle.run_steps(m, ["up"], make_db("sqlite"), autoload=autoload)
    assert not result.ok
    assert "Call to undefined method" in result.failure.error
    assert "hasIndex" in result.failure.error
