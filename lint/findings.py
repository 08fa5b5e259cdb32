"""The plain data every stage shares: spans, edits, fixes and findings."""

from __future__ import annotations

from migrate_lint.record import field, record


@record(frozen=True)
class Span:
    """Byte offsets plus 1-based line/column (columns count code points, not bytes)."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


@record(frozen=True)
class Edit:
    """Replace source bytes [start, end) with text."""

    start: int
    end: int
    text: str


@record(frozen=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]


@record(frozen=True)
class Finding:
    code: str
    rule: str
    path: str
    span: Span
    message: str
    severity: str = "error"  # "error" | "warning"
    fix: Fix | None = None
    fixable: bool = False
    # Normalised text of the offending statement: baselines fingerprint on it, not on lines.
    snippet: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        # Names from a non-UTF-8 file keep their bytes as surrogate escapes (for fixes);
        # shown to a person they become U+FFFD.
        for name in ("message", "snippet"):
            value = getattr(self, name)
            if not value.isascii():
                object.__setattr__(self, name, printable(value))

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def sort_key(self):
        return (self.path, self.span.line, self.span.column, self.code)


def printable(text: str) -> str:
    """text with surrogate-escaped bytes (a non-UTF-8 source) replaced by U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# A finding as plain data, ready to render without the source (the line under it is kept) and
# cheap to cache, send between processes and sort. The path is kept beside it.
ROW_FIELDS = ("line", "column", "end_line", "end_column", "start", "end", "code", "rule",
              "message", "severity", "fixable", "snippet", "line_text")


def source_line(lines: list[bytes] | None, line: int) -> str | None:
    """The line the text report shows under a finding, from the file's lines; None past the
    end."""
    if lines is None or line - 1 >= len(lines) or line - 1 < -len(lines):
        return None
    return lines[line - 1].decode("utf-8", errors="replace").rstrip("\r")


def to_rows(findings, data: bytes | None) -> list[tuple]:
    lines = data.split(b"\n") if data is not None and findings else None
    out = []
    for f in findings:
        s = f.span
        out.append((s.line, s.column, s.end_line, s.end_column, s.start, s.end, f.code, f.rule,
                    f.message, f.severity, f.fixable, f.snippet, source_line(lines, s.line)))
    return out


def from_rows(path: str, rows) -> list[Finding]:
    return [Finding(code=r[6], rule=r[7], path=path, span=Span(r[4], r[5], *r[:4]), message=r[8],
                    severity=r[9], fixable=r[10], snippet=r[11]) for r in rows]
