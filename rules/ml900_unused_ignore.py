"""ML900 unused-ignore.

What it does:
    Reports a `migrate-lint-ignore` comment that suppresses nothing: no finding of the codes it
    names is on its line or the next one (or, for `migrate-lint-ignore-file`, in the file),
    and a code or name in a suppression that names no rule (`ML0O2`, `ML02`): such a word
    suppresses nothing.

Why is this bad?
    A stale suppression hides the next real problem on that line and tells readers something
    that is no longer true.

Example:
    // migrate-lint-ignore ML002 -- priority was added by hand on production
    $table->index('priority');

Use instead:
    Remove the comment, or name the code that really fires there.

Fix safety:
    Not fixable automatically.
"""

from __future__ import annotations

CODE, NAME = "ML900", "unused-ignore"
FIXABLE = False
SEVERITY = "warning"
SUMMARY = "suppression comment that suppresses nothing"


def check(migration, ctx):
    # Computed by lint/suppress.py, which alone knows which comments were used.
    return ()
