"""Replay rules ML101-ML104 over directories of migrations written here."""

from __future__ import annotations

import json
import os
import time

import pytest
from click.testing import CliRunner

from migrate_lint.cli import main

HEAD = """<?php
use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\Schema;
use Illuminate\\Support\\Facades\\DB;

"""


def anon(body: str, props: str = "") -> str:
    return HEAD + "return new class extends Migration {\n" + props + \
        "    public function up()\n    {\n" + body + "\n    }\n};\n"


def named(cls: str, body: str) -> str:
    return HEAD + f"class {cls} extends Migration\n{{\n    public function up()\n    {{\n" + \
        body + "\n    }\n}\n"


CREATE_TASKS = """        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
            $table->integer('priority');
            $table->timestamps();
        });"""
ADD_PRIORITY = """        Schema::table('tasks', function (Blueprint $table) {
            $table->integer('priority')->default(0);
        });"""


def write(directory, files: dict[str, str]):
    os.makedirs(directory, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as fh:
            fh.write(text)


def lint(*paths, select="ML101,ML102,ML103,ML104"):
    result = CliRunner().invoke(main, ["--select", select, "--format", "json", "--no-cache",
                                       *map(str, paths)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def codes_at(findings):
    return sorted((os.path.basename(f["path"]), f["line"], f["code"]) for f in findings)


def test_duplicate_column_names_the_creating_migration(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    found = lint(tmp_path)
    assert codes_at(found) == [("2024_02_01_000000_add_priority.php", 11, "ML101")]
    msg = found[0]["message"]
    assert "tasks.priority" in msg and "2024_01_01_000000_create_tasks.php:12" in msg
    assert "1060" in msg


def test_column_dropped_in_between_is_not_a_duplicate(tmp_path):
    drop = """        Schema::table('tasks', function (Blueprint $table) {
            $table->dropColumn(['priority']);
        });"""
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_01_15_000000_drop_priority.php": anon(drop),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    assert lint(tmp_path) == []


@pytest.mark.parametrize("wrapper", [
    "if (! Schema::hasColumn('tasks', 'priority')) {{\n{body}\n}}",
    "if (app()->environment('local')) {{\n{body}\n}}",
    "foreach ([1] as $i) {{\n{body}\n}}",
    "if (config('x')) {{ return; }}\n{body}",
    "try {{\n{body}\n}} catch (\\Illuminate\\Database\\QueryException $e) {{}}",
])
def test_conditional_add_is_never_a_definite_duplicate(tmp_path, wrapper):
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add_priority.php": anon(wrapper.format(body=ADD_PRIORITY))})
    assert lint(tmp_path) == []


def test_an_earlier_add_under_an_unknown_condition_makes_the_column_unknown(tmp_path):
    create = """        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
        });"""
    maybe = "if (config('features.priority')) {\n" + ADD_PRIORITY + "\n}"
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(create),
                     "2024_01_15_000000_maybe_priority.php": anon(maybe),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    assert lint(tmp_path) == []


def test_a_guarded_earlier_add_is_known_on_a_fresh_database(tmp_path):
    # On a fresh database `! hasColumn('tasks', 'priority')` is true when it runs: the column
    # exists afterwards, so the later unguarded add fails (ML101) and a guarded one does not.
    create = """        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
        });"""
    guarded = "if (! Schema::hasColumn('tasks', 'priority')) {\n" + ADD_PRIORITY + "\n}"
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(create),
                     "2024_01_15_000000_guarded_priority.php": anon(guarded),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    found = lint(tmp_path)
    assert codes_at(found) == [("2024_02_01_000000_add_priority.php", 11, "ML101")]
    assert "2024_01_15_000000_guarded_priority.php:12" in found[0]["message"]
    write(tmp_path, {"2024_02_01_000000_add_priority.php": anon(guarded)})
    assert lint(tmp_path) == []


def test_duplicate_table_and_recreate_after_drop(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_again.php": anon(CREATE_TASKS),
                     "2024_03_01_000000_drop.php": anon("        Schema::drop('tasks');"),
                     "2024_04_01_000000_recreate.php": anon(CREATE_TASKS)})
    found = lint(tmp_path)
    assert codes_at(found) == [("2024_02_01_000000_again.php", 10, "ML102")]
    assert "2024_01_01_000000_create_tasks.php:10" in found[0]["message"]


def test_renames_move_tables_and_columns(tmp_path):
    rename = """        Schema::rename('tasks', 'jobs');
        Schema::table('jobs', function (Blueprint $table) {
            $table->renameColumn('priority', 'rank');
        });"""
    after = """        Schema::create('tasks', function (Blueprint $table) { $table->id(); });
        Schema::table('jobs', function (Blueprint $table) {
            $table->integer('priority');
            $table->integer('rank');
        });"""
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_rename.php": anon(rename),
                     "2024_03_01_000000_after.php": anon(after)})
    found = lint(tmp_path)
    # 'tasks' is free again, 'priority' was renamed away, 'rank' exists.
    assert codes_at(found) == [("2024_03_01_000000_after.php", 13, "ML101")]
    assert "jobs.rank" in found[0]["message"]


def test_missing_objects_are_warnings_and_unknown_tables_are_not_missing(tmp_path):
    later = """        Schema::table('tasks', function (Blueprint $table) {
            $table->dropColumn('nope');
            $table->string('title')->nullable()->change();
        });
        Schema::table('legacy', function (Blueprint $table) {
            $table->string('x');
        });
        Schema::table('users', function (Blueprint $table) {
            $table->dropColumn('whatever');
        });"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS + """
        Schema::create('legacy', function (Blueprint $table) { $table->id(); });"""),
                     "2024_02_01_000000_drop_legacy.php": anon(
                         "        Schema::dropIfExists('legacy');"),
                     "2024_03_01_000000_later.php": anon(later)})
    found = lint(tmp_path)
    assert codes_at(found) == [("2024_03_01_000000_later.php", 11, "ML103"),
                               ("2024_03_01_000000_later.php", 12, "ML103"),
                               ("2024_03_01_000000_later.php", 14, "ML103")]
    assert all(f["severity"] == "warning" for f in found)
    assert "dropped by" in found[2]["message"] and "2024_02_01_000000_drop_legacy.php:10" in \
        found[2]["message"]


def test_unresolvable_names_make_state_unknown(tmp_path):
    dyn_drop = anon("        Schema::drop($this->name());")
    dyn_add = anon("""        foreach (['a', 'b'] as $t) {
            Schema::table($t, function (Blueprint $table) { $table->integer('priority'); });
        }
        Schema::table(config('x.table'), function (Blueprint $table) {
            $table->integer('nope');
        });""")
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_01_02_000000_dyn.php": dyn_drop,
                     "2024_01_03_000000_again.php": anon(CREATE_TASKS),
                     "2024_01_04_000000_dyn_add.php": dyn_add})
    assert lint(tmp_path) == []


def test_resolved_names_still_count(tmp_path):
    prop = "    protected $table = 'tasks';\n"
    add = anon("""        Schema::table($this->table, function (Blueprint $table) {
            $table->integer('priority');
        });""", prop)
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add.php": add})
    assert codes_at(lint(tmp_path)) == [("2024_02_01_000000_add.php", 12, "ML101")]


def test_connections_are_kept_apart(tmp_path):
    other = anon(CREATE_TASKS, "    protected $connection = 'reporting';\n")
    via_call = anon("""        Schema::connection('archive')->create('tasks', function (Blueprint $table) {
            $table->id();
        });""")
    same_again = anon("""        Schema::connection('reporting')->table('tasks', function (Blueprint $table) {
            $table->integer('priority');
        });""")
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_other.php": other,
                     "2024_03_01_000000_archive.php": via_call,
                     "2024_04_01_000000_reporting_add.php": same_again})
    found = lint(tmp_path)
    assert codes_at(found) == [("2024_04_01_000000_reporting_add.php", 11, "ML101")]
    assert "2024_02_01_000000_other.php" in found[0]["message"]


def test_squashed_schema_is_the_starting_state(tmp_path):
    root = tmp_path / "app"
    mig = root / "database" / "migrations"
    write(root / "database" / "schema", {"mysql-schema.sql": """
CREATE TABLE `tasks` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `priority` int NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB;
CREATE TABLE `migrations` (`id` int unsigned NOT NULL AUTO_INCREMENT, `migration` varchar(255),
  `batch` int, PRIMARY KEY (`id`));
INSERT INTO `migrations` VALUES (1,'2024_01_01_000000_create_tasks',1);
"""})
    write(mig, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    found = lint(mig)
    # The squashed migration is not run again; the new one collides with the dumped column.
    assert codes_at(found) == [("2024_02_01_000000_add_priority.php", 11, "ML101")]
    assert "mysql-schema.sql:2" in found[0]["message"]


def test_reports_only_in_the_files_given_but_reads_the_whole_directory(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    assert codes_at(lint(tmp_path / "2024_02_01_000000_add_priority.php")) == [
        ("2024_02_01_000000_add_priority.php", 11, "ML101")]
    assert lint(tmp_path / "2024_01_01_000000_create_tasks.php") == []


def test_sub_directories_are_separate_histories(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS)})
    write(tmp_path / "tenant", {"2024_02_01_000000_create_tasks.php": anon(CREATE_TASKS)})
    assert lint(tmp_path) == []
    # Directories given together are one history, like `migrate --path=a --path=b`.
    assert codes_at(lint(tmp_path, tmp_path / "tenant")) == [
        ("2024_02_01_000000_create_tasks.php", 10, "ML102")]


def test_duplicate_class(tmp_path):
    write(tmp_path, {"2019_01_01_000000_create_tasks_table.php": named("CreateTasksTable",
                                                                      CREATE_TASKS),
                     "2020_01_01_000000_create_tasks_table.php": named("createtaskstable", ""),
                     "2021_01_01_000000_anonymous.php": anon(""),
                     "2022_01_01_000000_anonymous.php": anon("")})
    found = lint(tmp_path, select="ML104")
    assert codes_at(found) == [("2020_01_01_000000_create_tasks_table.php", 7, "ML104")]
    assert "2019_01_01_000000_create_tasks_table.php:7" in found[0]["message"]


def test_raw_sql_is_replayed_and_computed_sql_is_unknown(tmp_path):
    raw = anon("        DB::statement('ALTER TABLE tasks ADD COLUMN priority int');")
    computed = anon("        DB::statement('ALTER TABLE ' . $this->t() . ' DROP COLUMN priority');")
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_raw.php": raw})
    assert codes_at(lint(tmp_path)) == [("2024_02_01_000000_raw.php", 10, "ML101")]
    write(tmp_path, {"2024_01_15_000000_computed.php": computed})
    assert lint(tmp_path) == []


def test_raw_create_table_columns_come_from_sqlglot(tmp_path):
    raw = anon("        DB::statement('CREATE TABLE tasks (id int primary key, priority int)');")
    write(tmp_path, {"2024_01_01_000000_raw.php": raw,
                     "2024_02_01_000000_add.php": anon(ADD_PRIORITY)})
    assert codes_at(lint(tmp_path)) == [("2024_02_01_000000_add.php", 11, "ML101")]


def test_only_up_is_replayed_and_helpers_run_where_up_calls_them(tmp_path):
    # A helper called from up() runs there (the model instantiates it at the call site); a
    # helper nobody calls is conditional; down() is not replayed.
    text = HEAD + """return new class extends Migration {
    public function up()
    {
        $this->addIt();
    }
    private function addIt()
    {
""" + ADD_PRIORITY + """
    }
    private function neverCalled()
    {
""" + ADD_PRIORITY + """
    }
    public function down()
    {
        Schema::create('tasks', function (Blueprint $table) { $table->id(); });
    }
};
"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_helper.php": text})
    assert codes_at(lint(tmp_path)) == [("2024_02_01_000000_helper.php", 15, "ML101")]


