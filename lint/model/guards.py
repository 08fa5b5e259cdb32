"""Reads, from the syntax tree, the condition each statement runs under (as data: see
lint/model/conditions.py). Mixed into the model Builder, whose name resolution it uses.

A statement's condition is the conjunction of everything between it and its method:
enclosing if/elseif/else branches (with the negation of the branches before), ternaries and
short-circuit operators, early exits earlier in the same blocks, `whenTable*` callbacks, and
UNKNOWN for what runs a varying number of times (loops, callbacks, catch blocks). A failure
inside `try { } catch (QueryException $e) { }` or `rescue()` is caught: that is recorded as
the statement's protection, not as a condition.
"""

from __future__ import annotations

import re

from migrate_lint.model import conditions as C
from migrate_lint.model.names import arg_values, array_items, norm, string_parts, text
from migrate_lint.model.types import Context, encode_name

WHEN_OPS = {"whentablehascolumn": ("column", True), "whentabledoesnthavecolumn": ("column", False),
            "whentablehasindex": ("index", True), "whentabledoesnthaveindex": ("index", False)}
# Calls whose closure argument runs exactly once, right away.
RUNS_ONCE = {"create", "table", "transaction", "tap", "with", "callsilent", "call", "after"}
QUERY_CHECKS = {"exists": True, "doesntexist": False, "count": True, "first": True, "value": True,
                "find": True, "isnotempty": True, "isempty": False, "sole": True, "get": True,
                "pluck": True}
# Exceptions a `catch` can name that stop a failing DDL statement from aborting the migrator.
CATCHING = {"queryexception", "pdoexception", "runtimeexception", "exception", "throwable",
            "dbalexception", "schemaexception", "columndoesnotexist", "databaseexception"}
LOOPS = {"foreach_statement", "for_statement", "while_statement", "do_statement"}
# The node types a context walk reads; it passes every other ancestor by.
_WALKED = frozenset({"if_statement", "else_if_clause", "else_clause", "conditional_expression",
                     "compound_statement", "colon_block", "try_statement", "catch_clause",
                     "switch_block", "match_block", "binary_expression", "anonymous_function",
                     "arrow_function", "method_declaration", "function_definition", *LOOPS})
_INDEXY = re.compile(r"index|foreign|constraint|key_name", re.IGNORECASE)
_EXIT_WORD = re.compile(rb"\b(return|throw|exit|die)\b")
# What a block needs to exit early, and `if` (whose condition the exit scan reads): a block
# without any of them is not scanned statement by statement.
_MAY_EXIT = re.compile(rb"\b(return|throw|exit|die|continue|break|if)\b", re.IGNORECASE)
_SELF = ("$this", "self", "static")
GET_TABLE = "->getTable()"  # the binding of `$table->getTable()` inside a Blueprint closure


def basename(name: str) -> str:
    return name.lstrip("\\").rsplit("\\", 1)[-1]


def same_node(a, b) -> bool:
    return a is not None and b is not None and a.id == b.id


def _literal_bool(node):
    t = text(node).strip().lower() if node is not None else ""
    return {"true": True, "false": False}.get(t)


