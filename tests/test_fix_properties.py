"""Property tests: migrations assembled from real-world fragments, linted and fixed.

For every generated migration: lint never raises; the fixer's output parses, fixing twice
equals fixing once, nothing fixable is left, and statements that were not flagged keep their
bytes. CI runs a bounded number of examples; `HYPOTHESIS_PROFILE=long` runs many more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate_lint import parse
from migrate_lint.engine import Settings, lint_source, resolve_selection
from migrate_lint.fix import fix_source
from migrate_lint.rules import all_rules
from migrate_lint.rules._common import RuleContext

settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TABLES = ["'tasks'", '"tasks"', "$this->table", "self::TABLE", "$name"]
COLUMNS = ["'priority'", "'due_at'", '"owner"', "$column"]
ADDS = ["string({c})", "string({c})->nullable()", "integer({c})->default(0)->after('id')",
        "timestamps()", "softDeletes()", "morphs('owner')", "foreignId('user_id')->constrained()",
        "rememberToken()", "addColumn('string', {c})", "json({c})->nullable()"]
OTHERS = ["dropColumn({c})", "dropColumn([{c}, 'legacy'])", "renameColumn({c}, 'renamed')",
          "index({c})", "unique([{c}, 'id'], 'uq')", "dropIndex(['x'])", "dropForeign(['user_id'])",
          "string({c})->change()", "dropTimestamps()"]
GUARDS = ["", "if (! Schema::hasColumn({t}, {c})) ", "if (Schema::hasColumn({t}, {c})) ",
          "if (! Schema::hasTable({t})) "]
SPACING = [" ", "  ", "\t", "\n    "]


@st.composite
def blueprint_statement(draw, var):
    column = draw(st.sampled_from(COLUMNS))
    table = draw(st.sampled_from(TABLES))
    call = draw(st.sampled_from(ADDS + OTHERS)).format(c=column)
    guard = draw(st.sampled_from(GUARDS)).format(t=table, c=column)
    body = f"{var}->{call};"
    comment = draw(st.sampled_from(["", " // note", " /* x */"]))
    if guard:
        return f"{guard}{{{draw(st.sampled_from(SPACING))}{body}{comment}\n}}"
    return body + comment


@st.composite
def schema_statement(draw):
    table = draw(st.sampled_from(TABLES))
    kind = draw(st.sampled_from(["table", "table", "create", "drop", "rename", "raw", "arrow",
                                 "insert"]))
    var = draw(st.sampled_from(["$table", "$t"]))
    if kind in ("table", "create"):
        static = draw(st.sampled_from(["", "static "]))
        typed = draw(st.sampled_from(["Blueprint ", ""]))
        body = "\n".join("    " + s.replace("\n", "\n    ")
                         for s in draw(st.lists(blueprint_statement(var), min_size=1, max_size=4)))
        return f"Schema::{kind}({table}, {static}function ({typed}{var}) {{\n{body}\n}});"
    if kind == "arrow":
        return f"Schema::table({table}, fn ({var}) => {var}->{draw(st.sampled_from(ADDS)).format(c=chr(39) + 'x' + chr(39))});"
    if kind == "drop":
        return f"Schema::{draw(st.sampled_from(['drop', 'dropIfExists']))}({table});"
    if kind == "rename":
        return f"Schema::rename({table}, 'archived_tasks');"
    if kind == "insert":
        return f"DB::table({table})->insert(['a' => 1]);"
    sql = draw(st.sampled_from(["ALTER TABLE tasks ADD x INT", "CREATE TABLE t (id INT)",
                                "DROP TABLE t", "UPDATE tasks SET a = 1"]))
    return f"DB::statement('{sql}');"


@st.composite
def migration(draw):
    statements = draw(st.lists(schema_statement(), min_size=1, max_size=5))
    wrap = draw(st.sampled_from(["", "try {\n%s\n} catch (QueryException $e) {}",
                                 "if ($this->enabled()) {\n%s\n}",
                                 "foreach (['a', 'b'] as $column) {\n%s\n}"]))
    body = "\n".join(statements)
    if wrap:
        body = wrap % body
    body = "\n".join("        " + line for line in body.split("\n"))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = ("<?php\n\nreturn new class extends Migration\n{\n    protected $table = 'tasks';\n"
            "    const TABLE = 'tasks';\n\n    public function up()\n    {\n        $name = 'tasks';\n"
            f"{body}\n    }}\n}};\n")
    return text.replace("\n", newline)


SETTINGS = Settings(enabled=resolve_selection(None, [], all_rules()),
                    rule_ctx=RuleContext(laravel_version=(11, 0), database="mariadb"))


def fix(data: bytes) -> bytes:
    result = lint_source("m.php", data, SETTINGS, keep_model=True)
    if result.migration.error is not None:
        return data
    return fix_source(result, SETTINGS)[0]


@given(migration())
def test_fix_output_parses_is_idempotent_and_complete(source):
    data = source.encode()
    result = lint_source("m.php", data, SETTINGS)
    fixed = fix(data)
    if result.migration is None or parse.first_error(parse.parse(data)) is None:
        assert parse.first_error(parse.parse(fixed)) is None, fixed.decode()
    assert fix(fixed) == fixed
    left = lint_source("m.php", fixed, SETTINGS).findings
    assert not [f for f in left if f.fixable], [f.message for f in left if f.fixable]


@given(migration())
def test_unflagged_lines_keep_their_bytes(source):
    data = source.encode()
    result = lint_source("m.php", data, SETTINGS)
    flagged = set()
    for f in result.findings:
        if f.fixable:
            flagged.update(range(f.span.line, f.span.end_line + 1))
    # Statements before the first flagged line cannot be touched by any fix.
    first = min(flagged, default=None)
    fixed = fix(data)
    head = data.split(b"\n")[: (first - 1) if first else None]
    assert fixed.split(b"\n")[: len(head)] == head