def test_suppression_comment(tmp_path):
    body = ADD_PRIORITY.replace("            $table->integer",
                                "            // migrate-lint-ignore ML101 -- known\n"
                                "            $table->integer")
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add.php": anon(body)})
    assert lint(tmp_path, select="ML101,ML900") == []


def test_syntax_error_file_makes_later_state_unknown(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_01_15_000000_broken.php": "<?php class {",
                     "2024_02_01_000000_add.php": anon(ADD_PRIORITY)})
    assert lint(tmp_path, select="ML101") == []


def test_replaying_5000_migrations(tmp_path):
    from migrate_lint.replay.history import load_history, replay

    files = {}
    for i in range(2500):
        files[f"2020_01_01_{i:06d}_create_t{i}.php"] = anon(
            CREATE_TASKS.replace("'tasks'", f"'t{i}'"))
        files[f"2020_01_02_{i:06d}_alter_t{i}.php"] = anon(
            ADD_PRIORITY.replace("'tasks'", f"'t{i}'").replace("priority", "rank"))
    write(tmp_path, files)
    h = load_history([str(tmp_path)])
    outcomes = list(replay(h))
    # Timings live in bench/ (bench/run.py replays 5,000 migrations); tests assert results.
    assert len(outcomes) == 5000 and not any(p for _, p in outcomes)
    assert len(h.final.connection("default").live_tables()) == 2500


