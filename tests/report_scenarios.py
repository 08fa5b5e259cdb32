"""Projects the report tests render: a plan with every outcome, and hostile names."""

from __future__ import annotations

from test_plan import MYSQL_DUMP
from test_replay import ADD_PRIORITY, CREATE_TASKS, anon, write

# One of each outcome against MYSQL_DUMP (tasks with priority and timestamps, create_tasks
# recorded): already ran, runs, runs skipping a guarded step, runs but not checked (a config()
# condition), fails (priority exists), never reached.
PLAN_FILES = {
    "2024_01_01_000000_create_tasks.php": anon(CREATE_TASKS),
    "2024_01_15_000000_create_users.php": anon(
        "        Schema::create('users', function (Blueprint $table) {\n"
        "            $table->id();\n        });"),
    "2024_01_20_000000_guarded_timestamps.php": anon(
        "        if (! Schema::hasColumn('tasks', 'created_at')) {\n"
        "            Schema::table('tasks', function (Blueprint $table) {\n"
        "                $table->timestamps();\n            });\n        }"),
    "2024_01_25_000000_maybe_drop.php": anon(
        "        if (config('app.legacy')) {\n"
        "            Schema::table('users', function (Blueprint $table) {\n"
        "                $table->dropColumn('nickname');\n            });\n        }"),
    "2024_02_01_000000_add_priority.php": anon(ADD_PRIORITY),
    "2024_03_01_000000_notes.php": anon(
        "        Schema::create('notes', function (Blueprint $table) {\n"
        "            $table->id();\n        });"),
    "2024_03_02_000000_tags.php": anon(
        "        Schema::create('tags', function (Blueprint $table) {\n"
        "            $table->id();\n        });"),
}
PLAN_STATUSES = {
    "2024_01_01_000000_create_tasks": ("already ran", "ran"),
    "2024_01_15_000000_create_users": ("runs", "runs"),
    "2024_01_20_000000_guarded_timestamps": ("runs", "skips"),
    "2024_01_25_000000_maybe_drop": ("runs", "unchecked"),
    "2024_02_01_000000_add_priority": ("fails", "fails"),
    "2024_03_01_000000_notes": ("never reached", "never"),
    "2024_03_02_000000_tags": ("never reached", "never"),
}


def plan_project(tmp_path, dump_text: str = MYSQL_DUMP):
    mig = tmp_path / "migrations"
    write(mig, PLAN_FILES)
    dump = tmp_path / "schema.sql"
    dump.write_text(dump_text)
    return mig, dump


# Text a hostile repository controls, which reports must show as text and never run.
HOSTILE = "</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">"


def verify_data() -> dict:
    """What `verify --format json` prints (the dynamic half's shape): one verified migration,
    one whose second up() fails with Laravel's error, one blocked by it."""
    error = ("SQLSTATE[42S21]: Column already exists: 1060 Duplicate column name 'priority' "
             "(SQL: alter table `tasks` add `priority` int not null)")
    base = "database/migrations/"
    outcomes = [
        {"path": base + "2024_01_01_000000_create_tasks.php", "status": "verified", "step": None,
         "code": None, "method": None, "line": None, "reason": None, "blocked_by": None,
         "error": None, "passed": ["up 1", "up 2", "down 1", "down 2", "up 3"], "more": []},
        {"path": base + "2024_02_01_000000_add_priority.php", "status": "finding",
         "step": "up 2", "code": "ML201", "method": "up", "line": 11, "reason": "database error",
         "blocked_by": None, "error": error, "passed": ["up 1", "down 1", "down 2"], "more": []},
        {"path": base + "2024_03_01_000000_notes.php", "status": "blocked", "step": "up 1",
         "code": None, "method": "up", "line": 9, "reason": "blocked", "error": HOSTILE,
         "blocked_by": base + "2024_02_01_000000_add_priority.php", "passed": [], "more": []},
    ]
    return {"findings": [{"code": "ML201", "rule": "not-rerunnable",
                          "path": outcomes[1]["path"], "line": 11, "column": 9, "end_line": 11,
                          "end_column": 20, "severity": "error",
                          "message": f"up() fails when run again (step up 2): {error}",
                          "fixable": False, "url": "", "step": "up 2", "method": "up",
                          "statement_line": 11}],
            "summary": {"migrations": 3, "verified": 2, "could_not_run": 1,
                        "reasons": {"blocked by an earlier failure": 1},
                        "findings": {"ML201": 1}, "engine": "mariadb",
                        "laravel": "Laravel 8.83.26 (Debian's packages)"},
            "outcomes": outcomes, "notes": []}


