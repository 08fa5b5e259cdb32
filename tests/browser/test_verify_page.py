"""`verify --format html` after a real run (Debian's Laravel on SQLite, and on the MariaDB the
tests start), opened in headless Chromium with the network off: each migration's steps as
Laravel ran them, the failing one with Laravel's own error, the counts, the notes, and hostile
markup from a file name and an error shown as text."""

from __future__ import annotations

import subprocess
import sys

import pytest
from report_scenarios import VERIFY_HOSTILE, VERIFY_HOSTILE_FILE, VERIFY_STEPS, verify_project
from test_report_pages import type_into, visible

STEPS = ("up 1", "up 2", "down 1", "down 2", "up 3")
# Laravel's error for the second up() of add_priority, as each engine words it.
DUPLICATE = {"sqlite": "duplicate column name: priority",
             "mariadb": "1060 Duplicate column name 'priority'"}
ENGINE_NAME = {"sqlite": "on SQLite", "mariadb": "on mariadb"}


@pytest.fixture(params=["sqlite", "mariadb"])
def engine(request, php_ready):
    if request.param == "mariadb":
        server = request.getfixturevalue("mariadb_server")
        return request.param, ["--server", f"mysql://root@127.0.0.1:{server.port}"]
    return request.param, []


def verify(*args):
    return subprocess.run([sys.executable, "-m", "migrate_lint", "verify", *map(str, args)],
                          capture_output=True, text=True)


def row(browser, name: str):
    for element in browser.all("#migrations .row"):
        if element.get_attribute("data-migration") == name:
            return element
    raise AssertionError(f"no row for {name}")


def test_verify_page_after_a_real_run(browser, engine, tmp_path, shots):
    kind, args = engine
    out = tmp_path / "verify.html"
    proc = verify(verify_project(tmp_path), *args, "--format", "html", "--output-file", out)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "5 of 7 migrations verified, 2 could not run" in proc.stderr

    visit = browser.open(out)
    assert visit.clean, visit
    assert ENGINE_NAME[kind] in browser.one("header").text
    assert browser.one("#verdict").get_attribute("data-verdict") == "fails"
    assert "5 failures" in browser.one("#verdict").text
    assert "4 ML201, 1 ML202" in browser.one("#verdict").text
    counts = {li.get_attribute("data-status"): li.find_element("css selector", ".n").text
              for li in browser.all("#counts li")}
    assert counts == {"runs": "1", "fails": "4", "unchecked": "1", "never": "1"}

    for name, (status, results) in VERIFY_STEPS.items():
        element = row(browser, name)
        assert element.get_attribute("data-status") == status, name
        steps = {s.get_attribute("data-step"): s.get_attribute("data-result")
                 for s in element.find_elements("css selector", ".step")}
        assert steps == dict(zip(STEPS, results)), name

    failure = browser.one("#failure")
    assert "2024_01_01_000001_add_priority.php" in failure.text
    assert browser.one("#failure-step").get_attribute("data-step") == "up 2"
    assert "up 2 (up again), ML201 not-rerunnable, statement at line 5" in failure.text
    assert DUPLICATE[kind] in failure.find_element("css selector", "pre.error").text
    add_priority = row(browser, "2024_01_01_000001_add_priority.php").text
    assert "ML201 not-rerunnable: down 2 (down again) at 2024_01_01_000001_add_priority.php:12" \
        in add_priority
    assert "ML202 fails-on-fresh-database: up 1 (up)" in \
        row(browser, "2024_01_01_000003_soft_deletes_again.php").text
    assert "not runnable here" in row(browser, "2024_01_01_000004_widget_model.php").text
    assert "blocked: 2024_01_01_000004_widget_model.php did not run" in \
        row(browser, "2024_01_01_000005_widget_colour.php").text
    notes = browser.one("#notes")
    assert notes.get_attribute("open") is not None
    assert 'not runnable here' in notes.text and 'Class "App\\Models\\Widget" not found' in notes.text

    # The hostile file name and table name are text, and none of their markup ran.
    assert browser.js("return window.__pwned === undefined")
    assert browser.js("return document.images.length") == 0
    hostile = row(browser, VERIFY_HOSTILE_FILE)
    assert VERIFY_HOSTILE_FILE in hostile.find_element("css selector", ".name").text
    assert VERIFY_HOSTILE in hostile.find_element("css selector", "pre.error").text

    shot = browser.screenshot(shots / f"verify-{kind}.png")
    assert shot.stat().st_size > 10_000

    type_into(browser, "input.filter", "deleted_at")
    assert [e.get_attribute("data-migration") for e in visible(browser, "#migrations .row")] \
        == ["2024_01_01_000003_soft_deletes_again.php"]
    type_into(browser, "input.filter", "")
    assert len(visible(browser, "#migrations .row")) == 7
