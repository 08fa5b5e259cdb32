"""One small module per output format; each has render(findings, context) -> str."""

from __future__ import annotations

import importlib

from migrate_lint.record import field, record

FORMATS = {
    "text": "text",
    "concise": "concise",
    "json": "json_format",
    "github": "github",
    "sarif": "sarif",
    "gitlab": "gitlab",
    "junit": "junit",
    "html": "html",
}


@record
class ReportContext:
    files: list[str] = field(default_factory=list)  # every file linted, findings or not
    color: bool = False
    show_source: bool = True
    statistics: bool = False
    fixed: int = 0  # fixes applied in this run
    sources: dict = field(default_factory=dict)  # path -> bytes (text) or Source (SARIF, HTML)
    fixes: dict = field(default_factory=dict)  # id(finding) -> Fix, for SARIF and HTML
    errors: bool = False  # a path, file or ref could not be read: never claim success
    # (path, line) -> that line's text, for findings that carry it (the cache's rows): the
    # text report shows it without reading the file again.
    source_lines: dict = field(default_factory=dict)


def renderer(name: str):
    return importlib.import_module(f"migrate_lint.report.{FORMATS[name]}")
