"""verify's output: the findings in any format, the notes, the summary and the comparison."""

from __future__ import annotations

import json
from pathlib import Path


def notes(result, run) -> list[str]:
    out = list(run.notes)
    for o in result.could_not_run:
        where = f"{o.path}:{o.line}" if o.line else o.path
        if o.status == "blocked":
            out.append(f"{where}: blocked ({o.step}): fails only because "
                       f"{Path(o.blocked_by).name} did not run: {o.error}")
        else:
            out.append(f"{where}: not runnable here ({o.step}: {o.reason}): {o.error}")
    return out


def _finding_dict(f) -> dict:
    from migrate_lint.report.json_format import as_dict

    return {**as_dict(f), "step": f.extra.get("step"), "method": f.extra.get("method"),
            "statement_line": f.extra.get("statement_line")}


def as_dict(result, run, static) -> dict:
    """What `--format json` prints, and what the HTML page is drawn from."""
    data = {"findings": [_finding_dict(f) for f in result.findings],
            "summary": result.summary(),
            "outcomes": [o.as_dict() for o in result.outcomes],
            "notes": notes(result, run)}
    if static is not None:
        data["compare"] = static.as_dict()
    return data


def masked(value, mask):
    """Every string in verify's data through mask: a password must be gone before the data is
    escaped for JSON or HTML, where it would no longer read the same."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: masked(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, mask) for v in value]
    return value


def render(fmt: str, result, run, static, files, mask=lambda s: s) -> str:
    from migrate_lint.report import ReportContext, renderer

    if fmt == "json":
        data = masked(as_dict(result, run, static), mask)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        from migrate_lint.report import verify_html

        return verify_html.render(masked(as_dict(result, run, static), mask))
    context = ReportContext(files=files, show_source=fmt == "text",
                            sources={f.path: Path(f.path).read_bytes() for f in result.findings})
    if fmt != "text":
        return renderer(fmt).render(result.findings, context)
    lines = renderer("text").render(result.findings, context).rstrip("\n").split("\n")[:-1]
    if static is not None:
        lines += static.text_lines()
    lines.append(_closing(result))
    return "\n".join(lines) + "\n"


def _closing(result) -> str:
    n = len(result.findings)
    codes = ", ".join(f"{c} {k}" for k, c in sorted(result.summary()["findings"].items()))
    if n:
        head = f"Found {n} failure{'s' if n != 1 else ''} ({codes})."
    elif result.could_not_run:
        head = "No failures in the migrations that ran."
    else:
        head = "All checks passed."
    return f"{head} {result.summary_line()}"
