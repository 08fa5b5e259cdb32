"""A cache never changes a result: whatever the cache file holds (tampered, copied from another
machine, committed, truncated, emptied, forged with another key), the findings are exactly
those of --no-cache. And a warm run really uses it."""

from __future__ import annotations

import marshal
import os
import stat
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from migrate_lint import cache as cachemod
from migrate_lint import engine, parallel
from migrate_lint.cli import main
from migrate_lint.replay import summaries

HEAD = ("<?php\nuse Illuminate\\Database\\Migrations\\Migration;\n"
        "use Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\n"
        "return new class extends Migration {\n    public function up()\n    {\n")
TAIL = "\n    }\n};\n"
MIGRATIONS = {
    "2024_01_01_000000_create_tasks.php": """
        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
            $table->integer('priority');
        });""",
    "2024_02_01_000000_add_priority.php": """
        Schema::table('tasks', function (Blueprint $table) {
            $table->integer('priority')->default(0);
        });""",
    "2024_03_01_000000_create_tasks_again.php": """
        if (! Schema::hasTable('tasks')) {
            Schema::create('tasks', function (Blueprint $table) {
                $table->id();
            });
        }
        Schema::create('tasks', function (Blueprint $table) {
            $table->id();
        });""",
    "2024_04_01_000000_drop_notes.php": "        Schema::drop('notes');",
    "2024_05_01_000000_quiet.php": """        Schema::table('tasks', function (Blueprint $table) {
            // migrate-lint-ignore ML002, ML101 -- added by hand
            $table->string('priority');
        });""",
}


@pytest.fixture
def project(tmp_path):
    d = tmp_path / "app" / "database" / "migrations"
    d.mkdir(parents=True)
    for name, body in MIGRATIONS.items():
        (d / name).write_text(HEAD + body + TAIL)
        old = time.time_ns() - 3600 * 10**9  # edited an hour ago
        os.utime(d / name, ns=(old, old))
    return tmp_path / "app"


def ml(project, *args, home=None):
    env = dict(os.environ)
    if home is not None:
        env["XDG_CACHE_HOME"] = str(home)
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", "database/migrations", *args],
                          cwd=project, capture_output=True, env=env)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc.returncode, proc.stdout


def reference(project):
    return {fmt: ml(project, "--no-cache", "--jobs", "1", "--format", fmt)
            for fmt in ("text", "json")}


def same_as_reference(project, ref, home=None):
    for fmt, expected in ref.items():
        assert ml(project, "--format", fmt, home=home) == expected, fmt


def cache_file(project):
    return project / ".migrate-lint-cache" / cachemod.FILENAME


def test_reference_has_file_and_replay_findings(project):
    code, out = reference(project)["text"]
    assert code == 1
    for rule in (b"ML001", b"ML002", b"ML004", b"ML101", b"ML102"):
        assert rule in out, rule
    assert b"quiet.php" not in out  # the suppressions hold


def test_warm_run_equals_no_cache_and_reads_no_source(project, monkeypatch):
    # Files changed (ctime: when written) within 2 s of a run are checked by content: wait.
    time.sleep(cachemod.RACY_NS / 1e9 + 0.2)
    ref = reference(project)
    same_as_reference(project, ref)  # cold: fills the cache
    assert cache_file(project).exists()
    assert (project / ".migrate-lint-cache/.gitignore").read_text().strip().endswith("*")
    same_as_reference(project, ref)  # warm
    monkeypatch.chdir(project)
    reads = []
    real = engine.read
    monkeypatch.setattr(engine, "read", lambda p: reads.append(p) or real(p))
    monkeypatch.setattr(parallel, "lint_source", lambda *a, **k: pytest.fail("parsed again"))
    monkeypatch.setattr(summaries, "build_one", lambda *a, **k: pytest.fail("parsed again"))
    result = CliRunner().invoke(main, ["database/migrations", "--format", "text"])
    assert (result.exit_code, result.output.encode()) == ref["text"]
    assert reads == []


