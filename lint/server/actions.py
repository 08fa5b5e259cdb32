"""Code actions: the CLI's own fixes as LSP text edits, and a suppression comment.

- one finding: the rule's fix() edits, as `--format sarif` previews them (fix.preview);
- the whole file: exactly what `migrate-lint --fix` would write (fix.fix_source, then the same
  re-parse check), sent as one edit over the part that changed;
- suppress: `// migrate-lint-ignore MLxxx -- reason` above the finding's line (or at its end
  when a line above would land inside a string), kept only when the engine's own suppression
  parser reads it as covering that finding.
"""

from __future__ import annotations

from migrate_lint.findings import Edit
from migrate_lint.server.positions import span_range

FIX_ALL_KIND = "source.fixAll.migrate-lint"
REASON = "reason"


class NotFixed(Exception):
    """The fix cannot be offered; the message says why (a template problem, invalid PHP)."""


def _parses(data: bytes) -> bool:
    from migrate_lint import parse

    return parse.first_error(parse.parse(data)) is None


def fix_one(result, finding, settings, template_dir):
    """The Fix (message, edits) for one finding, or None."""
    from migrate_lint import fix as fixer
    from migrate_lint.rules._fixing import TemplateProblem

    if not finding.fixable or result.migration.error is not None:
        return None
    try:
        fix = fixer.preview([result], settings, template_dir).get(id(finding))
    except TemplateProblem as exc:  # preview skips these per finding; be explicit anyway
        raise NotFixed(str(exc)) from None
    if fix is None:
        return None
    if not _parses(fixer.apply_edits(result.migration.source.data, fix.edits)):
        raise NotFixed(f"the fix for {finding.code} at line {finding.line} does not parse")
    return fix


def fix_all(result, settings, template_dir) -> bytes | None:
    """The bytes `migrate-lint --fix` writes for this buffer; None when nothing changes."""
    from migrate_lint import fix as fixer
    from migrate_lint.rules._fixing import TemplateProblem

    if result.migration.error is not None or not fixer._fixable(result.findings):
        return None
    try:
        new, _, _, _ = fixer.fix_source(result, settings, template_dir)
    except TemplateProblem as exc:
        raise NotFixed(f"{exc}; nothing changed") from None
    if new == result.migration.source.data:
        return None
    if not _parses(new):
        raise NotFixed("the fixed file does not parse; nothing changed")
    return new


def replacement(old: bytes, new: bytes) -> Edit:
    """One edit turning old into new: the span between their common prefix and suffix, on
    UTF-8 character boundaries."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    while start and (old[start:start + 1] or b"\0")[0] & 0xC0 == 0x80:
        start -= 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    while end_old < len(old) and old[end_old] & 0xC0 == 0x80:
        end_old, end_new = end_old + 1, end_new + 1
    return Edit(start, end_old, new[start:end_new].decode("utf-8", errors="replace"))


def suppression(result, finding) -> Edit | None:
    """An edit adding `// migrate-lint-ignore CODE -- reason` that the engine reads as
    suppressing this finding, or None."""
    from migrate_lint import fix as fixer
    from migrate_lint import model, rules, suppress

    m = result.migration
    if m.error is not None or finding.code in ("ML000", "ML900"):
        return None
    source = m.source
    comment = f"// migrate-lint-ignore {finding.code} -- {REASON}"
    line_start = source.line_starts[finding.line - 1]
    above = Edit(line_start, line_start,
                 source.indent_at(finding.span.start) + comment + source.newline)
    line_end = (source.line_starts[finding.line] - 1 if finding.line < len(source.line_starts)
                else len(source.data))
    if source.data[line_end - 1:line_end] == b"\r":
        line_end -= 1
    trailing = Edit(line_end, line_end, " " + comment)
    for edit, target in ((above, finding.line + 1), (trailing, finding.line)):
        rebuilt = model.build(m.path, fixer.apply_edits(source.data, [edit]))
        if rebuilt.error is not None:
            continue
        if any(d.codes and finding.code in d.codes and d.target_line == target
               for d in suppress.directives(rebuilt, rules.lookup)):
            return edit
    return None


def text_edits(source, edits, encoding: str):
    from lsprotocol import types

    return [types.TextEdit(range=span_range(source, e.start, e.end, encoding), new_text=e.text)
            for e in sorted(edits, key=lambda e: (e.start, e.end))]
