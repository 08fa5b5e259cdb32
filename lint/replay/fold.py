"""Folds migration summaries, in order, into a SchemaState, and reports definite failures.

A step under a guard or an unread condition may or may not run: its result is the join of
"ran" and "did not run", so facts it would change become MAYBE. A step whose table is computed
at run time could touch any table: the facts it could change become MAYBE everywhere. Failures
are reported only from YES/NO facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrate_lint.replay.state import (DEFAULT, MAYBE, NO, YES, Column, Connection, Index,
                                       Origin, SchemaState, Table)
from migrate_lint.replay.steps import UNSEEN, Step, Summary


@dataclass(frozen=True)
class Problem:
    """A step that definitely fails at this point of the history."""

    code: str | None  # ML101/ML102/ML103 when a lint rule reports it; None: plan only
    path: str
    line: int
    migration: str
    message: str  # the concrete reason, naming where the object came from
    error: str  # what MySQL/MariaDB raises
    step: Step | None = None


def _where(origin: Origin | None, verb: str) -> str:
    if origin is None:
        return "it existed before these migrations"
    return f"{verb} by {origin}"


class Replay:
    def __init__(self, state: SchemaState | None = None, default_name: str | None = None):
        self.state = state or SchemaState()
        self.default_name = default_name  # the default connection's configured name, if known
        self._reported: set = set()

    # ------------------------------------------------------------------ entry points
    def apply(self, summary: Summary, stop_at_first: bool = False) -> list[Problem]:
        problems: list[Problem] = []
        for step in summary.steps:
            found = self.apply_step(step, summary)
            problems += found
            if found and stop_at_first:
                break
        return problems

    def apply_step(self, step: Step, summary: Summary) -> list[Problem]:
        conn_name = self._conn_name(step.connection, summary)
        origin = Origin(summary.path, step.line, summary.name)
        if conn_name == UNSEEN:
            # Could be any connection: it may have happened on each.
            for conn in list(self.state.connections.values()) or [self.state.connection(DEFAULT)]:
                _Apply(self, conn, step, origin, True, summary).run()
            return []
        conn = self.state.connection(conn_name)
        return _Apply(self, conn, step, origin, step.conditional, summary).run()

    def _conn_name(self, step_conn: str | None, summary: Summary) -> str:
        name = step_conn if step_conn is not None else summary.connection
        if name is None:
            return DEFAULT
        if name == UNSEEN:
            return UNSEEN
        if self.default_name is not None and name == self.default_name:
            return DEFAULT
        return name


class _Apply:
    """One step on one connection."""

    def __init__(self, replay, conn: Connection, step: Step, origin: Origin, cond: bool,
                 summary: Summary):
        self.replay, self.conn, self.step, self.origin, self.cond = replay, conn, step, origin, cond
        self.summary = summary
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        handler = getattr(self, "_" + self.step.action, None)
        if handler is not None:
            if self.step.table is None and self.step.action not in ("taint_all",):
                self._unresolved()
            else:
                handler()
        return self.problems

    def fail(self, code, message, error):
        self.problems.append(Problem(code, self.origin.path, self.origin.line,
                                     self.origin.migration, message, error, self.step))

    # ------------------------------------------------------------------ tables
    def _use_table(self, table: str) -> Table | None:
        """The table an unconditional step needs; None (reported once) when it is gone."""
        t = self.conn.get(table)
        if t is None:
            if self.conn.status(table) == NO and not self.cond:
                self._missing_table(table, None)
                return None
            return self.conn.put(Table(table, MAYBE if self.cond else YES, None, False))
        if t.status == NO and not self.cond:
            # The migration stops here: nothing after it touches this table.
            self._missing_table(table, t)
            return None
        if t.status == MAYBE and not self.cond:
            t.status = YES  # the step succeeded, so the table was there
        return t

    def _missing_table(self, table, t: Table | None):
        key = (self.conn.name, self.origin.path, table.lower())
        if key in self.replay._reported:
            return
        self.replay._reported.add(key)
        why = (f"dropped by {t.removed_by}" if t is not None and t.removed_by is not None
               else "not in the database")
        db = "<database>"
        self.fail("ML103", f"table '{table}' does not exist here ({why})",
                  f"SQLSTATE[42S02]: Base table or view not found: 1146 Table "
                  f"'{db}.{table}' doesn't exist")

    def _create_table(self):
        s = self.step
        existing = self.conn.get(s.table)
        status = existing.status if existing is not None else self.conn.status(s.table)
        if not self.cond:
            if status == YES:
                if existing is not None and existing.origin is not None:
                    self.fail("ML102", f"table '{s.table}' already exists: "
                              f"{_where(existing.origin, 'created')}",
                              f"SQLSTATE[42S01]: Base table or view already exists: 1050 Table "
                              f"'{s.table}' already exists")
                elif existing is not None:
                    self.fail(None, f"table '{s.table}' already exists (it was there before "
                              f"these migrations)",
                              f"SQLSTATE[42S01]: Base table or view already exists: 1050 Table "
                              f"'{s.table}' already exists")
                return
            self.conn.put(self._new_table(YES))
            return
        if status == YES:
            return  # skipped, or it fails: either way the table is as before
        fresh = self._new_table(MAYBE)
        if status == MAYBE:
            fresh.forget_columns("created only under a condition over an unknown table")
        self.conn.put(fresh)

    def _new_table(self, status) -> Table:
        s = self.step
        t = Table(s.table, status, self.origin, s.complete)
        for name, ctype, *line in s.columns:
            where = Origin(self.origin.path, line[0], self.origin.migration) if line else self.origin
            t.columns[name.lower()] = Column(name, ctype, YES, where)
        if not s.complete:
            t.notes.append(f"some columns of the create at {self.origin} are computed or "
                           f"conditional")
        return t

    def _drop_table(self):
        s = self.step
        t = self.conn.get(s.table)
        status = t.status if t is not None else self.conn.status(s.table)
        if self.cond:
            if t is not None and t.status == YES:
                t.status = MAYBE
            return
        if status == NO and not s.if_exists:
            self._missing_table(s.table, t)
        gone = Table(s.table, NO, t.origin if t else None, True, removed_by=self.origin)
        self.conn.put(gone)

    def _rename_table(self):
        s = self.step
        if s.to is None:
            # Renamed to a computed name: gone for sure (if unconditional), and any table
            # that did not exist may now.
            self._drop_like_rename()
            self._any_table_may_appear()
            return
        src = self.conn.get(s.table)
        src_status = src.status if src is not None else self.conn.status(s.table)
        dst = self.conn.get(s.to)
        if self.cond:
            if src is not None and src.status == YES:
                src.status = MAYBE
            moved = (src.copy(s.to) if src is not None else Table(s.to, MAYBE, None, False))
            moved.status = MAYBE if (dst is None or dst.status != YES) else YES
            if dst is None or dst.status != YES:
                self.conn.put(moved)
            return
        if src_status == NO:
            self._missing_table(s.table, src)
        if dst is not None and dst.status == YES:
            self.fail(None, f"table '{s.to}' already exists: {_where(dst.origin, 'created')}",
                      f"SQLSTATE[42S01]: Base table or view already exists: 1050 Table "
                      f"'{s.to}' already exists")
        moved = src.copy(s.to) if src is not None else Table(s.to, YES, None, False)
        moved.status, moved.removed_by = YES, None
        self.conn.put(moved)
        self.conn.put(Table(s.table, NO, src.origin if src else None, True,
                            removed_by=self.origin))

    def _drop_like_rename(self):
        if not self.cond:
            t = self.conn.get(self.step.table)
            self.conn.put(Table(self.step.table, NO, t.origin if t else None, True,
                                removed_by=self.origin))

    def _any_table_may_appear(self):
        for t in self.conn.tables.values():
            if t.status == NO:
                t.status = MAYBE
                t.forget_columns(f"a table with a computed name appears at {self.origin}")

    def _alter_table(self):
        if not self.cond:
            self._use_table(self.step.table)

    # ------------------------------------------------------------------ columns
    def _table_for_column(self) -> Table | None:
        if self.cond:
            t = self.conn.get(self.step.table)
            if t is not None and t.status == NO:
                return None  # a conditional step on a table that is gone does nothing
            return t if t is not None else self.conn.put(
                Table(self.step.table, MAYBE, None, False))
        return self._use_table(self.step.table)

    def _add_column(self):
        s = self.step
        t = self._table_for_column()
        if t is None:
            return
        if s.column is None:
            t.forget_columns(f"a computed column is added at {self.origin}")
            return
        col = t.column(s.column)
        if self.cond:
            if col is None:
                if t.complete:
                    t.columns[s.column.lower()] = Column(s.column, s.ctype, MAYBE, self.origin)
            elif col.status == NO:
                col.status, col.ctype, col.origin = MAYBE, s.ctype, self.origin
            return
        if t.column_status(s.column) == YES and col is not None and col.origin is not None:
            self.fail("ML101", f"column '{t.name}.{s.column}' already exists: "
                      f"{_where(col.origin, 'added')}",
                      f"SQLSTATE[42S21]: Column already exists: 1060 Duplicate column name "
                      f"'{s.column}'")
            return
        t.columns[s.column.lower()] = Column(s.column, s.ctype, YES, self.origin)

    def _missing_column(self, t: Table, column: str):
        col = t.column(column)
        why = f"dropped by {col.origin}" if col is not None and col.origin is not None else \
            f"not among the columns {_where(t.origin, 'created')}"
        self.fail("ML103", f"column '{t.name}.{column}' does not exist here ({why})",
                  f"SQLSTATE[42000]: Syntax error or access violation: 1091 Can't DROP COLUMN "
                  f"`{column}`; check that it exists" if self.step.action == "drop_column" else
                  f"SQLSTATE[42S22]: Column not found: 1054 Unknown column '{column}' in "
                  f"'{t.name}'")

    def _drop_column(self):
        s = self.step
        t = self._table_for_column()
        if t is None:
            return
        if s.column is None:
            t.forget_columns(f"a computed column is dropped at {self.origin}")
            return
        col = t.column(s.column)
        if self.cond:
            if col is not None and col.status == YES:
                col.status = MAYBE
            return
        if t.column_status(s.column) == NO and not s.if_exists:
            self._missing_column(t, s.column)
        t.columns[s.column.lower()] = Column(s.column, None, NO, self.origin)
        for key, idx in list(t.indexes.items()):
            if s.column in idx.columns:
                del t.indexes[key]  # MySQL drops an index with its last column

    def _rename_column(self):
        s = self.step
        t = self._table_for_column()
        if t is None:
            return
        if s.column is None or s.to is None:
            t.forget_columns(f"a column with a computed name is renamed at {self.origin}")
            return
        col = t.column(s.column)
        if self.cond:
            if col is not None and col.status == YES:
                col.status = MAYBE
            new = t.column(s.to)
            if new is None and t.complete:
                t.columns[s.to.lower()] = Column(s.to, col.ctype if col else None, MAYBE,
                                                 self.origin)
            elif new is not None and new.status == NO:
                new.status = MAYBE
            return
        if t.column_status(s.column) == NO:
            self._missing_column(t, s.column)
        elif t.column_status(s.to) == YES:
            other = t.column(s.to)
            self.fail(None, f"column '{t.name}.{s.to}' already exists: "
                      f"{_where(other.origin if other else None, 'added')}",
                      f"SQLSTATE[42S21]: Column already exists: 1060 Duplicate column name "
                      f"'{s.to}'")
        ctype = col.ctype if col is not None else None
        t.columns[s.column.lower()] = Column(s.column, None, NO, self.origin)
        t.columns[s.to.lower()] = Column(s.to, ctype, YES, self.origin)

    def _change_column(self):
        s = self.step
        t = self._table_for_column()
        if t is None:
            return
        if s.column is None:
            return
        col = t.column(s.column)
        if self.cond:
            if col is not None and s.ctype:
                col.ctype = s.ctype
            return
        if t.column_status(s.column) == NO:
            self._missing_column(t, s.column)
            return
        if col is None:
            t.columns[s.column.lower()] = Column(s.column, s.ctype, YES, None)
        else:
            col.status = YES
            col.ctype = s.ctype or col.ctype

    # ------------------------------------------------------------------ indexes (state only)
    def _add_index(self):
        s = self.step
        t = self.conn.get(s.table)
        if t is None or not s.index:
            return
        t.indexes[s.index.lower()] = Index(s.index, s.ctype or "index", tuple(s.columns),
                                           MAYBE if self.cond else YES, self.origin)

    def _drop_index(self):
        s = self.step
        t = self.conn.get(s.table) if s.table else None
        if t is None:
            return
        if s.index is None:
            for idx in t.indexes.values():
                if idx.kind == s.ctype:
                    idx.status = MAYBE
            return
        idx = t.indexes.get(s.index.lower())
        if idx is not None:
            if self.cond:
                idx.status = MAYBE
            else:
                del t.indexes[s.index.lower()]

    def _rename_index(self):
        s = self.step
        t = self.conn.get(s.table)
        if t is None or s.index is None or s.to is None:
            return
        idx = t.indexes.pop(s.index.lower(), None)
        if idx is not None:
            t.indexes[s.to.lower()] = Index(s.to, idx.kind, idx.columns,
                                            MAYBE if self.cond else idx.status, self.origin)

    # ------------------------------------------------------------------ unknowns
    def _taint_table(self):
        t = self.conn.get(self.step.table)
        if t is None:
            t = self.conn.put(Table(self.step.table, MAYBE, None, False))
        elif t.status == NO:
            t.status = MAYBE
        t.forget_columns(f"{self.step.reason} ({self.origin})")

    def _taint_all(self):
        note = f"{self.step.reason} ({self.origin})"
        if note not in self.conn.notes:
            self.conn.notes.append(note)
        self.conn.closed = False
        for t in self.conn.tables.values():
            if t.status == NO:
                t.status = MAYBE
            t.forget_columns(note)

    def _unresolved(self):
        """A step on a table computed at run time: any table it could touch becomes unknown."""
        s = self.step
        note = f"`{s.table_expr or '?'}` at {self.origin} could be any table"
        if s.action in ("create_table",) or (s.action == "rename_table"):
            for t in self.conn.tables.values():
                if t.status == NO:
                    t.status = MAYBE
                    t.forget_columns(note)
            if s.action == "create_table":
                self.conn.closed = False
        if s.action in ("drop_table", "rename_table"):
            for t in self.conn.tables.values():
                if t.status == YES:
                    t.status = MAYBE
        if s.action in ("add_column", "drop_column", "rename_column", "change_column"):
            for t in self.conn.tables.values():
                names = [c for c in (s.column, s.to) if c]
                if not names:
                    t.forget_columns(note)
                    continue
                for name in names:
                    col = t.column(name)
                    if col is None:
                        if t.complete:
                            t.columns[name.lower()] = Column(name, s.ctype, MAYBE, self.origin)
                    elif col.status != MAYBE:
                        col.status = MAYBE
        if s.action == "taint_table":
            self._taint_all()
