"""The `check` flow: discover, lint, (fix), filter, render, exit code."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click

from migrate_lint.engine import FileResult, Settings, lint_path, lint_source
from migrate_lint.heap import long_lived

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUMMARY_STARTS = ("All checks", "Found", "Fixed", "No findings", "No migration")


@dataclass
class Options:
    paths: list[str]
    fmt: str = "text"
    fix: bool = False
    diff: bool = False
    statistics: bool = False
    output_file: str | None = None
    quiet: bool = False
    exit_zero: bool = False
    stdin_filename: str | None = None
    changed_since: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    jobs: int | None = None
    use_cache: bool = True
    color: bool = False
    cache_dir: str | None = None  # set from the config in run(); shared with the replay


def _error(message: str) -> None:
    from migrate_lint.report.text import printable

    click.echo(f"migrate-lint: error: {printable(message)}", err=True)


def collect_files(options: Options, settings: Settings, cfg) -> tuple[list[str], bool]:
    from migrate_lint.discover import discover

    paths = [p for p in options.paths if p != "-"]
    files, errors = discover(paths, cfg.exclude, cfg.root)
    for path, reason in errors:
        _error(f"{path}: {reason}")
    if paths and not files and not errors:
        # A CI step pointed at the wrong folder must not pass in silence.
        click.echo(f"migrate-lint: warning: no migration files found under "
                   f"{', '.join(paths)}", err=True)
    if options.changed_since:
        from migrate_lint import changed

        try:
            keep = changed.changed_since(options.changed_since, paths or ["."])
        except changed.GitError as exc:
            _error(str(exc))
            return [], True
        files = [f for f in files if changed.normalise(f) in keep]
    return files, bool(errors)


def lint_files(files: list[str], settings: Settings, options: Options, keep_model: bool):
    from migrate_lint import parallel

    return parallel.lint_all(files, settings, jobs=options.jobs, keep_model=keep_model,
                             use_cache=options.use_cache and not keep_model,
                             cache_dir=options.cache_dir)


def run(options: Options, settings: Settings, cfg) -> int:
    from migrate_lint.report import ReportContext, renderer

    from migrate_lint import cache

    options.cache_dir = cache.default_dir(cfg)
    if options.use_cache and cache.escapes_project(options.cache_dir, cfg):
        click.echo(f"migrate-lint: warning: {options.cache_dir} resolves outside the project; "
                   "not using the cache", err=True)
        options.use_cache = False
    needs_model = options.fix or options.diff or options.fmt in ("sarif", "html")
    report_stream = sys.stdout
    results: list[FileResult] = []
    had_error = False
    if "-" in options.paths:
        data = sys.stdin.buffer.read()
        name = options.stdin_filename or "-"
        results.append(lint_source(name, data, settings, keep_model=True))
    files, had_error = collect_files(options, settings, cfg)
    results += lint_files(files, settings, options, needs_model)
    for r in results:
        if r.error:
            _error(f"{r.path}: {r.error}")
            had_error = True

    history = _history_findings(options, settings, files, results)
    context = ReportContext(files=[r.path for r in results], color=options.color,
                            show_source=not options.quiet, statistics=options.statistics)

    if options.fix or options.diff:
        from migrate_lint import fix as fixer

        outcome = fixer.run(results, settings, cfg, write=options.fix and not options.diff,
                            stdin=("-" in options.paths))
        for path, reason in outcome.errors:
            _error(f"{path}: {reason}")
            had_error = True
        if options.diff:
            sys.stdout.write(outcome.diff)
            if had_error:
                return EXIT_ERROR
            return EXIT_FINDINGS if outcome.diff else EXIT_CLEAN
        context.fixed = outcome.fixed
        results = outcome.results
        if "-" in options.paths and options.fix:
            # ruff's convention: the fixed source goes to stdout, the report to stderr.
            stdin_result = results[0]
            fixed = outcome.stdin_output
            sys.stdout.buffer.write(fixed if fixed is not None
                                    else stdin_result.migration.source.data)
            sys.stdout.flush()
            report_stream = sys.stderr

    findings = sorted([f for r in results for f in r.findings] + history,
                      key=lambda f: f.sort_key())
    if options.write_baseline:
        from migrate_lint import baseline

        try:
            baseline.write(options.write_baseline, findings,
                           baseline.project_root(cfg, options.paths))
        except baseline.BaselineError as exc:
            _error(str(exc))
            return EXIT_ERROR
        click.echo(f"Wrote {len(findings)} finding(s) to {options.write_baseline}", err=True)
        return EXIT_ERROR if had_error else EXIT_CLEAN
    if options.baseline:
        from migrate_lint import baseline

        try:
            findings = baseline.filter_known(options.baseline, findings,
                                             baseline.project_root(cfg, options.paths))
        except baseline.BaselineError as exc:
            _error(str(exc))
            return EXIT_ERROR

    with long_lived():  # an HTML or SARIF run keeps every file's model: no full collection
        if options.fmt in ("sarif", "html"):
            from migrate_lint import fix as fixer

            context.sources = {r.path: r.migration.source for r in results if r.migration}
            template_dir = str(cfg.template_dir) if cfg.template_dir else None
            problems: list = []
            context.fixes = fixer.preview(results, settings, template_dir, problems)
            for path, reason in problems:
                _error(f"{path}: {reason}")
                had_error = True
        elif options.fmt == "text" and not options.quiet:
            context.sources = {r.path: r.migration.source.data for r in results if r.migration}
            if not context.sources:
                context.sources = _read_sources(findings)
        context.errors = had_error
        output = renderer(options.fmt).render(findings, context)
    if options.fmt in ("text", "concise") and options.quiet:
        output = "".join(line + "\n" for line in output.splitlines()
                         if line and not line.startswith(SUMMARY_STARTS))
    if options.output_file:
        try:
            with open(options.output_file, "w", encoding="utf-8") as fh:
                fh.write(output)
        except OSError as exc:
            _error(f"{options.output_file}: cannot write: {exc.strerror}")
            return EXIT_ERROR
    else:
        report_stream.write(output)
    if had_error:
        return EXIT_ERROR
    if findings and not options.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _read_sources(findings) -> dict:
    out = {}
    for path in {f.path for f in findings}:
        try:
            with open(path, "rb") as fh:
                out[path] = fh.read()
        except OSError:
            pass
    return out


def _history_findings(options: Options, settings: Settings, files: list[str], results):
    """Replay rules (ML101-ML104) read the whole history of the given migrations."""
    from migrate_lint.engine import HISTORY_CODES

    if not any(code in settings.enabled for code in HISTORY_CODES):
        return []
    from migrate_lint.replay import check_history

    parsed = {os.path.normpath(r.path): r.summary for r in results if r.summary is not None}
    return check_history(files, settings, options, parsed)
