"""ML105 against Laravel: every down() the replay says fails right after its up() does fail
there, at that statement, and every one it passes runs; on SQLite and on a MariaDB started by
the tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from migrate_lint.dynamic import oracle

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_down_replay import SCENARIOS, migration  # noqa: E402

LINKS = "create table links (id integer primary key, link varchar(255))"


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ["sqlite", "mariadb"])
@pytest.mark.parametrize("name, up, down, line", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_down_right_after_up_under_laravel(make_db, tmp_path, engine, name, up, down, line):
    text = migration(up, down)
    path = tmp_path / "2024_01_02_000000_change.php"
    path.write_text(text)
    setup = [LINKS.replace("primary key", "primary key auto_increment")
             if engine == "mariadb" else LINKS]
    result = oracle.run_steps(path, ["up", "down"], make_db(engine), setup=setup)
    assert result.error is None, result.error
    if line is None:
        assert result.ok, result.failure
        return
    failure = result.failure
    assert failure is not None and failure.method == "down", result.steps
    where = text[:text.index(line, text.index("function down"))].count("\n") + 1
    # Laravel runs a Blueprint's SQL after its closure returns: its trace names the
    # `Schema::table(` line that holds the statement the replay reports.
    lines = text.splitlines()
    opened = max(n for n in range(1, where + 1) if "Schema::" in lines[n - 1])
    assert failure.line in (where, opened), (failure, where)
    assert "Schema::" in lines[failure.line - 1] or failure.line == where


def _up_then_down(up, down, links, make_db, tmp_path, engine):
    """(migration text, result) of up() then down() beside a `users` table and `links` (its
    SQL with `{auto}` where MariaDB needs auto_increment)."""
    text = migration(up, down)
    path = tmp_path / "2024_01_02_000000_change.php"
    path.write_text(text)
    auto = " auto_increment" if engine == "mariadb" else ""
    setup = [f"create table users (id bigint unsigned primary key{auto})",
             links.format(auto=auto)]
    result = oracle.run_steps(path, ["up", "down"], make_db(engine), setup=setup)
    assert result.error is None, result.error
    return text, result


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ["sqlite", "mariadb"])
def test_the_index_innodb_leaves_behind_a_dropped_foreign_key(make_db, tmp_path, engine):
    # What ML105 assumes (tests/test_down_replay.py): after dropForeign, MariaDB still has an
    # index under the key's name; SQLite (Laravel 8) never added the key nor an index.
    from test_down_replay import FK_DOWN, FK_UP

    links = LINKS.replace("id integer primary key", "id integer primary key{auto}")
    text, result = _up_then_down(FK_UP, FK_DOWN, links, make_db, tmp_path, engine)
    if engine == "mariadb":
        assert result.ok, result.failure
    else:
        where = text[:text.index("dropIndex('fk_user')")].count("\n") + 1
        assert result.failure is not None and result.failure.method == "down"
        assert result.failure.line in (where, where - 2), result.failure


@pytest.mark.oracle
@pytest.mark.parametrize("engine", ["sqlite", "mariadb"])
def test_a_foreign_key_added_again_after_a_rename(make_db, tmp_path, engine):
    # What ML105 assumes (tests/test_down_replay.py): MariaDB keeps the key's name through the
    # column's rename, so down() adding it again fails (errno 121); SQLite (Laravel 8) ignores
    # a foreign key added to an existing table.
    from test_down_replay import RENAME_FK_DOWN, RENAME_FK_UP

    links = ("create table links (id integer primary key{auto}, user_id bigint unsigned not "
             "null, constraint links_user_id_foreign foreign key (user_id) references users (id))")
    _, result = _up_then_down(RENAME_FK_UP, RENAME_FK_DOWN, links, make_db, tmp_path, engine)
    if engine == "sqlite":
        assert result.ok, result.failure
    else:
        assert result.failure is not None and result.failure.method == "down", result.steps
        assert "121" in (result.failure.error or "") or result.failure.driver_code == 1005, \
            result.failure
