"""`plan`: what `php artisan migrate` will do on a real database (a schema dump or a live one).

Laravel's migrator runs pending migrations in name order and stops at the first exception,
recording a migration only after its up() returned (LARAVEL_FACTS.md). The fold starts from
the database's real state, so every `Schema::has*` guard is evaluated: each pending migration
runs (perhaps skipping guarded steps), fails at a statement with the error the engine raises,
or is never reached. Then two more folds answer what a person asks next: how far is this
database from the full history (tables and columns, and migrations recorded as run whose
changes are missing), and would `--fix` let the whole run complete?
"""

from __future__ import annotations

import os

from migrate_lint.record import field, record
from migrate_lint.replay import dump as dumpmod
from migrate_lint.replay import errors
from migrate_lint.replay.fold import Replay, Run
from migrate_lint.replay.history import History, load_history, not_yet_created
from migrate_lint.replay.state import DEFAULT, NO, YES, SchemaState

RUNS, FAILS, NEVER, RAN = "runs", "fails", "never reached", "already ran"


@record
class Outcome:
    migration: str
    path: str
    status: str
    reason: str = ""
    error: str = ""
    line: int = 0
    sqlstate: str | None = None
    exception: str = ""
    skipped_lines: list[int] = field(default_factory=list)  # guarded steps that will not run
    may_fail: list[dict] = field(default_factory=list)  # steps that fail if a condition holds
    unchecked: list[dict] = field(default_factory=list)  # steps on state nobody knows
    caught: list[dict] = field(default_factory=list)  # failures a try/catch swallows

    @property
    def checked(self) -> bool:
        return not self.may_fail and not self.unchecked


@record
class FixNote:
    path: str
    line: int
    problem: str
    fix: str | None  # "ML002 add-column-unguarded: ...", None: --fix cannot help
    diff: str | None = None  # the change --fix makes for it (a unified diff), for reports


@record
class Plan:
    dump: str  # the dump's path, or the database URL with its password masked
    dialect: str
    recorded: int  # migrations rows in the database
    engine: str | None = None
    source: str = "dump"  # "dump" | "database"
    has_migrations_table: bool = True
    outcomes: list[Outcome] = field(default_factory=list)
    fixes: list[FixNote] = field(default_factory=list)
    unknown_rows: list[str] = field(default_factory=list)  # rows with no file here
    warnings: list[str] = field(default_factory=list)
    gap: dict = field(default_factory=dict)  # the database against the full history
    after_fix: list[Outcome] | None = None  # the same run with --fix applied first
    final: SchemaState | None = None  # the database as the run leaves it

    @property
    def fails(self) -> bool:
        return any(o.status == FAILS for o in self.outcomes)

    @property
    def first_failure(self) -> Outcome | None:
        return next((o for o in self.outcomes if o.status == FAILS), None)

    def as_dict(self) -> dict:
        pending = [o for o in self.outcomes if o.status != RAN]
        return {
            "dump": self.dump, "dialect": self.dialect, "recorded_migrations": self.recorded,
            "pending": len(pending),
            "failure_predicted": self.fails,
            "migrations": [_outcome_dict(o) for o in self.outcomes],
            "fix": [f.__dict__ for f in self.fixes],
            "rows_without_file": self.unknown_rows,
            # Added with the state-aware plan: new facts in new keys.
            "source": self.source, "engine": self.engine,
            "has_migrations_table": self.has_migrations_table,
            "fully_checked": all(o.checked for o in pending if o.status != NEVER),
            "warnings": self.warnings,
            "gap": self.gap,
            "after_fix": None if self.after_fix is None else {
                "failure_predicted": any(o.status == FAILS for o in self.after_fix),
                "migrations": [_outcome_dict(o) for o in self.after_fix if o.status != RAN]},
        }


def _outcome_dict(o: Outcome) -> dict:
    d = dict(o.__dict__)
    d["checked"] = o.checked
    return d


