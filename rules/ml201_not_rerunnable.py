"""ML201 not-rerunnable.

What it does:
    Reported by `migrate-lint verify`, which runs each migration under real Laravel on a
    scratch database: `up`, `up` again, `down`, `down` again, `up` once more. A migration whose
    second `up`, whose `down` (first or second run) or whose `up` after `down` is refused by the
    database is reported with the step that failed (up 2, down 1, down 2, up 3), Laravel's own
    error and the line of the failing statement. A first `up` that fails is ML202.

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
