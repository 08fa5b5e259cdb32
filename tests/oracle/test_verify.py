"""`migrate-lint verify`: real Laravel, in order, on a scratch database it creates (SQLite, and
a MariaDB started by the tests); ML202 for a first up that fails, ML201 naming the step."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = ROOT / "examples" / "staging-incident" / "database" / "migrations"

HEAD = "<?php\nreturn new class extends Migration {\n"
CREATE_POSTS = HEAD + """    public function up()
    {
        if (Schema::hasTable('posts')) {
            return;
        }
        Schema::create('posts', function (Blueprint $table) {
            $table->id();
            $table->string('title')->nullable();
            $table->softDeletes();
        });
    }

    public function down()
    {
        Schema::dropIfExists('posts');
    }
};
"""
# Re-adds the deleted_at column the migration before created (knowfox did this).
SOFT_DELETES_AGAIN = HEAD + """    public function up()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->softDeletes();
        });
    }
};
"""
GUARDED = HEAD + """    public function up()
    {
        if (! Schema::hasTable('notes')) {
            Schema::create('notes', function (Blueprint $table) {
                $table->id();
            });
        }
    }

    public function down()
    {
        Schema::dropIfExists('notes');
    }
};
"""


@pytest.fixture(params=["sqlite", "mariadb"])
def engine(request, php_ready):
    if request.param == "mariadb":
        server = request.getfixturevalue("mariadb_server")
        return ["--server", f"mysql://root@127.0.0.1:{server.port}"]
    return []


def verify(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "migrate_lint", "verify", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, env=env)


def history(folder: Path, *texts) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, text in enumerate(texts):
        (folder / f"2024_01_01_{n:06d}_m{n}.php").write_text(text)
    return folder


def as_json(proc) -> dict:
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def by_file(data) -> dict:
    return {Path(o["path"]).name[:24]: o for o in data["outcomes"]}


def test_the_incident_migration_is_ml201_at_its_second_up(engine):
    data = as_json(verify(INCIDENT, "--format", "json", *engine))
    incident = [f for f in data["findings"] if "2025_10_23_162250" in f["path"]]
    # up() cannot run twice, and down() (judged on its own after that) cannot either
    assert [(f["step"], f["line"]) for f in incident] == [("up 2", 14), ("down 2", 22)]
    f = incident[0]
    assert (f["code"], f["rule"], f["step"], f["method"]) == ("ML201", "not-rerunnable", "up 2", "up")
    assert f["statement_line"] == 14 and f["line"] == 14  # the `Schema::table(` line
    assert "up() fails when run again (step up 2)" in f["message"]
    assert ("duplicate column name: priority" in f["message"]
            or "Duplicate column name 'priority'" in f["message"])
    # the guarded migrations of the example re-run fine and are not reported
    assert not [f for f in data["findings"] if "add_phone_to_customers" in f["path"]]
    assert data["summary"]["verified"] == data["summary"]["migrations"] == 40


def test_a_column_an_earlier_migration_created_is_ml202(engine, tmp_path):
    folder = history(tmp_path / "m", CREATE_POSTS, SOFT_DELETES_AGAIN)
    proc = verify(folder, "--format", "json", *engine)
    assert proc.returncode == 1
    data = as_json(proc)
    [f] = data["findings"]
    assert f["code"] == "ML202" and f["rule"] == "fails-on-fresh-database"
    assert f["path"].endswith("_m1.php") and f["step"] == "up 1" and f["statement_line"] == 5
    assert ("duplicate column name: deleted_at" in f["message"]
            or "Duplicate column name 'deleted_at'" in f["message"])
    assert f["message"].startswith("up() fails on a fresh database, after every earlier "
                                   "migration ran (step up 1)")
    text = verify(folder, *engine).stdout
    assert "_m1.php:5:9: ML202 up() fails on a fresh database" in text


UP3 = HEAD + """    public function up()
    {
        if (! Schema::hasTable('a')) {
            Schema::create('a', function (Blueprint $table) { $table->id(); });
            Schema::create('b', function (Blueprint $table) { $table->id(); });
        }
    }

    public function down()
    {
        Schema::dropIfExists('a');
    }
};
"""


def _down(body: str) -> str:
    return HEAD + """    public function up()
    {
        if (! Schema::hasTable('c')) {
            Schema::create('c', function (Blueprint $table) { $table->id(); $table->string('x'); });
        }
    }

    public function down()
    {
""" + body + """    }
};
"""


def test_each_failure_names_its_step(engine, tmp_path):
    down1 = _down("        Schema::table('c', function (Blueprint $table) { $table->dropColumn('nope'); });\n"
                  "        Schema::dropIfExists('c');\n")
    down2 = _down("        Schema::table('c', function (Blueprint $table) { $table->dropColumn('x'); });\n")
    folder = history(tmp_path / "m", down1)
    data = as_json(verify(folder, "--format", "json", *engine))
    assert [(f["code"], f["step"]) for f in data["findings"]] == [("ML201", "down 1")]
    assert data["findings"][0]["message"].startswith("down() fails on its first run, after up() "
                                                     "(step down 1)")
    folder = history(tmp_path / "n", down2)
    data = as_json(verify(folder, "--format", "json", *engine))
    assert [(f["code"], f["step"]) for f in data["findings"]] == [("ML201", "down 2")]
    folder = history(tmp_path / "o", UP3)
    data = as_json(verify(folder, "--format", "json", *engine))
    assert [(f["code"], f["step"]) for f in data["findings"]] == [("ML201", "up 3")]


APP_CLASS = HEAD + """    public function up()
    {
        Schema::create('widgets', function (Blueprint $table) { $table->id(); });
        \\App\\Models\\Widget::query()->insert(['id' => 1]);
    }
};
"""
USES_WIDGETS = HEAD + """    public function up()
    {
        Schema::table('widgets', function (Blueprint $table) {
            $table->string('colour')->nullable();
        });
    }
};
"""


def test_not_runnable_is_a_note_and_the_summary_counts_it(engine, tmp_path):
    folder = history(tmp_path / "m", GUARDED, APP_CLASS)
    proc = verify(folder, *engine)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "_m1.php:6: not runnable here (up 1: the application's classes are missing)" in proc.stderr
    assert 'Class "App\\Models\\Widget" not found' in proc.stderr
    assert "All checks passed" not in proc.stdout
    assert "1 of 2 migrations verified, 1 could not run (1 the application's classes are missing)" \
        in proc.stdout
    summary = as_json(verify(folder, "--format", "json", *engine))["summary"]
    assert summary["migrations"] == 2 and summary["verified"] == 1
    assert summary["could_not_run"] == 1
    assert summary["reasons"] == {"the application's classes are missing": 1}
    assert summary["laravel"].startswith("Laravel 8.83")
    # every format says it on stderr
    proc = verify(folder, "--format", "github", *engine)
    assert "1 of 2 migrations verified, 1 could not run" in proc.stderr


def test_a_failure_that_only_follows_from_an_earlier_one_is_blocked(engine, tmp_path):
    unrelated = SOFT_DELETES_AGAIN
    folder = history(tmp_path / "m", CREATE_POSTS, APP_CLASS, USES_WIDGETS, unrelated)
    data = as_json(verify(folder, "--format", "json", *engine))
    outcomes = by_file(data)
    blocked = outcomes["2024_01_01_000002_m2.php"]
    assert blocked["status"] == "blocked" and blocked["step"] == "up 1"
    assert blocked["blocked_by"].endswith("_m1.php")
    assert data["summary"]["reasons"]["blocked by an earlier failure"] == 1
    # an unrelated failure after it is still a finding
    assert [(Path(f["path"]).name, f["code"]) for f in data["findings"]] == \
        [("2024_01_01_000003_m3.php", "ML202")]


DOWN_USES_WIDGETS = HEAD + """    public function up()
    {
        if (! Schema::hasColumn('posts', 'colour')) {
            Schema::table('posts', function (Blueprint $table) {
                $table->string('colour')->nullable();
            });
        }
    }

    public function down()
    {
        Schema::table('widgets', function (Blueprint $table) {
            $table->dropColumn('id');
        });
        Schema::table('posts', function (Blueprint $table) {
            $table->dropColumn('colour');
        });
    }
};
"""


def test_a_down_that_fails_only_because_an_earlier_migration_did_not_run_is_blocked(
        engine, tmp_path):
    """BookStack's fix_shelf_cover_image_types: down() needs what a migration that could not
    run here would have made; its failure is not this migration's."""
    folder = history(tmp_path / "m", CREATE_POSTS, APP_CLASS, DOWN_USES_WIDGETS)
    data = as_json(verify(folder, "--format", "json", *engine))
    blocked = by_file(data)["2024_01_01_000002_m2.php"]
    assert (blocked["status"], blocked["step"]) == ("blocked", "down 1")
    assert blocked["blocked_by"].endswith("_m1.php")
    assert data["findings"] == []