def make_plan(source, dirs: list[str], dialect: str | None = None, engine: str | None = None,
              laravel: tuple | None = None, settings=None, fix_preview: bool = True) -> Plan:
    """source: a dump's path, or a ParsedDump (from lint/introspect or dump.load)."""
    parsed = dumpmod.load(source, dialect) if isinstance(source, str) else source
    engine = engine or parsed.engine
    h = load_history(dirs, use_squashed=False)
    plan = Plan(parsed.path, parsed.dialect, len(parsed.migrations), engine,
                getattr(parsed, "source", "dump"), parsed.has_migrations_table)
    plan.warnings += list(getattr(parsed, "warnings", []))
    if not parsed.has_migrations_table:
        plan.warnings.append("there is no `migrations` table: treated as \"nothing ran\", so "
                             "every migration is pending")
    elif not parsed.migrations and plan.source == "dump":
        plan.warnings.append("THE DUMP HAS NO `migrations` ROWS (`mysqldump --no-data` leaves "
                             "them out; `php artisan schema:dump` keeps them): treated as "
                             "\"nothing ran\", so every migration is pending")
    elif not parsed.migrations:
        plan.warnings.append("the `migrations` table is empty: every migration is pending")
    names = {s.name for s in h.summaries}
    plan.unknown_rows = [m for m in parsed.migrations if m not in names]
    ran = set(parsed.migrations)

    plan.gap = _gap(h, _state_of(parsed), ran, engine, laravel)
    plan.final = _state_of(parsed)
    plan.outcomes = _fold(h, plan.final, ran, engine, laravel, h.summaries)
    if not plan.fails and all(o.checked for o in plan.outcomes):
        return plan
    # Past the first failure, go on as if the failing statement had been skipped, to say what
    # else needs fixing; then check that --fix really lets the whole run complete.
    lookup = _FixLookup(settings)
    for p in _problems(h, _state_of(parsed), ran, engine, laravel):
        plan.fixes.append(FixNote(p.path, p.line, p.message, lookup.fix_for(p.path, p.line),
                                  lookup.diff_for(p.path, p.line)))
    if fix_preview:
        fixed = [lookup.fixed_summary(s) if s.name not in ran else s for s in h.summaries]
        plan.after_fix = _fold(h, _state_of(parsed), ran, engine, laravel, fixed)
    return plan


def _state_of(parsed) -> SchemaState:
    state = SchemaState()
    # A dump or a live database lists every table it has: a table it lacks is missing.
    dumpmod.apply_to(parsed, state.connection(DEFAULT), closed=True)
    return state


def _fold(h: History, state: SchemaState, ran: set, engine, laravel, summaries):
    """Outcomes of one `migrate` run; `state` is left as the run leaves the database."""
    replay = Replay(state, h.default_name, engine, laravel, probe=True)
    transactional = errors.engine_of(engine) == errors.PGSQL
    outcomes: list[Outcome] = []
    failed = False
    for s in summaries:
        if s.name in ran:
            outcomes.append(Outcome(s.name, s.path, RAN))
        elif failed:
            outcomes.append(Outcome(s.name, s.path, NEVER))
        else:
            # On PostgreSQL the Migrator runs each migration in a transaction: a failure
            # rolls all of it back (MySQL and SQLite keep what ran before the failure).
            before = replay.state.clone() if transactional else None
            outcome = _outcome(s, replay.run(s, stop_at_first=True))
            failed = outcome.status == FAILS
            if failed and before is not None:
                replay.state.connections = before.connections
            outcomes.append(outcome)
    return outcomes


def _problems(h: History, state: SchemaState, ran: set, engine, laravel) -> list:
    """Every failure of the pending migrations, going on past each as if it were fixed."""
    replay = Replay(state, h.default_name, engine, laravel)
    out = []
    for s in h.summaries:
        if s.name not in ran:
            out += replay.apply(s)
    return out


def _outcome(s, run: Run) -> Outcome:
    if run.problems:
        p = run.problems[0]
        return Outcome(s.name, s.path, FAILS, p.message, p.error, p.line, p.sqlstate,
                       p.exception)
    o = Outcome(s.name, s.path, RUNS)
    o.skipped_lines = sorted({st.line for st in run.skipped})
    o.may_fail = [{"line": p.line, "reason": p.message, "error": p.error}
                  for p in run.may_fail]
    seen = set()
    for st, why in run.unchecked:
        if (st.line, why) not in seen:
            seen.add((st.line, why))
            o.unchecked.append({"line": st.line, "reason": why})
    o.caught = [{"line": p.line, "error": p.error} for p in run.caught]
    return o