class ConditionReader:
    """Needs from the host: root, m, assignments, predicates, resolve(), builder_info(),
    call_parts(), ancestors(), getTable_read (the file has a `getTable` call, in any case),
    _function_spans (the sorted (start, end) of every function, from the model's query)."""

    # ------------------------------------------------------------------ contexts
    def context(self, node, subst=None, stop=None, above=None) -> Context:
        """The condition node runs under, walking out to its method (or to `stop`, the function
        whose body is instantiated at a call site: the caller adds the call site's context).
        above: node's ancestors from a function enclosing it down, when the caller has them
        (the walk reads them from the end; by default the whole chain from the root)."""
        walk = _Walk()
        self._walk(above if above else self.ancestors(node), node, subst, stop, walk, None,
                   self._skey(subst))
        tail = walk.tail
        if tail is not None:
            if not walk.try_id and all(c == C.TRUE for c in walk.conds):
                return tail.context()  # most statements in a closure add nothing of their own
            walk.join(tail)
        return walk.context()

    def _closure_tail(self, fn, subst, stop, skey) -> "_Walk":
        """What the walk collects from a closure outwards: the same for every statement in it,
        so it is computed once per closure (and bindings, and stop)."""
        memo = self.__dict__.setdefault("_tail_memo", {})
        key = (fn.id, skey, stop.id if stop is not None else 0)
        tail = memo.get(key)
        if tail is None:
            tail = memo[key] = _Walk()
            chain = self.ancestors(fn)
            chain.append(fn)
            self._walk(chain, fn, subst, stop, tail, fn.id, skey)
        return tail

    def _walk(self, chain, child, subst, stop, walk, tail_of, skey) -> None:
        conds = walk.conds
        while chain:
            cur = chain.pop()
            if stop is not None and cur.id == stop.id:
                break
            t = cur.type
            if t not in _WALKED:
                child = cur
                continue
            if t == "if_statement":
                if same_node(cur.child_by_field_name("body"), child):
                    conds.append(self.cond_of(cur.child_by_field_name("condition"), subst))
            elif t in ("else_if_clause", "else_clause"):
                if same_node(cur.child_by_field_name("body"), child):
                    conds.append(self._branch_cond(cur, chain[-1] if chain else None, subst))
            elif t == "conditional_expression":
                cond = self.cond_of(cur.child_by_field_name("condition"), subst)
                if same_node(cur.child_by_field_name("body"), child):
                    conds.append(cond)
                elif same_node(cur.child_by_field_name("alternative"), child):
                    conds.append(C.not_(cond))
            elif t in ("compound_statement", "colon_block"):
                conds.append(self._reach_cond(cur, child, subst, skey))
            elif t == "try_statement":
                if same_node(cur.child_by_field_name("body"), child) and not walk.try_id \
                        and self._catches_query_errors(cur):
                    walk.protection, walk.try_id = "try/catch", cur.id
            elif t == "catch_clause":
                conds.append(C.unknown("a catch block runs only when something failed"))
            elif t in LOOPS:
                if same_node(cur.child_by_field_name("body"), child):
                    conds.append(self._loop_cond(cur, subst))
            elif t in ("switch_block", "match_block"):
                conds.append(C.unknown("a switch/match branch"))
            elif t == "binary_expression" and same_node(cur.child_by_field_name("right"), child):
                op = text(cur.child_by_field_name("operator")).lower()
                left = cur.child_by_field_name("left")
                if op in ("&&", "and"):
                    conds.append(self.cond_of(left, subst))
                elif op in ("||", "or"):
                    conds.append(C.not_(self.cond_of(left, subst)))
                elif op == "??":
                    conds.append(C.unknown(text(left) + " ?? ..."))
            elif t in ("anonymous_function", "arrow_function"):
                if tail_of is None:
                    # Not inside a tail's own walk: outer closures are read inline there, so
                    # 10,000 nested closures are not 10,000 nested calls. context() joins it.
                    walk.tail = self._closure_tail(cur, subst, stop, skey)
                    return
                use = self._closure_use(cur, chain, subst)
                if use is not None and use[0] == "rescue":
                    if not walk.try_id:
                        walk.protection, walk.try_id = "rescue()", cur.id
                    if len(use) > 1:
                        conds.append(use[1])
                elif use is not None:
                    conds.append(use)
            elif t in ("method_declaration", "function_definition"):
                walk.function_id = cur.id
                if t == "method_declaration":
                    name = cur.child_by_field_name("name")
                    walk.method = text(name) if name is not None else ""
                break
            child = cur

    def _skey(self, subst) -> tuple:
        """_subst_key, once per bindings dict (they are never changed once made; the memo keeps
        each one alive, so its id is not reused)."""
        if not subst:
            return ()
        memo = self.__dict__.setdefault("_skey_memo", {})
        hit = memo.get(id(subst))
        if hit is None or hit[0] is not subst:
            key = _subst_key(subst)
            if not self.getTable_read:
                # Only a `->getTable()` call reads such a binding: in a file without one, the
                # Blueprint's table of each op leaves conditions, exits and walks unchanged.
                key = tuple(kv for kv in key if not kv[0].endswith(GET_TABLE))
            hit = memo[id(subst)] = (subst, key)
        return hit[1]

    def _branch_cond(self, clause, if_stmt, subst):
        if if_stmt is None or if_stmt.type != "if_statement":
            return C.unknown("else")
        parts = [C.not_(self.cond_of(if_stmt.child_by_field_name("condition"), subst))]
        for alt in if_stmt.children_by_field_name("alternative"):
            if same_node(alt, clause):
                break
            if alt.type == "else_if_clause":
                parts.append(C.not_(self.cond_of(alt.child_by_field_name("condition"), subst)))
        if clause.type == "else_if_clause":
            parts.append(self.cond_of(clause.child_by_field_name("condition"), subst))
        return C.and_(*parts)

    def _closure_use(self, fn, outer, subst):
        """How a closure's body comes to run: None (once, right away), ("rescue",) or
        ("rescue", condition) for rescue_if/rescue_unless, or the
        condition under which it runs. outer: its ancestors, root first (tree-sitter's
        `.parent` walks down from the root: climbing it level by level is quadratic)."""
        if self.loop_values(fn):
            return None  # once for each value of a literal list (lint/model/loops.py)
        arg = outer[-1] if outer else None
        if arg is None or arg.type != "argument" or len(outer) < 3:
            # Assigned, returned or stored: it runs when (and if) something calls it.
            return C.unknown("a closure called elsewhere")
        call = outer[-3]
        if call.type == "function_call_expression":
            fname = basename(text(call.child_by_field_name("function"))).lower()
            if fname in ("rescue_if", "rescue_unless"):
                # App helpers (koel): `rescue_if($condition, $callback)` runs the callback, under
                # rescue(), only when the condition holds; rescue_unless when it does not.
                args = arg_values(call.child_by_field_name("arguments"))
                if len(args) >= 2 and same_node(args[1], fn):
                    cond = self.cond_of(args[0], subst)
                    return ("rescue", cond if fname == "rescue_if" else C.not_(cond))
            if "rescue" in fname:
                return ("rescue",)
            if fname in RUNS_ONCE:
                return None
            return C.unknown(f"a callback of {fname}()")
        if call.type not in ("scoped_call_expression", "member_call_expression",
                             "nullsafe_member_call_expression"):
            return C.unknown("a callback")
        owner, name, arguments = self.call_parts(call)
        method = text(name).lower() if name is not None else ""
        if method in WHEN_OPS and owner is not None and self.builder_info(owner) is not None:
            args = arg_values(arguments)
            if len(args) >= 3 and same_node(args[2], fn):
                kind, positive = WHEN_OPS[method]
                atom = C.has(kind, encode_name(self.resolve(args[0], subst)),
                             self._key(args[1], subst) if kind == "index" else
                             encode_name(self.resolve(args[1], subst)),
                             self.conn_key(self.builder_info(owner)[1]))
                return atom if positive else C.not_(atom)
            return C.unknown(f"a callback of {method}()")
        if method in RUNS_ONCE:
            return None
        return C.unknown(f"a callback of {method}()")

    def _loop_cond(self, loop, subst):
        """A loop body may run any number of times. `foreach (array_diff([...],
        Schema::getColumnListing(t)) as $c)` still says something about `$c`: it is missing."""
        if self.loop_values(loop):
            return C.TRUE  # once for each value of a literal list (lint/model/loops.py)
        if loop.type != "foreach_statement" or len(loop.named_children) < 3:
            return C.unknown("a loop body")
        source, target = loop.named_children[0], loop.named_children[1]
        if target.type == "pair" and target.named_children:
            target = target.named_children[-1]
        if target.type != "variable_name":
            return C.unknown("a loop body")
        picked = self._listing_filter(source, subst)
        if picked is None:
            return C.unknown("a loop body")
        table, conn, keep_existing = picked
        atom = C.has("column", table, C.expr(text(target)), conn)
        return C.and_(C.unknown("a loop body"), atom if keep_existing else C.not_(atom))

    def _listing_filter(self, node, subst, depth=0):
        """(table, connection, keeps existing columns) for `array_diff(L, getColumnListing(t))`
        (the missing ones) and `array_intersect(L, getColumnListing(t))` (the existing ones)."""
        if node is None or depth > 4:
            return None
        if node.type == "variable_name":
            rhs = self._single_assignment(node)
            return self._listing_filter(rhs, subst, depth + 1) if rhs is not None else None
        if node.type != "function_call_expression":
            return None
        fname = basename(text(node.child_by_field_name("function"))).lower()
        args = arg_values(node.child_by_field_name("arguments"))
        if fname == "array_values" and args:
            return self._listing_filter(args[0], subst, depth + 1)
        if fname not in ("array_diff", "array_intersect") or len(args) < 2:
            return None
        listing = self._column_listing(args[1], subst)
        if listing is None:
            return None
        return listing[0], listing[1], fname == "array_intersect"

    def _reach_cond(self, block, child, subst, skey):
        """What holds at child given the early exits (`if (C) { return; }`) before it."""
        key = (block.id, skey)
        entries = self.exit_cache.get(key)
        if entries is None:
            entries = []
            for stmt in block.named_children if _MAY_EXIT.search(block.text) else ():
                if stmt.type == "comment":
                    continue
                e = self._exit_cond(stmt, subst)
                if e != C.FALSE:
                    entries.append((stmt.end_byte, e))
            self.exit_cache[key] = entries
        if not entries:
            return C.TRUE
        return C.and_(*[C.not_(e) for end, e in entries if end <= child.start_byte])

    def _exit_cond(self, stmt, subst, depth=0):
        """The condition under which stmt leaves the block (return, throw, exit, continue)."""
        if stmt is None or depth > 20:
            return C.FALSE
        t = stmt.type
        if t in ("return_statement", "continue_statement", "break_statement", "exit_statement"):
            return C.TRUE
        if t == "expression_statement":
            first = stmt.named_children[0] if stmt.named_children else None
            if first is not None and (first.type == "throw_expression" or (
                    first.type == "function_call_expression"
                    and basename(text(first.child_by_field_name("function"))).lower()
                    in ("exit", "die"))):
                return C.TRUE
            return C.FALSE
        if t in ("compound_statement", "colon_block"):
            exits, reach = C.FALSE, C.TRUE
            for s in stmt.named_children:
                e = self._exit_cond(s, subst, depth + 1)
                if e == C.FALSE:
                    continue
                exits = C.or_(exits, C.and_(reach, e))
                reach = C.and_(reach, C.not_(e))
            return exits
        if t == "if_statement":
            cond = self.cond_of(stmt.child_by_field_name("condition"), subst)
            out = C.and_(cond, self._exit_cond(stmt.child_by_field_name("body"), subst, depth + 1))
            prior = [cond]
            for alt in stmt.children_by_field_name("alternative"):
                body = self._exit_cond(alt.child_by_field_name("body"), subst, depth + 1)
                if alt.type == "else_if_clause":
                    c = self.cond_of(alt.child_by_field_name("condition"), subst)
                    out = C.or_(out, C.and_(*[C.not_(p) for p in prior], c, body))
                    prior.append(c)
                else:
                    out = C.or_(out, C.and_(*[C.not_(p) for p in prior], body))
            return out
        if t in LOOPS or t in ("switch_statement", "try_statement"):
            # A return inside a loop, switch or try may or may not happen.
            if _EXIT_WORD.search(stmt.text) and not _only_in_closures(stmt):
                return C.unknown(f"an early exit inside a {t.split('_')[0]}")
        return C.FALSE

    def _catches_query_errors(self, try_stmt) -> bool:
        for clause in try_stmt.named_children:
            if clause.type != "catch_clause":
                continue
            types = clause.child_by_field_name("type")
            names = {basename(text(n)).lower() for n in (types.named_children if types else [])}
            if types is not None and types.type != "type_list":
                names.add(basename(text(types)).lower())
            if not names & CATCHING:
                continue
            body = clause.child_by_field_name("body")
            rethrows = body is not None and any(
                s.type == "expression_statement" and s.named_children
                and s.named_children[0].type == "throw_expression" for s in body.named_children)
            if not rethrows:
                return True
        return False

    # ------------------------------------------------------------------ expressions
    def cond_of(self, expr, subst=None, depth=0):
        """The condition an expression stands for, when it is used as a boolean."""
        if expr is None or depth > 30:
            return C.unknown("?")
        cache = self.__dict__.setdefault("_cond_cache", {})
        key = (expr.id, self._skey(subst))
        found = cache.get(key)
        if found is None:
            found = cache[key] = self._cond_of(expr, subst, depth)
        return found

    def _cond_of(self, expr, subst, depth):
        t = expr.type
        if t == "parenthesized_expression" and expr.named_children:
            return self.cond_of(expr.named_children[0], subst, depth + 1)
        if t == "boolean":
            return C.TRUE if text(expr).lower() == "true" else C.FALSE
        if t == "unary_op_expression":
            op = expr.child_by_field_name("operator")
            arg = expr.child_by_field_name("argument")
            if (op is not None and text(op) == "!") or text(expr).lstrip().startswith("!"):
                return C.not_(self.cond_of(arg or expr.named_children[-1], subst, depth + 1))
            return C.unknown(text(expr))
        if t == "binary_expression":
            return self._binary_cond(expr, subst, depth)
        if t == "variable_name":
            if subst and text(expr) in subst:
                return C.unknown(text(expr))
            rhs = self._single_assignment(expr)
            if rhs is not None:
                return self.cond_of(rhs, subst, depth + 1)
            found = self.lookup_truth(expr, subst)  # reassigned: the value that reaches here
            return found if found is not None else C.unknown(text(expr))
        if t in ("scoped_call_expression", "member_call_expression",
                 "nullsafe_member_call_expression", "function_call_expression"):
            return self._call_cond(expr, subst, depth)
        return C.unknown(text(expr))

    def _binary_cond(self, expr, subst, depth):
        op = text(expr.child_by_field_name("operator")).lower()
        left = expr.child_by_field_name("left")
        right = expr.child_by_field_name("right")
        if op in ("&&", "and"):
            return C.and_(self.cond_of(left, subst, depth + 1), self.cond_of(right, subst, depth + 1))
        if op in ("||", "or"):
            return C.or_(self.cond_of(left, subst, depth + 1), self.cond_of(right, subst, depth + 1))
        if op in ("===", "==", "!==", "!=", "<>"):
            equal = op in ("===", "==")
            for a, b in ((left, right), (right, left)):
                if b is not None and b.type == "null":
                    found = self.lookup_null_test(a, equal, subst)  # lint/model/lookups.py
                    if found is not None:
                        return found
                if b is not None and text(b).strip() == "1":
                    found = self.lookup_one_row(a, subst)  # count($rows) === 1
                    if found is not None:
                        return found if equal else C.not_(found)
            for a, b in ((left, right), (right, left)):
                lit = _literal_bool(b)
                if lit is not None:
                    c = self.cond_of(a, subst, depth + 1)
                    return c if lit == equal else C.not_(c)
                if b is not None and text(b).strip() == "0":
                    c = self.cond_of(a, subst, depth + 1)  # count(...) === 0
                    return C.not_(c) if equal else c
                name = self._driver_name(b)
                conn = self._driver_call(a)
                if name is not None and conn is not False:
                    c = C.driver(name, conn)
                    return c if equal else C.not_(c)
        if op in (">", ">=") and right is not None and text(right).strip() in ("0", "1"):
            if op == ">" or text(right).strip() == "1":
                return self.cond_of(left, subst, depth + 1)
        return C.unknown(text(expr))

    def _driver_name(self, node):
        if node is None or node.type not in ("string", "encapsed_string"):
            return None
        return string_parts(node, False)

    def _driver_call(self, node):
        """The connection of a `...->getDriverName()` call (None: default), False otherwise."""
        if node is None or node.type not in ("scoped_call_expression", "member_call_expression",
                                             "nullsafe_member_call_expression"):
            if node is not None and node.type == "variable_name":
                rhs = self._single_assignment(node)
                return self._driver_call(rhs) if rhs is not None else False
            return False
        _, name, _ = self.call_parts(node)
        if name is None or text(name).lower() != "getdrivername":
            return False
        m = re.search(r"connection\(\s*(['\"])([\w.-]+)\1", text(node))
        return self.conn_key(m.group(0)[len("connection("):].strip()) if m else None

    def _call_cond(self, call, subst, depth):
        if call.type == "function_call_expression":
            fname = basename(text(call.child_by_field_name("function"))).lower()
            args = arg_values(call.child_by_field_name("arguments"))
            if fname == "is_null" and args:
                found = self.lookup_null_test(args[0], True, subst)
                if found is not None:
                    return found
            if fname == "count" and args:
                found = self.lookup_truth(args[0], subst)  # count($rows) > 0
                if found is not None:
                    return found
            if fname == "empty" and args:
                found = self.lookup_truth(args[0], subst)
                if found is not None:
                    return C.not_(found)
            if fname == "in_array" and len(args) >= 2:
                found = self.lookup_in_list(args[0], args[1], subst)
                if found is not None:
                    return found
                listing = self._column_listing(args[1], subst)
                if listing is not None:
                    return C.has("column", listing[0], encode_name(self.resolve(args[0], subst)),
                                 listing[1])
                conn = self._driver_call(args[0])
                names = array_items(args[1])
                if conn is not False and names is not None:
                    found = [self._driver_name(n) for n in names]
                    if found and all(found):
                        return C.or_(*[C.driver(n, conn) for n in found])
            return self._indexy(call)
        owner, name, arguments = self.call_parts(call)
        if name is None:
            return C.unknown(text(call))
        method = text(name).lower()
        args = arg_values(arguments)
        owner_text = text(owner) if owner is not None else ""
        if owner_text in _SELF and method in self.predicates:
            params, body = self.predicates[method]
            mapping = {p: self.resolve(a, subst) for p, a in zip(params, args)}
            found = self.cond_of(body, mapping, depth + 1)
            if found[0] == "unknown" or found == C.has("index", None):
                # `return collect(Schema::getIndexes($t))->...`: read as a lookup if it is one
                return self.lookup_truth(call, subst) or found
            return found
        if owner_text in _SELF:
            found = self.lookup_truth(call, subst)  # a helper returning a lookup's result
            if found is not None:
                return found
        info = self.builder_info(owner)
        if info is not None:
            conn = self.conn_key(info[1])
            if method == "hastable" and args:
                return C.has("table", encode_name(self.resolve(args[0], subst)), conn=conn)
            if method == "hascolumn" and len(args) >= 2:
                return C.has("column", encode_name(self.resolve(args[0], subst)),
                             encode_name(self.resolve(args[1], subst)), conn)
            if method == "hascolumns" and len(args) >= 2:
                table = encode_name(self.resolve(args[0], subst))
                items = array_items(args[1])
                if items is None:
                    return C.unknown(text(call))
                # True only when ALL exist: its negation says just "some column is missing".
                return C.and_(*[C.has("column", table, encode_name(self.resolve(i, subst)), conn)
                                for i in items])
            if method in ("hasindex", "hasforeignkey") and args:
                kind = "index" if method == "hasindex" else "foreign"
                key = self._key(args[1], subst) if len(args) > 1 else None
                extra = None
                if kind == "index" and len(args) > 2:
                    extra = self._driver_name(args[2])
                return C.has(kind, encode_name(self.resolve(args[0], subst)), key, conn,
                             extra.lower() if extra else None)
        if method in QUERY_CHECKS:
            table = self._query_table(call)
            if table is not None:
                atom = C.has("rows", encode_name(table))
                return atom if QUERY_CHECKS[method] else C.not_(atom)
        return self._indexy(call)

    def _key(self, node, subst):
        """hasIndex/hasForeignKey's second argument: a name, or ("cols", (...)) for a list."""
        items = array_items(node)
        if items is not None:
            names = [self.resolve(i, subst) for i in items]
            if all(n.known for n in names):
                return ("cols", tuple(n.value for n in names))
            return C.expr(norm(node))
        return encode_name(self.resolve(node, subst))

    def _column_listing(self, node, subst, depth=0):
        """(table, connection) of `Schema::getColumnListing(t)` (also through a variable)."""
        if node is None or depth > 4:
            return None
        if node.type == "variable_name":
            rhs = self._single_assignment(node)
            return self._column_listing(rhs, subst, depth + 1) if rhs is not None else None
        if node.type not in ("scoped_call_expression", "member_call_expression"):
            return None
        owner, name, arguments = self.call_parts(node)
        if name is None or text(name).lower() != "getcolumnlisting":
            return None
        info = self.builder_info(owner)
        args = arg_values(arguments)
        if info is None or not args:
            return None
        return encode_name(self.resolve(args[0], subst)), self.conn_key(info[1])

    def _single_assignment(self, var):
        """The one value assigned to a variable in its function, if there is exactly one."""
        rhss = self.assignments.get(text(var))
        if not rhss:
            return None
        lo, hi = self._function_span(var.start_byte)
        rhss = [r for r in rhss if lo <= r.start_byte < hi]
        return rhss[0] if len(rhss) == 1 else None

    def _function_span(self, offset: int) -> tuple[int, int]:
        """(start, end) of the innermost function around a byte offset, found by ranges (no
        parent walks: they are linear in the depth)."""
        from bisect import bisect_right

        spans = self._function_spans
        i = bisect_right(spans, (offset, float("inf"))) - 1
        while i >= 0:
            start, end = spans[i]
            if start <= offset < end:
                return start, end
            i -= 1
        return 0, len(self.m.source.data)

    def _indexy(self, call):
        # Index checks come in many shapes (Doctrine's listTableIndexes, SHOW INDEX, helpers):
        # one that mentions indexes checks some index of a table we cannot name.
        if _INDEXY.search(text(call)):
            return C.has("index", None)
        return C.unknown(text(call))

    def _query_table(self, call):
        cur = call
        for _ in range(20):
            if cur is None:
                return None
            if cur.type == "scoped_call_expression":
                scope, name, arguments = self.call_parts(cur)
                if scope is not None and basename(text(scope)).lower() == "db" \
                        and name is not None and text(name).lower() == "table":
                    args = arg_values(arguments)
                    return self.resolve(args[0]) if args else None
                return None
            if cur.type in ("member_call_expression", "nullsafe_member_call_expression"):
                name = cur.child_by_field_name("name")
                if name is not None and text(name).lower() == "table":
                    args = arg_values(cur.child_by_field_name("arguments"))
                    obj = cur.child_by_field_name("object")
                    if obj is not None and "db" in text(obj).lower():
                        return self.resolve(args[0]) if args else None
                cur = cur.child_by_field_name("object")
                continue
            return None
        return None

    # ------------------------------------------------------------------ connections
    def conn_key(self, conn_text: str | None):
        """A connection argument as guards compare it: None for the migration's default."""
        if conn_text is None:
            return None
        t = conn_text.strip()
        if t.replace(" ", "") in ("$this->connection", "$this->getConnection()", "null", "NULL"):
            return None
        if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
            name = t[1:-1]
            return None if name == self.m.connection else name
        return C.expr(" ".join(t.split()))


