"""JUnit XML: one test case per linted file, a failure per finding."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from migrate_lint.links import doc_pointer


def render(findings, context) -> str:
    by_path: dict[str, list] = {path: [] for path in context.files}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    suite = ET.Element("testsuite", name="migrate-lint", tests=str(len(by_path)),
                       failures=str(sum(1 for v in by_path.values() if v)), errors="0")
    for path, items in by_path.items():
        case = ET.SubElement(suite, "testcase", classname="migrate-lint", name=path)
        for f in items:
            failure = ET.SubElement(case, "failure", type=f.code,
                                    message=f"{f.path}:{f.span.line}:{f.span.column}: {f.code} {f.message}")
            failure.text = f"{f.rule}: {f.message}\n{doc_pointer(f.code, f.rule)}"
    suites = ET.Element("testsuites")
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
