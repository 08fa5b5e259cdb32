"""GitLab Code Quality report (a JSON array of issues)."""

from __future__ import annotations

import hashlib
import json

from migrate_lint.links import doc_url

SEVERITY = {"error": "major", "warning": "minor"}


def fingerprint(f, occurrence: int) -> str:
    key = f"{f.code}\0{f.path}\0{f.snippet}\0{occurrence}"
    return hashlib.md5(key.encode("utf-8")).hexdigest()


def render(findings, context) -> str:
    seen: dict[tuple, int] = {}
    issues = []
    for f in findings:
        key = (f.code, f.path, f.snippet)
        seen[key] = seen.get(key, 0) + 1
        issues.append({
            "description": f"{f.code} {f.message}",
            "check_name": f"{f.code} {f.rule}",
            "fingerprint": fingerprint(f, seen[key]),
            "severity": SEVERITY.get(f.severity, "minor"),
            "categories": ["Bug Risk"],
            "location": {"path": f.path, "lines": {"begin": f.span.line, "end": f.span.end_line}},
            **({"url": url} if (url := doc_url(f.code, f.rule)) else {}),
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
