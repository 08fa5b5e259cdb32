"""Writes docs/rules/<code>-<name>.md from the rule modules' docstrings: `python -m migrate_lint.docs`."""

from __future__ import annotations

import sys
from pathlib import Path

def _sections(lines):
    """(heading, body lines): a heading is an unindented capitalised line ending with ':'."""
    sections, current = [], None
    for line in lines:
        if line[:1].isupper() and (line.rstrip().endswith(":") or line.rstrip() == "Why is this bad?"):
            current = (line.rstrip().rstrip(":"), [])
            sections.append(current)
        elif current is not None:
            current[1].append(line)
    return sections


def _code_section(body):
    out, code = [], []

    def flush():
        while code and not code[-1].strip():
            code.pop()
        if code:
            out.extend(["```php", *code, "```", ""])
        code.clear()

    for line in body:
        if line.startswith("    ") or (code and not line.strip()):
            code.append(line[4:])
        elif line.strip():
            flush()
            out += [line.strip(), ""]
    flush()
    return out


def render(rule) -> str:
    lines = (rule.__doc__ or "").strip("\n").splitlines()[2:]  # past "CODE name." and a blank
    out = [f"# {rule.CODE} {rule.NAME}", "", f"{getattr(rule, 'SUMMARY', '')}.", "",
           f"Fixable: {'yes' if rule.FIXABLE else 'no'}. "
           f"Severity: {getattr(rule, 'SEVERITY', 'error')}.", ""]
    for heading, body in _sections(lines):
        out += [f"## {heading}", ""]
        if heading.startswith(("Example", "Use instead")):
            out += _code_section(body)
        else:
            out += [line[4:] if line.startswith("    ") else line for line in body]
    text = "\n".join(out).rstrip() + "\n"
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def expected_files() -> dict[str, str]:
    from migrate_lint import rules

    return {f"{r.CODE}-{r.NAME}.md": render(r) for r in rules.all_rules()}


def main(argv=None) -> int:
    target = Path(argv[0] if argv else "docs/rules")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in expected_files().items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(expected_files())} rule pages to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
