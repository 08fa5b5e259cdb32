"""The `server` command without an editor: a clear line when pygls is missing, and `check`
never imports the server's packages."""

from __future__ import annotations

import subprocess
import sys


def test_missing_pygls_is_one_clear_line(tmp_path):
    (tmp_path / "pygls.py").write_text("raise ImportError('no', name='pygls')\n")
    proc = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                           "from migrate_lint.cli import main; main(['server'])", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("migrate-lint: error: the language server needs pygls "
                                   "(pygls is missing): pip install 'migrate-lint[server]'")
    assert proc.stdout == ""


def test_check_does_not_import_the_server(tmp_path):
    target = tmp_path / "2024_01_01_000000_add.php"
    target.write_text("<?php\nSchema::table('t', function ($table) { $table->string('a'); });\n")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "migrate_lint", "-q",
                           "--no-cache", str(target)], capture_output=True, text=True)
    assert proc.returncode == 1 and "ML002" in proc.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()]
    assert "migrate_lint.engine" in imported  # the trace is there
    assert not [m for m in imported if m.split(".")[0] in ("pygls", "lsprotocol")
                or m.startswith("migrate_lint.server")]
