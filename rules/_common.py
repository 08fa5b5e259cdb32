"""Small helpers the rule modules share: building findings and reading guards."""

from __future__ import annotations

import re

from migrate_lint.findings import Finding, Span
from migrate_lint.model import conditions as C
from migrate_lint.model.types import BlueprintCall
from migrate_lint.record import field, record

_WS = re.compile(r"\s+")


@record
class RuleContext:
    check_down: bool = True
    laravel_version: tuple[int, ...] | None = None
    database: str | None = None
    database_version: tuple[int, ...] | None = None
    options: dict = field(default_factory=dict)


def in_scope(item_ctx, ctx: RuleContext) -> bool:
    return ctx.check_down or item_ctx.method != "down"


def snippet(migration, span: Span | None) -> str:
    if span is None:
        return ""
    raw = migration.source.data[span.start:span.end].decode("utf-8", errors="replace")
    return _WS.sub(" ", raw).strip()


def finding(rule, migration, span: Span, message: str, target=None, statement: Span | None = None,
            fixable: bool | None = None, severity: str | None = None) -> Finding:
    fixable = rule.FIXABLE if fixable is None else fixable
    if fixable and isinstance(target, BlueprintCall):
        first = entangled(target)
        if first is not None:
            fixable = False
            message += (f"; not fixed: `{first.method}()` on line {first.span.line} changes it in "
                        f"the same Blueprint and may run before it, but a guard in the closure "
                        f"is checked before either runs")
    return Finding(code=rule.CODE, rule=rule.NAME, path=migration.path, span=span,
                   message=message, severity=severity or getattr(rule, "SEVERITY", "error"),
                   fixable=fixable,
                   snippet=snippet(migration, statement or span),
                   extra={"target": target} if target is not None else {})


_COLUMN_MOVES = {"add", "drop", "rename"}
_INDEX_MOVES = {"index", "drop_index"}


def _names(call, with_args: bool) -> set:
    """The columns a call names (and, for index calls, its other arguments: an index name)."""
    return {n.value.lower() if n.known else n.expr
            for n in (*call.columns, *(call.args if with_args else ()))}


def _exclusive(a, b) -> bool:
    """a and b never run together: one runs under a condition the other runs under the
    negation of (an if/else)."""
    ca, cb = _conjuncts(a.ctx.cond), _conjuncts(b.ctx.cond)
    return any(C.not_(c) in cb for c in ca)


def entangled(call):
    """Another command of the same Blueprint, run before this one, makes or removes what it
    works on: a guard written in the closure runs while the Blueprint is built, before any of
    its SQL, so it would see the table as it was before that command and skip a statement it
    makes necessary (`dropColumn('a'); $table->string('a');` on Laravel 11.15+, which runs the
    commands in order). Before 11.15 the column adds run first, wherever they are written.
    Such a finding is reported, not fixed. Returns that command, or None."""
    if call.category in _COLUMN_MOVES:
        moves, index = _COLUMN_MOVES, False
    elif call.category in _INDEX_MOVES:
        moves, index = _INDEX_MOVES | {"drop", "rename"}, True  # a dropped column's indexes go
    else:
        return None
    mine = _names(call, index)

    def touches(other) -> bool:  # renames the table, or makes or removes what call names
        if other.category == "rename_table":
            return True
        return other.category in moves and not mine.isdisjoint(
            _names(other, index and other.category in _INDEX_MOVES))

    def runs_first(other) -> bool:  # in order (11.15+), or as a column add (before 11.15)
        return other.span.start < call.span.start or (other.category == "add"
                                                       and call.category != "add")

    return next((other for other in call.op.calls if other is not call
                 and not _exclusive(call, other) and touches(other) and runs_first(other)),
                None)


def q(name) -> str:
    """A name for messages: 'tasks' for literals, the expression otherwise."""
    if name.known:
        return f"'{name.value}'"
    return name.expr if len(name.expr) <= 40 else name.expr[:37] + "..."


def version_at_least(ctx: RuleContext, *wanted: int) -> bool:
    return ctx.laravel_version is not None and tuple(ctx.laravel_version[:len(wanted)]) >= wanted


