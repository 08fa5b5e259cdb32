"""The `check` flow: discover, lint, (fix), filter, render, exit code."""

from __future__ import annotations

import os
import sys

from migrate_lint.engine import FileResult, Settings, lint_source
from migrate_lint.heap import long_lived
from migrate_lint.record import record

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUMMARY_STARTS = ("All checks", "Found", "Fixed", "No findings", "No migration")


@record
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
    store: object = None  # the open cache (lint/cache.py), None without one
    cache_key: str = ""  # the settings key findings and replay results are filed under
    memo_key: str = ""  # this report's key in the cache (lint/memo.py), "" when not kept


def _error(message: str) -> None:
    from migrate_lint.report.text import printable

    sys.stderr.write(f"migrate-lint: error: {printable(message)}\n")


def _warning(message: str) -> None:
    sys.stderr.write(f"migrate-lint: warning: {message}\n")


def tolerant_output() -> None:
    """A name read from a non-UTF-8 file keeps its bytes as surrogate escapes: printed, it
    becomes U+FFFD instead of an encoding error."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def fail(message: str) -> None:
    _error(message)
    sys.exit(EXIT_ERROR)


def check(params: dict) -> int:
    """The `check` command, from the parameters click (or options.parse_plain) read."""
    if params["explain"]:
        return _explain(params["explain"])
    if params["list_rules"]:
        return _list_rules()
    paths = list(params["paths"])
    if not paths:
        if not os.path.isdir(os.path.join("database", "migrations")):
            fail("no paths given and no database/migrations directory here; pass the "
                 "migration files or directories to lint")
        paths = [os.path.join("database", "migrations")]
    cfg = load_config(params["config_path"], paths[0])
    settings = build_settings(cfg, params["select"], params["ignore"], params["check_down"],
                              params["laravel_version"], params["database"], paths[0])
    options = Options(
        paths=paths, fmt=params["fmt"], fix=params["fix"], diff=params["diff"],
        statistics=params["statistics"], output_file=params["output_file"],
        quiet=params["quiet"], exit_zero=params["exit_zero"],
        stdin_filename=params["stdin_filename"], changed_since=params["changed_since"],
        baseline=params["baseline_path"], write_baseline=params["write_baseline"],
        jobs=params["jobs"] or cfg.jobs, use_cache=not params["no_cache"],
        color=_color(params["color"]))
    return run(options, settings, cfg)


def _explain(code: str) -> int:
    from migrate_lint import rules
    from migrate_lint.links import doc_url

    rule = rules.lookup(code)
    if rule is None:
        fail(f"unknown rule code or name: {code}")
    print(f"{rule.CODE} ({rule.NAME})\n")
    print((rule.__doc__ or "").split("\n", 2)[-1].strip())
    print(f"\nFixable: {'yes' if rule.FIXABLE else 'no'}")
    url = doc_url(rule.CODE, rule.NAME)
    if url:
        print(f"Docs: {url}")
    return EXIT_CLEAN


def _list_rules() -> int:
    from migrate_lint import rules

    for rule in rules.all_rules():
        print(f"{rule.CODE}  {rule.NAME:<28} {'[*]' if rule.FIXABLE else '   '} "
              f"{getattr(rule, 'SUMMARY', '')}")
    return EXIT_CLEAN


def _color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def load_config(config_path, first_path):
    from pathlib import Path

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
    from pathlib import Path

    from migrate_lint import config as cfgmod
    from migrate_lint.engine import SelectionError, settings_for

    start = Path(first_path) if first_path and first_path != "-" else Path.cwd()
    try:
        return settings_for(cfg, select, ignore, check_down, laravel_version, database,
                            start if start.exists() else Path.cwd())
    except (SelectionError, cfgmod.ConfigError) as exc:
        fail(str(exc))


def collect_files(options: Options, settings: Settings, cfg) -> tuple[list[str], bool]:
    from migrate_lint.discover import discover

    paths = [p for p in options.paths if p != "-"]
    files, errors = discover(paths, cfg.exclude, cfg.root,
                             options.store.depend if options.store is not None else None)
    for path, reason in errors:
        _error(f"{path}: {reason}")
    if paths and not files and not errors:
        # A CI step pointed at the wrong folder must not pass in silence.
        _warning(f"no migration files found under {', '.join(paths)}")
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
                             store=options.store, key=options.cache_key)


def open_cache(options: Options, settings: Settings, cfg) -> None:
    from migrate_lint import cache

    options.cache_dir = cache.default_dir(cfg)
    if options.use_cache and cache.escapes_project(options.cache_dir, cfg):
        _warning(f"{options.cache_dir} resolves outside the project; not using the cache")
        options.use_cache = False
    if options.use_cache:
        options.store = cache.open_store(options.cache_dir)
    if options.store is not None:
        options.cache_key = cache.settings_key(settings, cfg.template_dir)


def run(options: Options, settings: Settings, cfg) -> int:
    open_cache(options, settings, cfg)
    store = options.store
    # A report is kept only where every file read went through the cache's index: not for
    # fixes and the formats that need models, stdin, git's view or a baseline being written.
    if store is not None and not ("-" in options.paths or options.changed_since
                                  or _needs_model(options) or options.write_baseline):
        from migrate_lint import memo

        options.memo_key = memo.key(options, cfg)
        code = memo.replay(store, options.memo_key, _write_output, options)
        if code is not None:
            return code  # nothing this report depends on changed: the same report
    try:
        return _run(options, settings, cfg)
    finally:
        if store is not None:
            store.save()


def _needs_model(options: Options) -> bool:
    return options.fix or options.diff or options.fmt in ("sarif", "html")


def _run(options: Options, settings: Settings, cfg) -> int:
    from migrate_lint.findings import from_rows
    from migrate_lint.report import ReportContext, renderer

    needs_model = _needs_model(options)
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

    findings = sorted([f for r in results
                       for f in (r.findings if r.rows is None else from_rows(r.path, r.rows))]
                      + [f for path, row in history for f in from_rows(path, [row])],
                      key=lambda f: f.sort_key())
    if options.write_baseline:
        from migrate_lint import baseline

        try:
            baseline.write(options.write_baseline, findings,
                           baseline.project_root(cfg, options.paths))
        except baseline.BaselineError as exc:
            _error(str(exc))
            return EXIT_ERROR
        sys.stderr.write(f"Wrote {len(findings)} finding(s) to {options.write_baseline}\n")
        return EXIT_ERROR if had_error else EXIT_CLEAN
    if options.baseline:
        from migrate_lint import baseline

        if options.store is not None:
            options.store.depend(options.baseline)
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
            if not options.fix:  # rows keep the line under each finding: no file read again
                context.source_lines = {(r.path, row[0]): row[12] for r in results
                                        for row in r.rows or ()}
                context.source_lines.update(((path, row[0]), row[12]) for path, row in history)
            if not context.sources:
                context.sources = _read_sources(
                    [f for f in findings if (f.path, f.span.line) not in context.source_lines])
        context.errors = had_error
        output = renderer(options.fmt).render(findings, context)
    return _write(output, options, report_stream, had_error, findings)


def _write(output: str, options: Options, stream, had_error: bool, findings) -> int:
    if options.fmt in ("text", "concise") and options.quiet:
        output = "".join(line + "\n" for line in output.splitlines()
                         if line and not line.startswith(SUMMARY_STARTS))
    code = EXIT_ERROR if had_error else (EXIT_FINDINGS if findings and not options.exit_zero
                                         else EXIT_CLEAN)
    if options.memo_key and not had_error and stream is sys.stdout:
        from migrate_lint import memo

        memo.record(options.store, options.memo_key, output, code)
    return _write_output(output, options, stream, code)


def _write_output(output: str, options: Options, stream, code: int) -> int:
    if options.output_file:
        try:
            with open(options.output_file, "w", encoding="utf-8") as fh:
                fh.write(output)
        except OSError as exc:
            _error(f"{options.output_file}: cannot write: {exc.strerror}")
            return EXIT_ERROR
    else:
        (stream or sys.stdout).write(output)
    return code


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
    """Replay rules (ML101-ML105) read the whole history of the given migrations."""
    from migrate_lint.engine import HISTORY_CODES

    if not any(code in settings.enabled for code in HISTORY_CODES):
        return []
    from migrate_lint.replay import history_rows

    parsed = {os.path.normpath(r.path): r.summary for r in results if r.summary is not None}
    return history_rows(files, settings, options, parsed)
