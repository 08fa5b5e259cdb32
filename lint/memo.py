"""The whole report of a run, kept in the cache with everything it was made from.

While a run lints, the cache records what its result depends on (lint/cache.py,
Store.depend): each directory listed (discovery, a history's folder, the squashed schema's
folder) and each file read (migrations, schema dumps, config/database.php, a baseline), by
size, mtime and ctime, stamped before use. The settings key covers the code, configuration,
templates, Laravel version and database. When none of it changed since, by the same rule as
the file index (nothing modified within RACY_NS of the recording run), the next identical
command prints the same report without linting. Anything new a run reads must be recorded
there, as anything a history's result depends on must be in the replay's signature.
"""

from __future__ import annotations

import os

from migrate_lint.cache import RACY_NS, stamp

PREFIX = "report:"  # a section per report (the cache keeps the 8 used last)


def key(options, cfg) -> str:
    """What the report depends on besides the recorded files: settings (their key), where
    the command runs, its paths and every option that shapes the output."""
    from hashlib import blake2b

    parts = (options.cache_key, os.getcwd(), tuple(options.paths), options.fmt, options.quiet,
             options.statistics, options.color, options.exit_zero, options.output_file,
             options.baseline, tuple(cfg.exclude), str(cfg.root))
    return blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def replay(store, memo_key: str, write, options) -> int | None:
    """The kept report's exit code after writing it, or None when anything it depends on
    changed (or changed too recently to tell)."""
    entry = store.section(PREFIX + memo_key).get("report")
    if entry is None:
        return None
    checked, deps, output, code = entry
    limit = checked - RACY_NS
    for path, was in deps:
        if stamp(path) != was or (was and max(was[1], was[2]) >= limit):
            return None
    return write(output, options, None, code)


def record(store, memo_key: str, output: str, code: int) -> None:
    deps = store.deps
    if deps is None:
        return  # something could not be stamped: no report kept
    store.section(PREFIX + memo_key)["report"] = (store.started_ns, tuple(deps.items()),
                                                 output, code)
    store.touch(PREFIX + memo_key)