class _Walk:
    """What a context walk collects, innermost first; the innermost try or rescue() wins."""

    __slots__ = ("conds", "protection", "try_id", "method", "function_id", "tail", "_context")

    def __init__(self):
        self.conds, self.protection, self.try_id, self.method, self.function_id = [], None, 0, "", 0
        self.tail = None  # the enclosing closure's walk, memoized (see context())
        self._context = None

    def context(self) -> Context:
        """Built once per walk: a closure's tail serves every statement in it, and they
        share one Context (never changed once made; its guards are read once)."""
        if self._context is None:
            self._context = Context(method=self.method, cond=C.and_(*self.conds),
                                    protection=self.protection, function_id=self.function_id,
                                    try_id=self.try_id)
        return self._context

    def join(self, outer: "_Walk") -> None:
        self.conds.extend(outer.conds)
        if not self.try_id:
            self.protection, self.try_id = outer.protection, outer.try_id
        self.method, self.function_id = outer.method, outer.function_id


def _subst_key(subst) -> tuple:
    """A hashable key for the parameter bindings of an instantiated body (Names are frozen)."""
    return tuple(sorted(subst.items(), key=lambda kv: kv[0])) if subst else ()


def at_call_site(site: Context, inner: Context) -> Context:
    """The context of a statement in a function body (a closure held in a variable, a helper
    method) instantiated where it is called: `inner` is `context(node, subst, stop=function)`,
    `site` the context of the call."""
    return Context(method=site.method, cond=C.and_(site.cond, inner.cond),
                   protection=inner.protection or site.protection,
                   function_id=site.function_id, try_id=inner.try_id or site.try_id)


def _only_in_closures(stmt) -> bool:
    """True when every return/throw under stmt belongs to a nested closure."""
    stack = list(stmt.named_children)
    while stack:
        n = stack.pop()
        if n.type in ("anonymous_function", "arrow_function"):
            continue
        if n.type in ("return_statement", "exit_statement") or n.type == "throw_expression":
            return False
        stack.extend(n.named_children)
    return True
