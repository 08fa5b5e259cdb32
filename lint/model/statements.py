"""Where a statement that starts on a given line ends (to match a PHP trace line to findings)."""

from __future__ import annotations


def statement_lines(data: bytes, line: int) -> tuple[int, int]:
    """(first, last) line of the outermost statement starting on `line` (1-based); (line, line)
    when none does."""
    from migrate_lint import parse

    return _lines_of_statement(parse.parse(data).root_node, line)


def _lines_of_statement(root, line: int) -> tuple[int, int]:
    row = line - 1
    best = None
    stack = [root]
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


def closures_passed(data: bytes, line: int) -> list[tuple[int, int]]:
    """(first, last) lines of the closures that the statement starting on `line` passes by
    variable (`Schema::table('pages', $addColumn)`), from their assignments in the same
    function: a failure Laravel reports at the call is a failure of their statements."""
    from migrate_lint import parse

    root = parse.parse(data).root_node  # one parse for the statement and the assignments
    first, last = _lines_of_statement(root, line)
    used: set[bytes] = set()
    scope = None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_point[0] < first - 1 or node.start_point[0] > last - 1:
            continue
        if node.type in ("method_declaration", "function_definition") and \
                node.start_point[0] <= first - 1 <= node.end_point[0]:
            scope = node
        if node.type == "argument" and node.named_children and \
                node.named_children[-1].type == "variable_name":
            used.add(node.named_children[-1].text)
        stack.extend(node.children)
    spans = []
    stack = [scope] if scope is not None and used else []
    while stack:
        node = stack.pop()
        if node.type == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and left.text in used and \
                    right.type in ("anonymous_function", "arrow_function"):
                spans.append((right.start_point[0] + 1, right.end_point[0] + 1))
        stack.extend(node.children)
    return spans


def entry_calls(data: bytes, method: str) -> dict[str, int]:
    """For a helper method of the migration class: {'up'/'down': the line of the first call in
    that method that reaches the helper through `$this->name(...)` calls}. A failure Laravel
    reports inside the helper is a failure of the step that runs that method."""
    from migrate_lint import parse

    calls: dict[str, list[tuple[str, int]]] = {}
    stack = [parse.parse(data).root_node]
    while stack:
        node = stack.pop()
        if node.type == "method_declaration":
            name = node.child_by_field_name("name")
            if name is not None:
                calls[name.text.decode("utf-8", "replace").lower()] = _this_calls(node)
            continue
        stack.extend(node.children)

    def reaches(name: str, seen: set) -> bool:
        if name == method:
            return True
        seen.add(name)
        return any(callee not in seen and reaches(callee, seen) for callee, _ in calls.get(name, ()))

    out = {}
    for entry in ("up", "down"):
        for callee, line in sorted(calls.get(entry, ()), key=lambda c: c[1]):
            if entry != method and reaches(callee, {entry}):
                out[entry] = line
                break
    return out


def _this_calls(method_node) -> list[tuple[str, int]]:
    out = []
    stack = [method_node]
    while stack:
        node = stack.pop()
        if node.type == "member_call_expression":
            obj, name = node.child_by_field_name("object"), node.child_by_field_name("name")
            if obj is not None and name is not None and obj.text == b"$this":
                out.append((name.text.decode("utf-8", "replace").lower(), node.start_point[0] + 1))
        stack.extend(node.children)
    return out
