"""Which Laravel runs the migrations (the project's vendor/ or Debian's packages), and the
connection settings the app itself uses (literals of config/database.php, flags win)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from migrate_lint.record import field, record

CONNECTION_KEYS = ("strict", "charset", "collation", "prefix")
_CONFIGS = ("config/database.php", "app/Config/database.php")


class RuntimeProblem(Exception):
    pass


@record
class Runtime:
    autoload: list[str] | None  # None: Debian's packages
    laravel: str                # "Laravel 8.83.26 (Debian's packages)"
    notes: list[str] = field(default_factory=list)


def project_root(paths) -> Path | None:
    """The nearest folder above the first path with a composer.json or a vendor/."""
    start = Path(paths[0] if paths else ".").resolve()
    for folder in [start, *start.parents]:
        if (folder / "composer.json").is_file() or (folder / "vendor" / "autoload.php").is_file():
            return folder
    return None


def debian_laravel() -> str:
    version = "8.x"
    if shutil.which("dpkg-query"):
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "php-illuminate-database"],
                             capture_output=True, text=True)
        if out.returncode == 0 and out.stdout:
            version = out.stdout.split("+")[0].split("-")[0]
    return f"Laravel {version} (Debian's packages)"


def choose(paths, autoload: list[str], use_app_vendor: bool) -> Runtime:
    from migrate_lint.dynamic import oracle

    if autoload:
        found = oracle.probe(autoload)
        if not found.get("ok"):
            raise RuntimeProblem(f"{autoload[0]} cannot run here: {_first_line(found.get('error'))}")
        return Runtime(list(autoload), _label(found, autoload[0]))
    root = project_root(paths)
    vendor = root / "vendor" / "autoload.php" if root else None
    if use_app_vendor and vendor is not None and vendor.is_file():
        found = oracle.probe([str(vendor)])
        if found.get("ok"):
            return Runtime([str(vendor)], _label(found, str(vendor)))
        fallback = debian_laravel()
        return Runtime(None, fallback, [
            f"the project's {vendor} cannot run here ({_first_line(found.get('error'))}); "
            f"using {fallback} instead"])
    return Runtime(None, debian_laravel())


def _label(found: dict, where: str) -> str:
    version = found.get("laravel") or _installed_version(Path(where).parent) or "of unknown version"
    return f"Laravel {str(version).lstrip('v')} ({where})"


def _installed_version(vendor: Path) -> str | None:
    """laravel/framework's (else illuminate/database's) version in vendor/composer/installed.json."""
    import json

    try:
        data = json.loads((vendor / "composer" / "installed.json").read_text())
    except (OSError, ValueError):
        return None
    packages = data.get("packages", []) if isinstance(data, dict) else data
    versions = {p.get("name"): p.get("version") for p in packages if isinstance(p, dict)}
    return versions.get("laravel/framework") or versions.get("illuminate/database")


def _first_line(text) -> str:
    return " ".join(str(text or "unknown error").split())[:300]


def connection_options(paths, engine: str, overrides: dict) -> tuple[dict, str | None]:
    """(options, where they came from) for the connection the app uses on this engine."""
    from migrate_lint.model.config import connection_literals

    options, source = {}, None
    root = project_root(paths)
    for rel in _CONFIGS if root else ():
        path = root / rel
        if path.is_file():
            connections = connection_literals(path.read_bytes())
            drivers = ("sqlite",) if engine == "sqlite" else ("mysql", "mariadb")
            chosen = next((c for name, c in connections.items()
                           if name in drivers and c.get("driver", name) in drivers), None) or \
                next((c for c in connections.values() if c.get("driver") in drivers), None)
            if chosen:
                keys = ("prefix",) if engine == "sqlite" else CONNECTION_KEYS
                options = {k: chosen[k] for k in keys if k in chosen and chosen[k] is not None}
                source = str(path)
            break
    if engine != "sqlite":
        options.setdefault("strict", True)  # Laravel's own config/database.php default
    options.update({k: v for k, v in overrides.items() if v is not None})
    return options, source
