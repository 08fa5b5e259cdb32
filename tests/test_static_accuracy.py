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


HELPERS = """
    public function up()
    {
        Schema::dropIfExists('old');
        $this->createTable('audits');
        $this->createTable('audits');
        DB::statement('CREATE INDEX i ON t (c)');
    }

    private function createTable(string $name)
    {
        Schema::create($name, function (Blueprint $table) {
            $table->id();
        });
        DB::table($name)->insert(['id' => 1]);
    }

    public function down()
    {
        $this->createTable('gone');
    }"""


def test_helper_methods_are_instantiated_at_their_call_sites_in_order():
    m = model(HELPERS)
    creates = [op for op in m.ops if op.kind == "create"]
    # one copy per call site; the helper's own (uninstantiated) op is not kept
    assert [(op.table.value, op.ctx.method) for op in creates] == [
        ("audits", "up"), ("audits", "up"), ("gone", "down")]
    src = m.source.data
    sites = [src.index(b"$this->createTable('audits')"),
             src.index(b"$this->createTable('audits')", src.index(b"createTable('audits')") + 1),
             src.index(b"$this->createTable('gone')")]
    assert [op.order for op in creates] == sites
    # the Blueprint calls and the inserts of each copy run where the copy runs
    assert [[c.order for c in op.calls] for op in creates] == [[s] for s in sites]
    assert [(i.table.value, i.order, i.ctx.method) for i in m.inserts] == [
        ("audits", sites[0], "up"), ("audits", sites[1], "up"), ("gone", sites[2], "down")]
    drop = next(op for op in m.ops if op.kind == "dropIfExists")
    assert drop.order == drop.span.start and drop.ctx.method == "up"
    assert [r.order for r in m.raw_sql] == [m.raw_sql[0].span.start]
    assert m.ops == sorted(m.ops, key=lambda op: (op.order, op.span.start))


def test_one_finding_per_code_span_and_message():
    found = [(f.code, f.span.start, f.message) for f in lint(HELPERS)]
    assert len(found) == len(set(found))
    ml001 = sorted(f.message for f in lint(HELPERS) if f.code == "ML001")
    assert ml001 == ["`Schema::create('audits')` is not guarded by `Schema::hasTable('audits')`: "
                     "a re-run fails with 'table already exists'",
                     "`Schema::create('gone')` is not guarded by `Schema::hasTable('gone')`: "
                     "a re-run fails with 'table already exists'"]


def test_a_helper_nobody_calls_is_still_linted_on_its_own():
    m = model("""
    public function up()
    {
    }

    private function unused()
    {
        Schema::create('x', function (Blueprint $table) {
            $table->id();
        });
    }""")
    assert [(op.table.value, op.ctx.method) for op in m.ops] == [("x", "unused")]


def test_closure_by_variable_is_linted_once_per_table():
    found = lint("""
    public function up()
    {
        $add = function (Blueprint $table) {
            $table->text('editor');
        };
        Schema::table('pages', $add);
        Schema::table('books', $add);
        Schema::table('books', $add);
    }""")
    assert sorted(f.message.split(" by ")[0] for f in found if f.code == "ML002") == [
        "column 'editor' added to 'books'", "column 'editor' added to 'pages'"]
