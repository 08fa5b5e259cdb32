"""`plan`: which pending migrations run, fail or are never reached on a dumped database.

Laravel's migrator runs pending migrations in name order and stops at the first exception,
recording a migration only after its up() returned (LARAVEL_FACTS.md). So the prediction is:
every pending migration up to the first definite failure runs, that one fails, the rest are
never reached. Past the failure we keep replaying as if `--fix` had guarded the failing
statement (a guarded statement is skipped when its object exists), to say what `--fix` would
change to let the whole run complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from migrate_lint.replay import dump as dumpmod
from migrate_lint.replay.fold import Replay
from migrate_lint.replay.history import History, load_history
from migrate_lint.replay.state import DEFAULT, SchemaState

RUNS, FAILS, NEVER, RAN = "runs", "fails", "never reached", "already ran"


@dataclass
class Outcome:
    migration: str
    path: str
    status: str
    reason: str = ""
    error: str = ""
    line: int = 0


@dataclass
class FixNote:
    path: str
    line: int
    problem: str
    fix: str | None  # "ML002: guard with Schema::hasColumn", None: --fix cannot help


@dataclass
class Plan:
    dump: str
    dialect: str
    recorded: int  # migrations rows in the dump
    outcomes: list[Outcome] = field(default_factory=list)
    fixes: list[FixNote] = field(default_factory=list)
    unknown_rows: list[str] = field(default_factory=list)  # rows with no file here

    @property
    def fails(self) -> bool:
        return any(o.status == FAILS for o in self.outcomes)

    def as_dict(self) -> dict:
        return {
            "dump": self.dump, "dialect": self.dialect, "recorded_migrations": self.recorded,
            "pending": sum(1 for o in self.outcomes if o.status != RAN),
            "failure_predicted": self.fails,
            "migrations": [o.__dict__ for o in self.outcomes],
            "fix": [f.__dict__ for f in self.fixes],
            "rows_without_file": self.unknown_rows,
        }


def make_plan(dump_path: str, dirs: list[str], dialect: str | None = None) -> Plan:
    parsed = dumpmod.load(dump_path, dialect)
    h = load_history(dirs, use_squashed=False)
    state = SchemaState()
    dumpmod.apply_to(parsed, state.connection(DEFAULT), closed=True)
    ran = set(parsed.migrations)
    plan = Plan(dump_path, parsed.dialect, len(parsed.migrations))
    names = {s.name for s in h.summaries}
    plan.unknown_rows = [m for m in parsed.migrations if m not in names]
    replay = Replay(state, h.default_name)
    failed = False
    fix_lookup = _FixLookup()
    for s in h.summaries:
        if s.name in ran:
            plan.outcomes.append(Outcome(s.name, s.path, RAN))
            continue
        problems = replay.apply(s)
        if not failed:
            if problems:
                p = problems[0]
                failed = True
                plan.outcomes.append(Outcome(s.name, s.path, FAILS, p.message, p.error, p.line))
            else:
                plan.outcomes.append(Outcome(s.name, s.path, RUNS))
        else:
            plan.outcomes.append(Outcome(s.name, s.path, NEVER))
        for p in problems:
            plan.fixes.append(FixNote(p.path, p.line, p.message, fix_lookup.fix_for(p.path,
                                                                                    p.line)))
    return plan


class _FixLookup:
    """The fixable per-file finding on a line, from the ordinary lint rules."""

    def __init__(self):
        self.cache: dict[str, list] = {}

    def fix_for(self, path: str, line: int) -> str | None:
        findings = self.cache.get(path)
        if findings is None:
            from migrate_lint import rules
            from migrate_lint.engine import Settings, lint_path

            codes = {r.CODE for r in rules.FILE_RULES if r.FIXABLE}
            findings = self.cache[path] = lint_path(path, Settings(enabled=codes)).findings
        for f in findings:
            if f.fixable and f.span.line <= line <= f.span.end_line:
                return f"{f.code} {f.rule}: {f.message}"
        return None


def render_text(plan: Plan) -> str:
    out = [f"Schema dump {plan.dump} ({plan.dialect}): {plan.recorded} migration(s) recorded "
           f"as run."]
    pending = [o for o in plan.outcomes if o.status != RAN]
    out.append(f"{len(pending)} pending migration(s):")
    for o in pending:
        line = f"  {o.status.upper():<14} {o.migration}"
        out.append(line)
        if o.status == FAILS:
            out.append(f"                 {os.path.basename(o.path)}:{o.line}: {o.reason}")
            out.append(f"                 {o.error}")
    if plan.unknown_rows:
        out.append(f"{len(plan.unknown_rows)} recorded migration(s) have no file here: "
                   + ", ".join(plan.unknown_rows[:5]) + (" ..." if len(plan.unknown_rows) > 5
                                                         else ""))
    if plan.fixes:
        out.append("")
        out.append("What --fix would change to let the whole run complete:")
        for f in plan.fixes:
            where = f"{f.path}:{f.line}"
            if f.fix:
                out.append(f"  {where}: {f.fix}")
            else:
                out.append(f"  {where}: not fixable by --fix ({f.problem}); change it by hand")
    elif not plan.fails:
        out.append("")
        out.append("No failure predicted.")
    return "\n".join(out) + "\n"