HALF_FAILS = HEAD + """    public function up()
    {
        Schema::create('tmp_b', function (Blueprint $table) { $table->id(); });
        Schema::table('posts', function (Blueprint $table) { $table->string('title'); });
    }
};
"""
CREATES_TMP_B = HEAD + """    public function up()
    {
        Schema::create('tmp_b', function (Blueprint $table) { $table->id(); });
    }
};
"""
DOWN_HALF_FAILS = HEAD + """    public function up()
    {
        if (! Schema::hasTable('d')) {
            Schema::create('d', function (Blueprint $table) { $table->id(); });
        }
    }

    public function down()
    {
        Schema::drop('d');
        Schema::drop('never_there');
    }
};
"""
ALTERS_D = HEAD + """    public function up()
    {
        Schema::table('d', function (Blueprint $table) {
            if (! Schema::hasColumn('d', 'e')) {
                $table->string('e')->nullable();
            }
        });
    }
};
"""


def test_the_database_is_restored_after_a_failing_step(engine, tmp_path):
    folder = history(tmp_path / "m", CREATE_POSTS, HALF_FAILS, CREATES_TMP_B, DOWN_HALF_FAILS,
                     ALTERS_D)
    data = as_json(verify(folder, "--format", "json", *engine))
    found = [(Path(f["path"]).name[:24], f["code"], f["step"]) for f in data["findings"]]
    assert found == [("2024_01_01_000001_m1.php", "ML202", "up 1"),   # title exists
                     # not ML202: m1's half-created tmp_b was rolled back before m2 ran
                     ("2024_01_01_000002_m2.php", "ML201", "up 2"),
                     ("2024_01_01_000003_m3.php", "ML201", "down 1")]
    # d was dropped by m3's failing down(), then restored: m4 alters it fine
    assert by_file(data)["2024_01_01_000004_m4.php"]["status"] == "verified"