def non_create_calls(migration, ctx: RuleContext, category: str):
    """Blueprint calls of one category outside Schema::create (a new table needs no guards)."""
    for op in migration.ops:
        if op.kind == "create":
            continue
        for call in op.calls:
            if call.category == category and in_scope(call.ctx, ctx) and not call.ctx.protection:
                yield op, call


def before(a, b) -> bool:
    """a runs before b in the same method (see ORDER in lint/model/types.py)."""
    return a.ctx.method == b.ctx.method and (a.order, a.span.start) < (b.order, b.span.start)


def _conjuncts(cond: tuple) -> set:
    if cond == ("true",):
        return set()
    return set(cond[1:]) if cond[0] == "and" else {cond}


def runs_whenever(earlier, later, own=lambda atom: False) -> bool:
    """earlier runs (and cannot be skipped by a caught failure) on every run where later runs:
    its conditions are among later's, except its own existence checks (`own(atom)`), which
    leave the thing absent either way (`if (hasColumn(t, c)) dropColumn(c)`)."""
    if earlier.ctx.protection:
        return False
    rest = {c for c in _conjuncts(earlier.ctx.cond) if not own(c)}
    return rest <= _conjuncts(later.ctx.cond)


def blueprint_commands_in_order(ctx: RuleContext) -> bool:
    """Since Laravel 11.15 a Blueprint runs its column adds in order with its other commands;
    before, the adds run first (an unknown version is taken as the older behaviour)."""
    return version_at_least(ctx, 11, 15)


def _has_atom(atom, kinds, table, names=None) -> bool:
    if atom[0] != "has" or atom[1] not in kinds:
        return False
    t = atom[3]
    if t is not None and not (isinstance(t, str) and table.known
                              and t.lower() == table.value.lower()):
        return False
    if names is None:
        return True
    return isinstance(atom[4], str) and atom[4].lower() in names


def _turns(table):
    """The tables an op names: each value of a loop variable over a literal list (every turn
    must be safe), else its one name."""
    from migrate_lint.model.types import literal

    return tuple(literal(v) for v in table.each) or (table,)


def column_dropped_before(migration, op, call, column, ctx: RuleContext) -> bool:
    """An earlier drop of this column in the same method always runs where the add runs, so
    the add meets a table without it (the drop itself is ML003's business)."""
    if not column.known:
        return False
    return all(_column_dropped_before(migration, op, call, column.value.lower(), ctx, table)
               for table in _turns(op.table))


def _column_dropped_before(migration, op, call, name, ctx, table) -> bool:
    for other, drop in _drops_of(migration).get(name, ()):
        if other.conn != op.conn or not other.table.covers(table):
            continue
        if not before(drop, call):
            continue
        if other is op and not blueprint_commands_in_order(ctx):
            continue
        if runs_whenever(drop, call, lambda a: _has_atom(a, ("column",), table, {name})):
            return True
    return False


def _drops_of(migration) -> dict:
    """{lower-cased column name: [(op, drop), ...]}: the drops (a dropColumns op, or a drop
    call of an op) that name each column, made once per file (5,000 adds to one table made
    column_dropped_before quadratic)."""
    found = migration.__dict__.get("_drops_by_column")
    if found is None:
        found = migration.__dict__["_drops_by_column"] = {}
        for other in migration.ops:
            drops = [other] if other.kind == "dropColumns" else [
                c for c in other.calls if c.category == "drop"]
            for drop in drops:
                for name in {c.value.lower() for c in drop.columns if c.known}:
                    found.setdefault(name, []).append((other, drop))
    return found


def index_dropped_before(migration, op, call) -> bool:
    """An earlier drop of this index (by name, by its columns, or of all its columns) always
    runs where the add runs. Commands of one Blueprint run in order, so the same closure
    counts."""
    return all(_index_dropped_before(migration, op, call, t) for t in _turns(op.table))


