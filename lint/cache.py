"""A cache of per-file findings, keyed by the file's bytes, migrate-lint's version and the
effective configuration. Lives in `.migrate-lint-cache/` (with its own .gitignore) or the
config's `cache-dir`. A broken entry is ignored, never fatal; entries are written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict

from migrate_lint import __version__
from migrate_lint.findings import Finding, Span

DIRNAME = ".migrate-lint-cache"


def settings_key(settings) -> str:
    ctx = settings.rule_ctx
    parts = [__version__, ",".join(sorted(settings.enabled)), str(ctx.check_down),
             str(ctx.laravel_version), str(ctx.database),
             json.dumps({k: sorted(v) for k, v in settings.per_file_ignores.items()},
                        sort_keys=True)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


class Cache:
    """One JSON file per effective configuration: {digest of path and bytes: findings}.

    Read once at the start and written once at the end (atomically), so a warm run opens one
    file instead of one per migration. Two runs at once: the last writer wins, nothing breaks.
    """

    MAX_ENTRIES = 100_000

    def __init__(self, directory: str, settings):
        self.dir = directory
        self.file = os.path.join(directory, f"findings-{settings_key(settings)}.json")
        self.entries: dict | None = None
        self.dirty = False

    def _load(self) -> dict:
        if self.entries is None:
            try:
                with open(self.file, encoding="utf-8") as fh:
                    data = json.load(fh)
                self.entries = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self.entries = {}
        return self.entries

    @staticmethod
    def _key(path: str, data: bytes) -> str:
        return hashlib.sha256(path.encode() + b"\0" + data).hexdigest()[:32]

    def get(self, path: str, data: bytes):
        raw = self._load().get(self._key(path, data))
        if raw is None:
            return None
        try:
            return [Finding(code=f["code"], rule=f["rule"], path=path, span=Span(**f["span"]),
                            message=f["message"], severity=f["severity"], fixable=f["fixable"],
                            snippet=f["snippet"]) for f in raw]
        except (KeyError, TypeError):
            return None

    def put(self, path: str, data: bytes, findings) -> None:
        entries = self._load()
        entries[self._key(path, data)] = [
            {"code": f.code, "rule": f.rule, "span": asdict(f.span), "message": f.message,
             "severity": f.severity, "fixable": f.fixable, "snippet": f.snippet}
            for f in findings]
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or not ensure_dir(self.dir):
            return
        entries = self.entries or {}
        if len(entries) > self.MAX_ENTRIES:
            entries = dict(list(entries.items())[-self.MAX_ENTRIES:])
        try:
            fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entries, fh, separators=(",", ":"))
            os.replace(tmp, self.file)
        except OSError:
            pass  # a cache that cannot be written only costs time


def ensure_dir(directory: str) -> bool:
    """Create the cache directory with a .gitignore that keeps it out of commits."""
    try:
        os.makedirs(directory, exist_ok=True)
        ignore = os.path.join(directory, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w") as fh:
                fh.write("# created by migrate-lint\n*\n")
        return True
    except OSError:
        return False


def default_dir(cfg) -> str:
    if getattr(cfg, "cache_dir", None):
        return str(cfg.cache_dir)
    return os.path.join(str(_root(cfg)), DIRNAME)


def _root(cfg) -> str:
    return str(cfg.root) if getattr(cfg, "path", None) else os.getcwd()


def escapes_project(directory: str, cfg) -> bool:
    """True when the cache directory resolves outside the project: a checkout whose
    `.migrate-lint-cache` is a symlink elsewhere must not make us write there."""
    from pathlib import Path

    return not Path(directory).resolve().is_relative_to(Path(_root(cfg)).resolve())
