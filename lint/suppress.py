"""`// migrate-lint-ignore CODE -- reason` comments, and ML900 for the ones that do nothing."""

from __future__ import annotations

import re

from migrate_lint.findings import Finding
from migrate_lint.record import record

_DIRECTIVE = re.compile(r"migrate-lint-ignore(?P<file>-file)?(?![\w-])(?P<rest>[^\n]*)")
_END = re.compile(r"--|//|#|\*/")  # a reason, or another comment, ends the list of codes
_SEPARATOR = re.compile(r"[\s,:]+")


@record
class Directive:
    comment: object  # model Comment
    whole_file: bool
    codes: set[str] | None  # None: every code
    target_line: int
    used: bool = False
    unknown: tuple[str, ...] = ()  # words that name no rule: they suppress nothing


def _codes(rest: str, lookup) -> tuple[set[str] | None, tuple[str, ...]]:
    """(codes, unknown words). A bare directive means every code; a misspelt code or name
    suppresses nothing (it must never widen to "every code")."""
    words = [w for w in _SEPARATOR.split(_END.split(rest, 1)[0]) if w]
    if not words:
        return None, ()
    codes, unknown = set(), []
    for word in words:
        rule = lookup(word)
        if rule is None:
            unknown.append(word)
        else:
            codes.add(rule.CODE)
    return codes, tuple(unknown)


def directives(migration, lookup) -> list[Directive]:
    comment_lines = {c.line for c in migration.comments if not c.trailing}
    out = []
    for c in migration.comments:
        m = _DIRECTIVE.search(c.text)
        if not m:
            continue
        if c.trailing:
            target = c.line
        else:
            target = c.end_line + 1
            while target in comment_lines:
                target += 1
        codes, unknown = _codes(m.group("rest"), lookup)
        out.append(Directive(c, bool(m.group("file")), codes, target, unknown=unknown))
    return out


def apply(findings: list[Finding], migration, lookup, enabled: set[str], unused_rule):
    """Drops suppressed findings; returns (kept, ML900 findings for unused directives)."""
    found = directives(migration, lookup)
    if not found:
        return findings, []
    kept = []
    for f in findings:
        hit = None
        for d in found:
            if d.codes is not None and f.code not in d.codes:
                continue
            if d.whole_file or d.target_line == f.span.line or (
                    d.comment.trailing and f.span.line <= d.target_line <= f.span.end_line):
                hit = d
                break
        if hit is None:
            kept.append(f)
        else:
            hit.used = True
    unused = []
    if unused_rule.CODE in enabled:
        from migrate_lint.rules._common import finding

        for d in found:
            if d.unknown:
                words = ", ".join(repr(w) for w in d.unknown)
                unused.append(finding(unused_rule, migration, d.comment.span,
                                      f"unknown rule code or name {words} in a suppression: "
                                      f"it suppresses nothing (see `migrate-lint --list-rules`)"))
                if not d.codes:
                    continue
            if d.used or (d.codes is not None and not d.codes & enabled):
                continue
            if d.codes is not None and all(c.startswith("ML1") for c in d.codes):
                continue  # replay rules (ML1xx) are matched in lint/replay, over the history
            names = ", ".join(sorted(d.codes)) if d.codes else "any code"
            unused.append(finding(unused_rule, migration, d.comment.span,
                                  f"unused suppression: no {names} finding here"))
    return kept, unused
