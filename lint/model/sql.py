"""Classifies raw SQL from DB::statement/unprepared into the DDL shapes the rules care about.

sqlglot's tokenizer splits statements and skips comments and string literals for us; the
shapes themselves are a few keyword sequences, which stay readable as plain code and cope
with dialect extras (MariaDB's IF NOT EXISTS on ADD COLUMN, PostgreSQL's on CREATE INDEX) that
a full parse of one dialect would reject.
"""

from __future__ import annotations

import re

from migrate_lint import quiet_sqlglot
from migrate_lint.model.types import SqlStatement

_DDL_HINT = re.compile(r"\b(create|alter|drop)\b", re.IGNORECASE)
_ADD_TARGETS = {"INDEX", "KEY", "UNIQUE", "CONSTRAINT", "FOREIGN", "PRIMARY", "FULLTEXT",
                "SPATIAL", "PARTITION", "CHECK", "PERIOD", "SYSTEM"}
_DROP_INDEXY = {"INDEX", "KEY", "FOREIGN", "PRIMARY", "CONSTRAINT", "CHECK", "PARTITION"}


def _tokens(sql: str):
    quiet_sqlglot()
    from sqlglot.tokens import Tokenizer  # lazy: only files with SQL strings pay for sqlglot

    try:
        # MySQL's `backtick` identifiers read as the default dialect's "quoted" ones.
        return Tokenizer().tokenize(sql.replace("`", '"'))
    except Exception:  # sqlglot raises its own TokenError on unbalanced quotes and the like
        return None


def _statements(sql: str) -> list[list[str]]:
    tokens = _tokens(sql)
    if tokens is None:
        return [re.findall(r"[A-Za-z_][\w$]*|`[^`]*`|\"[^\"]*\"|[(),;.]", sql)]
    out, cur = [], []
    for tok in tokens:
        if tok.token_type.name == "SEMICOLON":
            if cur:
                out.append(cur)
            cur = []
            continue
        if tok.token_type.name in ("STRING", "NATIONAL_STRING", "BIT_STRING", "HEX_STRING"):
            cur.append("'str'")
        elif tok.token_type.name == "IDENTIFIER":
            cur.append('"' + tok.text + '"')  # quoted identifier, never a keyword
        else:
            # sqlglot keeps multi-word keywords ("PRIMARY KEY") as one token: split them.
            cur.extend(tok.text.split())
    if cur:
        out.append(cur)
    return out


def _ident(tok: str | None) -> str | None:
    if tok is None:
        return None
    t = tok.strip('`"[]')
    return t.rsplit(".", 1)[-1] if t else None


def _upper(tokens):
    return [t.upper() if not t.startswith('"') else t for t in tokens]


def _split_top_level(tokens):
    parts, cur, depth = [], [], 0
    for t in tokens:
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        if t == "," and depth == 0:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        parts.append(cur)
    return parts


def _qualified(tokens, i):
    """The table name starting at tokens[i] (schema.table joined), and the next index."""
    if i >= len(tokens):
        return None, i
    name = tokens[i]
    while i + 2 < len(tokens) and tokens[i + 1] == ".":
        name = tokens[i + 2]
        i += 2
    return _ident(name), i + 1


# CREATE/DROP of the schema objects other than tables and indexes, by their kind.
_ROUTINES = {"VIEW": "create_view", "TRIGGER": "create_trigger", "PROCEDURE": "create_procedure",
             "FUNCTION": "create_function"}


def _skip_view_options(up, i):
    """MySQL's `CREATE ALGORITHM=... DEFINER=... SQL SECURITY ... VIEW/TRIGGER`."""
    while i < len(up):
        if up[i] in ("ALGORITHM", "DEFINER") and up[i + 1:i + 2] == ["="]:
            i += 3
            while i < len(up) and up[i] in ("@",) or (i < len(up) and up[i - 1] == "@"):
                i += 1
        elif up[i:i + 2] == ["SQL", "SECURITY"]:
            i += 3
        else:
            return i
    return i


def _renamed_column(action_raw, act):
    """(old, new) for `CHANGE [COLUMN] old new ...` with two names and `RENAME COLUMN old TO
    new`; None otherwise (CHANGE of a column to its own name is a MODIFY)."""
    if act[0] == "CHANGE":
        j = 2 if act[1:2] == ["COLUMN"] else 1
        if j + 1 < len(action_raw):
            old, new = _ident(action_raw[j]), _ident(action_raw[j + 1])
            if old and new and old.lower() != new.lower():
                return old, new
        return None
    if act[:2] == ["RENAME", "COLUMN"] and len(act) >= 5 and act[3] == "TO":
        return _ident(action_raw[2]), _ident(action_raw[4])
    return None


def _dropped_key_name(action_raw, act, j):
    """The name in `DROP INDEX|KEY|CONSTRAINT|FOREIGN KEY [IF EXISTS] name` (kept in the
    statement's `column`); None for PRIMARY KEY and what names nothing."""
    k = j + 2 if act[j:j + 2] == ["FOREIGN", "KEY"] else j + 1
    if act[j] in ("PRIMARY", "PARTITION"):
        return None
    if act[k:k + 2] == ["IF", "EXISTS"]:
        k += 2
    return _ident(action_raw[k]) if k < len(action_raw) else None


