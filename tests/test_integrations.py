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


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory):
    """One pre-commit cache for the session: each hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def source_repo(tmp_path_factory):
    """This working tree as a git repository pre-commit can clone (committed or not)."""
    src = tmp_path_factory.mktemp("hook-src")
    shutil.copytree(ROOT, src, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".pytest_cache"))
    git(src, "init", "-q")
    git(src, "add", ".")
    git(src, "commit", "-qm", "snapshot")
    return src, git(src, "rev-parse", "HEAD").stdout.strip()


def _pre_commit_ready():
    if shutil.which("pre-commit") is None and subprocess.run(
            [sys.executable, "-m", "pre_commit", "--version"], capture_output=True).returncode:
        pytest.fail("pre-commit is not installed (pip install -e '.[test]')")


def _commit(project, env, message):
    return subprocess.run(["git", "-c", "user.email=t@e", "-c", "user.name=t", "commit", "-m",
                           message], cwd=project, env=env, capture_output=True, text=True)


def pre_commit_blocks_then_passes(tmp_path, home, config: str, migrations_dir: str, env=None):
    """A project with config as .pre-commit-config.yaml: committing a bad migration in
    migrations_dir is blocked with ML002, the fixed one passes."""
    _pre_commit_ready()
    project = tmp_path / "app"
    (project / migrations_dir).mkdir(parents=True)
    git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(config)
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), **(env or {})}
    git(project, "add", ".pre-commit-config.yaml")
    git(project, "commit", "-qm", "config", "--no-verify")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project, env=env,
                   check=True, capture_output=True)
    migration = project / migrations_dir / "2024_01_01_000000_add_priority.php"
    migration.write_text(BAD)
    git(project, "add", ".")
    blocked = _commit(project, env, "bad")
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    assert "ML002" in blocked.stdout + blocked.stderr
    migration.write_text(GOOD)
    git(project, "add", ".")
    passed = _commit(project, env, "good")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    return blocked


LAYOUTS = ["database/migrations",
           "Modules/Blog/Database/Migrations",          # nwidart/laravel-modules
           "packages/Webkul/Core/src/Database/Migrations"]  # bagisto, krayin


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pre_commit_hook_blocks_a_bad_migration_and_passes_a_fixed_one(tmp_path, source_repo,
                                                                       pre_commit_home, layout):
    src, rev = source_repo
    pre_commit_blocks_then_passes(
        tmp_path, pre_commit_home, f"repos:\n  - repo: {src}\n    rev: {rev}\n    hooks:\n"
                  f"      - id: migrate-lint\n", layout)


def readme_blocks(section: str) -> list[str]:
    """The yaml code blocks of a README section, as a user would copy them."""
    import re

    text = (ROOT / "README.md").read_text()
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", body, re.S)


def test_readme_pre_commit_local_snippet_works_pasted_into_a_fresh_project(tmp_path,
                                                                          pre_commit_home):
    local = next(b for b in readme_blocks("pre-commit") if "repo: local" in b)
    import sysconfig

    bin_dir = sysconfig.get_path("scripts")  # where `pip install` put migrate-lint
    assert os.path.exists(os.path.join(bin_dir, "migrate-lint"))
    for layout in LAYOUTS:
        pre_commit_blocks_then_passes(tmp_path / layout.replace("/", "_"), pre_commit_home,
                                      local, layout,
                                      env={"PATH": bin_dir + os.pathsep + os.environ["PATH"]})


def test_readme_pre_commit_remote_snippet_works_once_its_placeholders_are_filled(
        tmp_path, source_repo, pre_commit_home):
    remote = next(b for b in readme_blocks("pre-commit") if "repo: local" not in b)
    text = (ROOT / "README.md").read_text()
    assert "replace\n`YOUR-GIT-URL`" in text or "replace `YOUR-GIT-URL`" in text
    src, rev = source_repo
    assert "YOUR-GIT-URL" in remote and "YOUR-REV" in remote
    config = remote.replace("YOUR-GIT-URL", str(src)).replace("YOUR-REV", rev)
    pre_commit_blocks_then_passes(tmp_path, pre_commit_home, config, "database/migrations")


def test_readme_github_action_snippet_fetches_the_history_changed_since_needs():
    import yaml

    (block,) = readme_blocks("GitHub Actions")
    steps = yaml.safe_load(block)
    checkout = next(s for s in steps if s["uses"].startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    ours = next(s for s in steps if not s["uses"].startswith("actions/checkout"))
    assert ours["uses"] == "YOUR-ORG/migrate-lint@YOUR-REV"
    assert set(ours["with"]) <= set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])


def test_hook_file_targets_migrations_only():
    import re

    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"migrate-lint", "migrate-lint-fix"}
    assert "--fix" in hooks["migrate-lint-fix"]["entry"]
    for hook in hooks.values():
        pattern = re.compile(hook["files"])  # pre-commit matches with Python's re.search
        for layout in LAYOUTS + ["database/migrations/legacy", "modules/blog/database/migrations"]:
            assert pattern.search(f"{layout}/2024_01_01_000000_x.php"), layout
        for other in ["app/Models/User.php", "database/seeders/UserSeeder.php",
                      "database/migrations/README.md", "resources/migrations.php"]:
            assert not pattern.search(other), other


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


def test_nothing_reads_the_shared_folder_beside_the_clone():
    """The tests and the tool must pass from a clone with nothing beside it."""
    import re

    reads_shared = re.compile(r"""\.\./shared|["']shared["']\s*/|/\s*["']shared["']""")
    offenders = [str(p.relative_to(ROOT)) for folder in ("tests", "lint", "rules", "scripts",
                                                         "bench", ".ci")
                 for p in (ROOT / folder).rglob("*") if p.is_file()
                 and p.suffix in (".py", ".php", ".sh", "", ".yaml", ".toml")
                 and reads_shared.search(p.read_text(errors="replace"))
                 and p.name != "test_integrations.py"]
    assert offenders == []
