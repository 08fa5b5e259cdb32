"""Loops over a literal list of names, mixed into the model Builder:

    foreach (['a', 'b'] as $t) { ... }           foreach ($tables as $t) { ... }
    collect(['a', 'b'])->each(fn ($t) => ...)    array_map(fn ($t) => ..., ['a', 'b'])

($tables: assigned such a list once in its function, and never written otherwise.) The body
runs once for each listed value, in order, whenever the loop is reached, and the loop variable
names that value: a drop on `$t` drops it on 'a' and on 'b', and the replay unrolls the steps
on `$t`. Any other statement in the body is read as running (its repeats redo what the first
turn did, or fail on their own). Anything that can end the loop early (break, continue,
return, throw) leaves it a loop that may run any number of times, as any other loop.
"""

from __future__ import annotations

import re

from migrate_lint.model.names import FUNCTION_TYPES, arg_values, closure_params, text
from migrate_lint.model.types import Name

_EACH_MAP = re.compile(rb"->\s*(?:each|map)\s*\(")  # on lowered bytes
_CALLBACKS = ("anonymous_function", "arrow_function")
# What ends a foreach early. A callback of each() stops on `return false`: any return counts.
_STOPS = {"break_statement", "continue_statement", "return_statement", "goto_statement",
          "exit_statement", "throw_expression", "yield_expression"}
# Schema calls that return nothing: an arrow function of each() made of one never stops it.
_VOID = {"create", "table", "drop", "dropifexists", "rename", "dropcolumns"}
# By-reference built-ins that change an array in place.
_CHANGERS = r"array_push|array_unshift|array_splice|array_pop|array_shift|unset|\w*sort|shuffle"


