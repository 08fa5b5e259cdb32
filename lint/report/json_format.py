"""Stable JSON: an array of findings sorted by path, line, column, code."""

from __future__ import annotations

import json

from migrate_lint.links import doc_url


def as_dict(f) -> dict:
    return {
        "code": f.code,
        "rule": f.rule,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "severity": f.severity,
        "message": f.message,
        "fixable": f.fixable,
        "url": doc_url(f.code, f.rule),  # null: no published docs
    }


def render(findings, context) -> str:
    return json.dumps([as_dict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"
