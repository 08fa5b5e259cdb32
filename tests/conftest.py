import sys
from pathlib import Path

# The case-file loader is shared by the lint, fix and oracle tests.
sys.path.insert(0, str(Path(__file__).parent))


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _user_cache_dir(tmp_path_factory, monkeypatch):
    """The cache's key lives in the user's cache directory: one of our own per test session,
    never the real one (subprocesses inherit it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "user-cache"))
