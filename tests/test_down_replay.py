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
    # aureuserp: every command of the Blueprint is skipped (hasColumn on a table already
    # dropped is false), so Schema::table sends no SQL and does not fail.
    ("guarded_commands_on_a_dropped_table", "        Schema::create('tags', function "
     "(Blueprint $table) { $table->id(); $table->string('name'); });",
     "        Schema::dropIfExists('tags');\n        Schema::table('tags', function (Blueprint "
     "$table) {\n            if (Schema::hasColumn('tags', 'name')) {\n                "
     "$table->dropColumn('name');\n            }\n        });", None),
    ("unguarded_command_on_a_dropped_table", "        Schema::create('tags', function "
     "(Blueprint $table) { $table->id(); $table->string('name'); });",
     "        Schema::dropIfExists('tags');\n        Schema::table('tags', function (Blueprint "
     "$table) { // gone\n            $table->dropColumn('name');\n        });", "// gone"),
    ("drop_if_exists", "        Schema::create('tags', function (Blueprint $table) "
     "{ $table->id(); });", "        Schema::dropIfExists('tags');\n"
     "        Schema::dropIfExists('tags');", None),
    # An array names columns: Laravel builds the index name from them (links_link_idx_index).
    ("index_name_given_as_a_column", table("$table->index('link', 'link_idx');"),
     table("$table->dropIndex(['link_idx']);"), "dropIndex(['link_idx'])"),
    ("unique_names_given_as_columns", table("$table->unique('link');"),
     table("$table->dropUnique(['links_link_unique']);"), "dropUnique(['links_link_unique'])"),
    ("drops_the_index_up_added", table("$table->index('link');"),
     table("$table->dropIndex(['link']);"), None),
    ("drops_the_named_unique_up_added", table("$table->unique('link', 'uniq_link');"),
     table("$table->dropUnique('uniq_link');"), None),
    # Blueprint::addFluentIndexes: `->index('n')` on a changed column adds an index named n.
    ("fluent_named_index_on_a_changed_column",
     table("$table->string('link', 200)->index('links_link_idx')->change();"),
     table("$table->dropIndex('links_link_idx');"), None),
    # dropPrimary([...]) drops the table's one primary key whatever name Laravel computes.
    ("drops_the_primary_key_by_its_columns",
     "        Schema::create('labels', function (Blueprint $table) {\n"
     "            $table->integer('link_id');\n            $table->integer('tag_id');\n"
     "        });\n" + table("$table->primary(['link_id', 'tag_id']);", "labels"),
     table("$table->dropPrimary(['link_id', 'tag_id']);", "labels") +
     "\n        Schema::drop('labels');", None),
    # The early return's condition is evaluated once: the Blueprints after it all run, though
    # the first adds the column the condition asks about.
    ("an_early_return_is_evaluated_where_it_stands",
     "        if (Schema::hasColumn('links', 'title')) {\n            return;\n        }\n" +
     table("$table->string('title')->nullable();") + "\n" + table("$table->index('title');"),
     table("$table->dropIndex(['title']);") + "\n" + table("$table->dropColumn('title');"),
     None),
    # An index up() left in place, added again: 1061 Duplicate key name / already exists.
    ("re_adds_the_unique_up_added", table("$table->unique('link');"),
     table("$table->unique('link');"), "unique('link')"),
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


USERS = "        Schema::create('users', function (Blueprint $table) { $table->id(); });"
FK_UP = table("$table->unsignedBigInteger('user_id')->nullable();\n"
              "            $table->foreign('user_id', 'fk_user')->references('id')->on('users');")
FK_DOWN = table("$table->dropForeign('fk_user');\n            $table->dropIndex('fk_user');\n"
                "            $table->dropColumn('user_id');")


@pytest.mark.parametrize("database, fails", [("mysql", False), ("mariadb", False),
                                             ("pgsql", True), ("sqlite", True)])
def test_the_index_innodb_leaves_behind_a_dropped_foreign_key(tmp_path, database, fails):
    # MySQL and MariaDB index a foreign key's columns under the constraint's name and keep
    # that index when the key is dropped; PostgreSQL makes no such index, and Laravel before
    # 11 never adds the key to an existing SQLite table.
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(USERS + "\n" + CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php": migration(FK_UP, FK_DOWN),
                     ".migrate-lint.toml": f'database = "{database}"\n'})
    found = codes_at(lint(tmp_path, select="ML105"))
    text = migration(FK_UP, FK_DOWN)
    where = text[:text.index("dropIndex('fk_user')")].count("\n") + 1
    assert found == ([("2024_01_02_000000_change.php", where, "ML105")] if fails else [])