def _gap(h: History, start: SchemaState, ran: set, engine, laravel) -> dict:
    """The database against what the whole history creates on a fresh database."""
    full = Replay(SchemaState(), h.default_name, engine, laravel)
    not_yet_created(full, h)
    for s in h.summaries:
        full.apply(s)
    want = full.state.connection(DEFAULT)
    have = start.connection(DEFAULT)
    want_tables = {t.name.lower(): t for t in want.tables.values()
                   if t.status == YES and t.name.lower() != "migrations"}
    have_tables = {t.name.lower(): t for t in have.tables.values()
                   if t.status == YES and t.name.lower() != "migrations"}
    missing_tables, missing_columns = [], []
    for key, t in sorted(want_tables.items()):
        if key not in have_tables:
            missing_tables.append(_missing(t.name, None, t.origin, ran))
            continue
        have_t = have_tables[key]
        for ckey, col in sorted(t.columns.items()):
            if col.status == YES and have_t.column_status(col.name) == NO:
                missing_columns.append(_missing(t.name, col.name, col.origin, ran))
    columns_want = sum(1 for t in want_tables.values() for c in t.columns.values()
                       if c.status == YES)
    columns_have = sum(1 for key, t in want_tables.items() if key in have_tables
                       for c in t.columns.values()
                       if c.status == YES and have_tables[key].column_status(c.name) == YES)
    return {
        "tables_in_database": len(have_tables),
        "tables_in_history": len(want_tables),
        "history_tables_in_database": len(want_tables.keys() & have_tables.keys()),
        "columns_in_history": columns_want,
        "history_columns_in_database": columns_have,
        "other_tables": sorted(t.name for k, t in have_tables.items() if k not in want_tables),
        "missing_tables": missing_tables,
        "missing_columns": missing_columns,
        "recorded_but_missing": [m for m in missing_tables + missing_columns if m["recorded"]],
    }


def _missing(table, column, origin, ran) -> dict:
    by = origin.migration if origin is not None else None
    return {"table": table, "column": column, "created_by": by,
            "line": origin.line if origin is not None else None,
            "recorded": by in ran if by else False}


class _FixLookup:
    """The per-file rules' fixable findings, and summaries of the files as --fix leaves them."""

    def __init__(self, settings=None):
        self.settings = settings
        self.results: dict = {}

    def _settings(self):
        from migrate_lint import rules
        from migrate_lint.engine import Settings

        codes = {r.CODE for r in rules.FILE_RULES if r.FIXABLE}
        if self.settings is None:
            return Settings(enabled=codes)
        return Settings(enabled=codes, rule_ctx=self.settings.rule_ctx,
                        per_file_ignores=self.settings.per_file_ignores,
                        root=self.settings.root)

    def _result(self, path: str):
        if path not in self.results:
            from migrate_lint.engine import lint_path

            self.results[path] = lint_path(path, self._settings(), keep_model=True)
        return self.results[path]

    def fix_for(self, path: str, line: int) -> str | None:
        for f in self._result(path).findings:
            if f.fixable and f.span.line <= line <= f.span.end_line:
                return f"{f.code} {f.rule}: {f.message}"
        return None

    def diff_for(self, path: str, line: int) -> str | None:
        from migrate_lint.fix import fix_diff, preview

        result = self._result(path)
        if result.migration is None:
            return None
        fixes = preview([result], self._settings())
        for f in result.findings:
            if id(f) in fixes and f.span.line <= line <= f.span.end_line:
                source = result.migration.source
                return fix_diff(source.data, fixes[id(f)], path, line_starts=source.line_starts)
        return None

    def fixed_summary(self, summary):
        from migrate_lint.fix import fix_source
        from migrate_lint.replay.summaries import build_one

        result = self._result(summary.path)
        if result.migration is None or not any(f.fixable for f in result.findings):
            return summary
        try:
            new, _, _, _ = fix_source(result, self._settings())
        except Exception:  # a template problem: the preview keeps the file as it is
            return summary
        fixed, _ = build_one(summary.path, new)
        return fixed


