"""Replay: folds the whole migration history into a schema state (lint/replay/fold.py).

The rules ML101-ML104 and the `schema` and `plan` commands read that state.
"""

from __future__ import annotations


def check_history(files, settings, options, parsed=None):
    """parsed: {normalised path: Summary} the per-file pass already built from its parse."""
    from migrate_lint.replay.history import check_history as run

    return run(files, settings, options, parsed)