MISSING_TRAIT = """<?php
use Illuminate\\Database\\Migrations\\Migration;

return new class extends Migration {
    use \\Illuminate\\Database\\Eloquent\\Concerns\\HasUlids;

    public function up()
    {
    }
};
"""
EXITS = HEAD + """    public function up()
    {
        exit(3);
    }
};
"""
UNGUARDED = HEAD + """    public function up()
    {
        Schema::create('later', function (Blueprint $table) { $table->id(); });
    }
};
"""


def test_a_php_fatal_error_is_that_migrations_note(engine, tmp_path):
    folder = history(tmp_path / "m", MISSING_TRAIT, EXITS, UNGUARDED)
    proc = verify(folder, "--format", "json", *engine)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    outcomes = by_file(data)
    assert outcomes["2024_01_01_000000_m0.php"]["reason"] == "PHP fatal error"
    assert "HasUlids" in outcomes["2024_01_01_000000_m0.php"]["error"]
    assert outcomes["2024_01_01_000001_m1.php"]["reason"] == "the migration ended PHP (exit/die)"
    assert [(Path(f["path"]).name, f["step"]) for f in data["findings"]] == \
        [("2024_01_01_000002_m2.php", "up 2")]
    assert data["summary"]["verified"] == 1 and data["summary"]["could_not_run"] == 2


def test_migration_without_down_is_not_reported(engine, tmp_path):
    folder = history(tmp_path / "m", GUARDED.split("    public function down()")[0] + "};\n")
    proc = verify(folder, "--format", "json", *engine)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["findings"] == [] and data["summary"]["verified"] == 1
    assert "All checks passed. 1 of 1 migrations verified, 0 could not run" in \
        verify(folder, *engine).stdout


