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

# The standard library's escape (quotes too) is several times faster than markupsafe's per call;
# the pieces are joined and marked safe once.
from html import escape as esc  # noqa: E402

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
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "separators": (",", ":")}
    env.globals["diff"] = diff_html
    return env


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# The literal "://" first, so the search runs at C speed over a page of megabytes.
_PASSWORD = re.compile(r"(://[^/\s:@\"'<>]*:)[^@\s/\"'<>]+@")


def mask_secrets(text: str) -> str:
    """`scheme://user:password@` loses the password. The commands mask their URLs already; the
    finished page is the last place to make sure, whatever form (escaped, JSON) it took."""
    return _PASSWORD.sub(r"\1***@", text) if "://" in text else text


_DIFF_CLASS = {"+": "d-add", "-": "d-del", "@": "d-hunk"}


def diff_html(text: str) -> Markup:
    """A unified diff as a <pre>, one classed span per line. Escaped in one call: escaping
    neither adds nor removes a line break, nor touches the +, - or @ a line starts with."""
    out = []
    for line in esc(text).splitlines():
        cls = "d-file" if line.startswith(("+++", "---")) else _DIFF_CLASS.get(line[:1], "d-ctx")
        out.append(f'<span class="{cls}">{line}</span>')
    return Markup('<pre class="diff">' + "\n".join(out) + "</pre>")


def render(template: str, title: str, **values) -> str:
    from migrate_lint import __version__

    css, js = _assets()
    page = environment().get_template(template)
    return mask_secrets(page.render(title=title, css=css, js=js, csp=csp(css, js),
                                    version=__version__, **values))


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
