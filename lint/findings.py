"""The plain data every stage shares: spans, edits, fixes and findings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Byte offsets plus 1-based line/column (columns count code points, not bytes)."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Edit:
    """Replace source bytes [start, end) with text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
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
