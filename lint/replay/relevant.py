"""Which migrations of a history the reported ones depend on.

The fold keeps one record per table, and a step reads and writes only the tables it names
(its own, a rename's target, a foreign key's, the ones its guards ask about). So what a
reported migration finds depends only on the earlier migrations that name one of its tables,
closed over the tables those name in turn. A few steps reach past their tables and make a
migration relevant wherever it stands: a table or connection computed at run time, a rename to
a computed name, an unreadable file (taint), and any named connection (the fold creates a
connection on first use, and a step on a computed connection touches every connection made so
far). A pre-commit run on one file of a 400-migration app then folds tens of migrations, not
hundreds; the findings are the same (tests/test_relevant_slice.py checks each file alone
against the whole history)."""

from __future__ import annotations

from migrate_lint.replay.steps import Step, Summary


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


def _names(steps: list[Step], out: set) -> bool:
    """Adds the tables the steps name; False when one of them reaches past its tables."""
    ok = True
    for s in steps:
        if s.table is None or s.connection is not None or s.action.startswith("taint") or \
                (s.action == "rename_table" and s.to is None):
            ok = False
        if s.table:
            out.add(s.table.lower())
        if s.to:
            out.add(s.to.lower())
        if s.references and isinstance(s.references[0], str):
            out.add(s.references[0].lower())
        if not _cond_tables(s.cond, out):
            ok = False
    return ok


def footprint(summary: Summary, downs: bool = False) -> tuple[frozenset, bool]:
    """(the tables a migration's up(), and down() with `downs`, names, lower-cased; whether
    it touches only those, on the default connection)."""
    out: set = set()
    ok = _names(summary.steps, out)
    if downs and not _names(summary.down_steps, out):
        ok = False
    return frozenset(out), ok and summary.connection is None


def needed(summaries: list[Summary], reported: set[int]) -> set[int]:
    """Indexes of the summaries the fold must apply so that the reported ones (indexes) get
    the problems a fold of every summary gives them."""
    tables: set = set()
    keep = set(reported)
    prints = {}
    for i, s in enumerate(summaries):
        names, contained = footprint(s, downs=i in reported)
        if i in reported or not contained:
            keep.add(i)
            tables |= names
        else:
            prints[i] = names
    changed = True
    while changed:  # a kept migration's other tables may be shaped by migrations not kept
        changed = False
        for i, names in prints.items():
            if i not in keep and not names.isdisjoint(tables):
                keep.add(i)
                tables |= names
                changed = True
    return keep
