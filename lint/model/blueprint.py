"""What each Blueprint method does to columns and indexes (Laravel 8 to 12)."""

from __future__ import annotations

# Methods whose first argument names the one column they add.
SINGLE_COLUMN = frozenset("""
bigIncrements bigInteger binary boolean char dateTimeTz dateTime date decimal double enum float
foreignId foreignUlid foreignUuid geography geometry increments integer integerIncrements
ipAddress json jsonb lineString longText macAddress mediumIncrements mediumInteger mediumText
multiLineString multiPoint multiPolygon multiPolygonZ point polygon set smallIncrements
smallInteger softDeletes softDeletesTz softDeletesDatetime string text timeTz time timestampTz
timestamp tinyIncrements tinyInteger tinyText unsignedBigInteger unsignedDecimal unsignedDouble
unsignedFloat unsignedInteger unsignedMediumInteger unsignedSmallInteger unsignedTinyInteger
ulid uuid year vector computed geometryCollection longBinary tinyBinary mediumBinary
""".split())

# Defaults for methods whose column argument is optional.
DEFAULT_COLUMN = {
    "id": "id",
    "softDeletes": "deleted_at",
    "softDeletesTz": "deleted_at",
    "softDeletesDatetime": "deleted_at",
    "rememberToken": "remember_token",
    "ulid": "ulid",
    "uuid": "uuid",
}

# Helpers that add a fixed set of columns.
FIXED_COLUMNS = {
    "timestamps": ("created_at", "updated_at"),
    "nullableTimestamps": ("created_at", "updated_at"),
    "timestampsTz": ("created_at", "updated_at"),
    "nullableTimestampsTz": ("created_at", "updated_at"),
    "datetimes": ("created_at", "updated_at"),
    "rememberToken": ("remember_token",),
}

# `morphs('owner')` adds owner_type and owner_id (plus an index).
MORPHS = frozenset("""
morphs nullableMorphs numericMorphs nullableNumericMorphs uuidMorphs nullableUuidMorphs
ulidMorphs nullableUlidMorphs
""".split())

ADD_METHODS = SINGLE_COLUMN | set(DEFAULT_COLUMN) | set(FIXED_COLUMNS) | MORPHS | {
    "addColumn", "foreignIdFor", "id",
}

DROP_FIXED = {
    "dropTimestamps": ("created_at", "updated_at"),
    "dropTimestampsTz": ("created_at", "updated_at"),
    "dropDatetimes": ("created_at", "updated_at"),
    "dropRememberToken": ("remember_token",),
}
DROP_DEFAULT = {"dropSoftDeletes": "deleted_at", "dropSoftDeletesTz": "deleted_at"}
DROP_METHODS = {"dropColumn", "dropColumns", "dropMorphs", "dropConstrainedForeignId",
                "dropConstrainedForeignIdFor"} | set(DROP_FIXED) | set(DROP_DEFAULT)

INDEX_METHODS = {"index", "unique", "primary", "fullText", "fulltext", "spatialIndex", "foreign",
                 "rawIndex"}
DROP_INDEX_METHODS = {"dropIndex", "dropUnique", "dropPrimary", "dropForeign", "dropFullText",
                      "dropFulltext", "dropSpatialIndex", "renameIndex", "dropForeignIdFor"}


KNOWN = (ADD_METHODS | DROP_METHODS | INDEX_METHODS | DROP_INDEX_METHODS | {
    "renameColumn", "rename", "after", "engine", "charset", "collation", "comment", "temporary",
    "getTable", "getColumns", "getCommands", "build", "toSql", "create", "drop", "dropIfExists",
    "dropForeignIdFor"} - {"fulltext", "dropFulltext"})
_CANONICAL = {m.lower(): m for m in KNOWN}
# Column modifiers are Fluent attributes (`->Change()` sets "Change", which Laravel never
# reads): only the real methods of a foreign id definition ignore case.
_REAL_MODIFIERS = {m.lower(): m for m in ("constrained", "references")}


def canonical(method: str) -> str:
    """Laravel's spelling of a Blueprint method: PHP method names are case-insensitive. A name
    Blueprint does not define is a macro, which Laravel looks up case-sensitively: kept as is."""
    return method if method in KNOWN else _CANONICAL.get(method.lower(), method)


