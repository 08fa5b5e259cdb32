"""The staging incident, end to end, under real Laravel (see README.md beside this file).

1. production: a fresh database migrated with the fixed migrations;
2. staging: migrated up to the incident, then the incident's first, half-applied attempt;
3. Laravel's Migrator on staging stops at 2025_10_23_162250 with "Duplicate column name
   'priority'" and every later migration stays pending;
4. `migrate-lint plan` on a dump of staging predicts that same stop and writes the HTML report
   (reports/staging-plan-<engine>.html);
5. migrate-lint flags it, migrate-lint --fix repairs the migrations, staging migrates again
   and ends with the same tables and columns as production.

Exit 0 when the story reproduces and the repair works, on every engine asked for.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from migrate_lint.dynamic import oracle
from migrate_lint.dynamic.mariadb_server import MariaDbServer

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE / "database" / "migrations"
REPORTS = HERE / "reports"  # where run.sh writes the plan reports (git-ignored), --report-dir
INCIDENT = "2025_10_23_162250_add_priority_to_service_cases_table"
# What the first, interrupted attempt of the incident migration left behind.
HALF_APPLIED = {
    "mariadb": "ALTER TABLE service_cases ADD priority TINYINT UNSIGNED NOT NULL DEFAULT 3 AFTER status",
    "sqlite": "ALTER TABLE service_cases ADD COLUMN priority INTEGER NOT NULL DEFAULT 3",
}
EXPECTED_ERROR = {"mariadb": "1060 Duplicate column name 'priority'",
                  "sqlite": "duplicate column name: priority"}


class StoryFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise StoryFailed(message)


def migrate_lint(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "migrate_lint", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def columns(tables):
    return {t: sorted(cols) for t, cols in tables.items() if t != "migrations"}


def story(engine, new_db, work: Path, reports: Path = REPORTS):
    names = sorted(p.stem for p in MIGRATIONS.glob("*.php"))
    later = names[names.index(INCIDENT) + 1:]
    original = work / "original"
    shutil.copytree(MIGRATIONS, original)
    fixed = work / "fixed"
    shutil.copytree(MIGRATIONS, fixed)
    migrate_lint("--fix", "--laravel-version", "8.83", fixed)

    production = new_db()
    result = oracle.migrate(fixed, production)
    check(result.ok, f"production: the fixed migrations must run on a fresh database: {result.error}")
    prod_tables = columns(result.tables)
    print(f"[{engine}] production: {len(names)} migrations, {len(prod_tables)} tables")

    staging = new_db()
    before = work / "before-incident"
    before.mkdir()
    for name in names[:names.index(INCIDENT)]:
        shutil.copy(original / f"{name}.php", before)
    check(oracle.migrate(before, staging).ok, "staging: the migrations before the incident must run")
    oracle.run_steps(original / f"{INCIDENT}.php", [], staging, setup=[HALF_APPLIED[engine]])

    # Before anything runs: what will `php artisan migrate` do on this database?
    predicted = predict(engine, staging, original, later)
    print(f"[{engine}] migrate-lint plan --database (read-only, before migrating): {predicted}")

    result = oracle.migrate(original, staging)
    check(not result.ok, "staging: the original incident migration should fail")
    check(result.failed_migration == INCIDENT, f"staging stopped at {result.failed_migration}")
    check(EXPECTED_ERROR[engine] in (result.error or ""), f"unexpected error: {result.error}")
    check(result.pending == later, "every later migration must stay pending")
    print(f"[{engine}] staging: Migrator stopped at {INCIDENT}: "
          f"SQLSTATE {result.sqlstate} {EXPECTED_ERROR[engine]}; {len(result.pending)} later "
          f"migrations pending; {len(columns(result.tables))} of {len(prod_tables)} tables")

    report = write_plan_report(engine, staging, reports)
    print(f"[{engine}] migrate-lint plan on a dump of staging predicts the same stop; "
          f"report: {report}")

    lint = migrate_lint(original, "--select", "ML002", "--format", "json")
    flagged = [f for f in json.loads(lint.stdout) if INCIDENT in f["path"]]
    check(lint.returncode == 1 and flagged, "migrate-lint must flag the incident migration")
    print(f"[{engine}] migrate-lint: {flagged[0]['path'].rsplit('/', 1)[-1]}:{flagged[0]['line']}: "
          f"{flagged[0]['code']} {flagged[0]['message']}")

    repaired = work / "repaired"
    shutil.copytree(MIGRATIONS, repaired)
    fix = migrate_lint("--fix", "--laravel-version", "8.83", repaired)
    check(fix.returncode in (0, 1), f"migrate-lint --fix failed: {fix.stderr}")
    plan = migrate_lint("plan", "--database", database_url(staging), "--laravel-version", "8.83",
                        repaired, "--format", "json")
    runs = [m for m in json.loads(plan.stdout)["migrations"] if m["status"] == "runs"]
    check(plan.returncode == 0 and len(runs) == len(later) + 1,
          f"plan after --fix should predict that all {len(later) + 1} run: {plan.stdout[-300:]}")
    print(f"[{engine}] migrate-lint plan --database after --fix: all {len(runs)} pending "
          f"migrations run")
    result = oracle.migrate(repaired, staging)
    check(result.ok, f"staging: the repaired migrations must complete: {result.error}")
    check(result.ran == [INCIDENT, *later], f"staging ran {result.ran}")
    staging_tables = columns(result.tables)
    check(staging_tables == prod_tables, "staging and production differ after the repair")
    print(f"[{engine}] after migrate-lint --fix: staging ran {len(result.ran)} migrations and "
          f"matches production ({len(staging_tables)} tables, same columns)")


def database_url(db) -> str:
    if db.engine == "sqlite":
        return f"sqlite:///{db.path}"
    return f"mariadb://{db.user}@{db.host}:{db.port}/{db.database}"


def predict(engine, staging, migrations: Path, later) -> str:
    """`migrate-lint plan --database URL` on staging, checked: it names the incident migration,
    the statement at line 15 and the later migrations it blocks."""
    args = ["plan", "--database", database_url(staging), "--laravel-version", "8.83", migrations]
    text = migrate_lint(*args)
    data = json.loads(migrate_lint(*args, "--format", "json").stdout)
    by_status = {}
    for m in data["migrations"]:
        by_status.setdefault(m["status"], []).append(m)
    failing = by_status.get("fails", [])
    check(text.returncode == 1 and [m["migration"] for m in failing] == [INCIDENT],
          f"plan --database should predict the stop at {INCIDENT}: {text.stdout[-400:]}")
    check(failing[0]["line"] == 15, f"plan named line {failing[0]['line']}")
    never = [m["migration"] for m in by_status.get("never reached", [])]
    check(never == later, f"plan should say the {len(later)} later migrations never run")
    return (f"{INCIDENT} FAILS at line 15 ({failing[0]['error']}); {len(never)} later "
            f"migrations never reached")


def dump_schema(db, target: Path) -> Path:
    """The database's schema and its `migrations` rows, as `php artisan schema:dump` keeps them."""
    from migrate_lint.dynamic.dumps import schema_dump

    target.write_text(schema_dump(db))
    return target

