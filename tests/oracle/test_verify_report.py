"""`verify --output-file` for every format, `--format html` on stdout, and no password in the
page: real runs under Debian's Laravel (the page in a browser: tests/browser/test_verify_page.py)."""

from __future__ import annotations

import html as html_lib
import json
import re
import time

import pytest
from report_scenarios import VERIFY_STEPS, verify_project
from test_verify import HEAD, engine, verify  # noqa: F401 (fixture)
from test_verify_setup import _on_a_terminal

from migrate_lint.dynamic.command import FORMATS


def test_output_file_holds_what_stdout_would_for_every_format(php_ready, tmp_path):
    folder = verify_project(tmp_path)
    assert "html" in FORMATS
    for fmt in FORMATS:
        out = tmp_path / f"report.{fmt}"
        to_file = verify(folder, "--format", fmt, "--output-file", out)
        to_stdout = verify(folder, "--format", fmt)
        assert to_file.returncode == to_stdout.returncode == 1, (fmt, to_file.stderr)
        assert to_file.stdout == "", fmt
        assert out.read_text() == to_stdout.stdout, fmt
        # The summary goes to stderr whenever stdout does not carry the text report.
        assert "5 of 7 migrations verified" in to_file.stderr, fmt
    data = json.loads((tmp_path / "report.json").read_text())
    assert [o["path"].rsplit("/", 1)[-1] for o in data["outcomes"]] == list(VERIFY_STEPS)
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
    embedded = re.search(r'id="verify-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(embedded) == data


def test_an_output_file_that_cannot_be_written_fails_before_the_run(php_ready, tmp_path):
    folder = verify_project(tmp_path)
    started = time.monotonic()
    proc = verify(folder, "--format", "html", "-o", tmp_path / "missing" / "r.html")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == (f"migrate-lint: error: {tmp_path / 'missing' / 'r.html'}: "
                                   "cannot write: No such file or directory")
    assert time.monotonic() - started < 5
    proc = verify(folder, "-o", tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_progress_on_a_terminal_when_the_report_goes_to_a_file(php_ready, tmp_path):
    folder = verify_project(tmp_path)
    out = tmp_path / "r.html"
    shown = _on_a_terminal([folder, "--format", "html", "-o", out])
    assert "verify [1/7]" in shown and "<!DOCTYPE" not in shown
    assert out.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.mariadb
def test_no_password_in_the_page(php_ready, mariadb_server, tmp_path):
    password = "Pw9sEcretTbl"
    for sql in (f"create user 'report'@'127.0.0.1' identified by '{password}'",
                "grant all on *.* to 'report'@'127.0.0.1'"):
        assert mariadb_server.query(sql).returncode == 0
    # A table named like the password puts it in Laravel's error text too.
    folder = verify_project(tmp_path)
    (folder / "2024_01_01_000007_named_like_the_password.php").write_text(
        HEAD + f"""    public function up()
    {{
        Schema::create('{password}', function (Blueprint $table) {{ $table->id(); }});
    }}
}};
""")
    out = tmp_path / "r.html"
    url = f"mysql://report:{password}@127.0.0.1:{mariadb_server.port}"
    proc = verify(folder, "--server", url, "--format", "html", "-o", out)
    assert proc.returncode == 1, proc.stderr
    page = out.read_text()
    assert password not in page + proc.stderr + proc.stdout
    assert password.lower() not in page.lower()
    text = html_lib.unescape(page)
    assert "Table '***' already exists" in text
    assert "2024_01_01_000007_named_like_the_password.php" in text
