"""Runs the pipeline on one file: read, parse, build the model, run rules, apply suppressions."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from migrate_lint.findings import Finding
from migrate_lint.record import field, record
from migrate_lint.rules._common import RuleContext


HISTORY_CODES = ("ML101", "ML102", "ML103", "ML104", "ML105")


class SelectionError(Exception):
    pass


@record
class Settings:
    enabled: set[str]
    rule_ctx: RuleContext = field(default_factory=RuleContext)
    per_file_ignores: dict[str, set[str]] = field(default_factory=dict)
    root: Path = field(default_factory=Path.cwd)


@record
class FileResult:
    path: str
    findings: list[Finding]
    migration: object = None
    error: str | None = None  # the file could not be read
    summary: object = None  # the replay's per-file summary, built from the same parse
    rows: list | None = None  # findings as rows (findings.to_rows) instead of `findings`


def expand_codes(tokens, all_rules) -> set[str]:
    """Codes, names or code prefixes (`ML0`, `ML`) to a set of codes; unknown tokens are errors."""
    out = set()
    for raw in tokens:
        for token in (t.strip() for t in raw.split(",")):
            if not token:
                continue
            if token.upper() == "ALL":
                out |= {r.CODE for r in all_rules}
                continue
            matched = {r.CODE for r in all_rules
                       if r.CODE.startswith(token.upper()) or r.NAME == token.lower()}
            if not matched:
                raise SelectionError(f"unknown rule code or name: {token}")
            out |= matched
    return out


def resolve_selection(select, ignore, all_rules) -> set[str]:
    enabled = expand_codes(select, all_rules) if select else {r.CODE for r in all_rules}
    return enabled - expand_codes(ignore or [], all_rules)


def settings_for(cfg, select=(), ignore=(), check_down=None, laravel_version=None,
                 database=None, start: Path | None = None) -> Settings:
    """Settings from a loaded Config and command-line (or editor) overrides. Raises
    SelectionError or config.ConfigError; the Laravel version falls back to the composer.lock
    above `start`."""
    from migrate_lint import config as cfgmod
    from migrate_lint import rules
    from migrate_lint.rules._common import RuleContext

    # The catalogue's names: selecting rules imports none of them.
    enabled = resolve_selection(list(select) or cfg.select, list(cfg.ignore) + list(ignore),
                                rules.names())
    pfi = {glob: expand_codes(codes, rules.names())
           for glob, codes in cfg.per_file_ignores.items()}
    version = cfg.laravel_version
    if laravel_version:
        version = cfgmod.parse_version(laravel_version)
        if version is None:
            raise cfgmod.ConfigError(f"--laravel-version is not a version: {laravel_version}")
    if version is None:
        version, _ = cfgmod.laravel_version_from_composer(start or Path.cwd())
    ctx = RuleContext(check_down=cfg.check_down if check_down is None else check_down,
                      laravel_version=version, database=database or cfg.database,
                      database_version=cfg.database_version)
    return Settings(enabled=enabled, rule_ctx=ctx, per_file_ignores=pfi, root=cfg.root)


def _file_ignores(path: str, settings: Settings) -> set[str]:
    out: set[str] = set()
    if not settings.per_file_ignores:
        return out
    candidates = {path, os.path.basename(path)}
    try:
        candidates.add(Path(path).resolve().relative_to(settings.root).as_posix())
    except ValueError:
        pass
    for pattern, codes in settings.per_file_ignores.items():
        if any(fnmatch.fnmatch(c, pattern) for c in candidates):
            out |= codes
    return out


def in_migrations_folder(path: str) -> bool:
    if "migrations" not in path.lower():  # the common answer without building a Path
        return False
    return any(p.lower() == "migrations" for p in Path(path).parts[:-1])


def is_migration(path: str, migration) -> bool:
    """Anything under a `migrations` folder, a file declaring a migration class, or code with
    no class at all (a snippet). A file whose classes are all something else (a seeder, a
    model, a service provider) is not linted: linting an app's root must not flag its
    seeders' inserts."""
    if in_migrations_folder(path) or not migration.classes:
        return True
    return any(base and "migration" in base.lower() for _, base in migration.classes)


def lint_source(path: str, data: bytes, settings: Settings, keep_model: bool = False) -> FileResult:
    from migrate_lint import rules as catalogue
    from migrate_lint import suppress
    from migrate_lint.model import build
    from migrate_lint.rules import ml000_syntax_error, ml900_unused_ignore

    migration = build(path, data)
    migration.laravel_version = settings.rule_ctx.laravel_version
    summary = None
    if any(code in settings.enabled for code in HISTORY_CODES):
        from migrate_lint.replay.steps import summarise

        summary = summarise(migration)  # the replay reuses this parse instead of its own
    enabled = settings.enabled - _file_ignores(path, settings)
    findings: list[Finding] = []
    if migration.error is not None:
        if ml000_syntax_error.CODE in enabled:
            findings += list(ml000_syntax_error.check(migration, settings.rule_ctx))
        return FileResult(path, findings, migration if keep_model else None, summary=summary)
    if not is_migration(path, migration):
        return FileResult(path, [], migration if keep_model else None, summary=summary)
    seen = set()
    for rule in catalogue.FILE_RULES:
        if rule.CODE in enabled and rule.CODE not in ("ML000", "ML900"):
            for f in rule.check(migration, settings.rule_ctx):
                # A helper called twice the same way is one mistake in one place.
                key = (f.code, f.span, f.message)
                if key not in seen:
                    seen.add(key)
                    findings.append(f)
    findings, unused = suppress.apply(findings, migration, catalogue.lookup, enabled,
                                      ml900_unused_ignore)
    findings += unused
    findings.sort(key=Finding.sort_key)
    return FileResult(path, findings, migration if keep_model else None, summary=summary)


def read(path: str) -> tuple[bytes | None, str | None]:
    try:
        with open(path, "rb") as fh:
            return fh.read(), None
    except IsADirectoryError:
        return None, "is a directory"
    except OSError as exc:
        return None, exc.strerror or str(exc)


def lint_path(path: str, settings: Settings, keep_model: bool = False) -> FileResult:
    data, error = read(path)
    if data is None:
        return FileResult(path, [], None, error)
    return lint_source(path, data, settings, keep_model)