class LoopReader:
    """Needs from the host: src, lowered (the file's bytes, lower-cased), assignments,
    ancestors(), resolve(), _used_vars() and _function_span()."""

    def loop_variable(self, node, var: str) -> Name | None:
        """var at node, when it is the variable of a loop over a literal list around it."""
        if not self._loopy():
            return None
        for a in reversed(self.ancestors(node)):
            if a.type in _CALLBACKS:
                params = closure_params(a)
                if var in params:
                    values = self.loop_values(a) if params[0] == var else None
                    return Name(None, var, values) if values else None
                if a.type == "anonymous_function" and var not in self._used_vars(a):
                    return None  # not the outer variable: a closure sees only what it uses
            elif a.type in FUNCTION_TYPES:
                return None
            elif a.type == "foreach_statement" and foreach_var(a) == var:
                body = a.child_by_field_name("body")
                if body is None or not body.start_byte <= node.start_byte < body.end_byte:
                    return None
                if any(body.start_byte <= r.start_byte < body.end_byte
                       for r in self.assignments.get(var, ())):
                    return None  # reassigned inside the loop
                values = self.loop_values(a)
                return Name(None, var, values) if values else None
        return None

    def loop_values(self, loop) -> tuple[str, ...] | None:
        """The values a foreach statement or a callback closure runs its body for, each once
        and in order, when that is a literal list and nothing can stop the loop early."""
        memo = self.__dict__.setdefault("_loop_memo", {})
        if loop.id not in memo:
            memo[loop.id] = self._loop_values(loop)
        return memo[loop.id]

    def _loopy(self) -> bool:
        """The file may hold such a loop at all (most files have none: skip the walks)."""
        found = self.__dict__.get("_loopy_file")
        if found is None:
            # Searched plainly in the lowered bytes: a case-insensitive regex costs twice as much.
            low = self.lowered
            found = self._loopy_file = b"foreach" in low or b"array_map" in low or (
                (b"each" in low or b"map" in low) and _EACH_MAP.search(low) is not None)
        return found

    def _loop_values(self, loop):
        if not self._loopy():
            return None
        if loop.type == "foreach_statement":
            if foreach_var(loop) is None or _stops(loop.child_by_field_name("body")):
                return None
            return self._literal_list(loop.named_children[0], loop)
        if loop.type not in _CALLBACKS or not closure_params(loop):
            return None
        chain = self.ancestors(loop)
        if len(chain) < 3 or chain[-1].type != "argument":
            return None
        call = chain[-3]
        args = arg_values(call.child_by_field_name("arguments"))
        if not args or args[0].id != loop.id:
            return None
        body = loop.child_by_field_name("body")
        if call.type == "function_call_expression":
            if text(call.child_by_field_name("function")).lower().lstrip("\\") != "array_map" \
                    or len(args) != 2 or _stops(body, "return_statement"):
                return None
            return self._literal_list(args[1], loop)
        if call.type != "member_call_expression" or len(args) != 1:
            return None
        method = text(call.child_by_field_name("name")).lower()
        source = call.child_by_field_name("object")
        if method not in ("each", "map") or source is None \
                or source.type != "function_call_expression" \
                or text(source.child_by_field_name("function")).lower().lstrip("\\") != "collect":
            return None
        if method == "map" and _stops(body, "return_statement"):
            return None
        if method == "each" and (_stops(body) if loop.type == "anonymous_function"
                                 else not _void_call(body)):
            return None
        items = arg_values(source.child_by_field_name("arguments"))
        return self._literal_list(items[0], loop) if len(items) == 1 else None

    def _literal_list(self, node, loop) -> tuple[str, ...] | None:
        """The values of `['a', 'b']`, or of a variable assigned one once before the loop in
        its function and never written otherwise."""
        if node is not None and node.type == "variable_name":
            var = text(node)
            lo, hi = self._function_span(node.start_byte)
            rhss = [r for r in self.assignments.get(var, ()) if lo <= r.start_byte < hi]
            if len(rhss) != 1 or rhss[0].start_byte > loop.start_byte or _written(
                    self.src.data[lo:hi].decode("utf-8", "replace"), var) != 1:
                return None
            node = rhss[0]
        if node is None or node.type != "array_creation_expression":
            return None
        values = []
        for el in node.named_children:
            if el.type == "comment":
                continue
            if el.type != "array_element_initializer" or len(el.named_children) != 1:
                return None  # keys, spreads
            item = el.named_children[0]
            name = self.resolve(item, {})
            if not name.known or item.type == "integer":
                return None  # not a list of names
            values.append(name.value)
        return tuple(values) or None


def foreach_var(loop) -> str | None:
    """The value variable of `foreach (X as $v)` / `foreach (X as $k => $v)`."""
    if len(loop.named_children) < 3:
        return None
    target = loop.named_children[1]
    if target.type == "pair" and target.named_children:
        target = target.named_children[-1]
    return text(target) if target.type == "variable_name" else None


def _stops(body, *allowed: str) -> bool:
    """Something in body (outside nested functions) can end the loop early."""
    stack = [body] if body is not None else []
    while stack:
        n = stack.pop()
        if n.type in _STOPS and n.type not in allowed:
            return True
        stack.extend(c for c in n.named_children if c.type not in FUNCTION_TYPES)
    return False


def _void_call(body) -> bool:
    if body is None or body.type not in ("scoped_call_expression", "member_call_expression"):
        return False
    name = body.child_by_field_name("name")
    return name is not None and text(name).lower() in _VOID


def _written(code: str, var: str) -> int:
    """How many times code writes var: assigns it (or an element of it), passes it by
    reference, or changes it in place."""
    v = re.escape(var) + r"\b"
    return len(re.findall(v + r"\s*(?:\[[^\]]*\]\s*)*(?:[-+.*/%|&^]|\?\?|<<|>>)?=(?![=>])", code)) \
        + len(re.findall(r"&\s*" + v, code)) \
        + len(re.findall(r"\b(?:" + _CHANGERS + r")\s*\(\s*" + v, code, re.IGNORECASE))
