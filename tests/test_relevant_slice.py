"""A file linted alone folds only the migrations its tables depend on (lint/replay/relevant.py)
and finds exactly what the whole history finds in it. Each history here has a migration that
a narrower slice would leave out, and with it the finding would change."""

from __future__ import annotations

import os

import pytest

from migrate_lint.replay.history import load_history, replay
from migrate_lint.replay.relevant import needed
from test_replay import anon, codes_at, lint, named, write


def create(table: str, *columns: str, conn: str = "") -> str:
    via = f"Schema::connection('{conn}')" if conn else "Schema"
    cols = "".join(f"\n            $table->string('{c}');" for c in columns)
    return f"        {via}::create('{table}', function (Blueprint $table) {{\n" \
           f"            $table->id();{cols}\n        }});"


def alter(table: str, body: str, via: str = "Schema") -> str:
    return f"        {via}::table({table}, function (Blueprint $table) {{\n            {body}\n" \
           "        });"


HISTORIES = {
    # The table was renamed: its columns come from the migration that created the old name.
    "rename_chain": [create("old", "a"), "        Schema::rename('old', 'new');",
                     alter("'new'", "$table->string('a');")],
    # A guard asks about another table: the migration creating that one decides the guard.
    "guard_on_another_table": [create("flags"), create("posts", "x"),
                               "        if (Schema::hasTable('flags')) {\n" +
                               alter("'posts'", "$table->string('x');") + "\n        }"],
    # A step on a computed table may have dropped the column: the re-add is not definite.
    "computed_table": [create("posts", "x"), alter("$this->name", "$table->dropColumn('x');"),
                       alter("'posts'", "$table->string('x');")],
    # A step on a computed connection touches every connection made so far.
    "computed_connection": [create("posts", "x", conn="other"),
                            alter("'posts'", "$table->dropColumn('x');",
                                  via="Schema::connection($this->conn)"),
                            alter("'posts'", "$table->string('x');",
                                  via="Schema::connection('other')")],
    # A foreign key names the table it points at.
    "foreign_key_target": [create("users"), create("posts", "user_id"),
                           "        Schema::drop('users');",
                           alter("'posts'", "$table->foreign('user_id')->references('id')"
                                 "->on('users');")],
}


@pytest.mark.parametrize("name", HISTORIES)
def test_each_file_alone_finds_what_the_whole_history_finds(tmp_path, name):
    files = {f"2024_01_0{i + 1}_000000_m{i + 1}.php": anon(body)
             for i, body in enumerate(HISTORIES[name])}
    write(tmp_path, files)
    whole = codes_at(lint(tmp_path, select="ML101,ML102,ML103,ML105"))
    for f in files:
        alone = codes_at(lint(tmp_path / f, select="ML101,ML102,ML103,ML105"))
        assert alone == [x for x in whole if x[0] == f], f


# The migration whose absence changes what the last one finds.
DECISIVE = {"rename_chain": 0, "guard_on_another_table": 0, "computed_table": 1,
            "computed_connection": 1}


@pytest.mark.parametrize("name", HISTORIES)
def test_the_slice_keeps_the_migrations_that_shape_the_last_one(tmp_path, name):
    files = {f"2024_01_0{i + 1}_000000_m{i + 1}.php": anon(body)
             for i, body in enumerate(HISTORIES[name])}
    write(tmp_path, files)
    h = load_history([str(tmp_path)])
    last = len(h.summaries) - 1
    if name not in DECISIVE:
        # The fold only records a foreign key's target: the migrations on `users` are left out.
        assert needed(h.summaries, {last})[0] == {1, last}
        return
    assert needed(h.summaries, {last})[0] == set(range(len(h.summaries)))
    key = os.path.normpath(h.summaries[last].path)
    full = [p.code for s, ps in replay(h, only={key}) for p in ps]
    h.summaries = [s for i, s in enumerate(h.summaries) if i != DECISIVE[name]]
    assert [p.code for s, ps in replay(h, only={key}) for p in ps] != full


def test_unrelated_migrations_are_not_folded(tmp_path):
    write(tmp_path, {"2024_01_01_000000_a.php": anon(create("posts", "x")),
                     "2024_01_02_000000_b.php": anon(create("tags", "y")),
                     "2024_01_03_000000_c.php": anon(alter("'tags'", "$table->string('z');")),
                     "2024_01_04_000000_d.php": anon(alter("'posts'", "$table->string('x');"))})
    h = load_history([str(tmp_path)])
    assert needed(h.summaries, {3})[0] == {0, 3}
    assert codes_at(lint(tmp_path / "2024_01_04_000000_d.php", select="ML101")) == [
        ("2024_01_04_000000_d.php", 11, "ML101")]


