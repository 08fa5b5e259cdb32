"""The replay rules over a project's history: which files form a history, and their findings.

Laravel's migrator takes `*_*.php` directly in each migrations path and runs them sorted by
base name. Pre-commit passes only the staged files, so a history is always the whole directory
of the files given; findings are reported only in the files given.

Directories passed on the command line form one history together (like `migrate --path=a
--path=b`); a sub-directory found by walking into one is its own history, since Laravel does not
recurse and such folders (tenant/, legacy/) usually run on another database.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from migrate_lint.findings import Finding
from migrate_lint.replay.fold import Problem, Replay
from migrate_lint.replay.state import DEFAULT, SchemaState
from migrate_lint.replay.steps import Step, Summary, summarise

HISTORY_CODES = ("ML101", "ML102", "ML103", "ML104")
_DEFAULT_CONN = re.compile(r"""['"]default['"]\s*=>\s*(?:env\(\s*['"]DB_CONNECTION['"]\s*,\s*)?"""
                           r"""['"]([\w-]+)['"]""")


@dataclass
class History:
    dirs: list[str]
    files: list[str]  # Laravel's order
    summaries: list[Summary] = field(default_factory=list)
    squashed: dict = field(default_factory=dict)  # connection -> dump path
    ran: set[str] = field(default_factory=set)  # migrations the squashed schema records
    default_name: str | None = None
    comments: dict = field(default_factory=dict)  # path -> model comments (files given)
    sources: dict = field(default_factory=dict)  # path -> Source (files given), for spans
    final: SchemaState | None = None


