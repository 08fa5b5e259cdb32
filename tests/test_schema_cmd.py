"""`migrate-lint schema`: the inferred final schema per connection, text and JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_replay import CREATE_TASKS, anon, write

from migrate_lint.cli import main


def run(*args):
    result = CliRunner().invoke(main, ["schema", *map(str, args)])
    return result


def test_json_lists_tables_columns_indexes_foreign_keys_and_unknowns(tmp_path):
    comments = """        Schema::create('comments', function (Blueprint $table) {
            $table->id();
            $table->foreignId('task_id')->constrained();
            $table->morphs('owner');
            $table->string('body')->unique();
        });
        Schema::table('users', function (Blueprint $table) {
            $table->string('nickname');
        });
        if (! Schema::hasColumn('tasks', 'done')) {
            Schema::table('tasks', function (Blueprint $table) {
                $table->boolean('done');
            });
        }
        if (config('app.archive')) {
            Schema::table('tasks', function (Blueprint $table) {
                $table->boolean('archived');
            });
        }"""
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_comments.php": anon(comments),
                     "2024_03_01_000000_reports.php": anon(
                         "        Schema::create('reports', fn (Blueprint $t) => $t->id());",
                         "    protected $connection = 'reporting';\n")})
    result = run(tmp_path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["histories"][0]
    assert data["migrations"] == 3
    conns = {c["connection"]: c for c in data["connections"]}
    assert set(conns) == {"default", "reporting"}
    default = conns["default"]
    tables = {t["name"]: t for t in default["tables"]}
    assert default["table_count"] == 3  # tasks, comments, and users (used, so it exists)
    assert sorted(tables) == ["comments", "tasks", "users"]
    comments_cols = {c["name"]: c["type"] for c in tables["comments"]["columns"]}
    assert comments_cols == {"id": "bigIncrements", "task_id": "unsignedBigInteger",
                             "owner_type": "string", "owner_id": "unsignedBigInteger",
                             "body": "string"}
    # id() makes the primary key, named as MySQL/MariaDB and SQLite report it (lint/introspect)
    assert {i["name"] for i in tables["comments"]["indexes"]} == {
        "primary", "comments_owner_type_owner_id_index", "comments_body_unique"}
    assert [fk["name"] for fk in tables["comments"]["foreign_keys"]] == [
        "comments_task_id_foreign"]
    status = {c["name"]: c["status"] for c in tables["tasks"]["columns"]}
    # On a fresh database the guard is known to be true; config() is not known.
    assert status["done"] == "exists" and status["archived"] == "unknown"
    assert tables["users"]["created_by"] is None
    assert tables["users"]["columns_complete"] is False
    assert "not created by these migrations" in tables["users"]["unknown"]
    assert [t["name"] for t in conns["reporting"]["tables"]] == ["reports"]


def test_text_output_and_counts(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_drop.php": anon("        Schema::drop('tasks');"),
                     "2024_03_01_000000_t2.php": anon(CREATE_TASKS.replace("tasks", "jobs"))})
    result = run(tmp_path)
    assert result.exit_code == 0
    assert "connection default: 1 table(s)" in result.output
    assert "  jobs  -- " in result.output and "tasks" not in result.output.split("jobs", 1)[1]
    assert "    priority integer" in result.output


def test_computed_table_names_are_reported_as_unknown(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_dyn.php": anon("        Schema::drop($this->t());")})
    data = json.loads(run(tmp_path, "--format", "json").output)["histories"][0]
    default = data["connections"][0]
    assert default["table_count"] == 0 and default["unknown_table_count"] == 1


def test_bad_path_is_a_clear_error(tmp_path):
    result = run(tmp_path / "nope")
    assert result.exit_code == 2
    assert "no such file or directory" in result.output
    assert "Traceback" not in result.output


def test_schema_text_has_a_legend_and_one_line_per_unknown_cause():
    from migrate_lint.replay.schema_view import render_text

    def table(name, unknown):
        return {"name": name, "status": "exists", "created_by": f"m.php:{len(name)}",
                "columns_complete": False, "columns": [{"name": "id", "type": "id",
                                                        "status": "exists"}],
                "indexes": [], "foreign_keys": [], "unknown": unknown}

    cause = "a raw statement is not understood (m.php:9)"
    tables = [table(f"t{i}", [cause]) for i in range(64)] + [table("solo", ["other cause"])]
    text = render_text([{"directories": ["db"], "migrations": 2, "connections": [{
        "connection": "default", "table_count": 65, "unknown_table_count": 0,
        "tables": tables, "unknown": ["a connection-wide cause"]}]}])
    lines = text.splitlines()
    assert lines[0].startswith("legend: ")
    assert text.count(cause) == 1
    (shared,) = [line for line in lines if cause in line]
    assert shared == f"  unknown because {cause}: t0, t1, t2, t3, t4, t5, t6, t7 and 56 more table(s)"
    assert "  unknown because other cause: solo" in lines
    assert "  unknown because a connection-wide cause" in lines
    assert not any(line.strip().startswith("unknown:") for line in lines)
