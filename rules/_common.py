"""Small helpers the rule modules share: building findings and reading guards."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrate_lint.findings import Finding, Span

_WS = re.compile(r"\s+")


@dataclass
class RuleContext:
    check_down: bool = True
    laravel_version: tuple[int, ...] | None = None
    database: str | None = None
    options: dict = field(default_factory=dict)


def in_scope(item_ctx, ctx: RuleContext) -> bool:
    return ctx.check_down or item_ctx.method != "down"


def snippet(migration, span: Span | None) -> str:
    if span is None:
        return ""
    raw = migration.source.data[span.start:span.end].decode("utf-8", errors="replace")
    return _WS.sub(" ", raw).strip()


def finding(rule, migration, span: Span, message: str, target=None, statement: Span | None = None,
            fixable: bool | None = None, severity: str | None = None) -> Finding:
    return Finding(code=rule.CODE, rule=rule.NAME, path=migration.path, span=span,
                   message=message, severity=severity or getattr(rule, "SEVERITY", "error"),
                   fixable=rule.FIXABLE if fixable is None else fixable,
                   snippet=snippet(migration, statement or span),
                   extra={"target": target} if target is not None else {})


def q(name) -> str:
    """A name for messages: 'tasks' for literals, the expression otherwise."""
    if name.known:
        return f"'{name.value}'"
    return name.expr if len(name.expr) <= 40 else name.expr[:37] + "..."


def version_at_least(ctx: RuleContext, *wanted: int) -> bool:
    return ctx.laravel_version is not None and tuple(ctx.laravel_version[:len(wanted)]) >= wanted


def non_create_calls(migration, ctx: RuleContext, category: str):
    """Blueprint calls of one category outside Schema::create (a new table needs no guards)."""
    for op in migration.ops:
        if op.kind == "create":
            continue
        for call in op.calls:
            if call.category == category and in_scope(call.ctx, ctx) and not call.ctx.protection:
                yield op, call
