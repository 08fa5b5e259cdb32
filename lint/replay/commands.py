"""`migrate-lint schema` and `migrate-lint plan`: click wiring only."""

from __future__ import annotations

import json
import os
import sys

import click


def _fail(message: str) -> None:
    click.echo(f"migrate-lint: error: {message}", err=True)
    sys.exit(2)


def _directories(paths) -> list[list[str]]:
    """Histories (lists of directories) for the given paths, as the check command groups them."""
    from migrate_lint.discover import discover
    from migrate_lint.replay.history import group_histories

    paths = list(paths)
    if not paths:
        default = os.path.join("database", "migrations")
        if not os.path.isdir(default):
            _fail("no paths given and no database/migrations directory here; pass the "
                  "migrations directory")
        paths = [default]
    files, errors = discover(paths)
    for path, reason in errors:
        _fail(f"{path}: {reason}")
    if not files:
        _fail(f"no migration files under {', '.join(paths)}")
    return group_histories(files, paths)


@click.command("schema")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def schema(paths, fmt):
    """Print the schema the migrations build: tables, columns, indexes, and what is unknown."""
    from migrate_lint.replay import dump as dumpmod
    from migrate_lint.replay import history as hist
    from migrate_lint.replay.schema_view import render_text, state_data

    out = []
    for dirs in _directories(paths):
        h = hist.load_history(dirs)
        try:
            for _ in hist.replay(h):
                pass
        except dumpmod.DumpError as exc:
            _fail(str(exc))
        out.append({"directories": dirs, "migrations": len(h.summaries),
                    "squashed": sorted(h.squashed.values()),
                    "already_in_squashed_schema": len(h.ran),
                    "connections": state_data(h.final, h.default_name)})
    if fmt == "json":
        click.echo(json.dumps({"histories": out}, indent=2))
    else:
        click.echo(render_text(out), nl=False)


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--schema", "dump_path", required=True, type=click.Path(),
              help="Schema dump of the real database (schema:dump, mysqldump --no-data, "
                   "pg_dump --schema-only, sqlite .schema).")
@click.option("--dialect", type=click.Choice(["mysql", "postgres", "sqlite"]),
              help="SQL dialect of the dump (default: detected).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def plan(paths, dump_path, dialect, fmt):
    """Predict which pending migrations run, fail or are never reached on a dumped database."""
    from migrate_lint.replay import dump as dumpmod
    from migrate_lint.replay import plan as planner

    if not os.path.isfile(dump_path):
        _fail(f"{dump_path}: no such schema dump")
    dirs = [d for group in _directories(paths) for d in group]
    try:
        result = planner.make_plan(dump_path, dirs, dialect)
    except dumpmod.DumpError as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        click.echo(planner.render_text(result), nl=False)
    sys.exit(1 if result.fails else 0)
