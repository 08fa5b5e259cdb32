"""The rule catalogue: one module per rule, each with CODE, NAME, FIXABLE, docs and check()."""

from __future__ import annotations

from migrate_lint.rules import (ml000_syntax_error, ml001_create_table_unguarded,
                                ml002_add_column_unguarded, ml003_drop_column_unguarded,
                                ml004_drop_table_unguarded, ml005_rename_column_unguarded,
                                ml006_rename_table_unguarded, ml007_add_index_unguarded,
                                ml008_raw_ddl_unguarded, ml009_insert_not_idempotent,
                                ml010_drop_index_unguarded, ml011_read_then_drop,
                                ml201_not_rerunnable, ml202_fails_on_fresh_database,
                                ml900_unused_ignore)

FILE_RULES = [
    ml000_syntax_error, ml001_create_table_unguarded, ml002_add_column_unguarded,
    ml003_drop_column_unguarded, ml004_drop_table_unguarded, ml005_rename_column_unguarded,
    ml006_rename_table_unguarded, ml007_add_index_unguarded, ml008_raw_ddl_unguarded,
    ml009_insert_not_idempotent, ml010_drop_index_unguarded, ml011_read_then_drop,
    ml900_unused_ignore,
]

# Rules over the whole history (lint/replay) and the dynamic verify command register here too,
# so that --select, --explain and the SARIF catalogue see one list.
EXTRA_RULES: list = [ml201_not_rerunnable, ml202_fails_on_fresh_database]

# The replay rules (their logic lives in lint/replay; their modules carry code, name and docs).
from migrate_lint.rules import (ml101_duplicate_column, ml102_duplicate_table,  # noqa: E402
                                ml103_missing_object, ml104_duplicate_class)

EXTRA_RULES += [ml101_duplicate_column, ml102_duplicate_table, ml103_missing_object,
                ml104_duplicate_class]


def all_rules():
    return FILE_RULES + EXTRA_RULES


def by_code():
    return {r.CODE: r for r in all_rules()}


def lookup(token: str):
    """A rule by code (ML002) or name (add-column-unguarded); None when unknown."""
    token = token.strip()
    for rule in all_rules():
        if token.upper() == rule.CODE or token.lower() == rule.NAME:
            return rule
    return None
