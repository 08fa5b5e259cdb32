"""ML008 raw-ddl-unguarded.

What it does:
    Flags raw SQL in `DB::statement`/`DB::unprepared` (including heredoc/nowdoc strings and
    `DB::connection(...)->statement`) that runs `CREATE TABLE`, `CREATE INDEX`,
    `ALTER TABLE ... ADD/DROP` or `DROP TABLE`/`DROP INDEX` without `IF [NOT] EXISTS` and
    without an enclosing existence guard on that table (`Schema::hasTable`/`hasColumn`); also
    `ALTER TABLE ... CHANGE old new` / `RENAME COLUMN old TO new` without a
    `! Schema::hasColumn(t, new)` guard, `CREATE VIEW/TRIGGER/PROCEDURE/FUNCTION` without
    `OR REPLACE`/`IF NOT EXISTS`, and `DROP VIEW/TRIGGER/PROCEDURE/FUNCTION` without
    `IF EXISTS`. SQL built by concatenation or `sprintf` is read with each unknown part left
    open. A create that a `DROP ... IF EXISTS` of the same name (same spelling) precedes in the
    same method, in the same string or an earlier call, starts clean and is not flagged.

Why is this bad?
    The same statements the schema builder would guard fail on a re-run: "Table already
    exists" (1050), "Duplicate column name" (1060), "Duplicate key name" (1061), "Can't DROP"
    (1091), "Unknown table" (1051). Raw SQL hides them from review.

Example:
    DB::statement('ALTER TABLE tasks ADD priority INT');

Use instead (MariaDB, PostgreSQL):
    DB::statement('ALTER TABLE tasks ADD COLUMN IF NOT EXISTS priority INT');
or, on any database:
    if (! Schema::hasColumn('tasks', 'priority')) {
        DB::statement('ALTER TABLE tasks ADD priority INT');
    }

Fix safety:
    Safe. Where the configured `database` (and `database-version`) has a clause for the
    statement, the fix adds it: CREATE TABLE / DROP TABLE IF [NOT] EXISTS on MySQL, MariaDB,
    PostgreSQL and SQLite; ADD COLUMN / DROP COLUMN IF [NOT] EXISTS on MariaDB and PostgreSQL;
    CREATE INDEX IF NOT EXISTS except on MySQL; CREATE OR REPLACE VIEW (SQLite: IF NOT EXISTS);
    CREATE OR REPLACE TRIGGER on MariaDB (SQLite: IF NOT EXISTS); CREATE OR REPLACE
    PROCEDURE/FUNCTION on MariaDB and PostgreSQL; DROP VIEW/TRIGGER/... IF EXISTS. With
    `database-version` set, also MySQL 8.0.29+'s CREATE TRIGGER/PROCEDURE/FUNCTION IF NOT EXISTS
    and PostgreSQL 14+'s CREATE OR REPLACE TRIGGER. Otherwise (no `database` configured, or an
    engine without the clause, such as MySQL's ADD COLUMN) the fix wraps the call in a PHP
    guard on the same connection, which works on every engine: `Schema::hasTable` for CREATE
    TABLE / DROP TABLE of one table, `Schema::hasColumn` (every column) for ADD / DROP COLUMN
    of one table, `hasColumn(t, old) && ! hasColumn(t, new)` for CHANGE and RENAME COLUMN
    (which have no IF EXISTS). Views, triggers, routines and indexes without a clause stay
    report-only (`hasTable` does not see views; `hasIndex` needs Laravel 10.43).
"""

from __future__ import annotations

import sys

from migrate_lint.model.types import Name
from migrate_lint.rules._common import finding, in_scope

CODE, NAME = "ML008", "raw-ddl-unguarded"
FIXABLE = True
SUMMARY = "raw DDL without IF [NOT] EXISTS"