def test_key_is_made_once_private_and_outside_the_project(project, tmp_path):
    home = tmp_path / "home-cache"
    ml(project, home=home)
    key = home / "migrate-lint" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    first = key.read_bytes()
    ml(project, home=home)
    assert key.read_bytes() == first and len(first) == cachemod.KEY_BYTES
    assert not list(project.rglob("key"))


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage", "append"])
def test_damaged_cache_is_ignored(project, damage):
    ref = reference(project)
    same_as_reference(project, ref)
    f = cache_file(project)
    blob = bytearray(f.read_bytes())
    if damage == "flip":
        for at in (len(cachemod.MAGIC) + 3, len(blob) // 2, len(blob) - 1):
            blob[at] ^= 0x01
    elif damage == "truncate":
        blob = blob[: len(blob) // 2]
    elif damage == "empty":
        blob = bytearray()
    elif damage == "garbage":
        blob = bytearray(os.urandom(len(blob)))
    else:
        blob += b"\0" * 10
    f.write_bytes(bytes(blob))
    same_as_reference(project, ref)


def _forge(project, home, monkeypatch, sections=("findings", "summaries", "replay")):
    """The attack: empty every finding and every replay step in a cache, signed with the
    attacker's own key (all a repository can carry)."""
    with monkeypatch.context() as m:
        m.setenv("XDG_CACHE_HOME", str(home))
        store = cachemod.Store(str(project / ".migrate-lint-cache"))
    names = list(store._raw)
    assert names
    for name in names:
        section = store.section(name)
        kind = name.split(":")[0]
        if kind not in sections:
            continue
        for key, value in list(section.items()):
            if kind == "findings":
                section[key] = (value[0], value[1], marshal.dumps(()))
            elif kind == "replay":
                section[key] = (value[0], ())
            else:
                row = list(marshal.loads(value))
                row[summaries._SUMMARY_FIELDS.index("steps")] = ()
                section[key] = marshal.dumps(tuple(row))
        store.touch(name)
    for name in names:  # make the run use the forged parts: no kept report, and the
        # replay folds the (forged) summaries again
        if name.startswith("report:") or (name.startswith("replay:")
                                           and "replay" not in sections):
            store.section(name).clear()
            store.touch(name)
    store.save()


@pytest.mark.parametrize("sections", [("findings", "summaries", "replay"), ("findings",),
                                      ("summaries",)])
def test_cache_forged_with_another_key_is_ignored(project, tmp_path, monkeypatch, sections):
    ref = reference(project)
    attacker = tmp_path / "attacker-cache"
    ml(project, home=attacker)
    _forge(project, attacker, monkeypatch, sections)
    # With the attacker's own key, the forgery works: the test can fail.
    assert ml(project, "--format", "text", home=attacker) != ref["text"]
    same_as_reference(project, ref)  # the victim's key: ignored


def test_cache_from_another_machine_or_a_commit_is_ignored(project, tmp_path):
    ref = reference(project)
    ml(project, home=tmp_path / "other-machine")  # written on "another machine"
    clone = tmp_path / "clone"
    subprocess.run(["cp", "-a", str(project), str(clone)], check=True)  # as a commit carries it
    same_as_reference(project, ref)
    same_as_reference(clone, ref)


def test_racily_clean_file_is_checked_by_content(project):
    """A write in the same clock tick as the run that cached it keeps size and mtime."""
    target = project / "database/migrations/2024_04_01_000000_drop_notes.php"
    ref = reference(project)
    now = time.time_ns()
    os.utime(target, ns=(now, now))
    assert ml(project, "--format", "text") == ref["text"]  # within 2 s of its mtime
    target.write_text(target.read_text().replace("drop(", "Drop("))  # same size
    os.utime(target, ns=(now, now))  # and the same mtime
    ref2 = reference(project)
    assert ref2 != ref
    same_as_reference(project, ref2)


def test_replay_results_follow_edits_and_settings(project):
    ref = reference(project)
    same_as_reference(project, ref)
    f = project / "database/migrations/2024_02_01_000000_add_priority.php"
    f.write_text(f.read_text().replace("'priority'", "'rank'"))
    ref2 = reference(project)
    assert ref2 != ref
    same_as_reference(project, ref2)
    for args in (["--select", "ML1"], ["--ignore", "ML101"], ["--laravel-version", "11.0"],
                 ["--database", "mariadb"], ["--no-check-down"]):
        expected = ml(project, "--no-cache", *args)
        assert ml(project, *args) == expected, args
        assert ml(project, *args) == expected, args


def test_templates_are_part_of_the_key(project):
    from migrate_lint.engine import Settings

    tdir = project / "templates"
    tdir.mkdir()
    (tdir / "add-column-guard.php.j2").write_text("one")
    settings = Settings(enabled={"ML002"})
    first = cachemod.settings_key(settings, tdir)
    (tdir / "add-column-guard.php.j2").write_text("two")
    assert cachemod.settings_key(settings, tdir) != first
    assert cachemod.settings_key(settings, None) != first


def test_no_usable_key_means_no_cache(project, tmp_path):
    ref = reference(project)
    home = tmp_path / "lax"
    (home / "migrate-lint").mkdir(parents=True)
    key = home / "migrate-lint" / "key"
    key.write_bytes(b"k" * cachemod.KEY_BYTES)
    key.chmod(0o644)  # readable by others: not a secret
    same_as_reference(project, ref, home=home)
    assert not cache_file(project).exists()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be")
    same_as_reference(project, ref, home=blocked)
    assert not cache_file(project).exists()


def test_cache_dir_that_is_a_symlink_is_not_written(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".migrate-lint-cache").symlink_to(elsewhere)
    ref = reference(project)
    same_as_reference(project, ref)
    assert list(elsewhere.iterdir()) == []


CONN = """        Schema::connection('mysql')->table('tasks', function (Blueprint $table) {
            $table->integer('priority');
        });"""
DUMP = "CREATE TABLE `tasks` (`id` bigint unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`));\n"


def _edit(project):
    f = project / "database/migrations/2024_02_01_000000_add_priority.php"
    f.write_text(f.read_text().replace("'priority'", "'rank'"))


def _add(project):
    (project / "database/migrations/2024_06_01_000000_more.php").write_text(
        HEAD + MIGRATIONS["2024_02_01_000000_add_priority.php"] + TAIL)


def _remove(project):
    (project / "database/migrations/2024_03_01_000000_create_tasks_again.php").unlink()


def _subdirectory(project):
    sub = project / "database/migrations/tenant"
    sub.mkdir()
    (sub / "2024_01_01_000000_drop.php").write_text(HEAD + "        Schema::drop('x');" + TAIL)


def _default_connection(project):
    (project / "config").mkdir(exist_ok=True)
    (project / "config/database.php").write_text("<?php return ['default' => 'mysql'];\n")


def _squashed_schema(project):
    (project / "database/schema").mkdir()
    (project / "database/schema/mysql-schema.sql").write_text(DUMP)


def _exclude(project):
    (project / ".migrate-lint.toml").write_text('exclude = ["*drop_notes.php"]\n')


def _baseline_changed(project):
    (project / "baseline.json").write_text('{"version": 1, "tool": "migrate-lint", '
                                           '"findings": []}\n')


SCENARIOS = {"edit": _edit, "add": _add, "remove": _remove, "subdirectory": _subdirectory,
             "default connection": _default_connection, "squashed schema": _squashed_schema,
             "exclude": _exclude, "baseline": _baseline_changed}


def test_kept_report_follows_every_input(tmp_path, project, monkeypatch):
    """The kept report (lint/memo.py) is replaced when anything it was made from changes;
    with the 2 s racy window past, so that only the recorded stamps can tell."""
    (project / "database/migrations/2024_01_15_000000_conn.php").write_text(HEAD + CONN + TAIL)
    projects = {}
    for name in [*SCENARIOS, "unchanged"]:
        projects[name] = tmp_path / name.replace(" ", "-")
        subprocess.run(["cp", "-a", str(project), str(projects[name])], check=True)
        ml(projects[name], "--baseline", "baseline.json", "--write-baseline", "baseline.json")
    time.sleep(cachemod.RACY_NS / 1e9 + 0.2)
    before = {name: ml(p, "--baseline", "baseline.json") for name, p in projects.items()}
    for name, change in SCENARIOS.items():
        change(projects[name])
    time.sleep(cachemod.RACY_NS / 1e9 + 0.2)
    for name, p in projects.items():
        expected = ml(p, "--baseline", "baseline.json", "--no-cache")
        assert ml(p, "--baseline", "baseline.json") == expected, name
        assert (expected != before[name]) == (name != "unchanged"), name  # each one matters
    # And unchanged, the kept report is what is printed: nothing is linted.
    from migrate_lint import runner

    monkeypatch.chdir(projects["unchanged"])
    monkeypatch.setattr(runner, "_run", lambda *a: pytest.fail("linted again"))
    result = CliRunner().invoke(main, ["database/migrations", "--baseline", "baseline.json"])
    assert (result.exit_code, result.output.encode()) == before["unchanged"]