def migration_files(directory: str) -> list[str]:
    """`*_*.php` directly in a directory, as Laravel's migrator globs them."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names
            if n.endswith(".php") and "_" in n and os.path.isfile(os.path.join(directory, n))]


def laravel_order(files) -> list[str]:
    by_name: dict[str, str] = {}
    for f in files:
        by_name[os.path.basename(f)[:-4]] = f  # later paths win, as with Laravel's keyBy
    return [by_name[k] for k in sorted(by_name)]


def group_histories(files: list[str], given_paths: list[str]) -> list[list[str]]:
    """Directories that form one history each, from the files linted and the paths given."""
    explicit = [os.path.normpath(p) for p in given_paths if p != "-" and os.path.isdir(p)]
    groups: dict[str, list[str]] = {}
    for f in files:
        d = os.path.normpath(os.path.dirname(f) or ".")
        key = "\0explicit" if d in explicit else d
        groups.setdefault(key, [])
        if d not in groups[key]:
            groups[key].append(d)
    if "\0explicit" in groups:
        groups["\0explicit"] = [d for d in explicit if d in groups["\0explicit"]]
    return list(groups.values())


def project_root(directory: str) -> str | None:
    """The Laravel project holding a `database/migrations` directory."""
    d = os.path.abspath(directory)
    if os.path.basename(d) == "migrations" and os.path.basename(os.path.dirname(d)) == "database":
        return os.path.dirname(os.path.dirname(d))
    return None


def default_connection_name(root: str | None) -> str | None:
    if root is None:
        return None
    try:
        with open(os.path.join(root, "config", "database.php"), encoding="utf-8",
                  errors="replace") as fh:
            m = _DEFAULT_CONN.search(fh.read())
    except OSError:
        return None
    return m.group(1) if m else None


def squashed_schemas(root: str | None, default_name: str | None) -> dict[str, str]:
    """database/schema/<connection>-schema.sql files: Laravel loads the default one first."""
    if root is None:
        return {}
    sdir = os.path.join(root, "database", "schema")
    try:
        names = sorted(n for n in os.listdir(sdir) if n.endswith("-schema.sql"))
    except OSError:
        return {}
    out = {}
    for n in names:
        conn = n[: -len("-schema.sql")]
        if default_name is not None and conn == default_name:
            out[DEFAULT] = os.path.join(sdir, n)
    if not out and len(names) == 1:
        out[DEFAULT] = os.path.join(sdir, names[0])
    return out


def load_history(dirs: list[str], given: set[str] | None = None, use_squashed: bool = True,
                 cache_dir: str | None = None, jobs: int | None = None,
                 parsed: dict | None = None) -> History:
    from migrate_lint.replay.summaries import SummaryCache, build_all, build_one
    from migrate_lint.source import Source

    files = laravel_order(f for d in dirs for f in migration_files(d))
    root = next((r for r in (project_root(d) for d in dirs) if r), None)
    h = History(dirs=dirs, files=files, default_name=default_connection_name(root))
    if use_squashed:
        h.squashed = squashed_schemas(root, h.default_name)
    given = given or set()
    cache = SummaryCache(cache_dir, dirs)
    by_path: dict[str, Summary] = {}
    todo: list[tuple[str, bytes]] = []
    for path in files:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            by_path[path] = Summary(path=path, name=os.path.basename(path)[:-4],
                                    error=exc.strerror or str(exc))
            continue
        key = os.path.normpath(path)
        if key in given:
            h.sources[key] = Source(path, data)
            if b"migrate-lint-ignore" in data:
                by_path[path], m = build_one(path, data)
                h.comments[key] = m.comments
                cache.put(path, data, by_path[path])
                continue
        done = (parsed or {}).get(key)
        if done is not None:
            # Built by the per-file pass from the same bytes: no second parse.
            by_path[path] = dataclasses.replace(done, path=path)
            cache.put(path, data, by_path[path])
            continue
        cached = cache.get(path, data)
        if cached is not None:
            by_path[path] = cached
        else:
            todo.append((path, data))
    for (path, data), summary in zip(todo, build_all(todo, jobs)):
        by_path[path] = summary
        cache.put(path, data, summary)
    cache.save(set(files))
    for path in files:
        s = by_path[path]
        if s.error is not None:
            # A file we cannot read may change anything: never claim past it.
            s.steps = [Step("taint_all", None, 1, True, reason=f"{s.name}: {s.error}")]
        h.summaries.append(s)
    return h


def initial_state(h: History, dumps: dict | None = None) -> SchemaState:
    from migrate_lint.replay import dump as dumpmod

    state = SchemaState()
    for conn, path in (dumps if dumps is not None else h.squashed).items():
        parsed = dumpmod.load(path)
        dumpmod.apply_to(parsed, state.connection(conn), closed=False)
        h.ran |= set(parsed.migrations)
    return state


def replay(h: History, state: SchemaState | None = None, engine: str | None = None,
           laravel: tuple | None = None):
    """Yields (summary, problems) for each migration that runs, in order, on a fresh database
    (or from the squashed schema)."""
    r = Replay(state if state is not None else initial_state(h), h.default_name, engine,
               laravel)
    not_yet_created(r, h)
    for s in h.summaries:
        if s.name in h.ran:
            continue
        yield s, r.apply(s)
    h.final = r.state


def not_yet_created(r: Replay, h: History) -> None:
    """On a fresh database a table the history creates does not exist before its creation, so
    `Schema::hasTable` on it is known. (Tables the history never creates stay unknown: a
    package's migrations may create them.)"""
    from migrate_lint.replay.state import NO, Origin, Table
    from migrate_lint.replay.steps import UNSEEN

    for s in h.summaries:
        if s.name in h.ran:
            continue
        for step in s.steps:
            name = step.table if step.action == "create_table" else \
                step.to if step.action == "rename_table" else None
            if not name:
                continue
            conn_name = r._conn_name(step.connection, s)
            if conn_name == UNSEEN:
                continue
            conn = r.state.connection(conn_name)
            if conn.get(name) is None:
                conn.put(Table(name, NO, None, True,
                               created_later=Origin(s.path, step.line, s.name)))


def duplicate_classes(h: History):
    """(summary, first summary) for each named class declared again later."""
    seen: dict[str, Summary] = {}
    for s in h.summaries:
        if not s.class_name or s.anonymous:
            continue
        key = (s.namespace or "").lower() + "\\" + s.class_name.lower()
        if key in seen:
            yield s, seen[key]
        else:
            seen[key] = s


def check_history(files, settings, options, parsed=None) -> list[Finding]:
    from migrate_lint import rules as catalogue
    from migrate_lint.engine import _file_ignores

    enabled = set(settings.enabled) & set(HISTORY_CODES)
    if not enabled or not files:
        return []
    given = {os.path.normpath(f) for f in files}
    out: list[Finding] = []
    for dirs in group_histories(files, list(getattr(options, "paths", []) or [])):
        h = load_history(dirs, given, cache_dir=_cache_dir(settings, options),
                         jobs=getattr(options, "jobs", None), parsed=parsed)
        found: list[tuple[str, Finding]] = []
        ctx = settings.rule_ctx
        for s, problems in replay(h, engine=ctx.database, laravel=ctx.laravel_version):
            if os.path.normpath(s.path) not in given:
                continue
            for p in problems:
                if p.code in enabled:
                    found.append((s.path, _finding(p, s, h.sources.get(os.path.normpath(s.path)))))
        if "ML104" in enabled:
            for s, first in duplicate_classes(h):
                if os.path.normpath(s.path) in given:
                    found.append((s.path, _class_finding(s, first, h.sources.get(
                        os.path.normpath(s.path)))))
        by_path: dict[str, list[Finding]] = {}
        for path, f in found:
            if f.code in _file_ignores(path, settings):
                continue
            by_path.setdefault(path, []).append(f)
        for path, fs in by_path.items():
            out += _unsuppressed(fs, h.comments.get(os.path.normpath(path), []), catalogue)
    return out


def _cache_dir(settings, options) -> str | None:
    if not getattr(options, "use_cache", False):
        return None
    from migrate_lint.cache import DIRNAME

    return getattr(options, "cache_dir", None) or os.path.join(str(settings.root), DIRNAME)


def _unsuppressed(findings, comments, catalogue):
    if not comments:
        return findings
    from migrate_lint import suppress

    kept, _ = suppress.apply(findings, SimpleNamespace(comments=comments), catalogue.lookup,
                             set(), SimpleNamespace(CODE="ML900"))
    return kept


def _span(line: int, source):
    """The line's text without its indentation, or a bare line number without the source."""
    from migrate_lint.findings import Span

    if source is None or not 1 <= line <= len(source.line_starts):
        return Span(0, 0, line, 1, line, 1)
    start = source.line_starts[line - 1]
    end = source.line_starts[line] if line < len(source.line_starts) else len(source.data)
    raw = source.data[start:end]
    body = raw.rstrip(b"\r\n")
    first = start + len(body) - len(body.lstrip())
    return source.span(first, start + len(body))


def _finding(p: Problem, s: Summary, source) -> Finding:
    from migrate_lint import rules

    rule = rules.by_code()[p.code]
    return Finding(code=p.code, rule=rule.NAME, path=s.path, span=_span(p.line, source),
                   message=f"{p.message}; {_consequence(p.code)} {_short(p.error)}",
                   severity=getattr(rule, "SEVERITY", "error"), snippet=p.message,
                   extra={"problem": p})


def _consequence(code: str) -> str:
    if code == "ML103":
        return "run after the migrations before it, this one fails with"
    return "this migration fails even on a fresh database with"


def _short(error: str) -> str:
    return error.split(": ", 2)[-1] if error.count(": ") >= 2 else error


def _class_finding(s: Summary, first: Summary, source) -> Finding:
    from migrate_lint import rules

    rule = rules.by_code()["ML104"]
    return Finding(code="ML104", rule=rule.NAME, path=s.path, span=_span(s.class_line, source),
                   message=f"class {s.class_name} is also declared in {first.path}:"
                           f"{first.class_line}: PHP stops with 'Cannot declare class "
                           f"{s.class_name}, because the name is already in use' when both run",
                   severity=getattr(rule, "SEVERITY", "error"),
                   snippet=f"class {s.class_name}", extra={"first": first.path})
