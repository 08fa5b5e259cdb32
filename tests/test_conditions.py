"""Conditions as data: what the model reads a statement's condition to be, and how the replay
judges a guarded history on a fresh database (every `Schema::has*` is known there)."""

from __future__ import annotations

import pytest
from test_replay import CREATE_TASKS, anon, codes_at, lint, write

from migrate_lint import model
from migrate_lint.model import conditions as C

ADD = """Schema::table('tasks', function (Blueprint $table) {
            $table->integer('rank');
        });"""


def cond_of_add(body: str, props: str = ""):
    m = model.build("database/migrations/2024_01_01_000000_x.php", anon(body, props).encode())
    return next(c for c in m.calls if c.category == "add").ctx.cond


HAS_RANK = C.has("column", "tasks", "rank")
HAS_TASKS = C.has("table", "tasks")


@pytest.mark.parametrize("body, expected", [
    (f"if (Schema::hasColumn('tasks', 'rank')) {{ {ADD} }}", HAS_RANK),
    (f"if (! Schema::hasColumn('tasks', 'rank')) {{ {ADD} }}", C.not_(HAS_RANK)),
    (f"if (Schema::hasColumn('tasks', 'rank') === false) {{ {ADD} }}", C.not_(HAS_RANK)),
    (f"if (!Schema::hasTable('tasks') || Schema::hasColumn('tasks', 'rank')) {{ }} else {{ {ADD} }}",
     C.not_(C.or_(C.not_(HAS_TASKS), HAS_RANK))),
    (f"if (Schema::hasTable('tasks') && ! Schema::hasColumn('tasks', 'rank')) {{ {ADD} }}",
     C.and_(HAS_TASKS, C.not_(HAS_RANK))),
    (f"if (Schema::hasColumn('tasks', 'rank')) {{ return; }}\n{ADD}", C.not_(HAS_RANK)),
    (f"if (Schema::hasTable('x')) {{ }} elseif (! Schema::hasColumn('tasks', 'rank')) {{ {ADD} }}",
     C.and_(C.not_(C.has("table", "x")), C.not_(HAS_RANK))),
    (f"if (! in_array('rank', Schema::getColumnListing('tasks'))) {{ {ADD} }}",
     C.not_(HAS_RANK)),
    (f"$cols = Schema::getColumnListing('tasks');\nif (! in_array('rank', $cols)) {{ {ADD} }}",
     C.not_(HAS_RANK)),
    (f"$has = Schema::hasColumn('tasks', 'rank');\nif (! $has) {{ {ADD} }}", C.not_(HAS_RANK)),
    (f"$schema = Schema::connection('archive');\nif (! $schema->hasColumn('tasks', 'rank')) {{ {ADD} }}",
     C.not_(C.has("column", "tasks", "rank", "archive"))),
    (f"if (! DB::getSchemaBuilder()->hasColumn('tasks', 'rank')) {{ {ADD} }}", C.not_(HAS_RANK)),
    (f"if (! DB::connection('archive')->getSchemaBuilder()->hasColumn('tasks', 'rank')) "
     f"{{ {ADD} }}", C.not_(C.has("column", "tasks", "rank", "archive"))),
    (f"if (! Schema::hasColumns('tasks', ['rank', 'x'])) {{ {ADD} }}",
     C.not_(C.and_(HAS_RANK, C.has("column", "tasks", "x")))),
    (f"if (DB::getDriverName() === 'sqlite') {{ {ADD} }}", C.driver("sqlite")),
    (f"if (DB::connection()->getDriverName() !== 'pgsql') {{ {ADD} }}",
     C.not_(C.driver("pgsql"))),
    (f"if (in_array(DB::getDriverName(), ['mysql', 'mariadb'])) {{ {ADD} }}",
     C.or_(C.driver("mysql"), C.driver("mariadb"))),
    (f"Schema::whenTableDoesntHaveColumn('tasks', 'rank', function (Blueprint $table) {{\n"
     f"    $table->integer('rank');\n}});", C.not_(HAS_RANK)),
    (f"if (config('x')) {{ {ADD} }}", C.unknown("config('x')")),
    (f"foreach ([1, 2] as $i) {{ {ADD} }}", C.unknown("a loop body")),
])
def test_the_model_reads_each_condition(body, expected):
    assert cond_of_add(body) == expected


ADD_ON_T = ADD.replace("'tasks'", "$t")


@pytest.mark.parametrize("loop, runs", [
    (f"foreach (['tasks', 'notes'] as $t) {{ {ADD_ON_T} }}", True),
    (f"$tables = ['tasks', 'notes'];\nforeach ($tables as $t) {{ {ADD_ON_T} }}", True),
    (f"collect(['tasks', 'notes'])->each(function ($t) {{ {ADD_ON_T} }});", True),
    (f"array_map(fn ($t) => {ADD_ON_T[:-1]}, ['tasks', 'notes']);", True),
    # each() stops at `return false`; break/continue skip turns; a list that may have changed
    (f"collect(['tasks', 'notes'])->each(function ($t) {{ {ADD_ON_T} return false; }});", False),
    (f"foreach (['tasks', 'notes'] as $t) {{ {ADD_ON_T} break; }}", False),
    (f"$tables = ['tasks', 'notes'];\n$tables[] = 'x';\nforeach ($tables as $t) {{ {ADD_ON_T} }}",
     False),
    (f"foreach (['tasks', $other] as $t) {{ {ADD_ON_T} }}", False),
])
def test_a_loop_over_a_literal_list_of_names_runs_its_body_for_each(loop, runs):
    m = model.build("database/migrations/2024_01_01_000000_x.php", anon(loop).encode())
    op = next(o for o in m.ops if o.kind == "table")
    call = next(c for c in m.calls if c.category == "add")
    if runs:
        assert (op.table.expr, op.table.each, call.ctx.cond) == ("$t", ("tasks", "notes"), C.TRUE)
    else:
        assert op.table.each == () and call.ctx.cond != C.TRUE


