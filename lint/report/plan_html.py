"""`plan --format html`: drawn from `Plan.as_dict()` alone, the same data as `--format json`, so
the page and the JSON never disagree (the JSON is embedded in the page too)."""

from __future__ import annotations

import os

from html import escape as esc

from markupsafe import Markup

from migrate_lint.report.svg import coverage_bars, runs_of, timeline

LABELS = {"st-ran": "already ran", "st-runs": "runs", "st-skips": "runs, skipping guarded steps",
          "st-unchecked": "runs, not fully checked (may fail)", "st-fails": "fails",
          "st-never": "never reached"}
ORDER = list(LABELS)
OPEN_UP_TO = 100  # a group of runs opens by default up to this many migrations


def status_class(m: dict) -> str:
    status = m["status"]
    if status == "already ran":
        return "st-ran"
    if status == "fails":
        return "st-fails"
    if status == "never reached":
        return "st-never"
    if not m.get("checked", True):
        return "st-unchecked"
    return "st-skips" if m.get("skipped_lines") else "st-runs"


def _details(m: dict) -> list[str]:
    """The lines under a migration: why it fails, what it skips, what could not be checked."""
    where = os.path.basename(m["path"])
    out = []
    if m["status"] == "fails":
        out.append(f"{where}:{m['line']}: {m['reason']}")
    if m.get("skipped_lines"):
        out.append("skips the guarded step(s) at line(s) "
                   + ", ".join(map(str, m["skipped_lines"])))
    for x in m.get("may_fail", []):
        out.append(f"{where}:{x['line']}: may fail: {x['reason']}"
                   + (f" ({x['error']})" if x.get("error") else ""))
    for x in m.get("unchecked", []):
        out.append(f"{where}:{x['line']}: not checked: {x['reason']}")
    for x in m.get("caught", []):
        out.append(f"{where}:{x['line']}: fails, caught by try/catch: {x['error']}")
    return out


def _row(m: dict, cls: str) -> Markup:
    """One migration's row (built here, not in the template: 5,000 rows render in ~0.1 s)."""
    more = _details(m)
    label = "may fail" if cls == "st-unchecked" else LABELS[cls]
    search = " ".join([m["migration"], m["status"], *more])
    parts = [f'<div class="row{" failing" if cls == "st-fails" else ""}" '
             f'data-search="{esc(search)}" data-migration="{esc(m["migration"])}" '
             f'data-status="{esc(m["status"])}"><span class="badge {cls}">{label}</span>'
             f'<span class="name">{esc(m["migration"])}</span>']
    parts += [f'<div class="more">{esc(line)}</div>' for line in more]
    if cls == "st-fails":
        parts.append(f'<div class="more"><code>{esc(m["error"])}</code></div>')
    parts.append("</div>\n")
    return Markup("".join(parts))


def _missing_rows(items: list[dict], columns: bool) -> Markup:
    out = []
    for m in items:
        what = f"{m['table']}.{m['column']}" if columns else m["table"]
        where = (m["created_by"] or "") + (f":{m['line']}" if m.get("line") else "")
        out.append(f'<tr><td class="mono">{esc(what)}</td><td class="mono">{esc(where)}'
                   "</td></tr>")
    return Markup("\n".join(out))


def view(data: dict) -> dict:
    migrations = data["migrations"]
    classes = [status_class(m) for m in migrations]
    names = [m["migration"] for m in migrations]
    counts = {c: classes.count(c) for c in ORDER}
    failing = next((i for i, m in enumerate(migrations) if m["status"] == "fails"), None)
    groups = []
    for cls, start, count in runs_of(classes):
        rows = Markup("").join(_row(migrations[i], cls) for i in range(start, start + count))
        opened = cls in ("st-fails", "st-unchecked") or (
            cls in ("st-runs", "st-skips") and count <= OPEN_UP_TO)
        groups.append({"cls": cls, "label": LABELS[cls], "rows": rows, "count": count,
                       "open": opened,
                       "first": names[start], "last": names[start + count - 1]})
    fail = migrations[failing] if failing is not None else None
    fixes = data.get("fix") or []
    fail_fixes = [f for f in fixes if fail is not None and f["path"] == fail["path"]]
    gap = data.get("gap") or {}
    chart = None
    if gap:
        others = len(gap.get("other_tables", []))
        chart = coverage_bars(
            [("Tables", gap["history_tables_in_database"], gap["tables_in_history"]),
             ("Columns", gap["history_columns_in_database"], gap["columns_in_history"])],
            note=(f"The database also has {others} table{'s' if others != 1 else ''} the "
                  "migrations do not create." if others else ""))
    after = data.get("after_fix")
    after_fail = None
    if after:
        after_fail = next((m for m in after["migrations"] if m["status"] == "fails"), None)
    label = f"fails: {fail['migration']} (line {fail['line']})" if fail else ""
    return {
        "data": data, "counts": counts, "labels": LABELS, "order": ORDER, "groups": groups,
        "timeline": timeline(classes, LABELS, names, failing, label),
        "fail": fail, "fail_fixes": fail_fixes,
        "other_fixes": [f for f in fixes if f not in fail_fixes],
        "gap": gap, "gap_chart": chart,
        "missing_tables": _missing_rows(gap.get("missing_tables", []), False),
        "missing_columns": _missing_rows(gap.get("missing_columns", []), True), "after": after, "after_fail": after_fail,
        "pending": data["pending"], "never": counts["st-never"],
        "may_fail": counts["st-unchecked"],
    }


def render(data: dict) -> str:
    from migrate_lint.report import page

    return page.render("plan.html.j2", "migrate-lint plan", v=view(data), d=data)