def write_plan_report(engine, staging, reports: Path) -> str:
    """`migrate-lint plan` on a dump of the broken staging database: the HTML report a team lead
    opens, and a check that it predicts what Laravel's Migrator just did."""
    reports.mkdir(parents=True, exist_ok=True)
    dump = os.path.relpath(dump_schema(staging, reports / f"staging-{engine}.sql"), HERE)
    report = os.path.relpath(reports / f"staging-plan-{engine}.html", HERE)
    args = ["plan", "--schema", dump, "--laravel-version", "8.83", "database/migrations"]
    run = migrate_lint(*args, "--format", "html", "--output-file", report, cwd=HERE)
    check(run.returncode == 1 and (HERE / report).is_file(),
          f"plan --format html failed: {run.stderr}")
    data = json.loads(migrate_lint(*args, "--format", "json", cwd=HERE).stdout)
    failing = [m["migration"] for m in data["migrations"] if m["status"] == "fails"]
    check(failing == [INCIDENT], f"plan predicted a stop at {failing}, Laravel stopped at {INCIDENT}")
    check(data["after_fix"] and not data["after_fix"]["failure_predicted"],
          "plan should predict that --fix lets the whole run complete")
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engine", choices=["sqlite", "mariadb", "both"], default="both")
    parser.add_argument("--report-dir", type=Path, default=REPORTS,
                        help="where to write the plan reports (default: reports/ here)")
    args = parser.parse_args(argv)
    ok, reason = oracle.available()
    if not ok:
        print(f"cannot run the story: {reason}", file=sys.stderr)
        return 2
    engines = ["sqlite", "mariadb"] if args.engine == "both" else [args.engine]
    try:
        for engine in engines:
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                if engine == "sqlite":
                    counter = iter(range(100))

                    def new_db():
                        path = work / f"db{next(counter)}.sqlite"
                        path.touch()
                        return oracle.SqliteDb(str(path))

                    story(engine, new_db, work, args.report_dir.resolve())
                else:
                    with MariaDbServer() as server:
                        story(engine, server.create_database, work, args.report_dir.resolve())
    except StoryFailed as exc:
        print(f"the story did not reproduce: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
