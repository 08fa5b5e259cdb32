"""verify's logic: run a history under real Laravel, migration by migration, and judge each step.

For each migration, in Laravel's order, on the state every earlier migration left: `up 1`,
`up 2`, `down 1`, `down 2`, `up 3` (which brings the state back to "after up" for the next
migration), in one PHP process that stops at the first failure.
- a database error at `up 1` is ML202 (fails on a fresh database), unless it is about objects
  an earlier migration that failed should have created: then the migration is blocked;
- a database error at a later step is ML201, naming the step;
- anything else (an app class, a helper, a PHP extension missing, a PHP fatal error, a limit of
  Laravel 8 on SQLite) is a note: that migration could not be verified here.
After any failure the database is put back to the state before the migration (snapshot.py),
and, when `up 1` had worked, `up` runs once more so the next migration sees its objects.
It only ever runs on a database it created, or one the user calls disposable (scratch.py).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from migrate_lint.record import field, record

STEPS = ("up", "up", "down", "down", "up")
STEP_NAMES = ("up 1", "up 2", "down 1", "down 2", "up 3")
_WHAT = {
    "up 1": "up() fails on a fresh database, after every earlier migration ran",
    "up 2": "up() fails when run again",
    "down 1": "down() fails on its first run, after up()",
    "down 2": "down() fails when run again",
    "up 3": "up() fails after down() ran",
}
_METHOD = re.compile(rb"function\s+(up|down)\s*\(", re.I)

VERIFIED, FINDING, NOT_RUNNABLE, BLOCKED = "verified", "finding", "not-runnable", "blocked"


class VerifyError(Exception):
    pass


@record
class Outcome:
    path: str
    status: str = VERIFIED          # verified | finding | not-runnable | blocked
    step: str | None = None         # the failing step: "up 1" ... "up 3", or "load"
    code: str | None = None         # ML201 / ML202 for a finding
    error: str | None = None
    reason: str | None = None       # the group of a note ("SQLite limit: dropForeign", ...)
    line: int | None = None         # the failing statement, from the PHP trace
    blocked_by: str | None = None
    passed: list[str] = field(default_factory=list)   # the steps that ran and passed
    more: list["Outcome"] = field(default_factory=list)  # later failures (down after up 2)

    @property
    def method(self) -> str | None:
        return self.step.split()[0] if self.step and self.step != "load" else None

    @property
    def verified(self) -> bool:
        return self.status in (VERIFIED, FINDING)

    def as_dict(self) -> dict:
        return {"path": self.path, "status": self.status, "step": self.step, "code": self.code,
                "method": self.method, "line": self.line, "reason": self.reason,
                "blocked_by": self.blocked_by, "error": self.error, "passed": self.passed,
                "more": [m.as_dict() for m in self.more]}

    def failures(self) -> list["Outcome"]:
        return ([self] if self.status != VERIFIED else []) + self.more


@record
class VerifyResult:
    outcomes: list[Outcome]
    engine: str
    laravel: str
    findings: list = field(default_factory=list)

    @property
    def could_not_run(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.verified]

    def reasons(self) -> dict[str, int]:
        counts = Counter("blocked by an earlier failure" if o.status == BLOCKED else o.reason
                         for o in self.could_not_run)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def summary(self) -> dict:
        return {"migrations": len(self.outcomes),
                "verified": sum(o.verified for o in self.outcomes),
                "could_not_run": len(self.could_not_run), "reasons": self.reasons(),
                "findings": dict(Counter(f.code for o in self.outcomes for f in o.failures()
                                         if f.code)),
                "engine": self.engine, "laravel": self.laravel}

    def summary_line(self) -> str:
        s = self.summary()
        reasons = ", ".join(f"{n} {r}" for r, n in s["reasons"].items())
        line = (f"{s['verified']} of {s['migrations']} migrations verified, "
                f"{s['could_not_run']} could not run" + (f" ({reasons})" if reasons else ""))
        return f"{line}; {self.laravel} on {'SQLite' if self.engine == 'sqlite' else 'MariaDB'}."


def migration_files(paths) -> list[str]:
    """The migrations to run, in the Migrator's order. An application's root stands for its
    database/migrations (what `php artisan migrate` runs); a folder with none is an error, never
    "All checks passed" over nothing."""
    files = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = [f for f in p.glob("*_*.php") if f.is_file()]
            if not found and (p / "database" / "migrations").is_dir():
                found = [f for f in (p / "database" / "migrations").glob("*_*.php") if f.is_file()]
            if not found:
                raise VerifyError(f"no migration files found under {given} (give the folder "
                                  "that holds them, such as database/migrations)")
            files += [str(f) for f in found]
        elif p.is_file():
            files.append(str(p))
        else:
            raise VerifyError(f"{given}: no such file or directory")
    return sorted(files, key=lambda f: (Path(f).stem, f))


def _span(path: str, method: str | None, line: int | None):
    from migrate_lint.source import Source

    data = Path(path).read_bytes()
    source = Source(path, data)
    if line:
        starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]
        if line <= len(starts):
            start = starts[line - 1]
            end = starts[line] - 1 if line < len(starts) else len(data)
            text = data[start:end]
            indent = len(text) - len(text.lstrip())
            return source.span(start + indent, end)
    for m in _METHOD.finditer(data):
        if m.group(1).decode().lower() == method:
            return source.span(m.start(), m.end())
    return source.span(0, 0)


def finding(outcome: Outcome, mask=lambda s: s):
    from migrate_lint.findings import Finding
    from migrate_lint.rules import ml201_not_rerunnable, ml202_fails_on_fresh_database

    rule = ml202_fails_on_fresh_database if outcome.code == "ML202" else ml201_not_rerunnable
    error = mask(outcome.error or "unknown error")
    message = f"{_WHAT[outcome.step]} (step {outcome.step}): {error}"
    return Finding(code=rule.CODE, rule=rule.NAME, path=outcome.path,
                   span=_span(outcome.path, outcome.method, outcome.line), message=message,
                   severity="error", snippet=f"{rule.CODE} {outcome.step}",
                   extra={"step": outcome.step, "method": outcome.method,
                          "statement_line": outcome.line})


def _error_text(step) -> str:
    error = step.error or "unknown error"
    if step.sqlstate and "SQLSTATE" not in error:
        error = f"SQLSTATE[{step.sqlstate}] {error}"
    return error


def judge(path: str, result, engine: str, failed_earlier: list[str], offset: int = 0) -> Outcome:
    """One migration's outcome from its steps (see the module docstring); `offset` is the
    index in STEP_NAMES of the first step the result ran."""
    from migrate_lint.dynamic import judge as j

    failing, index = None, None
    for i, step in enumerate(result.steps):
        if not step.ok:
            failing, index = step, i
            break
    if failing is None and result.fatal is not None:
        failing = result.fatal
        index = len(result.steps) if result.fatal.method != "load" else None
    ran = len(result.steps) if index is None and failing is None else (index or 0)
    passed = list(STEP_NAMES[offset:offset + ran])
    if failing is None:
        return Outcome(path, passed=passed)
    index = None if index is None else index + offset
    name = STEP_NAMES[index] if index is not None and index < len(STEP_NAMES) else "load"
    error = _error_text(failing)
    verdict = j.classify(error, failing.exception, engine)
    if verdict.kind == j.DATABASE and engine == "sqlite" \
            and j.lost_in_doctrine_rebuild(path, error):
        verdict = j.Verdict(j.LIMIT, j.DOCTRINE_REBUILD)
    if verdict.kind == j.CONNECTION:
        raise VerifyError(f"{verdict.reason} while running {Path(path).name}: {error}")
    outcome = Outcome(path, step=name, error=error, line=failing.line, reason=verdict.reason,
                      passed=passed)
    if verdict.kind != j.DATABASE:
        outcome.status = NOT_RUNNABLE
    elif name in ("up 1", "down 1"):
        # The first run of each direction meets the objects earlier migrations left: one that
        # could not run leaves its objects missing, and a failure about them is not this one's.
        blocker = j.blocked_by(error, failed_earlier)
        if blocker:
            outcome.status, outcome.blocked_by = BLOCKED, blocker
        else:
            outcome.status, outcome.code = FINDING, "ML202" if name == "up 1" else "ML201"
    else:
        outcome.status, outcome.code = FINDING, "ML201"
    return outcome


def _last_fingerprint(result) -> dict | None:
    if result.fatal is not None or not result.steps:
        return None
    return result.steps[-1].fingerprint


class _Runner:
    """Runs one history through the worker, putting the database back after failures."""

    def __init__(self, db, autoload, mask):
        from migrate_lint.dynamic import oracle, snapshot

        self.db, self.autoload, self.mask = db, autoload, mask
        self.worker = oracle.Worker(db, autoload)
        self.snaps = snapshot.for_database(db, self.rebuild, self.worker.fingerprint)
        self.applied: list[str] = []  # migrations whose up() stands in the database
        self.failed: list[str] = []   # migrations whose up() did not run: their objects are missing
        self.roots: dict[str, str] = {}  # blocked migration -> the failure that blocked it
        self.tables: list[str] = []

    def rebuild(self, applied):
        from migrate_lint.dynamic import oracle, scratch

        self.worker.close()
        scratch.empty(self.db)
        done = oracle.replay(applied, self.db, self.autoload)
        if not done.get("ok"):
            raise VerifyError(self.mask(f"could not rebuild the scratch database: {done.get('error')}"))

    def settle(self, path, before, after_up, now) -> bool:
        """Bring the database to the state after this migration's up() (after_up set) or before
        it (after_up None), from the fingerprint `now` (None: unknown). False: up() no longer
        runs, the state is the one before."""
        target = after_up or before
        if now and target and now["hash"] == target["hash"]:
            return True
        self.snaps.restore(self.applied, before)
        if after_up is None:
            return True
        if self.worker.run_steps(path, ["up"]).ok:
            return True
        self.snaps.restore(self.applied, before)
        return False

    def one(self, path) -> Outcome:
        self.snaps.take(path, self.tables)
        result = self.worker.run_steps(path, STEPS, fingerprint=True)
        before = result.before
        outcome = judge(path, result, self.db.engine, self.failed)
        if outcome.blocked_by:  # name the migration that failed first, not a blocked one
            outcome.blocked_by = self.roots.get(outcome.blocked_by, outcome.blocked_by)
            self.roots[path] = outcome.blocked_by
        first = result.steps[0] if result.steps else None
        after_up = first.fingerprint if first is not None and first.ok else None
        now = _last_fingerprint(result)
        if outcome.status != VERIFIED and outcome.step == "up 2" and outcome.code:
            # up() cannot run twice; down() still gets its own verdict (up 3 would only
            # repeat up 2's failure)
            if self.settle(path, before, after_up, now):
                rest = self.worker.run_steps(path, STEPS[2:4], fingerprint=True)
                later = judge(path, rest, self.db.engine, self.failed, 2)
                outcome.passed += later.passed
                if later.status != VERIFIED:
                    outcome.more.append(later)
                now = _last_fingerprint(rest)
        if outcome.status == VERIFIED:
            self.applied.append(path)
        elif self.settle(path, before, after_up, now) and after_up is not None:
            self.applied.append(path)
        else:
            self.failed.append(path)
        fingerprint = self.worker.fingerprint() if outcome.status != VERIFIED else now
        self.tables = (fingerprint or {}).get("tables", self.tables)
        return outcome

    def close(self):
        self.worker.close()
        self.snaps.close()


def verify_files(files, db, autoload=None, laravel: str = "", progress=None,
                 mask=lambda s: s) -> VerifyResult:
    from migrate_lint.dynamic import snapshot

    runner = _Runner(db, autoload, mask)
    outcomes: list[Outcome] = []
    try:
        for n, path in enumerate(files, 1):
            if progress:
                progress(n, len(files), path)
            outcomes.append(runner.one(path))
    except snapshot.SnapshotError as exc:
        raise VerifyError(mask(str(exc))) from None
    finally:
        runner.close()
    result = VerifyResult(outcomes, db.engine, laravel)
    result.findings = [finding(f, mask) for o in outcomes for f in o.failures()
                       if f.status == FINDING]
    return result
