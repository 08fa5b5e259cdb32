"""`migrate-lint verify`: dynamic proof under real Laravel, on a scratch database.

For each migration, in Laravel's order: `up` (a failure here means "not runnable", e.g. code
that needs the full application: reported, not a finding), `up` again, `down`, `down` again,
then `up` once more to restore the state after the first `up` before the next migration.
A second `up` or a `down` that fails is an ML201 finding with Laravel's own error.
It only ever runs them on a database it created, or on one the user calls disposable
(lint/scratch.py).
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click

_METHOD = re.compile(rb"function\s+(up|down)\s*\(")


class VerifyError(Exception):
    pass


def migration_files(paths) -> list[str]:
    files = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files += [str(f) for f in p.glob("*_*.php") if f.is_file()]
        elif p.is_file():
            files.append(str(p))
        else:
            raise VerifyError(f"{given}: no such file or directory")
    return sorted(files, key=lambda f: (Path(f).stem, f))


def _method_span(path: str, method: str):
    from migrate_lint.source import Source

    data = Path(path).read_bytes()
    source = Source(path, data)
    for m in _METHOD.finditer(data):
        if m.group(1).decode() == method:
            return source.span(m.start(), m.end())
    return source.span(0, 0)


def _finding(path, method, step):
    from migrate_lint.findings import Finding
    from migrate_lint.rules import ml201_not_rerunnable as rule

    error = step.error or "unknown error"
    if step.sqlstate and "SQLSTATE" not in error:
        error = f"SQLSTATE[{step.sqlstate}] {error}"
    message = f"{method}() fails when run again under Laravel: {error}"
    return Finding(code=rule.CODE, rule=rule.NAME, path=path, span=_method_span(path, method),
                   message=message, severity="error", snippet=f"{rule.CODE} {method}")


def verify_files(files, db, autoload=None, notes=None):
    """Findings for the migrations that are not re-runnable; notes for the ones not runnable."""
    from migrate_lint import oracle

    findings = []
    for path in files:
        first = oracle.run_steps(path, ["up"], db, autoload=autoload)
        if first.error or not first.ok:
            reason = first.error or (first.failure.error if first.failure else "unknown error")
            if notes is not None:
                notes.append(f"{path}: not runnable here (first up failed): {reason}")
            continue
        rest = oracle.run_steps(path, ["up", "down", "down", "up"], db, autoload=autoload,
                                keep_going=True)
        for step, method in zip(rest.steps, ["up", "down", "down"]):
            if not step.ok:
                findings.append(_finding(path, method, step))
                break
    return findings


def _terminate(signum, frame):
    # SIGTERM kills Python without unwinding; as an exception the scratch database is dropped.
    raise SystemExit(128 + signum)


@contextmanager
def _database(server, disposable_url, drop_existing_tables):
    from migrate_lint import scratch

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

    from migrate_lint import oracle, scratch
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
