"""pre-commit (the real tool), the GitHub Action's run step, and the generated rule docs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BAD = "<?php\nSchema::table('tasks', function ($table) {\n    $table->string('priority');\n});\n"
GOOD = ("<?php\nSchema::table('tasks', function ($table) {\n"
        "    if (! Schema::hasColumn('tasks', 'priority')) {\n"
        "        $table->string('priority');\n    }\n});\n")


def git(cwd, *args, check=True):
    return subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                          cwd=cwd, check=check, capture_output=True, text=True)


@pytest.fixture
def source_repo(tmp_path_factory):
    """This working tree as a git repository pre-commit can clone (committed or not)."""
    src = tmp_path_factory.mktemp("hook-src")
    shutil.copytree(ROOT, src, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".pytest_cache"))
    git(src, "init", "-q")
    git(src, "add", ".")
    git(src, "commit", "-qm", "snapshot")
    return src, git(src, "rev-parse", "HEAD").stdout.strip()


def test_pre_commit_hook_blocks_a_bad_migration_and_passes_a_fixed_one(tmp_path, source_repo):
    if shutil.which("pre-commit") is None and subprocess.run(
            [sys.executable, "-m", "pre_commit", "--version"], capture_output=True).returncode:
        pytest.fail("pre-commit is not installed (pip install -e '.[test]')")
    src, rev = source_repo
    project = tmp_path / "app"
    (project / "database" / "migrations").mkdir(parents=True)
    git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {src}\n    rev: {rev}\n    hooks:\n      - id: migrate-lint\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    git(project, "add", ".pre-commit-config.yaml")
    git(project, "commit", "-qm", "config", "--no-verify")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project, env=env,
                   check=True, capture_output=True)
    migration = project / "database" / "migrations" / "2024_01_01_000000_add_priority.php"
    migration.write_text(BAD)
    git(project, "add", ".")
    blocked = subprocess.run(["git", "-c", "user.email=t@e", "-c", "user.name=t", "commit", "-m",
                              "bad"], cwd=project, env=env, capture_output=True, text=True)
    assert blocked.returncode != 0
    assert "ML002" in blocked.stdout + blocked.stderr
    migration.write_text(GOOD)
    git(project, "add", ".")
    passed = subprocess.run(["git", "-c", "user.email=t@e", "-c", "user.name=t", "commit", "-m",
                             "good"], cwd=project, env=env, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_hook_file_targets_migrations_only():
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"migrate-lint", "migrate-lint-fix"}
    assert all(h["files"] == r"(^|/)database/migrations/.*\.php$" for h in hooks.values())
    assert "--fix" in hooks["migrate-lint-fix"]["entry"]


def test_action_run_step_annotates(tmp_path):
    mig = tmp_path / "database" / "migrations"
    mig.mkdir(parents=True)
    (mig / "2024_01_01_000000_add.php").write_text(BAD)
    env = {**os.environ, "MIGRATE_LINT_PATHS": "database/migrations", "MIGRATE_LINT_ARGS": "",
           "MIGRATE_LINT_VERSION": "", "PATH": os.path.dirname(sys.executable) + os.pathsep
           + os.environ["PATH"]}
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "action-run.sh")], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error file=database/migrations/2024_01_01_000000_add.php,line=3,")


def test_rule_docs_are_generated_and_current():
    from migrate_lint.docs import expected_files

    docs = ROOT / "docs" / "rules"
    expected = expected_files()
    assert sorted(p.name for p in docs.glob("*.md")) == sorted(expected), \
        "docs/rules is stale: run python -m migrate_lint.docs"
    for name, text in expected.items():
        assert (docs / name).read_text() == text, f"{name} is stale: run python -m migrate_lint.docs"
        assert "## Why is this bad?" in text and "## Fix safety" in text
