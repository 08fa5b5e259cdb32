"""Literal settings of a Laravel `config/database.php`, read without running it."""

from __future__ import annotations

from migrate_lint.model.names import string_parts, text

_MISSING = object()


def _literal(node):
    if node.type in ("string", "encapsed_string"):
        value = string_parts(node, placeholders=False)
        return _MISSING if value is None else value
    if node.type == "boolean":
        return text(node).lower() == "true"
    if node.type == "integer":
        try:
            return int(text(node), 0)
        except ValueError:
            return _MISSING
    if node.type == "null":
        return None
    return _MISSING


def _pairs(array):
    """(key, value node) of an array literal's `'key' => value` elements."""
    for el in array.named_children:
        if el.type == "array_element_initializer" and len(el.named_children) == 2:
            key = _literal(el.named_children[0])
            if isinstance(key, str):
                yield key, el.named_children[1]


def connection_literals(data: bytes) -> dict[str, dict]:
    """{connection name: {key: literal value}} for the values that are literals (an env()
    call or a variable is left out: its value is not known without running the app)."""
    from migrate_lint import parse

    tree = parse.parse(data)
    for statement in tree.root_node.named_children:
        if statement.type != "return_statement" or not statement.named_children:
            continue
        top = statement.named_children[0]
        if top.type != "array_creation_expression":
            continue
        for key, value in _pairs(top):
            if key == "connections" and value.type == "array_creation_expression":
                out = {}
                for name, conn in _pairs(value):
                    if conn.type == "array_creation_expression":
                        out[name] = {k: v for k, node in _pairs(conn)
                                     if (v := _literal(node)) is not _MISSING}
                return out
    return {}
