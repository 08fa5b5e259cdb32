"""Builds the Migration model from a tree-sitter-php syntax tree.

This is the only module (with its siblings in lint/model) that knows tree-sitter node types.
Compiled queries find the calls of interest; guards are found by walking *up* from each
operation (parent pointers), so no recursive walk of the whole tree is ever needed.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from migrate_lint import parse as parsing
from migrate_lint.model import blueprint as bp
from migrate_lint.model import sql as sqlmod
from migrate_lint.model.names import (PLACEHOLDER, arg_values, array_items, closure_params,
                                      is_function, norm, string_parts, text)
from migrate_lint.model.guards import GET_TABLE, WHEN_OPS, ConditionReader, basename, same_node
from migrate_lint.model.instances import MAX_DEPTH, Instantiator, Site
from migrate_lint.model.loops import LoopReader
from migrate_lint.model.lookups import LookupReader
from migrate_lint.model.types import (BlueprintCall, Closure, Comment, Context, Insert,
                                      Migration, Name, RawSql, SchemaOp, literal)

# No field constraints (`left: (variable_name)`): they quadruple the query's compile time,
# ~9 ms of every one-file run; the assignments are told apart by their left side below.
QUERY = """
(scoped_call_expression) @scall
[(member_call_expression) (nullsafe_member_call_expression)] @mcall
(function_call_expression) @fcall
(assignment_expression) @assign
(comment) @comment
[(class_declaration) (anonymous_class)] @class
[(method_declaration) (function_definition) (anonymous_function) (arrow_function)] @fn
"""

SCHEMA_OPS = {"create", "table", "drop", "dropIfExists", "rename", "dropColumns",
              "whenTableHasColumn", "whenTableDoesntHaveColumn", "whenTableHasIndex",
              "whenTableDoesntHaveIndex"}
# PHP method, function and class names are case-insensitive (`Schema::TABLE`, `->dropcolumn`):
# every lookup below goes through lower case, and an op keeps Laravel's spelling.
_SCHEMA_OPS = {m.lower(): m for m in SCHEMA_OPS}
RAW_SQL_METHODS = {"statement", "unprepared"}
INSERT_METHODS = {"insert", "insertgetid"}
DELETE_METHODS = {"delete", "truncate"}
# Query builder calls that read a table's rows (insertUsing reads the query it is given).
READ_METHODS = {"get", "each", "chunk", "chunkbyid", "cursor", "lazy", "lazybyid", "pluck",
                "eachbyid", "insertusing"}
# Byte forms for the hot loops over every call in a file (decoding each name costs more).
_SCHEMA_OPS_B = {m.encode() for m in _SCHEMA_OPS}
UPDATE_METHODS = {"update", "increment", "decrement"}
# A printf conversion (`%s`, `%1$d`, `%05.2f`) or `%%`.
_FORMAT_SPEC = re.compile(r"%%|%(?:\d+\$)?[-+ 0'#]*\d*(?:\.\d+)?[bcdeEfFgGosuxX]")
# Query builder calls whose first argument (or, with an array, its keys) names a column.
_COLUMN_ARG_METHODS = {"where", "orwhere", "wherenull", "wherenotnull", "orwherenull",
                       "orwherenotnull", "wherein", "wherenotin", "orwherein", "wherebetween",
                       "wherenotbetween", "orderby", "orderbydesc", "groupby", "pluck", "value",
                       "increment", "decrement", "latest", "oldest", "wheredate"}
_DB_METHODS_B = {m.encode() for m in RAW_SQL_METHODS | INSERT_METHODS | DELETE_METHODS
                 | UPDATE_METHODS
                 | READ_METHODS} | {b"exec"}


def _lower_name(call) -> bytes:
    """A call's method name, lower-cased bytes (decoding each name costs more); b"" if none."""
    name = call.child_by_field_name("name")
    return name.text.lower() if name is not None else b""