_CREATES = {"create_table", "create_index", "alter_add", "alter_add_index"}
_WHAT = {
    "create_table": "CREATE TABLE without IF NOT EXISTS",
    "create_index": "CREATE INDEX without IF NOT EXISTS",
    "alter_add": "ALTER TABLE ... ADD without IF NOT EXISTS",
    "alter_add_index": "ALTER TABLE ... ADD INDEX/KEY/CONSTRAINT without a guard",
    "alter_drop": "ALTER TABLE ... DROP without IF EXISTS",
    "alter_drop_index": "ALTER TABLE ... DROP INDEX/KEY/CONSTRAINT without a guard",
    "drop_table": "DROP TABLE without IF EXISTS",
    "drop_index": "DROP INDEX without IF EXISTS",
    "alter_rename_column": "ALTER TABLE ... CHANGE/RENAME COLUMN of a column a re-run no longer "
                           "finds",
    "create_view": "CREATE VIEW without OR REPLACE/IF NOT EXISTS",
    "create_trigger": "CREATE TRIGGER without OR REPLACE/IF NOT EXISTS",
    "create_procedure": "CREATE PROCEDURE without OR REPLACE/IF NOT EXISTS",
    "create_function": "CREATE FUNCTION without OR REPLACE/IF NOT EXISTS",
    "drop_view": "DROP VIEW without IF EXISTS",
    "drop_trigger": "DROP TRIGGER without IF EXISTS",
    "drop_procedure": "DROP PROCEDURE without IF EXISTS",
    "drop_function": "DROP FUNCTION without IF EXISTS",
}
_CREATES |= {"create_view", "create_trigger", "create_procedure", "create_function"}

# The clause each database offers for the other schema objects: OR REPLACE where it exists
# (the re-run then gets the new definition), else IF [NOT] EXISTS. MySQL's IF NOT EXISTS for
# triggers and routines needs 8.0.29 and PostgreSQL's CREATE OR REPLACE TRIGGER 14: without a
# known server version those stay report-only.
OBJECT_CLAUSES = {
    "create_view": {"mysql": "or_replace", "mariadb": "or_replace", "pgsql": "or_replace",
                    "sqlite": "if_not_exists"},
    "create_trigger": {"mariadb": "or_replace", "sqlite": "if_not_exists"},
    "create_procedure": {"mariadb": "or_replace", "pgsql": "or_replace"},
    "create_function": {"mariadb": "or_replace", "pgsql": "or_replace"},
    "drop_view": {"mysql": "if_exists", "mariadb": "if_exists", "pgsql": "if_exists",
                  "sqlite": "if_exists"},
    "drop_trigger": {"mysql": "if_exists", "mariadb": "if_exists", "pgsql": "if_exists",
                     "sqlite": "if_exists"},
    "drop_procedure": {"mysql": "if_exists", "mariadb": "if_exists", "pgsql": "if_exists"},
    "drop_function": {"mysql": "if_exists", "mariadb": "if_exists", "pgsql": "if_exists"},
}
# Clauses a server has only from some version on: (kind, database) -> (version, clause).
VERSIONED_CLAUSES = {
    ("create_trigger", "mysql"): ((8, 0, 29), "if_not_exists"),
    ("create_procedure", "mysql"): ((8, 0, 29), "if_not_exists"),
    ("create_function", "mysql"): ((8, 0, 29), "if_not_exists"),
    ("create_trigger", "pgsql"): ((14,), "or_replace"),
}


def object_clause(kind: str, ctx) -> str | None:
    """The clause the configured database (at its configured version) offers for kind."""
    clause = OBJECT_CLAUSES.get(kind, {}).get(ctx.database)
    if clause is None and (kind, ctx.database) in VERSIONED_CLAUSES:
        since, versioned = VERSIONED_CLAUSES[(kind, ctx.database)]
        if ctx.database_version is not None and ctx.database_version >= since:
            clause = versioned
    return clause


# Where each database accepts IF [NOT] EXISTS for a statement kind.
SUPPORTED = {
    "create_table": {"mysql", "mariadb", "pgsql", "sqlite"},
    "drop_table": {"mysql", "mariadb", "pgsql", "sqlite"},
    "alter_add": {"mariadb", "pgsql"},
    "alter_drop": {"mariadb", "pgsql"},
    "create_index": {"mariadb", "pgsql", "sqlite"},
    "drop_index": {"mariadb", "pgsql", "sqlite"},
    **{kind: set(dbs) for kind, dbs in OBJECT_CLAUSES.items()},
}


def _guarded_by_code(stmt, ctx_, conn=None) -> bool:
    """A guard on this statement's table, on the connection the statement runs on."""
    table = Name(stmt.table, stmt.table) if stmt.table and "__expr__" not in stmt.table else None
    if stmt.kind == "alter_rename_column":
        # Like renameColumn (ML005): only the new name's absence protects a re-run.
        return stmt.to is not None and ctx_.has("column", table, Name(stmt.to, stmt.to),
                                                 exists=False, connection=conn)
    creating = stmt.kind in _CREATES
    for g in ctx_.guards:
        if g.exists == creating or g.connection != conn:
            continue
        if table is not None and g.table is not None and g.table.known \
                and not g.table.same(table, case_insensitive=True):
            continue
        if g.kind in ("table", "column", "index"):
            return True
    return False


