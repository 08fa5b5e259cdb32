"""The rule catalogue: one module per rule, each with CODE, NAME, FIXABLE, docs and check().

A module is named after its rule (`ml002_add_column_unguarded` is ML002 add-column-unguarded; a
test holds every module to it), so selecting rules and keying the cache read the catalogue from
these names without importing any rule; the modules load on first use (FILE_RULES, all_rules).
"""

from __future__ import annotations

import importlib

_FILE_MODULES = [
    "ml000_syntax_error", "ml001_create_table_unguarded", "ml002_add_column_unguarded",
    "ml003_drop_column_unguarded", "ml004_drop_table_unguarded", "ml005_rename_column_unguarded",
    "ml006_rename_table_unguarded", "ml007_add_index_unguarded", "ml008_raw_ddl_unguarded",
    "ml009_insert_not_idempotent", "ml010_drop_index_unguarded", "ml011_read_then_drop",
    "ml900_unused_ignore",
]
# Rules over the whole history (lint/replay) and the dynamic verify command register here too,
# so that --select, --explain and the SARIF catalogue see one list. (The replay rules' logic
# lives in lint/replay; their modules carry code, name and docs.)
_EXTRA_MODULES = ["ml201_not_rerunnable", "ml202_fails_on_fresh_database",
                  "ml101_duplicate_column", "ml102_duplicate_table", "ml103_missing_object",
                  "ml104_duplicate_class", "ml105_down_fails_after_up"]


class RuleName:
    """A rule's code and name, read from its module's name."""

    def __init__(self, module: str):
        number, _, words = module.partition("_")
        self.CODE, self.NAME = number.upper(), words.replace("_", "-")
        self.module = module


def names() -> list[RuleName]:
    return [RuleName(m) for m in _FILE_MODULES + _EXTRA_MODULES]


def _load(modules):
    return [importlib.import_module(f"{__name__}.{m}") for m in modules]


def __getattr__(name):
    if name == "FILE_RULES":
        value = _load(_FILE_MODULES)
    elif name == "EXTRA_RULES":
        value = _load(_EXTRA_MODULES)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def all_rules():
    return _loaded("FILE_RULES") + _loaded("EXTRA_RULES")


def _loaded(name: str):
    return globals()[name] if name in globals() else __getattr__(name)


def by_code():
    return {r.CODE: r for r in all_rules()}


def lookup(token: str):
    """A rule by code (ML002) or name (add-column-unguarded); None when unknown."""
    token = token.strip()
    for rule in all_rules():
        if token.upper() == rule.CODE or token.lower() == rule.NAME:
            return rule
    return None
