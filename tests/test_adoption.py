"""Adopting migrate-lint in an existing project: --changed-since and baselines on real git history."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BAD_ADD = ("<?php\nSchema::table('tasks', function ($table) {\n"
           "    $table->string('priority');\n});\n")
BAD_DROP = "<?php\nSchema::drop('old');\n"


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=cwd, check=True, capture_output=True)


def lint(cwd, *args):
    return subprocess.run([sys.executable, "-m", "migrate_lint", *args, "--format", "json"],
                          cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path):
    mig = tmp_path / "database" / "migrations"
    mig.mkdir(parents=True)
    (mig / "2024_01_01_000000_old.php").write_text(BAD_DROP)
    (mig / "2024_01_02_000000_committed.php").write_text(BAD_DROP.replace("old", "older"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "tag", "base")
    (mig / "2024_02_01_000000_new_commit.php").write_text(BAD_ADD)
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "second")
    return tmp_path


def paths_of(proc):
    return sorted({f["path"].rsplit("/", 1)[-1] for f in json.loads(proc.stdout)})


def test_changed_since_sees_committed_staged_unstaged_and_untracked(repo):
    mig = repo / "database" / "migrations"
    (mig / "2024_03_01_000000_staged.php").write_text(BAD_ADD)
    git(repo, "add", "database/migrations/2024_03_01_000000_staged.php")
    (mig / "2024_03_02_000000_untracked.php").write_text(BAD_ADD)
    (mig / "2024_01_02_000000_committed.php").write_text(BAD_DROP.replace("old", "oldest"))
    proc = lint(repo, "--changed-since", "base")
    assert proc.returncode == 1
    assert paths_of(proc) == ["2024_01_02_000000_committed.php", "2024_02_01_000000_new_commit.php",
                              "2024_03_01_000000_staged.php", "2024_03_02_000000_untracked.php"]


def test_changed_since_head_with_nothing_changed_is_clean(repo):
    proc = lint(repo, "--changed-since", "HEAD")
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


def test_changed_since_bad_ref_and_outside_git_exit_2(repo, tmp_path_factory):
    assert lint(repo, "--changed-since", "no-such-ref").returncode == 2
    outside = tmp_path_factory.mktemp("nogit")
    (outside / "database" / "migrations").mkdir(parents=True)
    proc = lint(outside, "--changed-since", "HEAD")
    assert proc.returncode == 2
    assert "not inside a git repository" in proc.stderr


def test_a_ref_missing_from_a_shallow_clone_is_said_in_one_plain_line(repo, tmp_path):
    """actions/checkout fetches one commit of the pull request: origin/main is not there."""
    git(repo, "branch", "-M", "main")
    git(repo, "checkout", "-qb", "feature")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--single-branch", "--branch", "feature",
        f"file://{repo}", str(clone))
    proc = lint(clone, "--changed-since", "origin/main")
    assert proc.returncode == 2
    assert proc.stderr == ("migrate-lint: error: origin/main is not in this clone: fetch it, "
                           "e.g. actions/checkout with fetch-depth: 0\n")


def test_baseline_hides_recorded_findings_and_survives_line_shifts(repo):
    assert lint(repo, "--write-baseline", "baseline.json").returncode == 0
    assert lint(repo, "--baseline", "baseline.json").returncode == 0
    old = repo / "database" / "migrations" / "2024_01_01_000000_old.php"
    old.write_text("<?php\n// a comment pushes the drop down\n\n" + BAD_DROP.split("\n", 1)[1])
    assert lint(repo, "--baseline", "baseline.json").returncode == 0
    # A new offending statement in the same file is not hidden.
    old.write_text(old.read_text() + "Schema::drop('brand_new');\n")
    proc = lint(repo, "--baseline", "baseline.json")
    assert proc.returncode == 1
    assert [f["message"] for f in json.loads(proc.stdout)] == [
        "`Schema::drop('brand_new')` fails when the table is already gone: use "
        "`Schema::dropIfExists('brand_new')`"]


def test_broken_baseline_is_a_clear_error(repo):
    (repo / "baseline.json").write_text("{not json")
    proc = lint(repo, "--baseline", "baseline.json")
    assert proc.returncode == 2 and "not a migrate-lint baseline" in proc.stderr


TYPO_SOURCE = """<?php
{file_comment}
return new class extends Migration
{{
    public function up()
    {{
        Schema::table('tasks', function (Blueprint $table) {{
            {line_comment}
            $table->string('priority');
            $table->string('title');
        }});
    }}
}};
"""


@pytest.mark.parametrize("file_comment, line_comment, unknown", [
    ("// migrate-lint-ignore-file ML0O2", "", "'ML0O2'"),           # letter O
    ("", "// migrate-lint-ignore ML02", "'ML02'"),
    ("", "// migrate-lint-ignore add-colum-unguarded -- typo", "'add-colum-unguarded'"),
    ("// migrate-lint-ignore-file ML0", "", "'ML0'"),
    ("", "// migrate-lint-ignore ML00Z, ML9999", "'ML00Z', 'ML9999'"),
])
def test_a_misspelt_suppression_suppresses_nothing_and_is_reported(tmp_path, file_comment,
                                                                   line_comment, unknown):
    (tmp_path / "m.php").write_text(TYPO_SOURCE.format(file_comment=file_comment,
                                                       line_comment=line_comment))
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", "--format", "json", "m.php"],
                          cwd=tmp_path, capture_output=True, text=True)
    found = json.loads(proc.stdout)
    assert sorted(f["line"] for f in found if f["code"] == "ML002") == [9, 10]
    (typo,) = [f for f in found if f["code"] == "ML900"]
    assert f"unknown rule code or name {unknown}" in typo["message"]
    assert proc.returncode == 1


def test_a_known_code_beside_a_typo_still_suppresses_its_own_finding(tmp_path):
    (tmp_path / "m.php").write_text(TYPO_SOURCE.format(
        file_comment="", line_comment="// migrate-lint-ignore ML002, ML0O3 -- by hand"))
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", "--format", "json", "m.php"],
                          cwd=tmp_path, capture_output=True, text=True)
    found = json.loads(proc.stdout)
    assert [f["line"] for f in found if f["code"] == "ML002"] == [10]
    assert [f["message"].split(" in a")[0] for f in found if f["code"] == "ML900"] == [
        "unknown rule code or name 'ML0O3'"]


def test_a_bare_suppression_still_means_every_code(tmp_path):
    (tmp_path / "m.php").write_text(TYPO_SOURCE.format(
        file_comment="", line_comment="// migrate-lint-ignore -- all of them"))
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", "--format", "json", "m.php"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert [f["line"] for f in json.loads(proc.stdout)] == [10]


@pytest.mark.parametrize("with_config", [False, True])
def test_a_baseline_matches_from_any_directory_and_absolute_paths(repo, tmp_path_factory,
                                                                  with_config):
    if with_config:
        (repo / ".migrate-lint.toml").write_text("check-down = true\n")
    written = lint(repo, "--write-baseline", "baseline.json", "database/migrations")
    assert written.returncode == 0, written.stderr
    keys = {e["path"] for e in json.loads((repo / "baseline.json").read_text())["findings"]}
    assert keys == {"database/migrations/2024_01_01_000000_old.php",
                    "database/migrations/2024_01_02_000000_committed.php",
                    "database/migrations/2024_02_01_000000_new_commit.php"}
    baseline = str(repo / "baseline.json")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    for cwd, target in [(repo / "database", "migrations"),
                        (repo / "database" / "migrations", "."),
                        (repo, str(repo / "database" / "migrations")),
                        (elsewhere, str(repo / "database" / "migrations"))]:
        proc = lint(cwd, "--baseline", baseline, target)
        assert proc.returncode == 0, (cwd, target, proc.stdout, proc.stderr)
        assert json.loads(proc.stdout) == []


@pytest.mark.parametrize("target", ["a_directory", "missing/parent/baseline.json"])
def test_write_baseline_to_a_bad_place_is_a_clear_error_and_leaves_nothing(repo, target):
    (repo / "a_directory").mkdir()
    before = sorted(p.name for p in repo.rglob("*") if ".git" not in p.parts)
    proc = lint(repo, "--write-baseline", target, "--no-cache")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"migrate-lint: error: {target}: ")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in repo.rglob("*") if ".git" not in p.parts) == before
