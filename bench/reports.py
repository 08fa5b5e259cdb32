"""Rendering cost of the reports on 5,000 migrations: `python bench/reports.py [--files 5000]`.

Times, in one process, the analysis each report needs and then the rendering on top of it
(what --format html or mermaid adds): check (findings, fix previews with their diffs, page),
plan (a dump where 3,000 migrations ran; the page from Plan.as_dict()) and schema (the SVG
diagram page and the mermaid Markdown). Median of --repeat runs. The issue's target: rendering
adds under 1 s for 5,000 migrations.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def row(name: str, seconds: float, note: str = "") -> str:
    return f"{name:<58} {seconds * 1000:8.0f} ms  {note}"


def dump_for(history: Path, ran: int) -> str:
    names = sorted(p.stem for p in history.glob("*.php"))[:ran]
    tables = "\n".join(f"CREATE TABLE `table_{i}` (`id` bigint unsigned NOT NULL AUTO_INCREMENT,"
                       f" PRIMARY KEY (`id`));" for i in range(400))
    rows = "\n".join(f"INSERT INTO `migrations` VALUES ({n},'{name}',1);"
                     for n, name in enumerate(names, 1))
    return ("CREATE TABLE `migrations` (`id` int unsigned NOT NULL AUTO_INCREMENT, `migration` "
            "varchar(255) NOT NULL, `batch` int NOT NULL, PRIMARY KEY (`id`));\n"
            + tables + "\n" + rows + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from migrate_lint.engine import Settings, lint_path
    from migrate_lint import rules
    from migrate_lint.fix import preview
    from migrate_lint.report import ReportContext, html, mermaid, plan_html, schema_html
    from migrate_lint.replay import history as hist
    from migrate_lint.replay.plan import make_plan
    from migrate_lint.replay.schema_view import state_data

    work = Path(tempfile.mkdtemp(prefix="ml-bench-reports-"))
    try:
        history = generate(work / "history", args.files)
        files = sorted(str(p) for p in history.glob("*.php"))
        print(f"== reports on {args.files:,} migrations (median of {args.repeat})")

        settings = Settings(enabled={r.CODE for r in rules.FILE_RULES})
        lint_s, results = timed(lambda: [lint_path(f, settings, keep_model=True) for f in files], 1)
        findings = sorted((f for r in results for f in r.findings), key=lambda f: f.sort_key())

        def check_page():
            ctx = ReportContext(files=files, sources={r.path: r.migration.source for r in results},
                                fixes=preview(results, settings))
            return html.render(findings, ctx)

        check_s, page = timed(check_page, args.repeat)
        print(row("check: lint with models (the analysis)", lint_s))
        print(row(f"check --format html: {len(findings):,} findings, fix diffs, page", check_s,
                  f"{len(page) / 1e6:.1f} MB"))

        dump = work / "dump.sql"
        dump.write_text(dump_for(history, 3000))
        plan_s, plan = timed(lambda: make_plan(str(dump), [str(history)], engine="mysql"), 1)
        data = plan.as_dict()
        render_s, page = timed(lambda: plan_html.render(data), args.repeat)
        print(row("plan: the analysis (make_plan)", plan_s))
        print(row("plan --format html: the page from as_dict()", render_s,
                  f"{len(page) / 1e6:.1f} MB"))

        def schema_data():
            h = hist.load_history([str(history)])
            for _ in hist.replay(h):
                pass
            return [{"directories": [str(history)], "migrations": len(h.summaries),
                     "squashed": [], "already_in_squashed_schema": 0,
                     "connections": state_data(h.final, h.default_name)}]

        schema_s, histories = timed(schema_data, 1)
        tables = sum(len(c["tables"]) for c in histories[0]["connections"])
        html_s, page = timed(lambda: schema_html.render(histories), args.repeat)
        md_s, md = timed(lambda: mermaid.render(histories), args.repeat)
        print(row("schema: the replay (the analysis)", schema_s, f"{tables} tables"))
        print(row("schema --format html: SVG diagram and table list", html_s,
                  f"{len(page) / 1e6:.1f} MB"))
        print(row("schema --format mermaid", md_s, f"{md.count('```mermaid')} diagram(s)"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
