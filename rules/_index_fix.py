"""Index guards for ML007/ML010: `Schema::hasIndex` (10.43+) / `Schema::hasForeignKey` (13.10+)."""

from __future__ import annotations

from migrate_lint.model.names import array_items, text
from migrate_lint.rules._fixing import base_call, call_args, call_table_code, schema_prefix, wrap

INDEX_TYPES = {"unique": "'unique'", "primary": "'primary'", "dropUnique": "'unique'",
               "dropPrimary": "'primary'"}
FOREIGN = {"foreign", "dropForeign"}


def _index_code(args, method):
    """The index argument for hasIndex: its explicit name, else the columns as an array."""
    if not args:
        return None
    first = args[0]
    if method.startswith("drop") or method == "renameIndex":
        return text(first)  # a name, or an array of columns: hasIndex accepts both
    if len(args) > 1 and args[1].type in ("string", "encapsed_string"):
        return text(args[1])
    if array_items(first) is not None:
        return text(first)
    return f"[{text(first)}]"


def index_fix(finding, env, template: str):
    """Wrap the index call in `Schema::hasIndex`/`hasForeignKey` rendered from template."""
    call = finding.extra["target"]
    if call.statement is None or call.category not in ("index", "drop_index"):
        return None
    args = call_args(base_call(call.node))
    index = _index_code(args, call.method)
    if index is None:
        return None
    helper = "hasForeignKey" if call.method in FOREIGN else "hasIndex"
    return wrap(env, call.statement, template, f"guard with `Schema::{helper}`",
                schema=schema_prefix(call.op, True), table=call_table_code(call),
                helper=helper, index=index,
                index_type=None if helper == "hasForeignKey" else INDEX_TYPES.get(call.method))
