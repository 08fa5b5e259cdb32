"""Index guards for ML007/ML010: `Schema::hasIndex` (10.43+) / `Schema::hasForeignKey` (13.10+).

Both helpers compare their argument with what the database reports, with `===`: index names
lower-cased (Laravel's processors lower-case them, and its own generated names are lower
case), column lists as declared. So a literal name is written lower-cased, a computed one
through `strtolower()`. SQLite reports no foreign-key names (Laravel names them null there),
so foreign keys are guarded by their columns wherever the code gives them; a foreign key
dropped by name is guarded by name only when the configured database reports names.
MySQL/MariaDB (and SQLite, as Laravel reports it) call every primary key 'primary', whatever
name the migration gives it.
"""

from __future__ import annotations

from migrate_lint.model.names import array_items, string_parts, text
from migrate_lint.rules._fixing import (base_call, call_table_code, php_string, quote_of,
                                        schema_prefix, wrap)

INDEX_TYPES = {"unique": "'unique'", "primary": "'primary'", "dropUnique": "'unique'",
               "dropPrimary": "'primary'"}
FOREIGN = {"foreign", "dropForeign"}
# Databases whose foreign keys Laravel reports by name (not SQLite).
NAMED_FOREIGN_KEYS = {"mysql", "mariadb", "pgsql", "sqlsrv"}
# Laravel's parameter names, for calls written with named arguments.
PARAMETERS = {"renameIndex": ("from", "to"), "rawIndex": ("expression", "index")}
DEFAULT_PARAMETERS = ("columns", "name")
DROP_PARAMETERS = ("index",)


def _arguments(call_node, method) -> list:
    """The argument value nodes in Laravel's parameter order (named arguments placed)."""
    arguments = base_call(call_node).child_by_field_name("arguments")
    if arguments is None:
        return []
    params = PARAMETERS.get(method) or (DROP_PARAMETERS if method.startswith("drop")
                                        else DEFAULT_PARAMETERS)
    out: list = []
    for arg in arguments.named_children:
        if arg.type == "comment":
            continue
        if arg.type == "argument" and any(c.type == "..." for c in arg.children):
            return []  # a spread: which argument is which is not known here
        value = arg.named_children[-1] if arg.type == "argument" and arg.named_children else arg
        name = arg.child_by_field_name("name") if arg.type == "argument" else None
        if name is not None:
            if text(name) not in params:
                return []
            index = params.index(text(name))
            out += [None] * (index + 1 - len(out))
            out[index] = value
        else:
            out.append(value)
    return out


def _literal(node):
    if node is None or node.type not in ("string", "encapsed_string"):
        return None
    return string_parts(node, False)


def _name_code(node) -> str:
    """An index name as hasIndex sees it: lower case."""
    value = _literal(node)
    if value is not None:
        return php_string(value.lower(), '"' if text(node).startswith('"') else "'")
    return f"strtolower({text(node)})"


def _columns_code(node) -> str:
    """Columns as an array: `'a'` -> `['a']`, a computed value cast with `(array)`."""
    if array_items(node) is not None:
        return text(node)
    if _literal(node) is not None:
        return f"[{text(node)}]"
    return f"(array) {text(node)}"


def _name_or_columns_code(node) -> str:
    """A drop argument: an array of columns as given, a name lower-cased."""
    if array_items(node) is not None:
        return text(node)
    if _literal(node) is not None:
        return _name_code(node)
    code = text(node)
    return f"(is_array({code}) ? {code} : strtolower({code}))"


def index_argument(call, database) -> str | None:
    """The hasIndex/hasForeignKey argument for call, or None when no guard is reliable."""
    args = _arguments(call.node, call.method)
    if not args or args[0] is None:
        return None
    first = args[0]
    if call.method == "dropForeignIdFor":
        return None  # names a model class: the columns are not in the code
    if call.method == "dropPrimary":
        if array_items(first) is not None:
            return text(first)
        if database in ("mysql", "mariadb", "sqlite"):
            return "'primary'"
        return _name_code(first) if database in ("pgsql", "sqlsrv") else None
    if call.method == "dropForeign":
        if array_items(first) is not None:
            return text(first)
        return _name_or_columns_code(first) if database in NAMED_FOREIGN_KEYS else None
    if call.method.startswith("drop") or call.method == "renameIndex":
        return _name_or_columns_code(first)
    if call.method == "rawIndex":
        return _name_code(args[1]) if len(args) > 1 and args[1] is not None else None
    if call.method in ("primary", "foreign"):
        return _columns_code(first)  # a primary key's or SQLite foreign key's name is not kept
    if len(args) > 1 and args[1] is not None and text(args[1]) != "null":
        return _name_code(args[1])
    return _columns_code(first)


HELPER_VERSIONS = {"hasIndex": (10, 43), "hasForeignKey": (13, 10)}


def helper_for(method: str) -> str:
    return "hasForeignKey" if method in FOREIGN or method == "dropForeignIdFor" else "hasIndex"


def not_fixable_reason(call, ctx) -> str | None:
    """Why no guard is written for call (None: it is fixable), in words for the message."""
    from migrate_lint.rules._common import version_at_least

    helper = helper_for(call.method)
    wanted = HELPER_VERSIONS[helper]
    needs = f"`Schema::{helper}` (Laravel {wanted[0]}.{wanted[1]}+)"
    if ctx.laravel_version is None:
        return (f"not fixed: the guard needs {needs} and the Laravel version is unknown (set "
                f"`laravel-version` in the config, or commit composer.lock)")
    if not version_at_least(ctx, *wanted):
        have = ".".join(str(p) for p in ctx.laravel_version)
        return f"not fixed: the guard needs {needs}, this project has Laravel {have}"
    if index_argument(call, ctx.database) is None:
        if call.method == "dropForeign":
            return ("not fixed: a foreign key is checked by name only where the database "
                    "reports names (set `database`; SQLite reports none)")
        if call.method == "dropPrimary" and call.args:
            return "not fixed: set `database` to say how the primary key is named"
        return "not fixed: the code does not say which index to check for"
    return None


def call_text(call, limit: int = 60) -> str:
    """The call as written, arguments included, for messages: `index(['a', 'b'], 'name')`."""
    import re

    node = base_call(call.node)
    arguments = node.child_by_field_name("arguments")
    args = re.sub(r"\s+", " ", text(arguments)) if arguments is not None else "()"
    if len(args) > limit:
        args = args[:limit - 4] + "...)"
    return f"{call.method}{args}"


def index_fix(finding, env, template: str):
    """Wrap the index call in `Schema::hasIndex`/`hasForeignKey` rendered from template."""
    call = finding.extra["target"]
    if call.statement is None or call.category not in ("index", "drop_index"):
        return None
    index = index_argument(call, env.rule_ctx.database)
    if index is None:
        return None
    helper = "hasForeignKey" if call.method in FOREIGN else "hasIndex"
    return wrap(env, call.statement, template, f"guard with `Schema::{helper}`",
                schema=schema_prefix(call.op, True),
                table=call_table_code(call, quote_of(call.node, call.op.node)),
                helper=helper, index=index,
                index_type=None if helper == "hasForeignKey" else INDEX_TYPES.get(call.method))
