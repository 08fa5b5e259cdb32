"""ML105: down() folded on the state its own up() left, over histories written here."""

from __future__ import annotations

import pytest

from test_replay import HEAD, lint, codes_at, write

CREATE_LINKS = """        Schema::create('links', function (Blueprint $table) {
            $table->id();
            $table->string('link');
        });"""


def migration(up: str, down: str, helpers: str = "") -> str:
    return HEAD + "return new class extends Migration {\n    public function up()\n    {\n" + up + \
        "\n    }\n\n    public function down()\n    {\n" + down + "\n    }\n" + helpers + "};\n"


def table(body: str, name: str = "links") -> str:
    return f"        Schema::table('{name}', function (Blueprint $table) {{\n            {body}\n" \
           "        });"


# (name, up, down, the failing statement's text in down(), or None)
SCENARIOS = [
    ("extra_argument_read_as_a_column", table("$table->string('title')->nullable();"),
     table("$table->dropColumn('link', 255);"), "dropColumn('link', 255)"),
    ("drops_a_column_up_never_added", table("$table->string('title')->nullable();"),
     table("$table->dropColumn('subtitle');"), "dropColumn('subtitle')"),
    ("renamed_then_used_by_its_old_name", table("$table->renameColumn('link', 'url');"),
     table("$table->renameColumn('url', 'link');") + "\n" +
     table("$table->string('url', 100)->change();"), "string('url', 100)"),
    ("re_adds_a_column_up_did_not_drop", table("$table->string('title')->nullable();"),
     table("$table->string('link');"), "string('link')"),
    ("drops_the_table_twice", "        Schema::create('tags', function (Blueprint $table) "
     "{ $table->id(); });", "        Schema::drop('tags');\n        Schema::drop('tags'); // again",
     "// again"),
    ("undoes_exactly", table("$table->string('title')->nullable();"),
     table("$table->dropColumn('title');"), None),
    ("guarded_drop", table("$table->string('title')->nullable();"),
     "        if (Schema::hasColumn('links', 'subtitle')) {\n" +
     table("$table->dropColumn('subtitle');") + "\n        }", None),
    ("drop_if_exists", "        Schema::create('tags', function (Blueprint $table) "
     "{ $table->id(); });", "        Schema::dropIfExists('tags');\n"
     "        Schema::dropIfExists('tags');", None),
]


@pytest.mark.parametrize("name, up, down, line", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_down_that_fails_right_after_up(tmp_path, name, up, down, line):
    text = migration(up, down)
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php": text})
    found = codes_at(lint(tmp_path, select="ML105"))
    if line is None:
        assert found == []
    else:
        after_down = text.index("function down")
        where = text[:text.index(line, after_down)].count("\n") + 1
        assert found == [("2024_01_02_000000_change.php", where, "ML105")]


def test_the_message_names_where_the_column_came_from(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php":
                     migration(table("$table->string('title')->nullable();"),
                               table("$table->dropColumn('link', 255);"))})
    [finding] = lint(tmp_path, select="ML105")
    assert "column 'links.255' does not exist" in finding["message"]
    assert "2024_01_01_000000_create_links.php:" in finding["message"]
    assert "down() fails with" in finding["message"]


def test_a_down_that_calls_helpers_is_not_judged(tmp_path):
    helpers = "\n    private function undo()\n    {\n" + table("$table->dropColumn('nope');") + \
        "\n    }\n"
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php":
                     migration(table("$table->string('title')->nullable();"),
                               "        $this->undo();\n" + table("$table->dropColumn('x');"),
                               helpers)})
    assert lint(tmp_path, select="ML105") == []


def test_check_down_false_turns_it_off_and_the_history_goes_on_from_up(tmp_path):
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     # down() drops `link`: the next migration must still see it (ML101)
                     "2024_01_02_000000_change.php":
                     migration(table("$table->string('title')->nullable();"),
                               table("$table->dropColumn(['link', 'title']);")),
                     "2024_01_03_000000_again.php":
                     migration(table("$table->string('link');"), "")})
    assert [(f, c) for f, _, c in codes_at(lint(tmp_path, select="ML101,ML105"))] == [
        ("2024_01_03_000000_again.php", "ML101")]
    (tmp_path / ".migrate-lint.toml").write_text("check-down = false\n")
    write(tmp_path, {"2024_01_02_000000_change.php":
                     migration(table("$table->string('title')->nullable();"),
                               table("$table->dropColumn('nope');"))})
    assert [f["code"] for f in lint(tmp_path / "2024_01_02_000000_change.php",
                                    select="ML105")] == []


def test_a_down_renaming_to_a_computed_name_does_not_change_the_history(tmp_path):
    # Folding down() once leaked into the history: a rename to a computed name made every
    # table not created yet "maybe there", which hid the ML103 of the next migration.
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::rename('links', $this->old);"),
                     "2024_01_02_000000_too_early.php":
                     migration(table("$table->string('title');", "tags"), ""),
                     "2024_01_03_000000_create_tags.php":
                     migration("        Schema::create('tags', function (Blueprint $table) "
                               "{ $table->id(); });", "        Schema::drop('tags');")})
    whole = codes_at(lint(tmp_path, select="ML103,ML105"))
    assert whole == [("2024_01_02_000000_too_early.php", 10, "ML103")]
    for name in ("2024_01_01_000000_create_links.php", "2024_01_02_000000_too_early.php"):
        alone = codes_at(lint(tmp_path / name, select="ML103,ML105"))
        assert alone == [f for f in whole if f[0] == name]