def test_helper_predicates_and_the_connection_property():
    props = """    protected $connection = 'archive';
    private function missing($t, $c) { return ! Schema::hasColumn($t, $c); }
"""
    # Inside up() the Migrator makes $connection the default: Schema:: and
    # Schema::connection('archive') name the same connection, the default one.
    body = f"if ($this->missing('tasks', 'rank')) {{ {ADD} }}"
    assert cond_of_add(body, props) == C.not_(HAS_RANK)
    body = f"if (! Schema::connection('archive')->hasColumn('tasks', 'rank')) {{ {ADD} }}"
    assert cond_of_add(body, props) == C.not_(HAS_RANK)


def test_a_negated_all_of_guard_does_not_guard_each_column():
    guarded = "if (! Schema::hasColumns('tasks', ['rank', 'x'])) {\n" + ADD + "\n}"
    m = model.build("database/migrations/2024_01_01_000000_x.php", anon(guarded).encode())
    call = next(c for c in m.calls if c.category == "add")
    assert not call.ctx.has("column", call.op.table, call.columns[0], exists=False)


def test_a_guard_on_another_connection_does_not_guard():
    other = ("if (! Schema::connection('archive')->hasColumn('tasks', 'rank')) {\n" + ADD +
             "\n}")
    m = model.build("database/migrations/2024_01_01_000000_x.php", anon(other).encode())
    call = next(c for c in m.calls if c.category == "add")
    assert not call.ctx.has("column", call.op.table, call.columns[0], exists=False,
                            connection=call.op.conn)


# ------------------------------------------------------------------ the replay's judgments
GUARDED_CREATE = "        if (! Schema::hasTable('tasks')) {\n" + CREATE_TASKS + "\n        }"


def test_fixed_history_then_an_unguarded_re_add_is_ml101(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create.php": anon(GUARDED_CREATE),
                     "2024_02_01_000000_re_add.php": anon(
                         "        Schema::table('tasks', function (Blueprint $table) {\n"
                         "            $table->integer('priority');\n        });")})
    assert codes_at(lint(tmp_path)) == [("2024_02_01_000000_re_add.php", 11, "ML101")]


def test_a_second_unguarded_create_of_a_guarded_created_table_is_ml102(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create.php": anon(GUARDED_CREATE),
                     "2024_02_01_000000_again.php": anon(CREATE_TASKS),
                     "2024_03_01_000000_guarded_again.php": anon(GUARDED_CREATE)})
    assert codes_at(lint(tmp_path)) == [("2024_02_01_000000_again.php", 10, "ML102")]


@pytest.mark.parametrize("database, expected", [
    ("sqlite", [("2024_02_01_000000_add.php", 12, "ML101")]),
    ("mariadb", []),
    ("pgsql", []),
    (None, []),  # the engine is not known: neither branch is certain
])
def test_driver_checks_follow_the_configured_database(tmp_path, database, expected):
    add = """        if (DB::getDriverName() === 'sqlite') {
            Schema::table('tasks', function (Blueprint $table) {
                $table->integer('priority');
            });
        }"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add.php": anon(add)})
    args = ["--database", database] if database else []
    assert codes_at(lint(tmp_path, *args)) == expected


@pytest.mark.parametrize("version", ["8.83", "11.14"])
def test_mariadb_reports_mysql_before_laravel_11(tmp_path, version):
    add = """        if (DB::getDriverName() === 'mysql') {
            Schema::table('tasks', function (Blueprint $table) {
                $table->integer('priority');
            });
        }"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add.php": anon(add)})
    found = lint(tmp_path, "--database", "mariadb", "--laravel-version", version)
    assert codes_at(found) == ([("2024_02_01_000000_add.php", 12, "ML101")]
                               if version == "8.83" else [])


def test_try_catch_makes_the_failure_caught_not_definite(tmp_path):
    add = """        try {
            Schema::table('tasks', function (Blueprint $table) {
                $table->integer('priority');
            });
        } catch (\\Illuminate\\Database\\QueryException $e) {
        }"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add.php": anon(add)})
    assert lint(tmp_path) == []
    # On PostgreSQL the Migrator's transaction is aborted by the caught error: it fails.
    assert codes_at(lint(tmp_path, "--database", "pgsql")) == [
        ("2024_02_01_000000_add.php", 12, "ML101")]


@pytest.mark.parametrize("version, expected", [
    ("10.48", [("2024_02_01_000000_alter.php", 12, "ML103")]),
    ("11.15", []),
    (None, []),
])
def test_blueprint_order_follows_the_laravel_version(tmp_path, version, expected):
    # Before 11.15 changed columns are sent before the rename that gives them their name.
    alter = """        Schema::table('tasks', function (Blueprint $table) {
            $table->renameColumn('priority', 'rank');
            $table->bigInteger('rank')->change();
        });"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_alter.php": anon(alter)})
    args = ["--laravel-version", version] if version else []
    assert codes_at(lint(tmp_path, *args)) == expected


def test_early_return_on_an_unknown_condition_makes_the_rest_unknown(tmp_path):
    add = """        if (app()->environment('testing')) {
            return;
        }
        Schema::table('tasks', function (Blueprint $table) {
            $table->integer('priority');
        });"""
    write(tmp_path, {"2024_01_01_000000_create.php": anon(CREATE_TASKS),
                     "2024_02_01_000000_add.php": anon(add)})
    assert lint(tmp_path) == []
