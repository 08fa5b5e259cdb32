"""Function bodies instantiated where they are called.

A helper method of the migration class (`$this->createTable('audits')` from up()), a closure
held in a variable (`Schema::table('pages', $addColumn)`), a first-class callable
(`$this->addColumns(...)`, `Closure::fromCallable([$this, 'addColumns'])`) and a helper that
receives the Blueprint (`$this->addColumns($table)`) all run their body at the call site: the
statements in that body run under the call site's condition, with the call's arguments bound
to the parameters, at the call site's place in up()/down(). A Chain is the path of call sites
from up()/down() (outermost first) to the body; each copy of a statement is read through it.

Mixed into the model Builder (needs: methods, m, mcalls, scalls, assignments, resolve,
context, call_parts, enclosing_functions).
"""

from __future__ import annotations

from migrate_lint.model.guards import at_call_site, basename
from migrate_lint.model.names import arg_values, array_items, closure_params, string_parts, text
from migrate_lint.record import record

MAX_DEPTH = 4
ENTRY_METHODS = ("up", "down")


@record(frozen=True)
class Site:
    """One call of a function body: the call node, the body's function node, and the names
    its parameters are bound to (variable text -> Name)."""

    call: object
    callee: object
    bindings: tuple  # ((var, Name), ...): hashable, compared by value

    def subst(self) -> dict:
        return dict(self.bindings)


Chain = tuple  # tuple[Site, ...], outermost first; () for a statement written in up()/down()


