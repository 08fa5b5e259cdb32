"""Fix layer of the rule case files: for every case, fixing is safe, idempotent and complete."""

from __future__ import annotations

import pytest

from casefiles import load_cases, settings_for
from migrate_lint import parse
from migrate_lint.engine import lint_source
from migrate_lint.fix import fix_source

PATH = "database/migrations/2024_01_01_000000_case.php"
CASES = load_cases()


def fix(case, data: bytes) -> bytes:
    settings = settings_for(case)
    result = lint_source(PATH, data, settings, keep_model=True)
    if result.migration.error is not None:
        return data
    new, _, _, _ = fix_source(result, settings)
    return new


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fix_parses_is_idempotent_and_leaves_nothing_fixable(case):
    once = fix(case, case.source.encode())
    if parse.first_error(parse.parse(case.source.encode())) is None:
        assert parse.first_error(parse.parse(once)) is None
    assert fix(case, once) == once
    left = lint_source(PATH, once, settings_for(case)).findings
    assert [f for f in left if f.fixable] == []


@pytest.mark.parametrize("case", [c for c in CASES if not c.failing], ids=lambda c: c.id)
def test_passing_case_is_left_byte_identical_for_its_rule(case):
    settings = settings_for(case, select=[case.rule])
    result = lint_source(PATH, case.source.encode(), settings, keep_model=True)
    if result.migration.error is None:
        new, _, _, _ = fix_source(result, settings)
        assert new == case.source.encode()


@pytest.mark.parametrize("case", [c for c in CASES if c.fix], ids=lambda c: c.id)
def test_expected_fix_output(case):
    assert fix(case, case.source.encode()).decode() == case.fix
