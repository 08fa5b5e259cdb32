"""Output formats: the same findings in every format, SARIF valid against the official schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOWCASE = ROOT / "examples" / "showcase" / "database" / "migrations"
CASES = ROOT / "tests" / "cases"
SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json"  # see its README


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    """Every failing case from the rule case files, as migration files."""
    import yaml

    d = tmp_path_factory.mktemp("cases")
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for case in data["cases"]:
            if "fail" in case:
                (d / f"2024_01_01_000000_{data['rule']}_{case['name']}.php").write_text(case["fail"])
    return d


def lint(*args, cwd=ROOT):
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)
    return proc


def keys_from_json(text):
    return sorted((f["code"], Path(f["path"]).name, f["line"]) for f in json.loads(text))


def keys_from_github(text):
    out = []
    for line in text.splitlines():
        props = dict(p.split("=", 1) for p in line.split(" ", 1)[1].split("::", 1)[0].split(","))
        code = line.split("::", 2)[2].split(" ", 1)[0]
        out.append((code, Path(props["file"]).name, int(props["line"])))
    return sorted(out)


def keys_from_sarif(text):
    run = json.loads(text)["runs"][0]
    return sorted((r["ruleId"], Path(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name,
                   r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"])


def keys_from_gitlab(text):
    return sorted((i["check_name"].split()[0], Path(i["location"]["path"]).name,
                   i["location"]["lines"]["begin"]) for i in json.loads(text))


def keys_from_junit(text):
    out = []
    for failure in ET.fromstring(text).iter("failure"):
        loc, rest = failure.get("message").split(": ", 1)
        path, line, _ = loc.rsplit(":", 2)
        out.append((failure.get("type"), Path(path).name, int(line)))
    return sorted(out)


def keys_from_concise(text):
    out = []
    for line in text.splitlines()[:-1]:  # the last line is the summary
        loc, rest = line.split(": ", 1)
        path, number, _ = loc.rsplit(":", 2)
        out.append((rest.split(" ", 1)[0], Path(path).name, int(number)))
    return sorted(out)


PARSERS = {"concise": keys_from_concise, "github": keys_from_github, "sarif": keys_from_sarif, "gitlab": keys_from_gitlab,
           "junit": keys_from_junit}


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_every_format_carries_the_same_findings(case_dir, fmt):
    reference = lint(case_dir, "--format", "json", "--laravel-version", "11")
    other = lint(case_dir, "--format", fmt, "--laravel-version", "11")
    assert reference.returncode == other.returncode == 1
    expected = keys_from_json(reference.stdout)
    assert len(expected) > 60
    assert PARSERS[fmt](other.stdout) == expected


def test_sarif_validates_against_the_official_schema(case_dir):
    import jsonschema

    out = lint(case_dir, "--format", "sarif", "--laravel-version", "11", "--database", "mariadb")
    log = json.loads(out.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"ML000", "ML001", "ML002", "ML010", "ML900"} <= ids
    for rule in run["tool"]["driver"]["rules"]:
        # The full rule page travels in the log: no link to follow (none is published).
        assert "Why is this bad?" in rule["help"]["text"]
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} {rule['name']}\n")
        assert "helpUri" not in rule
    assert "informationUri" not in run["tool"]["driver"]
    fixes = [r for r in run["results"] if "fixes" in r]
    assert fixes, "fixable findings carry their fix"
    repl = fixes[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert "deletedRegion" in repl and "insertedContent" in repl


def test_github_annotation_lines(tmp_path):
    (tmp_path / "m.php").write_text("<?php\nSchema::drop('a,b');\n")
    out = lint("m.php", "--format", "github", cwd=tmp_path).stdout.splitlines()
    assert out == [
        "::error file=m.php,line=2,col=1,endLine=2,endColumn=20,title=ML004 drop-table-unguarded::"
        "ML004 `Schema::drop('a,b')` fails when the table is already gone: use "
        "`Schema::dropIfExists('a,b')` (migrate-lint --explain ML004)"]


def test_github_escapes_property_and_data_characters():
    from migrate_lint.findings import Finding, Span
    from migrate_lint.report import ReportContext, github

    f = Finding("ML002", "add-column-unguarded", "dir,x/a:b.php", Span(0, 1, 3, 4, 3, 5),
                "50% done\nnext")
    line = github.render([f], ReportContext()).strip()
    assert line.startswith("::error file=dir%2Cx/a%3Ab.php,line=3,col=4,")
    assert "::ML002 50%25 done%0Anext (" in line


def test_junit_has_one_testcase_per_file(tmp_path):
    (tmp_path / "a.php").write_text("<?php\nSchema::drop('a');\n")
    (tmp_path / "b.php").write_text("<?php\nSchema::dropIfExists('b');\n")
    root = ET.fromstring(lint(".", "--format", "junit", cwd=tmp_path).stdout)
    cases = {c.get("name"): len(c.findall("failure")) for c in root.iter("testcase")}
    assert cases == {"./a.php": 1, "./b.php": 0}


def test_gitlab_fingerprints_are_stable_across_line_shifts(tmp_path):
    m = tmp_path / "m.php"
    m.write_text("<?php\nSchema::drop('a');\n")
    first = json.loads(lint("m.php", "--format", "gitlab", cwd=tmp_path).stdout)
    m.write_text("<?php\n\n\n// moved down\nSchema::drop('a');\n")
    second = json.loads(lint("m.php", "--format", "gitlab", cwd=tmp_path).stdout)
    assert first[0]["fingerprint"] == second[0]["fingerprint"]
    assert (first[0]["location"]["lines"]["begin"], second[0]["location"]["lines"]["begin"]) == (2, 5)
    assert first[0]["severity"] == "major"


def test_output_file_keeps_the_exit_code(tmp_path):
    (tmp_path / "m.php").write_text("<?php\nSchema::drop('a');\n")
    proc = lint("m.php", "--format", "json", "--output-file", "report.json", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads((tmp_path / "report.json").read_text())[0]["code"] == "ML004"


def test_statistics_counts_per_rule(tmp_path):
    (tmp_path / "m.php").write_text(
        "<?php\nSchema::drop('a');\nSchema::drop('b');\nDB::table('r')->insert([]);\n")
    out = lint("m.php", "--statistics", "-q", cwd=tmp_path).stdout.splitlines()
    assert [line.split() for line in out] == [["count", "code", "rule", "fixable"],
                                              ["2", "ML004", "drop-table-unguarded", "2"],
                                              ["1", "ML009", "insert-not-idempotent"]]


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "gitlab", "junit"])
def test_no_format_links_to_a_page_that_does_not_exist(case_dir, fmt):
    """No `[project.urls]` names rule docs: no output may invent a web address."""
    out = lint(case_dir, "--format", fmt, "--laravel-version", "11").stdout
    assert "github.com/migrate-lint" not in out
    assert "https://" not in out.replace("https://json.schemastore.org/sarif-2.1.0.json", "")


def test_a_published_docs_url_from_the_package_metadata_is_used(monkeypatch):
    from migrate_lint import links

    links.project_urls.cache_clear()
    monkeypatch.setattr("importlib.metadata.metadata", lambda name: _Meta([
        "Rule docs, https://docs.example.org/rules/", "Repository, https://git.example.org/ml"]))
    try:
        assert links.doc_pointer("ML002", "add-column-unguarded") == \
            "https://docs.example.org/rules/ML002-add-column-unguarded.md"
        assert links.home_url() == "https://git.example.org/ml"
    finally:
        links.project_urls.cache_clear()


class _Meta:
    def __init__(self, urls):
        self.urls = urls

    def get_all(self, key):
        return self.urls if key == "Project-URL" else None


TWO_ADDS = ("<?php\nSchema::table('t', function ($table) {\n    $table->string('a');\n"
            "    $table->string('b');\n    $table->dropColumn('c');\n});\n")


def test_text_gives_each_rules_docs_pointer_once_at_the_end(tmp_path):
    (tmp_path / "m.php").write_text(TWO_ADDS)
    out = lint("m.php", cwd=tmp_path).stdout
    assert out.count("migrate-lint --explain ML002") == 1
    assert out.count("migrate-lint --explain ML003") == 1
    tail = out[out.rindex("m.php:"):]
    assert "Rule docs:\n  ML002 add-column-unguarded: migrate-lint --explain ML002\n" in tail


def test_concise_is_one_line_a_finding(tmp_path):
    (tmp_path / "m.php").write_text(TWO_ADDS)
    out = lint("m.php", "--format", "concise", cwd=tmp_path).stdout.splitlines()
    assert [line.split(": ")[0] for line in out[:-1]] == ["m.php:3:5", "m.php:4:5", "m.php:5:5"]
    assert out[-1].startswith("Found 3 findings")


def test_statistics_is_an_aligned_table_instead_of_the_listing(tmp_path):
    (tmp_path / "m.php").write_text(TWO_ADDS)
    out = lint("m.php", "--statistics", cwd=tmp_path).stdout.splitlines()
    assert not any(line.startswith("m.php:") for line in out)
    assert out[0].split() == ["count", "code", "rule", "fixable"]
    rows = out[1:3]
    assert rows[0].split() == ["2", "ML002", "add-column-unguarded", "2"]
    assert rows[1].split() == ["1", "ML003", "drop-column-unguarded", "1"]
    for column in ("code", "rule"):
        assert len({line.index(word) for line, word in
                    zip(out[:3], [column, *[r.split()[1 if column == "code" else 2]
                                            for r in rows]])}) == 1
    assert out[3].startswith("Found 3 findings")
