"""ML201 not-rerunnable.

What it does:
    Reported by `migrate-lint verify`, which runs each migration under real Laravel on a
    scratch database: `up`, `up` again, `down`, `down` again. A migration whose second `up` or
    whose `down` fails is reported with Laravel's own error.

Why is this bad?
    It is the dynamic proof of what the static rules suspect: the migration cannot be re-run
    after a half-applied attempt, and Laravel's migrator would stop there, leaving every later
    migration pending.

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->string('priority');
    });

Use instead:
    Schema::table('tasks', function (Blueprint $table) {
        if (! Schema::hasColumn('tasks', 'priority')) {
            $table->string('priority');
        }
    });

Fix safety:
    Not fixed by verify itself; `migrate-lint --fix` fixes the static findings behind it.
"""

from __future__ import annotations

CODE, NAME = "ML201", "not-rerunnable"
FIXABLE = False
SUMMARY = "migration fails when re-run under real Laravel (migrate-lint verify)"


def check(migration, ctx):
    # Dynamic: computed by lint/dynamic/verify.py, never by the static engine.
    return ()