def test_verify_errors_exit_2(php_ready, tmp_path):
    history(tmp_path, GUARDED)  # a folder with a migration: the options are what is wrong
    proc = verify(tmp_path, "--autoload", tmp_path / "vendor" / "autoload.php")
    assert proc.returncode == 2 and "autoloader not found" in proc.stderr
    proc = verify(tmp_path, "--server", "postgres://x")
    assert proc.returncode == 2 and "use a mysql:// or mariadb:// URL" in proc.stderr
    proc = verify(tmp_path / "missing")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_verify_without_php_says_so(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no php on PATH
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", "verify", str(tmp_path)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "php is not installed" in proc.stderr


CREATES_PERMS = HEAD + """    public function up()
    {
        if (! Schema::hasTable('perms')) {
            Schema::create('perms', function (Blueprint $table) {
                $table->id();
                $table->string('name')->unique();
            });
        }
    }
};
"""
# up() seeds a row (twice: 1062, ML201); down() only deletes it: the schema is the same after
# up() and after down(), the rows are not.
SEEDS_VIEW = HEAD + """    public function up()
    {
        DB::table('perms')->insert(['name' => 'view']);
    }

    public function down()
    {
        DB::table('perms')->where('name', 'view')->delete();
    }
};
"""
NEEDS_VIEW = HEAD + """    public function up()
    {
        if (DB::table('perms')->where('name', 'view')->doesntExist()) {
            throw new RuntimeException('the view permission is missing');
        }
    }
};
"""


def test_rows_a_failed_migration_seeded_are_back_for_the_next_one(engine, tmp_path):
    folder = history(tmp_path / "m", CREATES_PERMS, SEEDS_VIEW, NEEDS_VIEW)
    data = as_json(verify(folder, "--format", "json", *engine))
    found = [(Path(f["path"]).name[:24], f["code"], f["step"]) for f in data["findings"]]
    assert found == [("2024_01_01_000001_m1.php", "ML201", "up 2")]
    # m1's down() ran after its failure and deleted the row; up() must stand again for m2
    assert by_file(data)["2024_01_01_000002_m2.php"]["status"] == "verified"


CONFIG_TABLE = HEAD + """    public function up()
    {
        Schema::table(config('activitylog.table_name'), function (Blueprint $table) {
            $table->string('event')->nullable();
        });
    }

    public function down()
    {
        Schema::table(config('activitylog.table_name'), function (Blueprint $table) {
            $table->dropColumn('event');
        });
    }
};
"""
CREATE_CONFIG_TABLE = HEAD + """    public function up()
    {
        Schema::create(config('activitylog.table_name'), function (Blueprint $table) {
            $table->id();
        });
    }

    public function down()
    {
        Schema::dropIfExists(config('activitylog.table_name'));
    }
};
"""


def test_a_table_named_by_config_is_not_runnable_not_a_failure(engine, tmp_path):
    # spatie/laravel-activitylog's migrations (roadmap): outside the app config() is null, so the
    # table name is empty; MariaDB said ML202 "1103 Incorrect table name ''" on a fresh database
    # and down() on SQLite "Invalid table name specified", both reported as static misses.
    folder = history(tmp_path / "m", CREATE_CONFIG_TABLE, CONFIG_TABLE)
    proc = verify(folder, "--format", "json", "--compare", *engine)
    data = as_json(proc)
    first_runs = [(Path(f["path"]).name, f["step"]) for f in data["findings"]
                  if f["step"] in ("up 1", "down 1")]
    assert first_runs == []
    assert data["compare"]["static_misses"] == []
    reason = "an empty table name (config() has no value outside the app)"
    ml003 = [s for s in data["compare"]["static"] if s["code"] == "ML003"]
    assert [(s["status"], reason in s["dynamic"]) for s in ml003] == [("not runnable", True)]


WRITES_STDOUT = HEAD + """    public function up()
    {
        file_put_contents('php://stdout', 'Migrating the tags');
        Schema::create('tags', function (Blueprint $table) {
            $table->id();
        });
        fwrite(STDOUT, "done\\n");
    }

    public function down()
    {
        Schema::dropIfExists('tags');
    }
};
"""


def test_a_migration_writing_to_stdout_is_still_verified(engine, tmp_path):
    # Lychee's 62 bump_version migrations write through Symfony's ConsoleOutput to
    # php://stdout, past the runner's output buffer: they were "the PHP runner stopped
    # without answering" (not runnable) instead of being run.
    folder = history(tmp_path / "m", WRITES_STDOUT)
    data = as_json(verify(folder, "--format", "json", *engine))
    assert data["summary"]["verified"] == 1 and data["summary"]["could_not_run"] == 0
    assert [(f["code"], f["step"], f["line"]) for f in data["findings"]] == [("ML201", "up 2", 6)]


READS_WIDGETS_IN_DOWN = HEAD + """    public function up()
    {
        if (Schema::hasTable('widgets')) {
            DB::table('widgets')->insert(['id' => 2]);
        }
    }

    public function down()
    {
        DB::table('widgets')->where('id', 2)->first();
    }
};
"""


def test_a_first_down_that_fails_only_because_an_earlier_migration_did_not_run_is_blocked(
        engine, tmp_path):
    # Lychee: access_permissions comes from a migration that cannot run here (the app's
    # container); a later down() reading it failed 'no such table' and was reported as ML201.
    folder = history(tmp_path / "m", APP_CLASS, READS_WIDGETS_IN_DOWN)
    data = as_json(verify(folder, "--format", "json", *engine))
    outcome = by_file(data)["2024_01_01_000001_m1.php"]
    assert (outcome["status"], outcome["step"]) == ("blocked", "down 1")
    assert outcome["blocked_by"].endswith("_m0.php")
    assert data["findings"] == []
