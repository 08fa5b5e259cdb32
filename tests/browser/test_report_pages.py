"""The HTML reports opened in headless Chromium from file:// URLs with the network off: what a
person sees (statuses, counts, the failing migration), that the search and the groups work,
and that the page logs no error, breaks no CSP rule and fetches nothing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from report_scenarios import HOSTILE, PLAN_STATUSES, plan_project
from test_replay import anon, write

from migrate_lint.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "staging-incident" / "database" / "migrations"


def invoke(*args):
    return CliRunner().invoke(main, [*map(str, args)])


def type_into(browser, css: str, text: str) -> None:
    box = browser.one(css)
    # The whole text at once, with the input event typing fires: typed key by key on a loaded
    # machine, a frame may filter on a prefix ("n") and open groups the full text would not,
    # which the assertions on open groups below would then see.
    browser.js("arguments[0].value = arguments[1]; "
               "arguments[0].dispatchEvent(new Event('input'));", box, text)
    browser.js("return new Promise(function (r) { requestAnimationFrame(function () { "
               "requestAnimationFrame(r); }); })")


def visible(browser, css: str) -> list:
    return [e for e in browser.all(css) if e.is_displayed()]


def test_the_harness_sees_csp_violations_errors_and_fetches(browser, tmp_path):
    # The checks below can fail: a page breaking the rules is caught on each count.
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
                   "content=\"default-src 'none'\"></head><body>"
                   "<img src=\"https://example.invalid/x.png\"><script>window.x = 1;</script>"
                   "</body></html>")
    visit = browser.open(bad)
    assert any("img-src" in v or "default-src" in v for v in visit.violations)
    assert visit.console and not visit.clean
    loose = tmp_path / "loose.html"
    loose.write_text("<!DOCTYPE html><html><body><img src=\"https://example.invalid/x.png\">"
                     "<script>undefinedFunction();</script></body></html>")
    visit = browser.open(loose)
    assert visit.errors and any("example.invalid" in r for r in visit.resources)


def test_plan_report(browser, tmp_path, shots):
    mig, dump = plan_project(tmp_path)
    out = tmp_path / "plan.html"
    assert invoke("plan", "--schema", dump, mig, "--format", "html", "-o", out).exit_code == 1
    visit = browser.open(out)
    assert visit.clean, visit
    verdict = browser.one("#verdict")
    assert verdict.get_attribute("data-verdict") == "fails"
    assert "will stop at 2024_02_01_000000_add_priority" in verdict.text
    counts = {e.get_attribute("data-status"): int(e.find_element("css selector", ".n").text)
              for e in browser.all("#counts li")}
    expected = {}
    for _, cls in PLAN_STATUSES.values():
        expected[cls] = expected.get(cls, 0) + 1
    assert counts == {k: expected.get(k, 0) for k in counts}
    # Timeline: one segment per run of equal outcomes, in order, widths adding up.
    segs = [(s.get_attribute("data-status"), int(s.get_attribute("data-count")))
            for s in browser.all("#timeline rect.seg")]
    assert segs == [("ran", 1), ("runs", 1), ("skips", 1), ("unchecked", 1), ("fails", 1),
                    ("never", 2)]
    # The failing migration: its line, Laravel's error, and the fix as a diff.
    failure = browser.one("#failure")
    assert "2024_02_01_000000_add_priority.php:11" in failure.text
    assert "1060 Duplicate column name 'priority'" in failure.text
    added = [e.text for e in failure.find_elements("css selector", ".diff .d-add")]
    assert any("Schema::hasColumn('tasks', 'priority')" in line for line in added)
    assert browser.one("#after-fix").get_attribute("data-after") == "runs"
    # The gap chart: the database has 1 of the history's 4 tables.
    bar = browser.one("#gap-chart rect.bar-have")
    assert (bar.get_attribute("data-have"), bar.get_attribute("data-want")) == ("1", "4")
    assert "1 of 4 tables" in browser.one("#gap-tables").text
    # Rows agree with the JSON embedded in the page.
    data = json.loads(browser.js("return document.getElementById('plan-data').textContent"))
    rows = {r.get_attribute("data-migration"): r.get_attribute("data-status")
            for r in browser.all("#migrations .row")}
    assert rows == {m["migration"]: m["status"] for m in data["migrations"]}
    browser.screenshot(shots / "plan.png")
    # Groups: never reached starts collapsed; searching opens the group holding a match.
    never = browser.one('#migrations details[data-status="never"]')
    assert never.get_attribute("open") is None
    type_into(browser, 'input.filter[data-target="migrations"]', "notes")
    shown = visible(browser, "#migrations .row")
    assert [r.get_attribute("data-migration") for r in shown] == ["2024_03_01_000000_notes"]
    assert never.get_attribute("open") is not None
    assert browser.one('.filter-count[data-for="migrations"]').text == "1 of 7 shown"
    type_into(browser, 'input.filter[data-target="migrations"]', "")
    # All but the collapsed "already ran" group: never reached stays open now.
    assert len(visible(browser, "#migrations .row")) == 6
    browser.one('button.collapse[data-target="migrations"]').click()
    assert visible(browser, "#migrations .row") == []
    assert browser.open(out).clean  # nothing logged by the interaction either


def test_check_report(browser, tmp_path, shots):
    out = tmp_path / "check.html"
    result = invoke("check", EXAMPLE, "--format", "html", "-o", out, "--no-cache")
    assert result.exit_code == 1
    findings = json.loads(invoke("check", EXAMPLE, "--format", "json", "--no-cache").output)
    visit = browser.open(out)
    assert visit.clean, visit
    assert f"Found {len(findings)} findings in" in browser.one("#verdict").text
    shown = browser.all("#files .finding")
    assert len(shown) == len(findings)
    assert len(browser.all("#files details.file")) == len({f["path"] for f in findings})
    # Every fixable finding shows its diff; the incident migration's guard is there.
    fixable = [e for e in shown if e.find_elements("css selector", ".tag.fix")]
    assert len(fixable) == sum(f["fixable"] for f in findings)
    assert all(e.find_elements("css selector", ".diff .d-add") for e in fixable)
    priority = [e for e in shown if "2025_10_23_162250" in e.get_attribute("data-search")
                and "column 'priority' added" in e.get_attribute("data-search")]
    assert len(priority) == 1
    assert "ML002" in priority[0].get_attribute("data-search")
    assert any("Schema::hasColumn('service_cases', 'priority')" in line.text
               for line in priority[0].find_elements("css selector", ".diff .d-add"))
    hit = priority[0].find_elements("css selector", ".source .hit")
    assert hit and "unsignedTinyInteger('priority')" in hit[0].text
    browser.screenshot(shots / "check.png", full_page=False)
    type_into(browser, 'input.filter[data-target="files"]', "add-column")
    assert len(visible(browser, "#files .finding")) == sum(
        f["rule"] == "add-column-unguarded" for f in findings)


def test_schema_report(browser, tmp_path, shots):
    out = tmp_path / "schema.html"
    assert invoke("schema", EXAMPLE, "--format", "html", "-o", out).exit_code == 0
    data = json.loads(invoke("schema", EXAMPLE, "--format", "json").output)
    tables = data["histories"][0]["connections"][0]["tables"]
    visit = browser.open(out)
    assert visit.clean, visit
    boxes = browser.all("svg.er g.tbl")
    assert sorted(b.get_attribute("data-name") for b in boxes) == sorted(t["name"] for t in tables)
    assert "35 tables" in browser.one(".connection h3").text
    browser.screenshot(shots / "schema.png", full_page=False)
    # The list and the drawing find the same tables: by name or by a column's name.
    type_into(browser, "input.filter", "priority")
    found = ["case_priority_history", "service_cases"]
    assert [r.get_attribute("data-table") for r in visible(browser, ".tblrow")] == found
    assert sorted(b.get_attribute("data-name") for b in browser.all("svg.er g.tbl.match")) == found
    assert len(browser.all("svg.er g.tbl.dim")) == 33
    svg = browser.one("svg.er")
    width = int(svg.get_attribute("width"))
    browser.one('button.zoom[data-zoom="out"]').click()
    assert int(svg.get_attribute("width")) < width
    visible(browser, "a.show-table")[-1].click()
    assert [b.get_attribute("data-name") for b in browser.all("svg.er g.tbl.focus")] == \
        ["service_cases"]


def test_hostile_names_stay_text_in_the_browser(browser, tmp_path):
    name = HOSTILE.replace("'", "")
    write(tmp_path / "m", {"2024_01_01_000000_a.php": anon(
        f"        // {HOSTILE}\n"
        f"        Schema::create('{name}', function (Blueprint $table) {{ $table->id(); }});")})
    for args in (["check", tmp_path / "m", "--select", "ML001"], ["schema", tmp_path / "m"]):
        out = tmp_path / f"{args[0]}.html"
        invoke(*args, "--format", "html", "-o", out)
        visit = browser.open(out)
        assert visit.clean, visit
        assert browser.js("return window.__pwned === undefined")
        assert browser.js("return document.images.length") == 0
        assert name in browser.one("main").text


def test_verify_report(browser, tmp_path, shots):
    from report_scenarios import verify_data

    from migrate_lint.report import verify_html

    out = tmp_path / "verify.html"
    out.write_text(verify_html.render(verify_data()))
    visit = browser.open(out)
    assert visit.clean, visit
    assert browser.one("#verdict").get_attribute("data-verdict") == "fails"
    failing = browser.one('#migrations .row[data-status="finding"]')
    steps = {s.get_attribute("data-step"): s.get_attribute("data-result")
             for s in failing.find_elements("css selector", ".step")}
    assert steps == {"up 1": "passed", "up 2": "failed", "down 1": "passed",
                     "down 2": "passed", "up 3": "not run"}
    assert "1060 Duplicate column name 'priority'" in browser.one("#failure").text
    assert "blocked: 2024_02_01_000000_add_priority.php did not run" in \
        browser.one('#migrations .row[data-status="blocked"]').text
    assert browser.js("return window.__pwned === undefined")
    browser.screenshot(shots / "verify.png")
