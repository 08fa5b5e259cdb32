"""`verify --compare`: the static findings beside what really ran.

Each static finding is confirmed (the step it foretells failed on its statement), not reproduced on this engine
(the step that would fail ran and passed), or not runnable (that step never ran here: the
migration could not run, or stopped earlier). Each dynamic failure on a statement no static
finding names is a static miss. Matched by file, method and statement: the PHP trace gives the
line the failing statement starts on (`Schema::table(`), the static finding the line inside it;
a finding in a helper method belongs to the up()/down() that calls it (`$this->helper()`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from migrate_lint.record import record

_SKIP = ("ML000", "ML900")
# The step a static finding predicts to fail: a replay finding the first run, the others a re-run.
_PREDICTS = {"up": "up 2", "down": "down 2"}
CONFIRMED, NOT_REPRODUCED, NOT_RUNNABLE = "confirmed", "not reproduced on this engine", "not runnable"


@record
class Row:
    path: str
    line: int
    code: str
    method: str | None
    status: str
    dynamic: str | None = None  # "ML201 up 2" when confirmed; why when not runnable

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "code": self.code, "method": self.method,
                "status": self.status, "dynamic": self.dynamic}


@record
class Comparison:
    rows: list[Row]
    misses: list  # Outcomes with a finding no static finding names

    def counts(self) -> dict:
        out = {CONFIRMED: 0, NOT_REPRODUCED: 0, NOT_RUNNABLE: 0}
        for r in self.rows:
            out[r.status] += 1
        return out

    def as_dict(self) -> dict:
        return {"static": [r.as_dict() for r in self.rows], "counts": self.counts(),
                "static_misses": [{"path": o.path, "code": o.code, "step": o.step,
                                   "line": o.line, "error": o.error} for o in self.misses]}

    def text_lines(self) -> list[str]:
        out = ["", "Static findings beside the run:"]
        for r in self.rows:
            extra = f" ({r.dynamic})" if r.dynamic else ""
            out.append(f"  {r.path}:{r.line}: {r.code} {r.method or '?'}(): {r.status}{extra}")
        for o in self.misses:
            out.append(f"  {o.path}:{o.line or '?'}: static miss: {o.code} at {o.step}: {o.error}")
        c = self.counts()
        out.append(f"  {c[CONFIRMED]} confirmed, {c[NOT_REPRODUCED]} not reproduced, "
                   f"{c[NOT_RUNNABLE]} not runnable; {len(self.misses)} static misses.")
        return out


def static_findings(files) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "migrate_lint", "check", "--format", "json",
                           "--no-cache", "--exit-zero", *files], capture_output=True, text=True)
    try:
        return [f for f in json.loads(proc.stdout) if f["code"] not in _SKIP]
    except ValueError:
        return []


def _statement(path: str, line: int | None) -> tuple[int, int] | None:
    from migrate_lint.model.statements import statement_lines

    return statement_lines(Path(path).read_bytes(), line) if line else None


def _holds(failure, line: int) -> bool:
    """The failing statement holds the finding's line, or passes the closure that does (a
    closure in a variable: Laravel's trace names `Schema::table('x', $var)`)."""
    from migrate_lint.model.statements import closures_passed

    span = _statement(failure.path, failure.line)
    if span is None or span[0] <= line <= span[1]:
        return True
    passed = closures_passed(Path(failure.path).read_bytes(), failure.line)
    return any(first <= line <= last for first, last in passed)


def compare(files, result) -> Comparison:
    from migrate_lint.model.statements import entry_calls, method_at

    by_path = {str(Path(o.path).resolve()): o for o in result.outcomes}
    rows, matched = [], set()
    for f in static_findings(files):
        path = str(Path(f["path"]).resolve())
        outcome = by_path.get(path)
        if outcome is None:
            continue
        data = Path(path).read_bytes()
        method = method_at(data, f["line"])
        # A finding in a helper method is judged at the up()/down() that calls it.
        entries = {method: f["line"]} if method in ("up", "down") or method is None else \
            entry_calls(data, method)
        row = Row(outcome.path, f["line"], f["code"], method, NOT_RUNNABLE)
        rows.append(row)
        _judge_row(row, f, outcome, matched, entries)
    misses = [o for out in result.outcomes for o in out.failures()
              if o.code and id(o) not in matched]
    return Comparison(rows, misses)


def _foretold(code: str) -> tuple[str, ...]:
    """The steps whose failure a static finding foretells: the replay's (ML1xx) the first run
    of the history as written, the others a run again. A failure at another step on the same
    statement has another cause (a column too long for the engine, a down() that cannot run
    once): a static miss, not a confirmation."""
    return ("up 1", "down 1") if code.startswith("ML1") else ("up 2", "down 2", "up 3")


def _judge_row(row: Row, f: dict, outcome, matched: set, entries: dict) -> None:
    """entries: the up()/down() whose step runs the finding's line, each with the line where
    it does (the finding's own line, or where it calls the helper holding it)."""
    same = [x for x in outcome.failures()
            if x.code and x.method in entries and x.step in _foretold(f["code"])]
    hits = [x for x in same if _holds(x, f["line"])]
    if hits:
        row.status = CONFIRMED
        row.dynamic = ", ".join(f"{x.code} {x.step}" for x in hits)
        matched.update(id(x) for x in hits)
        return
    for failure in same:
        span = _statement(failure.path, failure.line)
        at, where = _positions(failure, span[0], row.method, f["line"], entries)
        own = _statement(failure.path, f["line"])
        if own[0] < span[0] <= own[1]:
            # failed inside the finding's own statement (a Schema::create closure's query)
            # before its SQL was sent: not reached, not passed
            row.dynamic = f"not reached: {failure.step} stopped inside it at line {span[0]}"
        elif where > at:
            row.status = NOT_REPRODUCED  # ran before the failing statement, and passed
        else:
            row.dynamic = f"not reached: {failure.step} stopped at line {span[0]}"
        return
    if f["code"].startswith("ML1"):
        predicted = ["up 1"]
    else:
        predicted = [_PREDICTS[m] for m in entries if m in _PREDICTS]
    if not predicted:
        row.dynamic = "not in up() or down()"
    elif all(p in outcome.passed for p in predicted):
        row.status = NOT_REPRODUCED
    else:
        last = outcome.failures()[-1] if outcome.failures() else outcome
        row.dynamic = f"{last.step}: {last.reason}" if last.reason else None


def _positions(failure, line: int, method: str | None, finding_line: int, entries: dict):
    """(finding, failure) as lines of the step's method, to tell which ran first: a line in a
    helper counts as the line that calls it. In one helper their own lines; when both are
    reached through the same call, the failure is not taken as after the finding."""
    from migrate_lint.model.statements import entry_calls, method_at

    data = Path(failure.path).read_bytes()
    where_method = method_at(data, line)
    if where_method == method:
        return finding_line, line
    at = finding_line if method == failure.method else entries[failure.method]
    where = line if where_method == failure.method else \
        entry_calls(data, where_method or "").get(failure.method, at)
    return at, where
