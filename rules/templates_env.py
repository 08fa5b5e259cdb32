"""The jinja2 environment for fix templates: a project's template-dir first, then ours."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=8)
def environment(user_dir: str | None):
    import jinja2  # lazy: only a run that renders fixes pays for jinja2

    dirs = [user_dir] if user_dir else []
    dirs.append(str(PACKAGE_TEMPLATES))
    return jinja2.Environment(loader=jinja2.FileSystemLoader(dirs), autoescape=False,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


def is_user_template(user_dir: str | None, name: str) -> bool:
    return bool(user_dir) and (Path(user_dir) / name).is_file()
