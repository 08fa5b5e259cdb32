"""Folds migration summaries, in order, into a SchemaState, and reports definite failures.

Each step's condition is evaluated against the state it meets (three-valued): TRUE runs the
step, FALSE skips it, UNKNOWN makes what it would change MAYBE (the join of "ran" and "did
not run"). A step whose table is computed at run time could touch any table: what it could
change becomes MAYBE everywhere. Failures are reported only from YES/NO facts.

Laravel's order inside one Blueprint (LARAVEL_FACTS.md): the closure, and every guard in it,
runs before any SQL is sent; before 11.15 changed columns go first, then every added column
(one ALTER on MySQL/MariaDB, atomic), then the other commands in source order, then the
indexes given as column modifiers; from 11.15 one command per column, in source order.
"""

from __future__ import annotations

from migrate_lint.model import conditions as C
from migrate_lint.record import field, record, replace
from migrate_lint.replay import errors as E
from migrate_lint.replay.state import (DEFAULT, MAYBE, NO, YES, Column, Connection, Index,
                                       Origin, SchemaState, Table)
from migrate_lint.replay.steps import ADD, CHANGE, COMMAND, FLUENT, OPEN, UNSEEN, Step, Summary

DUMP = "<dump>"  # the migration name of a dump's (or a live database's) own statements
_PHASE_ORDER = {OPEN: -1, CHANGE: 0, ADD: 1, COMMAND: 2, FLUENT: 3, "": 2}


@record(frozen=True)
class Problem:
    """A step that definitely fails at this point of the history."""

    code: str | None  # ML101/ML102/ML103 when a lint rule reports it; None: plan only
    path: str
    line: int
    migration: str
    message: str  # the concrete reason, naming where the object came from
    error: str  # what the database (or Laravel) raises, as the engine words it
    step: Step | None = None
    sqlstate: str | None = None
    exception: str = ""


@record
class Run:
    """What one migration's up() did in the fold."""

    problems: list[Problem] = field(default_factory=list)
    skipped: list[Step] = field(default_factory=list)  # guard FALSE here
    unknown: list[Step] = field(default_factory=list)  # condition UNKNOWN here
    caught: list[Problem] = field(default_factory=list)  # failures a try/catch swallows
    may_fail: list[Problem] = field(default_factory=list)  # fail if their condition holds
    unchecked: list[tuple] = field(default_factory=list)  # (step, why) run on unknown state


def _where(origin: Origin | None, verb: str) -> str:
    if origin is None:
        return "it existed before these migrations"
    if origin.migration == DUMP:
        return f"it is already there ({origin})" if origin.line else "it is already there"
    return f"{verb} by {origin}"