def column_rename(statements):
    """The one CHANGE/RENAME COLUMN statement a PHP guard can protect, or None."""
    if len(statements) == 1 and statements[0].kind == "alter_rename_column" \
            and statements[0].table and statements[0].to and "__expr__" not in statements[0].text:
        return statements[0]
    return None


def clause_fixable(statements, ctx) -> bool:
    """Every statement can take the configured database's IF [NOT] EXISTS / OR REPLACE."""
    if not ctx.database:
        return False
    return all(object_clause(s.kind, ctx) is not None if s.kind in OBJECT_CLAUSES
               else s.kind in SUPPORTED and ctx.database in SUPPORTED[s.kind]
               for s in statements)


def nameable_connection(raw) -> bool:
    """A guard can ask the connection the statement runs on: the default one, or a literal
    `DB::connection('x')` (not `DB::connection($name)`, `$pdo`)."""
    return raw.conn is None or raw.connection is not None


def php_guard_for(raw):
    """(kind, table, columns, exists) of the PHP guard that protects the whole call, or None:
    one table created or dropped, or columns of one table added or dropped, named plainly."""
    statements = raw.statements
    if not raw.literal or raw.statement is None or not statements:
        return None
    if not nameable_connection(raw):
        return None
    kinds = {s.kind for s in statements}
    tables = {s.table for s in statements}
    if len(tables) != 1 or None in tables or any("__expr__" in t for t in tables):
        return None
    table = next(iter(tables))
    if kinds <= {"create_table", "drop_table"} and len(statements) == 1 \
            and "," not in statements[0].text.split("(")[0]:  # DROP TABLE a, b names two
        return "table", table, (), kinds == {"drop_table"}
    if len(kinds) == 1 and kinds <= {"alter_add", "alter_drop"} \
            and all(s.column and "__expr__" not in s.column for s in statements):
        return "column", table, tuple(s.column for s in statements), kinds == {"alter_drop"}
    return None


_DROPS_FIRST = {"alter_add_index": ("alter_drop_index", "drop_index"),
                "create_index": ("alter_drop_index", "drop_index"),
                "create_table": ("drop_table",),
                **{f"create_{o}": (f"drop_{o}",)
                   for o in ("view", "trigger", "procedure", "function")}}


def _dropped_first(stmt, earlier) -> bool:
    """`DROP CONSTRAINT IF EXISTS x` then `ADD CONSTRAINT x`, `DROP TRIGGER IF EXISTS t` then
    `CREATE TRIGGER t` (in the same string or an earlier call of the same method): the create
    always starts clean."""
    drops = _DROPS_FIRST.get(stmt.kind)
    # The same spelling: MariaDB keeps trigger names apart by case (tests/cases/ML008.yaml).
    return drops is not None and stmt.table is not None and any(
        e.kind in drops and e.guarded and e.table == stmt.table for e in earlier)


def check(migration, ctx):
    earlier_by_function: dict[int, list] = {}
    for raw in migration.raw_sql:
        earlier = earlier_by_function.setdefault(raw.ctx.function_id, [])
        statements = raw.statements
        earlier_here = list(earlier)
        earlier.extend(statements)
        if not in_scope(raw.ctx, ctx) or raw.ctx.protection:
            continue
        bad = []
        for i, s in enumerate(statements):
            if s.guarded or _guarded_by_code(s, raw.ctx, raw.conn) or \
                    _dropped_first(s, earlier_here + statements[:i]):
                continue
            bad.append(s)
        if not bad:
            continue
        first = bad[0]
        on = f" on '{first.table}'" if first.table and "__expr__" not in first.table else ""
        rename = column_rename(bad)
        yield finding(sys.modules[__name__], migration, raw.span,
                      f"raw SQL runs {_WHAT[first.kind]}{on}: it fails when re-run",
                      target=raw, statement=raw.statement,
                      # CHANGE/RENAME COLUMN have no IF EXISTS: a PHP guard, on any database
                      fixable=(raw.statement is not None and len(raw.statements) == 1
                               and nameable_connection(raw))
                      if rename is not None else
                      (simple_string(raw, migration) and clause_fixable(bad, ctx))
                      or php_guard_for(raw) is not None)