def test_warm_run_reads_summaries_from_the_cache(tmp_path, monkeypatch):
    from migrate_lint.replay import history, summaries

    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    cache = str(tmp_path / "cache")
    cold = history.load_history([str(tmp_path)], cache_dir=cache)
    built = []
    real = summaries.build_one
    monkeypatch.setattr(summaries, "_chunk", lambda items: built.extend(items) or [
        real(p, d)[0] for p, d in items])
    warm = history.load_history([str(tmp_path)], cache_dir=cache)
    assert built == []
    assert [s.steps for s in warm.summaries] == [s.steps for s in cold.summaries]
    (tmp_path / "2024_02_01_000000_add_priority.php").write_text(anon(ADD_PRIORITY + "\n"))
    history.load_history([str(tmp_path)], cache_dir=cache)
    assert [os.path.basename(p) for p, _ in built] == ["2024_02_01_000000_add_priority.php"]


def test_a_table_renamed_away_is_said_to_be_renamed_not_dropped(tmp_path):
    later = """        Schema::table('tasks', function (Blueprint $table) {
            $table->string('x');
        });"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_rename.php": anon("        Schema::rename('tasks', 'jobs');"),
                     "2024_03_01_000000_later.php": anon(later)})
    found = lint(tmp_path)
    assert codes_at(found) == [("2024_03_01_000000_later.php", 10, "ML103")]
    assert "renamed by " in found[0]["message"] and "to 'jobs'" in found[0]["message"]
    assert "dropped by" not in found[0]["message"]


@pytest.mark.parametrize("call", [
    "$this->optimize->dropColumnIfExists($table, 'priority');",  # another object's method
    "SchemaHelper::dropPriority($table);",                         # a static call
    "drop_priority($table);",                                     # a function
    "$this->inheritedHelper($table);",                            # a method of a parent class
    "$table->after('id', fn ($t) => Helpers::reset($t));",        # the Blueprint under a new name
])
def test_a_call_we_cannot_read_given_the_blueprint_makes_the_table_unknown(tmp_path, call):
    # Lychee drops indexes with `$this->optimize->dropIndexIfExists($table, ...)`: such a call
    # may drop or add anything, so the column it could have dropped is no longer a duplicate.
    opaque = ("        Schema::table('tasks', function (Blueprint $table) {\n            "
              + call + "\n        });")
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_01_15_000000_helper.php": anon(opaque),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    assert lint(tmp_path) == []


def test_a_call_not_given_the_blueprint_changes_nothing(tmp_path):
    other = """        Schema::table('tasks', function (Blueprint $table) {
            $this->output->info('tasks', $x);
            Log::info(count($rows));
            $table->string('note')->nullable();
        });"""
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
                     "2024_01_15_000000_note.php": anon(other),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    assert codes_at(lint(tmp_path)) == [("2024_02_01_000000_add_priority.php", 11, "ML101")]


LOOP_ADD = """        foreach (['notes', 'labels'] as $t) {
            Schema::table($t, function (Blueprint $table) { $table->integer('rank'); });
        }"""


@pytest.mark.parametrize("loop", [
    LOOP_ADD.replace("'rank'", "'priority'"),
    """        $tables = ['notes', 'labels'];
        foreach ($tables as $t) {
            Schema::table($t, function (Blueprint $table) { $table->integer('priority'); });
        }""",
    """        collect(['notes', 'labels'])->each(function ($t) {
            Schema::table($t, function (Blueprint $table) { $table->integer('priority'); });
        });""",
    """        array_map(fn ($t) => Schema::table($t, fn (Blueprint $table) => $table->integer('priority')),
            ['notes', 'labels']);""",
], ids=["foreach", "foreach_over_variable", "collect_each", "array_map"])
def test_a_loop_over_literal_tables_leaves_other_tables_known(tmp_path, loop):
    # A step on a computed table makes its column unknown on every table; a loop over a
    # literal list is a step on each listed table, so the duplicate on 'tasks' is still found.
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_01_02_000000_loop.php": anon(loop),
                     "2024_02_01_000000_add.php": anon(ADD_PRIORITY)})
    assert codes_at(lint(tmp_path)) == [("2024_02_01_000000_add.php", 11, "ML101")]


def test_a_loop_over_literal_tables_is_unrolled_in_list_order(tmp_path):
    create_notes = """        Schema::create('notes', function (Blueprint $table) {
            $table->id();
        });"""
    guarded = """        foreach (['notes', 'tasks'] as $t) {
            if (! Schema::hasColumn($t, 'rank')) {
                Schema::table($t, function (Blueprint $table) { $table->integer('rank'); });
            }
        }"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS + "\n" + create_notes),
                     "2024_01_02_000000_loop.php": anon(LOOP_ADD),
                     "2024_01_03_000000_guarded.php": anon(guarded),
                     "2024_01_04_000000_notes_rank.php": anon(
                         LOOP_ADD.replace("'notes', 'labels'", "'tasks', 'notes'"))})
    found = lint(tmp_path)
    # 'notes' got 'rank' in the first loop; the guard in the second loop reads each table
    # (the add runs for 'tasks' only), so the third loop adds a duplicate on both, 'tasks' first.
    assert codes_at(found) == [("2024_01_04_000000_notes_rank.php", 11, "ML101")] * 2
    assert ["tasks.rank" in found[0]["message"], "notes.rank" in found[1]["message"]] == [True] * 2


@pytest.mark.parametrize("closure, known", [
    ("function (Blueprint $t) {\n                $t->integer('priority');\n            }", True),
    ("fn ($t) => $t->integer('priority')", True),
    ("$this->columns(...)", False),  # not read: the table's columns become unknown
])
def test_columns_placed_by_after_are_added_there(tmp_path, closure, known):
    """`$table->after('id', fn)` (Convoy) only places the columns its closure adds: the
    replay follows them instead of losing the table."""
    after = f"""        Schema::table('tasks', function (Blueprint $table) {{
            $table->after('id', {closure});
        }});"""
    write(tmp_path, {"2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS.replace(
        "            $table->integer('priority');\n", "")),
                     "2024_01_15_000000_place_priority.php": anon(after),
                     "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY)})
    found = codes_at(lint(tmp_path))
    assert found == ([("2024_02_01_000000_add_priority.php", 11, "ML101")] if known else [])
