"""Issue 13's idioms of real Laravel code, at the level the case files cannot see: messages,
model attributes the replay reads (order, instantiated copies), one finding per place."""

from __future__ import annotations

from migrate_lint.engine import Settings, lint_source
from migrate_lint.model import build
from migrate_lint import rules

SETTINGS = Settings(enabled={r.CODE for r in rules.all_rules()})


def lint(body: str, settings=SETTINGS):
    src = ("<?php\n\nreturn new class extends Migration\n{\n" + body + "\n};\n").encode()
    return lint_source("database/migrations/2024_01_01_000000_x.php", src, settings).findings


def model(body: str):
    src = ("<?php\n\nreturn new class extends Migration\n{\n" + body + "\n};\n").encode()
    return build("database/migrations/2024_01_01_000000_x.php", src)


def test_rename_messages_name_the_unguarded_side():
    found = lint("""
    public function up()
    {
        if (Schema::hasTable('results')) {
            Schema::rename('results', 'results_bad_json');
        }
        Schema::rename('a', 'b');
        Schema::table('orders', function ($table) {
            if (Schema::hasColumn('orders', 'status')) {
                $table->renameColumn('status', 'legacy_status');
            }
        });
    }""")
    messages = sorted(f.message for f in found)
    assert messages == sorted([
        "`Schema::rename('results', 'results_bad_json')` is guarded only on 'results' existing, "
        "not on 'results_bad_json' being absent: when both exist on a re-run it fails with "
        "'Table already exists'",
        "`Schema::rename('a', 'b')` is not guarded by `Schema::hasTable`: a re-run fails with "
        "\"Table doesn't exist\"",
        "`renameColumn('status', 'legacy_status')` on 'orders' is guarded only on 'status' "
        "existing, not on 'legacy_status' being absent: when 'status' exists again on a re-run "
        "it fails with 'Duplicate column name'",
    ])