# A history `verify` runs for the report tests (tests/browser/test_verify_page.py,
# tests/oracle/test_verify_report.py), on SQLite and MariaDB: a migration that passes every
# step, one failing each of up 2 (with down 2), down 1 and up 1, one that cannot run here, one
# blocked by it, and one whose file name and error carry hostile markup (a table name has no
# dot: Laravel reads `a.b` as database a; MariaDB takes 64 characters; a file name no slash).
VERIFY_HOSTILE = "</script><img src=x onerror=__pwned=1>"
VERIFY_HOSTILE_FILE = "2024_01_01_000006_<script>window.__pwned=3<img src=x onerror=__pwned=4>.php"
_HEAD = "<?php\nreturn new class extends Migration {\n"
VERIFY_FILES = {
    "2024_01_01_000000_create_posts.php": _HEAD + """    public function up()
    {
        if (! Schema::hasTable('posts')) {
            Schema::create('posts', function (Blueprint $table) {
                $table->id();
                $table->string('title')->nullable();
                $table->softDeletes();
            });
        }
    }

    public function down()
    {
        Schema::dropIfExists('posts');
    }
};
""",
    "2024_01_01_000001_add_priority.php": _HEAD + """    public function up()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->integer('priority')->nullable();
        });
    }

    public function down()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->dropColumn('priority');
        });
    }
};
""",
    "2024_01_01_000002_drop_missing.php": _HEAD + """    public function up()
    {
        if (! Schema::hasTable('c')) {
            Schema::create('c', function (Blueprint $table) { $table->id(); $table->string('x'); });
        }
    }

    public function down()
    {
        Schema::table('c', function (Blueprint $table) { $table->dropColumn('nope'); });
        Schema::dropIfExists('c');
    }
};
""",
    "2024_01_01_000003_soft_deletes_again.php": _HEAD + """    public function up()
    {
        Schema::table('posts', function (Blueprint $table) {
            $table->softDeletes();
        });
    }
};
""",
    "2024_01_01_000004_widget_model.php": _HEAD + """    public function up()
    {
        Schema::create('widgets', function (Blueprint $table) { $table->id(); });
        \\App\\Models\\Widget::query()->insert(['id' => 1]);
    }
};
""",
    "2024_01_01_000005_widget_colour.php": _HEAD + """    public function up()
    {
        Schema::table('widgets', function (Blueprint $table) {
            $table->string('colour')->nullable();
        });
    }
};
""",
    VERIFY_HOSTILE_FILE: _HEAD + f"""    public function up()
    {{
        Schema::create('{VERIFY_HOSTILE}', function (Blueprint $table) {{ $table->id(); }});
    }}

    public function down()
    {{
        Schema::dropIfExists('{VERIFY_HOSTILE}');
    }}
}};
""",
}
# What each step of each migration does under verify (both engines).
P, F, N = "passed", "failed", "not run"
VERIFY_STEPS = {
    "2024_01_01_000000_create_posts.php": ("verified", [P, P, P, P, P]),
    "2024_01_01_000001_add_priority.php": ("finding", [P, F, P, F, N]),
    "2024_01_01_000002_drop_missing.php": ("finding", [P, P, F, N, N]),
    "2024_01_01_000003_soft_deletes_again.php": ("finding", [F, N, N, N, N]),
    "2024_01_01_000004_widget_model.php": ("not-runnable", [F, N, N, N, N]),
    "2024_01_01_000005_widget_colour.php": ("blocked", [F, N, N, N, N]),
    VERIFY_HOSTILE_FILE: ("finding", [P, F, P, P, N]),
}


def verify_project(tmp_path):
    mig = tmp_path / "migrations"
    write(mig, VERIFY_FILES)
    return mig
