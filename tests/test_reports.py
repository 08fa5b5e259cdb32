"""HTML and mermaid reports without a browser: the page's CSP, escaping, masking, output files,
and the mermaid split. (tests/browser/ opens the same pages in Chromium.)"""

from __future__ import annotations

import base64
import html as html_lib
import hashlib
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner
from report_scenarios import HOSTILE, PLAN_STATUSES, plan_project
from test_replay import anon, write

from migrate_lint.cli import main
from migrate_lint.report import mermaid, plan_html


def invoke(*args):
    return CliRunner().invoke(main, [*map(str, args)])


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _tags(html: str) -> list[tuple[str, list[str]]]:
    """(tag, attribute names) of every element, as an HTML parser reads the page."""
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, [a for a, _ in attrs]))

    Collect().feed(html)
    return found


def assert_self_contained(html: str) -> None:
    """One CSP meta tag that allows exactly the page's one style and one script block; nothing
    is loaded from anywhere (no src, no link, no import)."""
    metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert len(metas) == 1
    policy = dict(p.strip().split(" ", 1) for p in html_lib.unescape(metas[0]).split(";"))
    assert policy["default-src"] == "'none'"
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(styles) == 1 and len(scripts) == 1
    assert policy["style-src"] == _sha(styles[0])
    assert policy["script-src"] == _sha(scripts[0])
    tags = _tags(html)
    assert not {t for t, _ in tags} & {"link", "iframe", "object", "embed", "img", "frame",
                                         "base", "form", "audio", "video", "source"}
    assert not [(t, a) for t, attrs in tags for a in attrs
                if a in ("src", "srcset", "action", "data", "poster") or a.startswith("on")]
    assert "@import" not in html and "url(" not in html


def test_plan_page_is_self_contained_and_matches_the_json(tmp_path):
    mig, dump = plan_project(tmp_path)
    out = tmp_path / "plan.html"
    result = invoke("plan", "--schema", dump, mig, "--format", "html", "--output-file", out)
    assert result.exit_code == 1, result.output  # a failure is predicted, as with text
    assert result.output == ""
    html = out.read_text()
    assert_self_contained(html)
    embedded = json.loads(re.search(r'<script type="application/json" id="plan-data">(.*?)'
                                    r"</script>", html, re.S).group(1))
    as_json = json.loads(invoke("plan", "--schema", dump, mig, "--format", "json").output)
    assert embedded == as_json
    rows = re.findall(r'data-migration="([^"]+)" data-status="([^"]+)"', html)
    assert dict(rows) == {k: v[0] for k, v in PLAN_STATUSES.items()}


def test_plan_page_escapes_what_the_repository_controls(tmp_path):
    mig, dump = plan_project(tmp_path)
    data = json.loads(invoke("plan", "--schema", dump, mig, "--format", "json").output)
    failing = next(m for m in data["migrations"] if m["status"] == "fails")
    failing["error"] = failing["reason"] = HOSTILE
    data["warnings"] = [HOSTILE]
    html = plan_html.render(data)
    assert HOSTILE not in html
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1" in html
    # In the embedded JSON, `<` is \u003c: the data block cannot be closed from inside.
    block = re.search(r'id="plan-data">(.*?)</script>', html, re.S).group(1)
    assert "</" not in block and "\\u003c/script\\u003e" in block


def test_no_password_in_any_report(tmp_path):
    mig, dump = plan_project(tmp_path)
    data = json.loads(invoke("plan", "--schema", dump, mig, "--format", "json").output)
    url = "mysql://deploy:s3cr3t-Pa%40ss@db.internal:3306/staging"
    data["dump"] = url
    data["source"] = "database"
    data["warnings"] = [f"could not read {url}"]
    html = plan_html.render(data)
    assert "s3cr3t" not in html and "Pa%40ss" not in html
    assert "mysql://deploy:***@db.internal:3306/staging" in html


