"""Loads the rule case files in tests/cases (shared by the lint, fix and oracle tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

CASES_DIR = Path(__file__).parent / "cases"


@dataclass
class Case:
    rule: str
    name: str
    source: str
    failing: bool
    lines: list[int] = field(default_factory=list)
    config: dict = field(default_factory=dict)
    fix: str | None = None
    oracle: dict | None = None

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}"


def marked_lines(source: str, rule: str) -> list[int]:
    """Lines carrying an `// expect: ML002` marker, written by hand in the case source."""
    return [i for i, line in enumerate(source.splitlines(), 1) if f"expect: {rule}" in line]


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rule = data["rule"]
        names = set()
        for raw in data["cases"]:
            name = raw["name"]
            assert name not in names, f"{path.name}: duplicate case name {name}"
            names.add(name)
            failing = "fail" in raw
            assert failing != ("pass" in raw), f"{path.name}:{name}: needs exactly one of fail/pass"
            source = raw["fail" if failing else "pass"]
            lines = list(raw.get("lines", [])) or marked_lines(source, rule)
            cases.append(Case(rule=rule, name=name, source=source,
                              failing=failing, lines=lines,
                              config=dict(raw.get("config", {})), fix=raw.get("fix"),
                              oracle=raw.get("oracle")))
    return cases


def settings_for(case: Case, select: list[str] | None = None):
    """Engine settings for a case: every rule enabled, the case's config applied."""
    from migrate_lint import config as cfgmod
    from migrate_lint import rules
    from migrate_lint.engine import Settings, resolve_selection
    from migrate_lint.rules._common import RuleContext

    version = case.config.get("laravel-version")
    db_version = case.config.get("database-version")
    ctx = RuleContext(
        check_down=case.config.get("check-down", True),
        laravel_version=cfgmod.parse_version(str(version)) if version else None,
        database=case.config.get("database"),
        database_version=cfgmod.parse_version(str(db_version)) if db_version else None)
    return Settings(enabled=resolve_selection(select, [], rules.all_rules()), rule_ctx=ctx)
