"""`migrate-lint verify`: real Laravel on a scratch database, findings as ML201."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INCIDENT = ROOT / "examples" / "staging-incident" / "database" / "migrations"

GUARDED = """<?php
return new class extends Migration {
    public function up()
    {
        if (! Schema::hasTable('notes')) {
            Schema::create('notes', function (Blueprint $table) {
                $table->id();
            });
        }
    }

    public function down()
    {
        Schema::dropIfExists('notes');
    }
};
"""


def verify(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "migrate_lint", "verify", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True)


def test_verify_finds_the_incident_migration(php_ready):
    proc = verify(INCIDENT, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)
    incident = [f for f in findings if "2025_10_23_162250" in f["path"]]
    assert len(incident) == 1
    assert incident[0]["code"] == "ML201" and incident[0]["rule"] == "not-rerunnable"
    assert "duplicate column name: priority" in incident[0]["message"]
    # the guarded migrations of the example re-run fine and are not reported
    assert not [f for f in findings if "add_phone_to_customers" in f["path"]]


def test_verify_on_a_mariadb_server(php_ready, mariadb_server, tmp_path):
    (tmp_path / "2024_01_01_000000_notes.php").write_text(GUARDED)
    proc = verify(tmp_path, "--server", f"mariadb://root@127.0.0.1:{mariadb_server.port}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All checks passed" in proc.stdout


def test_verify_reports_not_runnable_migrations_as_notes(php_ready, tmp_path):
    (tmp_path / "2024_01_01_000000_app.php").write_text(
        "<?php\nreturn new class extends Migration {\n"
        "    public function up() { \\App\\Models\\User::query(); }\n};\n")
    proc = verify(tmp_path)
    assert proc.returncode == 0
    assert "not runnable here" in proc.stderr


def test_verify_errors_exit_2(php_ready, tmp_path):
    proc = verify(tmp_path, "--autoload", tmp_path / "vendor" / "autoload.php")
    assert proc.returncode == 2 and "autoloader not found" in proc.stderr
    proc = verify(tmp_path, "--server", "postgres://x")
    assert proc.returncode == 2 and "use a mysql:// or mariadb:// URL" in proc.stderr
    proc = verify(tmp_path / "missing")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_verify_without_php_says_so(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no php on PATH
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", "verify", str(tmp_path)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "php is not installed" in proc.stderr


def test_migration_without_down_is_not_reported(php_ready, tmp_path):
    # Laravel's Migrator skips a method the migration does not have.
    (tmp_path / "2024_01_01_000000_up_only.php").write_text(
        GUARDED.split("    public function down()")[0] + "};\n")
    proc = verify(tmp_path, "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout) == []