def test_a_foreign_key_sqlite_never_had_is_judged_only_before_laravel_11(tmp_path):
    down = table("$table->dropForeign('fk_user');")
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(USERS + "\n" + CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php": migration(FK_UP, down)})
    (tmp_path / ".migrate-lint.toml").write_text('database = "sqlite"\n')
    assert lint(tmp_path, select="ML105") == []  # Laravel 11 rebuilds the table: no error
    (tmp_path / ".migrate-lint.toml").write_text('database = "sqlite"\nlaravel-version = "10.48"\n')
    assert [f["code"] for f in lint(tmp_path, select="ML105")] == ["ML105"]


RENAME_THEN_READD = table("$table->renameColumn('link', 'url');\n"
                          "            $table->string('link')->nullable();")
UNDO_RENAME_THEN_READD = table("$table->dropColumn('link');\n"
                               "            $table->renameColumn('url', 'link');")


@pytest.mark.parametrize("version", [None, "12.0"])
def test_a_down_after_an_up_whose_outcome_depends_on_blueprint_order(tmp_path, version):
    # Laravel before 11.15 adds `link` before renaming the old one (up() fails: duplicate
    # column), 11.15 and later run them in order (up() works, and so does this down()). With
    # the version unknown the state up() leaves is one of two: down() is not judged.
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php":
                     migration(RENAME_THEN_READD, UNDO_RENAME_THEN_READD)})
    if version:
        (tmp_path / ".migrate-lint.toml").write_text(f'laravel-version = "{version}"\n')
    assert lint(tmp_path, select="ML105") == []


def test_an_up_that_fails_has_no_down_to_judge(tmp_path):
    # The migration is not recorded when up() fails: a rollback never runs its down().
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php":
                     migration(table("$table->string('link');"),
                               table("$table->dropColumn('nope');"))})
    assert [f["code"] for f in lint(tmp_path, select="ML101,ML105")] == ["ML101"]


def test_an_up_that_may_return_early_leaves_down_unjudged(tmp_path):
    # config() is not known: up() may have added the column or not, so down() dropping it
    # (or its index) is not a definite failure.
    up = "        if (config('x')) {\n            return;\n        }\n" + \
        table("$table->string('title')->index('title_idx');")
    down = table("$table->dropIndex('title_idx');") + "\n" + table("$table->dropColumn('title');")
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php": migration(up, down)})
    assert lint(tmp_path, select="ML105") == []


@pytest.mark.parametrize("database, fails", [("mysql", True), ("sqlite", False)])
def test_a_primary_key_made_by_id_exists_and_sqlite_never_fails_on_one(tmp_path, database,
                                                                         fails):
    # id() makes the primary key; on MySQL dropPrimary() right after up() dropped it fails, on
    # SQLite Laravel skips (8-10) or rebuilds the table (11+): never a failure.
    up = table("$table->dropPrimary();")
    down = table("$table->dropPrimary('links_pkey');")
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(CREATE_LINKS, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php": migration(up, down),
                     ".migrate-lint.toml": f'database = "{database}"\n'})
    found = codes_at(lint(tmp_path, select="ML105"))
    assert (found != []) == fails, found


# A foreign key keeps its name when its column is renamed: down() renaming the column back
# and adding the key again under Laravel's name for the old column finds that name taken.
RENAME_FK_UP = table("$table->renameColumn('user_id', 'owner_id');")
RENAME_FK_DOWN = table("$table->renameColumn('owner_id', 'user_id');\n"
                       "            $table->foreign('user_id')->references('id')->on('users');")


@pytest.mark.parametrize("database, fails", [("mariadb", True), ("sqlite", False)])
def test_a_foreign_key_added_again_after_a_rename(tmp_path, database, fails):
    create = """        Schema::create('links', function (Blueprint $table) {
            $table->id();
            $table->unsignedBigInteger('user_id');
            $table->foreign('user_id')->references('id')->on('users');
        });"""
    text = migration(RENAME_FK_UP, RENAME_FK_DOWN)
    write(tmp_path, {"2024_01_01_000000_create_links.php":
                     migration(create, "        Schema::dropIfExists('links');"),
                     "2024_01_02_000000_change.php": text,
                     ".migrate-lint.toml": f'database = "{database}"\n'})
    found = codes_at(lint(tmp_path, select="ML105"))
    where = text[:text.index("$table->foreign('user_id')")].count("\n") + 1
    assert found == ([("2024_01_02_000000_change.php", where, "ML105")] if fails else [])
