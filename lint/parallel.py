"""Lints many files: in this process for a few, across a process pool for many.

Without fixes, results carry their findings as rows (findings.to_rows: plain tuples, no syntax
trees), which is what workers send back and what the cache keeps; a fix or SARIF run, which
needs the models, stays in this process. The cache is consulted before any parsing.
"""

from __future__ import annotations

import marshal
import os

from migrate_lint.engine import FileResult, lint_source, read
from migrate_lint.findings import to_rows

POOL_THRESHOLD = 48  # below this, starting workers costs more than it saves
CHUNK = 32

_worker_settings = None


def _init(settings):
    global _worker_settings
    _worker_settings = settings


def _plain(result: FileResult, data: bytes) -> FileResult:
    return FileResult(result.path, [], None, result.error, result.summary,
                      rows=to_rows(result.findings, data))


def _preload() -> None:
    """What every worker runs, imported (and the grammar loaded) once here: forked workers
    start with it instead of each importing it; this process needs most of it for the replay."""
    from migrate_lint import parse, rules, suppress  # noqa: F401
    from migrate_lint.model import builder  # noqa: F401
    from migrate_lint.replay import steps  # noqa: F401

    rules.FILE_RULES  # noqa: B018 (loads the rule modules)
    parse.language()


def _lint_chunk(items):
    return [_plain(lint_source(path, data, _worker_settings), data) for path, data, _ in items]


def lint_all(files, settings, jobs=None, keep_model=False, store=None, key: str = ""):
    """FileResults in the order of `files`. store: the cache (None: no cache); key: the
    settings key its findings are filed under."""
    from migrate_lint.cache import files_of

    # A fix or SARIF run needs every model: nothing to look up (the replay still uses the cache).
    index = files_of(store) if store is not None and not keep_model else None
    section = store.section("findings:" + key) if index is not None else None
    results: dict[str, FileResult] = {}
    todo = []
    for path in files:
        if index is not None:
            digest, data, error = index.lookup(path)
            if section is not None and digest is not None:
                hit = section.get(index.key(path))
                if hit is not None and hit[0] == digest and hit[1] == path:
                    results[path] = FileResult(path, [], rows=marshal.loads(hit[2]))
                    continue
            if digest is not None and data is None:
                digest, data, error = index.read(path)
        else:
            data, error = read(path)
            digest = None
        if data is None:
            results[path] = FileResult(path, [], None, error)
            continue
        todo.append((path, data, digest))
    jobs = jobs or os.cpu_count() or 1
    if keep_model or jobs < 2 or len(todo) < POOL_THRESHOLD:
        for path, data, _ in todo:
            result = lint_source(path, data, settings, keep_model)
            # Without fixes, keep findings only: a model holds its file's whole syntax tree.
            results[path] = result if keep_model else _plain(result, data)
    else:
        from concurrent.futures import ProcessPoolExecutor  # lazy: a one-file run never needs it

        chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        _preload()
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init,
                                 initargs=(settings,)) as pool:
            for chunk_results in pool.map(_lint_chunk, chunks):
                for r in chunk_results:
                    results[r.path] = r
    if section is not None:
        for path, _, digest in todo:
            key_path = index.key(path)
            section.pop(key_path, None)
            # Each file's rows marshalled apart: a run decodes only the files it reports.
            section[key_path] = (digest, path, marshal.dumps(tuple(results[path].rows)))
        if todo:
            store.touch("findings:" + key)
    return [results[p] for p in files]
