import os
import sys
from pathlib import Path

import pytest

# The case-file loader is shared by the lint, fix and oracle tests.
sys.path.insert(0, str(Path(__file__).parent))

REQUIRED = os.environ.get("MIGRATE_LINT_REQUIRE_ORACLE") == "1"


def _oracle_missing(reason: str):
    """PHP (Debian's Laravel) or a database server missing: skip with the reason, except when
    MIGRATE_LINT_REQUIRE_ORACLE=1 (CI sets it), where that is a failure."""
    if REQUIRED:
        pytest.fail(f"oracle required (MIGRATE_LINT_REQUIRE_ORACLE=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def php_ready():
    from migrate_lint.dynamic import oracle

    ok, reason = oracle.available()
    if not ok:
        _oracle_missing(reason)
    return True


@pytest.fixture(scope="session")
def mariadb_server():
    """One MariaDB server per test run, started by the tests (mariadbd in a temporary dir)."""
    from migrate_lint.dynamic import mariadb_server as mariadb_mod

    ok, reason = mariadb_mod.available()
    if not ok:
        _oracle_missing(reason)
    server = mariadb_mod.MariaDbServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pgsql_server():
    """One PostgreSQL server per test run (Debian's `postgresql`); missing: skip, or fail in CI."""
    from migrate_lint.dynamic import pgsql_server as pgsql_mod

    ok, reason = pgsql_mod.available()
    if not ok:
        _oracle_missing(reason)
    server = pgsql_mod.PgSqlServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _user_cache_dir(tmp_path_factory, monkeypatch):
    """The cache's key lives in the user's cache directory: one of our own per test session,
    never the real one (subprocesses inherit it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))
