"""Every fix, for every argument shape the model accepts, EXECUTED under real Laravel.

For each fixable rule a migration does the flagged operation in up() and undoes it in down();
the operation's arguments are written in each shape a migration may use (a literal, a list, a
local variable, `$this->prop`, `self::CONST`, a function result, a spread, named arguments).
The file is linted and fixed; every finding of the rule must have been fixed (or be one this
test names as report-only), and the fixed file must then run `up, up` and `down, down` and
`up` again on SQLite and MariaDB, leaving the state each direction promises (a guard that is
always false "runs" but leaves the column, index or table behind: the state check sees it).

Index and foreign-key guards call Schema::hasIndex / hasForeignKey, which Debian's Laravel
8.83 lacks: the PHP runner loads lint/dynamic/php/compat.php, Laravel's own code for them.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import pytest

from migrate_lint.dynamic import oracle
from migrate_lint.engine import Settings, lint_source, resolve_selection
from migrate_lint.fix import fix_source
from migrate_lint.rules import all_rules
from migrate_lint.rules._common import RuleContext

HEAD = """<?php

use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\DB;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration
{{
    const V = {v};
    const W = {w};
    protected $v = {v};
    protected $w = {w};

    public function up()
    {{
        $v = {v};
        $w = {w};
{up}
    }}

    public function down()
    {{
        $v = {v};
        $w = {w};
{down}
    }}
}};
"""


def php(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(php(v) for v in value) + "]"
    return "'" + value + "'"


def function_result(value) -> str:
    if isinstance(value, list):
        return f"array_merge({php(value[:1])}, {php(value[1:])})"
    return f"sprintf('%s', {php(value)})"


# shape -> how a value is written. Named arguments are the literal behind the parameter name.
SHAPES = {
    "literal": lambda value, slot: php(value),
    "variable": lambda value, slot: "$" + slot,
    "property": lambda value, slot: "$this->" + slot,
    "constant": lambda value, slot: "self::" + slot.upper(),
    "function": lambda value, slot: function_result(value),
    "spread": lambda value, slot: "...$" + slot,
    "named": lambda value, slot: php(value),
}


@dataclass
class Scenario:
    rule: str
    name: str
    up: str                    # PHP with {a}/{b} for the arguments, {p:NAME} for a name prefix
    down: str
    v: object
    w: object = "unused"
    setup: tuple = ()
    shapes: tuple = ("literal", "variable", "property", "constant", "function", "named")
    engines: tuple = ("sqlite", "mariadb")
    after_up: object = None    # (tables, indexes) -> bool
    after_down: object = None
    report_only: dict = field(default_factory=dict)  # shape -> why no fix is offered


def columns(tables, table):
    return [c.lower() for c in tables.get(table, [])]


def indexes(idx, table):
    return [i.lower() for i in idx.get(table, [])]


def closure(body: str) -> str:
    return "Schema::table('tasks', function (Blueprint $table) use ($v, $w) { " + body + " });"
TASKS = "create table tasks (id integer primary key, title varchar(50), a varchar(20), " \
        "b varchar(20), user_id integer)"
USERS = "create table users (id integer primary key)"

SCENARIOS = [
    Scenario("ML001", "create_table",
             "Schema::create({p:table}{a}, {p:callback}function (Blueprint $table) "
             "{ $table->id(); $table->string('title'); });",
             "Schema::dropIfExists({a});", v="projects",
             after_up=lambda t, i: "projects" in t, after_down=lambda t, i: "projects" not in t),
    Scenario("ML002", "add_column",
             closure("$table->string({p:column}{a})->nullable();"),
             closure("$table->dropColumn({p:columns}{a});"), v="priority",
             setup=(TASKS,), after_up=lambda t, i: "priority" in columns(t, "tasks"),
             after_down=lambda t, i: "priority" not in columns(t, "tasks")),
    Scenario("ML003", "drop_one_column",
             closure("$table->dropColumn({p:columns}{a});"),
             closure("$table->string({p:column}{a})->nullable();"), v="a",
             setup=(TASKS,), after_up=lambda t, i: "a" not in columns(t, "tasks"),
             after_down=lambda t, i: "a" in columns(t, "tasks")),
    Scenario("ML003", "drop_column_list",
             closure("$table->dropColumn({p:columns}{a});"),
             closure("if (! Schema::hasColumn('tasks', 'a')) { $table->string('a')"
                     "->nullable(); } if (! Schema::hasColumn('tasks', 'b')) { "
                     "$table->string('b')->nullable(); }"),
             v=["a", "b"], setup=(TASKS,),
             shapes=("literal", "variable", "property", "constant", "function", "named",
                     "spread"),
             after_up=lambda t, i: not {"a", "b"} & set(columns(t, "tasks")),
             after_down=lambda t, i: {"a", "b"} <= set(columns(t, "tasks"))),
    Scenario("ML004", "drop_table", "Schema::drop({p:table}{a});",
             "Schema::create('legacy', function (Blueprint $table) { $table->id(); });",
             v="legacy", setup=("create table legacy (id integer primary key)",),
             after_up=lambda t, i: "legacy" not in t, after_down=lambda t, i: "legacy" in t),
    Scenario("ML004", "blueprint_drop",
             "Schema::table({p:table}{a}, {p:callback}function (Blueprint $table) "
             "{ $table->drop(); });",
             "Schema::create('legacy', function (Blueprint $table) { $table->id(); });",
             v="legacy", setup=("create table legacy (id integer primary key)",),
             after_up=lambda t, i: "legacy" not in t, after_down=lambda t, i: "legacy" in t),
    Scenario("ML005", "rename_column",
             closure("$table->renameColumn({p:from}{a}, {p:to}{b});"),
             closure("$table->renameColumn({p:from}{b}, {p:to}{a});"),
             v="title", w="heading", setup=(TASKS,),
             after_up=lambda t, i: "heading" in columns(t, "tasks")
             and "title" not in columns(t, "tasks"),
             after_down=lambda t, i: "title" in columns(t, "tasks")
             and "heading" not in columns(t, "tasks")),
    Scenario("ML006", "rename_table", "Schema::rename({p:from}{a}, {p:to}{b});",
             "Schema::rename({p:from}{b}, {p:to}{a});", v="todos", w="chores",
             setup=("create table todos (id integer primary key)",),
             after_up=lambda t, i: "chores" in t and "todos" not in t,
             after_down=lambda t, i: "todos" in t and "chores" not in t),
    Scenario("ML011", "read_then_drop",
             "$rows = DB::table({p:table}{a})->get();\n"
             "foreach ($rows as $row) {\n"
             "    DB::table('tags')->insert(['name' => $row->name]);\n"
             "}\n"
             "Schema::dropIfExists({p:table}{a});",
             "Schema::create({a}, function (Blueprint $table) { $table->id(); "
             "$table->string('name')->nullable(); });", v="old_tags",
             setup=("create table old_tags (id integer primary key, name varchar(20))",
                    "create table tags (id integer primary key, name varchar(20))",
                    "insert into old_tags (name) values ('a')"),
             after_up=lambda t, i: "old_tags" not in t, after_down=lambda t, i: "old_tags" in t),
    Scenario("ML008", "raw_create_table",
             "DB::statement({p:query}{a});", "DB::statement('DROP TABLE IF EXISTS raw_t');",
             v="CREATE TABLE raw_t (id INT)", shapes=("literal", "named"),
             after_up=lambda t, i: "raw_t" in t, after_down=lambda t, i: "raw_t" not in t),
    # SQLite has no ADD/DROP COLUMN IF [NOT] EXISTS: a PHP guard there, the clause on MariaDB.
    Scenario("ML008", "raw_add_column",
             "DB::statement({p:query}{a});", "DB::statement('ALTER TABLE tasks DROP COLUMN c');",
             v="ALTER TABLE tasks ADD c INT", shapes=("literal", "named"), setup=(TASKS,),
             after_up=lambda t, i: "c" in columns(t, "tasks"),
             after_down=lambda t, i: "c" not in columns(t, "tasks")),
    # No engine has IF EXISTS for RENAME COLUMN: a PHP guard on both sides, everywhere.
    Scenario("ML008", "raw_rename_column",
             "DB::statement({p:query}{a});", "DB::statement({p:query}{b});",
             v="ALTER TABLE tasks RENAME COLUMN title TO heading",
             w="ALTER TABLE tasks RENAME COLUMN heading TO title",
             shapes=("literal", "named"), setup=(TASKS,),
             after_up=lambda t, i: "heading" in columns(t, "tasks")
             and "title" not in columns(t, "tasks"),
             after_down=lambda t, i: "title" in columns(t, "tasks")
             and "heading" not in columns(t, "tasks")),
]

# ML007 (add) and ML010 (drop) in pairs: the index added in up() is dropped in down().
INDEX_SCENARIOS = [
    ("index_on_column", "$table->index({p:columns}{a});", "$table->dropIndex(['a']);",
     "a", "tasks_a_index"),
    ("index_on_columns", "$table->index({p:columns}{a});", "$table->dropIndex(['a', 'b']);",
     ["a", "b"], "tasks_a_b_index"),
    ("index_mixed_case_name", "$table->index('a', {p:name}{a});",
     "$table->dropIndex({p:index}{a});", "IDX_Tasks_A", "idx_tasks_a"),
    ("unique_named", "$table->unique(['a', 'b'], {p:name}{a});",
     "$table->dropUnique({p:index}{a});", "Tasks_AB_Unique", "tasks_ab_unique"),
    ("unique_by_columns", "$table->unique({p:columns}{a});", "$table->dropUnique({p:index}{a});",
     ["a", "b"], "tasks_a_b_unique"),
]


def _index_scenarios():
    out = []
    for name, up, down, value, index in INDEX_SCENARIOS:
        out.append(Scenario(
            "ML007+ML010", name, closure(up), closure(down), v=value,
            setup=(TASKS,), after_up=lambda t, i, index=index: index in indexes(i, "tasks"),
            after_down=lambda t, i, index=index: index not in indexes(i, "tasks")))
    foreign = "$table->foreign({p:columns}{a})->references('id')->on('users');"
    out.append(Scenario(
        "ML007+ML010", "foreign_key_by_columns", closure(foreign),
        closure("$table->dropForeign({p:index}{a});"), v=["user_id"],
        setup=(USERS, TASKS.replace("user_id integer", "user_id integer, b2 int")),
        engines=("mariadb",)))  # Laravel 8 on SQLite ignores foreign() on an existing table
    out.append(Scenario(
        "ML007+ML010", "foreign_key_named",
        closure("$table->foreign('user_id', {p:name}{a})->references('id')"
                            "->on('users');"),
        closure("$table->dropForeign({p:index}{a});"), v="Tasks_User_FK",
        setup=(USERS, TASKS), engines=("mariadb",)))
    return out


ALL = SCENARIOS + _index_scenarios()


def render(scenario: Scenario, shape: str) -> str:
    write = SHAPES[shape]

    def fill(template: str) -> str:
        template = re.sub(r"\{p:(\w+)\}", lambda m: m[1] + ": " if shape == "named" else "",
                          template)
        return template.replace("{a}", write(scenario.v, "v")).replace("{b}",
                                                                        write(scenario.w, "w"))

    return HEAD.format(v=php(scenario.v), w=php(scenario.w),
                       up=textwrap.indent(fill(scenario.up), " " * 8),
                       down=textwrap.indent(fill(scenario.down), " " * 8))


def settings(engine: str) -> Settings:
    ctx = RuleContext(check_down=True, laravel_version=(13, 10), database=engine)
    return Settings(enabled=resolve_selection(None, [], all_rules()), rule_ctx=ctx)


PARAMS = [pytest.param(s, shape, engine, id=f"{s.rule}-{s.name}-{shape}-{engine}")
          for s in ALL for shape in s.shapes for engine in s.engines]


def fixed(scenario, shape, engine) -> str:
    rules = set(scenario.rule.split("+"))
    source = render(scenario, shape)
    config = settings(engine)
    result = lint_source("database/migrations/2024_01_01_000000_x.php", source.encode(), config,
                         keep_model=True)
    assert result.migration.error is None, source
    mine = [f for f in result.findings if f.code in rules]
    assert mine, f"the rule does not flag this shape:\n{source}"
    if shape in scenario.report_only:
        assert not any(f.fixable for f in mine)
        return ""
    assert all(f.fixable for f in mine), [f.message for f in mine if not f.fixable]
    new, _, _, after = fix_source(result, config)
    left = [f for f in after.findings if f.code in rules]
    assert not left, f"{[f.message for f in left]}\n{new.decode()}"
    return new.decode()


@pytest.mark.oracle
@pytest.mark.parametrize("scenario, shape, engine", PARAMS)
def test_fix_runs_up_and_down_twice_under_laravel(scenario, shape, engine, make_db, tmp_path):
    text = fixed(scenario, shape, engine)
    if not text:
        return
    path = tmp_path / "2024_01_01_000000_fixed.php"
    path.write_text(text)
    db = make_db(engine)
    setup = [s.replace("integer primary key", "integer primary key auto_increment")
             if engine == "mariadb" else s for s in scenario.setup]
    for steps, check in ((["up", "up"], scenario.after_up), (["down", "down"],
                                                             scenario.after_down),
                         (["up"], scenario.after_up)):
        result = oracle.run_steps(path, steps, db, setup=setup)
        setup = []
        assert result.error is None, result.error
        assert result.ok, f"{result.failure}\n{text}"
        if check is not None:
            assert check(result.tables, result.indexes), \
                f"after {steps}: {result.tables} {result.indexes}\n{text}"


def test_every_fixable_rule_has_shapes_run_under_laravel():
    covered = {code for s in ALL for code in s.rule.split("+")}
    fixable = {r.CODE for r in all_rules() if r.FIXABLE}
    assert fixable <= covered, fixable - covered


@pytest.mark.parametrize("expr", ["$columns", "$this->cols", "self::COLS",
                                  "array_merge(['a'], ['b'])", "columns: $columns"])
def test_a_computed_drop_column_argument_is_never_passed_to_hasColumn(expr):
    """The Fortify shape: `dropColumn(array_merge([...], [...]))` made the guard
    `hasColumn('users', <array>)`, a TypeError in down()."""
    source = ("<?php\nreturn new class extends Migration {\n const COLS = ['a', 'b'];\n"
              " protected $cols = ['a', 'b'];\n public function down() {\n"
              " $columns = ['a', 'b'];\n"
              " Schema::table('users', function (Blueprint $table) use ($columns) {\n"
              f"  $table->dropColumn({expr});\n }});\n }}\n}};\n")
    config = settings("mariadb")
    result = lint_source("m.php", source.encode(), config, keep_model=True)
    new = fix_source(result, config)[0].decode()
    plain = expr.split(": ")[-1]
    assert f"hasColumn('users', {plain})" not in new
    assert f"(array) {plain}" in new


@pytest.mark.parametrize("database, fixable", [("sqlite", False), (None, False),
                                               ("mariadb", True), ("pgsql", True)])
def test_a_foreign_key_dropped_by_name_is_guarded_by_name_only_where_names_are_reported(
        database, fixable):
    """SQLite reports no foreign-key names: `hasForeignKey('t', 'name')` is always false there,
    so the guarded drop would never run."""
    source = ("<?php\nreturn new class extends Migration {\n public function down() {\n"
              " Schema::table('tasks', function (Blueprint $table) {\n"
              "  $table->dropForeign('Tasks_User_FK');\n });\n }\n};\n")
    config = settings(database)
    result = lint_source("m.php", source.encode(), config, keep_model=True)
    (finding,) = [f for f in result.findings if f.code == "ML010"]
    assert finding.fixable == fixable
    new = fix_source(result, config)[0].decode()
    if fixable:
        assert "if (Schema::hasForeignKey('tasks', 'tasks_user_fk')) {" in new
    else:
        assert new == source


def test_by_columns_a_foreign_key_guard_works_on_sqlite_too():
    source = ("<?php\nreturn new class extends Migration {\n public function up() {\n"
              " Schema::table('tasks', function (Blueprint $table) {\n"
              "  $table->foreign('user_id', 'Tasks_User_FK')->references('id')->on('users');\n"
              " });\n }\n};\n")
    config = settings("sqlite")
    result = lint_source("m.php", source.encode(), config, keep_model=True)
    new = fix_source(result, config)[0].decode()
    assert "if (! Schema::hasForeignKey('tasks', ['user_id'])) {" in new
