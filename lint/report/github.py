"""GitHub Actions workflow commands: findings show up as annotations on the pull request."""

from __future__ import annotations

from migrate_lint.links import doc_pointer


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def render(findings, context) -> str:
    out = []
    for f in findings:
        level = "error" if f.severity == "error" else "warning"
        props = ",".join([
            f"file={_property(f.path)}", f"line={f.span.line}", f"col={f.span.column}",
            f"endLine={f.span.end_line}", f"endColumn={f.span.end_column}",
            f"title={_property(f'{f.code} {f.rule}')}"])
        message = f"{f.code} {f.message} ({doc_pointer(f.code, f.rule)})"
        out.append(f"::{level} {props}::{_data(message)}")
    return "".join(line + "\n" for line in out)
