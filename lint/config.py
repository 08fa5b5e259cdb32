"""`.migrate-lint.toml` or `[tool.migrate-lint]` in pyproject.toml, found by walking up."""

from __future__ import annotations

import re
from pathlib import Path

from migrate_lint.record import field, record

KEYS = {"select", "ignore", "exclude", "per-file-ignores", "check-down", "laravel-version",
        "database", "database-version", "template-dir", "cache-dir", "jobs", "extend-exclude"}
DATABASES = ("mysql", "mariadb", "pgsql", "sqlite", "sqlsrv")


class ConfigError(Exception):
    """A configuration problem; the CLI prints it on one line and exits 2."""


@record
class Config:
    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    check_down: bool = True
    laravel_version: tuple[int, ...] | None = None
    laravel_version_source: str = ""
    database: str | None = None
    database_version: tuple[int, ...] | None = None
    template_dir: Path | None = None
    cache_dir: Path | None = None
    jobs: int | None = None


def parse_version(text: str) -> tuple[int, ...] | None:
    m = re.match(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", str(text))
    if not m:
        return None
    return tuple(int(g) for g in m.groups() if g is not None)


def find_config(start: Path) -> Path | None:
    start = start.resolve()
    for directory in [start, *start.parents] if start.is_dir() else [start.parent,
                                                                      *start.parent.parents]:
        candidate = directory / ".migrate-lint.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "migrate-lint" in pyproject.read_text(errors="replace"):
            try:
                data = _read_toml(pyproject)
            except ConfigError:
                raise
            if "migrate-lint" in data.get("tool", {}):
                return pyproject
    return None


def _read_toml(path: Path) -> dict:
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _str_list(path, key, value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: `{key}` must be a list of strings")
    return list(value)


def _inside_project(path, key, value, root: Path) -> Path:
    """A directory the config names, resolved (symlinks too); a repository's config may only
    point inside its own project, so linting an untrusted checkout reads and writes nothing
    elsewhere."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: `{key}` must be a directory path (a string)")
    resolved = (root / value).resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ConfigError(f"{path}: `{key}` = {value!r} resolves to {resolved}, outside the "
                          f"project ({root}); it must be a directory inside it")
    return resolved


def load(path: Path | None) -> Config:
    cfg = Config()
    if path is None:
        return cfg
    path = Path(path)
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("migrate-lint", {})
    cfg.path, cfg.root = path, path.resolve().parent
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown key `{key}` (known: {', '.join(sorted(KEYS))})")
        if key == "select":
            cfg.select = _str_list(path, key, value)
        elif key == "ignore":
            cfg.ignore = _str_list(path, key, value)
        elif key in ("exclude", "extend-exclude"):
            cfg.exclude += _str_list(path, key, value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: `per-file-ignores` must be a table of glob = [codes]")
            cfg.per_file_ignores = {k: _str_list(path, f"per-file-ignores.{k}", v)
                                    for k, v in value.items()}
        elif key == "check-down":
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: `check-down` must be true or false")
            cfg.check_down = value
        elif key == "laravel-version":
            if isinstance(value, float):
                # TOML reads 10.50 as the number 10.5: the minor version would be lost.
                raise ConfigError(f"{path}: `laravel-version` must be a string, e.g. "
                                  f"laravel-version = \"{value}\" (a bare {value} is a TOML "
                                  f"number, which cannot tell 10.50 from 10.5)")
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise ConfigError(f"{path}: `laravel-version` must be a string such as \"10.48\"")
            cfg.laravel_version = parse_version(str(value))
            if cfg.laravel_version is None:
                raise ConfigError(f"{path}: `laravel-version` is not a version: {value!r}")
            cfg.laravel_version_source = str(path)
        elif key == "database":
            if value not in DATABASES:
                raise ConfigError(f"{path}: `database` must be one of {', '.join(DATABASES)}")
            cfg.database = value
        elif key == "database-version":
            # The server's version decides a few raw-SQL clauses (MySQL 8.0.29's CREATE TRIGGER
            # IF NOT EXISTS, PostgreSQL 14's CREATE OR REPLACE TRIGGER).
            cfg.database_version = parse_version(value) if isinstance(value, str) else None
            if cfg.database_version is None:
                raise ConfigError(f"{path}: `database-version` must be a string such as "
                                  f"\"8.0.32\" or \"10.11\"")
        elif key == "template-dir":
            cfg.template_dir = _inside_project(path, key, value, cfg.root)
        elif key == "cache-dir":
            cfg.cache_dir = _inside_project(path, key, value, cfg.root)
        elif key == "jobs":
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{path}: `jobs` must be a positive integer")
            cfg.jobs = value
    return cfg


def laravel_version_from_composer(start: Path) -> tuple[tuple[int, ...] | None, str]:
    """laravel/framework's version from the nearest composer.lock above start."""
    start = start.resolve()
    for directory in [start, *start.parents]:
        lock = directory / "composer.lock"
        if lock.is_file():
            import json

            try:
                data = json.loads(lock.read_text(errors="replace"))
            except (OSError, ValueError):
                return None, ""
            for pkg in data.get("packages", []) + data.get("packages-dev", []):
                if pkg.get("name") == "laravel/framework":
                    return parse_version(pkg.get("version", "")), str(lock)
            return None, ""
    return None, ""
