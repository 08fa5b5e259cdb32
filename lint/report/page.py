"""Self-contained HTML pages: jinja2 with autoescape, our own CSS and JS inline, a strict
Content-Security-Policy that allows exactly those two blocks (by hash), nothing from outside.

Data reaches a script only as JSON (`|tojson`, which escapes `<`, `>`, `&` and `'`), in a
`<script type="application/json">` block that the browser never executes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from functools import lru_cache

from markupsafe import Markup

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "templates")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    with open(os.path.join(TEMPLATES, "report.css"), encoding="utf-8") as fh:
        css = fh.read()
    with open(os.path.join(TEMPLATES, "report.js"), encoding="utf-8") as fh:
        js = fh.read()
    return css, js


def csp(css: str, js: str) -> str:
    # default-src 'none' shuts out fetches, frames, fonts, images, connections and plugins;
    # only the page's own style and script blocks run.
    return (f"default-src 'none'; style-src {_sha256(css)}; script-src {_sha256(js)}; "
            "img-src data:; base-uri 'none'; form-action 'none'")


@lru_cache(maxsize=1)
def environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["plural"] = plural
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s]+@")


def mask_secrets(value):
    """Strings with `scheme://user:password@` lose the password, however deep in the data:
    the commands mask their URLs already, and a report is the last place to make sure."""
    if isinstance(value, str):
        if "://" not in value:
            return value
        masked = _PASSWORD.sub(r"\1***@", value)
        return type(value)(masked) if isinstance(value, Markup) else masked
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_secrets(v) for v in value)
    return value


def render(template: str, title: str, **values) -> str:
    from migrate_lint import __version__

    css, js = _assets()
    page = environment().get_template(template)
    return page.render(title=title, css=css, js=js, csp=csp(css, js), version=__version__,
                       **{k: mask_secrets(v) for k, v in values.items()})


def write_output(text: str, output_file: str | None, fail) -> None:
    """Write a report to --output-file (or stdout); `fail(message)` on an I/O error."""
    import click

    if not output_file:
        click.echo(text, nl=False)
        return
    try:
        with open(output_file, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        fail(f"{output_file}: cannot write: {exc.strerror}")
