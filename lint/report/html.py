"""`check --format html`: one self-contained page, findings grouped by migration and rule, with
the offending source lines and the change `--fix` makes for each finding."""

from __future__ import annotations

from collections import Counter, defaultdict

from html import escape as esc

from markupsafe import Markup

from migrate_lint.links import doc_url

CONTEXT_LINES = 2
MAX_EXCERPT = 14  # lines of source shown for one finding
OPEN_BELOW = 300  # findings: groups start open below this many


def excerpt(data: bytes, line: int, end_line: int) -> list[tuple[int, str, bool]]:
    """(number, text, inside the finding) for the lines around a finding."""
    lines = data.split(b"\n")
    first = max(1, line - CONTEXT_LINES)
    last = min(len(lines), max(end_line, line) + CONTEXT_LINES, first + MAX_EXCERPT - 1)
    return [(n, lines[n - 1].decode("utf-8", "replace").rstrip("\r").expandtabs(4),
             line <= n <= end_line) for n in range(first, last + 1)]


def _rules_by_code() -> dict:
    from migrate_lint import rules

    return {r.CODE: r for r in rules.all_rules()}


def page_data(findings, context) -> dict:
    """Plain data for the template (and the page's embedded JSON)."""
    from migrate_lint.fix import fix_diff
    from migrate_lint.report.json_format import as_dict

    catalogue = _rules_by_code()
    by_file: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        by_file[f.path][f.code].append(f)
    files = []
    for path in sorted(by_file):
        src = context.sources.get(path)
        data = getattr(src, "data", src)
        groups = []
        for code in sorted(by_file[path]):
            items = []
            for f in by_file[path][code]:
                fix = context.fixes.get(id(f)) if context.fixes else None
                items.append({
                    **as_dict(f),
                    "excerpt": excerpt(data, f.span.line, f.span.end_line) if data else [],
                    "fix": fix.message if fix is not None else None,
                    "diff": fix_diff(data, fix, path) if fix is not None and data else None,
                })
            rule = catalogue.get(code)
            groups.append({"code": code, "rule": items[0]["rule"], "url": items[0]["url"],
                           "summary": getattr(rule, "SUMMARY", "") if rule else "",
                           "findings": items, "count": len(items),
                           "html": Markup("").join(finding_html(i, path) for i in items)})
        files.append({"path": path, "count": sum(g["count"] for g in groups),
                      "rules": groups})
    counts = Counter((f.code, f.rule) for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable)
    stats = [{"code": code, "rule": rule, "count": n, "fixable": fixable[code],
              "url": doc_url(code, rule)}
             for (code, rule), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))]
    return {"files_checked": len(context.files), "files": files, "statistics": stats,
            "findings": len(findings), "fixable": sum(1 for f in findings if f.fixable),
            "errors": sum(1 for f in findings if f.severity == "error"),
            "fixed": context.fixed}


def finding_html(f: dict, path: str) -> Markup:
    """One finding (built here, not in the template: thousands render in a fraction of a
    second)."""
    from migrate_lint.report.page import diff_html, source_html

    search = f"{path} {f['code']} {f['rule']} {f['message']}"
    out = [f'<div class="finding" data-search="{esc(search)}" data-line="{f["line"]}">',
           f'<div><span class="loc">{esc(f["path"])}:{f["line"]}:{f["column"]}</span> '
           f'<span class="sev-{esc(f["severity"])}">{esc(f["severity"])}</span>'
           + ('<span class="tag fix">fixable</span>' if f["fixable"] else "") + "</div>",
           f'<div class="msg">{esc(f["message"])}</div>']
    if f["excerpt"]:
        out.append(source_html(f["excerpt"]))
    if f["diff"]:
        out.append(f'<div class="muted">--fix: {esc(f["fix"])}</div>')
        out.append(diff_html(f["diff"]))
    out.append("</div>\n")
    return Markup("".join(out))


def render(findings, context) -> str:
    from migrate_lint.report import page

    data = page_data(findings, context)
    return page.render("check.html.j2", "migrate-lint check", d=data,
                       open_groups=data["findings"] < OPEN_BELOW)
