"""`migrate-lint verify`: dynamic proof under real Laravel, on a scratch database.

For each migration, in Laravel's order: `up` (a failure here means "not runnable", e.g. code
that needs the full application: reported, not a finding), `up` again, `down`, `down` again,
then `up` once more to restore the state after the first `up` before the next migration.
A second `up` or a `down` that fails is an ML201 finding with Laravel's own error.
Only the database named with --database is touched; by default a temporary SQLite file.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import click

_METHOD = re.compile(rb"function\s+(up|down)\s*\(")


class VerifyError(Exception):
    pass


def database_from_url(url: str, scratch_dir: str):
    from migrate_lint import oracle

    if not url:
        path = os.path.join(scratch_dir, "verify.sqlite")
        Path(path).touch()
        return oracle.SqliteDb(path)
    parsed = urlparse(url)
    if parsed.scheme in ("mysql", "mariadb"):
        database = parsed.path.lstrip("/")
        if not database:
            raise VerifyError(f"{url}: name the database, e.g. mariadb://user:pass@host:3306/scratch")
        return oracle.MariaDb(database=database, host=parsed.hostname or "127.0.0.1",
                              port=parsed.port or 3306, user=unquote(parsed.username or "root"),
                              password=unquote(parsed.password or ""))
    if parsed.scheme == "sqlite":
        path = parsed.path if parsed.netloc == "" else parsed.netloc + parsed.path
        Path(path).touch()
        return oracle.SqliteDb(path)
    raise VerifyError(f"unsupported database URL {url!r}: use mysql://, mariadb:// or sqlite:///")


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


@click.command("verify")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--autoload", multiple=True, type=click.Path(),
              help="Your project's vendor/autoload.php (default: Debian's Laravel packages).")
@click.option("--database", "database_url", default="",
              help="Scratch database URL: mysql://, mariadb:// or sqlite:/// (default: a temporary SQLite file).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif", "gitlab", "junit"]),
              default="text", show_default=True)
def verify_command(paths, autoload, database_url, fmt):
    """Run each migration twice (and down twice) under real Laravel; report what fails."""
    from migrate_lint import oracle
    from migrate_lint.report import ReportContext, renderer

    ok, reason = oracle.available(list(autoload) or None)
    if not ok:
        click.echo(f"migrate-lint: error: {reason}", err=True)
        sys.exit(2)
    try:
        files = migration_files(paths or [os.path.join("database", "migrations")])
        with tempfile.TemporaryDirectory(prefix="migrate-lint-verify-") as scratch:
            db = database_from_url(database_url, scratch)
            notes: list[str] = []
            findings = verify_files(files, db, list(autoload) or None, notes)
    except (VerifyError, oracle.OracleError) as exc:
        click.echo(f"migrate-lint: error: {exc}", err=True)
        sys.exit(2)
    for note in notes:
        click.echo(f"migrate-lint: note: {note}", err=True)
    context = ReportContext(files=files, show_source=False)
    sys.stdout.write(renderer(fmt).render(findings, context))
    sys.exit(1 if findings else 0)


verify = verify_command