def _index_dropped_before(migration, op, call, on) -> bool:
    from migrate_lint.model import blueprint as bp

    table = on.value if on.known else None
    kind = bp.INDEX_KIND.get(call.method, "index")
    cols = [c.value.lower() for c in call.columns if c.known]
    if len(cols) != len(call.columns) or not cols:
        return False
    explicit = call.args[1].value if len(call.args) > 1 and call.args[1].known else None
    name = (explicit or bp.index_name(table, cols, kind)).lower()
    for other in migration.ops:
        if other.conn != op.conn or not other.table.covers(on):
            continue
        for drop in other.calls:
            if not before(drop, call):
                continue
            if drop.category == "drop_index":
                dkind = bp.INDEX_KIND.get(drop.method, "index")
                dcols = [c.value.lower() for c in drop.columns if c.known]
                if drop.columns:
                    dname = bp.index_name(table, dcols, dkind) if len(dcols) == len(
                        drop.columns) else None
                else:
                    dname = drop.args[0].value if drop.args and drop.args[0].known else None
                hit = (dname is not None and dname.lower() == name) or (
                    kind == dkind == "primary")
            elif drop.category == "drop":
                dropped = {c.value.lower() for c in drop.columns if c.known}
                hit = set(cols) <= dropped
            elif drop.category == "opaque":
                # A helper we cannot read, given the Blueprint and this index's name, whose
                # name says it drops (Lychee's `$this->optimize->dropIndexIfExists($table, n)`)
                hit = "drop" in drop.method.lower() and any(
                    a.known and a.value.lower() == name for a in drop.args)
            else:
                continue
            if hit and runs_whenever(drop, call, lambda a: _has_atom(
                    a, ("index", "foreign", "column"), on) or (
                    kind == "foreign" and _not_on_sqlite(a))):
                return True
    # Raw SQL: `ALTER TABLE t DROP FOREIGN KEY IF EXISTS name` (Ctrlpanel), `DROP INDEX IF
    # EXISTS name` in an ALTER TABLE of this table.
    for raw in migration.raw_sql:
        if raw.conn != op.conn or not before(raw, call) or not runs_whenever(raw, call):
            continue
        if any(s.kind == "alter_drop_index" and s.guarded and s.column
               and s.column.lower() == name and s.table and table is not None
               and s.table.lower() == table.lower() for s in raw.statements):
            return True
    return False


def _not_on_sqlite(atom) -> bool:
    """`DB::getDriverName() !== 'sqlite'` around a dropForeign: on SQLite a foreign key added to
    an existing table is never a duplicate (Laravel before 11 ignores it, later ones rebuild the
    table with it), so the drop only has to run elsewhere (koel's cascade_delete_user)."""
    return atom[0] == "not" and atom[1][0] == "driver" and atom[1][2] == "sqlite"


# ---------------------------------------------------------------- made earlier in the method
# A schema operation on a table or column that an earlier statement of the same method always
# makes cannot be the first failure of a re-run: that statement either fails first (its own
# finding: ML001, ML002) or makes the object again; after --fix guards it with
# `if (! Schema::hasColumn(...))` the object exists afterwards either way. The mirror of
# column_dropped_before / index_dropped_before (an add after an always-run drop).

def _unknown_generic(cond) -> bool:
    """A loop body, a callback, a catch block, a switch branch: their conditions read the same
    text wherever they are, so equal atoms do not mean the same loop or closure."""
    from migrate_lint.model.conditions import atoms

    return any(a[0] == "unknown" and (a[1].startswith("a ") or a[1] == "else")
               for a in atoms(cond))


def _made_whenever(maker, later, table, column=None) -> bool:
    """maker runs whenever later runs, except for its own negative existence check
    (`if (! Schema::hasColumn(t, c))` around an add leaves the column there either way), and
    not under a loop, callback or catch block that equal conditions cannot tell apart."""
    def own(c):
        if c[0] != "not":
            return False
        if column is None:
            return _has_atom(c[1], ("table",), table)
        return _has_atom(c[1], ("column",), table, {column})

    if not runs_whenever(maker, later, own):
        return False
    return not any(_unknown_generic(c) for c in _conjuncts(maker.ctx.cond) if not own(c))