def test_plan_output_file_that_cannot_be_written_is_a_clear_error(tmp_path):
    mig, dump = plan_project(tmp_path)
    result = invoke("plan", "--schema", dump, mig, "--format", "html",
                    "--output-file", tmp_path / "no" / "such" / "dir" / "plan.html")
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_check_page_groups_findings_with_source_and_fix(tmp_path):
    write(tmp_path, {"2024_01_01_000000_a.php": anon(
        "        Schema::create('tasks', function (Blueprint $table) {\n"
        "            $table->id();\n        });\n"
        "        Schema::table('tasks', function (Blueprint $table) {\n"
        "            $table->string('title');\n        });")})
    out = tmp_path / "check.html"
    result = invoke("check", tmp_path, "--format", "html", "-o", out, "--select", "ML001,ML002")
    assert result.exit_code == 1
    html = out.read_text()
    assert_self_contained(html)
    assert html.count('class="finding"') == 2
    text = html_lib.unescape(html)
    assert "Schema::hasTable('tasks')" in text and "Schema::hasColumn('tasks', 'title')" in text
    assert html.count('<pre class="diff">') == 2


def test_schema_html_and_mermaid_write_output_files(tmp_path):
    write(tmp_path / "m", {"2024_01_01_000000_a.php": anon(
        "        Schema::create('users', function (Blueprint $table) { $table->id(); });\n"
        "        Schema::create('posts', function (Blueprint $table) {\n"
        "            $table->id();\n            $table->foreignId('user_id')->constrained();\n"
        "        });")})
    for fmt in ("html", "mermaid"):
        out = tmp_path / f"schema.{fmt}"
        result = invoke("schema", tmp_path / "m", "--format", fmt, "-o", out)
        assert result.exit_code == 0 and result.output == ""
        text = out.read_text()
        if fmt == "html":
            assert_self_contained(text)
            assert text.count('class="tbl"') == 2 and text.count('class="fk"') == 1
        else:
            assert 'posts }o--|| users : "user_id"' in text
            assert "unsignedBigInteger user_id FK" in text and "bigIncrements id PK" in text


def _table(name, fks=(), columns=3):
    return {"name": name, "status": "exists", "created_by": None, "columns_complete": True,
            "primary_key": ["id"],
            "columns": [{"name": "id", "type": "bigIncrements", "status": "exists"}] +
                       [{"name": f"c{i}", "type": "string", "status": "exists"}
                        for i in range(columns)],
            "indexes": [], "unknown": [],
            "foreign_keys": [{"name": f"{name}_{t}_fk", "columns": [f"{t}_id"],
                              "status": "exists", "references": {"table": t, "columns": ["id"]}}
                             for t in fks]}


def test_mermaid_split_keeps_each_part_under_500_relationships():
    # 700 foreign keys among small tables: the text is short, the edges are too many.
    tables = [_table("hub")] + [_table(f"t{i:03d}", fks=("hub",) if i % 2 else ("hub", "t000"),
                                       columns=0) for i in range(470)]
    conn = {"connection": "default", "tables": tables}
    parts = mermaid.diagrams(conn)
    assert len(parts) >= 2
    total = 0
    for p in parts:
        edges = len(re.findall(r"\}o--\|\|", p))
        assert edges <= mermaid.MAX_EDGES and len(p) <= mermaid.MAX_TEXT
        total += edges
    assert total == sum(len(t["foreign_keys"]) for t in tables)
    assert all("split to stay under mermaid's limits" in p for p in parts)


def test_mermaid_names_mermaid_would_misread_are_quoted_or_renamed():
    t = _table("end")
    t["columns"].append({"name": "2fa secret", "type": "decimal(8, 2)", "status": "unknown"})
    block = "\n".join(mermaid.entity_block(t))
    assert block.startswith('    "end" {')
    assert 'decimal_8__2_ c_2fa_secret "2fa secret; may not exist"' in block


@pytest.mark.parametrize("fmt", ["html", "mermaid"])
def test_schema_formats_show_hostile_table_names_as_text(tmp_path, fmt):
    write(tmp_path / "m", {"2024_01_01_000000_a.php": anon(
        f"        Schema::create('{HOSTILE.replace(chr(39), '')}', function (Blueprint $table) "
        "{ $table->id(); });")})
    text = invoke("schema", tmp_path / "m", "--format", fmt).output
    if fmt == "html":
        assert "<script>window.__pwned" not in text and "<img" not in text
    else:
        assert text.count("```mermaid") == 1 and "\n```\n" in text


