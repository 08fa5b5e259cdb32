"""The command line: click commands that wire the pipeline together, no logic of their own."""

from __future__ import annotations

import sys

import click

from migrate_lint import __version__
from migrate_lint.runner import build_settings, fail, load_config  # noqa: F401 (their old home)


class DefaultGroup(click.Group):
    """`migrate-lint [OPTIONS] [PATHS]` means `migrate-lint check ...`; subcommands win."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h",
                                                                          "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migrate-lint")
def main():
    """Find Laravel migration operations that fail when re-run, and fix them with guards.

    Run `migrate-lint [PATHS]` (the `check` command) to lint, `--fix` to rewrite.
    """
    from migrate_lint.runner import tolerant_output

    tolerant_output()


def _check_command(function):
    """The `check` command, its options built from lint/options.py (their one definition)."""
    from migrate_lint import options

    for opt in reversed(options.OPTIONS):
        kw = {"help": opt.help or None}
        if opt.kind == "flag":
            kw["is_flag"] = True
        elif opt.kind == "switch":
            kw["default"] = None
        elif opt.kind == "multiple":
            kw["multiple"] = True
        elif opt.kind == "choice":
            kw["type"] = click.Choice(opt.choices)
        elif opt.kind == "jobs":
            kw["type"] = click.IntRange(*options.JOBS_RANGE)
        elif opt.path:
            kw["type"] = click.Path()
        if opt.default not in (None, False, ()):
            kw["default"] = opt.default
        if opt.metavar:
            kw["metavar"] = opt.metavar
        if opt.show_default:
            kw["show_default"] = True
        flags = ["/".join(opt.flags)] if opt.kind == "switch" else opt.flags
        function = click.option(*flags, opt.dest, **kw)(function)
    function = click.argument("paths", nargs=-1, type=click.Path())(function)
    return main.command("check")(function)


@_check_command
def check(**params):
    """Lint migration files (default: ./database/migrations)."""
    from migrate_lint import runner

    sys.exit(runner.check(params))


@main.command("server")
def server():
    """Language server (LSP over stdio) for editors: diagnostics, quick fixes, hover.

    Needs the `server` extra: pip install 'migrate-lint[server]'.
    """
    try:
        from migrate_lint.server.app import serve
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise
        fail(f"the language server needs pygls ({exc.name} is missing): "
             "pip install 'migrate-lint[server]'")
    serve()


def _register_commands():
    # Subcommands live in their own modules; each imports its heavy parts lazily.
    from migrate_lint.dynamic.command import verify

    main.add_command(verify)
    from migrate_lint.replay.commands import plan, schema

    main.add_command(schema)
    main.add_command(plan)


_register_commands()
