"""Every rule case with an `oracle` block, run under real Laravel on SQLite and MariaDB.

A failing case must really fail in the state its rule is about (with the expected SQLSTATE on
MariaDB / message on SQLite); its fixed version must run the `fixed_steps` cleanly in that
same state. A passing case must really re-run without error: if Laravel runs it fine twice
and the rule flags it, the rule has a false positive.
"""

from __future__ import annotations

import pytest

from casefiles import load_cases, settings_for
from migrate_lint.dynamic import oracle
from migrate_lint.engine import lint_source
from migrate_lint.fix import fix_source
from migrate_lint.record import replace

ENGINES = ("sqlite", "mariadb")
CASES = [c for c in load_cases() if c.oracle and not c.oracle.get("skip")]
NOT_RUN = [c for c in load_cases() if c.oracle and c.oracle.get("skip")]
PARAMS = [pytest.param(case, engine, id=f"{case.id}-{engine}")
          for case in CASES for engine in case.oracle.get("engines", ENGINES)]


def test_every_rule_case_is_run_under_laravel_or_says_why():
    """ML000 (syntax) and ML900 (comments) have nothing to run; every other case either has
    oracle steps or an `oracle: {skip: why}` saying why Laravel 8.83 here cannot run it."""
    for case in load_cases():
        if case.rule in ("ML000", "ML900"):
            continue
        assert case.oracle, f"{case.id}: no oracle block"
        if case.oracle.get("skip"):
            assert len(case.oracle["skip"]) > 20, f"{case.id}: say why it is not run"
        else:
            assert case.oracle.get("steps") or not case.failing, case.id
    assert len(NOT_RUN) < len(CASES) / 2  # most cases are proven under Laravel


def _setup(case, engine):
    setup = case.oracle.get("setup", [])
    setup = setup.get(engine, []) if isinstance(setup, dict) else setup
    if engine == "mariadb":
        # SQLite's `integer primary key` numbers rows by itself; MariaDB needs it said.
        setup = [s.replace("integer primary key", "integer primary key auto_increment")
                 for s in setup]
    return setup


def _db(case, engine, make_db):
    """A fresh database, with the case's `connection` options (a table `prefix`, ...)."""
    db = make_db(engine)
    options = case.oracle.get("connection")
    return replace(db, options={**db.options, **options}) if options else db


def _write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(source)
    return path


def fixed_source(case) -> str:
    path = "database/migrations/2024_01_01_000000_case.php"
    settings = settings_for(case)
    result = lint_source(path, case.source.encode(), settings, keep_model=True)
    new, _, _, _ = fix_source(result, settings)
    return new.decode()


@pytest.mark.oracle
@pytest.mark.parametrize("case, engine", PARAMS)
def test_case_under_laravel(case, engine, make_db, tmp_path):
    steps = case.oracle.get("steps", ["up", "up"])
    original = _write(tmp_path, "2024_01_01_000000_original.php", case.source)
    result = oracle.run_steps(original, steps, _db(case, engine, make_db), setup=_setup(case, engine))
    assert result.error is None, result.error
    if not case.failing:
        assert result.ok, f"a passing case must re-run cleanly: {result.failure}"
        return
    assert not result.ok, "the flagged migration should fail under Laravel in this state"
    expected = case.oracle.get("expect", {}).get(engine)
    if expected:
        failure = result.failure
        assert expected == failure.sqlstate or expected in (failure.error or ""), failure
    fixed_steps = case.oracle.get("fixed_steps")
    if fixed_steps:
        fixed = _write(tmp_path, "2024_01_01_000000_fixed.php", fixed_source(case))
        again = oracle.run_steps(fixed, fixed_steps, _db(case, engine, make_db), setup=_setup(case, engine))
        assert again.ok, f"the fixed migration failed: {again.failure}\n{fixed.read_text()}"