def _conn(item):
    """The connection an op, Blueprint call or query runs on, as guards name it. A query's
    connection is not modelled: one that names a connection is on an unknown one."""
    if hasattr(item, "conn") and hasattr(item, "kind"):
        return item.conn
    if hasattr(item, "op"):
        return item.op.conn
    return None


def _query_conn_named(migration, item) -> bool:
    span = item.statement or item.span
    return b"connection(" in migration.source.data[span.start:span.end].lower()


def lifecycle(migration) -> dict:
    """Every statement that makes or removes a table or a column, once per file, in run order,
    indexed by (verb, name): name is the lower-cased column, None for the table itself, "*"
    for a column whose name is not known (a possible removal of any). Each entry is
    (item, table Name, rename): rename is the op or call that makes its target by renaming.
    Indexed so that a file of 5,000 temporary columns is not quadratic."""
    found = migration.__dict__.get("_lifecycle")
    if found is not None:
        return found
    found = migration.__dict__["_lifecycle"] = {}
    from migrate_lint.model.types import Name

    unknown = (Name(None, "?"),)

    def add(verb, item, table, column, rename=None):
        found.setdefault((verb, column), []).append((item, table, rename))

    def name(c):
        return c.value.lower() if c.known else "*"

    for op in migration.ops:
        if op.kind == "create":
            add("make", op, op.table, None)
        elif op.kind in ("drop", "dropIfExists"):
            add("remove", op, op.table, None)
        elif op.kind == "rename":
            add("remove", op, op.table, None)
            if op.to_table is not None:
                add("make", op, op.to_table, None, op)
        elif op.kind == "dropColumns":
            for c in op.columns or unknown:
                add("remove", op, op.table, name(c))
        for call in op.calls:
            if call.category == "add":
                for c in call.columns:
                    if c.known:
                        add("make", call, op.table, name(c))
            elif call.category == "drop":
                for c in call.columns or unknown:
                    add("remove", call, op.table, name(c))
            elif call.category == "rename" and call.columns:
                add("remove", call, op.table, name(call.columns[0]))
                if len(call.columns) > 1 and call.columns[1].known:
                    add("make", call, op.table, name(call.columns[1]), call)
            elif call.category == "rename_table":
                add("remove", call, op.table, None)
                if call.columns and call.columns[0].known:
                    add("make", call, call.columns[0], None, call)
    for events in found.values():
        events.sort(key=lambda e: (e[0].order, e[0].span.start))
    return found


def _events(migration, verb, column):
    return lifecycle(migration).get((verb, column), ())


def _removals(migration, column):
    """The removals that may take a column (or, column None, the table) away: the table's,
    and for a column its own and those of unknown columns."""
    yield from _events(migration, "remove", None)
    if column is not None:
        yield from _events(migration, "remove", column)
        yield from _events(migration, "remove", "*")


def _may_be(name, table) -> bool:
    """name (a remover's table) may be table: the same, a loop over it, or not known."""
    return not name.known and not name.each or name.covers(table) or table.covers(name)


def _removed_between(migration, first, later, table, column) -> bool:
    """Something between first and later (in the method's run order) may remove the object:
    the table, or (for a column) the column, any column of that name unknown, or its table.
    Any such statement counts, whatever its condition."""
    return any(before(first, item) and before(item, later) and _may_be(t, table)
               for item, t, _ in _removals(migration, column))


def made_before(migration, later, table, column=None, depth=0) -> bool:
    """An earlier statement of the same method that runs whenever `later` runs (see
    _made_whenever) makes this table (column None) or this column of the table, on the same
    connection, and nothing in between may remove it. A rename makes its target only when its
    source is sure to be there on a re-run too (_rename_makes)."""
    if depth > 4 or not table.known:
        return False
    conn = _conn(later)
    if not hasattr(later, "kind") and not hasattr(later, "op") \
            and _query_conn_named(migration, later):
        return False
    for item, t, rename in _events(migration, "make", column):
        if not before(item, later) or _conn(item) != conn or not t.covers(table):
            continue
        if not _made_whenever(item, later, table, column):
            continue
        if _removed_between(migration, item, later, table, column):
            continue
        if rename is not None and not _rename_makes(migration, rename, later, table, column,
                                                    depth):
            continue
        return True
    return False


