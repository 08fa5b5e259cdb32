"""What the server knows between requests: settings per folder, the migrations on disk, and
the editor's buffers. Plain Python over the engine (no LSP types), run in one worker thread.

Everything is revalidated cheaply on each use (config files and migrations by their stat), so
a change on disk is seen even from a client that sends no file events; the events only make
the server re-lint open files sooner.
"""

from __future__ import annotations

import os
from pathlib import Path

from migrate_lint.engine import (HISTORY_CODES, FileResult, Settings, in_migrations_folder,
                                 is_migration, lint_source)
from migrate_lint.record import field, record
from migrate_lint.server import replayed


@record
class ClientOptions:
    """Overrides from the editor (initializationOptions or workspace settings), as the CLI's
    flags override the config file."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    laravel_version: str | None = None
    database: str | None = None
    trusted: bool = True  # False: an untrusted workspace; its template-dir is not rendered
    debounce_ms: int = 150

    KEYS = {"select": "select", "ignore": "ignore", "laravelVersion": "laravel_version",
            "laravel-version": "laravel_version", "database": "database",
            "workspaceTrusted": "trusted", "trusted": "trusted", "debounceMs": "debounce_ms",
            "debounce-ms": "debounce_ms"}

    @classmethod
    def parse(cls, raw) -> tuple["ClientOptions", list[str]]:
        """Options and one line per problem (unknown keys, wrong types are skipped)."""
        out, problems = cls(), []
        if isinstance(raw, dict):
            raw = raw.get("migrateLint", raw.get("migrate-lint", raw))
        if raw is None:
            return out, problems
        if not isinstance(raw, dict):
            return out, [f"settings must be an object, not {type(raw).__name__}"]
        for key, value in raw.items():
            name = cls.KEYS.get(key)
            if name is None:
                problems.append(f"unknown setting `{key}` (known: {', '.join(sorted(cls.KEYS))})")
            elif name in ("select", "ignore"):
                value = [value] if isinstance(value, str) else value
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    setattr(out, name, value)
                else:
                    problems.append(f"setting `{key}` must be a list of strings")
            elif name == "trusted":
                if isinstance(value, bool):
                    out.trusted = value
                else:
                    problems.append(f"setting `{key}` must be true or false")
            elif name == "debounce_ms":
                if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000:
                    out.debounce_ms = value
                else:
                    problems.append(f"setting `{key}` must be milliseconds from 0 to 10000")
            elif value is None or isinstance(value, str):
                setattr(out, name, value or None)
            else:
                problems.append(f"setting `{key}` must be a string")
        return out, problems


class ConfigProblem(Exception):
    """The configuration for a file cannot be used; the message is the CLI's one line."""


@record
class Resolved:
    settings: Settings
    cfg: object  # migrate_lint.config.Config
    template_dir: str | None
    cache_dir: str | None


@record
class Linted:
    """One buffer through the CLI's per-file pass."""

    path: str
    data: bytes
    result: FileResult | None  # None: not linted (excluded, configuration problem)
    resolved: Resolved | None = None
    migration: bool = False  # a migration by the CLI's discovery rule
    problem: str | None = None  # why it was not linted

    @property
    def broken(self) -> bool:
        return self.result is not None and self.result.migration.error is not None


@record
class _OnDisk:
    stamp: tuple
    data: bytes
    summary: object = None


def _stamp(st) -> tuple:
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def _nearest(start: Path, name: str) -> Path | None:
    for directory in [start, *start.parents]:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


