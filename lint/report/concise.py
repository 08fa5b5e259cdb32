"""`--format concise`: one line a finding, `path:line:col: CODE message [*]`, and the summary."""

from __future__ import annotations

from migrate_lint.report.text import finding_line, summary


def render(findings, context) -> str:
    out = [finding_line(f, context.color) for f in findings]
    out.append(summary(findings, context))
    return "\n".join(out) + "\n"
