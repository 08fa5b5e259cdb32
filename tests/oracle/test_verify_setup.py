"""verify: SQLite limits, the app's own vendor/ and config, progress, and --compare; on SQLite
and on a MariaDB started by the tests."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from test_verify import (CREATE_POSTS, HEAD, SOFT_DELETES_AGAIN, engine, history,  # noqa: F401
                         verify)

DROP_FOREIGN = HEAD + """    public function up()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->dropForeign('posts_user_id_foreign');
        });
    }
};
"""
TWO_DROPS = HEAD + """    public function up()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->dropColumn('title');
            $table->dropColumn('deleted_at');
        });
    }
};
"""
NOT_NULL_ADDED = HEAD + """    public function up()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->string('body');
        });
    }
};
"""
POSTS_WITH_USER = CREATE_POSTS.replace(
    "$table->softDeletes();",
    "$table->softDeletes();\n            $table->foreignId('user_id')->nullable();\n"
    "            $table->foreign('user_id')->references('id')->on('posts');")


def _json(proc):
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_sqlite_limits_of_laravel_8_are_notes_naming_the_limit(engine, tmp_path):
    folder = history(tmp_path / "m", POSTS_WITH_USER, DROP_FOREIGN)
    data = _json(verify(folder, "--format", "json", *engine))
    dropped = data["outcomes"][1]
    if not engine:  # SQLite
        assert data["findings"] == []
        assert dropped["status"] == "not-runnable" and dropped["reason"] == "SQLite limit: dropForeign"
    else:  # MariaDB drops it, and a second run fails
        assert (dropped["code"], dropped["step"]) == ("ML201", "up 2")
    for text, limit in ((TWO_DROPS, "several dropColumn/renameColumn calls in one Blueprint"),
                        (NOT_NULL_ADDED, "NOT NULL column without default added to an existing table")):
        # SQLite refuses the NOT NULL column only on a table that holds rows
        folder = history(tmp_path / limit[:8], CREATE_POSTS, INSERTS, text)
        data = _json(verify(folder, "--format", "json", *engine))
        second = data["outcomes"][2]
        if not engine:
            assert second["reason"] == f"SQLite limit: {limit}" and data["findings"] == []
        else:
            assert (second["code"], second["step"]) == ("ML201", "up 2")


ADD_AND_RENAME = HEAD + """    public function up()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->string('owner_type')->nullable();
            $table->renameColumn('title', 'heading');
        });
        DB::table('posts')->update(['owner_type' => 'user']);
    }
};
"""


def test_columns_lost_in_doctrines_sqlite_rebuild_are_a_limit_not_a_finding(engine, tmp_path):
    """solidtime's update_oauth_clients_table: Laravel 8 renames a SQLite column by rebuilding
    the table from the columns Doctrine read before the Blueprint's adds ran, so `owner_type`
    vanishes and the next statement fails with `no such column`: a SQLite limit, not ML202."""
    folder = history(tmp_path / "m", CREATE_POSTS, ADD_AND_RENAME)
    data = _json(verify(folder, "--format", "json", *engine))
    renamed = data["outcomes"][1]
    if not engine:
        assert "no such column: owner_type" in renamed["error"]
        assert renamed["status"] == "not-runnable"
        assert renamed["reason"].startswith("SQLite limit: renameColumn/change() and column adds")
        assert data["findings"] == []
    else:  # MariaDB keeps the column: the first run passes, the second re-adds it
        assert (renamed["code"], renamed["step"]) == ("ML201", "up 2")


USES_APP_CONSTANT = HEAD + """    public function up()
    {
        if (! Schema::hasTable(\\App\\Support\\Tables::POSTS)) {
            Schema::create(\\App\\Support\\Tables::POSTS, function (Blueprint $table) {
                $table->id();
            });
        }
    }
};
"""

VENDOR_AUTOLOAD = r"""<?php
// Assembled by the tests from Debian's Laravel packages, as Composer would lay a vendor/ out.
require_once 'Illuminate/Database/autoload.php';
require_once 'Illuminate/Filesystem/autoload.php';
require_once 'Illuminate/Events/autoload.php';
spl_autoload_register(function ($class) {
    if (strncmp($class, 'App\\', 4) === 0) {
        $file = __DIR__ . '/../app/' . str_replace('\\', '/', substr($class, 4)) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
"""
# Composer's own vendor/composer/platform_check.php, for a PHP newer than any installed.
PLATFORM_CHECK = r"""<?php
$issues = array();
if (!(PHP_VERSION_ID >= 90000)) {
    $issues[] = 'Your Composer dependencies require a PHP version ">= 9.0.0". You are running ' . PHP_VERSION . '.';
}
if ($issues) {
    if (!ini_get('display_errors')) {
        if (PHP_SAPI === 'cli' || PHP_SAPI === 'phpdbg') {
            fwrite(STDERR, 'Composer detected issues in your platform:' . PHP_EOL.PHP_EOL . implode(PHP_EOL, $issues) . PHP_EOL.PHP_EOL);
        }
    }
    trigger_error('Composer detected issues in your platform: ' . implode(' ', $issues), E_USER_ERROR);
}
"""


def laravel_app(root: Path, migration: str, platform_check: bool = False) -> Path:
    (root / "app" / "Support").mkdir(parents=True)
    (root / "app" / "Support" / "Tables.php").write_text(
        "<?php\nnamespace App\\Support;\n\nclass Tables\n{\n    const POSTS = 'app_posts';\n}\n")
    (root / "composer.json").write_text('{"name": "test/app"}\n')
    vendor = root / "vendor"
    (vendor / "composer").mkdir(parents=True)
    autoload = VENDOR_AUTOLOAD
    if platform_check:
        (vendor / "composer" / "platform_check.php").write_text(PLATFORM_CHECK)
        autoload = autoload.replace("<?php\n", "<?php\nrequire __DIR__ . '/composer/platform_check.php';\n", 1)
    (vendor / "autoload.php").write_text(autoload)
    (vendor / "composer" / "installed.json").write_text(json.dumps(
        {"packages": [{"name": "illuminate/database", "version": "v8.83.26"}]}))
    return history(root / "database" / "migrations", migration)


def test_the_projects_vendor_is_used_by_default(engine, tmp_path):
    folder = laravel_app(tmp_path / "app", USES_APP_CONSTANT)
    data = _json(verify(folder, "--format", "json", *engine))
    assert data["summary"]["verified"] == 1, data["outcomes"]
    vendor = tmp_path / "app" / "vendor" / "autoload.php"
    assert data["summary"]["laravel"] == f"Laravel 8.83.26 ({vendor})"
    data = _json(verify(folder, "--format", "json", "--no-app-vendor", *engine))
    assert data["summary"]["reasons"] == {"the application's classes are missing": 1}
    assert data["summary"]["laravel"] == "Laravel 8.83.26 (Debian's packages)"


def test_a_vendor_that_cannot_run_here_is_said_plainly(engine, tmp_path):
    folder = laravel_app(tmp_path / "app", USES_APP_CONSTANT, platform_check=True)
    proc = verify(folder, *engine)
    assert "cannot run here (Composer detected issues in your platform: Your Composer " \
           "dependencies require a PHP version \">= 9.0.0\"" in proc.stderr
    assert "using Laravel 8.83.26 (Debian's packages) instead" in proc.stderr
    assert "Laravel 8.83.26 (Debian's packages) on" in proc.stdout
    proc = verify(folder, "--autoload", tmp_path / "app" / "vendor" / "autoload.php", *engine)
    assert proc.returncode == 2 and "cannot run here" in proc.stderr


CONFIG = """<?php
return [
    'default' => env('DB_CONNECTION', 'mysql'),
    'connections' => [
        'sqlite' => ['driver' => 'sqlite', 'database' => env('DB_DATABASE'), 'prefix' => 'pre_'],
        'mysql' => [
            'driver' => 'mysql',
            'host' => env('DB_HOST', '127.0.0.1'),
            'charset' => 'utf8mb4',
            'collation' => 'utf8mb4_unicode_ci',
            'prefix' => 'pre_',
            'strict' => false,
        ],
    ],
];
"""
NEEDS_CONFIG = HEAD + """    public function up()
    {
        if (! Schema::hasTable('posts')) {
            Schema::create('posts', function (Blueprint $table) {
                $table->id();
                $table->string('code', 3)->nullable();
            });
        }
        DB::select('select * from pre_posts');
        DB::table('posts')->insert(['code' => 'far too long']);
    }
};
"""


def test_connection_settings_come_from_config_database_php(engine, tmp_path):
    root = tmp_path / "app"
    folder = history(root / "database" / "migrations", NEEDS_CONFIG)
    (root / "config").mkdir()
    (root / "config" / "database.php").write_text(CONFIG)
    (root / "composer.json").write_text("{}\n")
    data = _json(verify(folder, "--format", "json", *engine))
    assert data["findings"] == [] and data["summary"]["verified"] == 1, data["outcomes"]
    data = _json(verify(folder, "--format", "json", "--prefix", "", *engine))
    assert [f["code"] for f in data["findings"]] == ["ML202"]
    assert "pre_posts" in data["findings"][0]["message"]
    if engine:  # MariaDB: strict mode refuses the long value ('strict' => false allowed it)
        data = _json(verify(folder, "--format", "json", "--strict", *engine))
        assert [f["code"] for f in data["findings"]] == ["ML202"]
        assert "Data too long for column 'code'" in data["findings"][0]["message"]


def _on_a_terminal(args) -> str:
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "migrate_lint", "verify", *map(str, args)],
                            stdout=slave, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return out.decode("utf-8", "replace")


def test_progress_on_a_terminal_only(engine, tmp_path):
    folder = history(tmp_path / "m", CREATE_POSTS, NOT_NULL_ADDED)
    shown = _on_a_terminal([folder, *engine])
    assert "verify [1/2] 2024_01_01_000000_m0.php" in shown
    assert "verify [2/2]" in shown and "\r\x1b[K" in shown
    piped = verify(folder, *engine)
    assert "verify [" not in piped.stderr + piped.stdout
    as_json = _on_a_terminal([folder, "--format", "json", *engine])
    assert "verify [" not in as_json


ADDS_PRIORITY = HEAD + """    public function up()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->unsignedTinyInteger('priority')
                ->default(3);
        });
    }
};
"""
INSERTS = HEAD + """    public function up()
    {
        DB::table('posts')->insert(['title' => 'hello']);
    }
};
"""
APP_AND_CREATE = HEAD + """    public function up()
    {
        \\App\\Models\\Post::boot();
        Schema::create('tags', function (Blueprint $table) { $table->id(); });
    }
};
"""
COMPUTED_DDL = HEAD + """    public function up()
    {
        DB::unprepared(implode(' ', ['create table', 'zz', '(id int)']));
    }
};
"""


def test_compare_sets_static_findings_beside_the_run(engine, tmp_path):
    folder = history(tmp_path / "m", CREATE_POSTS, ADDS_PRIORITY, INSERTS, APP_AND_CREATE,
                     COMPUTED_DDL)
    data = _json(verify(folder, "--format", "json", "--compare", *engine))
    rows = {(Path(r["path"]).name[:24], r["code"]): r for r in data["compare"]["static"]}
    # the static finding is on `unsignedTinyInteger(` (line 6), PHP's trace on `Schema::table(`
    priority = rows[("2024_01_01_000001_m1.php", "ML002")]
    assert priority["line"] == 6 and priority["status"] == "confirmed"
    assert priority["dynamic"] == "ML201 up 2"
    assert rows[("2024_01_01_000002_m2.php", "ML009")]["status"] == "not reproduced on this engine"
    assert rows[("2024_01_01_000003_m3.php", "ML001")]["status"] == "not runnable"
    [miss] = data["compare"]["static_misses"]
    assert Path(miss["path"]).name == "2024_01_01_000004_m4.php"
    assert (miss["code"], miss["step"], miss["line"]) == ("ML201", "up 2", 5)
    text = verify(folder, "--compare", *engine).stdout
    assert "1 confirmed, 1 not reproduced, 1 not runnable; 1 static misses." in text


# down() fails on its FIRST run (no column `nope`): the insert's ML009 foretells a failure of
# down() run again, not this one.
DOWN_CANNOT_RUN_ONCE = HEAD + """    public function up()
    {
        if (! Schema::hasColumn('posts', 'body')) {
            Schema::table('posts', function (Blueprint $table) {
                $table->text('body')->nullable();
            });
        }
    }

    public function down()
    {
        DB::table('posts')->insert(['nope' => 1]);
    }
};
"""


def test_compare_confirms_only_the_failure_a_finding_foretells(engine, tmp_path):
    folder = history(tmp_path / "m", CREATE_POSTS, DOWN_CANNOT_RUN_ONCE)
    data = _json(verify(folder, "--format", "json", "--compare", *engine))
    rows = {(Path(r["path"]).name[:24], r["code"]): r for r in data["compare"]["static"]}
    insert = rows[("2024_01_01_000001_m1.php", "ML009")]
    assert insert["status"] == "not runnable"  # down 2, the step it foretells, never ran
    assert insert["dynamic"] == "down 1: database error"
    [miss] = data["compare"]["static_misses"]
    assert (Path(miss["path"]).name[:24], miss["code"], miss["step"]) == \
        ("2024_01_01_000001_m1.php", "ML201", "down 1")


CLOSURE_IN_A_VARIABLE = HEAD + """    public function up()
    {
        $addBody = function (Blueprint $table) {
            $table->text('body')->nullable();
        };
        Schema::table('posts', $addBody);
    }
};
"""


def test_compare_matches_a_closure_passed_by_variable(engine, tmp_path):
    """Laravel's trace names `Schema::table('posts', $addBody)`; the finding is on the add
    inside the closure held in `$addBody` (BookStack): the failure confirms it."""
    folder = history(tmp_path / "m", CREATE_POSTS, CLOSURE_IN_A_VARIABLE)
    data = _json(verify(folder, "--format", "json", "--compare", *engine))
    rows = {(Path(r["path"]).name[:24], r["code"]): r for r in data["compare"]["static"]}
    add = rows[("2024_01_01_000001_m1.php", "ML002")]
    assert add["line"] == CLOSURE_IN_A_VARIABLE.splitlines().index(
        "            $table->text('body')->nullable();") + 1
    assert add["status"] == "confirmed", add
    assert data["compare"]["static_misses"] == []


QUERY_INSIDE_CREATE = HEAD + """    public function up()
    {
        Schema::create('notes', function (Blueprint $table) {
            $table->id();
            DB::table('posts')->insert(['id' => 7]);
        });
    }
};
"""


def test_compare_says_not_reached_when_the_run_fails_inside_the_findings_statement(
        engine, tmp_path):
    """The closure runs before Schema::create sends its SQL: a re-run that fails on the insert
    inside it never reached the create (BookStack's create_comments_table)."""
    folder = history(tmp_path / "m", CREATE_POSTS, QUERY_INSIDE_CREATE)
    data = _json(verify(folder, "--format", "json", "--compare", *engine))
    rows = {(Path(r["path"]).name[:24], r["code"]): r for r in data["compare"]["static"]}
    create, insert = rows[("2024_01_01_000001_m1.php", "ML001")], \
        rows[("2024_01_01_000001_m1.php", "ML009")]
    assert insert["status"] == "confirmed"
    assert create["status"] != "not reproduced on this engine", create
    assert create["dynamic"].startswith("not reached: up 2 stopped inside it"), create


def test_an_app_root_runs_its_migrations_and_an_empty_folder_is_an_error(tmp_path):
    """`verify /path/to/app` ran nothing and printed "All checks passed. 0 of 0 migrations"."""
    app = tmp_path / "app"
    history(app / "database" / "migrations", CREATE_POSTS, SOFT_DELETES_AGAIN)
    data = _json(verify(app, "--format", "json"))
    assert data["summary"]["migrations"] == 2
    assert [f["code"] for f in data["findings"]] == ["ML202"]
    (tmp_path / "empty").mkdir()
    proc = verify(tmp_path / "empty")
    assert proc.returncode == 2
    assert "no migration files found under" in proc.stderr
    assert "passed" not in proc.stdout + proc.stderr


IN_HELPERS = HEAD + """    public function up()
    {
        $this->addBody();
        $this->addSummary();
    }

    public function down()
    {
        $this->dropBody();
    }

    private function addBody(): void
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->text('body')->nullable();
        });
    }

    private function addSummary(): void
    {
        if (! Schema::hasColumn('posts', 'summary')) {
            Schema::table('posts', function (Blueprint $table) {
                $table->text('summary')->nullable();
            });
        }
        DB::table('posts')->insert(['title' => 'x']);
    }

    private function dropBody(): void
    {
        $this->reallyDropBody();
    }

    private function reallyDropBody(): void
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->dropColumn('body');
        });
    }
};
"""


def test_compare_judges_a_finding_in_a_helper_at_the_step_that_calls_it(engine, tmp_path):
    """Lychee writes its migrations as helper methods up() and down() call: their findings
    were all 'not in up() or down()' and the failures Laravel reported there static misses."""
    folder = history(tmp_path / "m", CREATE_POSTS, IN_HELPERS)
    data = _json(verify(folder, "--format", "json", "--compare", *engine))
    lines = IN_HELPERS.splitlines()
    rows = {r["line"]: (r["code"], r["method"], r["status"], r["dynamic"])
            for r in data["compare"]["static"]}
    add = lines.index("            $table->text('body')->nullable();") + 1
    drop = lines.index("            $table->dropColumn('body');") + 1
    insert = lines.index("        DB::table('posts')->insert(['title' => 'x']);") + 1
    assert rows == {
        add: ("ML002", "addbody", "confirmed", "ML201 up 2"),
        drop: ("ML003", "reallydropbody", "confirmed", "ML201 down 2"),
        # up 2 stopped in addBody(), called before addSummary(): the insert never ran again
        insert: ("ML009", "addsummary", "not runnable", f"not reached: up 2 stopped at line {add - 1}"),
    }
    assert data["compare"]["static_misses"] == []