class Replay:
    def __init__(self, state: SchemaState | None = None, default_name: str | None = None,
                 engine: str | None = None, laravel: tuple | None = None, probe: bool = False):
        self.state = state or SchemaState()
        self.default_name = default_name  # the default connection's configured name, if known
        self.engine = engine  # mysql | mariadb | sqlite | pgsql | None (not known)
        self.laravel = laravel  # the Laravel version, when known
        # probe: say which steps under an unknown condition would fail if they ran, and
        # which ran on state nobody knows (`plan` wants both; the lint rules do not).
        self.probe = probe
        self._reported: set = set()
        # Migrations whose up() leaves different columns in Laravel's two Blueprint orders
        # (version not known): the state is one of two, so their down() is not judged.
        self.order_dependent: set[str] = set()
        self._origins: dict = {}

    def origin(self, summary: Summary, line: int) -> Origin:
        """One Origin per migration and line, for every step on it (and the facts they make)."""
        key = (summary.path, summary.name, line)
        found = self._origins.get(key)
        if found is None:
            found = self._origins[key] = Origin(summary.path, line, summary.name)
        return found

    # ------------------------------------------------------------------ entry points
    def apply(self, summary: Summary, stop_at_first: bool = False) -> list[Problem]:
        return self.run(summary, stop_at_first).problems

    def run(self, summary: Summary, stop_at_first: bool = False) -> Run:
        run = Run()
        tries: dict[int, str] = {}  # try_id -> "failed" | "maybe"
        steps = summary.steps
        held: dict = {}  # conditions around the Schema calls, as PHP evaluated them
        i = 0
        while i < len(steps):
            j = i + 1
            if steps[i].group:
                while j < len(steps) and steps[j].group == steps[i].group:
                    j += 1
            block = steps[i:j]
            i = j
            _release(held, block)
            # The Blueprint's closure (and its guards) runs before any of its SQL is sent.
            values = [self._value(s, summary, tries, held) for s in block]
            if len(block) > 1 and block[0].action == "alter_table" and \
                    all(v is False for v in values[1:]):
                # Every command is skipped (`if (Schema::hasColumn(...))` on a table that is
                # gone): the Blueprint sends no SQL, so Schema::table does not fail either.
                values[0] = False
            order = self._ordered(block, values)
            doubt, other_order = self._order_doubt(block, values, order, summary, tries)
            backups: dict = {}
            unit = None
            for step, value in order:
                if value is False:
                    run.skipped.append(step)
                    continue
                key = self._unit(step)
                if key != unit:
                    unit, backups = key, {}
                self._backup(step, summary, backups)
                if value is None:
                    run.unknown.append(step)
                    if self.probe:
                        run.may_fail += self._would_fail(step, summary)
                applied = _Apply(self, step, summary, value).run()
                if self.probe and value is True and applied.uncertain and not applied.problems:
                    run.unchecked.append((step, applied.why))
                if doubt is not None:
                    applied.problems = [p for p in applied.problems if _key(p) in doubt]
                if applied.problems:
                    self._restore(backups)  # one statement fails whole: undo its first parts
                    if step.try_id:
                        # Caught: the rest of the try block is skipped, the migration goes on.
                        tries[step.try_id] = "failed"
                        run.caught += applied.problems
                        if E.engine_of(self.engine) != E.PGSQL:
                            continue
                        # On PostgreSQL the Migrator's transaction is aborted by the error: the
                        # next statement (at the latest, the insert into `migrations`) fails.
                        applied.problems = [_aborted(p) for p in applied.problems[:1]]
                    run.problems += applied.problems
                    if stop_at_first:
                        return run
                elif step.try_id and (value is None or applied.uncertain):
                    tries.setdefault(step.try_id, "maybe")
            if other_order is not None and self._differs(other_order, block, summary):
                self.order_dependent.add(summary.path)
        return run

    def down_problems(self, summary: Summary) -> list[Problem]:
        """What down() definitely fails on when it runs right after this migration's up(), as
        a rollback of the last batch runs it: folded on a copy of the tables it names, so the
        history goes on from the state up() left."""
        steps = summary.down_steps
        if summary.path in self.order_dependent:
            return []
        if all(s.action == "drop_table" and s.if_exists for s in steps):
            return []  # the usual down(), dropIfExists, never fails: no copy to fold it on
        probe = self._sandbox(steps, summary, self.laravel)
        if probe is None:
            return []  # down() may change any table: nothing definite
        return [replace(p, code="ML105")
                for p in probe.run(replace(summary, steps=steps)).problems
                if p.code or self._index_down_problem(p)]

    def _index_down_problem(self, p: Problem) -> bool:
        """An index or foreign key down() drops that its up() left missing, or adds again
        while its up() left it in place (1061 Duplicate key name). Kept for ML105
        (elsewhere index failures are plan's only): right after up() the table's indexes are
        the ones its history made. Not a foreign key on SQLite unless Laravel is known to be
        older than 11 (11 rebuilds the table and drops what it finds)."""
        step = p.step
        if step is not None and step.action == "add_index":
            return True  # an index or foreign key up() left in place, added again
        if step is None or step.action != "drop_index":
            return False
        if step.ctype == "foreign" and E.engine_of(self.engine) == E.SQLITE:
            return self.laravel is not None and self.laravel[0] < 11
        return True

    def _unit(self, step: Step):
        """Steps that one SQL statement makes, which fail or succeed together: every column
        a Blueprint adds before Laravel 11.15 on MySQL/MariaDB (one ALTER), else the columns
        of one call (`dropColumn(['a', 'b'])`)."""
        legacy = self.laravel is None or tuple(self.laravel[:2]) < (11, 15)
        if step.phase == ADD and step.group and legacy and \
                E.engine_of(self.engine) in (E.MYSQL, E.MARIADB):
            return ("add", step.group)
        return (step.group, step.line, step.action, step.phase) if step.group else id(step)

    def _backup(self, step: Step, summary: Summary, backups: dict) -> None:
        if not step.table or step.action not in ("add_column", "drop_column", "change_column"):
            return
        name = self._conn_name(step.connection, summary)
        if name == UNSEEN:
            return
        conn = self.state.connection(name)
        key = (name, step.table.lower())
        if key not in backups:
            t = conn.get(step.table)
            backups[key] = (conn, t.copy() if t is not None else None)

    @staticmethod
    def _restore(backups: dict) -> None:
        for (_, table), (conn, saved) in backups.items():
            if saved is None:
                conn.tables.pop(table, None)
            else:
                conn.put(saved)
        backups.clear()

    def _would_fail(self, step: Step, summary: Summary) -> list[Problem]:
        probe = self._sandbox([step], summary, self.laravel)
        return _Apply(probe, step, summary, True).run().problems if probe is not None else []

    def _sandbox(self, steps, summary: Summary, laravel) -> "Replay | None":
        """A Replay on a copy of what these steps can change (the tables they name), sharing
        the rest of the state; None when a step could change any table."""
        conns = {n: Connection(c.name, dict(c.tables), c.closed, list(c.notes))
                 for n, c in self.state.connections.items()}
        probe = Replay(SchemaState(conns), self.default_name, self.engine, laravel)
        probe._reported = set(self._reported)
        probe._origins = self._origins
        for step in steps:
            name = self._conn_name(step.connection, summary)
            if name == UNSEEN or step.table is None or step.action.startswith("taint") or \
                    (step.action == "rename_table" and step.to is None):
                return None  # (a rename to a computed name touches every table)
            conn = probe.state.connection(name)
            for table in (step.table, step.to if step.action == "rename_table" else None):
                t = conn.get(table) if table else None
                if t is not None:
                    conn.put(t.copy())
        return probe

    def apply_step(self, step: Step, summary: Summary) -> list[Problem]:
        return _Apply(self, step, summary, True).run().problems

    def _ordered(self, block, values, modern: bool | None = None):
        pairs = list(zip(block, values))
        if len(pairs) < 2:
            return pairs
        if modern is None:
            modern = self.laravel is not None and tuple(self.laravel[:2]) >= (11, 15)
        if modern:
            return sorted(pairs, key=lambda p: p[0].phase == FLUENT)  # stable: source order
        return sorted(pairs, key=lambda p: _PHASE_ORDER.get(p[0].phase, 2))

    def _order_doubt(self, block, values, order, summary, tries):
        """With the Laravel version unknown, a Blueprint whose commands Laravel before and
        after 11.15 send in different orders can only fail where it fails both ways: the
        problems the other order finds too (as keys), or None when the order is not in doubt."""
        if self.laravel is not None or len(block) < 2:
            return None, None
        other = self._ordered(block, values, modern=True)
        if [p[0] for p in other] == [p[0] for p in order]:
            return None, None
        probe = self._sandbox([p[0] for p in other], summary, (12, 0))
        if probe is None:
            return None, None
        found = set()
        for step, value in other:
            if value is not False:
                found |= {_key(p) for p in _Apply(probe, step, summary, value).run().problems}
        return found, probe

    def _differs(self, probe: "Replay", block, summary: Summary) -> bool:
        """Whether the two orders left the block's tables with different columns."""
        for step in block:
            name = self._conn_name(step.connection, summary)
            for table in (step.table, step.to):
                if not table:
                    continue
                a = self.state.connection(name).get(table)
                b = probe.state.connection(name).get(table)
                if _shape(a) != _shape(b):
                    return True
        return False

    # ------------------------------------------------------------------ conditions
    def _value(self, step: Step, summary: Summary, tries, held=None) -> bool | None:
        if step.try_id in tries:
            if tries[step.try_id] == "failed":
                return False

        def atom(a):
            return self._atom(a, step, summary)

        if held is None or step.outer == C.TRUE:
            value = C.evaluate(step.cond, atom)
        else:
            # `if (! Schema::hasColumn('t', 'c')) { return; }` and the `if` around several
            # Schema calls are evaluated once, before the first of them: their value is held
            # while the steps under them run (else the column the first call adds would make
            # the rest of the method look skipped).
            outer = _conjuncts(step.outer)
            value = True
            for part in _conjuncts(step.cond):
                if part in outer:
                    if part not in held:
                        held[part] = C.evaluate(part, atom)
                    v = held[part]
                else:
                    v = C.evaluate(part, atom)
                if v is False:
                    value = False
                    break
                if v is None:
                    value = None
        if step.conditional and value is True:
            value = None
        if value is True and tries.get(step.try_id) == "maybe":
            value = None
        return value

    def _atom(self, atom, step: Step, summary: Summary) -> bool | None:
        tag = atom[0]
        if tag == "driver":
            return self._driver(atom[2])
        if tag != "has":
            return None
        _, kind, conn_key, table, name, extra = atom
        if isinstance(conn_key, tuple):
            return None
        conn_name = self._conn_name(conn_key if conn_key is not None else step.connection,
                                    summary)
        if conn_name == UNSEEN or table is None or isinstance(table, tuple):
            return None
        conn = self.state.connection(conn_name)
        status = conn.status(table)
        if kind == "table":
            return _truth(status)
        if kind == "rows":
            return False if status == NO else None
        t = conn.get(table)
        if status == NO:
            return False  # Laravel's has* on a missing table answer false
        if kind == "column":
            if t is None or isinstance(name, tuple) or name is None:
                return None
            return _truth(t.column_status(name))
        if kind in ("index", "foreign"):
            return self._index_atom(t, status, kind, name, extra)
        return None

    def _index_atom(self, t: Table | None, status, kind, key, extra) -> bool | None:
        if t is None or key is None or (isinstance(key, tuple) and key[0] != "cols"):
            return None
        engine = E.engine_of(self.engine) if self.engine else None
        if kind == "foreign" and isinstance(key, str) and engine == E.SQLITE:
            return False  # Laravel reports no foreign key names on SQLite
        wanted_kind = "foreign" if kind == "foreign" else None
        found = MAYBE if not t.indexes_complete else NO
        for idx in t.indexes.values():
            if (idx.kind == "foreign") != (wanted_kind == "foreign"):
                continue
            if kind == "index" and extra and not _type_matches(idx.kind, extra):
                continue
            if isinstance(key, tuple):
                matches = tuple(c.lower() for c in idx.columns) == tuple(c.lower()
                                                                         for c in key[1])
            elif idx.kind == "primary" and engine == E.PGSQL:
                matches = f"{t.name.lower()}_pkey" == key  # PostgreSQL's name for it
            else:
                # Laravel lower-cases the names it reads back and compares with `===`.
                matches = idx.name.lower() == key
            if matches:
                if idx.status == YES:
                    found = YES
                    break
                found = MAYBE
        if status == MAYBE and found == YES:
            return None
        return _truth(found)

    def _driver(self, name: str) -> bool | None:
        if not self.engine:
            return None
        engine = E.engine_of(self.engine)
        if engine == E.MARIADB:
            # Laravel before 11 has no mariadb driver: MariaDB reports "mysql".
            modern = self.laravel is not None and self.laravel[0] >= 11
            return name == ("mariadb" if modern else "mysql")
        return name == {E.MYSQL: "mysql", E.SQLITE: "sqlite", E.PGSQL: "pgsql"}[engine]

    def _conn_name(self, step_conn: str | None, summary: Summary) -> str:
        name = step_conn if step_conn is not None else summary.connection
        if name is None:
            return DEFAULT
        if name == UNSEEN:
            return UNSEEN
        if self.default_name is not None and name == self.default_name:
            return DEFAULT
        return name


