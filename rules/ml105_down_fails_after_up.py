"""ML105 down-fails-after-up.

What it does:
    Replays the whole migrations directory in Laravel's order and, for each migration, runs
    its `down()` on the state its own `up()` just left, the way `php artisan migrate:rollback`
    runs it for the last batch. Flags a step of `down()` that definitely fails there: it drops,
    alters or renames a table or column that `up()` did not leave (a column `up()` never added,
    an extra argument read as a column name, a table already dropped), re-creates a table or
    column that is still there, drops an index or foreign key `up()` did not leave (index
    names passed in an array, which Laravel reads as columns: `dropUnique(['posts_slug_unique'])`
    drops `posts_posts_slug_unique_unique`), or adds again an index or foreign key `up()` left
    in place (by Laravel's name for it). The message says where the object came from.

Why is this bad?
    The rollback stops at that statement with 1091 "Can't DROP ...; check that it exists",
    1061 "Duplicate key name",
    1146 "Table ... doesn't exist", 1054 "Unknown column" or SQLite's "no such column", leaving
    the schema half rolled back and the migration still recorded as run. Nobody notices until
    a deploy has to be undone in a hurry.

Example:
    public function up()
    {
        Schema::table('links', function (Blueprint $table) {
            $table->string('link', 255)->change();
        });
    }

    public function down()
    {
        Schema::table('links', function (Blueprint $table) {
            $table->dropColumn('link', 255);   // drops `link` and a column named `255`
        });
    }

Use instead:
    Make `down()` undo exactly what `up()` did (here `$table->string('link', 191)->change()`),
    or guard the step with `Schema::hasColumn` / `Schema::hasTable` when the object may
    legitimately be absent.

Fix safety:
    Not fixable automatically: the right `down()` depends on what `up()` meant to undo.
    Only definite failures are reported: a `down()` that calls helper methods or other
    migrations, or names computed tables, is not judged. Index names follow the engine: MySQL
    and MariaDB keep the index InnoDB made under a dropped foreign key's name, and a foreign
    key on SQLite is judged only when Laravel is known to be older than 11. A table has one
    primary key: `dropPrimary` drops it whatever name it is given (MySQL `drop primary key`),
    `id()`/`increments()` make one, and on SQLite adding or dropping one never fails. Off with
    `check-down = false`.
"""

from __future__ import annotations

CODE, NAME = "ML105", "down-fails-after-up"
FIXABLE = False
SEVERITY = "warning"
SUMMARY = "down() fails when it runs right after its own up() (replay)"


def check(migration, ctx):
    # Computed over the whole history by migrate_lint.replay, not per file.
    return ()
