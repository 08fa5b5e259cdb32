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


def category(method: str, modifiers: tuple[str, ...]) -> str:
    if "change" in modifiers:
        return "change"
    if method in ADD_METHODS:
        return "add"
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
    return "other"


def expands(method: str) -> bool:
    """True when one call adds several columns."""
    return method in FIXED_COLUMNS and len(FIXED_COLUMNS[method]) > 1 or method in MORPHS


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


def model_table(class_expr: str) -> str | None:
    """`BlogPost::class` -> `blog_posts`, Eloquent's default table for a model."""
    from migrate_lint.model.inflect import plural

    key = model_foreign_key(class_expr)
    return plural(key[: -len("_id")]) if key else None
