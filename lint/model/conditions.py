"""Conditions as data: the condition under which a statement of a migration runs.

One representation serves the per-file rules (does the condition imply "column c does not
exist"?) and the replay (is it TRUE, FALSE or UNKNOWN in this schema state?). A condition is a
nested tuple of strings, so it can be cached and compared as it is:

    TRUE / FALSE                      ("true",) / ("false",)
    ("and", c1, c2, ...)  ("or", c1, c2, ...)  ("not", c)
    ("has", kind, conn, table, name, extra)
        kind   table | column | index | foreign | rows (DB::table(t)->exists() and friends)
        conn   None: the migration's default connection; a name; ("expr", code) when computed
        table  a name; ("expr", code) when computed; None: some table we could not name
        name   column or index name, ("cols", (c1, c2)) for an index given by its columns,
               ("expr", code), or None
        extra  hasIndex's type argument ('unique', 'primary', ...) or None
    ("driver", conn, name)            DB::getDriverName() === name
    ("unknown", code)                 config(), env(), loops, callbacks, app state

`Schema::hasColumns(t, [a, b])` is true only when all exist: it is `and(has a, has b)`, so its
negation does not imply that `a` is missing (LARAVEL_FACTS.md).
"""

from __future__ import annotations

TRUE = ("true",)
FALSE = ("false",)
EXPR = "expr"


def expr(code: str) -> tuple:
    return (EXPR, code)


def has(kind: str, table, name=None, conn=None, extra=None) -> tuple:
    return ("has", kind, conn, table, name, extra)


def unknown(code: str) -> tuple:
    return ("unknown", " ".join(code.split())[:120])


def driver(name: str, conn=None) -> tuple:
    return ("driver", conn, name.lower())


def _flat(tag: str, parts) -> list:
    out = []
    for c in parts:
        if c[0] == tag:
            out.extend(c[1:])
        elif c not in out:
            out.append(c)
    return out


def and_(*parts) -> tuple:
    items = [c for c in _flat("and", parts) if c != TRUE]
    if FALSE in items:
        return FALSE
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else ("and", *items)


def or_(*parts) -> tuple:
    items = [c for c in _flat("or", parts) if c != FALSE]
    if TRUE in items:
        return TRUE
    if not items:
        return FALSE
    return items[0] if len(items) == 1 else ("or", *items)


def not_(c: tuple) -> tuple:
    if c == TRUE:
        return FALSE
    if c == FALSE:
        return TRUE
    if c[0] == "not":
        return c[1]
    return ("not", c)


def implied(c: tuple, positive: bool = True) -> set:
    """The (atom, holds) pairs that must be true whenever c evaluates to `positive`.

    And/or are read through De Morgan: `a && b` implies both, `a || b` only what both imply.
    """
    tag = c[0]
    if tag == "not":
        return implied(c[1], not positive)
    if tag in ("and", "or"):
        parts = [implied(p, positive) for p in c[1:]]
        if (tag == "and") == positive:
            return set().union(*parts)
        common = parts[0]
        for p in parts[1:]:
            common = common & p
        return common
    if tag in ("has", "driver", "unknown"):
        return {(c, positive)}
    return set()


def evaluate(c: tuple, atom_value) -> bool | None:
    """Kleene's three-valued logic: True, False or None (unknown). atom_value(atom) gives an
    atom's value the same way."""
    tag = c[0]
    if tag == "true":
        return True
    if tag == "false":
        return False
    if tag == "not":
        v = evaluate(c[1], atom_value)
        return None if v is None else not v
    if tag == "and":
        result = True
        for p in c[1:]:
            v = evaluate(p, atom_value)
            if v is False:
                return False
            if v is None:
                result = None
        return result
    if tag == "or":
        result = False
        for p in c[1:]:
            v = evaluate(p, atom_value)
            if v is True:
                return True
            if v is None:
                result = None
        return result
    return atom_value(c)


def atoms(c: tuple):
    """Every atom in c."""
    if c[0] in ("and", "or"):
        for p in c[1:]:
            yield from atoms(p)
    elif c[0] == "not":
        yield from atoms(c[1])
    elif c[0] in ("has", "driver", "unknown"):
        yield c


def render(c: tuple) -> str:
    """PHP-like text for messages: `! hasColumn('tasks', 'priority') && ...`."""
    tag = c[0]
    if tag in ("true", "false"):
        return tag
    if tag == "not":
        return "! " + render(c[1])
    if tag in ("and", "or"):
        joiner = " && " if tag == "and" else " || "
        return joiner.join(f"({render(p)})" if p[0] in ("and", "or") else render(p)
                           for p in c[1:])
    if tag == "driver":
        return f"driver is {c[2]}"
    if tag == "unknown":
        return c[1]
    _, kind, _conn, table, name, _extra = c
    helper = {"table": "hasTable", "column": "hasColumn", "index": "hasIndex",
              "foreign": "hasForeignKey", "rows": "rows exist in"}.get(kind, kind)
    args = [_show(table)] + ([_show(name)] if name is not None else [])
    return f"{helper}({', '.join(args)})"


def _show(value) -> str:
    if value is None:
        return "?"
    if isinstance(value, tuple):
        if value[0] == "cols":
            return "[" + ", ".join(f"'{v}'" for v in value[1]) + "]"
        return value[1]
    return f"'{value}'"