class Builder(ConditionReader, Instantiator, LoopReader, LookupReader):
    def __init__(self, migration: Migration, tree):
        self.m = migration
        self.src = migration.source
        self.root = tree.root_node
        caps = parsing.captures(QUERY, tree.root_node)
        by_start = lambda nodes: sorted(nodes, key=lambda n: n.start_byte)  # noqa: E731
        self.scalls = caps.get("scall", [])
        self.mcalls = by_start(caps.get("mcall", []))
        self.mcall_starts = [n.start_byte for n in self.mcalls]
        # Each member call's method name, lower-cased bytes, read once: the ops and the DB
        # calls are both picked from every call in the file by it.
        self.mcall_names = [_lower_name(n) for n in self.mcalls]
        self.fcalls = caps.get("fcall", [])
        self.comments = caps.get("comment", [])
        # The functions' ranges, for ConditionReader._function_span: taken from this one query
        # (compiling a second costs a one-file run some milliseconds).
        self._function_spans = sorted((n.start_byte, n.end_byte) for n in caps.get("fn", ()))
        self.assignments: dict[str, list] = {}
        # `$this->table = ...` anywhere in the class: the constructor's, or one in the method
        # before the use, overrides the declared default.
        self.prop_assignments: dict[str, list] = {}
        for assign in caps.get("assign", []):
            lhs = assign.child_by_field_name("left")
            rhs = assign.child_by_field_name("right")
            if lhs is None or rhs is None:
                continue
            if lhs.type == "variable_name":
                self.assignments.setdefault(text(lhs), []).append(rhs)
            elif lhs.type == "member_access_expression":
                obj = lhs.child_by_field_name("object")
                prop = lhs.child_by_field_name("name")
                if obj is not None and text(obj) == "$this" and prop is not None:
                    self.prop_assignments.setdefault(text(prop), []).append(rhs)
        self.props: dict[str, object] = {}
        self.consts: dict[str, object] = {}
        self.methods: dict[str, object] = {}
        self.predicates: dict[str, tuple[list[str], object]] = {}
        self.closure_tables: dict[int, Name] = {}  # closure node id -> the op's table
        self.exit_cache: dict[int, list] = {}
        self._bindings = None  # see _with_bindings
        # The file lowered once (PHP names ignore case): getTable here, the loop reader's check.
        self.lowered = migration.source.data.lower()
        self.getTable_read = b"gettable" in self.lowered
        self._read_class(caps.get("class", []))

    # ------------------------------------------------------------------ tree walking
    def ancestors(self, node) -> list:
        """The chain root..parent of node. tree-sitter finds a node's parent by walking down
        from the root, so climbing `.parent` one level at a time is quadratic in the depth
        (10,000 nested closures); one walk down gives the whole chain."""
        return list(self._ancestor_chain(node))  # callers pop and append

    def _ancestor_chain(self, node) -> tuple:
        memo = self.__dict__.setdefault("_ancestors", {})
        found = memo.get(node.id)
        if found is None:
            chain, cur = [], self.root
            while cur is not None and cur.id != node.id:
                chain.append(cur)
                cur = cur.child_with_descendant(node)
            found = memo[node.id] = tuple(chain)
        return found

    def enclosing_functions(self, node) -> tuple:
        """Enclosing closures, methods and functions, innermost first (asked several times
        per op: its chains, its closure's scope, the names it resolves)."""
        memo = self.__dict__.setdefault("_enclosing", {})
        found = memo.get(node.id)
        if found is None:
            found = memo[node.id] = tuple(
                a for a in reversed(self._ancestor_chain(node)) if is_function(a))
        return found

    # ------------------------------------------------------------------ class
    def _read_class(self, classes):
        for c in classes:
            name = c.child_by_field_name("name")
            base = next((ch for ch in c.named_children if ch.type == "base_clause"), None)
            self.m.classes.append((text(name) if name is not None else None,
                                   basename(text(base.named_children[0]))
                                   if base is not None and base.named_children else None))
        chosen = None
        for c in classes:
            base = next((ch for ch in c.named_children if ch.type == "base_clause"), None)
            if base is not None and (chosen is None or "migration" in text(base).lower()):
                chosen = c
        if chosen is None and classes:
            chosen = classes[0]
        if chosen is None:
            return
        name = chosen.child_by_field_name("name")
        self.m.class_name = text(name) if name is not None else None
        base = next((ch for ch in chosen.named_children if ch.type == "base_clause"), None)
        if base is not None and base.named_children:
            self.m.base_class = basename(text(base.named_children[0]))
        body = chosen.child_by_field_name("body")
        if body is None:
            return
        for member in body.named_children:
            if member.type == "property_declaration":
                for el in member.named_children:
                    if el.type == "property_element":
                        pname = el.child_by_field_name("name")
                        default = el.child_by_field_name("default_value")
                        if pname is not None and default is not None:
                            self.props[text(pname).lstrip("$")] = default
            elif member.type == "const_declaration":
                for el in member.named_children:
                    if el.type == "const_element" and len(el.named_children) >= 2:
                        self.consts[text(el.named_children[0])] = el.named_children[-1]
            elif member.type == "method_declaration":
                mname = member.child_by_field_name("name")
                if mname is None:
                    continue
                self.methods[text(mname).lower()] = member
                fbody = member.child_by_field_name("body")
                stmts = [s for s in fbody.named_children if s.type != "comment"] if fbody else []
                if len(stmts) == 1 and stmts[0].type == "return_statement" and stmts[0].named_children:
                    self.predicates[text(mname).lower()] = (closure_params(member),
                                                            stmts[0].named_children[0])
        conn = self.props.get("connection")
        if conn is not None:
            self.m.connection = string_parts(conn, False) if conn.type in (
                "string", "encapsed_string") else None

    # ------------------------------------------------------------------ names
    def resolve(self, node, subst=None, depth=0) -> Name:
        if subst is None:
            subst = self._bindings
        if node is None:
            return Name(None, "?")
        if depth > 8:
            return Name(None, norm(node))
        t = node.type
        if t == "argument":
            return self.resolve(node.named_children[-1] if node.named_children else None, subst,
                                depth + 1)
        if t in ("string", "encapsed_string", "heredoc", "nowdoc"):
            value = string_parts(node, False)
            return literal(value) if value is not None else Name(None, norm(node))
        if t == "integer":  # dropColumn('link', 255) drops a column named 255
            return literal(text(node))
        if t == "parenthesized_expression" and node.named_children:
            return self.resolve(node.named_children[0], subst, depth + 1)
        if t == "variable_name":
            var = text(node)
            if subst and var in subst:
                return subst[var]
            return self._resolve_variable(node, var, subst, depth)
        if t == "member_access_expression":
            obj = node.child_by_field_name("object")
            prop = node.child_by_field_name("name")
            if obj is not None and text(obj) == "$this" and prop is not None:
                default = self._property_value(node, text(prop))
                if default is not None:
                    value = self.resolve(default, None, depth + 1)
                    return value if value.known else Name(None, norm(node))
            return Name(None, norm(node))
        if t == "class_constant_access_expression" and len(node.named_children) == 2:
            scope, const = node.named_children
            scope_text = basename(text(scope))
            if scope_text in ("self", "static") or scope_text == self.m.class_name:
                default = self.consts.get(text(const))
                if default is not None:
                    value = self.resolve(default, None, depth + 1)
                    if value.known:
                        return value
            return Name(None, norm(node))
        if t in ("member_call_expression", "nullsafe_member_call_expression"):
            name = node.child_by_field_name("name")
            obj = node.child_by_field_name("object")
            if name is not None and text(name).lower() == "gettable" and obj is not None \
                    and obj.type == "variable_name":
                if subst and text(obj) + GET_TABLE in subst:
                    return subst[text(obj) + GET_TABLE]
                table = self._blueprint_table(node, text(obj))
                if table is not None:
                    return table
            return Name(None, norm(node))
        if t == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is not None and text(op) == ".":
                left = self.resolve(node.child_by_field_name("left"), subst, depth + 1)
                right = self.resolve(node.child_by_field_name("right"), subst, depth + 1)
                if left.known and right.known:
                    return literal(left.value + right.value)
        return Name(None, norm(node))

    def _property_value(self, node, prop):
        """What `$this->prop` holds at node: the last assignment before it in its method, else
        the constructor's assignment, else the declared default."""
        assigned = self.prop_assignments.get(prop)
        if assigned:
            method = self._method_of(node)
            if method is not None:
                before = [r for r in assigned if method.start_byte <= r.start_byte < node.start_byte]
                if before:
                    return before[-1]
            ctor = self.methods.get("__construct")
            if ctor is not None:
                inside = [r for r in assigned if ctor.start_byte <= r.start_byte < ctor.end_byte]
                if inside:
                    return inside[-1]
        return self.props.get(prop)

    def _method_of(self, node):
        return next((f for f in self.enclosing_functions(node)
                     if f.type in ("method_declaration", "function_definition")), None)

    def _resolve_variable(self, node, var, subst, depth) -> Name:
        if var == "$this":
            return Name(None, var)
        looped = self.loop_variable(node, var)
        if looped is not None:
            return looped
        # A parameter of an enclosing closure is not one of the method's locals.
        fn = None
        for fn in self.enclosing_functions(node):
            if fn.type not in ("anonymous_function", "arrow_function"):
                break
            if var in closure_params(fn):
                return Name(None, var)
        else:
            fn = None
        if fn is None:
            scope_start, scope_end = 0, len(self.src.data)
        else:
            scope_start, scope_end = fn.start_byte, fn.end_byte
        rhss = [r for r in self.assignments.get(var, ())
                if scope_start <= r.start_byte < scope_end]
        if not rhss:
            return Name(None, var)
        values = {self.resolve(r, subst, depth + 1) for r in rhss}
        if len(values) == 1:
            only = next(iter(values))
            return only if only.known or len(rhss) == 1 else Name(None, var)
        if not any(v.known for v in values):
            # Several non-literal assignments: name them all, so the same variable read in a
            # guard and in the guarded call still resolves to the same expression.
            return Name(None, "|".join(sorted(v.expr for v in values)))
        return Name(None, var)

    def _blueprint_table(self, node, var) -> Name | None:
        for fn in self.enclosing_functions(node):
            if fn.id in self.closure_tables and var in closure_params(fn)[:1]:
                return self.closure_tables[fn.id]
        return None

    # ------------------------------------------------------------------ schema builders
    def builder_info(self, node, depth=0):
        """(builder text, connection text) when node evaluates to a schema builder, else None."""
        if node is None or depth > 4:
            return None
        t = node.type
        if t == "name" or t == "qualified_name":
            return ("Schema", None) if basename(text(node)).lower() == "schema" else None
        if t == "scoped_call_expression":
            scope = node.child_by_field_name("scope")
            name = node.child_by_field_name("name")
            if scope is not None and name is not None and basename(text(scope)).lower() == "schema" \
                    and text(name).lower() in ("connection", "getfacaderoot"):
                args = arg_values(node.child_by_field_name("arguments"))
                return (text(node), text(args[0]) if args else None)
            if scope is not None and name is not None and basename(text(scope)).lower() == "db" \
                    and text(name).lower() == "getschemabuilder":
                return (text(node), None)
            return None
        if t in ("member_call_expression", "nullsafe_member_call_expression"):
            name = node.child_by_field_name("name")
            if name is not None and text(name).lower() == "getschemabuilder":
                # DB::connection('x')->getSchemaBuilder() checks connection x.
                obj = node.child_by_field_name("object")
                conn = None
                if obj is not None and obj.type == "scoped_call_expression":
                    oname = obj.child_by_field_name("name")
                    args = arg_values(obj.child_by_field_name("arguments"))
                    if oname is not None and text(oname).lower() == "connection" and args:
                        conn = text(args[0])
                return (text(node), conn)
            return None
        if t == "variable_name":
            for rhs in self.assignments.get(text(node), ()):
                info = self.builder_info(rhs, depth + 1)
                if info is not None:
                    return (text(node), info[1])
        if t == "function_call_expression" and text(node).replace(" ", "").lower() in (
                "app('db.schema')", 'app("db.schema")', "schema()"):
            return (text(node), None)
        return None

    def call_parts(self, call):
        """(builder-ish node, method name, arguments node) of a scoped or member call."""
        if call.type == "scoped_call_expression":
            return (call.child_by_field_name("scope"), call.child_by_field_name("name"),
                    call.child_by_field_name("arguments"))
        return (call.child_by_field_name("object"), call.child_by_field_name("name"),
                call.child_by_field_name("arguments"))

    # ------------------------------------------------------------------ operations
    def statement_span(self, node, parent=False):
        if parent is False:
            parent = node.parent
        if parent is not None and parent.type == "expression_statement":
            return self.src.node_span(parent)
        return None

    def build(self, summary_only: bool = False):
        """summary_only: what the replay's summary reads (ops and raw SQL), no comments nor
        row statements (inserts, deletes, reads)."""
        if not summary_only:
            self._comments()
        for call in self.scalls:
            if _lower_name(call) in _SCHEMA_OPS_B:  # first: most calls stop here
                self._maybe_op(call)
        for call, name in zip(self.mcalls, self.mcall_names):
            if name in _SCHEMA_OPS_B:
                self._maybe_op(call)
        self._raw_sql_and_inserts(summary_only)
        by_order = lambda item: (item.order, item.span.start)  # noqa: E731
        self.m.ops.sort(key=by_order)
        self.m.raw_sql.sort(key=by_order)
        self.m.inserts.sort(key=by_order)
        self.m.row_deletes.sort(key=by_order)
        self.m.reads.sort(key=by_order)

    def _maybe_op(self, call):
        """call: a scoped or member call named like a schema op."""
        owner, name, arguments = self.call_parts(call)
        info = self.builder_info(owner)
        if info is None:
            return
        args = arg_values(arguments)
        if not args:
            return
        for chain in self.chains_of(call):
            op = self._op_at(call, _SCHEMA_OPS[text(name).lower()], info, args, chain)
            if op.closure is not None:
                op.calls = self._blueprint_calls(op, chain)
            self.m.ops.append(op)

    def _op_at(self, call, kind, info, args, chain) -> SchemaOp:
        """The schema op of call, as it runs through chain (see lint/model/instances.py)."""
        subst = self.subst_of(chain)
        table = self.resolve(args[0], subst)
        op = SchemaOp(kind=kind, table=table, to_table=None, builder=info[0], connection=info[1],
                      span=self.src.node_span(call), statement=self.statement_span(call),
                      ctx=self.context_in(call, chain), node=call, conn=self.conn_key(info[1]),
                      order=self.order_of(call, chain))
        if kind == "rename" and len(args) > 1:
            op.to_table = self.resolve(args[1], subst)
        if kind == "dropColumns" and len(args) > 1:
            items = array_items(args[1])
            op.columns = tuple(self.resolve(i, subst)
                               for i in (items if items is not None else args[1:]))
        closure_index = 2 if kind.lower() in WHEN_OPS else 1
        if (kind in ("create", "table") or kind.lower() in WHEN_OPS) and len(args) > closure_index:
            fn, shared = self.callable_body(args[closure_index], self.method_node(call))
            if fn is not None:
                params = closure_params(fn)
                body = fn.child_by_field_name("body")
                op.closure = Closure(param=params[0] if params else None,
                                     arrow=fn.type == "arrow_function",
                                     span=self.src.node_span(fn),
                                     body_span=self.src.node_span(body if body is not None else fn),
                                     node=fn, shared=shared)
                if not shared:
                    self.closure_tables[fn.id] = table
                    # A closure's table can name what conditions around it resolve to.
                    self.__dict__.pop("_tail_memo", None)
        return op

    def _blueprint_calls(self, op, chain) -> list[BlueprintCall]:
        """The Blueprint calls of op's closure. A closure written elsewhere (a variable, a
        method) runs at the op: its body is instantiated there, once per op."""
        closure = op.closure
        if closure.param is None:
            return []
        if closure.shared:
            site = Site(op.node, closure.node, ())
            chain = chain + (site,)
        calls: list[BlueprintCall] = []
        self._collect_calls(op, closure.node, closure.param, chain, calls)
        return calls

    def _collect_calls(self, op, fn, param, chain, calls):
        # `$table->getTable()` names the op's table wherever the body is instantiated.
        extra = {param + GET_TABLE: op.table}
        subst = {**self.subst_of(chain), **extra}
        lo = bisect_left(self.mcall_starts, fn.start_byte)
        hi = bisect_right(self.mcall_starts, fn.end_byte)
        for call in self._other_calls_in(fn):
            self._opaque_call(op, fn, param, chain, extra, call, calls)
        for call in self.mcalls[lo:hi]:
            obj = call.child_by_field_name("object")
            if obj is None or obj.type != "variable_name":
                self._opaque_call(op, fn, param, chain, extra, call, calls)
                continue
            # fn .. call's parent, walked down once: the Blueprint's names, the modifiers above
            # the call, its statement and its context all read it (`.parent` walks from the root).
            path = self._descent(fn, call)
            in_scope = self._blueprint_vars(fn, param, call, path)
            var = text(obj)
            if var == "$this" and len(chain) < MAX_DEPTH:
                helper = self.blueprint_helper(call, in_scope)
                if helper is not None and all(s.callee.id != helper[0].id for s in chain):
                    method, inner_param = helper
                    bindings = self._bind(method, arg_values(call.child_by_field_name(
                        "arguments")), subst)
                    site = Site(call, method, bindings)
                    self._collect_calls(op, method, inner_param, chain + (site,), calls)
                    continue
            if var not in in_scope:
                self._opaque_call(op, fn, param, chain, extra, call, calls)
                continue
            above = path if path is not None else self.ancestors(call)
            outer, modifiers, mod_args = call, [], []
            while above and above[-1].type in (
                    "member_call_expression", "nullsafe_member_call_expression") and same_node(
                    above[-1].child_by_field_name("object"), outer):
                outer = above.pop()
                mod = outer.child_by_field_name("name")
                modifiers.append(text(mod) if mod is not None else "")
                if bp.canonical_modifier(modifiers[-1]) in bp.FOREIGN_MODIFIERS or \
                        modifiers[-1] in bp.FLUENT_INDEX_ORDER:
                    mod_args.append((bp.canonical_modifier(modifiers[-1]),
                                     self._named_args(outer, subst)))
            method = bp.canonical(text(call.child_by_field_name("name")))
            mods = tuple(bp.canonical_modifier(m) for m in modifiers)
            args = arg_values(call.child_by_field_name("arguments"))
            values = tuple(self.resolve(a, subst) for a in args)
            category = bp.category(method, mods)
            calls.append(BlueprintCall(
                op=op, method=method, category=category,
                columns=self._call_columns(method, category, args, values, subst),
                modifiers=mods, span=self.src.node_span(outer),
                statement=self.statement_span(outer, above[-1] if above else None),
                ctx=self._command_ctx(op, self.context_in(outer, chain, extra,
                                                          above[:] if above else None)),
                args=values, expands=bp.expands(method),
                node=outer, order=self.order_of(outer, chain), shared=bool(chain),
                var=var, modifier_args=tuple(mod_args)))

    @staticmethod
    def _command_ctx(op, ctx):
        """A Blueprint call only records a command: its SQL is sent when op's closure has
        returned (LARAVEL_FACTS.md), so a failure surfaces at op. A `try`/`rescue()` inside the
        closure (or in a helper given the Blueprint) never sees it: only op's own protection
        counts. Its conditions stay: a guard inside the closure is valid."""
        if ctx.try_id == op.ctx.try_id and ctx.protection == op.ctx.protection:
            return ctx
        return Context(method=ctx.method, cond=ctx.cond, protection=op.ctx.protection,
                       function_id=ctx.function_id, try_id=op.ctx.try_id,
                       inert_try=ctx.protection)

    def _other_calls_in(self, fn) -> list:
        """Static and function calls inside fn, by position."""
        if not hasattr(self, "_others"):
            self._others = sorted((*self.scalls, *self.fcalls), key=lambda n: n.start_byte)
            self._other_starts = [n.start_byte for n in self._others]
        lo = bisect_left(self._other_starts, fn.start_byte)
        hi = bisect_right(self._other_starts, fn.end_byte)
        return self._others[lo:hi]

    def _opaque_call(self, op, fn, param, chain, extra, call, calls) -> None:
        """A call we cannot read that is given the Blueprint (`$this->helper->dropIndexIfExists(
        $table, ...)`, `SomeTrait::addAudit($table)`): it may add or drop anything."""
        values = [v for v in arg_values(call.child_by_field_name("arguments"))
                  if v.type == "variable_name"]
        if not values:
            return
        in_scope = self._blueprint_vars(fn, param, call, self._descent(fn, call))
        if not any(text(v) in in_scope for v in values):
            return
        callee = call.child_by_field_name("function")
        if callee is None:
            obj, name, _ = self.call_parts(call)
            sep = "::" if call.type == "scoped_call_expression" else "->"
            callee = f"{text(obj) if obj is not None else '?'}{sep}{text(name) if name else '?'}"
        else:
            callee = text(callee)
        # Its literal arguments (an index name given to `dropIndexIfExists($table, 'name')`).
        literals = tuple(self.resolve(v) for v in arg_values(call.child_by_field_name("arguments"))
                         if v.type in ("string", "encapsed_string"))
        calls.append(BlueprintCall(
            op=op, method=callee, category="opaque", columns=(), modifiers=(),
            span=self.src.node_span(call), statement=self.statement_span(call),
            ctx=self._command_ctx(op, self.context_in(call, chain, extra)), args=literals,
            node=call,
            order=self.order_of(call, chain), shared=bool(chain)))

    def _named_args(self, call, subst) -> tuple:
        """((name or None, resolved value), ...) of a call's arguments."""
        arguments = call.child_by_field_name("arguments")
        out = []
        for arg in arguments.named_children if arguments is not None else ():
            if arg.type == "argument" and arg.named_children:
                label = arg.child_by_field_name("name")
                out.append((text(label) if label is not None else None,
                            self.resolve(arg.named_children[-1], subst)))
        return tuple(out)

    def _descent(self, top, node) -> list | None:
        """[top, ..., node's parent] when node is under top, else None."""
        chain, cur = [], top
        while cur is not None and cur.id != node.id:
            chain.append(cur)
            cur = cur.child_with_descendant(node)
        return chain if cur is not None and chain else None

    def _blueprint_vars(self, closure, param, call, path) -> set[str]:
        """The variables that hold the closure's Blueprint where call is: nested closures see
        it through `use ($table)`, arrow functions capture it, and the callback of
        `$table->after('col', function ($t) { ... })` gets it as its first parameter.
        path: closure .. call's parent (None: call is not inside closure)."""
        names = {param}
        for cur in path[1:] if path is not None else ():
            if is_function(cur):
                params, outer = closure_params(cur), names
                if cur.type == "arrow_function":
                    names = names - set(params)
                elif cur.type == "anonymous_function":
                    names = self._used_vars(cur) & names - set(params)
                else:
                    names = set()
                if params and self._after_callback_of(cur, outer):
                    names.add(params[0])
        return names

    def _used_vars(self, fn) -> set[str]:
        use = next((c for c in fn.named_children if c.type == "anonymous_function_use_clause"),
                   None)
        if use is None:
            return set()
        out = set()
        for v in use.named_children:
            if v.type == "by_ref" and v.named_children:
                v = v.named_children[0]
            if v.type == "variable_name":
                out.add(text(v))
        return out

    def _after_callback_of(self, fn, blueprint_vars) -> bool:
        arg = fn.parent
        call = arg.parent.parent if arg is not None and arg.parent is not None else None
        if call is None or call.type != "member_call_expression":
            return False
        obj, name, _ = self.call_parts(call)
        return (name is not None and text(name).lower() == "after" and obj is not None
                and text(obj) in blueprint_vars)

    def _names(self, node, subst, value=None) -> tuple[Name, ...]:
        """value: node resolved through subst, when the caller has it."""
        items = array_items(node)
        if items is not None:
            return tuple(self.resolve(i, subst) for i in items)
        return (value if value is not None else self.resolve(node, subst),)

    @staticmethod
    def _morph_columns(values) -> tuple[Name, ...]:
        """`morphs('owner')` and `dropMorphs('owner')`: owner_type and owner_id."""
        if not values:
            return ()
        base = values[0]
        if base.known:
            return (literal(base.value + "_type"), literal(base.value + "_id"))
        return (Name(None, base.expr + "_type"), Name(None, base.expr + "_id"))

    def _call_columns(self, method, category, args, values, subst) -> tuple[Name, ...]:
        """values: args resolved through subst (the call's own `args` reads them too)."""
        if category in ("add", "change"):
            if method in bp.FIXED_COLUMNS:
                return tuple(literal(c) for c in bp.FIXED_COLUMNS[method])
            if method in bp.MORPHS:
                return self._morph_columns(values)
            if method == "addColumn":
                return values[1:2]
            if method == "foreignIdFor":
                if len(args) > 1:
                    return values[1:2]
                if args:
                    key = bp.model_foreign_key(text(args[0]).replace(" ", ""))
                    return (literal(key),) if key else (Name(None, norm(args[0]) + "->fk"),)
                return ()
            if not args:
                default = bp.DEFAULT_COLUMN.get(method)
                return (literal(default),) if default else ()
            return values[:1]
        if category == "drop":
            if method in bp.DROP_FIXED:
                return tuple(literal(c) for c in bp.DROP_FIXED[method])
            if method in bp.DROP_DEFAULT:
                return values[:1] if args else (literal(bp.DROP_DEFAULT[method]),)
            if method == "dropMorphs":
                return self._morph_columns(values)
            if method == "dropConstrainedForeignIdFor":
                if len(args) > 1:
                    return values[1:2]
                key = bp.model_foreign_key(text(args[0]).replace(" ", "")) if args else None
                return (literal(key),) if key else ()
            out: list[Name] = []
            for a, v in zip(args, values):
                out += self._names(a, subst, v)
            return tuple(out)
        if category == "rename":
            return values[:2]
        if category in ("index", "drop_index"):
            if not args:
                return ()
            if method == "foreign" or array_items(args[0]) is not None or category == "index":
                return self._names(args[0], subst, values[0])
            return ()
        if category == "rename_table":
            return values[:1]
        return ()

    def _raw_sql_and_inserts(self, raw_sql_only: bool = False):
        for call in self.scalls:
            scope, name, arguments = self.call_parts(call)
            if scope is None or name is None or basename(text(scope)).lower() != "db":
                continue
            if text(name).lower() in RAW_SQL_METHODS:
                self._raw_sql(call, text(name).lower(), arguments, None)
        for call, lname in zip(self.mcalls, self.mcall_names):
            if lname not in _DB_METHODS_B:
                continue
            obj, name, arguments = self.call_parts(call)
            if obj is None:
                continue
            method = text(name).lower()
            if method in RAW_SQL_METHODS or (method == "exec" and "getpdo" in text(obj).lower()):
                if self._is_db_connection(obj):
                    self._raw_sql(call, method, arguments, obj)
            elif raw_sql_only:
                continue
            elif method in INSERT_METHODS or method in DELETE_METHODS or method in READ_METHODS \
                    or method in UPDATE_METHODS:
                if method in READ_METHODS and self._reads_a_read(obj):
                    continue  # `->get()->each(...)`: one read, of the Collection get() made
                into = self.m.inserts if method in INSERT_METHODS else (
                    self.m.row_deletes if method in DELETE_METHODS else
                    self.m.updates if method in UPDATE_METHODS else self.m.reads)
                source = obj
                if method == "insertusing":
                    values = arg_values(arguments)
                    source = values[1] if len(values) > 1 else None
                    if source is None or source.type not in ("member_call_expression",
                                                             "scoped_call_expression"):
                        continue
                for chain in self.chains_of(call):
                    table = self._with_bindings(self.subst_of(chain), self._query_table, source)
                    if table is None:
                        break
                    into.append(Insert(table=table, span=self.src.node_span(call),
                                       statement=self.statement_span(call),
                                       ctx=self.context_in(call, chain), node=call,
                                       order=self.order_of(call, chain), method=method,
                                       columns=self._query_columns(call)))

    def _query_columns(self, call) -> tuple[str, ...]:
        """Literal column names along a query chain, down to its `DB::table(...)`."""
        found: list[str] = []

        def add(node):
            value = string_parts(node, False) if node is not None and node.type in (
                "string", "encapsed_string") else None
            if value:
                name = value.split(" as ")[0].strip().rsplit(".", 1)[-1].lower()
                if name and name != "*" and name not in found:
                    found.append(name)

        cur = call
        for _ in range(30):
            if cur is None or cur.type not in ("member_call_expression",
                                               "nullsafe_member_call_expression"):
                break
            name = cur.child_by_field_name("name")
            method = text(name).lower() if name is not None else ""
            args = arg_values(cur.child_by_field_name("arguments"))
            if args:
                keyed = array_items(args[0]) if method in (
                    "update", "insert", "where") else None
                if keyed is not None and args[0].type == "array_creation_expression":
                    for item in args[0].named_children:
                        key = item.named_children[0] if item.named_children and \
                            len(item.named_children) > 1 else None
                        add(key)
                elif method in _COLUMN_ARG_METHODS:
                    add(args[0])
                elif method == "select":
                    for a in args:
                        add(a)
            cur = cur.child_by_field_name("object")
        return tuple(found)

    def _reads_a_read(self, obj) -> bool:
        if obj.type not in ("member_call_expression", "nullsafe_member_call_expression"):
            return False
        _, name, _ = self.call_parts(obj)
        return name is not None and text(name).lower() in READ_METHODS

    def _with_bindings(self, subst, fn, *args):
        """fn(*args) with names resolved through subst where fn resolves without one."""
        saved, self._bindings = self._bindings, subst or None
        try:
            return fn(*args)
        finally:
            self._bindings = saved

    def _is_db_connection(self, obj) -> bool:
        t = text(obj).lower()
        if "db::" in t or "getpdo" in t or "getconnection" in t or "connection(" in t:
            return True
        if obj.type == "variable_name":
            return any("db::" in text(r).lower() or "connection" in text(r).lower()
                       for r in self.assignments.get(text(obj), ()))
        return False

    def _raw_connection(self, obj):
        """(key, literal text) of the connection `obj->statement(...)` runs on: `DB::` and
        `DB::connection()` are the default; `DB::connection('x')` is x; anything else
        (`$pdo`, `DB::connection($name)`) is a connection no guard names."""
        if obj is None:
            return None, None
        if obj.type in ("member_call_expression", "scoped_call_expression"):
            inner, name, arguments = self.call_parts(obj)
            if name is not None and text(name).lower() == "getpdo":
                # `DB::getPdo()`, `DB::connection('x')->getPdo()`: the connection of its object
                if obj.type == "scoped_call_expression":
                    return (None, None) if basename(text(inner)).lower() == "db" \
                        else (self.conn_key(text(obj)), None)
                return self._raw_connection(inner)
        if obj.type == "name" and basename(text(obj)).lower() == "db":
            return None, None
        if obj.type == "scoped_call_expression":
            scope, name, arguments = self.call_parts(obj)
            if scope is not None and name is not None and basename(text(scope)).lower() == "db" \
                    and text(name).lower() == "connection":
                args = arg_values(arguments)
                if not args:
                    return None, None
                key = self.conn_key(text(args[0]))
                literal = args[0].type in ("string", "encapsed_string") and key is not None \
                    and isinstance(key, str)
                return key, (text(args[0]) if literal else None)
        key = self.conn_key(text(obj))
        return key, None

    def _raw_sql(self, call, via, arguments, obj):
        args = arg_values(arguments)
        if not args:
            return
        conn, connection = self._raw_connection(obj)
        node = args[0]
        sql, is_literal = self._sql_text(node)
        if sql is None:
            return
        statements = sqlmod.classify(sql)
        for chain in self.chains_of(call):
            self.m.raw_sql.append(RawSql(
                via=via, sql=sql, literal=is_literal, statements=statements,
                span=self.src.node_span(call), statement=self.statement_span(call),
                ctx=self.context_in(call, chain),
                string_span=self.src.node_span(node) if node.type in (
                    "string", "encapsed_string", "heredoc", "nowdoc") else None,
                node=call, order=self.order_of(call, chain), conn=conn,
                connection=connection))

    def _sql_text(self, node, depth=0):
        if node is None or depth > 10:
            return None, False
        if node.type in ("string", "encapsed_string", "heredoc", "nowdoc"):
            value = string_parts(node, True)
            return value, value is not None and PLACEHOLDER not in value
        if node.type == "binary_expression":
            left, lit_l = self._sql_text(node.child_by_field_name("left"), depth + 1)
            right, lit_r = self._sql_text(node.child_by_field_name("right"), depth + 1)
            return (left or PLACEHOLDER) + (right or PLACEHOLDER), lit_l and lit_r
        if node.type == "parenthesized_expression" and node.named_children:
            return self._sql_text(node.named_children[0], depth + 1)
        if node.type == "variable_name":
            rhss = self.assignments.get(text(node), ())
            if len(rhss) == 1:
                return self._sql_text(rhss[0], depth + 1)
        if node.type == "function_call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and basename(text(fn)).lower() in ("sprintf", "vsprintf"):
                # The format is the statement; each conversion an unknown part.
                args = arg_values(node.child_by_field_name("arguments"))
                fmt, _ = self._sql_text(args[0], depth + 1) if args else (None, False)
                if fmt is not None:
                    return _FORMAT_SPEC.sub(lambda m: "%" if m[0] == "%%" else PLACEHOLDER,
                                            fmt), False
        value = self.resolve(node)
        if value.known:
            return value.value, True
        return PLACEHOLDER, False

    def _comments(self):
        for c in self.comments:
            span = self.src.node_span(c)
            line_start = self.src.line_starts[span.line - 1]
            trailing = bool(self.src.data[line_start:c.start_byte].strip())
            self.m.comments.append(Comment(line=span.line, end_line=span.end_line, text=text(c),
                                           span=span, trailing=trailing))