class Project:
    def __init__(self):
        self.options = ClientOptions()
        self._settings: dict[str, tuple[tuple, Resolved | str]] = {}
        self._disk: dict[str, dict[str, _OnDisk]] = {}  # folder -> path -> file on disk
        self._buffers: dict[str, tuple[bytes, object]] = {}  # path -> (bytes, replay summary)

    def configure(self, options: ClientOptions) -> None:
        self.options = options
        self._settings.clear()

    def forget_settings(self) -> None:
        self._settings.clear()

    # ------------------------------------------------------------------ settings
    def resolve(self, path: str) -> Resolved:
        """The CLI's settings for a file: its nearest config, then the editor's overrides."""
        from migrate_lint import config as cfgmod

        directory = Path(path).parent
        try:
            found = cfgmod.find_config(directory)
        except cfgmod.ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
        lock = _nearest(directory.resolve(), "composer.lock")
        stamps = tuple((str(p), _stamp(p.stat())) if p is not None and p.exists() else None
                       for p in (found, lock))
        key = str(directory)
        cached = self._settings.get(key)
        if cached is not None and cached[0] == stamps:
            if isinstance(cached[1], str):
                raise ConfigProblem(cached[1])
            return cached[1]
        try:
            resolved = self._build(found, directory)
        except ConfigProblem as exc:
            self._settings[key] = (stamps, str(exc))
            raise
        self._settings[key] = (stamps, resolved)
        return resolved

    def _build(self, found, directory: Path) -> Resolved:
        from migrate_lint import cache
        from migrate_lint import config as cfgmod
        from migrate_lint.engine import SelectionError, settings_for
        from migrate_lint.replay.history import project_root

        o = self.options
        try:
            cfg = cfgmod.load(found)
            settings = settings_for(cfg, o.select, o.ignore, None, o.laravel_version,
                                    o.database, directory)
        except (cfgmod.ConfigError, SelectionError) as exc:
            raise ConfigProblem(str(exc)) from None
        if o.database is not None and o.database not in cfgmod.DATABASES:
            raise ConfigProblem(f"setting `database` must be one of {', '.join(cfgmod.DATABASES)}")
        template_dir = str(cfg.template_dir) if cfg.template_dir and o.trusted else None
        # The replay cache lives where the CLI run from the project root puts it.
        root = project_root(str(directory))
        cache_dir = (cache.default_dir(cfg) if cfg.path or cfg.cache_dir
                     else os.path.join(root, cache.DIRNAME) if root else None)
        return Resolved(settings, cfg, template_dir, cache_dir)

    # ------------------------------------------------------------------ per file
    def lint(self, path: str, data: bytes) -> Linted:
        from migrate_lint.discover import _excluded

        try:
            resolved = self.resolve(path)
        except ConfigProblem as exc:
            return Linted(path, data, None, problem=str(exc))
        cfg = resolved.cfg
        if _excluded(path, cfg.exclude, cfg.root):
            return Linted(path, data, None, resolved, problem="excluded by the configuration")
        result = lint_source(path, data, resolved.settings, keep_model=True)
        m = result.migration
        # The rule for editors: under a migrations folder, or declaring a class that
        # extends Migration (the CLI also lints class-less snippets it is pointed at; an editor
        # opens every routes/ and config/ file). A file that does not parse has only its folder.
        migration = in_migrations_folder(path) or (
            m.error is None and bool(m.classes) and is_migration(path, m))
        if result.summary is not None:
            self._buffers[path] = (data, result.summary)
        return Linted(path, data, result, resolved, migration)

    # ------------------------------------------------------------------ history
    def wants_history(self, linted: Linted) -> bool:
        return (linted.migration and not linted.broken and linted.resolved is not None
                and any(c in linted.resolved.settings.enabled for c in HISTORY_CODES))

    def history(self, directory: str, buffers: dict[str, bytes], given: set[str],
                resolved: Resolved):
        """(History, {path: replay findings}) for the given open files of one folder."""
        overlay = self._folder(directory)
        overlay.update(buffers)
        parsed = {}
        for path, data in overlay.items():
            s = self._summary(path, data)
            if s is not None:
                parsed[path] = s
        h = replayed.load(directory, overlay, parsed, given,
                          resolved.cache_dir if len(parsed) < len(overlay) else None)
        for s in h.summaries:
            self._remember(s, overlay.get(s.path))
        return h, replayed.findings(h, given, resolved.settings)

    def table_at(self, path: str, buffers: dict[str, bytes], resolved: Resolved,
                 connection: str | None, table: str):
        directory = os.path.dirname(path)
        overlay = self._folder(directory)  # paths from the caller are normalised too
        overlay.update(buffers)
        parsed = {p: s for p, d in overlay.items() if (s := self._summary(p, d)) is not None}
        h = replayed.load(directory, overlay, parsed, set(), None)
        return replayed.table_at(h, path, connection, table, resolved.settings)

    def _folder(self, directory: str) -> dict[str, bytes]:
        """{path: bytes} of the migrations directly in a folder, re-read only when changed
        (paths are normalised: the folder is, and scandir joins it with a bare name)."""
        from migrate_lint.replay.history import _migration_name

        directory = os.path.normpath(directory)
        known = self._disk.setdefault(directory, {})
        out: dict[str, bytes] = {}
        try:
            entries = list(os.scandir(directory))
        except OSError:
            entries = []
        for entry in entries:
            if not _migration_name(entry.name):
                continue
            try:
                if not entry.is_file():
                    continue
                stamp = _stamp(entry.stat())
                memo = known.get(entry.path)
                if memo is None or memo.stamp != stamp:
                    with open(entry.path, "rb") as fh:
                        memo = known[entry.path] = _OnDisk(stamp, fh.read())
            except OSError:
                continue  # load_history reads it again and records why it cannot
            out[entry.path] = memo.data
        if len(known) != len(out):
            for path in [p for p in known if p not in out]:
                del known[path]
        return out

    def _summary(self, path: str, data: bytes):
        known = self._disk.get(os.path.dirname(path), {}).get(path)
        if known is not None and known.data is data:
            return known.summary
        buffered = self._buffers.get(path)
        if buffered is not None and buffered[0] == data:
            return buffered[1]
        return None

    def _remember(self, summary, data: bytes | None) -> None:
        if data is None or summary.error is not None:
            return
        path = summary.path
        known = self._disk.get(os.path.dirname(path), {}).get(path)
        if known is not None and known.data is data:
            known.summary = summary
        else:
            self._buffers[path] = (data, summary)

    def forget_buffer(self, path: str) -> None:
        self._buffers.pop(os.path.normpath(path), None)
