"""What a failing step means: a database error (a finding), a SQLite limit of Laravel 8, or a
migration that cannot run here (a note), and whether an earlier failure is to blame."""

from __future__ import annotations

import re
from pathlib import Path

from migrate_lint.record import record

DATABASE = "database"      # the database refused a statement: a finding
LIMIT = "sqlite-limit"     # Laravel 8 on SQLite cannot do this at all: a note naming the limit
CANNOT_RUN = "cannot-run"  # the migration needs something this run lacks: a note
CONNECTION = "connection"  # the server went away: the whole run stops

_SQLITE_LIMITS = [
    ("SQLite doesn't support dropping foreign keys", "SQLite limit: dropForeign"),
    ("SQLite doesn't support multiple calls to dropColumn / renameColumn",
     "SQLite limit: several dropColumn/renameColumn calls in one Blueprint"),
    ("Cannot add a NOT NULL column with default value NULL",
     "SQLite limit: NOT NULL column without default added to an existing table"),
    ("Cannot add a PRIMARY KEY column",
     "SQLite limit: PRIMARY KEY column added to an existing table"),
]
# Raw SQL in another engine's dialect (MySQL's CHANGE/MODIFY, information_schema, PostgreSQL's
# ::casts): the app does not target this engine there; not a defect of the migration history.
_FOREIGN_DIALECT = re.compile(
    r"near \".*\": syntax error|unrecognized token|no such function|"
    r"no such table: information_schema\.|"
    r"1064 You have an error in your SQL syntax|1305 FUNCTION .* does not exist", re.I)

_CANNOT_RUN = [
    (re.compile(r"^PHP Fatal error"), "PHP fatal error"),
    (re.compile(r"(Class|Interface|Trait|Enum) \"?[\w\\]+\"? not found"),
     "the application's classes are missing"),
    (re.compile(r"Call to undefined function"), "a helper function is missing"),
    (re.compile(r"(Method|Call to undefined method) Illuminate\\"),
     "needs a newer Laravel (method missing)"),
    (re.compile(r"Target class \[|BindingResolution|does not exist\.$"),
     "the application's container is missing"),
    (re.compile(r"could not find driver|requires the \w+ extension|Call to undefined function (mb_|intl|bc)"),
     "a PHP extension is missing"),
    (re.compile(r"Doctrine DBAL|doctrine/dbal"), "doctrine/dbal is missing"),
    (re.compile(r"PHP stopped before"), "the migration ended PHP (exit/die)"),
    (re.compile(r"did not finish within"), "timed out"),
]

# `Schema::create(config('activitylog.table_name'))`: outside the app config() gives null, so
# the table name is empty; MariaDB and Doctrine refuse it. Not a defect of the migration.
_EMPTY_TABLE = re.compile(r"Invalid table name specified \"\"|\b1103 Incorrect table name ''")
EMPTY_TABLE_NAME = "an empty table name (config() has no value outside the app)"

_LOST = re.compile(r"\b(2002|2006|2013)\b.*(Connection refused|gone away|Lost connection)|"
                   r"server has gone away|Lost connection to", re.I)


@record(frozen=True)
class Verdict:
    kind: str
    reason: str  # a short group name for the summary


_NO_SUCH_COLUMN = re.compile(r"no such column: (?:\w+\.)?\"?(\w+)")
DOCTRINE_REBUILD = ("SQLite limit: renameColumn/change() and column adds in one Blueprint "
                    "(Doctrine rebuilds the table without the added columns)")


def lost_in_doctrine_rebuild(path: str, error: str) -> bool:
    """Laravel (before native SQLite operations) renames or changes a SQLite column through
    Doctrine, which rebuilds the table from the columns it read BEFORE the Blueprint's adds ran:
    the added columns vanish and a later statement fails with `no such column`. Only that
    shape: the missing column is added in a Blueprint that also renames or changes one."""
    m = _NO_SUCH_COLUMN.search(error or "")
    if not m:
        return False
    from migrate_lint.model import build

    try:
        migration = build(path, Path(path).read_bytes())
    except OSError:
        return False
    column = m.group(1).lower()
    for op in migration.ops:
        categories = {c.category for c in op.calls}
        if not categories & {"rename", "change"}:
            continue
        if any(c.category == "add" and any(n.known and n.value.lower() == column
                                           for n in c.columns) for c in op.calls):
            return True
    return False


