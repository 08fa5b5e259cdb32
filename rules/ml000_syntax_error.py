"""ML000 syntax-error.

What it does:
    Reports a file that is not valid PHP text: tree-sitter found syntax errors in it, or it is
    binary or not valid UTF-8.

Why is this bad?
    A migration that does not parse cannot be checked, and none of its other rules run. Laravel
    would stop with a fatal error on it. (tree-sitter accepts a little code PHP rejects and
    newer syntax than your PHP, so this is "tree-sitter found errors", not "php -l fails".)

Example:
    Schema::table('tasks', function (Blueprint $table) {
        $table->string('priority')
    });

Use instead:
    Fix the syntax; then the other rules run.

Fix safety:
    Not fixable. A file with a syntax error is never modified by --fix.
"""

from __future__ import annotations

import sys

from migrate_lint.rules._common import finding

CODE, NAME = "ML000", "syntax-error"
FIXABLE = False
SUMMARY = "file is not valid PHP text; its other rules were skipped"


def check(migration, ctx):
    if migration.error is not None:
        yield finding(sys.modules[__name__], migration, migration.error,
                      migration.error_message)
