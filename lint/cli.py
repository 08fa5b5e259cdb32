"""The command line: click commands that wire the pipeline together, no logic of their own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from migrate_lint import __version__

FORMAT_NAMES = ["text", "concise", "json", "github", "sarif", "gitlab", "junit", "html"]


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
    # A name read from a non-UTF-8 file keeps its bytes as surrogate escapes: printed, it
    # becomes U+FFFD instead of an encoding error.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def fail(message: str) -> None:
    click.echo(f"migrate-lint: error: {message}", err=True)
    sys.exit(2)


def _explain(code: str) -> None:
    from migrate_lint import rules

    rule = rules.lookup(code)
    if rule is None:
        fail(f"unknown rule code or name: {code}")
    from migrate_lint.links import doc_url

    click.echo(f"{rule.CODE} ({rule.NAME})\n")
    click.echo((rule.__doc__ or "").split("\n", 2)[-1].strip())
    click.echo(f"\nFixable: {'yes' if rule.FIXABLE else 'no'}")
    url = doc_url(rule.CODE, rule.NAME)
    if url:
        click.echo(f"Docs: {url}")


def _list_rules() -> None:
    from migrate_lint import rules

    for rule in rules.all_rules():
        click.echo(f"{rule.CODE}  {rule.NAME:<28} {'[*]' if rule.FIXABLE else '   '} "
                   f"{getattr(rule, 'SUMMARY', '')}")


def _color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def load_config(config_path, first_path):
    from migrate_lint import config as cfgmod

    try:
        if config_path:
            return cfgmod.load(Path(config_path))
        start = Path(first_path) if first_path and first_path != "-" else Path.cwd()
        if not start.exists():
            start = Path.cwd()
        return cfgmod.load(cfgmod.find_config(start))
    except cfgmod.ConfigError as exc:
        fail(str(exc))


def build_settings(cfg, select, ignore, check_down, laravel_version, database, first_path):
    from migrate_lint import config as cfgmod
    from migrate_lint.engine import SelectionError, settings_for

    start = Path(first_path) if first_path and first_path != "-" else Path.cwd()
    try:
        return settings_for(cfg, select, ignore, check_down, laravel_version, database,
                            start if start.exists() else Path.cwd())
    except (SelectionError, cfgmod.ConfigError) as exc:
        fail(str(exc))


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Rule codes, names or prefixes to enable (comma-separated).")
@click.option("--ignore", multiple=True, help="Rule codes, names or prefixes to disable.")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(), help="Config file (default: nearest .migrate-lint.toml or pyproject.toml).")
@click.option("--fix", is_flag=True, help="Rewrite fixable findings with guards.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--statistics", is_flag=True, help="A table of counts per rule instead of the listing.")
@click.option("--output-file", "-o", type=click.Path(), help="Write the report to a file.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary or source.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--explain", metavar="CODE", help="Print a rule's documentation and exit.")
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
@click.option("--check-down/--no-check-down", default=None, help="Lint down() too (default: config, else yes).")
@click.option("--laravel-version", metavar="X.Y", help="Laravel version (default: config, else composer.lock).")
@click.option("--database", type=click.Choice(["mysql", "mariadb", "pgsql", "sqlite", "sqlsrv"]), help="Database the project runs on (for raw-SQL fixes).")
@click.option("--stdin-filename", metavar="PATH", help="Name to report for `-` (standard input).")
@click.option("--changed-since", metavar="REF", help="Only files added or modified since this git ref.")
@click.option("--baseline", "baseline_path", type=click.Path(), help="Hide the findings recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(), help="Record the current findings as a baseline and exit 0.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), help="Worker processes (default: cores).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def check(paths, select, ignore, fmt, config_path, fix, diff, statistics, output_file, quiet,
          exit_zero, explain, list_rules, check_down, laravel_version, database,
          stdin_filename, changed_since, baseline_path, write_baseline, jobs, no_cache, color):
    """Lint migration files (default: ./database/migrations)."""
    if explain:
        _explain(explain)
        return
    if list_rules:
        _list_rules()
        return
    from migrate_lint import runner

    paths = list(paths)
    if not paths:
        if not os.path.isdir(os.path.join("database", "migrations")):
            fail("no paths given and no database/migrations directory here; pass the "
                 "migration files or directories to lint")
        paths = [os.path.join("database", "migrations")]
    cfg = load_config(config_path, paths[0])
    settings = build_settings(cfg, select, ignore, check_down, laravel_version, database, paths[0])
    options = runner.Options(
        paths=paths, fmt=fmt, fix=fix, diff=diff, statistics=statistics,
        output_file=output_file, quiet=quiet, exit_zero=exit_zero, stdin_filename=stdin_filename,
        changed_since=changed_since, baseline=baseline_path, write_baseline=write_baseline,
        jobs=jobs or cfg.jobs, use_cache=not no_cache, color=_color(color))
    sys.exit(runner.run(options, settings, cfg))


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
