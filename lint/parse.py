"""tree-sitter-php, created once per process; the only place that loads the grammar."""

from __future__ import annotations

from functools import lru_cache

import tree_sitter
import tree_sitter_php


@lru_cache(maxsize=1)
def language() -> tree_sitter.Language:
    # language_php() accepts inline HTML around <?php; language_php_only() errors on it.
    return tree_sitter.Language(tree_sitter_php.language_php())


@lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(language())


@lru_cache(maxsize=None)
def query(text: str) -> tree_sitter.Query:
    return tree_sitter.Query(language(), text)


def parse(data: bytes) -> tree_sitter.Tree:
    return _parser().parse(data)


def captures(query_text: str, node) -> dict[str, list]:
    return tree_sitter.QueryCursor(query(query_text)).captures(node)


def first_error(tree):
    """The first ERROR or MISSING node, walked iteratively (deep nesting overflows recursion)."""
    if not tree.root_node.has_error:
        return None
    cursor = tree.walk()
    while True:
        node = cursor.node
        if node.is_error or node.is_missing:
            return node
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return tree.root_node
