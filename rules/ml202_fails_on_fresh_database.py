"""ML202 fails-on-fresh-database.

What it does:
    Reported by `migrate-lint verify`, which runs the migrations under real Laravel, in order,
    on a scratch database it creates. A migration whose FIRST `up()` is refused by the
    database, after every earlier migration ran, is reported with Laravel's own error and the
    line of the failing statement.

Why is this bad?
    `php artisan migrate` on a new database (a new developer, CI, a fresh deploy) stops there,
    and every later migration stays pending. Typical causes: a column or table an earlier
    migration already created, an index added twice, a column dropped that never existed.
    A migration that cannot run here (an application class, a helper or a PHP extension this
    run lacks, a PHP fatal error) is a note, not this finding; so are the limits of Laravel 8
    on SQLite (`dropForeign`, several drop/rename calls in one Blueprint, a NOT NULL column
    without default added to an existing table). A failure that only happens because an earlier
    migration did not run is reported as blocked.

Example:
    // 2024_01_01: Schema::create('posts', fn (Blueprint $t) => $t->softDeletes());
    Schema::table('posts', function (Blueprint $table) {
        $table->softDeletes();
    });

Use instead:
    Schema::table('posts', function (Blueprint $table) {
        if (! Schema::hasColumn('posts', 'deleted_at')) {
            $table->softDeletes();
        }
    });

Fix safety:
    Not fixed by verify; remove the duplicate operation, or guard it (`migrate-lint --fix`
    adds guards for the static findings behind it).
"""

from __future__ import annotations

CODE, NAME = "ML202", "fails-on-fresh-database"
FIXABLE = False
SUMMARY = "migration fails on its first run, in order, under real Laravel (migrate-lint verify)"


def check(migration, ctx):
    # Dynamic: computed by lint/dynamic/verify.py, never by the static engine.
    return ()
