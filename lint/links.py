"""Where a rule's documentation is: a link only to something real.

The rule pages' web address comes from the installed package's own metadata, the
`[project.urls]` of pyproject.toml: a `Rule docs` entry is the folder holding
`docs/rules/<CODE>-<name>.md`. Without one, the pointer is the command that prints the same
page: `migrate-lint --explain CODE`.
"""

from __future__ import annotations

from functools import lru_cache

DOCS_KEY = "rule docs"
HOME_KEYS = ("homepage", "repository", "source")


@lru_cache(maxsize=1)
def project_urls() -> dict[str, str]:
    """{label (lower case): url} from the installed distribution's Project-URL entries."""
    from importlib import metadata

    try:
        entries = metadata.metadata("migrate-lint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return {}
    out = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        if url.strip().startswith(("https://", "http://")):
            out[label.strip().lower()] = url.strip()
    return out


def doc_url(code: str, name: str) -> str | None:
    base = project_urls().get(DOCS_KEY)
    if not base:
        return None
    return f"{base.rstrip('/')}/{code}-{name}.md"


def home_url() -> str | None:
    urls = project_urls()
    return next((urls[k] for k in HOME_KEYS if k in urls), None)


def doc_pointer(code: str, name: str) -> str:
    """A link when the project publishes one, else the command that prints the docs."""
    return doc_url(code, name) or f"migrate-lint --explain {code}"
