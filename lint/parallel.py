"""Lints many files: in this process for a few, across a process pool for many.

Workers return plain findings (no syntax trees); a fix or SARIF run, which needs the models,
stays in this process. The cache is consulted before any parsing.
"""

from __future__ import annotations

import os

from migrate_lint.engine import FileResult, lint_source, read

POOL_THRESHOLD = 48  # below this, starting workers costs more than it saves
CHUNK = 32

_worker_settings = None


def _init(settings):
    global _worker_settings
    _worker_settings = settings


def _plain(result: FileResult) -> FileResult:
    for f in result.findings:
        f.extra.pop("target", None)  # model objects hold syntax trees: not sent across
    return FileResult(result.path, result.findings, None, result.error, result.summary)


def _lint_chunk(items):
    out = []
    for path, data in items:
        out.append(_plain(lint_source(path, data, _worker_settings)))
    return out


def lint_all(files, settings, jobs=None, keep_model=False, use_cache=True, cache_dir=None):
    from migrate_lint.cache import Cache

    cache = Cache(cache_dir, settings) if use_cache and cache_dir and not keep_model else None
    results: dict[str, FileResult] = {}
    todo = []
    for path in files:
        data, error = read(path)
        if data is None:
            results[path] = FileResult(path, [], None, error)
            continue
        cached = cache.get(path, data) if cache else None
        if cached is not None:
            results[path] = FileResult(path, cached)
        else:
            todo.append((path, data))
    jobs = jobs or os.cpu_count() or 1
    if keep_model or jobs < 2 or len(todo) < POOL_THRESHOLD:
        for path, data in todo:
            result = lint_source(path, data, settings, keep_model)
            # Without fixes, keep findings only: a model holds its file's whole syntax tree.
            results[path] = result if keep_model else _plain(result)
    else:
        from concurrent.futures import ProcessPoolExecutor  # lazy: a one-file run never needs it

        chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init,
                                 initargs=(settings,)) as pool:
            for chunk_results in pool.map(_lint_chunk, chunks):
                for r in chunk_results:
                    results[r.path] = r
    if cache:
        for path, data in todo:
            cache.put(path, data, results[path].findings)
        cache.save()
    return [results[p] for p in files]
