"""Byte offsets (the engine's spans and edits) to LSP positions and back.

LSP counts a position's character in the encoding the client and server agreed on: UTF-16
code units unless the client offered "utf-8" or "utf-32". Lines split on "\\n" as the
engine's Source does ("\\r\\n" ends with it).
"""

from __future__ import annotations

from lsprotocol import types

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(prefix: bytes, encoding: str) -> int:
    """How many code units of `encoding` the UTF-8 bytes `prefix` take."""
    if prefix.isascii() or encoding == UTF8:
        return len(prefix)
    text = _decode(prefix)
    if encoding == UTF32:
        return len(text)
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _decode(data: bytes) -> str:
    """A buffer's bytes back to its text: the editor's lone surrogates were kept as such."""
    try:
        return data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:  # a file from disk in another encoding
        return data.decode("utf-8", errors="replace")


def position(source, offset: int, encoding: str) -> types.Position:
    offset = max(0, min(offset, len(source.data)))
    line = source.line_of(offset) - 1
    start = source.line_starts[line]
    return types.Position(line=line, character=units(source.data[start:offset], encoding))


def span_range(source, start: int, end: int, encoding: str) -> types.Range:
    return types.Range(start=position(source, start, encoding),
                       end=position(source, end, encoding))


def offset(source, pos: types.Position, encoding: str) -> int:
    """The byte offset of an LSP position (clamped to its line, as the spec asks)."""
    if pos.line >= len(source.line_starts):
        return len(source.data)
    start = source.line_starts[pos.line]
    end = (source.line_starts[pos.line + 1] - 1 if pos.line + 1 < len(source.line_starts)
           else len(source.data))
    line = source.data[start:end]
    if line.isascii() or encoding == UTF8:
        return start + min(pos.character, len(line))
    text = _decode(line)
    count = 0
    for i, char in enumerate(text):
        if count >= pos.character:
            return start + len(text[:i].encode("utf-8", errors="surrogatepass"))
        count += 1 if encoding == UTF32 or ord(char) < 0x10000 else 2
    return end