def test_a_fix_diff_shows_the_same_hunks_as_a_diff_of_the_whole_file():
    import difflib
    from pathlib import Path

    from migrate_lint import rules
    from migrate_lint.engine import Settings, lint_path
    from migrate_lint.fix import apply_edits, fix_diff, preview

    settings = Settings(enabled={r.CODE for r in rules.FILE_RULES})
    root = Path(__file__).resolve().parents[1] / "examples"
    compared = 0
    for path in sorted(root.rglob("*.php")):
        result = lint_path(str(path), settings, keep_model=True)
        data = result.migration.source.data
        for fix in preview([result], settings).values():
            whole = "".join(difflib.unified_diff(
                data.decode().splitlines(True), apply_edits(data, fix.edits).decode().splitlines(True),
                fromfile=f"a/{path}", tofile=f"b/{path}", n=2))
            assert fix_diff(data, fix, str(path)) == whole
            compared += 1
    assert compared > 40


_LINE = st.sampled_from(["a\n", "b\n", "    }\n", "\n", "if (x) {\n", "c"])
_LINES = st.lists(_LINE, max_size=7)


@given(lead=_LINES, old=_LINES, new=_LINES, trail=_LINES, a=_LINES, b=_LINES,
       n=st.integers(0, 3), offset=st.integers(0, 2))
@settings(max_examples=2000, deadline=None)
def test_unified_diff_is_difflibs_output(lead, old, new, trail, a, b, n, offset):
    import difflib

    from migrate_lint.unified_diff import unified_diff

    # A block changed between equal lines (what a fix makes), and any two lists. Few distinct
    # lines, so they repeat: where only difflib can tell, the fallback must be taken.
    for x, y in ((lead + old + trail, lead + new + trail), (a, b)):
        expected = "".join(difflib.unified_diff(x, y, fromfile="a/x", tofile="b/x", n=n))
        expected = re.sub(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", lambda m: (
            f"@@ -{int(m[1]) + offset}{m[2] or ''} +{int(m[3]) + offset}{m[4] or ''} @@"),
            expected, flags=re.M)
        assert unified_diff(x, y, "a/x", "b/x", n, offset) == expected


def test_unified_diff_takes_the_fast_path_for_a_wrapped_statement():
    from migrate_lint import unified_diff as ud

    a = ["    }\n", "    $t->string('a');\n", "z\n"]
    b = ["    }\n", "    if (c) {\n", "        $t->string('a');\n", "    }\n", "z\n"]
    assert ud._one_block(a, b) is not None
    assert ud._one_block(a[:1] + a[2:], b) is None  # only added lines: difflib decides


def test_readme_diagram_is_the_example_schema_as_mermaid_writes_it():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    shown = re.findall(r"```mermaid\n.*?```", readme, re.S)
    out = invoke("schema", root / "examples" / "staging-incident" / "database" / "migrations",
                 "--format", "mermaid").output
    assert shown == re.findall(r"```mermaid\n.*?```", out, re.S)
    assert (root / "docs" / "images" / "staging-plan.png").stat().st_size > 10_000


def test_verify_page_from_verify_json():
    from report_scenarios import verify_data

    from migrate_lint.report import verify_html

    data = verify_data()
    html = verify_html.render(data)
    assert_self_contained(html)
    assert HOSTILE not in html
    text = html_lib.unescape(html)
    assert "1060 Duplicate column name 'priority'" in text
    rows = re.findall(r'data-migration="([^"]+)" data-status="([^"]+)"', html)
    assert rows == [("2024_01_01_000000_create_tasks.php", "verified"),
                    ("2024_02_01_000000_add_priority.php", "finding"),
                    ("2024_03_01_000000_notes.php", "blocked")]
    embedded = json.loads(re.search(r'id="verify-data">(.*?)</script>', html, re.S).group(1))
    assert embedded == data


def test_verify_page_escapes_a_hostile_migration_name():
    from report_scenarios import verify_data

    from migrate_lint.report import verify_html

    data = verify_data()
    name = "2024_04_01_000000_<script>window.__pwned=5<img src=x onerror=__pwned=6>.php"
    data["outcomes"][1]["path"] = "database/migrations/" + name
    data["findings"][0]["path"] = data["outcomes"][1]["path"]
    html = verify_html.render(data)
    assert "<script>window" not in html and "<img" not in html
    assert html.count("&lt;script&gt;window.__pwned=5") >= 3  # row, first failure, timeline
    assert name in html_lib.unescape(html)
