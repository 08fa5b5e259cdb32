"""The replay's slices never change a result: `python bench/slices.py CORPUS [ENGINE ...]`.

For every migrations folder under CORPUS and every file in it, folds the history as a run on
that file alone does (only the migrations its tables depend on, lint/replay/relevant.py) and
compares the file's problems with those of a fold of the whole history. In process, so the
2,592 files of the real corpus take about 20 s an engine. Exit status 1 when any differs.
"""

from __future__ import annotations

import glob
import os
import sys
import time

from migrate_lint.replay.history import duplicate_classes, history_files, load_history, replay


def rows(problems):
    return [(p.code, p.line, p.message, p.error) for p in problems]


def classes(h, key):
    return [(s.path, first.path) for s, first in duplicate_classes(h)
            if os.path.normpath(s.path) == key]


def main(argv: list[str]) -> int:
    cold = "--cold" in argv
    argv = [a for a in argv if a != "--cold"]
    corpus, engines = argv[0], argv[1:] or [None]
    dirs = sorted({os.path.dirname(p) for p in glob.glob(f"{corpus}/**/*.php", recursive=True)})
    checked = differ = 0
    start = time.perf_counter()
    for d in dirs:
        files = history_files([d])
        if not files:
            continue
        h = load_history([d], files=files)
        for engine in engines:
            whole = {os.path.normpath(s.path): rows(ps)
                     for s, ps in replay(h, engine=engine, downs=True)}
            for f in files:
                key = os.path.normpath(f)
                h1 = load_history([d], given={key}, files=files) if cold else h
                alone = next((rows(ps) for s, ps in replay(h1, engine=engine, downs={key},
                                                           only={key})
                              if os.path.normpath(s.path) == key), None)
                checked += 1
                if alone != whole.get(key) or classes(h1, key) != classes(h, key):
                    differ += 1
                    print(f"DIFFERS ({engine}): {f}\n  whole: {whole.get(key)}\n  alone: {alone}")
    print(f"{checked} file x engine checks, {differ} differ, "
          f"{time.perf_counter() - start:.0f} s")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