def _conjuncts(cond: tuple) -> tuple:
    return cond[1:] if cond[0] == "and" else (cond,)


def _release(held: dict, block) -> None:
    """Forget the held conditions the block is no longer under (their `if` has ended)."""
    if not held:
        return
    live = set()
    for s in block:
        live.update(_conjuncts(s.outer))
    for key in [k for k in held if k not in live]:
        del held[key]


def _shape(t: Table | None):
    if t is None:
        return None
    return t.status, {k: c.status for k, c in t.columns.items()}


def _aborted(p: Problem) -> Problem:
    err = E.error("aborted_transaction", E.PGSQL)
    return Problem(p.code, p.path, p.line, p.migration,
                   f"{p.message}; the try/catch swallows it, but PostgreSQL has aborted the "
                   f"migration's transaction", err.message, p.step, err.sqlstate, err.exception)


def _key(p: Problem):
    return (p.line, p.message)


def _truth(status: str) -> bool | None:
    return True if status == YES else False if status == NO else None


def _type_matches(kind: str, wanted: str) -> bool:
    return kind == wanted or (wanted == "unique" and kind == "primary")


class _Apply:
    """One step, run (value True) or maybe run (value None), on the state."""

    def __init__(self, replay: Replay, step: Step, summary: Summary, value: bool | None):
        self.replay, self.step, self.summary = replay, step, summary
        self.cond = value is not True  # True: the step may or may not run
        self.origin = replay.origin(summary, step.line)
        self.problems: list[Problem] = []
        self.uncertain = False  # it may fail on state we do not know
        self.why = ""

    def run(self) -> "_Apply":
        conn_name = self.replay._conn_name(self.step.connection, self.summary)
        handler = getattr(self, "_" + self.step.action, None)
        if handler is None:
            return self
        if conn_name == UNSEEN:
            # Could be any connection: it may have happened on each.
            self.uncertain, self.why = True, "its connection is computed at run time"
            self.cond = True
            for conn in list(self.replay.state.connections.values()) or [
                    self.replay.state.connection(DEFAULT)]:
                self.conn = conn
                self._dispatch(handler)
            self.problems = []
            return self
        self.conn = self.replay.state.connection(conn_name)
        self._dispatch(handler)
        return self

    def _dispatch(self, handler):
        if self.step.table is None and self.step.action not in ("taint_all",):
            self._unresolved()
        else:
            handler()

    @property
    def engine(self):
        return self.replay.engine

    def fail(self, code, message, kind, table="", name=""):
        err = E.error(kind, self.engine, table, name)
        self.problems.append(Problem(code, self.origin.path, self.origin.line,
                                     self.origin.migration, message, err.message, self.step,
                                     err.sqlstate, err.exception))

    def unsure(self, status, why: str = "") -> None:
        if status == MAYBE and not self.cond:
            self.uncertain = True
            self.why = self.why or why or self._unknown_why()

    def _unknown_why(self) -> str:
        t = self.conn.get(self.step.table) if self.step.table else None
        if not self.conn.closed and (t is None or t.origin is None):
            return (f"table '{self.step.table}' on connection '{self.conn.name}' is not in "
                    f"the database read")
        if t is not None and t.notes:
            return f"'{t.name}' is not known exactly: {t.notes[-1]}"
        return f"the state of '{self.step.table}' is not known"

    # ------------------------------------------------------------------ tables
    def _use_table(self, table: str) -> Table | None:
        """The table an unconditional step needs; None (reported once) when it is gone."""
        t = self.conn.get(table)
        if t is None:
            if self.conn.status(table) == NO and not self.cond:
                self._missing_table(table, None)
                return None
            self.unsure(MAYBE)
            return self.conn.put(Table(table, MAYBE if self.cond else YES, None, False,
                                       indexes_complete=False))
        if t.status == NO and not self.cond:
            # The migration stops here: nothing after it touches this table.
            self._missing_table(table, t)
            return None
        self.unsure(t.status)
        if t.status == MAYBE and not self.cond:
            t.status = YES  # the step succeeded, so the table was there
        return t

    def _missing_table(self, table, t: Table | None, kind="missing_table"):
        key = (self.conn.name, self.origin.path, table.lower())
        if key in self.replay._reported:
            return
        self.replay._reported.add(key)
        if t is not None and t.removed_by is not None:
            why = f"{'renamed' if t.renamed_to else 'dropped'} by {t.removed_by}"
            if t.renamed_to:
                why += f" to '{t.renamed_to}'"
        elif t is not None and t.created_later is not None:
            why = f"not created yet: {t.created_later} creates it later"
        else:
            why = "not in the database"
        self.fail("ML103", f"table '{table}' does not exist here ({why})", kind, table)

    def _create_table(self):
        s = self.step
        existing = self.conn.get(s.table)
        status = existing.status if existing is not None else self.conn.status(s.table)
        if not self.cond:
            if status == YES:
                if existing is not None and existing.origin is not None:
                    msg = f"table '{s.table}' already exists: {_where(existing.origin, 'created')}"
                    self.fail("ML102", msg, "duplicate_table", s.table)
                else:
                    self.fail(None, f"table '{s.table}' already exists (it was there before "
                              f"these migrations)", "duplicate_table", s.table)
                return
            self.unsure(status)
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
        t = Table(s.table, status, self.origin, s.complete, indexes_complete=s.complete)
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
            self._missing_table(s.table, t, "drop_missing_table")
            return
        if not s.if_exists:
            self.unsure(status)
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
        dst_status = dst.status if dst is not None else self.conn.status(s.to)
        if self.cond:
            if src is not None and src.status == YES:
                src.status = MAYBE
            moved = (src.copy(s.to) if src is not None else Table(s.to, MAYBE, None, False,
                                                                  indexes_complete=False))
            moved.status = MAYBE if dst_status != YES else YES
            if dst_status != YES:
                self.conn.put(moved)
            return
        if src_status == NO:
            self._missing_table(s.table, src)
            return
        if dst_status == YES:
            self.fail(None, f"table '{s.to}' already exists: "
                      f"{_where(dst.origin if dst else None, 'created')}",
                      "duplicate_table", s.to)
            return
        self.unsure(src_status)
        self.unsure(dst_status)
        moved = src.copy(s.to) if src is not None else Table(s.to, YES, None, False,
                                                             indexes_complete=False)
        moved.status, moved.removed_by, moved.renamed_to = YES, None, None
        self.conn.put(moved)
        self.conn.put(Table(s.table, NO, src.origin if src else None, True,
                            removed_by=self.origin, renamed_to=s.to))

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
                Table(self.step.table, MAYBE, None, False, indexes_complete=False))
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
        status = t.column_status(s.column)
        if status == YES:
            if col is not None and col.origin is not None:
                self.fail("ML101", f"column '{t.name}.{s.column}' already exists: "
                          f"{_where(col.origin, 'added')}", "duplicate_column", t.name, s.column)
            else:
                self.fail(None, f"column '{t.name}.{s.column}' already exists (it was there "
                          f"before these migrations)", "duplicate_column", t.name, s.column)
            return
        self.unsure(status)
        t.columns[s.column.lower()] = Column(s.column, s.ctype, YES, self.origin)

    def _missing_column(self, t: Table, column: str, kind: str):
        col = t.column(column)
        if col is not None and col.origin is not None:
            why = f"dropped by {col.origin}"
        elif t.origin is not None and t.origin.migration == DUMP:
            why = "not among the columns the database has"
        else:
            why = f"not among the columns {_where(t.origin, 'created')}"
        self.fail("ML103", f"column '{t.name}.{column}' does not exist here ({why})", kind,
                  t.name, column)

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
        status = t.column_status(s.column)
        if status == NO and not s.if_exists:
            self._missing_column(t, s.column, "missing_column")
            return
        self.unsure(status)
        t.columns[s.column.lower()] = Column(s.column, None, NO, self.origin)
        for key, idx in list(t.indexes.items()):
            if s.column.lower() in (c.lower() for c in idx.columns):
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
            self._missing_column(t, s.column, "unknown_column")
            return
        if t.column_status(s.to) == YES:
            other = t.column(s.to)
            self.fail(None, f"column '{t.name}.{s.to}' already exists: "
                      f"{_where(other.origin if other else None, 'added')}",
                      "duplicate_column", t.name, s.to)
            return
        self.unsure(t.column_status(s.column))
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
            self._missing_column(t, s.column, "unknown_column")
            return
        if col is None:
            t.columns[s.column.lower()] = Column(s.column, s.ctype, YES, None)
        else:
            col.status = YES
            col.ctype = s.ctype or col.ctype

    # ------------------------------------------------------------------ indexes (plan only)
    def _add_index(self):
        s = self.step
        t = self.conn.get(s.table)
        if t is None or not s.index:
            if t is not None:
                t.indexes_complete = False
            return
        if t.status == NO:
            return
        key = s.index.lower()
        idx = t.indexes.get(key)
        if s.ctype == "foreign" and E.engine_of(self.engine) == E.SQLITE and t.origin != \
                self.origin:
            return  # SQLite adds foreign keys only with the table (Laravel ignores the rest)
        if s.ctype == "primary" and E.engine_of(self.engine) == E.SQLITE and t.origin != \
                self.origin:
            # Laravel 8-10's SQLite grammar has no compilePrimary (the command is skipped on an
            # existing table), 11+ rebuild the table with it: there or not, never a failure.
            t.indexes[key] = Index(s.index, "primary", tuple(s.columns), MAYBE, self.origin)
            return
        if not self.cond and idx is not None and idx.status == YES and t.status == YES:
            kind = "duplicate_foreign" if s.ctype == "foreign" else "duplicate_index"
            self.fail(None, f"{'foreign key' if s.ctype == 'foreign' else 'index'} "
                      f"'{s.index}' already exists on '{t.name}': "
                      f"{_where(idx.origin, 'added')}", kind, t.name, s.index)
            return
        if not self.cond and (idx is not None and idx.status == MAYBE or
                              idx is None and not t.indexes_complete):
            self.uncertain = True
            self.why = self.why or f"the indexes of '{t.name}' are not known exactly"
        t.indexes[key] = Index(s.index, s.ctype or "index", tuple(s.columns),
                               MAYBE if self.cond or t.status != YES else YES, self.origin,
                               s.references)

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
        if self.cond:
            if idx is not None:
                idx.status = MAYBE
            return
        if s.ctype == "primary" and E.engine_of(self.engine) == E.SQLITE:
            # No compileDropPrimary for SQLite before 11 (skipped), 11+ rebuild the table
            # without it: never a failure, and the key may still be there.
            if idx is not None:
                idx.status = MAYBE
            return
        if s.ctype == "foreign" and E.engine_of(self.engine) == E.SQLITE and \
                self.replay.laravel is not None and self.replay.laravel[0] < 11:
            self.fail(None, "Laravel before 11 cannot drop a foreign key on SQLite",
                      "missing_foreign", t.name, s.index)
            return
        if t.status == YES and t.indexes_complete and (idx is None or idx.status == NO) \
                and not s.if_exists:
            kind = "missing_foreign" if s.ctype == "foreign" else "missing_index"
            self.fail(None, f"{'foreign key' if s.ctype == 'foreign' else 'index'} "
                      f"'{s.index}' does not exist on '{t.name}'", kind, t.name, s.index)
            return
        if idx is None or idx.status == MAYBE:
            self.uncertain = True
            self.why = self.why or f"the indexes of '{t.name}' are not known exactly"
        t.indexes.pop(s.index.lower(), None)
        if s.ctype == "foreign" and E.engine_of(self.engine) in (E.MYSQL, E.MARIADB):
            # InnoDB indexes a foreign key's columns under the constraint's name unless an
            # index already covers them, and keeps that index when the key is dropped.
            t.indexes[s.index.lower()] = Index(s.index, "index", idx.columns if idx else (),
                                               MAYBE, self.origin)

    def _rename_index(self):
        s = self.step
        t = self.conn.get(s.table)
        if t is None or s.index is None or s.to is None:
            return
        idx = t.indexes.pop(s.index.lower(), None)
        if idx is not None:
            t.indexes[s.to.lower()] = Index(s.to, idx.kind, idx.columns,
                                            MAYBE if self.cond else idx.status, self.origin,
                                            idx.references)
        elif not t.indexes_complete:
            self.uncertain = True
            self.why = self.why or f"the indexes of '{t.name}' are not known exactly"

    # ------------------------------------------------------------------ unknowns
    def _taint_table(self):
        t = self.conn.get(self.step.table)
        if t is None:
            t = self.conn.put(Table(self.step.table, MAYBE, None, False, indexes_complete=False))
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
        if not self.cond:
            self.uncertain, self.why = True, f"the table `{s.table_expr or '?'}` is computed"
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
        if s.action in ("add_index", "drop_index"):
            for t in self.conn.tables.values():
                t.indexes_complete = False
        if s.action == "taint_table":
            self._taint_all()


__all__ = ["Problem", "Replay", "Run", "Connection"]
