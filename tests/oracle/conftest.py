"""Fixtures that start real databases: SQLite files, and one MariaDB server per test run.

PHP (Debian's Laravel) or MariaDB missing: the oracle tests skip with the reason, except when
MIGRATE_LINT_REQUIRE_ORACLE=1 (CI sets it), where that is a failure.
"""

from __future__ import annotations

import os

import pytest

from migrate_lint.dynamic import mariadb_server as mariadb_mod
from migrate_lint.dynamic import oracle

REQUIRED = os.environ.get("MIGRATE_LINT_REQUIRE_ORACLE") == "1"
ENGINES = ["sqlite", "mariadb"]


def _missing(reason: str):
    if REQUIRED:
        pytest.fail(f"oracle required (MIGRATE_LINT_REQUIRE_ORACLE=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def php_ready():
    ok, reason = oracle.available()
    if not ok:
        _missing(reason)
    return True


@pytest.fixture(scope="session")
def mariadb_server():
    ok, reason = mariadb_mod.available()
    if not ok:
        _missing(reason)
    server = mariadb_mod.MariaDbServer().start()
    yield server
    server.stop()


@pytest.fixture
def make_db(request, tmp_path, php_ready):
    """make_db(engine) -> a fresh, empty database on that engine."""
    created = []
    counter = iter(range(1_000_000))

    def make(engine: str):
        if engine == "sqlite":
            path = tmp_path / f"db{next(counter)}.sqlite"
            path.touch()
            db = oracle.SqliteDb(str(path))
        else:
            server = request.getfixturevalue("mariadb_server")
            db = server.create_database()
            created.append((server, db))
        return db

    yield make
    for server, db in created:
        server.drop_database(db.database)


@pytest.fixture(params=ENGINES)
def fresh_db(request, make_db):
    return make_db(request.param)
