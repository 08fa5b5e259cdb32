"""A file's bytes with the line index needed to turn byte offsets into lines and columns."""

from __future__ import annotations

import re
from bisect import bisect_right

from migrate_lint.findings import Span

_NEWLINE = re.compile(b"\n")


class Source:
    def __init__(self, path: str, data: bytes):
        self.path = path
        self.data = data
        self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(data)]
        self.ascii = data.isascii()  # then a column is a byte count

    def line_of(self, offset: int) -> int:
        """1-based line holding byte offset."""
        return bisect_right(self.line_starts, offset)

    def column_of(self, offset: int) -> int:
        """1-based column in Unicode code points."""
        line_start = self.line_starts[self.line_of(offset) - 1]
        prefix = self.data[line_start:offset]
        if prefix.isascii():
            return len(prefix) + 1
        return len(prefix.decode("utf-8", errors="replace")) + 1

    def span(self, start: int, end: int) -> Span:
        if self.ascii:
            starts = self.line_starts
            line, end_line = bisect_right(starts, start), bisect_right(starts, end)
            return Span(start, end, line, start - starts[line - 1] + 1,
                        end_line, end - starts[end_line - 1] + 1)
        return Span(start, end, self.line_of(start), self.column_of(start),
                    self.line_of(end), self.column_of(end))

    def node_span(self, node) -> Span:
        return self.span(node.start_byte, node.end_byte)

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.data)
        return self.data[start:end].decode("utf-8", errors="replace").rstrip("\r\n")

    def indent_at(self, offset: int) -> str:
        """The leading whitespace of the line holding offset."""
        line_start = self.line_starts[self.line_of(offset) - 1]
        i = line_start
        while i < len(self.data) and self.data[i] in b" \t":
            i += 1
        return self.data[line_start:i].decode("ascii")

    @property
    def newline(self) -> str:
        return "\r\n" if b"\r\n" in self.data else "\n"

    def indent_unit(self) -> str:
        """The file's own indentation step: a tab, or the commonest step by which a line is
        indented deeper than the one before (one odd line, such as SQL in a heredoc indented
        by two, does not decide it)."""
        from collections import Counter

        steps: Counter = Counter()
        previous = 0
        for start in self.line_starts[:400]:
            chunk = self.data[start:start + 16]
            if chunk.startswith(b"\t"):
                return "\t"
            n = len(chunk) - len(chunk.lstrip(b" "))
            if n >= 16 or chunk[n:n + 1] in (b"*", b"\r", b"\n", b""):
                continue
            if n > previous:
                steps[n - previous] += 1
            previous = n
        if not steps:
            return " " * 4
        most = max(steps.values())
        return " " * min(step for step, count in steps.items() if count == most)
