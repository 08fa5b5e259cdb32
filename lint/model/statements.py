"""Where a statement that starts on a given line ends (to match a PHP trace line to findings)."""

from __future__ import annotations


def statement_lines(data: bytes, line: int) -> tuple[int, int]:
    """(first, last) line of the outermost statement starting on `line` (1-based); (line, line)
    when none does."""
    from migrate_lint import parse

    row = line - 1
    best = None
    stack = [parse.parse(data).root_node]
    while stack:
        node = stack.pop()
        if node.start_point[0] > row or node.end_point[0] < row:
            continue
        if node.start_point[0] == row and node.type.endswith("_statement"):
            if best is None or node.end_byte - node.start_byte > best.end_byte - best.start_byte:
                best = node
        stack.extend(node.children)
    return (line, best.end_point[0] + 1) if best is not None else (line, line)


def method_at(data: bytes, line: int) -> str | None:
    """The name of the class method whose body holds `line`, lower-cased."""
    from migrate_lint import parse

    row = line - 1
    stack = [parse.parse(data).root_node]
    found = None
    while stack:
        node = stack.pop()
        if node.start_point[0] > row or node.end_point[0] < row:
            continue
        if node.type == "method_declaration":
            name = node.child_by_field_name("name")
            if name is not None:
                found = name.text.decode("utf-8", "replace").lower()
        stack.extend(node.children)
    return found