# --------------------------------------------------------------- prefilter (no cache)
from migrate_lint.replay import prefilter  # noqa: E402

PLAIN = [
    create("posts", "x"),
    alter("'posts'", "$table->dropColumn(['a', 'b']);"),
    "        if (!Schema::hasColumn('posts', 'x')) {\n" + alter("'posts'", "$table->string('x');")
    + "\n        }",
    "        Schema::dropIfExists('posts');",
    "        DB::table('posts')->where('id', 1)->get();",
]
NOT_PLAIN = {
    "computed table": alter("$this->name", "$table->string('x');"),
    "constant table": alter("self::TABLE", "$table->string('x');"),
    "concatenation": alter("'po' . 'sts'", "$table->string('x');"),
    "interpolation": alter('"{$prefix}posts"', "$table->string('x');"),
    "connection": alter("'posts'", "$table->string('x');", via="Schema::connection('other')"),
    "raw SQL": "        DB::statement('ALTER TABLE posts ADD x INT');",
    "another migration": "        (new CreatePosts())->up();",
    "guard on a computed table": "        if (Schema::hasTable($name)) { return; }",
    "rename to a computed name": "        Schema::rename('posts', $this->archive);",
    "columns of a computed table": "        Schema::dropColumns($name, ['x']);",
}


@pytest.mark.parametrize("body", PLAIN)
def test_a_file_whose_tables_are_all_spelled_out_is_plain(body):
    assert prefilter.plain(anon(body).encode())


@pytest.mark.parametrize("why", NOT_PLAIN)
def test_a_file_that_may_name_a_table_at_run_time_is_not_plain(why):
    assert not prefilter.plain(anon(NOT_PLAIN[why]).encode())


def test_a_file_linted_alone_models_only_what_it_may_depend_on(tmp_path):
    files = {"2024_01_01_000000_a.php": anon(create("posts", "x")),
             "2024_01_02_000000_b.php": anon(create("tags", "y")),
             "2024_01_03_000000_c.php": anon(alter("$this->name", "$table->dropColumn('x');")),
             "2024_01_04_000000_d.php": anon(alter("'posts'", "$table->string('x');"))}
    write(tmp_path, files)
    last = os.path.normpath(str(tmp_path / "2024_01_04_000000_d.php"))
    h = load_history([str(tmp_path)], given={last})
    # b names no table d depends on and names none at run time: left unmodelled (no steps);
    # c may touch any table: modelled.
    assert [bool(s.steps) for s in h.summaries] == [True, False, True, True]
    assert codes_at(lint(tmp_path / "2024_01_04_000000_d.php", select="ML101")) == []  # c
    files["2024_01_03_000000_c.php"] = anon(alter("'tags'", "$table->dropColumn('y');"))
    write(tmp_path, files)
    h = load_history([str(tmp_path)], given={last})
    assert [bool(s.steps) for s in h.summaries] == [True, False, False, True]
    assert codes_at(lint(tmp_path / "2024_01_04_000000_d.php", select="ML101")) == [
        ("2024_01_04_000000_d.php", 11, "ML101")]


def test_an_unrelated_file_that_does_not_parse_still_stops_the_replay(tmp_path):
    broken = anon(create("tags", "y")).replace("});", "})", 1)
    write(tmp_path, {"2024_01_01_000000_a.php": anon(create("posts", "x")),
                     "2024_01_02_000000_b.php": broken,
                     "2024_01_03_000000_d.php": anon(alter("'posts'", "$table->string('x');"))})
    whole = codes_at(lint(tmp_path, select="ML101"))
    alone = codes_at(lint(tmp_path / "2024_01_03_000000_d.php", select="ML101"))
    assert alone == [f for f in whole if f[0] == "2024_01_03_000000_d.php"] == []


def test_an_unrelated_file_declaring_the_same_class_is_read(tmp_path):
    write(tmp_path, {"2024_01_01_000000_a.php": named("AddTags", create("tags", "y")),
                     "2024_01_02_000000_x.php": named("AddOther", create("other", "y")),
                     "2024_01_03_000000_b.php": named("AddTags", create("posts", "x"))})
    assert codes_at(lint(tmp_path / "2024_01_03_000000_b.php", select="ML104")) == [
        ("2024_01_03_000000_b.php", 7, "ML104")]
