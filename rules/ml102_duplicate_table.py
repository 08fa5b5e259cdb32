"""ML102 duplicate-table.

What it does:
    Replays the whole migrations directory in Laravel's order and flags an unconditional
    `Schema::create('t', ...)` (or raw `CREATE TABLE t` without IF NOT EXISTS) of a table that
    definitely exists at that point: an earlier migration (or the squashed schema in
    `database/schema/`) created it and nothing dropped or renamed it since. The message names
    the migration that created it (file and line).

Why is this bad?
    The migration fails on every database, fresh ones included: SQLSTATE[42S01] 1050
    "Table 't' already exists" (SQLite: 'table "t" already exists'), and Laravel's migrator
    stops, so every later migration stays pending. Tables the replay cannot be sure about
    (conditional creates and drops, computed names, unreadable raw SQL) are never flagged.

Example:
    // 2024_01_01_000000_create_tasks_table.php
    Schema::create('tasks', function (Blueprint $table) { $table->id(); });
    // 2024_03_01_000000_create_tasks_again.php
    Schema::create('tasks', function (Blueprint $table) { $table->id(); });

Use instead:
    Remove the second create, turn it into `Schema::table` for the columns it adds, or guard it
    with `if (! Schema::hasTable('tasks'))`.

Fix safety:
    Not fixable automatically: which of the two creates is right is a decision about the
    project's history.
"""

from __future__ import annotations

CODE, NAME = "ML102", "duplicate-table"
FIXABLE = False
SEVERITY = "error"
SUMMARY = "creates a table earlier migrations already created (replay)"


def check(migration, ctx):
    # Computed over the whole history by migrate_lint.replay, not per file.
    return ()
