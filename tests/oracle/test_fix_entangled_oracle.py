"""A guard written inside a Blueprint closure runs while the Blueprint is built, before any of
its SQL: it sees the table as it was before the other commands of that Blueprint. A fix must
not guard a command that an earlier command of the same Blueprint makes necessary: guarded,
it is skipped on a fresh database and the migration builds another schema. (Ctrlpanel's down()
dropped `price`, added it back and, once fixed, never restored it.) rules/_common.entangled
leaves those findings unfixed.

Laravel 8.83, the oracle's, runs a Blueprint's column adds before its other commands, so the
in-order case (11.15+) is checked on the fixer's output; what 8.83 can run is run: on a fresh
database the fixed migration must build exactly what the original builds.
"""

from __future__ import annotations

import pytest

from migrate_lint.dynamic import oracle
from migrate_lint.engine import Settings, lint_source, resolve_selection
from migrate_lint.fix import fix_source
from migrate_lint.rules import all_rules
from migrate_lint.rules._common import RuleContext

HEAD = """<?php

use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration
{
    public function up()
    {
        Schema::table('products', function (Blueprint $table) {
"""
TAIL = """        });
    }
};
"""
# Line 12 is the first command.
IN_ORDER = HEAD + """            $table->dropColumn('price');
            $table->decimal('price', 15, 4)->nullable();
            $table->renameColumn('credits', 'credits_old');
            $table->string('credits')->nullable();
            $table->string('note')->nullable();
""" + TAIL
RUNNABLE = HEAD + """            $table->dropIndex('products_code_idx');
            $table->unique('code', 'products_code_idx');
            $table->string('note')->nullable();
            $table->index('note');
""" + TAIL
SETUP = ["create table products (id integer primary key, code varchar(20))",
         "create index products_code_idx on products (code)"]


def _lint(source, laravel=None):
    settings = Settings(enabled=resolve_selection(None, [], all_rules()),
                        rule_ctx=RuleContext(laravel_version=laravel))
    result = lint_source("database/migrations/2024_01_01_000000_x.php", source.encode(),
                         settings, keep_model=True)
    return result, settings


def test_commands_an_earlier_one_makes_necessary_are_not_fixed():
    result, settings = _lint(IN_ORDER)  # version unknown: the adds are flagged
    flagged = {(f.code, f.line): f.fixable for f in result.findings}
    # drop then add 'price'; rename 'credits' away then add it: the add and the rename are
    # entangled (the add's guard would see the column the earlier command removes).
    assert flagged[("ML002", 13)] is False and flagged[("ML002", 15)] is False
    assert flagged[("ML005", 14)] is False
    assert flagged[("ML002", 16)] is True  # 'note': nothing else touches it
    fixed, _, _, _ = fix_source(result, settings)
    assert b"hasColumn('products', 'note')" in fixed
    assert b"hasColumn('products', 'price')" not in fixed.split(b"dropColumn('price')")[1]


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ["sqlite", "mariadb"])
def test_fixed_migration_builds_the_same_schema_on_a_fresh_database(engine, make_db, tmp_path):
    result, settings = _lint(RUNNABLE, laravel=(11, 15))  # the index guards need 10.43+
    fixable = {(f.code, f.line) for f in result.findings if f.fixable}
    # The drop runs first in its Blueprint (nothing before it touches the index): its guard
    # sees the state it runs in, so it is fixed; so are the unrelated column and index.
    assert {("ML010", 12), ("ML002", 14), ("ML007", 15)} <= fixable
    fixed, _, _, _ = fix_source(result, settings)
    built = {}
    for name, source in (("original", RUNNABLE.encode()), ("fixed", fixed)):
        file = tmp_path / f"2024_01_01_000000_{name}.php"
        file.write_bytes(source)
        run = oracle.run_steps(file, ["up"], make_db(engine), setup=SETUP)
        assert run.ok, (name, run.failure, run.error, source.decode())
        built[name] = (sorted(run.tables["products"]), sorted(run.indexes["products"]))
    assert "products_code_idx" in built["original"][1]
    assert built["fixed"] == built["original"]
