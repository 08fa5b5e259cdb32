"""Resolving table, column and SQL expressions to literal values where the code allows it."""

from __future__ import annotations

import re

from migrate_lint.model.types import Name

_WS = re.compile(r"\s+")
PLACEHOLDER = "__expr__"
FUNCTION_TYPES = ("anonymous_function", "arrow_function", "method_declaration",
                  "function_definition")


def text(node) -> str:
    # surrogateescape keeps a Latin-1 (any non-UTF-8) byte as it is, for fixes to write back;
    # findings replace it for display (findings.Finding). Positional: called for most nodes
    # read, and a keyword argument costs a fifth of the call.
    return node.text.decode("utf-8", "surrogateescape")


def norm(node) -> str:
    return _WS.sub("", text(node))


def arg_values(arguments) -> list:
    """The value nodes of a call's `arguments` node (named arguments keep their order)."""
    if arguments is None:
        return []
    out = []
    for arg in arguments.named_children:
        if arg.type == "argument":
            value = arg.named_children[-1] if arg.named_children else None
            if value is not None:
                out.append(value)
        elif arg.type not in ("comment",):
            out.append(arg)
    return out


def array_items(node) -> list | None:
    if node is None or node.type != "array_creation_expression":
        return None
    items = []
    for el in node.named_children:
        if el.type == "array_element_initializer" and el.named_children:
            items.append(el.named_children[-1])
    return items


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "$": "$", '"': '"', "'": "'", "0": "\0"}


def _unescape(s: str, quote: str) -> str:
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            if quote == "'" and nxt in ("'", "\\"):
                out.append(nxt)
                i += 2
                continue
            if quote == '"' and nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def string_parts(node, placeholders: bool):
    """The value of a string-like node; interpolations become PLACEHOLDER or make it None."""
    t = node.type
    if t == "string":
        raw = text(node)
        if raw[:1] in ("'", '"'):
            return _unescape(raw[1:-1], raw[0])
        # b'...' and similar prefixes
        return _unescape(raw[2:-1], raw[1]) if len(raw) > 2 else None
    if t in ("encapsed_string", "heredoc", "nowdoc"):
        pieces = []
        body = node
        if t in ("heredoc", "nowdoc"):
            body = next((c for c in node.named_children if c.type in ("heredoc_body", "nowdoc_body")),
                        None)
            if body is None:
                return ""
            if t == "nowdoc":
                return text(body)
        for child in body.named_children:
            if child.type in ("string_content", "string_value", "nowdoc_string"):
                pieces.append(text(child))
            elif child.type == "escape_sequence":
                pieces.append(_unescape(text(child), '"'))
            else:
                if not placeholders:
                    return None
                pieces.append(PLACEHOLDER)
        return "".join(pieces)
    return None


def is_function(node) -> bool:
    return node.type in FUNCTION_TYPES


def closure_params(node) -> list[str]:
    params = node.child_by_field_name("parameters")
    if params is None:
        return []
    out = []
    for p in params.named_children:
        name = p.child_by_field_name("name")
        if name is not None:
            out.append(text(name))
    return out
