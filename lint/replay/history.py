"""The replay rules over a project's history: which files form a history, and their findings.

Laravel's migrator takes `*_*.php` directly in each migrations path and runs them sorted by
base name. Pre-commit passes only the staged files, so a history is always the whole directory
of the files given; findings are reported only in the files given.

Directories passed on the command line form one history together (like `migrate --path=a
--path=b`); a sub-directory found by walking into one is its own history, since Laravel does not
recurse and such folders (tenant/, legacy/) usually run on another database.
"""

from __future__ import annotations

import os
import re
from types import SimpleNamespace
from typing import TYPE_CHECKING

from migrate_lint.engine import HISTORY_CODES
from migrate_lint.findings import Finding
from migrate_lint.record import field, record, replace

if TYPE_CHECKING:  # the fold is imported when a history is replayed, not to find one
    from migrate_lint.replay.fold import Problem, Replay
    from migrate_lint.replay.state import SchemaState
    from migrate_lint.replay.steps import Summary

_DEFAULT_CONN = re.compile(r"""['"]default['"]\s*=>\s*(?:env\(\s*['"]DB_CONNECTION['"]\s*,\s*)?"""
                           r"""['"]([\w-]+)['"]""")


@record
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
        with os.scandir(directory) as entries:  # is_file() without a stat per file
            return [e.path for e in entries if _migration_name(e.name) and e.is_file()]
    except OSError:
        return []


def _migration_name(name: str) -> bool:
    return name.endswith(".php") and "_" in name


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
    from migrate_lint.replay.state import DEFAULT
    out = {}
    for n in names:
        conn = n[: -len("-schema.sql")]
        if default_name is not None and conn == default_name:
            out[DEFAULT] = os.path.join(sdir, n)
    if not out and len(names) == 1:
        out[DEFAULT] = os.path.join(sdir, names[0])
    return out


def history_files(dirs: list[str]) -> list[str]:
    return laravel_order(f for d in dirs for f in migration_files(d))


def load_history(dirs: list[str], given: set[str] | None = None, use_squashed: bool = True,
                 cache_dir: str | None = None, jobs: int | None = None,
                 parsed: dict | None = None, store=None, files: list[str] | None = None,
                 overlay: dict[str, bytes] | None = None) -> History:
    """The history of `dirs` (or its first `files`), summaries from `parsed` (the per-file
    pass's), the cache (`store`, or the one in `cache_dir`) or a parse. overlay: {path: bytes}
    used instead of the file on disk (an editor's unsaved buffers); an overlay path missing on
    disk joins the history when it lies directly in one of dirs."""
    from migrate_lint.cache import digest as digest_of
    from migrate_lint.cache import files_of, open_store
    from migrate_lint.replay.steps import Step, Summary
    from migrate_lint.replay.summaries import SummaryCache, build_all, build_one
    from migrate_lint.source import Source

    if store is None and cache_dir:
        store = open_store(cache_dir)
    overlay = {os.path.normpath(p): b for p, b in (overlay or {}).items()}
    if files is None:
        files = [f for d in dirs for f in migration_files(d)]
        seen = {os.path.normpath(f) for f in files}
        in_dirs = {os.path.normpath(d) for d in dirs}
        files = laravel_order(files + [p for p in overlay if p not in seen and _migration_name(
            os.path.basename(p)) and os.path.dirname(p) in in_dirs])
    root = next((r for r in (project_root(d) for d in dirs) if r), None)
    h = History(dirs=dirs, files=files, default_name=default_connection_name(root))
    if use_squashed:
        h.squashed = squashed_schemas(root, h.default_name)
    given = given or set()
    index = files_of(store)
    cache = SummaryCache(store)
    by_path: dict[str, Summary] = {}
    todo: list[tuple[str, bytes, bytes]] = []
    for path in files:
        key = os.path.normpath(path)
        if key in overlay:  # an unsaved buffer: not the file on disk, not in the file index
            data, error = overlay[key], None
            digest = digest_of(data) if store is not None else b""
        else:
            digest, data, error = index.lookup(path)
        summary = None
        if digest is not None and key not in given:
            done = (parsed or {}).get(key)
            if done is not None:
                # Built by the per-file pass from the same bytes: no second parse.
                summary = replace(done, path=path)
                cache.put(path, digest, summary)
            else:
                summary = cache.get(path, digest)
        if summary is None and digest is not None and data is None:
            digest, data, error = index.read(path)  # its bytes are needed after all
        if digest is None:
            summary = Summary(path=path, name=os.path.basename(path)[:-4], error=error)
        elif key in given:
            h.sources[key] = Source(path, data)
            if b"migrate-lint-ignore" in data:
                summary, m = build_one(path, data)
                h.comments[key] = m.comments
            else:
                done = (parsed or {}).get(key)
                summary = replace(done, path=path) if done is not None \
                    else cache.get(path, digest)
            if summary is not None:
                cache.put(path, digest, summary)
        if summary is not None:
            by_path[path] = summary
        else:
            todo.append((path, data, digest))

    def build(items):
        for (path, _, digest), summary in zip(items, build_all([t[:2] for t in items], jobs)):
            by_path[path] = summary
            cache.put(path, digest, summary)

    if given and todo:
        # Linting a few files: an earlier migration that cannot touch their tables is left
        # unmodelled (an empty summary, never cached; lint/replay/prefilter.py).
        from migrate_lint.replay.prefilter import build_relevant

        for path in build_relevant(todo, given, by_path, files, build):
            by_path[path] = Summary(path=path, name=os.path.basename(path)[:-4])
    else:
        build(todo)
    if cache_dir and store is not None:
        store.save()
    for path in files:
        s = by_path[path]
        if s.error is not None:
            # A file we cannot read may change anything: never claim past it.
            s.steps = [Step("taint_all", None, 1, True, reason=f"{s.name}: {s.error}")]
        h.summaries.append(s)
    return h


