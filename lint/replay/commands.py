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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "mermaid", "html"]),
              default="text", show_default=True,
              help="mermaid: erDiagram blocks in Markdown; html: a page with the diagram.")
@click.option("--output-file", "-o", type=click.Path(), help="Write the schema to a file.")
def schema(paths, fmt, output_file):
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
        text = json.dumps({"histories": out}, indent=2) + "\n"
    elif fmt == "mermaid":
        from migrate_lint.report import mermaid

        text = mermaid.render(out)
    elif fmt == "html":
        from migrate_lint.report import schema_html

        text = schema_html.render(out)
    else:
        text = render_text(out)
    _write(text, output_file)


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--schema", "dump_path", type=click.Path(),
              help="Schema dump of the real database (schema:dump, mysqldump --no-data, "
                   "pg_dump --schema-only, sqlite .schema), with its migrations rows.")
@click.option("--database", "database_url", metavar="URL",
              help="Read the real database itself, read-only: mysql://, mariadb://, "
                   "pgsql://, postgres:// or sqlite:///path (prefer --database-env or "
                   "--env-file: a password on a command line is visible to others).")
@click.option("--database-env", metavar="VAR",
              help="Environment variable holding the database URL.")
@click.option("--env-file", type=click.Path(),
              help="A Laravel .env file to read the connection from (DB_CONNECTION, DB_HOST, "
                   "DB_DATABASE, DB_USERNAME, DB_PASSWORD or DB_URL).")
@click.option("--connection", default=None,
              help="With --env-file: the Laravel connection to read (default: DB_CONNECTION).")
@click.option("--prefix", default=None,
              help="Table prefix of the connection (default: DB_PREFIX, else none).")
@click.option("--migrations-table", default="migrations", show_default=True,
              help="The table Laravel records migrations in.")
@click.option("--dialect", type=click.Choice(["mysql", "postgres", "sqlite"]),
              help="SQL dialect of the dump (default: detected).")
@click.option("--laravel-version", metavar="X.Y",
              help="Laravel version (default: config, else composer.lock).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text",
              show_default=True)
@click.option("--output-file", "-o", type=click.Path(), help="Write the report to a file.")
def plan(paths, dump_path, database_url, database_env, env_file, connection, prefix,
         migrations_table, dialect, laravel_version, fmt, output_file):
    """Predict what `php artisan migrate` will do on a real database: which pending migrations
    run (and which guarded steps they skip), which one fails, at which statement and with which
    error, which are never reached, and whether --fix lets the whole run complete."""
    from migrate_lint.replay import dump as dumpmod
    from migrate_lint.replay import plan as planner

    sources = [x for x in (dump_path, database_url, database_env, env_file) if x]
    if len(sources) != 1:
        _fail("give exactly one of --schema DUMP, --database URL, --database-env VAR or "
              "--env-file .env")
    groups = _directories(paths)
    dirs = [d for group in groups for d in group]
    settings = _settings(dirs[0], laravel_version)
    try:
        if dump_path:
            if not _readable_dump(dump_path):
                _fail(f"{dump_path}: no such schema dump")
            source = dumpmod.load(dump_path, dialect)
        else:
            source = _read_database(database_url, database_env, env_file, connection, prefix,
                                    migrations_table)
        result = planner.make_plan(source, dirs, engine=source.engine or
                                   settings.rule_ctx.database,
                                   laravel=settings.rule_ctx.laravel_version, settings=settings)
    except dumpmod.DumpError as exc:
        _fail(str(exc))
    _write(_plan_report(result, fmt), output_file)
    sys.exit(1 if result.fails else 0)


def _readable_dump(path: str) -> bool:
    """A file, a pipe (`--schema <(mysqldump --no-data ...)`) or /dev/null (an empty database);
    never a directory or a device that reads forever."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or os.path.realpath(path) == os.devnull


def _plan_report(result, fmt: str) -> str:
    from migrate_lint.replay import plan as planner

    if fmt == "json":
        return json.dumps(result.as_dict(), indent=2) + "\n"
    if fmt == "html":
        from migrate_lint.report import plan_html

        return plan_html.render(result.as_dict())
    return planner.render_text(result)


def _write(text: str, output_file: str | None) -> None:
    from migrate_lint.report.page import write_output

    write_output(text, output_file, _fail)


def _read_database(url, env_var, env_file, connection, prefix, migrations_table):
    try:
        from migrate_lint.introspect import DatabaseTarget, IntrospectError, read_database
    except ImportError as exc:  # pragma: no cover - the package ships with migrate-lint
        _fail(f"reading a live database is not available: {exc}")
    try:
        target = DatabaseTarget.parse(url, env_var=env_var, env_file=env_file,
                                      connection=connection)
        parsed = read_database(target, prefix=prefix, migrations_table=migrations_table)
    except IntrospectError as exc:
        _fail(str(exc))
    parsed.source = "database"
    return parsed


def _settings(first_path, laravel_version):
    """The check command's settings for these paths (config file, composer.lock)."""
    from migrate_lint.runner import build_settings, load_config

    cfg = load_config(None, first_path)
    return build_settings(cfg, (), (), None, laravel_version, None, first_path)