def classify(error: str, exception: str | None, engine: str) -> Verdict:
    error = error or ""
    exception = exception or ""
    if _LOST.search(error):
        return Verdict(CONNECTION, "lost the connection to the server")
    if engine == "sqlite":
        for needle, reason in _SQLITE_LIMITS:
            if needle in error:
                return Verdict(LIMIT, reason)
    if _EMPTY_TABLE.search(error):
        return Verdict(CANNOT_RUN, EMPTY_TABLE_NAME)
    if "Unknown column type" in error and "Doctrine" in error:
        return Verdict(CANNOT_RUN, "doctrine/dbal cannot change this column type")
    if exception.endswith(("QueryException", "PDOException")) or "\\DBAL\\" in f"\\{exception}" \
            or error.startswith("SQLSTATE["):
        if "could not find driver" in error:
            return Verdict(CANNOT_RUN, "a PHP extension is missing")
        if _FOREIGN_DIALECT.search(error):
            return Verdict(CANNOT_RUN, "raw SQL this engine does not understand")
        return Verdict(DATABASE, "database error")
    for pattern, reason in _CANNOT_RUN:
        if pattern.search(error):
            return Verdict(CANNOT_RUN, reason)
    short = exception.rsplit("\\", 1)[-1] or "error"
    return Verdict(CANNOT_RUN, f"other error ({short})")


# A statement that failed because something it needs is not there, or because something an
# earlier migration would have dropped or renamed is still there.
_MISSING = re.compile(
    r"no such (table|column|index)|doesn't exist|Unknown column|Can't DROP|check that .* exists|"
    r"Key column .* doesn't exist|errno: 150|Failed to open the referenced table|"
    r"There is no column with name|does not exist on table|ColumnDoesNotExist|TableDoesNotExist|"
    r"duplicate column name|already exists|Duplicate key name", re.I)
_NAMES = re.compile(r"[`'\"]([\w.]+)[`'\"]|(?:no such (?:table|column|index)|duplicate column "
                    r"name|index):?\s*([\w.]+)")


def missing_names(error: str) -> list[str]:
    """Names a missing- or duplicate-object error points at (`db.table` gives both parts)."""
    if not _MISSING.search(error or ""):
        return []
    head, _, sql = error.partition("(SQL: ")
    names = []
    # a foreign key that cannot be formed: the table it references is the one missing
    for m in re.finditer(r"references [`\"]?(\w+)", sql if "errno: 150" in error else ""):
        names.append(m.group(1))
    for m in _NAMES.finditer(head):
        name = m.group(1) or m.group(2)
        for part in [name, *name.split(".")]:
            if part and part not in names:
                names.append(part)
    return names


def blocked_by(error: str, earlier_failures: list[str]) -> str | None:
    """The earlier failed migration whose objects this error is about, if any."""
    names = missing_names(error)
    if not names:
        return None
    for path in earlier_failures:  # the earliest is the likeliest creator
        try:
            text = Path(path).read_text(errors="replace")
        except OSError:
            continue
        if any(f"'{n}'" in text or f'"{n}"' in text for n in names):
            return path
        literals = set(_LITERAL.findall(text))
        if any(_generated_from(n, literals) for n in names):
            return path
    return None


_LITERAL = re.compile(r"""['"](\w+)['"]""")
_GENERATED = re.compile(r"^(\w+)_(foreign|unique|index|primary|fulltext|spatialindex)$", re.I)


def _generated_from(name: str, literals: set[str]) -> bool:
    """Whether `name` is the index or foreign key Laravel names `{table}_{columns}_{type}` from a
    table and columns the migration names (`$table->foreign('user_id')` on `posts` makes
    `posts_user_id_foreign`, a name the source never spells)."""
    m = _GENERATED.match(name)
    if not m:
        return False
    stem = m.group(1).lower()
    lowered = {lit.lower() for lit in literals}
    for table in lowered:
        if stem.startswith(table + "_") and _columns(stem[len(table) + 1:], lowered):
            return True
    return False


def _columns(rest: str, literals: set[str]) -> bool:
    """`rest` is one or more of the literals joined by `_`."""
    if rest in literals:
        return True
    return any(rest.startswith(lit + "_") and _columns(rest[len(lit) + 1:], literals)
               for lit in literals)