def initial_state(h: History, dumps: dict | None = None) -> SchemaState:
    from migrate_lint.replay.state import SchemaState

    state = SchemaState()
    dumps = dumps if dumps is not None else h.squashed
    if dumps:
        from migrate_lint.replay import dump as dumpmod  # sqlglot: only with a dump
    for conn, path in dumps.items():
        parsed = dumpmod.load(path)
        dumpmod.apply_to(parsed, state.connection(conn), closed=False)
        h.ran |= set(parsed.migrations)
    return state


def replay(h: History, state: SchemaState | None = None, engine: str | None = None,
           laravel: tuple | None = None, downs: bool | set = False, only: set | None = None):
    """Yields (summary, problems) for each migration that runs, in order, on a fresh database
    (or from the squashed schema); with `downs`, the problems include what its down() fails on
    right after its up() (ML105). `downs` may be a set of normalised paths: only those
    migrations' down() is folded (on a copy, so the others' results are the same; a rule
    reports only in the files given, and folding every down() doubled a pre-commit run).
    `only` (normalised paths): yield just those migrations, folding no more of the history
    than their problems depend on (lint/replay/relevant.py); the final state is then partial."""
    from migrate_lint.replay.fold import Replay

    r = Replay(state if state is not None else initial_state(h), h.default_name, engine,
               laravel)
    not_yet_created(r, h)
    keep = None
    if only is not None:
        from migrate_lint.replay.relevant import needed

        keep, _ = needed(h.summaries, {i for i, s in enumerate(h.summaries)
                                       if os.path.normpath(s.path) in only})
    for i, s in enumerate(h.summaries):
        if s.name in h.ran or (keep is not None and i not in keep):
            continue
        problems = r.apply(s)
        # A rollback runs down() only after up() succeeded: an up() that fails has no down().
        if not problems and (downs is True or (downs and os.path.normpath(s.path) in downs)):
            problems = r.down_problems(s)
        yield s, problems
    h.final = r.state


def not_yet_created(r: Replay, h: History) -> None:
    """On a fresh database a table the history creates does not exist before its creation, so
    `Schema::hasTable` on it is known. (Tables the history never creates stay unknown: a
    package's migrations may create them.)"""
    from migrate_lint.replay.state import NO, Origin, Table
    from migrate_lint.replay.steps import UNSEEN
    from migrate_lint.replay.summaries import step_keys

    for s in h.summaries:
        if s.name in h.ran:
            continue
        for action, table, connection, to, _, _, line in step_keys(s):
            name = table if action == "create_table" else \
                to if action == "rename_table" else None
            if not name:
                continue
            conn_name = r._conn_name(connection, s)
            if conn_name == UNSEEN:
                continue
            conn = r.state.connection(conn_name)
            if conn.get(name) is None:
                conn.put(Table(name, NO, None, True,
                               created_later=Origin(s.path, line, s.name)))


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
    """The replay rules' findings in the files given."""
    from migrate_lint.findings import from_rows

    return [f for path, row in history_rows(files, settings, options, parsed)
            for f in from_rows(path, [row])]


