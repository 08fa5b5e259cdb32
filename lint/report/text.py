"""`path:line:col: CODE message`, the offending line under it, and a summary."""

from __future__ import annotations

from collections import Counter

from migrate_lint.links import doc_pointer

_STYLES = {"bold": "1", "red": "31", "yellow": "33", "cyan": "36", "dim": "2", "green": "32"}


def printable(text: str) -> str:
    """Non-printable characters escaped: a NUL, a clear-screen or a window-title sequence in
    a migration (or its name) must not reach the terminal."""
    from migrate_lint.findings import printable as decodable

    text = decodable(text)  # bytes of a non-UTF-8 source show as U+FFFD
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{{{ord(ch):04x}}}")
    return "".join(out)


def _shown(line: str) -> str:
    """A source line (or the start of one) as printed: tabs expanded, the rest escaped."""
    return printable(line.expandtabs(4))


def _style(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m" if color else text


def _source_line(context, f, lines_cache: dict) -> str | None:
    kept = context.source_lines.get((f.path, f.span.line), False)
    if kept is not False:  # taken when the finding was made (cached findings carry it)
        return kept
    lines = lines_cache.get(f.path)
    if lines is None:
        data = context.sources.get(f.path)
        if data is None:
            return None
        lines = lines_cache[f.path] = data.split(b"\n")  # once per file: big files stay linear
    if f.span.line - 1 >= len(lines):
        return None
    return lines[f.span.line - 1].decode("utf-8", errors="replace").rstrip("\r")


def finding_line(f, color: bool) -> str:
    """`path:line:col: CODE message [*]`, escaped for the terminal."""
    loc = _style(printable(f"{f.path}:{f.span.line}:{f.span.column}:"), "bold", color)
    code = _style(f.code, "red" if f.severity == "error" else "yellow", color)
    mark = " [*]" if f.fixable else ""
    return f"{loc} {code} {printable(f.message)}{mark}"


def render(findings, context) -> str:
    color = context.color
    if context.statistics:  # the table instead of the listing, as ruff does
        out = [statistics(findings)] if findings else []
        out.append(summary(findings, context))
        return "\n".join(out) + "\n"
    out = []
    lines_cache: dict = {}
    for f in findings:
        out.append(finding_line(f, color))
        if context.show_source:
            raw = _source_line(context, f, lines_cache)
            if raw is not None:
                gutter = str(f.span.line)
                line = _shown(raw)
                out.append(_style(f"{gutter:>5} | ", "cyan", color) + line)
                start = len(_shown(raw[:f.span.column - 1]))
                end = len(_shown(raw[:f.span.end_column - 1])) \
                    if f.span.end_line == f.span.line else len(line)
                width = end - start
                pad = " " * start
                out.append(_style("      | ", "cyan", color)
                           + _style(pad + "^" * max(1, width), "red", color))
    if findings and context.show_source:
        out.append(docs_pointers(findings, color))
    out.append(summary(findings, context))
    return "\n".join(out) + "\n"


def docs_pointers(findings, color: bool) -> str:
    """Each rule's docs pointer once, after the listing (not under every finding)."""
    rules = sorted({(f.code, f.rule) for f in findings})
    lines = ["", "Rule docs:"] + [f"  {code} {name}: {doc_pointer(code, name)}"
                                  for code, name in rules]
    return _style("\n".join(lines), "dim", color)


def statistics(findings) -> str:
    """An aligned table: count, code, name, how many are fixable."""
    counts = Counter((f.code, f.rule) for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    table = [("count", "code", "rule", "fixable")] + [
        (str(n), code, name, str(fixable[code]) if fixable[code] else "")
        for (code, name), n in rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    out = []
    for r in table:
        out.append(f"{r[0]:>{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  "
                   f"{r[3]:>{widths[3]}}".rstrip())
    return "\n".join(out)


def summary(findings, context) -> str:
    n = len(findings)
    fixed = f"Fixed {context.fixed} finding{'s' if context.fixed != 1 else ''}. " \
        if context.fixed else ""
    checked = f"{len(context.files)} file{'s' if len(context.files) != 1 else ''}"
    if n == 0 and context.errors:
        return f"{fixed}No findings in {checked}, but errors stopped some checks (see above)."
    if n == 0 and not context.files:
        return f"{fixed}No migration files checked."
    if n == 0:
        return f"{fixed}All checks passed ({checked})."
    fixable = sum(1 for f in findings if f.fixable)
    files = len({f.path for f in findings})
    tail = f" ({fixable} fixable with `--fix`)" if fixable else ""
    return (f"{fixed}Found {n} finding{'s' if n != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''}{tail}.")