class Instantiator:
    # ------------------------------------------------------------------ where code runs
    def method_node(self, node):
        """The method or function declaration around node, or None at the top level."""
        return next((f for f in self.enclosing_functions(node)
                     if f.type in ("method_declaration", "function_definition")), None)

    def method_name(self, method) -> str:
        name = method.child_by_field_name("name") if method is not None else None
        return text(name).lower() if name is not None else ""

    def chains_of(self, node) -> list[Chain]:
        """The call chains through which node's method runs from up()/down(); [()] when node is
        written in up()/down() itself, at the top level, or in a helper nobody calls (linted
        on its own, as written)."""
        method = self.method_node(node)
        if method is None or method.type != "method_declaration" \
                or self.method_name(method) == "__construct":
            return [()]
        if self.method_name(method) in ENTRY_METHODS:
            # `$this->down()` at the start of up() (Lychee's "No mercy"): down's code runs
            # there too, as well as on its own.
            return [(), *self._method_chains(method, ())]
        return self._method_chains(method, ()) or [()]

    def _method_chains(self, method, seen) -> list[Chain]:
        if method.id in seen or len(seen) >= MAX_DEPTH:
            return []
        cache = self.__dict__.setdefault("_chain_cache", {})
        if not seen and method.id in cache:
            return cache[method.id]
        out: list[Chain] = []
        for call in self._self_calls(self.method_name(method)):
            caller = self.method_node(call)
            if caller is None or caller.type != "method_declaration":
                continue
            if self.method_name(caller) in ENTRY_METHODS:
                outer_chains: list[Chain] = [()]
            else:
                outer_chains = self._method_chains(caller, seen + (method.id,))
            for outer in outer_chains:
                subst = outer[-1].subst() if outer else {}
                bindings = self._bind(method, arg_values(self.call_parts(call)[2]), subst)
                out.append(outer + (Site(call, method, bindings),))
        if not seen:
            cache[method.id] = out
        return out

    def _self_calls(self, name: str) -> list:
        """`$this->name(...)`, `self::name(...)`, `static::name(...)` calls (not callables)."""
        index = self.__dict__.get("_self_call_index")
        if index is None:  # one pass over the calls for all the helpers asked about
            index = self._self_call_index = {}
            for call in self.mcalls:
                obj = call.child_by_field_name("object")
                # Bytes, and only variables: decoding every chained call's object costs more.
                if obj is None or obj.type != "variable_name" or obj.text != b"$this":
                    continue
                _, mname, args = self.call_parts(call)
                if mname is not None and not _is_callable_syntax(args):
                    index.setdefault(text(mname).lower(), []).append(call)
            for call in self.scalls:
                scope, mname, args = self.call_parts(call)
                if mname is not None and scope is not None \
                        and basename(text(scope)) in ("self", "static", self.m.class_name) \
                        and not _is_callable_syntax(args):
                    index.setdefault(text(mname).lower(), []).append(call)
            for calls in index.values():
                calls.sort(key=lambda n: n.start_byte)
        return index.get(name, [])

    def _bind(self, function, args, subst) -> tuple:
        """The callee's parameters bound to the call's arguments (defaults where omitted)."""
        params = function.child_by_field_name("parameters")
        out = []
        for i, p in enumerate(params.named_children if params is not None else []):
            pname = p.child_by_field_name("name")
            if pname is None or p.type == "variadic_parameter":
                continue
            if i < len(args):
                out.append((text(pname), self.resolve(args[i], subst)))
            else:
                default = p.child_by_field_name("default_value")
                if default is not None:
                    out.append((text(pname), self.resolve(default, {})))
        return tuple(out)

    # ------------------------------------------------------------------ contexts and order
    def context_in(self, node, chain: Chain, extra: dict | None = None, above=None):
        """node's context where it runs: its own conditions inside the instantiated body,
        joined with those of every call site on the way out to up()/down(). above: node's
        ancestors from a function enclosing it down (outermost first), when known."""
        if not chain:
            return self.context(node, extra or None, above=above)
        inner_subst = {**chain[-1].subst(), **(extra or {})}
        ctx = self.context(node, inner_subst, stop=chain[-1].callee, above=above)
        for i in range(len(chain) - 1, -1, -1):
            ctx = at_call_site(self._site_context(chain, i), ctx)
        return ctx

    def _site_context(self, chain: Chain, i: int):
        """The context of chain[i]'s call, the same for every statement of the body it runs:
        kept with the context walks (forgotten with them when a closure's table is learnt)."""
        memo = self.__dict__.setdefault("_tail_memo", {})
        key = ("site", chain[i].call.id) if i == 0 else (
            "site", chain[i].call.id, chain[i - 1].bindings, chain[i - 1].callee.id)
        found = memo.get(key)
        if found is None:
            if i == 0:
                found = self.context(chain[0].call)
            else:
                found = self.context(chain[i].call, chain[i - 1].subst() or {},
                                     stop=chain[i - 1].callee)
            memo[key] = found
        return found

    @staticmethod
    def order_of(node, chain: Chain) -> int:
        """Where a statement effectively runs in up()/down(): its own offset, or the offset of
        the outermost call site of an instantiated copy."""
        return chain[0].call.start_byte if chain else node.start_byte

    def subst_of(self, chain: Chain) -> dict:
        return chain[-1].subst() if chain else {}

    # ------------------------------------------------------------------ callables
    def callable_body(self, node, scope):
        """The function a closure argument stands for, and whether it is written elsewhere
        (shared: a variable, a method): (function node, shared) or (None, False)."""
        if node is None:
            return None, False
        t = node.type
        if t in ("anonymous_function", "arrow_function"):
            return node, False
        if t == "variable_name":
            fn = self._closure_variable(node, scope)
            return (fn, True) if fn is not None else (None, False)
        if t == "member_call_expression":
            obj, name, args = self.call_parts(node)
            if obj is not None and text(obj) == "$this" and name is not None \
                    and _is_callable_syntax(args):
                method = self.methods.get(text(name).lower())
                return (method, True) if method is not None else (None, False)
        if t == "scoped_call_expression":
            scope_node, name, args = self.call_parts(node)
            if scope_node is not None and basename(text(scope_node)).lower() == "closure" \
                    and name is not None and text(name).lower() == "fromcallable":
                values = arg_values(args)
                items = array_items(values[0]) if values else None
                if items and len(items) == 2 and text(items[0]) == "$this" \
                        and items[1].type in ("string", "encapsed_string"):
                    method = self.methods.get((string_parts(items[1], False) or "").lower())
                    return (method, True) if method is not None else (None, False)
        return None, False

    def _closure_variable(self, var, scope):
        """The closure last assigned to var before it is used, in the same function."""
        lo, hi = (scope.start_byte, scope.end_byte) if scope is not None else (0, 1 << 62)
        found = None
        for rhs in self.assignments.get(text(var), ()):
            if lo <= rhs.start_byte < var.start_byte and (found is None
                                                           or rhs.start_byte > found.start_byte):
                found = rhs
        if found is not None and found.type in ("anonymous_function", "arrow_function"):
            return found
        return None

    def blueprint_helper(self, call, blueprint_vars):
        """For `$this->helper(..., $table, ...)`: (method node, its Blueprint parameter), else
        None."""
        obj, name, args = self.call_parts(call)
        if obj is None or text(obj) != "$this" or name is None:
            return None
        method = self.methods.get(text(name).lower())
        if method is None:
            return None
        values = arg_values(args)
        params = closure_params(method)
        for i, value in enumerate(values):
            if value.type == "variable_name" and text(value) in blueprint_vars and i < len(params):
                return method, params[i]
        return None


def _is_callable_syntax(arguments) -> bool:
    """`$this->method(...)`: PHP 8.1's first-class callable, not a call."""
    return arguments is not None and any(c.type == "variadic_placeholder"
                                         for c in arguments.named_children)
