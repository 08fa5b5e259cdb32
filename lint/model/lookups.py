"""Existence lookups held in a variable or returned by a helper, and tested later.

    $index = $this->plainIndex('attributes', ['code']);      // a helper over getIndexes()
    if ($index === null) { return; }
    $constrained = collect(Schema::getForeignKeys('t'))->flatMap(fn ($k) => $k['columns'])->all();
    if (! in_array('flight_id', $constrained, true)) { ... }
    $id = DB::table('bundles')->where('name', 'Default')->value('id');
    if ($id === null) { ... }

A lookup is read as one of two values:

    ("scalar", cond, absent)   truthy exactly when cond holds; absent is what it is otherwise:
                               "null" (first(), value(), a helper that returns null), "false"
                               (exists(), hasColumn()), "zero" (count()), "mixed"
    ("list", kind, table, conn, field)
                               what Schema::getIndexes/getIndexListing/getForeignKeys/
                               getColumns/getColumnListing(table) return, or a list made from
                               it: field "rows" (the arrays Laravel returns), "name" (their
                               names), "columns" (the columns they cover, flattened)

A test reads it with its polarity: `=== null` only where absent is null (count() is never
null), `in_array($x, $list)` only on a list of names or columns (it names the object). What
cannot be read this way (a helper that may return something else, a key the helper does not
compare) stays unknown: the finding is kept. Mixed into the model Builder.
"""

from __future__ import annotations

import re

from migrate_lint.model import conditions as C
from migrate_lint.model.blocks import BLOCKS
from migrate_lint.model.guards import LOOPS
from migrate_lint.model.loops import foreach_var
from migrate_lint.model.names import (FUNCTION_TYPES, arg_values, array_items, closure_params,
                                      norm, text)
from migrate_lint.model.types import encode_name

# An index key given as the code of a list of columns (`$definition['columns']`).
COLS_EXPR = "colsexpr"
# What `DB::select()` of one information_schema row returns when there is none: [] (and at
# most one row otherwise, so `count(...) === 1` is a test too).
ONE_ROW = "one_row"
_INFO_FROM = re.compile(r"\bfrom\s+information_schema\.`?(\w+)`?", re.IGNORECASE)
# A second source or a pattern: the row count no longer says whether one object exists.
_INFO_OTHER = re.compile(r"\b(join|like|union|group\s+by)\b|,\s*information_schema", re.IGNORECASE)
_INFO_EQ = re.compile(r"\b(\w+)\s*=\s*(\?|'[^']*')")
# Schema builder methods that list a table's objects: (kind, field of their items).
LISTINGS = {"getindexes": ("index", "rows"), "getindexlisting": ("index", "name"),
            "getforeignkeys": ("foreign", "rows"), "getcolumns": ("column", "rows"),
            "getcolumnlisting": ("column", "name")}
# Query builder calls that end a lookup of rows: what they return when no row matches.
QUERY_ABSENT = {"first": "null", "value": "null", "find": "null", "exists": "false",
                "count": "zero"}
# Calls that pass a list through unchanged (collect(), ->values(), ->all(), ...).
_SAME_LIST = {"collect", "array_values", "array_unique", "values", "all", "toarray",
              "unique", "flatten"}


def _falsy_literal(node) -> str | None:
    """"null", "false", "zero" or "empty" when node is such a literal."""
    if node is None:
        return None
    t = node.type
    if t == "null":
        return "null"
    if t == "boolean" and text(node).lower() == "false":
        return "false"
    if t == "integer" and text(node).strip() == "0":
        return "zero"
    if t == "array_creation_expression" and not node.named_children:
        return "empty"
    if t == "string" and text(node) in ("''", '""'):
        return "empty"
    return None


def _subscript(node):
    """(variable text, key) of `$var['key']`, else None."""
    if node is None or node.type != "subscript_expression" or len(node.named_children) != 2:
        return None
    var, key = node.named_children
    if var.type != "variable_name" or key.type not in ("string", "encapsed_string"):
        return None
    return text(var), text(key)[1:-1]


