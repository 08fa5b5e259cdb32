"""examples/staging-incident/run.sh reproduces the incident and its repair (SQLite + MariaDB)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[2] / "examples" / "staging-incident" / "run.sh"


def test_staging_incident_reproduces_and_is_repaired(php_ready, mariadb_server, tmp_path):
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    proc = subprocess.run(["bash", str(RUN), "--report-dir", str(tmp_path)], capture_output=True,
                          text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for engine, error in (("sqlite", "SQLSTATE HY000 duplicate column name: priority"),
                          ("mariadb", "SQLSTATE 42S21 1060 Duplicate column name 'priority'")):
        assert (f"[{engine}] staging: Migrator stopped at "
                f"2025_10_23_162250_add_priority_to_service_cases_table: {error}") in proc.stdout
        assert f"[{engine}] migrate-lint: 2025_10_23_162250_add_priority_to_service_cases_table.php:15: ML002" in proc.stdout
        assert f"[{engine}] after migrate-lint --fix: staging ran 13 migrations and matches production" in proc.stdout
        # plan --database predicted both runs before Laravel made them.
        assert (f"[{engine}] migrate-lint plan --database (read-only, before migrating): "
                f"2025_10_23_162250_add_priority_to_service_cases_table FAILS at line 15") \
            in proc.stdout
        assert "12 later migrations never reached" in proc.stdout
        assert f"[{engine}] migrate-lint plan --database after --fix: all 13 pending " \
               "migrations run" in proc.stdout
        # plan, on a dump of the broken staging database, predicted that stop (checked by the
        # script against Laravel's result) and wrote its HTML report.
        assert f"[{engine}] migrate-lint plan on a dump of staging predicts the same stop" in proc.stdout
        report = (tmp_path / f"staging-plan-{engine}.html").read_text()
        assert "will stop at 2025_10_23_162250_add_priority_to_service_cases_table" in report
