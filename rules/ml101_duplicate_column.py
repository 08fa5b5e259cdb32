"""ML101 duplicate-column.

What it does:
    Replays the whole migrations directory in Laravel's order and flags an unconditional column
    add (`$table->string('priority')` in `Schema::table`, or raw `ALTER TABLE ... ADD`) of a
    column that an earlier migration definitely created and no migration dropped since. The
    message names the migration that added the column (file and line).

Why is this bad?
    The migration cannot succeed, not even on a fresh database: MySQL/MariaDB stop it with
    SQLSTATE[42S21] 1060 "Duplicate column name 'priority'" (SQLite: "duplicate column name"),
    and Laravel's migrator stops there, leaving every later migration pending. Columns whose
    existence the replay cannot establish (guarded or conditional code, names computed at run
    time, tables created outside these migrations) are never flagged.

Example:
    // 2024_01_01_000000_create_tasks_table.php
    Schema::create('tasks', function (Blueprint $table) {
        $table->id();
        $table->integer('priority');
    });
    // 2024_02_01_000000_add_priority_to_tasks.php
    Schema::table('tasks', function (Blueprint $table) {
        $table->integer('priority');
    });

Use instead:
    Delete the second add, or, when some databases really lack the column, guard it:
    if (! Schema::hasColumn('tasks', 'priority')) { ... }

Fix safety:
    Not fixable automatically: whether the add is redundant or the earlier migration is wrong
    is a decision about the project's history.
"""

from __future__ import annotations

CODE, NAME = "ML101", "duplicate-column"
FIXABLE = False
SEVERITY = "error"
SUMMARY = "adds a column earlier migrations already created (replay)"


def check(migration, ctx):
    # Computed over the whole history by migrate_lint.replay, not per file.
    return ()