def classify(sql: str) -> list[SqlStatement]:
    if not _DDL_HINT.search(sql):
        return []
    out: list[SqlStatement] = []
    for raw in _statements(sql):
        up = _upper(raw)
        text = " ".join(raw)
        out += _classify_one(raw, up, text)
    return out


def _classify_one(raw, up, text) -> list[SqlStatement]:
    if not up:
        return []
    head = up[0]
    if head == "CREATE":
        i = 1
        replace = False
        if up[i:i + 2] == ["OR", "REPLACE"]:
            replace, i = True, i + 2
        while i < len(up) and up[i] in ("TEMPORARY", "UNIQUE", "FULLTEXT", "SPATIAL", "GLOBAL",
                                         "LOCAL", "UNLOGGED", "ONLINE", "OFFLINE", "TEMP",
                                         "RECURSIVE", "MATERIALIZED", "CONSTRAINT", "AGGREGATE"):
            i += 1
        i = _skip_view_options(up, i)
        if i >= len(up):
            return []
        if up[i] in _ROUTINES:
            j = i + 1
            if_not = up[j:j + 3] == ["IF", "NOT", "EXISTS"]
            name, _ = _qualified(raw, j + 3 if if_not else j)
            return [SqlStatement(_ROUTINES[up[i]], name, None, if_not or replace, text)]
        kind = {"TABLE": "create_table", "INDEX": "create_index", "KEY": "create_index"}.get(up[i])
        if kind is None:
            return []
        i += 1
        if_not = up[i:i + 3] == ["IF", "NOT", "EXISTS"]
        if if_not:
            i += 3
        if up[i:i + 1] == ["CONCURRENTLY"]:
            i += 1
            if up[i:i + 3] == ["IF", "NOT", "EXISTS"]:
                if_not, i = True, i + 3
        if kind == "create_table":
            table, _ = _qualified(raw, i)
            return [SqlStatement(kind, table, None, if_not or replace, text)]
        table = None
        if "ON" in up[i:]:
            table, _ = _qualified(raw, up.index("ON", i) + 1)
        return [SqlStatement(kind, table, None, if_not or replace, text)]
    if head == "DROP":
        i = 1
        while i < len(up) and up[i] in ("TEMPORARY",):
            i += 1
        if i < len(up) and up[i] in _ROUTINES:
            if_exists = up[i + 1:i + 3] == ["IF", "EXISTS"]
            name, _ = _qualified(raw, i + 3 if if_exists else i + 1)
            return [SqlStatement("drop_" + _ROUTINES[up[i]][len("create_"):], name, None,
                                 if_exists, text)]
        if i >= len(up) or up[i] not in ("TABLE", "INDEX"):
            return []
        kind = "drop_table" if up[i] == "TABLE" else "drop_index"
        i += 1
        if_exists = up[i:i + 2] == ["IF", "EXISTS"]
        if if_exists:
            i += 2
        table = None
        if kind == "drop_table":
            table, _ = _qualified(raw, i)
        elif "ON" in up[i:]:
            table, _ = _qualified(raw, up.index("ON", i) + 1)
        return [SqlStatement(kind, table, None, if_exists, text)]
    if head == "ALTER" and len(up) > 2 and up[1] in ("TABLE", "IGNORE", "ONLINE"):
        i = 1
        while i < len(up) and up[i] in ("IGNORE", "ONLINE"):
            i += 1
        if i >= len(up) or up[i] != "TABLE":
            return []
        i += 1
        if up[i:i + 2] == ["IF", "EXISTS"]:
            i += 2
        if up[i:i + 1] == ["ONLY"]:
            i += 1
        table, i = _qualified(raw, i)
        out = []
        for action_raw in _split_top_level(raw[i:]):
            act = _upper(action_raw)
            if not act:
                continue
            renamed = _renamed_column(action_raw, act)
            if renamed is not None:
                out.append(SqlStatement("alter_rename_column", table, renamed[0], False, text,
                                        to=renamed[1]))
                continue
            if act[0] == "ADD":
                j = 1
                if act[j:j + 1] == ["COLUMN"]:
                    j += 1
                target_is_index = j < len(act) and act[j] in _ADD_TARGETS
                if target_is_index:
                    guarded = "IF" in act[j:j + 4] and "NOT" in act[j:j + 5]
                    out.append(SqlStatement("alter_add_index", table, None, guarded, text))
                    continue
                guarded = act[j:j + 3] == ["IF", "NOT", "EXISTS"]
                if guarded:
                    j += 3
                column = _ident(action_raw[j]) if j < len(action_raw) else None
                if column is not None and action_raw[j] == "(":
                    column = None
                out.append(SqlStatement("alter_add", table, column, guarded, text))
            elif act[0] == "DROP":
                j = 1
                if act[j:j + 1] == ["COLUMN"]:
                    j += 1
                elif j < len(act) and act[j] in _DROP_INDEXY:
                    guarded = "IF" in act[j:j + 4] and "EXISTS" in act[j:j + 5]
                    out.append(SqlStatement("alter_drop_index", table,
                                            _dropped_key_name(action_raw, act, j), guarded, text))
                    continue
                elif j < len(act) and act[j] == "DEFAULT":
                    continue
                guarded = act[j:j + 2] == ["IF", "EXISTS"]
                if guarded:
                    j += 2
                column = _ident(action_raw[j]) if j < len(action_raw) else None
                out.append(SqlStatement("alter_drop", table, column, guarded, text))
        return out
    return []
