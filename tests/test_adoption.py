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
