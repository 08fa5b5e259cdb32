"""`migrate-lint verify`: the click command, a thin wrapper over verify.py."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import click

FORMATS = ["text", "json", "github", "sarif", "gitlab", "junit", "html"]


def _terminate(signum, frame):
    # SIGTERM kills Python without unwinding; as an exception the scratch database is dropped.
    raise SystemExit(128 + signum)


@contextmanager
def _database(server, start_mariadb, disposable_url, drop_existing_tables, options):
    from migrate_lint.dynamic import scratch
    from migrate_lint.dynamic.verify import VerifyError

    if sum(map(bool, (server, start_mariadb, disposable_url))) > 1:
        raise VerifyError("give one of --server, --start-mariadb, --disposable-database")
    if start_mariadb:
        with scratch.own_server() as url, scratch.server_scratch(url, options) as db:
            yield db
    elif server:
        with scratch.server_scratch(server, options) as db:
            yield db
    elif disposable_url:
        with scratch.disposable(disposable_url, drop_existing_tables, options) as db:
            yield db
    else:
        with scratch.sqlite_scratch(options) as db:
            yield db


def _no_database_option(ctx, param, value):
    if value is not None:
        raise click.UsageError(
            "verify takes no --database: it runs migrations up and down and would destroy the "
            "database. Use --server URL (verify creates and drops its own scratch database "
            "there) or --disposable-database URL for a database you can lose. (`check --database "
            "ENGINE` names your engine; `plan --database URL` reads a database without writing.)")
    return value


class Progress:
    """`[12/40] name` on a terminal's stderr, rewritten in place; nothing when piped."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.shown = False

    def __call__(self, n, total, path):
        if not self.enabled:
            return
        import shutil

        width = shutil.get_terminal_size((80, 20)).columns - 1
        line = f"verify [{n}/{total}] {os.path.basename(path)}"
        sys.stderr.write("\r" + line[:width].ljust(width))
        sys.stderr.flush()
        self.shown = True

    def clear(self):
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


@click.command("verify")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--server", metavar="URL", envvar="MIGRATE_LINT_SERVER",
              help="MariaDB/MySQL server to verify on, mysql://user[:password]@host[:port] "
                   "(password also from $MIGRATE_LINT_SERVER_PASSWORD). verify creates a scratch "
                   "database there and drops it at the end. Default: a temporary SQLite file.")
@click.option("--start-mariadb", is_flag=True,
              help="Start a throwaway MariaDB server (mariadbd) for this run and verify there.")
@click.option("--disposable-database", "disposable_url", metavar="URL",
              help="Run on this existing database, which you can lose: mysql://.../NAME or "
                   "sqlite:///PATH. Refused when it holds tables, unless --drop-existing-tables.")
@click.option("--drop-existing-tables", is_flag=True,
              help="With --disposable-database: its tables may be dropped.")
@click.option("--database", hidden=True, expose_value=False, callback=_no_database_option)
@click.option("--autoload", multiple=True, type=click.Path(),
              help="An autoloader to boot Laravel from (default: the project's "
                   "vendor/autoload.php when it runs here, else Debian's Laravel packages).")
@click.option("--no-app-vendor", is_flag=True,
              help="Use Debian's Laravel packages even when the project has a vendor/.")
@click.option("--strict/--no-strict", default=None,
              help="MySQL strict mode (default: config/database.php, else strict).")
@click.option("--charset", help="Connection charset (default: config/database.php, else utf8mb4).")
@click.option("--collation", help="Connection collation (default: config/database.php).")
@click.option("--prefix", help="Table prefix (default: config/database.php, else none).")
@click.option("--compare", is_flag=True,
              help="Set the static findings beside what ran: confirmed, not reproduced, not "
                   "runnable, and the failures the static check missed.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False),
              help="Write the report to a file (the exit code is the same).")
def verify_command(paths, server, start_mariadb, disposable_url, drop_existing_tables, autoload,
                   no_app_vendor, strict, charset, collation, prefix, compare, fmt, output_file):
    """Run each migration under real Laravel, in order, on a database verify creates itself:
    up, up again, down, down again, up. Report the first up that fails (ML202) and the steps
    that fail on a re-run (ML201).

    It runs your repository's PHP with your account's rights: use it on your own code, never
    on untrusted pull requests.
    """
    import signal

    from migrate_lint.dynamic import oracle, report, runtime, scratch
    from migrate_lint.dynamic.verify import VerifyError, migration_files, verify_files

    ok, reason = oracle.available(list(autoload) or None)
    if not ok:
        _fail(reason)
    if output_file:
        _check_writable(output_file)  # before the run, which can take minutes
    paths = list(paths) or [os.path.join("database", "migrations")]
    engine = "sqlite" if not (server or start_mariadb) and not (
        disposable_url and not disposable_url.startswith("sqlite:")) else "mariadb"
    overrides = {"strict": strict, "charset": charset, "collation": collation, "prefix": prefix}
    progress = Progress(sys.stderr.isatty() and (
        bool(output_file) or (fmt == "text" and sys.stdout.isatty())))
    previous = signal.signal(signal.SIGTERM, _terminate)
    masker = scratch.Masker.from_args(server, disposable_url)
    try:
        files = migration_files(paths)
        run = runtime.choose(paths, list(autoload), use_app_vendor=not no_app_vendor)
        options, _ = runtime.connection_options(paths, engine, overrides)
        with _database(server, start_mariadb, disposable_url, drop_existing_tables,
                       options) as db:
            result = verify_files(files, db, run.autoload, run.laravel, progress, masker)
        static = None
        if compare:
            from migrate_lint.dynamic import compare as cmp

            static = cmp.compare(files, result)
    except (VerifyError, oracle.OracleError, scratch.ScratchError, runtime.RuntimeProblem) as exc:
        progress.clear()
        _fail(masker(str(exc)))
    except KeyboardInterrupt:
        progress.clear()
        click.echo("migrate-lint: interrupted; the scratch database was removed", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    progress.clear()
    for note in report.notes(result, run):
        click.echo(f"migrate-lint: note: {masker(note)}", err=True)
    text = masker(report.render(fmt, result, run, static, files, masker))
    if output_file:
        try:
            with open(output_file, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            _fail(masker(f"{output_file}: cannot write: {exc.strerror}"))
    else:
        sys.stdout.write(text)
    if fmt not in ("text", "json") or output_file:
        click.echo(f"migrate-lint: {masker(result.summary_line())}", err=True)
    sys.exit(1 if result.findings else 0)


def _check_writable(path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        _fail(f"{path}: cannot write: No such file or directory")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        _fail(f"{path}: cannot write: Permission denied")


def _fail(message: str):
    click.echo(f"migrate-lint: error: {message}", err=True)
    sys.exit(2)


verify = verify_command
