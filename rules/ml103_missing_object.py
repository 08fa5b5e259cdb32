"""ML103 missing-object.

What it does:
    Replays the whole migrations directory in Laravel's order and flags an unconditional
    alter, drop, rename or `->change()` of a table or column that definitely does not exist at
    that point: an earlier migration dropped or renamed it, or the table was created by these
    migrations without that column. The message says which migration removed it or created the
    table (file and line).

Why is this bad?
    The migration fails when it runs after the ones before it: MySQL/MariaDB raise 1146
    "Table ... doesn't exist", 1091 "Can't DROP COLUMN ...; check that it exists" or 1054
    "Unknown column"; SQLite "no such table" or Doctrine's ColumnDoesNotExist. It is a warning
    rather than an error because the object may have been created outside the migrations
    (by hand, a package, a seeder); a table never created in the history is treated as
    unknown and never reported, and so is anything touched by conditional or computed code.

Example:
    // 2024_01_01_000000_drop_legacy_table.php
    Schema::drop('legacy');
    // 2024_02_01_000000_add_flag_to_legacy.php
    Schema::table('legacy', function (Blueprint $table) { $table->boolean('flag'); });

Use instead:
    Remove the operation, or guard it with `Schema::hasTable` / `Schema::hasColumn` when some
    databases really still have the object.

Fix safety:
    Not fixable automatically.
"""

from __future__ import annotations

CODE, NAME = "ML103", "missing-object"
FIXABLE = False
SEVERITY = "warning"
SUMMARY = "alters, drops or renames a table or column that no longer exists (replay)"


def check(migration, ctx):
    # Computed over the whole history by migrate_lint.replay, not per file.
    return ()
