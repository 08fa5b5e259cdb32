"""The command line of `check`: paths, selection, output, exit codes, configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ADD = "<?php\nSchema::table('tasks', function ($table) {\n    $table->string('priority');\n});\n"
DROP = "<?php\nSchema::drop('tasks');\n"
CLEAN = "<?php\nSchema::dropIfExists('tasks');\n"
DOWN_ONLY = ("<?php\nreturn new class extends Migration {\n    public function up() {}\n"
             "    public function down()\n    {\n        Schema::drop('tasks');\n    }\n};\n")


def ml(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "migrate_lint", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env)


def js(proc):
    return json.loads(proc.stdout)


@pytest.fixture
def app(tmp_path):
    mig = tmp_path / "database" / "migrations"
    mig.mkdir(parents=True)
    (mig / "2024_02_01_000000_add.php").write_text(ADD)
    (mig / "2024_01_01_000000_drop.php").write_text(DROP)
    return tmp_path


def test_default_command_is_check_and_lints_database_migrations(app):
    implicit = ml("--format", "json", cwd=app)
    explicit = ml("check", "--format", "json", cwd=app)
    assert implicit.returncode == explicit.returncode == 1
    assert js(implicit) == js(explicit)
    # Laravel's order: by base name, so the 2024_01 drop comes first
    assert [f["code"] for f in js(implicit)] == ["ML004", "ML002"]


def test_no_paths_and_no_migrations_directory_is_a_clear_error(tmp_path):
    proc = ml(cwd=tmp_path)
    assert proc.returncode == 2
    assert "no database/migrations directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_subcommand_names_win_over_paths(app):
    (app / "verify").mkdir()
    (app / "verify" / "x.php").write_text(DROP)
    assert ml("./verify", "--format", "json", cwd=app).returncode == 1


def test_directories_recurse_and_skip_vendor_and_node_modules(app):
    for skipped in ("vendor/pkg", "node_modules/x"):
        d = app / skipped
        d.mkdir(parents=True)
        (d / "m.php").write_text(DROP)
    (app / "database" / "migrations" / "old").mkdir()
    (app / "database" / "migrations" / "old" / "2019_01_01_000000_x.php").write_text(DROP)
    (app / "database" / "migrations" / "notes.txt").write_text("Schema::drop('x');")
    paths = {f["path"] for f in js(ml(".", "--format", "json", cwd=app))}
    assert paths == {"./database/migrations/2024_01_01_000000_drop.php",
                     "./database/migrations/2024_02_01_000000_add.php",
                     "./database/migrations/old/2019_01_01_000000_x.php"}


@pytest.mark.parametrize("args, codes", [
    (["--select", "ML004"], ["ML004"]),
    (["--select", "add-column-unguarded"], ["ML002"]),
    (["--ignore", "ML00"], []),
    (["--select", "ML002,ML004", "--ignore", "drop-table-unguarded"], ["ML002"]),
])
def test_select_and_ignore_by_code_name_and_prefix(app, args, codes):
    assert [f["code"] for f in js(ml(*args, "--format", "json", cwd=app))] == codes


def test_unknown_rule_is_a_usage_error(app):
    proc = ml("--select", "ML999", cwd=app)
    assert proc.returncode == 2 and "unknown rule code or name: ML999" in proc.stderr


def test_json_fields_and_unicode_columns(tmp_path):
    (tmp_path / "m.php").write_text("<?php\n/* é */ Schema::drop('tâches');\n")
    [f] = js(ml("m.php", "--format", "json", cwd=tmp_path))
    assert set(f) >= {"code", "rule", "path", "line", "column", "end_line", "end_column",
                      "severity", "message", "fixable"}
    # `/* é */ ` is 8 code points (9 bytes): the call starts at column 9
    assert (f["line"], f["column"], f["end_line"], f["end_column"]) == (2, 9, 2, 31)
    assert (f["code"], f["rule"], f["severity"], f["fixable"]) == (
        "ML004", "drop-table-unguarded", "error", True)


def test_text_output_is_clickable_with_source_line_and_summary(app):
    out = ml("database/migrations/2024_01_01_000000_drop.php", cwd=app).stdout.splitlines()
    assert out[0].startswith("database/migrations/2024_01_01_000000_drop.php:2:1: ML004 ")
    assert out[1] == "    2 | Schema::drop('tasks');"
    assert out[2] == "      | " + "^" * len("Schema::drop('tasks')")
    assert out[-1] == "Found 1 finding in 1 file (1 fixable with `--fix`)."


def test_exit_codes(app, tmp_path):
    clean = tmp_path / "clean.php"
    clean.write_text(CLEAN)
    assert ml(clean, cwd=app).returncode == 0
    assert ml(cwd=app).returncode == 1
    assert ml("--exit-zero", cwd=app).returncode == 0
    proc = ml("missing.php", "database/migrations", "--format", "json", cwd=app)
    assert proc.returncode == 2  # an I/O error wins over findings...
    assert "missing.php: no such file or directory" in proc.stderr
    assert len(js(proc)) == 2  # ...and the other files are still linted


def test_quiet_prints_findings_only(app):
    out = ml("-q", cwd=app).stdout.splitlines()
    assert len(out) == 2 and all(": ML00" in line for line in out)


def test_explain_list_rules_version_and_module_entry(tmp_path):
    explain = ml("--explain", "ML002", cwd=tmp_path)
    assert explain.returncode == 0
    assert explain.stdout.startswith("ML002 (add-column-unguarded)")
    assert "Why is this bad?" in explain.stdout and "Fix safety" in explain.stdout
    assert ml("--explain", "nope", cwd=tmp_path).returncode == 2
    rules = ml("--list-rules", cwd=tmp_path).stdout
    assert "ML001  create-table-unguarded" in rules and "ML900  unused-ignore" in rules
    version = ml("--version", cwd=tmp_path)
    assert version.returncode == 0 and "migrate-lint, version" in version.stdout


def test_colour_only_on_a_terminal_and_never_with_no_color(app):
    assert "\x1b[" not in ml(cwd=app).stdout  # a pipe is not a terminal
    assert "\x1b[" in ml("--color", "always", cwd=app).stdout
    env = {**os.environ, "NO_COLOR": "1"}
    assert "\x1b[" not in ml("--color", "auto", cwd=app, env=env).stdout


def test_binary_and_broken_files_get_ml000_not_a_traceback(tmp_path):
    (tmp_path / "bin.php").write_bytes(b"\x00\x01\x02PK\x03\x04")
    (tmp_path / "broken.php").write_text("<?php\nSchema::drop('a'\n")
    proc = ml(".", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert {(f["path"], f["code"]) for f in js(proc)} == {
        ("./bin.php", "ML000"), ("./broken.php", "ML000")}


def test_latin1_files_are_linted_and_fixed_byte_for_byte(tmp_path):
    # PHP runs a Latin-1 file as it is: it must be linted, not reported as unreadable.
    path = tmp_path / "2024_01_01_000000_latin1.php"
    path.write_bytes(b"<?php\n// caf\xe9 cr\xe8me\nSchema::table('t\xe9', function ($table) {\n"
                     b"    $table->string('priorit\xe9'); // \xe9\xe9\n});\n")
    proc = ml(path.name, "--format", "json", cwd=tmp_path)
    found = js(proc)
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("ML002", 4, 5)], proc.stderr
    assert "priorit\ufffd" in found[0]["message"]
    assert ml(path.name, "--fix", cwd=tmp_path).returncode == 0
    data = path.read_bytes()
    assert b"Schema::hasColumn('t\xe9', 'priorit\xe9')" in data and b"// caf\xe9 cr\xe8me" in data


def test_sqlglot_log_noise_never_reaches_stderr(tmp_path):
    # sqlglot logs "contains unsupported syntax. Falling back to parsing as a 'Command'" for a
    # trigger body; that is the library talking to itself, not a message for the user.
    mig = tmp_path / "database" / "migrations"
    mig.mkdir(parents=True)
    (mig / "2024_01_01_000000_trigger.php").write_text(
        "<?php\nreturn new class extends Migration {\n    public function up()\n    {\n"
        "        DB::unprepared('CREATE TRIGGER trg AFTER INSERT ON tasks FOR EACH ROW BEGIN "
        "UPDATE counters SET n = n + 1; END');\n    }\n};\n")
    for args in (["--no-cache"], ["schema"], ["--no-cache", "--format", "json"]):
        proc = ml(*args, cwd=tmp_path)
        assert proc.stderr == "", (args, proc.stderr)


# ---------------------------------------------------------------- configuration

def test_config_found_by_walking_up(app):
    (app / ".migrate-lint.toml").write_text('ignore = ["ML004"]\n')
    sub = app / "database"
    assert [f["code"] for f in js(ml("migrations", "--format", "json", cwd=sub))] == ["ML002"]


def test_pyproject_section(app):
    (app / "pyproject.toml").write_text('[tool.migrate-lint]\nselect = ["ML004"]\n')
    assert [f["code"] for f in js(ml("--format", "json", cwd=app))] == ["ML004"]


def test_unknown_config_key_names_the_key(app):
    (app / ".migrate-lint.toml").write_text('selct = ["ML004"]\n')
    proc = ml(cwd=app)
    assert proc.returncode == 2 and "unknown key `selct`" in proc.stderr


def test_invalid_toml_is_exit_2(app):
    (app / ".migrate-lint.toml").write_text("select = [\n")
    proc = ml(cwd=app)
    assert proc.returncode == 2 and "invalid TOML" in proc.stderr


def test_check_down_false_skips_down(tmp_path):
    (tmp_path / "m.php").write_text(DOWN_ONLY)
    assert ml("m.php", cwd=tmp_path).returncode == 1
    (tmp_path / ".migrate-lint.toml").write_text("check-down = false\n")
    assert ml("m.php", cwd=tmp_path).returncode == 0


def test_per_file_ignores_and_exclude(app):
    (app / ".migrate-lint.toml").write_text(
        'exclude = ["*_drop.php"]\n[per-file-ignores]\n"*_add.php" = ["add-column-unguarded"]\n')
    assert js(ml("--format", "json", cwd=app)) == []


@pytest.mark.parametrize("source, fixable", [("10.43.0", True), ("10.42.9", False)])
def test_laravel_version_from_composer_lock(tmp_path, source, fixable):
    (tmp_path / "composer.lock").write_text(json.dumps(
        {"packages": [{"name": "laravel/framework", "version": f"v{source}"}]}))
    mig = tmp_path / "database" / "migrations"
    mig.mkdir(parents=True)
    (mig / "m.php").write_text("<?php\nSchema::table('t', function ($table) {\n"
                               "    $table->index('a');\n});\n")
    [f] = js(ml("--format", "json", cwd=tmp_path))
    assert f["code"] == "ML007" and f["fixable"] is fixable


def test_laravel_version_in_config_wins_over_composer_lock(tmp_path):
    (tmp_path / "composer.lock").write_text(json.dumps(
        {"packages": [{"name": "laravel/framework", "version": "v9.0.0"}]}))
    (tmp_path / ".migrate-lint.toml").write_text('laravel-version = "11.0"\n')
    (tmp_path / "m.php").write_text("<?php\nSchema::table('t', function ($table) {\n"
                                    "    $table->index('a');\n});\n")
    assert js(ml("m.php", "--format", "json", cwd=tmp_path))[0]["fixable"] is True


def test_database_setting_makes_raw_sql_fixable(tmp_path):
    # A view has no PHP guard (hasTable does not see views): only the engine's clause fixes it.
    (tmp_path / "m.php").write_text("<?php\nDB::statement('CREATE VIEW open_tasks AS SELECT 1');\n")
    assert js(ml("m.php", "--format", "json", cwd=tmp_path))[0]["fixable"] is False
    (tmp_path / ".migrate-lint.toml").write_text('database = "mysql"\n')
    assert js(ml("m.php", "--format", "json", cwd=tmp_path))[0]["fixable"] is True
    (tmp_path / ".migrate-lint.toml").write_text('database = "oracle"\n')
    assert ml("m.php", cwd=tmp_path).returncode == 2


# ---------------------------------------------------------------- suppressions

def test_suppression_comment_styles(tmp_path):
    (tmp_path / "m.php").write_text(
        "<?php\n"
        "// migrate-lint-ignore ML004 -- dropped by the ops team first\n"
        "Schema::drop('a');\n"
        "Schema::drop('b'); # migrate-lint-ignore drop-table-unguarded\n"
        "/* migrate-lint-ignore ML004 */\n"
        "Schema::drop('c');\n"
        "Schema::drop('d');\n")
    assert [f["line"] for f in js(ml("m.php", "--format", "json", cwd=tmp_path))] == [7]


def test_unused_suppression_is_ml900_only_for_selected_codes(tmp_path):
    (tmp_path / "m.php").write_text("<?php\n// migrate-lint-ignore ML002\nSchema::dropIfExists('a');\n")
    assert [f["code"] for f in js(ml("m.php", "--format", "json", cwd=tmp_path))] == ["ML900"]
    assert js(ml("m.php", "--select", "ML004,ML900", "--format", "json", cwd=tmp_path)) == []


def test_non_migration_classes_outside_migrations_are_not_linted(tmp_path):
    seeders = tmp_path / "database" / "seeders"
    seeders.mkdir(parents=True)
    (seeders / "RoleSeeder.php").write_text(
        "<?php\nclass RoleSeeder extends Seeder\n{\n    public function run()\n    {\n"
        "        DB::table('roles')->insert(['name' => 'admin']);\n    }\n}\n")
    mig = tmp_path / "database" / "migrations"
    mig.mkdir()
    (mig / "2024_01_01_000000_seed.php").write_text(
        "<?php\nclass SeedRoles extends BaseSeeder\n{\n    public function up()\n    {\n"
        "        DB::table('roles')->insert(['name' => 'admin']);\n    }\n}\n")
    got = js(ml(".", "--format", "json", cwd=tmp_path))
    # the seeder is not a migration; anything under migrations/ is, whatever its base class
    assert [(f["path"], f["code"]) for f in got] == [
        ("./database/migrations/2024_01_01_000000_seed.php", "ML009")]


def _ml(*args, cwd):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "migrate_lint", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_a_folder_without_migrations_warns_instead_of_passing_in_silence(tmp_path):
    (tmp_path / "empty").mkdir()
    proc = _ml("empty", cwd=tmp_path)
    assert proc.stderr == "migrate-lint: warning: no migration files found under empty\n"
    assert "All checks passed" not in proc.stdout
    assert proc.stdout == "No migration files checked.\n"


ADD_COLUMN = ("<?php\nSchema::table('t', function ($table) {\n"
              "    if (! Schema::hasColumn('t', 'a')) { $table->string('a'); }\n});\n")


@pytest.mark.parametrize("problem", ["missing path", "bad ref", "symlink loop"])
def test_an_error_never_prints_success(tmp_path, problem):
    import subprocess

    (tmp_path / "ok.php").write_text(ADD_COLUMN)
    args = ["ok.php"]
    if problem == "missing path":
        args.append("missing.php")
    elif problem == "bad ref":
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        args += ["--changed-since", "no-such-ref"]
    else:
        os.symlink("b.php", tmp_path / "a.php")
        os.symlink("a.php", tmp_path / "b.php")
        args = ["."]
    proc = _ml(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "All checks passed" not in proc.stdout + proc.stderr
    assert proc.stderr.startswith("migrate-lint: error: ")


@pytest.mark.parametrize("value", ["10.50", "10.5", "11.0"])
def test_an_unquoted_laravel_version_is_rejected_not_misread(tmp_path, value):
    (tmp_path / ".migrate-lint.toml").write_text(f"laravel-version = {value}\n")
    (tmp_path / "m.php").write_text(ADD_COLUMN)
    proc = _ml("m.php", cwd=tmp_path)
    assert proc.returncode == 2
    assert "`laravel-version` must be a string" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1


def test_a_quoted_laravel_version_keeps_its_minor_version(tmp_path):
    (tmp_path / ".migrate-lint.toml").write_text('laravel-version = "10.50"\n')
    (tmp_path / "m.php").write_text("<?php\nSchema::table('t', function ($table) {\n"
                                    "    $table->index('a');\n});\n")
    proc = _ml("m.php", "--diff", cwd=tmp_path)
    assert "if (! Schema::hasIndex('t', ['a'])) {" in proc.stdout


INDEX_MIGRATION = ("<?php\nSchema::table('t', function ($table) {\n"
                   "    $table->index(['a', 'b'], 'T_AB');\n"
                   "    $table->dropForeign(['user_id']);\n});\n")


def test_index_messages_show_the_call_as_written():
    import json

    from migrate_lint.engine import lint_source
    from casefiles import Case, settings_for

    case = Case(rule="ML007", name="x", source=INDEX_MIGRATION, failing=True,
                config={"laravel-version": "11.0"})
    result = lint_source("m.php", INDEX_MIGRATION.encode(), settings_for(case))
    (ml007,) = [f for f in result.findings if f.code == "ML007"]
    assert ml007.message.startswith("`index(['a', 'b'], 'T_AB')` adds an index to 't'")
    assert json.dumps(ml007.message)


@pytest.mark.parametrize("version, reason", [
    (None, "the Laravel version is unknown"),
    ("9.52", "this project has Laravel 9.52"),
    ("11.0", "this project has Laravel 11.0"),   # dropForeign needs 13.10
])
def test_an_index_finding_not_fixed_for_the_laravel_version_says_why(tmp_path, version,
                                                                      reason):
    from migrate_lint.engine import lint_source
    from casefiles import Case, settings_for

    config = {"laravel-version": version} if version else {}
    case = Case(rule="ML010", name="x", source=INDEX_MIGRATION, failing=True, config=config)
    result = lint_source("m.php", INDEX_MIGRATION.encode(), settings_for(case))
    by_code = {f.code: f for f in result.findings}
    assert not by_code["ML010"].fixable
    assert "not fixed: the guard needs `Schema::hasForeignKey` (Laravel 13.10+)" in \
        by_code["ML010"].message
    assert reason in by_code["ML010"].message
    if version != "11.0":
        assert not by_code["ML007"].fixable and reason in by_code["ML007"].message
    else:
        assert by_code["ML007"].fixable and "not fixed" not in by_code["ML007"].message
