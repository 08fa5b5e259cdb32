"""Rendering cost of the reports on 5,000 migrations: `python bench/reports.py [--files 5000]`.

Times, in one process, the analysis each report needs and then the rendering on top of it
(what --format html or mermaid adds): check (findings, fix previews with their diffs, page),
plan (a dump where 3,000 migrations ran; the page from Plan.as_dict()), schema (the SVG
diagram page and the mermaid Markdown) and verify (the page from verify's JSON, made up: 5,000
migrations under PHP take far too long for a benchmark; then as the command writes it, a
password masked in the data and the page). Median of --repeat runs, wall clock
and CPU time. The issue's target: rendering
adds under 1 s for 5,000 migrations.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


@dataclass
class Timing:
    wall: float  # median seconds
    cpu: float   # median CPU seconds of this process: moves less with a shared machine's load


def timed(fn, repeat: int):
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus)), out


def row(name: str, t: Timing, note: str = "") -> str:
    return f"{name:<58} {t.wall * 1000:8.0f} ms  (CPU {t.cpu * 1000:4.0f} ms)  {note}"


def dump_for(history: Path, ran: int) -> str:
    names = sorted(p.stem for p in history.glob("*.php"))[:ran]
    tables = "\n".join(f"CREATE TABLE `table_{i}` (`id` bigint unsigned NOT NULL AUTO_INCREMENT,"
                       f" PRIMARY KEY (`id`));" for i in range(400))
    rows = "\n".join(f"INSERT INTO `migrations` VALUES ({n},'{name}',1);"
                     for n, name in enumerate(names, 1))
    return ("CREATE TABLE `migrations` (`id` int unsigned NOT NULL AUTO_INCREMENT, `migration` "
            "varchar(255) NOT NULL, `batch` int NOT NULL, PRIMARY KEY (`id`));\n"
            + tables + "\n" + rows + "\n")


REPORTS = ("check", "plan", "schema", "verify")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=REPORTS, action="append",
                        help="time only this report (repeatable)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ml-bench-reports-"))
    try:
        history = generate(work / "history", args.files)
        print(f"== reports on {args.files:,} migrations (median of {args.repeat})")
        for name in args.only or REPORTS:
            globals()[f"bench_{name}"](history, work, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def bench_check(history: Path, work: Path, repeat: int) -> None:
    from migrate_lint import rules
    from migrate_lint.engine import Settings, lint_path
    from migrate_lint.fix import preview
    from migrate_lint.heap import long_lived
    from migrate_lint.report import ReportContext, html

    files = sorted(str(p) for p in history.glob("*.php"))
    settings = Settings(enabled={r.CODE for r in rules.FILE_RULES})
    lint_s, results = timed(lambda: [lint_path(f, settings, keep_model=True) for f in files], 1)
    findings = sorted((f for r in results for f in r.findings), key=lambda f: f.sort_key())

    def check_page():  # as lint/runner.py builds it
        with long_lived():
            ctx = ReportContext(files=files, sources={r.path: r.migration.source for r in results},
                                fixes=preview(results, settings))
            return html.render(findings, ctx)

    check_s, page = timed(check_page, repeat)
    print(row("check: lint with models (the analysis)", lint_s))
    print(row(f"check --format html: {len(findings):,} findings, fix diffs, page", check_s,
              f"{len(page) / 1e6:.1f} MB"))


def bench_plan(history: Path, work: Path, repeat: int) -> None:
    from migrate_lint.replay.plan import make_plan
    from migrate_lint.report import plan_html

    dump = work / "dump.sql"
    dump.write_text(dump_for(history, 3000))
    plan_s, plan = timed(lambda: make_plan(str(dump), [str(history)], engine="mysql"), 1)
    data = plan.as_dict()
    render_s, page = timed(lambda: plan_html.render(data), repeat)
    print(row("plan: the analysis (make_plan)", plan_s))
    print(row("plan --format html: the page from as_dict()", render_s,
              f"{len(page) / 1e6:.1f} MB"))


def bench_schema(history: Path, work: Path, repeat: int) -> None:
    from migrate_lint.replay import history as hist
    from migrate_lint.replay.schema_view import state_data
    from migrate_lint.report import mermaid, schema_html

    def schema_data():
        h = hist.load_history([str(history)])
        for _ in hist.replay(h):
            pass
        return [{"directories": [str(history)], "migrations": len(h.summaries),
                 "squashed": [], "already_in_squashed_schema": 0,
                 "connections": state_data(h.final, h.default_name)}]

    schema_s, histories = timed(schema_data, 1)
    tables = sum(len(c["tables"]) for c in histories[0]["connections"])
    html_s, page = timed(lambda: schema_html.render(histories), repeat)
    md_s, md = timed(lambda: mermaid.render(histories), repeat)
    print(row("schema: the replay (the analysis)", schema_s, f"{tables} tables"))
    print(row("schema --format html: SVG diagram and table list", html_s,
              f"{len(page) / 1e6:.1f} MB"))
    print(row("schema --format mermaid", md_s, f"{md.count('```mermaid')} diagram(s)"))


def verify_data(files: list[str]) -> dict:
    """verify's JSON for these files, made up in its shape: every 50th migration fails its
    second up(), every 200th is blocked by it, every 300th cannot run here."""
    error = ("SQLSTATE[42S21]: Column already exists: 1060 Duplicate column name 'priority' "
             "(SQL: alter table `tasks` add `priority` int not null)")
    steps = ["up 1", "up 2", "down 1", "down 2", "up 3"]
    outcomes, findings, notes, failed = [], [], [], None
    for n, path in enumerate(files):
        o = {"path": path, "status": "verified", "step": None, "code": None, "method": None,
             "line": None, "reason": None, "blocked_by": None, "error": None,
             "passed": steps, "more": []}
        if n % 50 == 7:
            o.update(status="finding", step="up 2", code="ML201", method="up", line=14,
                     reason="database error", error=error, passed=["up 1", "down 1", "down 2"])
            findings.append({"code": "ML201", "rule": "not-rerunnable", "path": path, "line": 14,
                             "column": 9, "end_line": 14, "end_column": 20, "severity": "error",
                             "message": f"up() fails when run again (step up 2): {error}",
                             "fixable": False, "url": None, "step": "up 2", "method": "up",
                             "statement_line": 14})
            failed = path
        elif n % 200 == 9 and failed:
            o.update(status="blocked", step="up 1", method="up", line=9, reason="blocked",
                     error=error, blocked_by=failed, passed=[])
            notes.append(f"{path}:9: blocked (up 1): fails only because {failed} did not run: "
                         f"{error}")
        elif n % 300 == 11:
            o.update(status="not-runnable", step="up 1", method="up", line=6, passed=[],
                     reason="the application's classes are missing",
                     error='Class "App\\Models\\Widget" not found')
            notes.append(f"{path}:6: not runnable here (up 1: the application's classes are "
                         'missing): Class "App\\Models\\Widget" not found')
        outcomes.append(o)
    verified = sum(o["status"] in ("verified", "finding") for o in outcomes)
    return {"findings": findings, "outcomes": outcomes, "notes": notes,
            "summary": {"migrations": len(outcomes), "verified": verified,
                        "could_not_run": len(outcomes) - verified, "reasons": {},
                        "findings": {"ML201": len(findings)}, "engine": "sqlite",
                        "laravel": "Laravel 8.83.26 (Debian's packages)"}}


def bench_verify(history: Path, work: Path, repeat: int) -> None:
    from migrate_lint.dynamic import report, scratch
    from migrate_lint.report import verify_html

    data = verify_data(sorted(str(p) for p in history.glob("*.php")))
    render_s, page = timed(lambda: verify_html.render(data), repeat)
    print(row(f"verify --format html: {len(data['outcomes']):,} outcomes, the page", render_s,
              f"{len(page) / 1e6:.1f} MB, {len(data['notes'])} notes"))
    masker = scratch.Masker(["s3cret-password"])

    def as_the_command_does():  # lint/dynamic/command.py: a password masked in data and page
        return masker(verify_html.render(report.masked(data, masker)))

    masked_s, _ = timed(as_the_command_does, repeat)
    print(row("  with the password masked, as the command writes it", masked_s))


if __name__ == "__main__":
    sys.exit(main())
