import os
import sys
from pathlib import Path

import pytest

# The case-file loader is shared by the lint, fix and oracle tests.
sys.path.insert(0, str(Path(__file__).parent))

REQUIRED = os.environ.get("MIGRATE_LINT_REQUIRE_ORACLE") == "1"


@pytest.fixture(scope="session")
def pgsql_server():
    """One PostgreSQL server per test run (Debian's `postgresql`); missing: skip, or fail in CI."""
    from migrate_lint.dynamic import pgsql_server as pgsql_mod

    ok, reason = pgsql_mod.available()
    if not ok:
        if REQUIRED:
            pytest.fail(f"PostgreSQL required (MIGRATE_LINT_REQUIRE_ORACLE=1) but {reason}")
        pytest.skip(reason)
    server = pgsql_mod.PgSqlServer().start()
    yield server
    server.stop()
