"""`migrate-lint verify`: the click command, a thin wrapper over verify.py."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import click

from migrate_lint.dynamic.verify import VerifyError, migration_files, verify_files


def _terminate(signum, frame):
    # SIGTERM kills Python without unwinding; as an exception the scratch database is dropped.
    raise SystemExit(128 + signum)


@contextmanager
def _database(server, disposable_url, drop_existing_tables):
    from migrate_lint.dynamic import scratch

    if server and disposable_url:
        raise VerifyError("give --server or --disposable-database, not both")
    if server:
        with scratch.server_scratch(server) as db:
            yield db
    elif disposable_url:
        with scratch.disposable(disposable_url, drop_existing_tables) as db:
            yield db
    else:
        with scratch.sqlite_scratch() as db:
            yield db


def _no_database_option(ctx, param, value):
    if value is not None:
        raise click.UsageError(
            "verify takes no --database: it runs migrations up and down and would destroy the "
            "database. Use --server URL (verify creates and drops its own scratch database "
            "there) or --disposable-database URL for a database you can lose. (`check --database "
            "ENGINE` names your engine; `plan --database URL` reads a database without writing.)")
    return value


@click.command("verify")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--autoload", multiple=True, type=click.Path(),
              help="Your project's vendor/autoload.php (default: Debian's Laravel packages).")
@click.option("--server", metavar="URL", envvar="MIGRATE_LINT_SERVER",
              help="MariaDB/MySQL server to verify on, mysql://user[:password]@host[:port] "
                   "(password also from $MIGRATE_LINT_SERVER_PASSWORD). verify creates a scratch database "
                   "there and drops it at the end. Default: a temporary SQLite file.")
@click.option("--disposable-database", "disposable_url", metavar="URL",
              help="Run on this existing database, which you can lose: mysql://.../NAME or "
                   "sqlite:///PATH. Refused when it holds tables, unless --drop-existing-tables.")
@click.option("--drop-existing-tables", is_flag=True,
              help="With --disposable-database: its tables may be dropped.")
@click.option("--database", hidden=True, expose_value=False, callback=_no_database_option)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif", "gitlab", "junit"]),
              default="text", show_default=True)
def verify_command(paths, autoload, server, disposable_url, drop_existing_tables, fmt):
    """Run each migration under real Laravel, up twice and down twice, on a scratch database
    verify creates itself; report what fails.

    It runs your repository's PHP with your account's rights: use it on your own code, never
    on untrusted pull requests.
    """
    import signal

    from migrate_lint.dynamic import oracle, scratch
    from migrate_lint.report import ReportContext, renderer

    ok, reason = oracle.available(list(autoload) or None)
    if not ok:
        click.echo(f"migrate-lint: error: {reason}", err=True)
        sys.exit(2)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        files = migration_files(paths or [os.path.join("database", "migrations")])
        with _database(server, disposable_url, drop_existing_tables) as db:
            notes: list[str] = []
            findings = verify_files(files, db, list(autoload) or None, notes)
    except (VerifyError, oracle.OracleError, scratch.ScratchError) as exc:
        click.echo(f"migrate-lint: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("migrate-lint: interrupted; the scratch database was removed", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    for note in notes:
        click.echo(f"migrate-lint: note: {note}", err=True)
    context = ReportContext(files=files, show_source=False)
    sys.stdout.write(renderer(fmt).render(findings, context))
    sys.exit(1 if findings else 0)


verify = verify_command
