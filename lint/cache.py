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
    def __init__(self, directory: str, settings):
        self.dir = directory
        self.prefix = settings_key(settings)
        self.ready = False

    def _prepare(self) -> bool:
        if not self.ready:
            self.ready = ensure_dir(self.dir)
        return self.ready

    def _path(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(path.encode() + b"\0" + data).hexdigest()
        return os.path.join(self.dir, f"{self.prefix}-{digest[:32]}.json")

    def get(self, path: str, data: bytes):
        try:
            with open(self._path(path, data), encoding="utf-8") as fh:
                raw = json.load(fh)
            return [Finding(code=f["code"], rule=f["rule"], path=path, span=Span(**f["span"]),
                            message=f["message"], severity=f["severity"], fixable=f["fixable"],
                            snippet=f["snippet"]) for f in raw]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, path: str, data: bytes, findings) -> None:
        if not self._prepare():
            return
        entries = [{"code": f.code, "rule": f.rule, "span": asdict(f.span), "message": f.message,
                    "severity": f.severity, "fixable": f.fixable, "snippet": f.snippet}
                   for f in findings]
        try:
            fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entries, fh)
            os.replace(tmp, self._path(path, data))
        except OSError:
            pass


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
    root = cfg.root if getattr(cfg, "path", None) else os.getcwd()
    return os.path.join(str(root), DIRNAME)
