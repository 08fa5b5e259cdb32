"""A real browser for the report tests: Debian's headless Chromium driven by chromedriver
through selenium, one browser for the whole session, the network off.

Each page is opened from a file:// URL. `page.open()` returns what the page did that a report
must never do: console errors, Content-Security-Policy violations (caught by a listener put in
before any page script runs) and resources fetched. Chromium or chromedriver missing: these
tests skip with the reason, except when MIGRATE_LINT_REQUIRE_BROWSER=1 (CI sets it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRED = os.environ.get("MIGRATE_LINT_REQUIRE_BROWSER") == "1"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900",
         # Nothing leaves the machine: every host name fails to resolve, every proxy is dead.
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9"]
WATCH = """
window.__violations = [];
window.__errors = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });
"""


def _missing(reason: str):
    if REQUIRED:
        pytest.fail(f"browser required (MIGRATE_LINT_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


def _binary(env: str, *names: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name) or (name if os.path.isfile(name) else None)
        if found:
            return found
    return None


@dataclass
class Visit:
    console: list = field(default_factory=list)  # SEVERE console entries
    violations: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    resources: list = field(default_factory=list)  # URLs the page fetched

    @property
    def clean(self) -> bool:
        return not (self.console or self.violations or self.errors or self.resources)


class Browser:
    def __init__(self, driver):
        self.driver = driver

    def open(self, path: Path) -> Visit:
        d = self.driver
        d.get_log("browser")  # drop what earlier pages left
        d.get(Path(path).resolve().as_uri())
        visit = Visit()
        visit.console = [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]
        visit.violations = d.execute_script("return window.__violations || []")
        visit.errors = d.execute_script("return window.__errors || []")
        visit.resources = d.execute_script(
            "return performance.getEntriesByType('resource').map(function (r) { return r.name; })")
        return visit

    def screenshot(self, target: Path, full_page: bool = True) -> Path:
        d = self.driver
        if full_page:
            height = d.execute_script("return document.documentElement.scrollHeight")
            d.set_window_size(1280, min(max(int(height) + 40, 600), 6000))
        d.save_screenshot(str(target))
        d.set_window_size(1280, 900)
        return target

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def all(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def one(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)


@pytest.fixture(scope="session")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[test]')")
    chromium = _binary("MIGRATE_LINT_CHROMIUM", "chromium", "/usr/bin/chromium")
    driver_bin = _binary("MIGRATE_LINT_CHROMEDRIVER", "chromedriver", "/usr/bin/chromedriver")
    if not chromium or not driver_bin:
        _missing("Chromium or chromedriver not installed (apt-get install chromium "
                 "chromium-driver)")
    profile = tempfile.mkdtemp(prefix="migrate-lint-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_bin))
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def shots(tmp_path):
    """Where a test saves its screenshots (under pytest's tmp dir)."""
    out = tmp_path / "screenshots"
    out.mkdir()
    return out


def _mermaid_candidates():
    if os.environ.get("MIGRATE_LINT_MERMAID_JS"):
        yield Path(os.environ["MIGRATE_LINT_MERMAID_JS"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "migrate-lint"
    yield from sorted(cache.glob("mermaid-*/package/dist/mermaid.min.js"), reverse=True)


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    """mermaid's own browser bundle (npm package `mermaid`), which scripts/test puts in a cache
    directory outside the repository."""
    for path in _mermaid_candidates():
        if path.is_file():
            return path
    _missing("mermaid's npm package is not installed: scripts/test fetches it with "
             "`npm pack mermaid` into ~/.cache/migrate-lint/ (or set MIGRATE_LINT_MERMAID_JS)")


MERMAID_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mermaid</title></head><body>
<div id="out"></div>
<script src="{src}"></script>
<script type="application/json" id="diagrams">{diagrams}</script>
<script>
(async function () {{
  mermaid.initialize({{startOnLoad: false}});
  var diagrams = JSON.parse(document.getElementById("diagrams").textContent);
  var results = [];
  for (var i = 0; i < diagrams.length; i++) {{
    try {{
      var r = await mermaid.render("diagram" + i, diagrams[i]);
      var box = document.createElement("div");
      box.className = "diagram";
      box.innerHTML = r.svg;
      document.getElementById("out").appendChild(box);
      // Over maxTextSize mermaid draws a "Maximum text size in diagram exceeded" box instead.
      results.push({{ok: r.svg.indexOf("Maximum text size in diagram exceeded") === -1}});
    }} catch (e) {{
      results.push({{ok: false, error: String((e && e.message) || e)}});
    }}
  }}
  window.__mermaid = results;
}})();
</script></body></html>
"""


@pytest.fixture
def render_mermaid(browser, mermaid_js, tmp_path):
    """render_mermaid([diagram text, ...]) -> ([{ok, error}], Visit) from mermaid.render in
    Chromium; ok is false when mermaid raised or refused the diagram as too big."""
    import json

    from selenium.webdriver.support.ui import WebDriverWait

    def render(diagrams: list[str], name: str = "mermaid.html"):
        page = tmp_path / name
        data = json.dumps(diagrams).replace("<", "\\u003c")
        page.write_text(MERMAID_PAGE.format(src=mermaid_js.resolve().as_uri(), diagrams=data))
        visit = browser.open(page)
        WebDriverWait(browser.driver, 120).until(
            lambda d: d.execute_script("return window.__mermaid !== undefined"))
        return browser.js("return window.__mermaid"), visit

    return render
