"""`verify --format html`: drawn from verify's JSON (findings, summary, outcomes, notes), so the
page and `--format json` never disagree. For each migration, the five steps verify runs under
real Laravel (up 1, up 2, down 1, down 2, up 3), which one failed, and Laravel's own error.

The seam for the dynamic half: `render(data)` takes the dict verify prints with --format json
(lint/dynamic/report.py as_dict), `compare` included when --compare ran.
"""

from __future__ import annotations

import os
from html import escape as esc

from markupsafe import Markup

from migrate_lint.report.svg import runs_of, timeline

STEPS = ("up 1", "up 2", "down 1", "down 2", "up 3")
MEANING = {"up 1": "up", "up 2": "up again", "down 1": "down", "down 2": "down again",
           "up 3": "up after down"}
# "verified" in verify's summary counts every migration that ran to a verdict, failing or not:
# the label of the passing ones says what they did instead.
LABELS = {"st-runs": "passes every step", "st-fails": "fails a step (finding)",
          "st-unchecked": "could not run here", "st-never": "blocked by an earlier failure"}
CLASS = {"verified": "st-runs", "finding": "st-fails", "not-runnable": "st-unchecked",
         "blocked": "st-never"}


def _steps(o: dict) -> Markup:
    failed = {o.get("step")} | {m.get("step") for m in o.get("more", [])}
    cells = []
    for step in STEPS:
        if step in failed:
            cls, word = "st-fails", "failed"
        elif step in o.get("passed", []):
            cls, word = "st-runs", "passed"
        else:
            cls, word = "st-never", "not run"
        cells.append(f'<span class="step badge {cls}" data-step="{step}" data-result="{word}" '
                     f'title="{step} ({MEANING[step]}): {word}">{step}</span>')
    return Markup(" ".join(cells))


def step_label(step) -> str:
    return f"{step} ({MEANING[step]})" if step in MEANING else (step or "")


def _failure(f: dict, rules: dict) -> str:
    where = os.path.basename(f["path"]) + (f":{f['line']}" if f.get("line") else "")
    code = " ".join(filter(None, (f.get("code"), rules.get(f.get("code")))))
    head = (f"{code}: " if code else "") + f"{step_label(f.get('step'))} at {where}"
    if f.get("status") == "blocked" and f.get("blocked_by"):
        head += f" (blocked: {os.path.basename(f['blocked_by'])} did not run)"
    elif f.get("status") == "not-runnable" and f.get("reason"):
        head += f" (not runnable here: {f['reason']})"
    return (f'<div class="more">{esc(head)}</div>'
            f'<pre class="error">{esc(f.get("error") or "")}</pre>')


def _row(o: dict, cls: str, rules: dict) -> Markup:
    name = os.path.basename(o["path"])
    failures = ([o] if o["status"] != "verified" else []) + list(o.get("more", []))
    search = " ".join([name, o["status"], *(x.get("error") or "" for x in failures)])
    parts = [f'<div class="row{" failing" if cls == "st-fails" else ""}" '
             f'data-search="{esc(search)}" data-migration="{esc(name)}" '
             f'data-status="{esc(o["status"])}"><span class="badge {cls}">'
             f'{esc(LABELS[cls])}</span><span class="name">{esc(name)}</span>'
             f'<div class="more">{_steps(o)}</div>']
    parts += [_failure(f, rules) for f in failures]
    parts.append("</div>\n")
    return Markup("".join(parts))


def view(data: dict) -> dict:
    outcomes = data.get("outcomes", [])
    classes = [CLASS.get(o["status"], "st-unchecked") for o in outcomes]
    names = [os.path.basename(o["path"]).removesuffix(".php") for o in outcomes]
    first = next((i for i, c in enumerate(classes) if c == "st-fails"), None)
    rules = {f["code"]: f.get("rule") for f in data.get("findings", []) if f.get("code")}
    groups = []
    for cls, start, count in runs_of(classes):
        groups.append({"cls": cls, "label": LABELS[cls], "count": count,
                       "open": cls != "st-runs" or count <= 100,
                       "first": names[start], "last": names[start + count - 1],
                       "rows": Markup("").join(_row(outcomes[i], cls, rules)
                                               for i in range(start, start + count))})
    label = (f"first failure: {names[first]} ({outcomes[first].get('step')})"
             if first is not None else "")
    return {"summary": data.get("summary", {}), "groups": groups, "notes": data.get("notes", []),
            "counts": {c: classes.count(c) for c in LABELS}, "labels": LABELS,
            "timeline": timeline(classes, LABELS, names, first, label),
            "first": outcomes[first] if first is not None else None,
            "findings": len(data.get("findings", [])), "compare": data.get("compare"),
            "rules": rules, "meaning": MEANING,
            "first_step": step_label(outcomes[first].get("step")) if first is not None else ""}


def render(data: dict) -> str:
    from migrate_lint.report import page

    return page.render("verify.html.j2", "migrate-lint verify", v=view(data), d=data)