class LookupReader:
    """Needs from the host: assignments, methods, builder_info(), call_parts(), conn_key(),
    resolve(), cond_of(), _key(), _query_table(), _function_span(), ancestors()."""

    # ------------------------------------------------------------------ tests of a lookup
    def lookup_null_test(self, value, equal: bool, subst):
        """`value === null` (equal) or `value !== null`, when value is a lookup that is null
        exactly when it finds nothing; else None."""
        found = self.lookup_of(value, subst)
        if found is None or found[0] != "scalar" or found[2] != "null":
            return None
        return C.not_(found[1]) if equal else found[1]

    def lookup_one_row(self, value, subst):
        """`count($rows) === 1` over an information_schema lookup of one object."""
        if value is None or value.type != "function_call_expression" or \
                text(value.child_by_field_name("function")).lstrip("\\").lower() != "count":
            return None
        args = arg_values(value.child_by_field_name("arguments"))
        found = self.lookup_of(args[0], subst) if args else None
        if found is None or found[0] != "scalar" or found[2] != ONE_ROW:
            return None
        return found[1]

    def lookup_truth(self, value, subst):
        """The condition under which value is truthy, when it is a scalar lookup; else None."""
        found = self.lookup_of(value, subst)
        if found is None or found[0] != "scalar":
            return None
        return found[1]

    def lookup_in_list(self, needle, haystack, subst):
        """`in_array($needle, $list)` over a list of names or columns: the object exists."""
        found = self.lookup_of(haystack, subst)
        if found is None or found[0] != "list" or found[4] not in ("name", "columns"):
            return None
        _, kind, table, conn, field = found
        name = self.resolve(needle, subst)
        if not name.known:
            return None
        if kind == "column":
            return C.has("column", table, encode_name(name), conn) if field == "name" else None
        if field == "columns":
            # Some index/foreign key covers the column: read as the key on that column.
            return C.has(kind, table, ("cols", (name.value,)), conn)
        return C.has(kind, table, name.value.lower() if kind == "index" else name.value, conn)

    # ------------------------------------------------------------------ what a value is
    def lookup_of(self, node, subst=None, depth=0):
        if node is None or depth > 8:
            return None
        memo = self.__dict__.setdefault("_lookup_memo", {})
        key = (node.id, self._skey(subst))
        if key in memo:
            return memo[key]
        memo[key] = None  # a helper that calls itself is no lookup
        found = memo[key] = self._lookup_of(node, subst, depth)
        return found

    def _lookup_of(self, node, subst, depth):
        t = node.type
        if t == "parenthesized_expression" and node.named_children:
            return self.lookup_of(node.named_children[0], subst, depth + 1)
        if t == "variable_name":
            if subst and text(node) in subst:
                return None
            rhs = self.reaching_assignment(node)
            return self.lookup_of(rhs, subst, depth + 1) if rhs is not None else None
        if t == "function_call_expression":
            fname = text(node.child_by_field_name("function")).lstrip("\\").lower()
            args = arg_values(node.child_by_field_name("arguments"))
            if fname in _SAME_LIST and args:
                inner = self.lookup_of(args[0], subst, depth + 1)
                return inner if inner is not None and inner[0] == "list" else None
            if fname == "array_column" and len(args) >= 2:
                return self._pluck(self.lookup_of(args[0], subst, depth + 1), args[1])
            return None
        if t not in ("scoped_call_expression", "member_call_expression",
                     "nullsafe_member_call_expression"):
            return None
        owner, name, arguments = self.call_parts(node)
        if name is None:
            return None
        method = text(name).lower()
        args = arg_values(arguments)
        if method in ("select", "selectone") and args and owner is not None \
                and node.type == "scoped_call_expression" \
                and text(owner).lstrip("\\").rsplit("\\", 1)[-1].lower() == "db":
            # DB::select only: a query on another connection checks another database.
            return self._information_schema(method, args, subst)
        info = self.builder_info(owner)
        if info is not None:
            if method in LISTINGS and args:
                kind, field = LISTINGS[method]
                return ("list", kind, encode_name(self.resolve(args[0], subst)),
                        self.conn_key(info[1]), field)
            if method.startswith("has"):
                cond = self.cond_of(node, subst)
                return None if cond[0] == "unknown" else ("scalar", cond, "false")
            return None
        if owner is not None and text(owner) in ("$this", "self", "static") \
                and node.type != "nullsafe_member_call_expression":
            return self._helper_lookup(method, args, subst, depth)
        if method in QUERY_ABSENT and self._query_table(node) is not None:
            return ("scalar", C.has("rows", encode_name(self._query_table(node))),
                    QUERY_ABSENT[method])
        inner = self.lookup_of(owner, subst, depth + 1) if owner is not None else None
        if inner is None or inner[0] != "list":
            return None
        if method in _SAME_LIST and not args:
            return inner
        if method == "pluck" and args:
            return self._pluck(inner, args[0])
        if method in ("map", "flatmap") and args:
            fn = args[0]
            if fn.type == "arrow_function":
                params = closure_params(fn)
                picked = _subscript(fn.child_by_field_name("body"))
                if params and picked is not None and picked[0] == params[0]:
                    out = self._pluck(inner, None, picked[1])
                    if out is not None and method == "map" and out[4] == "columns":
                        return None  # a list of lists: in_array() would not find a column
                    return out
        return None

    def _information_schema(self, method, args, subst):
        """`DB::select('SELECT ... FROM information_schema.COLUMNS WHERE TABLE_NAME = ? AND
        COLUMN_NAME = ?', [...])`: at most one row, there exactly when the object exists.
        Values are literals or bindings; anything else (LIKE, a computed name) is no lookup."""
        from migrate_lint.model.names import string_parts

        sql = string_parts(args[0], False) if args[0].type in (
            "string", "encapsed_string", "heredoc", "nowdoc") else None
        if sql is None:
            return None
        found = _INFO_FROM.search(sql)
        if found is None or _INFO_OTHER.search(sql):
            return None
        view = found.group(1).lower()
        bindings = array_items(args[1]) if len(args) > 1 else []
        if bindings is None:
            return None
        values, i = {}, 0
        for col, value in _INFO_EQ.findall(sql):
            if value == "?":
                if i >= len(bindings):
                    return None
                name = self.resolve(bindings[i], subst)
                i += 1
                values[col.lower()] = name.value if name.known else None
            else:
                values[col.lower()] = value[1:-1]
        table = values.get("table_name") or values.get("event_object_table")
        if not table:
            return None
        if view == "tables":
            cond = C.has("table", table)
        elif view == "columns" and values.get("column_name"):
            cond = C.has("column", table, values["column_name"])
        elif view == "statistics" and values.get("index_name"):
            cond = C.has("index", table, values["index_name"].lower())
        elif view in ("table_constraints", "referential_constraints") \
                and values.get("constraint_name") \
                and "foreign" in (values.get("constraint_type") or "").lower():
            cond = C.has("foreign", table, values["constraint_name"])
        else:
            return None
        return ("scalar", cond, "null" if method == "selectone" else ONE_ROW)

    @staticmethod
    def _pluck(inner, key_node, key=None):
        """The names or columns of a list of rows (`->pluck('name')`, `array_column(..)`)."""
        if inner is None or inner[0] != "list" or inner[4] != "rows":
            return None
        if key is None:
            if key_node is None or key_node.type not in ("string", "encapsed_string"):
                return None
            key = text(key_node)[1:-1]
        if key == "name":
            return (*inner[:4], "name")
        if key == "columns" and inner[1] != "column":
            return (*inner[:4], "columns")
        return None

    # ------------------------------------------------------------------ helpers
    def _helper_lookup(self, method, args, subst, depth):
        """A helper method of the migration class whose every return is a lookup of one
        kind (or nothing: null, false, [], 0): its call is that lookup, parameters bound."""
        fn = self.methods.get(method)
        if fn is None:
            return None
        body = fn.child_by_field_name("body")
        if body is None:
            return None
        params = closure_params(fn)
        mapping = {p: self.resolve(a, subst) for p, a in zip(params, args)}
        for p in params[len(args):]:
            mapping.setdefault(p, self.resolve(None))
        self._arg_nodes = getattr(self, "_arg_nodes", {})
        call_key = (fn.id, self._skey(mapping))
        self._arg_nodes[call_key] = {p: (a, subst) for p, a in zip(params, args)}
        found, absent = [], set()
        for ret in self._returns(body):
            value = ret.named_children[0] if ret.named_children else None
            lit = _falsy_literal(value)
            if value is None or lit is not None:
                absent.add(lit or "null")
                continue
            one = self._returned_lookup(value, mapping, call_key, depth + 1)
            if one is None:
                return None
            found.append(one)
        if not found:
            return None
        if all(f[0] == "list" for f in found):
            first = found[0]
            if any(f != first for f in found) or absent - {"empty"}:
                return None
            return first
        if any(f[0] != "scalar" for f in found):
            return None
        absent |= {f[2] for f in found if f[2] is not None}
        stmts = [c for c in body.named_children if c.type != "comment"]
        if not stmts or stmts[-1].type != "return_statement":
            absent.add("null")  # falling off the end returns null
        if not absent:
            return None  # every path returns something found: no test of it says anything
        shown = next(iter(absent)) if len(absent) == 1 else "mixed"
        return ("scalar", C.or_(*[f[1] for f in found]), shown)

    def _returns(self, body):
        """The return statements of a function body, not those of closures inside it."""
        out, stack = [], [body]
        while stack:
            n = stack.pop()
            if n.type in FUNCTION_TYPES:
                continue
            if n.type == "return_statement":
                out.append(n)
                continue
            stack.extend(n.named_children)
        return out

    def _returned_lookup(self, value, mapping, call_key, depth):
        """What a helper returns: a lookup, or an item of a loop over a listing
        (`foreach (Schema::getIndexes($t) as $index) { if ($index['columns'] === $cols)
        return $index['name']; }`): the object the comparisons name exists."""
        direct = self.lookup_of(value, mapping, depth)
        if direct is not None:
            return direct
        picked = _subscript(value)
        var = picked[0] if picked is not None else (text(value) if value.type == "variable_name"
                                                    else None)
        if var is None:
            return None
        chain = self.ancestors(value)
        loop = next((a for a in reversed(chain) if a.type == "foreach_statement"
                     and foreach_var(a) == var), None)
        if loop is None:
            return None
        listing = self.lookup_of(loop.named_children[0], mapping, depth)
        if listing is None or listing[0] != "list" or listing[4] != "rows" \
                or listing[1] == "column":
            return None
        inside = [a for a in chain if loop.start_byte < a.start_byte and a.type == "if_statement"]
        key = None
        for stmt in inside:
            body = stmt.child_by_field_name("body")
            if body is None or not (body.start_byte <= value.start_byte < body.end_byte):
                return None  # an else branch: the comparison says nothing here
            key = key or self._compared_key(stmt.child_by_field_name("condition"), var, call_key)
        if key is None:
            return None  # which object it is, the helper does not say: keep the finding
        _, kind, table, conn, _field = listing
        if isinstance(key, str) and kind == "index":
            key = key.lower()  # Laravel lower-cases the index names it reads
        # Found: the item (a name, a row: truthy). Not found: the helper goes on to another
        # return, so this one adds no value of its own for "nothing found".
        return ("scalar", C.has(kind, table, key, conn), None)

    def _compared_key(self, cond, var, call_key):
        """The key `$var['columns'] === X` or `$var['name'] === X` (among && conjuncts) gives."""
        if cond is None:
            return None
        if cond.type == "parenthesized_expression" and cond.named_children:
            return self._compared_key(cond.named_children[0], var, call_key)
        if cond.type != "binary_expression":
            return None
        op = text(cond.child_by_field_name("operator")).lower()
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if op in ("&&", "and"):
            return self._compared_key(left, var, call_key) or \
                self._compared_key(right, var, call_key)
        if op not in ("===", "=="):
            return None
        for a, b in ((left, right), (right, left)):
            picked = _subscript(a)
            if picked is None or picked[0] != var or picked[1] not in ("columns", "name"):
                continue
            node, subst = b, None
            if b.type == "variable_name":
                bound = self._arg_nodes.get(call_key, {}).get(text(b))
                if bound is None:
                    return None
                node, subst = bound
            if picked[1] == "columns":
                if array_items(node) is not None:
                    key = self._key(node, subst)
                    return key if isinstance(key, tuple) and key[0] == "cols" else None
                name = self.resolve(node, subst)
                if name.known:
                    return None  # an array compared with a string: never equal
                # A list held in an expression: ("colsexpr", code) names the index on the
                # columns that expression holds (ML007 matches `index(<the same code>)`).
                return (COLS_EXPR, name.expr)
            name = self.resolve(node, subst)
            return name.value if name.known else C.expr(norm(node))
        return None

    # ------------------------------------------------------------------ variables
    def reaching_assignment(self, var):
        """The value a variable holds where it is read: the last assignment before it in its
        function, when that assignment's block holds the read too (not one made in a branch
        that may not have run). A variable a closure imports (`use ($x)`, or an arrow
        function's) is read in the function that made the closure."""
        name = text(var)
        rhss = self.assignments.get(name)
        if not rhss:
            return None
        chain = self.ancestors(var)
        scope = None
        for a in reversed(chain):
            if a.type in ("method_declaration", "function_definition"):
                scope = a
                break
            if a.type == "arrow_function":
                if name in closure_params(a):
                    return None
                continue
            if a.type == "anonymous_function":
                if name in closure_params(a) or name not in self._used_vars(a):
                    scope = a
                    break
                continue
        lo, hi = (scope.start_byte, scope.end_byte) if scope is not None else (0, 1 << 62)
        before = [r for r in rhss if lo <= r.start_byte < var.start_byte]
        after = [r for r in rhss if var.start_byte < r.start_byte < hi]
        if not before:
            return None
        rhs = max(before, key=lambda r: r.start_byte)
        inner = self.enclosing_functions(rhs)
        if (inner[0].id if inner else None) != (scope.id if scope is not None else None):
            return None  # made inside a closure: not this function's variable
        block = next((a for a in reversed(self.ancestors(rhs)) if a.type in BLOCKS), None)
        if block is None or not (block.start_byte <= var.start_byte < block.end_byte):
            return None
        # A loop around both may bring a later assignment back to the read.
        loops = [a for a in chain if a.type in LOOPS and a.start_byte <= rhs.start_byte]
        if any(lp.start_byte <= r.start_byte < lp.end_byte for lp in loops for r in after):
            return None
        return rhs
