"""Lint layer of the rule case files: each failing case is flagged at exactly its lines."""

from __future__ import annotations

import pytest

from casefiles import load_cases, settings_for
from migrate_lint.engine import lint_source

CASES = load_cases()


def _lines(case, code):
    result = lint_source(f"database/migrations/2024_01_01_000000_{case.name}.php",
                         case.source.encode(), settings_for(case))
    return sorted(f.span.line for f in result.findings if f.code == code)


@pytest.mark.parametrize("case", [c for c in CASES if c.failing], ids=lambda c: c.id)
def test_failing_case_is_flagged_at_its_lines(case):
    assert case.lines, "a failing case must list the lines it is flagged at"
    assert _lines(case, case.rule) == sorted(case.lines)


@pytest.mark.parametrize("case", [c for c in CASES if not c.failing], ids=lambda c: c.id)
def test_passing_case_is_not_flagged(case):
    assert _lines(case, case.rule) == []


def test_every_rule_has_enough_cases():
    from migrate_lint import rules

    for rule in rules.FILE_RULES:
        fails = [c for c in CASES if c.rule == rule.CODE and c.failing]
        passes = [c for c in CASES if c.rule == rule.CODE and not c.failing]
        assert len(fails) >= 6 and len(passes) >= 6, (rule.CODE, len(fails), len(passes))
