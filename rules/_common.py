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
    for other in call.op.calls:
        if other is call or _exclusive(call, other) or not (
                other.category == "rename_table" or (other.category in moves and not mine.isdisjoint(
                    _names(other, index and other.category in _INDEX_MOVES)))):
            continue
        if other.span.start < call.span.start or (other.category == "add"
                                                   and call.category != "add"):
            return other
    return None


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
    return False


def _not_on_sqlite(atom) -> bool:
    """`DB::getDriverName() !== 'sqlite'` around a dropForeign: on SQLite a foreign key added to
    an existing table is never a duplicate (Laravel before 11 ignores it, later ones rebuild the
    table with it), so the drop only has to run elsewhere (koel's cascade_delete_user)."""
    return atom[0] == "not" and atom[1][0] == "driver" and atom[1][2] == "sqlite"
