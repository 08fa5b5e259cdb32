"""difflib.unified_diff's exact output, without its matcher in the common case of a fix preview:
one block of lines changed between common leading and trailing lines, where difflib can only
match those two, in place. Its opcodes are then known: equal, replace (or insert, or delete),
equal. Anything else goes to difflib itself.
"""

from __future__ import annotations

import re

AUTOJUNK_FROM = 200  # difflib treats popular lines as junk from this many lines on: not here


def unified_diff(a: list[str], b: list[str], fromfile: str, tofile: str, n: int = 3,
                 offset: int = 0) -> str:
    """"".join(difflib.unified_diff(a, b, fromfile, tofile, n=n)), often several times faster;
    `offset` is added to the line numbers (a and b are lines of a longer file)."""
    opcodes = _one_block(a, b)
    if opcodes is None:
        import difflib

        text = "".join(difflib.unified_diff(a, b, fromfile=fromfile, tofile=tofile, n=n))
        return _HUNK.sub(lambda m: _shifted(m, offset), text) if offset else text
    if not opcodes:
        return ""
    (_, _, p, _, _), change, (_, s1, s2, t1, t2) = opcodes
    i1, j1 = max(0, p - n), max(0, p - n)
    i2, j2 = min(s2, s1 + n), min(t2, t1 + n)
    out = [f"--- {fromfile}\n", f"+++ {tofile}\n",
           f"@@ -{_range(i1 + offset, i2 + offset)} +{_range(j1 + offset, j2 + offset)} @@\n"]
    out += [" " + line for line in a[i1:p]]
    _, o1, o2, m1, m2 = change
    out += ["-" + line for line in a[o1:o2]]
    out += ["+" + line for line in b[m1:m2]]
    out += [" " + line for line in a[s1:i2]]
    return "".join(out)


def _one_block(a, b):
    """[equal, change, equal] when difflib's matcher would find exactly that; [] when a == b;
    None when only difflib can tell."""
    if len(b) >= AUTOJUNK_FROM or len(a) >= AUTOJUNK_FROM:
        return None
    p = 0
    limit = min(len(a), len(b))
    while p < limit and a[p] == b[p]:
        p += 1
    if p == len(a) == len(b):
        return []
    s = 0
    while s < limit - p and a[-1 - s] == b[-1 - s]:
        s += 1
    ea, eb = len(a) - s, len(b) - s
    old, new = a[p:ea], b[p:eb]
    # difflib takes the longest matching run first (earliest in a, then in b). When some lines
    # are removed and none of them is left in b, a run of a lies within the leading or the
    # trailing equal lines, so the longest is one of those two, in place, unless the trailing
    # lines also occur earlier in b. (With nothing removed, a run may span both.)
    if not old or not set(old).isdisjoint(b):
        return None
    if s and any(b[j:j + s] == a[ea:] for j in range(eb)):
        return None
    return [("equal", 0, p, 0, p), ("change", p, ea, p, eb), ("equal", ea, len(a), eb, len(b))]


def _range(start: int, stop: int) -> str:
    """difflib's _format_range_unified."""
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    return f"{start + (1 if length else 0)},{length}"


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", re.M)


def _shifted(m, offset: int) -> str:
    a, b = int(m.group(1)) + offset, int(m.group(3)) + offset
    return f"@@ -{a}{m.group(2) or ''} +{b}{m.group(4) or ''} @@"
