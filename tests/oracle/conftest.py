"""Fresh databases for the oracle tests: SQLite files, and databases on the one MariaDB server
of the test run (`php_ready` and `mariadb_server` live in tests/conftest.py: the browser tests
run verify too).
"""

from __future__ import annotations

import pytest

from migrate_lint.dynamic import oracle

ENGINES = ["sqlite", "mariadb"]


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
