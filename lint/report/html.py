"""`check --format html`: one self-contained page, findings grouped by migration and rule, with
the offending source lines and the change `--fix` makes for each finding.

Thousands of findings: the groups are written here in one pass over the findings, as strings
(the template renders once, around them). Each file is escaped once, its lines shared by the
excerpts of all its findings; each diff is escaped in one call.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from html import escape as esc

from markupsafe import Markup

from migrate_lint.links import doc_url

CONTEXT_LINES = 2
MAX_EXCERPT = 14  # lines of source shown for one finding
OPEN_BELOW = 300  # findings: groups start open below this many


class SourceLines:
    """A file's lines as HTML: decoded, tabs expanded and escaped once for the whole file (tabs
    before escaping, so they expand to the columns a person sees)."""

    def __init__(self, data: bytes):
        self.lines = esc(data.decode("utf-8", "replace").expandtabs(4)).split("\n")

    def html(self, n: int) -> str:
        return self.lines[n - 1].rstrip("\r")

    def excerpt(self, line: int, end_line: int) -> str:
        """The lines around a finding as a <pre>, the finding's own lines highlighted."""
        first = max(1, line - CONTEXT_LINES)
        last = min(len(self.lines), max(end_line, line) + CONTEXT_LINES, first + MAX_EXCERPT - 1)
        return '<pre class="source">' + "\n".join(
            f'<span class="{"hit" if line <= n <= end_line else ""}"><span class="ln">{n}'
            f"</span>{self.html(n)}</span>" for n in range(first, last + 1)) + "</pre>"


def _rule_title(code: str, url: str | None) -> str:
    if url:
        return f'<a href="{esc(url)}" rel="noreferrer">{esc(code)}</a>'
    return f'<span title="migrate-lint --explain {esc(code)}">{esc(code)}</span>'


def _finding(out: list, f, search: str, path: str, lines: SourceLines | None, fix,
             diff: str | None) -> None:
    """One finding; `search` and `path` come escaped, shared by the findings of its group."""
    from migrate_lint.report.page import diff_html

    span = f.span
    message, severity = esc(f.message), esc(f.severity)
    out.append(f'<div class="finding" data-search="{search}{message}" data-line="{span.line}">'
               f'<div><span class="loc">{path}:{span.line}:{span.column}</span> '
               f'<span class="sev-{severity}">{severity}</span>'
               + ('<span class="tag fix">fixable</span>' if f.fixable else "")
               + f'</div><div class="msg">{message}</div>')
    if lines is not None:
        out.append(lines.excerpt(span.line, span.end_line))
    if diff:
        out.append(f'<div class="muted">--fix: {esc(fix.message)}</div>')
        out.append(diff_html(diff))
    out.append("</div>\n")


def files_html(findings, context, open_groups: bool) -> Markup:
    """Every file's group: its rules, each with its findings."""
    from migrate_lint.fix import fix_diff
    from migrate_lint.report.page import plural

    by_file: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        by_file[f.path][f.code].append(f)
    fixes = context.fixes or {}
    out: list[str] = []
    for path in sorted(by_file):
        src = context.sources.get(path)
        data = getattr(src, "data", src)
        lines = SourceLines(data) if data else None
        starts = getattr(src, "line_starts", None)
        codes = by_file[path]
        count = sum(len(v) for v in codes.values())
        safe_path = esc(path)
        out.append(f'<details class="group file" data-path="{safe_path}"'
                   f'{" open" if open_groups else ""}>\n<summary><span class="mono">{safe_path}'
                   f'</span> <span class="muted">{plural(count, "finding")}</span></summary>\n'
                   f'<div class="body">\n')
        for code in sorted(codes):
            items = codes[code]
            rule = items[0].rule
            out.append(f'<section class="rule" data-code="{esc(code)}">\n<h3>'
                       f'{_rule_title(code, doc_url(code, rule))} {esc(rule)} '
                       f'<span class="muted">({len(items)})</span></h3>\n')
            search = f"{safe_path} {esc(code)} {esc(rule)} "
            for f in items:
                fix = fixes.get(id(f))
                diff = (fix_diff(data, fix, path, line_starts=starts)
                        if fix is not None and data else None)
                _finding(out, f, search, safe_path, lines, fix, diff)
            out.append("</section>\n")
        out.append("</div>\n</details>\n")
    return Markup("".join(out))


def page_data(findings, context) -> dict:
    """The page's summary: counts and the per-rule statistics."""
    counts = Counter((f.code, f.rule) for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable)
    stats = [{"code": code, "rule": rule, "count": n, "fixable": fixable[code],
              "url": doc_url(code, rule)}
             for (code, rule), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))]
    return {"files_checked": len(context.files), "statistics": stats,
            "files": len({f.path for f in findings}),
            "findings": len(findings), "fixable": sum(fixable.values()),
            "errors": sum(1 for f in findings if f.severity == "error"),
            "fixed": context.fixed}


def render(findings, context) -> str:
    from migrate_lint.report import page

    data = page_data(findings, context)
    body = files_html(findings, context, open_groups=data["findings"] < OPEN_BELOW)
    return page.render("check.html.j2", "migrate-lint check", d=data, files=body)