def _rename_makes(migration, rename, later, table, column, depth) -> bool:
    """A guarded rename (what --fix writes: `hasColumn(t, a) && ! hasColumn(t, b)`) is skipped
    when neither name exists, so it makes its target on a re-run only when its source is sure
    to exist there. A table: the source was made earlier in the method and the target removed
    before it (a rebuild: create x_new, drop x, rename x_new to x). A column: the method adds
    the source again after the rename, before `later`, and never removes it afterwards (the
    `category` -> `category_v3`, add `category`, copy, drop `category_v3` pattern), so every
    prefix of a first run leaves the source or the target."""
    if column is None:
        old = rename.table if hasattr(rename, "kind") else rename.op.table
        return made_before(migration, rename, old, None, depth + 1) \
            and table_removed_before(migration, rename, table)
    old = rename.columns[0]
    if not old.known:
        return False
    name = old.value.lower()
    for item, t, _ in _events(migration, "make", name):
        if t.covers(table) and before(rename, item) and before(item, later) \
                and _conn(item) == _conn(rename) and _made_whenever(item, later, table, name) \
                and not any(before(item, i) and _may_be(tt, table)
                            for i, tt, _ in _removals(migration, name)):
            return True
    return False


def table_removed_before(migration, later, table) -> bool:
    """An earlier `Schema::drop(t)`/`dropIfExists(t)` of the same method always runs where
    `later` runs (a positive `hasTable(t)` around it leaves the table absent either way), and
    nothing in between may make the table again."""
    for item, t, _ in _events(migration, "remove", None):
        if getattr(item, "kind", None) not in ("drop", "dropIfExists"):
            continue
        if not before(item, later) or _conn(item) != _conn(later) or not t.covers(table):
            continue
        if not runs_whenever(item, later, lambda a: _has_atom(a, ("table",), table)):
            continue
        if any(_may_be(tt, table) and before(item, i) and before(i, later)
               for i, tt, _ in _events(migration, "make", None)):
            continue
        return True
    return False


def table_dropped_before(migration, op) -> bool:
    """A `Schema::drop(t)`/`dropIfExists(t)` earlier in the function always runs where op
    (a Schema::create) runs, so the create meets no table (ML001)."""
    for other in migration.ops:  # in the order they run (see lint/model/types.py ORDER)
        if (other.order, other.span.start) >= (op.order, op.span.start):
            break
        # The drop must run whenever the create runs: a reset under its own condition
        # (`if (env('CI')) { Schema::dropIfExists('t'); }`) does not make the create safe.
        if other.kind in ("dropIfExists", "drop") and other.ctx.function_id == op.ctx.function_id \
                and other.table.covers(op.table) and runs_whenever(
                    other, op, lambda atom: _has_atom(atom, ("table",), op.table)):
            return True
    return False


def fresh_table_before(migration, later, table, depth=0) -> bool:
    """The table `later` works on is new: the last statement before it that makes the table
    is a `Schema::create` after an always-run drop of it (table_dropped_before: a guarded
    create would keep an old table), or a rename of such a new table onto a removed name;
    it runs whenever later runs, and nothing in between may remove it. A new table has none
    of the indexes a later `Schema::table` adds (the rebuild-and-swap pattern)."""
    if depth > 4 or not table.known:
        return False
    last = None
    for item, t, rename in _events(migration, "make", None):  # in run order: keep the last
        if before(item, later) and _may_be(t, table):
            last = (item, t, rename)
    if last is None:
        return False
    item, t, rename = last
    if not t.covers(table) or _conn(item) != _conn(later) \
            or not _made_whenever(item, later, table) \
            or _removed_between(migration, item, later, table, None):
        return False
    if rename is None:
        return getattr(item, "kind", None) == "create" and table_dropped_before(migration, item)
    old = rename.table if hasattr(rename, "kind") else rename.op.table
    return fresh_table_before(migration, rename, old, depth + 1) \
        and table_removed_before(migration, rename, table)
