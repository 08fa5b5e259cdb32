"""Which migrations of a history the reported ones depend on.

The fold keeps one record per table, and a step reads and writes only the table it names; it
is shaped by the tables its guards ask about, a rename by its other end, and a step inside a
try/catch by the others there (one failing skips the rest). So what a reported migration finds
depends only on the earlier migrations with a step on one of its tables, closed over what
shapes those steps. (A foreign key's target is only recorded.) A few steps reach past their
tables and make a migration relevant wherever it stands: a table or connection computed at run
time, a rename to a computed name, an unreadable file (taint), and any named connection (the
fold creates a connection on first use, and a step on a computed connection touches every
connection made so far). A pre-commit run on one file of a 400-migration app then folds tens
of migrations, not hundreds, and finds the same (bench/slices.py checks each file alone
against the whole history; tests/test_relevant_slice.py the shapes that need each rule)."""

from __future__ import annotations

from migrate_lint.replay.steps import Summary
from migrate_lint.replay.summaries import step_keys


def _cond_tables(cond, out: set) -> bool:
    """Adds the tables a condition asks about; False when it names a connection."""
    if not isinstance(cond, tuple) or not cond:
        return True
    if cond[0] == "has":
        _, _, conn, table, _, _ = cond
        if isinstance(table, str):
            out.add(table.lower())
        return conn is None
    ok = True
    for c in cond[1:]:
        if isinstance(c, tuple) and not _cond_tables(c, out):
            ok = False
    return ok


class Footprint:
    """What a migration's steps name: `tables` (their own, a rename's target), `asks` (the
    tables their guards ask about), `steps` ((tables, asks, try) of each step), `contained`
    (no step reaches past its tables)."""

    __slots__ = ("tables", "asks", "steps", "tries", "contained")

    def __init__(self, summary: Summary, downs: bool = False):
        self.tables: set = set()
        self.asks: set = set()
        self.steps: list = []
        self.tries: dict = {}  # try/catch -> its tables: one step failing skips the rest
        self.contained = summary.connection is None
        for action, table, connection, to, cond, try_id, _ in step_keys(summary, downs):
            if table is None or connection is not None or action.startswith("taint") or \
                    (action == "rename_table" and to is None):
                self.contained = False
            named = {t.lower() for t in (table, to) if t}
            asks: set = set()
            if not _cond_tables(cond, asks):
                self.contained = False
            self.tables |= named
            self.asks |= asks
            self.steps.append((named, asks, try_id))
            if try_id:
                self.tries.setdefault(try_id, set()).update(named)

    def shaping(self, followed: set) -> set:
        """The tables whose state decides what this migration does to the `followed` ones:
        those its steps on them ask about, a rename's other end, and every table of a
        try/catch that holds one. (A foreign key's target is only recorded by the fold.)"""
        hot = {t for t, names in self.tries.items() if not names.isdisjoint(followed)}
        out: set = set()
        for named, asks, try_id in self.steps:
            if try_id in hot or not named.isdisjoint(followed):
                out |= asks | named
        return out


def needed(summaries: list[Summary], reported: set[int]) -> tuple[set[int], set]:
    """(indexes of the summaries the fold must apply so that the reported ones get the
    problems a fold of every summary gives them, the tables those depend on)."""
    tables: set = set()
    keep: dict = {}
    prints = {}
    for i, s in enumerate(summaries):
        fp = Footprint(s, downs=i in reported)
        if i in reported:
            tables |= fp.tables | fp.asks
            keep[i] = fp
        elif not fp.contained:
            keep[i] = fp
        else:
            prints[i] = fp
    changed = True
    while changed:  # until no kept migration's shaping tables lead anywhere new
        changed = False
        for i, fp in prints.items():
            if i not in keep and not fp.tables.isdisjoint(tables):
                keep[i] = fp
                changed = True
        for fp in keep.values():
            more = fp.shaping(tables) - tables
            if more:
                tables |= more
                changed = True
    return set(keep), tables
