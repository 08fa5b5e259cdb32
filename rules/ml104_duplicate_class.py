"""ML104 duplicate-class.

What it does:
    Flags a migration declaring a named class (`class CreateTasksTable extends Migration`) that
    an earlier migration file in the same directory already declares (same namespace, names
    compared case-insensitively as PHP does). The finding names the first declaration.

Why is this bad?
    Laravel's migrator `require`s every pending migration file in one PHP process. When both
    files are pending (a fresh database, CI, a new developer) PHP stops with a fatal error,
    "Cannot declare class CreateTasksTable, because the name is already in use", and no
    migration after it runs. Anonymous migration classes (Laravel 8.37+) cannot collide.

Example:
    // 2019_01_01_000000_create_tasks_table.php
    class CreateTasksTable extends Migration { ... }
    // 2023_05_01_000000_create_tasks_table.php
    class CreateTasksTable extends Migration { ... }

Use instead:
    return new class extends Migration { ... };

Fix safety:
    Not fixable automatically.
"""

from __future__ import annotations

CODE, NAME = "ML104", "duplicate-class"
FIXABLE = False
SEVERITY = "error"
SUMMARY = "two migrations declare the same class name (replay)"


def check(migration, ctx):
    # Computed over the whole directory by migrate_lint.replay, not per file.
    return ()
