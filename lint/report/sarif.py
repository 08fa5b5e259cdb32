"""SARIF 2.1.0: the rule catalogue, each finding, and each fix as replacements."""

from __future__ import annotations

import json

from migrate_lint import __version__
from migrate_lint.links import doc_url, home_url

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning"}


def _rules():
    from migrate_lint import rules
    from migrate_lint.docs import render as markdown

    out = []
    for r in rules.all_rules():
        doc = (r.__doc__ or "").strip()
        full = doc.split("\n", 2)[-1].strip() if "\n" in doc else doc
        rule = {
            "id": r.CODE,
            "name": r.NAME,
            "shortDescription": {"text": getattr(r, "SUMMARY", r.NAME)},
            "fullDescription": {"text": full},
            # The whole rule page, so code scanning shows it without following a link.
            "help": {"text": full, "markdown": markdown(r)},
            "defaultConfiguration": {"level": LEVEL.get(getattr(r, "SEVERITY", "error"), "error")},
            "properties": {"fixable": bool(r.FIXABLE)},
        }
        url = doc_url(r.CODE, r.NAME)
        if url:
            rule["helpUri"] = url
        out.append(rule)
    return out


def _region(span) -> dict:
    return {"startLine": span.line, "startColumn": span.column,
            "endLine": span.end_line, "endColumn": span.end_column}


def render(findings, context) -> str:
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result = {
            "ruleId": f.code,
            "ruleIndex": index.get(f.code, 0),
            "level": LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.path},
                "region": _region(f.span)}}],
        }
        fix = context.fixes.get(id(f)) if context.fixes else None
        if fix is not None:
            source = context.sources[f.path]
            result["fixes"] = [{
                "description": {"text": fix.message},
                "artifactChanges": [{
                    "artifactLocation": {"uri": f.path},
                    "replacements": [{"deletedRegion": _region(source.span(e.start, e.end)),
                                      "insertedContent": {"text": e.text}}
                                     for e in fix.edits]}]}]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "migrate-lint", "version": __version__,
                                **({"informationUri": home} if (home := home_url()) else {}),
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
