"""Which migrations of a history a run on a few files can leave unmodelled.

Linting one file replays the whole folder before it, and without a cache that means modelling
every earlier migration. Most of them cannot matter: the fold keeps one record per table
(lint/replay/relevant.py), so a migration matters only if it names a table the reported ones
depend on, or if it reaches past its own tables. This decides the second from the bytes alone,
conservatively: a file is "plain" when nothing in it can name a table or connection at run time
(no connection, raw SQL, call into another migration, and every schema call names its table,
and a rename its new name, with one plain string literal). Every table a plain file's
steps name is then spelled out in it, so a plain file that contains none of the tables the
reported files depend on (nor their class names: ML104) is left unmodelled, once parsed (a
file the model cannot read stops the replay from claiming anything after it). Each file alone
still finds exactly what the whole history finds in it (bench/slices.py --cold)."""

from __future__ import annotations

import os
import re

# A string literal with nothing computed in it (no escape, no interpolation).
_LIT = rb"""\s*(?:'[^'\\]*'|"[^"\\$]*")\s*"""
# Matched on the lowered bytes, without IGNORECASE, and in parts: a third of the time of one
# case-insensitive alternation (which tried every branch at every byte).
_REACHING = re.compile(  # a connection, raw SQL, a call into another migration
    rb"connection|statement\s*\(|unprepared\s*\(|artisan|->\s*call\s*\(|->\s*(?:up|down)\s*\(")
_SCHEMA_CALL = re.compile(
    rb"(?:::|->)\s*(?:create|table|drop|dropifexists|dropcolumns|rename|when\w+|has\w*|get\w+)"
    rb"\s*\(")
_PLAIN_ARGS = re.compile(_LIT + rb"[,)]|\s*\)")  # one plain literal first, or no argument
_NEEDS_TABLE = re.compile(rb"(?:::|->)\s*(?:create|table|drop|dropifexists|rename)\s*\(")
_RENAME_COMPUTED = re.compile(rb"rename\s*\(" + _LIT + rb",(?!" + _LIT + rb"\))")


def plain(data: bytes) -> bool:
    """No connection, raw SQL or call into another migration; every schema call names its
    table with one plain literal (those that must name one do), and a rename its new name."""
    low = data.lower()
    if _REACHING.search(low) or _RENAME_COMPUTED.search(low):
        return False
    for call in _SCHEMA_CALL.finditer(low):
        args = _PLAIN_ARGS.match(low, call.end())
        if args is None:
            return False  # computed, concatenated
        if args.group().strip() == b")" and _NEEDS_TABLE.match(low, call.start()):
            return False  # `Schema::create()` with no table
    return True


def readable(data: bytes) -> bool:
    """Whether the model will read the file: one it cannot (not text, a syntax error) stops
    the replay from claiming anything after it, so it is always modelled."""
    from migrate_lint import model, parse

    return model.undecodable(data) is None and not parse.parse(data).root_node.has_error


def mentions(lowered: bytes, names) -> bool:
    return any(n in lowered for n in names)


def build_relevant(todo, given: set, by_path: dict, files: list, build) -> list[str]:
    """Models (with `build`) the files of `todo` the given ones may depend on, and returns the
    paths left unmodelled. todo: (path, bytes, digest) of the files no summary is known for;
    by_path: the summaries known so far, which `build` adds to."""
    from migrate_lint.replay.relevant import needed

    waiting, now = {}, []
    for item in todo:
        if os.path.normpath(item[0]) not in given and plain(item[1]) and readable(item[1]):
            waiting[item[0]] = (item, item[1].lower())
        else:
            now.append(item)
    build(now)
    while waiting:
        known = [by_path[p] for p in files if p in by_path]
        reported = {i for i, s in enumerate(known) if os.path.normpath(s.path) in given}
        names = {known[i].class_name.lower() for i in reported if known[i].class_name}
        names |= needed(known, reported)[1]
        encoded = [n.encode("utf-8", "surrogateescape") for n in names if n]
        found = [item for item, lowered in waiting.values() if mentions(lowered, encoded)]
        if not found:
            break
        for item in found:
            del waiting[item[0]]
        build(found)
    return list(waiting)
