"""The fixer through the command line: whole-file results written by hand, and its guarantees."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap

import pytest


def run(*args, cwd, input=None):
    return subprocess.run([sys.executable, "-m", "migrate_lint", *args], cwd=cwd, input=input,
                          capture_output=True)


def write(tmp_path, name, text, newline="\n", bom=False):
    path = tmp_path / name
    data = textwrap.dedent(text).lstrip("\n").replace("\n", newline).encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


ADD = """
<?php

return new class extends Migration
{
    public function up(): void
    {
        Schema::table('tasks', function (Blueprint $table) {
            $table->string('priority')->nullable();
            $table->timestamps();
        });
    }
};
"""

ADD_FIXED = """
<?php

return new class extends Migration
{
    public function up(): void
    {
        Schema::table('tasks', function (Blueprint $table) {
            if (! Schema::hasColumn('tasks', 'priority')) {
                $table->string('priority')->nullable();
            }
            if (! Schema::hasColumn('tasks', 'created_at')) {
                $table->timestamp('created_at')->nullable();
            }
            if (! Schema::hasColumn('tasks', 'updated_at')) {
                $table->timestamp('updated_at')->nullable();
            }
        });
    }
};
"""


def test_fix_guards_each_column_and_expands_timestamps(tmp_path):
    path = write(tmp_path, "m.php", ADD)
    proc = run("--fix", "m.php", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert path.read_text() == textwrap.dedent(ADD_FIXED).lstrip("\n")


def test_fix_is_idempotent_and_output_lints_clean(tmp_path):
    path = write(tmp_path, "m.php", ADD)
    run("--fix", "m.php", cwd=tmp_path)
    once = path.read_bytes()
    proc = run("--fix", "m.php", cwd=tmp_path)
    assert path.read_bytes() == once
    assert proc.returncode == 0
    assert run("m.php", cwd=tmp_path).returncode == 0


def test_fix_keeps_tabs_crlf_and_bom(tmp_path):
    source = ("<?php\r\n\r\nSchema::table('tasks', function ($table) {\r\n"
              "\t$table->integer('a');\r\n});\r\n")
    path = tmp_path / "m.php"
    path.write_bytes(b"\xef\xbb\xbf" + source.encode())
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    expected = ("<?php\r\n\r\nSchema::table('tasks', function ($table) {\r\n"
                "\tif (! Schema::hasColumn('tasks', 'a')) {\r\n"
                "\t\t$table->integer('a');\r\n"
                "\t}\r\n});\r\n")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode()


def test_arrow_function_with_one_column_wraps_the_statement(tmp_path):
    path = write(tmp_path, "m.php", """
        <?php
        Schema::connection('audit')->table('logs', fn (Blueprint $t) => $t->string('ip'));
        """)
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert path.read_text() == (
        "<?php\n"
        "if (! Schema::connection('audit')->hasColumn('logs', 'ip')) {\n"
        "    Schema::connection('audit')->table('logs', fn (Blueprint $t) => $t->string('ip'));\n"
        "}\n")


def test_arrow_function_with_two_columns_becomes_a_closure(tmp_path):
    path = write(tmp_path, "m.php", """
        <?php
        $name = 'logs';
        Schema::table($name, fn (Blueprint $t) => $t->timestamps());
        """)
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert path.read_text() == (
        "<?php\n"
        "$name = 'logs';\n"
        "Schema::table($name, function (Blueprint $t) {\n"
        "    if (! Schema::hasColumn($t->getTable(), 'created_at')) {\n"
        "        $t->timestamp('created_at')->nullable();\n"
        "    }\n"
        "    if (! Schema::hasColumn($t->getTable(), 'updated_at')) {\n"
        "        $t->timestamp('updated_at')->nullable();\n"
        "    }\n"
        "});\n")


def test_array_drop_keeps_one_drop_call_over_existing_columns(tmp_path):
    path = write(tmp_path, "m.php", """
        <?php
        Schema::table('tasks', function (Blueprint $table) {
            $table->dropColumn(['a', 'b']);
            $table->dropColumn('c');
        });
        Schema::drop('old');
        """)
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert path.read_text() == (
        "<?php\n"
        "Schema::table('tasks', function (Blueprint $table) {\n"
        "    $existingColumns = array_values(array_filter(\n"
        "        ['a', 'b'],\n"
        "        fn ($column) => Schema::hasColumn('tasks', $column)\n"
        "    ));\n"
        "    if ($existingColumns) {\n"
        "        $table->dropColumn($existingColumns);\n"
        "    }\n"
        "    if (Schema::hasColumn('tasks', 'c')) {\n"
        "        $table->dropColumn('c');\n"
        "    }\n"
        "});\n"
        "Schema::dropIfExists('old');\n")


def test_only_flagged_statements_change(tmp_path):
    source = """
        <?php
        // a comment   with  odd   spacing
        Schema::create('tasks', function ($t) { $t->id(); });
        $x = [1,2,   3];
        """
    path = write(tmp_path, "m.php", source)
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert path.read_text() == (
        "<?php\n"
        "// a comment   with  odd   spacing\n"
        "if (! Schema::hasTable('tasks')) {\n"
        "    Schema::create('tasks', function ($t) { $t->id(); });\n"
        "}\n"
        "$x = [1,2,   3];\n")


def test_syntax_error_file_is_never_modified(tmp_path):
    path = write(tmp_path, "m.php", """
        <?php
        Schema::table('t', function ($table) {
            $table->string('a')
        });
        """)
    before = path.read_bytes()
    proc = run("--fix", "m.php", cwd=tmp_path)
    assert proc.returncode == 1
    assert b"ML000" in proc.stdout
    assert path.read_bytes() == before


def test_permission_bits_are_kept(tmp_path):
    path = write(tmp_path, "m.php", ADD)
    os.chmod(path, 0o640)
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".migrate-lint-")]


def test_read_only_file_is_reported_not_written(tmp_path):
    path = write(tmp_path, "m.php", ADD)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    proc = run("--fix", "m.php", cwd=tmp_path)
    assert proc.returncode == 2
    assert b"read-only" in proc.stderr
    assert path.read_bytes() == before


def test_diff_writes_nothing_and_exits_1(tmp_path):
    path = write(tmp_path, "m.php", ADD)
    before = path.read_bytes()
    proc = run("--diff", "m.php", cwd=tmp_path)
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert out.startswith("--- a/m.php\n+++ b/m.php\n")
    assert "+            if (! Schema::hasColumn('tasks', 'priority')) {" in out
    assert path.read_bytes() == before


def test_diff_of_clean_file_exits_0(tmp_path):
    write(tmp_path, "m.php", "<?php\nSchema::dropIfExists('t');\n")
    proc = run("--diff", "m.php", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == b""


def test_user_template_override_is_used(tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "create-table-guard.php.j2").write_text(
        "if (! {{ schema }}hasTable({{ table }})) { // checked by migrate-lint"
        "{{ newline }}{{ statement }}{{ newline }}{{ indent }}}")
    (tmp_path / ".migrate-lint.toml").write_text('template-dir = "tpl"\n')
    path = write(tmp_path, "m.php", "<?php\nSchema::create('t', function ($t) { $t->id(); });\n")
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert "{ // checked by migrate-lint\n" in path.read_text()


def test_user_template_rendering_invalid_php_is_refused(tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "create-table-guard.php.j2").write_text("if (( {{ statement }}")
    (tmp_path / ".migrate-lint.toml").write_text('template-dir = "tpl"\n')
    path = write(tmp_path, "m.php", "<?php\nSchema::create('t', function ($t) { $t->id(); });\n")
    before = path.read_bytes()
    proc = run("--fix", "m.php", cwd=tmp_path)
    assert proc.returncode == 2
    assert b"create-table-guard.php.j2" in proc.stderr
    assert path.read_bytes() == before


def test_suppressed_findings_are_not_fixed(tmp_path):
    source = ("<?php\nSchema::table('t', function ($table) {\n"
              "    $table->string('a'); // migrate-lint-ignore ML002\n});\n")
    path = tmp_path / "m.php"
    path.write_text(source)
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert path.read_text() == source


@pytest.mark.parametrize("version, guarded", [("10.43", True), ("10.42", False)])
def test_index_fix_depends_on_laravel_version(tmp_path, version, guarded):
    path = write(tmp_path, "m.php", """
        <?php
        Schema::table('tasks', function (Blueprint $table) {
            $table->unique('code', 'tasks_code_unique');
        });
        """)
    proc = run("--fix", "--laravel-version", version, "m.php", cwd=tmp_path)
    text = path.read_text()
    if guarded:
        assert proc.returncode == 0
        assert ("if (! Schema::hasIndex('tasks', 'tasks_code_unique', 'unique')) {\n"
                "        $table->unique('code', 'tasks_code_unique');\n    }") in text
    else:
        assert proc.returncode == 1  # left for the author: no hasIndex before 10.43
        assert "hasIndex" not in text


@pytest.mark.parametrize("database, expected", [
    ("mariadb", "ALTER TABLE tasks ADD COLUMN IF NOT EXISTS priority INT"),
    # MySQL has no IF NOT EXISTS on ADD COLUMN: a PHP guard instead
    ("mysql", "if (! Schema::hasColumn('tasks', 'priority')) {"),
])
def test_raw_sql_fix_depends_on_database(tmp_path, database, expected):
    path = write(tmp_path, "m.php", """
        <?php
        DB::statement('ALTER TABLE tasks ADD COLUMN priority INT');
        """)
    proc = run("--fix", "--database", database, "m.php", cwd=tmp_path)
    assert proc.returncode == 0
    assert expected in path.read_text()
    if database == "mysql":
        assert "IF NOT EXISTS" not in path.read_text()


def test_stdin_fix_prints_the_fixed_source(tmp_path):
    proc = run("-", "--fix", "--stdin-filename", "database/migrations/x.php", cwd=tmp_path,
               input=b"<?php\nSchema::drop('t');\n")
    assert proc.stdout == b"<?php\nSchema::dropIfExists('t');\n"
    assert proc.returncode == 0


def test_choosing_non_overlapping_fixes_is_linear_in_their_number(tmp_path, monkeypatch):
    """A 5 MB migration had 57,000 fixes, each compared with every one taken before it."""
    from migrate_lint import fix as fixer
    from migrate_lint.engine import Settings, lint_source, resolve_selection
    from migrate_lint.rules import all_rules
    from migrate_lint.rules._common import RuleContext

    n = 1500
    source = "<?php\n" + "".join(
        f"Schema::table('t', function ($table) {{\n    $table->string('c{i}');\n}});\n"
        for i in range(n))
    settings = Settings(enabled=resolve_selection(None, [], all_rules()),
                        rule_ctx=RuleContext(check_down=True, laravel_version=None,
                                             database=None))
    result = lint_source("m.php", source.encode(), settings, keep_model=True)
    calls = 0
    real = fixer._overlaps

    def counting(a, b):
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(fixer, "_overlaps", counting)
    new, fixed, _, _ = fixer.fix_source(result, settings)
    assert fixed == n
    assert calls < 10 * n  # it was n * (n - 1) / 2


def test_text_output_splits_each_source_once():
    """Each finding's source line was found by splitting the whole file again."""
    from migrate_lint.findings import Finding, Span
    from migrate_lint.report import ReportContext, text

    splits = 0

    class CountingBytes(bytes):
        def split(self, *args):
            nonlocal splits
            splits += 1
            return bytes.split(self, *args)

    data = CountingBytes(b"<?php\n" + b"$table->string('c');\n" * 500)
    findings = [Finding("ML002", "add-column-unguarded", "m.php", Span(0, 1, line, 1, line, 5),
                        "m") for line in range(2, 502)]
    out = text.render(findings, ReportContext(files=["m.php"], sources={"m.php": data}))
    assert out.count("$table->string('c');") == 500
    assert splits == 1


