"""Statement ranges for fixes that wrap several statements (ML011's data block)."""

from __future__ import annotations

BLOCKS = ("compound_statement", "colon_block")


def statements_between(migration, first, last_exclusive):
    """(start, end) byte range of the statements of one block from the one holding `first` up
    to the one before the statement holding `last_exclusive`, or None when the two are not in
    the same block (or nothing lies between)."""
    root = migration.tree.root_node if migration.tree is not None else None
    if root is None:
        return None
    a, b = _chain(root, first), _chain(root, last_exclusive)
    for block in reversed(a):
        if block.type not in BLOCKS or not any(x.id == block.id for x in b):
            continue
        stmts = [s for s in block.named_children if s.type != "comment"]
        i = _index_holding(stmts, first)
        j = _index_holding(stmts, last_exclusive)
        if i is None or j is None or j <= i:
            return None
        return stmts[i].start_byte, stmts[j - 1].end_byte
    return None


def _chain(root, node):
    chain, cur = [], root
    while cur is not None and cur.id != node.id:
        chain.append(cur)
        cur = cur.child_with_descendant(node)
    return chain


def _index_holding(stmts, node):
    for i, s in enumerate(stmts):
        if s.start_byte <= node.start_byte and node.end_byte <= s.end_byte:
            return i
    return None