# Where each clause goes: after the keywords matched here.
_CLAUSES = {
    "create_table": (r"\bCREATE\s+(?:TEMPORARY\s+)?TABLE\b(?!\s+IF\b)", " IF NOT EXISTS"),
    "drop_table": (r"\bDROP\s+(?:TEMPORARY\s+)?TABLE\b(?!\s+IF\b)", " IF EXISTS"),
    "create_index": (r"\bINDEX\b(?!\s+IF\b)", " IF NOT EXISTS"),
    "drop_index": (r"\bDROP\s+INDEX\b(?!\s+IF\b)", " IF EXISTS"),
    "alter_add": (r"\bADD(?:\s+COLUMN)?\b(?!\s+(?:IF|INDEX|KEY|UNIQUE|CONSTRAINT|FOREIGN|PRIMARY"
                  r"|FULLTEXT|SPATIAL)\b)", " IF NOT EXISTS"),
    "alter_drop": (r"\bDROP(?:\s+COLUMN)?\b(?!\s+(?:IF|INDEX|KEY|CONSTRAINT|FOREIGN|PRIMARY"
                   r"|DEFAULT)\b)", " IF EXISTS"),
}


def _object_clause_at(clause: str):
    def where(kind: str):
        noun = kind.split("_", 1)[1].upper()
        if clause == "or_replace":
            return r"\bCREATE\b(?!\s+OR\b)", " OR REPLACE"
        if clause == "if_not_exists":
            return rf"\b{noun}\b(?!\s+IF\b)", " IF NOT EXISTS"
        return rf"\bDROP\s+{noun}\b(?!\s+IF\b)", " IF EXISTS"
    return where


_OBJECT_CLAUSE_AT = {c: _object_clause_at(c) for c in ("or_replace", "if_not_exists",
                                                       "if_exists")}


def simple_string(raw, migration) -> bool:
    """A quoted literal whose source text is exactly its SQL: offsets map one to one."""
    span = raw.string_span
    if span is None or not raw.literal:
        return False
    body = migration.source.data[span.start + 1:span.end - 1]
    quote = migration.source.data[span.start:span.start + 1]
    return quote in (b"'", b'"') and body.decode("utf-8", "surrogateescape") == raw.sql


def fix(finding, migration, env):
    import re

    from migrate_lint.findings import Edit, Fix
    from migrate_lint.rules._fixing import php_string, quote_of, wrap

    raw = finding.extra["target"]
    quote = quote_of(raw.node)
    # The guard asks the connection the statement runs on.
    schema = "Schema::" if raw.conn is None else f"Schema::connection({raw.connection})->"
    rename = column_rename(raw.statements)
    if rename is not None:
        if raw.statement is None or not nameable_connection(raw):
            return None
        return wrap(env, raw.statement, "rename-column-guard.php.j2",
                    "guard with `Schema::hasColumn`", schema=schema,
                    table=php_string(rename.table, quote), old=php_string(rename.column, quote),
                    new=php_string(rename.to, quote))
    if not simple_string(raw, migration) or not clause_fixable(raw.statements, env.rule_ctx):
        guard = php_guard_for(raw)
        if guard is None:
            return None
        kind, table, columns, exists = guard
        return wrap(env, raw.statement, "raw-ddl-guard.php.j2",
                    f"guard with `Schema::{'hasTable' if kind == 'table' else 'hasColumn'}`",
                    schema=schema, kind=kind, table=php_string(table, quote),
                    columns=[php_string(c, quote) for c in columns], exists=exists)
    kinds = {s.kind for s in raw.statements if not s.guarded}
    base = raw.string_span.start + 1
    edits = []
    for kind in sorted(kinds):
        if kind in OBJECT_CLAUSES:
            pattern, clause = _OBJECT_CLAUSE_AT[object_clause(kind, env.rule_ctx)](kind)
        else:
            pattern, clause = _CLAUSES[kind]
        for m in re.finditer(pattern, raw.sql, re.IGNORECASE):
            offset = base + len(raw.sql[:m.end()].encode("utf-8", "surrogateescape"))
            edits.append(Edit(offset, offset, env.render("raw-ddl-clause.sql.j2", clause=clause)))
    return Fix("add IF [NOT] EXISTS", tuple(sorted(edits, key=lambda e: e.start))) if edits else None