STYLE = """<?php
Schema::table("users", function (Blueprint $table) {
    $table->string("nickname"); // shown on the profile
    $table->dropColumn(["a", "b"]); # legacy
    $table->dropColumn(['c', 'd']);
});
"""


def test_fix_style_keeps_comments_on_their_line_and_follows_the_call_quotes(tmp_path):
    path = tmp_path / "m.php"
    path.write_text(STYLE)
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert path.read_text() == """<?php
Schema::table("users", function (Blueprint $table) {
    if (! Schema::hasColumn("users", "nickname")) {
        $table->string("nickname"); // shown on the profile
    }
    $existingColumns = array_values(array_filter(
        ["a", "b"],
        fn ($column) => Schema::hasColumn("users", $column)
    ));
    if ($existingColumns) {
        $table->dropColumn($existingColumns); # legacy
    }
    $existingColumns = array_values(array_filter(
        ['c', 'd'],
        fn ($column) => Schema::hasColumn('users', $column)
    ));
    if ($existingColumns) {
        $table->dropColumn($existingColumns);
    }
});
"""
    assert max(len(line) for line in path.read_text().splitlines()) < 100


def test_single_quoted_call_in_a_double_quoted_table_gets_one_quote_style(tmp_path):
    path = tmp_path / "m.php"
    path.write_text("<?php\nSchema::table(\"users\", function ($table) {\n"
                    "    $table->string('x');\n});\n")
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert "if (! Schema::hasColumn('users', 'x')) {" in path.read_text()


def test_an_odd_line_in_a_heredoc_does_not_set_the_indentation(tmp_path):
    """The file steps by four; one SQL line in a heredoc indented by two made guards step by two."""
    path = tmp_path / "m.php"
    path.write_text("<?php\n\nreturn new class extends Migration\n{\n    public function up()\n"
                    "    {\n        DB::statement(<<<SQL\nALTER TABLE tasks\n  DROP COLUMN title\n"
                    "SQL\n        );\n    }\n};\n")
    assert run("--fix", "m.php", cwd=tmp_path).returncode == 0
    assert "        if (Schema::hasColumn('tasks', 'title')) {\n            DB::statement(" \
        in path.read_text()