def canonical_modifier(name: str) -> str:
    return _REAL_MODIFIERS.get(name.lower(), name)


def category(method: str, modifiers: tuple[str, ...]) -> str:
    if method in ADD_METHODS:
        # `->change()` turns a column definition into a change of an existing column; on a
        # command (`dropColumn('a')->change()`) it is a meaningless attribute.
        return "change" if "change" in modifiers else "add"
    if method in DROP_METHODS:
        return "drop"
    if method == "renameColumn":
        return "rename"
    if method in INDEX_METHODS:
        return "index"
    if method in DROP_INDEX_METHODS:
        return "drop_index"
    if method == "rename":
        return "rename_table"
    return "change" if "change" in modifiers else "other"


def expands(method: str) -> bool:
    """True when one call adds several columns."""
    return method in FIXED_COLUMNS and len(FIXED_COLUMNS[method]) > 1 or method in MORPHS


# The kind of index each call adds or drops (Laravel names indexes {table}_{cols}_{kind}).
INDEX_KIND = {"index": "index", "unique": "unique", "primary": "primary", "fullText": "fulltext",
              "fulltext": "fulltext", "spatialIndex": "spatial", "rawIndex": "index",
              "foreign": "foreign", "dropIndex": "index", "dropUnique": "unique",
              "dropPrimary": "primary", "dropForeign": "foreign", "dropFullText": "fulltext",
              "dropFulltext": "fulltext", "dropSpatialIndex": "spatial"}


def index_name(table: str | None, columns, kind: str) -> str:
    """Laravel's default index name: lower-cased {table}_{columns}_{kind}, '-' and '.' as '_'."""
    base = "_".join([table or "?", *columns, kind]).lower()
    return base.replace("-", "_").replace(".", "_")


def snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper()):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def model_foreign_key(class_expr: str) -> str | None:
    """`User::class` -> `user_id`, Eloquent's default foreign key for a model."""
    if not class_expr.endswith("::class"):
        return None
    base = class_expr[: -len("::class")].rsplit("\\", 1)[-1]
    return snake(base) + "_id" if base.isidentifier() else None


# Fluent calls that say which table and columns a foreign key references.
FOREIGN_MODIFIERS = frozenset({"references", "on", "constrained"})

# Blueprint::addFluentIndexes (every version from 5.x to 13.x) turns the first of these
# attributes a column definition sets, in this order, into an index command on that column,
# `->change()` or not; the others on the same column are ignored. The attribute is set by
# Fluent::__call under the name as written (case-sensitive): `->Index()` adds nothing.
FLUENT_INDEX_ORDER = ("primary", "unique", "index", "fulltext", "fullText", "spatialIndex")
# Auto-increment columns: Laravel's grammars make them the primary key.
AUTO_INCREMENT = frozenset({"id", "increments", "bigIncrements", "mediumIncrements",
                            "smallIncrements", "tinyIncrements", "integerIncrements"})


def fluent_index(call):
    """(kind, name, drop) of the index a column definition's modifier makes, or None.
    name: None for Laravel's default name, the given string (`->index('n')` names it `n`),
    or "?" when the code computes it. drop: `->index(false)->change()`, which Laravel 9+
    reads as dropIndex([column]) (8 as an index under the default name)."""
    if not call.modifiers:
        return None
    args = dict(call.modifier_args)
    for mod in FLUENT_INDEX_ORDER:
        if mod not in call.modifiers:
            continue
        given = args.get(mod, ())
        if not given:
            return INDEX_KIND[mod], None, False
        value = given[0][1]
        code = (value.expr or "").strip().lower()
        if code == "null":
            continue  # the attribute is null: isset() is false, Laravel tries the next kind
        if code == "true":
            return INDEX_KIND[mod], None, False
        if code == "false":
            return INDEX_KIND[mod], None, "change" in call.modifiers
        if value.known and isinstance(value.value, str):
            return INDEX_KIND[mod], value.value, False
        return INDEX_KIND[mod], "?", False
    return None


def model_table(class_expr: str) -> str | None:
    """`BlogPost::class` -> `blog_posts`, Eloquent's default table for a model."""
    from migrate_lint.model.inflect import plural

    key = model_foreign_key(class_expr)
    return plural(key[: -len("_id")]) if key else None
