"""Laravel `.env` files, read the way vlucas/phpdotenv 5 (Laravel's loader) reads them.

Unquoted values end at whitespace or `#`; single quotes are literal; double quotes allow the
escapes \\" \\\\ \\$ \\f \\n \\r \\t \\v and span lines; `${NAME}` outside single quotes is
replaced by an earlier value (or the process environment, which wins over the file, as Laravel's
immutable repository does). Errors name the line and never show a value: it may be a password.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[\r\n]+|[^\S\r\n]+|\\|'|\"|#|\$|[^\s\\'\"#$]+")
_NAME = re.compile(r"[A-Za-z0-9_.]+")
_VAR = re.compile(r"\$\{([A-Za-z0-9_.]+)\}")
_ESCAPES = {"f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


class EnvFileError(ValueError):
    pass


def parse(text: str, environ: dict | None = None) -> dict[str, str | None]:
    """Variables of a .env text; `environ` values win over the file's (None: no environment)."""
    environ = environ or {}
    out: dict[str, str | None] = {}
    for number, entry in _entries(text):
        name, sep, raw = entry.partition("=")
        if sep:  # phpdotenv trims around `=` only when there is one
            name = name.strip()
        if name.startswith("export") and len(name) > 8 and name[6].isspace():
            name = name[6:].lstrip()
        if len(name) >= 3 and name[0] == name[-1] and name[0] in "'\"":
            name = name[1:-1]
        if not _NAME.fullmatch(name):
            raise EnvFileError(f"line {number}: invalid variable name")
        if not sep:  # a bare name clears the variable
            out[name] = environ.get(name)
            continue
        chars, vars_at = _value(raw.strip(), number)
        for pos in sorted(vars_at, reverse=True):
            chars = chars[:pos] + _VAR.sub(
                lambda m: _lookup(m, environ, out), chars[pos:], count=1)
        out[name] = environ.get(name, chars)
    return out


def _lookup(match, environ, seen) -> str:
    value = environ.get(match.group(1), seen.get(match.group(1)))
    return match.group(0) if value is None else value


def _entries(text: str):
    """(line number, entry) with multi-line double-quoted values joined (phpdotenv's Lines).

    An unclosed multi-line value runs to the end of the file and is dropped, as there.
    """
    buffer, start, multiline = [], 0, False
    for number, line in enumerate(text.splitlines(), 1):
        started = '="' in line and not _stops(line, True)
        if started:
            multiline = True
        if multiline:
            if not buffer:
                start = number
            buffer.append(line)
            if _stops(line, started):
                multiline, line, buffer = False, "\n".join(buffer), []
        if not multiline and line.strip() and not line.strip().startswith("#"):
            yield (start if "\n" in line else number), line


def _stops(line: str, started: bool) -> bool:
    if line == '"':
        return True
    quotes = _quotes(line)
    return quotes > 1 if started else quotes >= 1


def _quotes(line: str) -> int:
    """Double quotes not preceded by a backslash (phpdotenv's multi-line test)."""
    return len(re.findall(r'(?=[^\\]")', line.replace("\\\\", "")))


def _value(raw: str, number: int) -> tuple[str, list[int]]:
    """phpdotenv's value transducer: the characters and where `$` may start a variable."""
    state, chars, vars_at = "initial", "", []
    for tok in _TOKEN.findall(raw):
        if state in ("initial", "unquoted"):
            if tok == "'" and state == "initial":
                state = "single"
            elif tok == '"' and state == "initial":
                state = "double"
            elif tok == "#":
                state = "comment"
            elif tok.isspace() and state == "unquoted":
                state = "whitespace"
            else:
                if tok == "$":
                    vars_at.append(len(chars))
                chars, state = chars + tok, "unquoted"
        elif state == "single":
            if tok == "'":
                state = "whitespace"
            else:
                chars += tok
        elif state == "double":
            if tok == '"':
                state = "whitespace"
            elif tok == "\\":
                state = "escape"
            else:
                if tok == "$":
                    vars_at.append(len(chars))
                chars += tok
        elif state == "escape":
            if tok in ('"', "\\", "$"):
                chars += tok
            elif tok[0] in _ESCAPES:
                chars += _ESCAPES[tok[0]] + tok[1:]
            else:
                raise EnvFileError(f"line {number}: an unexpected escape sequence")
            state = "double"
        elif state == "whitespace":
            if tok == "#":
                state = "comment"
            elif not tok.isspace():
                raise EnvFileError(f"line {number}: unexpected whitespace")
    if state in ("single", "double", "escape"):
        raise EnvFileError(f"line {number}: a missing closing quote")
    return chars, vars_at


def laravel_value(value: str | None) -> str | None:
    """What Laravel's env() makes of a value: (null) and null are null, (empty) is ''."""
    if value is None:
        return None
    low = value.lower()
    if low in ("null", "(null)"):
        return None
    if low in ("empty", "(empty)"):
        return ""
    return value