# ---------------------------------------------------------------------------------- text
def render_text(plan: Plan) -> str:
    out: list[str] = []
    what = "Database" if plan.source == "database" else "Schema dump"
    out.append(f"{what} {plan.dump} ({plan.engine or plan.dialect}): {plan.recorded} "
               f"migration(s) recorded as run.")
    for w in plan.warnings:
        out.append(f"warning: {w}")
    gap = plan.gap
    if gap:
        out.append(f"It has {gap['history_tables_in_database']} of the "
                   f"{gap['tables_in_history']} tables and {gap['history_columns_in_database']}"
                   f" of the {gap['columns_in_history']} columns the migrations create"
                   + (f" (and {len(gap['other_tables'])} other table(s))"
                      if gap["other_tables"] else "") + ".")
    pending = [o for o in plan.outcomes if o.status != RAN]
    out.append("")
    out.append(_headline(pending))
    for o in pending:
        if o.status == NEVER:
            continue
        label = o.status.upper() if o.checked or o.status == FAILS else "MAY FAIL"
        out.append(f"  {label:<14} {o.migration}")
        where = os.path.basename(o.path)
        if o.status == FAILS:
            out.append(f"                 {where}:{o.line}: {o.reason}")
            out.append(f"                 {o.error}")
        if o.skipped_lines:
            out.append(f"                 skips the guarded step(s) at line(s) "
                       f"{', '.join(map(str, o.skipped_lines))}")
        for m in o.may_fail:
            out.append(f"                 {where}:{m['line']}: may fail: {m['reason']}")
        for u in o.unchecked[:3]:
            out.append(f"                 {where}:{u['line']}: not checked: {u['reason']}")
        for c in o.caught:
            out.append(f"                 {where}:{c['line']}: fails, caught by try/catch: "
                       f"{c['error']}")
    never = [o for o in pending if o.status == NEVER]
    if never:
        out.append(f"  {'NEVER REACHED':<14} {len(never)} migration(s): "
                   + ", ".join(o.migration for o in never[:3]) + (" ..." if len(never) > 3
                                                                  else ""))
    if plan.unknown_rows:
        out.append(f"{len(plan.unknown_rows)} recorded migration(s) have no file here: "
                   + ", ".join(plan.unknown_rows[:5]) + (" ..." if len(plan.unknown_rows) > 5
                                                         else ""))
    recorded = gap.get("recorded_but_missing") if gap else None
    if recorded:
        out.append("")
        out.append("Recorded as run, but their changes are missing (a half-applied or "
                   "hand-edited database):")
        for m in recorded[:10]:
            obj = f"{m['table']}.{m['column']}" if m["column"] else f"table {m['table']}"
            out.append(f"  {obj}: created by {m['created_by']} (line {m['line']})")
        if len(recorded) > 10:
            out.append(f"  ... {len(recorded) - 10} more")
    if plan.fixes:
        out.append("")
        out.append("What --fix would change to let the whole run complete:")
        for f in plan.fixes:
            where = f"{f.path}:{f.line}"
            if f.fix:
                out.append(f"  {where}: {f.fix}")
            else:
                out.append(f"  {where}: not fixable by --fix ({f.problem}); change it by hand")
    if plan.after_fix is not None:
        after = [o for o in plan.after_fix if o.status != RAN]
        still = next((o for o in after if o.status == FAILS), None)
        if still is None:
            ran = sum(1 for o in after if o.status == RUNS)
            out.append(f"After --fix: all {ran} pending migration(s) run"
                       + ("" if all(o.checked for o in after) else
                          " (some steps could not be checked: see above)") + ".")
        else:
            out.append(f"After --fix it still fails: {still.migration} line {still.line}: "
                       f"{still.reason}; this needs a hand repair.")
    elif not plan.fails:
        out.append("")
        out.append("No failure predicted." if all(o.checked for o in pending)
                   else "No definite failure predicted; the steps marked above could not be "
                        "checked.")
    return "\n".join(out) + "\n"


def _headline(pending) -> str:
    failing = next((o for o in pending if o.status == FAILS), None)
    never = sum(1 for o in pending if o.status == NEVER)
    if failing is None:
        return f"{len(pending)} pending migration(s):"
    return (f"{len(pending)} pending migration(s): {failing.migration} fails at line "
            f"{failing.line}; {never} after it never run:")