def history_rows(files, settings, options, parsed=None) -> list[tuple[str, tuple]]:
    """(path, findings row) of the replay rules in the files given. With a cache
    (options.store), each history's rows are kept under a signature of everything they depend
    on, so an unchanged history is not replayed again."""
    enabled = set(settings.enabled) & set(HISTORY_CODES)
    if not enabled or not files:
        return []
    given = {os.path.normpath(f) for f in files}
    store = getattr(options, "store", None)
    name = "replay:" + getattr(options, "cache_key", "")
    memo = store.section(name) if store is not None else None
    out: list[tuple[str, tuple]] = []
    for dirs in group_histories(files, list(getattr(options, "paths", []) or [])):
        for d in dirs if store is not None else ():
            store.depend(d)  # its listing: the history's files
        order = history_files(dirs)
        last = max((i for i, f in enumerate(order) if os.path.normpath(f) in given), default=-1)
        if last < 0:
            continue  # none of the files given is in this history
        slot = sig = None
        if memo is not None:
            slot = "\0".join(os.path.abspath(d) for d in dirs)
            sig = _signature(dirs, order, given, store, name)
            hit = memo.get(slot)
            if hit is not None and hit[0] == sig:
                out += hit[1]
                continue
        h = load_history(dirs, given, jobs=getattr(options, "jobs", None), parsed=parsed,
                         store=store, files=order)
        rows = _history_rows(h, given, enabled, settings)
        if memo is not None:
            memo.pop(slot, None)
            memo[slot] = (sig, tuple(rows))
            store.touch(name)
        out += rows
    return out


def _signature(dirs, files, given, store, key) -> bytes:
    """Everything a history's findings depend on: the settings (in the section name), the
    files in order with their content, which of them are reported, the squashed schema and
    the default connection."""
    import marshal
    from hashlib import blake2b

    from migrate_lint.cache import files_of

    index = files_of(store)
    root = next((r for r in (project_root(d) for d in dirs) if r), None)
    if root is not None:  # what the two lookups below read
        store.depend(os.path.join(root, "config", "database.php"))
        store.depend(os.path.join(root, "database", "schema"))
    default = default_connection_name(root)
    paths = [*squashed_schemas(root, default).values(), *files]
    digests = []
    for path in paths:
        digest, _, error = index.lookup(path)
        digests.append(digest if digest is not None else str(error))
    reported = [os.path.normpath(path) in given for path in files]
    return blake2b(marshal.dumps((key, dirs, default, paths, digests, reported)),
                   digest_size=16).digest()


def _history_rows(h: History, given, enabled, settings) -> list[tuple[str, tuple]]:
    from migrate_lint import rules as catalogue
    from migrate_lint.engine import _file_ignores
    from migrate_lint.findings import to_rows

    found: list[tuple[str, Finding]] = []
    pending = {os.path.normpath(p) for p in h.files} & given
    ctx = settings.rule_ctx
    downs = given if "ML105" in enabled and ctx.check_down else False
    for s, problems in replay(h, engine=ctx.database, laravel=ctx.laravel_version, downs=downs,
                              only=given):
        if not pending:
            break  # the fold only moves forward: later steps change nothing reported
        key = os.path.normpath(s.path)
        if key not in given:
            continue
        pending.discard(key)
        for p in problems:
            if p.code in enabled:
                found.append((s.path, _finding(p, s, h.sources.get(key))))
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
    out = []
    for path, fs in by_path.items():
        source = h.sources.get(os.path.normpath(path))
        kept = _unsuppressed(fs, h.comments.get(os.path.normpath(path), []), catalogue)
        out += [(path, row) for row in to_rows(kept, source.data if source else None)]
    return out


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
    if code == "ML105":
        return "rolled back right after it ran, down() fails with"
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
