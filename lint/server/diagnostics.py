"""Findings as LSP diagnostics: the CLI's code, message, severity and rule link."""

from __future__ import annotations

from lsprotocol import types

from migrate_lint.links import doc_url
from migrate_lint.server.positions import span_range

SOURCE = "migrate-lint"
_SEVERITY = {"error": types.DiagnosticSeverity.Error,
             "warning": types.DiagnosticSeverity.Warning}


def diagnostic(finding, source, encoding: str) -> types.Diagnostic:
    url = doc_url(finding.code, finding.rule)  # only a page that exists; hover has the docs
    return types.Diagnostic(
        range=span_range(source, finding.span.start, finding.span.end, encoding),
        message=finding.message,
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Error),
        code=finding.code,
        code_description=types.CodeDescription(href=url) if url else None,
        source=SOURCE,
        tags=[types.DiagnosticTag.Unnecessary] if finding.code == "ML900" else None,
        data={"fixable": bool(finding.fixable)},
    )


def diagnostics(findings, source, encoding: str) -> list[types.Diagnostic]:
    return [diagnostic(f, source, encoding) for f in sorted(findings, key=lambda f: f.sort_key())]
