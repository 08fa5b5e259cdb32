"""The jinja2 environment for fix templates: a project's template-dir first, then ours.

A project's templates come from the repository being linted, which may be an untrusted pull
request: they render in jinja2's immutable sandbox (no attribute starting with `_`, no
function globals, no mutation of what the context passes in), and a template file whose real
path leaves its directory (a symlink to ~/.ssh/id_rsa) is not found.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
MAX_POWER = 64          # `**` and `*` bounds so a template cannot exhaust memory or CPU
MAX_REPEAT = 1_000_000


def _loader(jinja2, directory: str):
    class ContainedLoader(jinja2.FileSystemLoader):
        def get_source(self, environment, template):
            found = super().get_source(environment, template)
            real = Path(found[1]).resolve()
            if not real.is_relative_to(Path(directory).resolve()):
                raise jinja2.TemplateNotFound(template)
            return found

    return ContainedLoader(directory)


@lru_cache(maxsize=8)
def environment(user_dir: str | None):
    import jinja2  # lazy: only a run that renders fixes pays for jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**"])

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, int) and abs(right) > MAX_POWER:
                raise jinja2.sandbox.SecurityError(f"exponent {right} is too large")
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                            and len(seq) * n > MAX_REPEAT:
                        raise jinja2.sandbox.SecurityError("repetition is too large")
            return super().call_binop(context, operator, left, right)

    loaders = [_loader(jinja2, user_dir)] if user_dir else []
    loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
    return Sandbox(loader=jinja2.ChoiceLoader(loaders), autoescape=False,
                   undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


def is_user_template(user_dir: str | None, name: str) -> bool:
    return bool(user_dir) and (Path(user_dir) / name).is_file()
