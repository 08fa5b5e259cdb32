"""`path:line:col: CODE message`, the offending line under it, and a summary."""

from __future__ import annotations

from migrate_lint.findings import doc_url, source_line, to_rows

_STYLES = {"bold": "1", "red": "31", "yellow": "33", "cyan": "36", "dim": "2", "green": "32"}


def _style(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m" if color else text


def render(findings, context) -> str:
    lines: dict = {}
    rows = []
    for f in findings:
        if f.path not in lines:
            data = context.sources.get(f.path)
            lines[f.path] = data.split(b"\n") if data is not None else None
        [row] = to_rows([f], None)
        rows.append((f.path, row[:-1] + (source_line(lines[f.path], f.span.line),)))
    return render_rows(rows, context)


def render_rows(rows, context) -> str:
    """rows: (path, findings.to_rows row) pairs in report order."""
    color = context.color
    out = []
    for path, (line, column, end_line, end_column, _, _, code, rule, message, severity, fixable,
               _, text) in rows:
        loc = _style(f"{path}:{line}:{column}:", "bold", color)
        mark = " [*]" if fixable else ""
        out.append(f"{loc} {_style(code, 'red' if severity == 'error' else 'yellow', color)} "
                   f"{message}{mark}")
        if context.show_source:
            if text is not None:
                out.append(_style(f"{line:>5} | ", "cyan", color) + text)
                width = (end_column - column) if end_line == line else len(text) - column + 1
                out.append(_style("      | ", "cyan", color)
                           + _style(" " * (column - 1) + "^" * max(1, width), "red", color))
            out.append(_style(f"      = docs: {doc_url(code, rule)}", "dim", color))
    if context.statistics:
        out.append(statistics(rows))
    out.append(summary(rows, context))
    return "\n".join(out) + "\n"


def statistics(rows) -> str:
    from collections import Counter

    counts = Counter((r[6], r[7]) for _, r in rows)
    fixable = Counter(r[6] for _, r in rows if r[10])
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    return "\n".join(f"{n:>5}  {code}  {name}{'  [*] ' + str(fixable[code]) + ' fixable' if fixable[code] else ''}"
                     for (code, name), n in ordered)


def summary(rows, context) -> str:
    n = len(rows)
    fixed = f"Fixed {context.fixed} finding{'s' if context.fixed != 1 else ''}. " \
        if context.fixed else ""
    if n == 0:
        return f"{fixed}All checks passed ({len(context.files)} file{'s' if len(context.files) != 1 else ''})."
    fixable = sum(1 for _, r in rows if r[10])
    files = len({path for path, _ in rows})
    tail = f" ({fixable} fixable with `--fix`)" if fixable else ""
    return (f"{fixed}Found {n} finding{'s' if n != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''}{tail}.")
