"""The server's replay findings (lint/server/replayed.py) are the CLI's (check_history), for
every migration of real-shaped folders, under each database and Laravel version setting.

The server runs its own loop over `replay(h)` so it can stop at the last open file; this test
keeps that loop from drifting away from the command line's."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from migrate_lint import config
from migrate_lint.engine import settings_for
from migrate_lint.replay.history import check_history
from migrate_lint.server.project import Project

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

SETTINGS = ["", 'database = "sqlite"\nlaravel-version = "8.83"\n',
            'database = "mariadb"\nlaravel-version = "11.20"\n']


def _folders(tmp_path):
    for name in ("staging-incident", "showcase"):
        target = tmp_path / name
        shutil.copytree(ROOT / "examples" / name, target)
        yield target / "database" / "migrations"
    yield generate(tmp_path / "synthetic", 100)


def _key(f, folder):
    return (f.code, f.line, f.column, f.message.replace(os.path.join(str(folder), ""), ""))


@pytest.mark.parametrize("toml", SETTINGS, ids=["defaults", "sqlite-8.83", "mariadb-11.20"])
def test_server_replay_findings_are_the_cli_ones(tmp_path, toml):
    checked = 0
    for folder in _folders(tmp_path):
        project_root = folder.parent.parent
        (project_root / ".migrate-lint.toml").write_text(toml)
        cfg = config.load(project_root / ".migrate-lint.toml")
        settings = settings_for(cfg, start=folder)
        server = Project()
        paths = sorted(str(p) for p in folder.glob("*.php"))
        # All files at once, then single files (the server stops folding after the last one).
        for given in [paths] + [[p] for p in paths[len(paths) // 3::len(paths) // 3]]:
            options = SimpleNamespace(paths=given, use_cache=False, jobs=1)
            cli = sorted(_key(f, folder) for f in check_history(given, settings, options))
            _, found = server.history(str(folder), {}, set(given), server.resolve(given[0]))
            assert sorted(_key(f, folder) for fs in found.values() for f in fs) == cli, given
            checked += len(cli)
    assert checked >= 5  # the folders do have replay findings to compare
