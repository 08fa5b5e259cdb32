"""Replay: folds the whole migration history into a schema state (lint/replay/fold.py).

The rules ML101-ML105 and the `schema` and `plan` commands read that state.
"""

from __future__ import annotations


def check_history(files, settings, options, parsed=None):
    """parsed: {normalised path: Summary} the per-file pass already built from its parse."""
    from migrate_lint.replay.history import check_history as run

    return run(files, settings, options, parsed)


def history_rows(files, settings, options, parsed=None):
    """check_history's findings as (path, findings.to_rows row) pairs, as the cache keeps them."""
    from migrate_lint.replay.history import history_rows as run

    return run(files, settings, options, parsed)
