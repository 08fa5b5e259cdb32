"""How verify reads an error: a finding, a SQLite limit, or a migration that cannot run here."""

from __future__ import annotations

import pytest

from migrate_lint.dynamic.judge import CANNOT_RUN, DATABASE, LIMIT, blocked_by, classify

QE = "Illuminate\\Database\\QueryException"


@pytest.mark.parametrize("error, exception, engine, kind, reason", [
    ("SQLSTATE[42000]: Syntax error or access violation: 1091 Can't DROP COLUMN `p`; check "
     "that it exists", QE, "mariadb", DATABASE, "database error"),
    ("SQLSTATE[42S21]: Column already exists: 1060 Duplicate column name 'p'", QE, "mariadb",
     DATABASE, "database error"),
    ('SQLSTATE[HY000]: General error: 1 near "CHANGE": syntax error', QE, "sqlite", CANNOT_RUN,
     "raw SQL this engine does not understand"),
    ("SQLSTATE[42000]: Syntax error or access violation: 1064 You have an error in your SQL "
     "syntax", QE, "mariadb", CANNOT_RUN, "raw SQL this engine does not understand"),
    ("SQLite doesn't support dropping foreign keys (you would need to re-create the table).",
     "BadMethodCallException", "sqlite", LIMIT, "SQLite limit: dropForeign"),
    ("SQLSTATE[HY000]: General error: 1 Cannot add a NOT NULL column with default value NULL",
     QE, "sqlite", LIMIT, "SQLite limit: NOT NULL column without default added to an existing table"),
    ('Class "App\\Models\\User" not found', "Error", "sqlite", CANNOT_RUN,
     "the application's classes are missing"),
    ("Call to undefined function bcrypt()", "Error", "mariadb", CANNOT_RUN,
     "a helper function is missing"),
    ("Method Illuminate\\Database\\Schema\\Blueprint::ulid does not exist.",
     "BadMethodCallException", "sqlite", CANNOT_RUN, "needs a newer Laravel (method missing)"),
    ('PHP Fatal error: Trait "X" not found', "PHP fatal error", "sqlite", CANNOT_RUN,
     "PHP fatal error"),
])
def test_classify(error, exception, engine, kind, reason):
    verdict = classify(error, exception, engine)
    assert (verdict.kind, verdict.reason) == (kind, reason)


def test_blocked_only_by_a_failed_migration_naming_the_object(tmp_path):
    creates = tmp_path / "a.php"
    creates.write_text("<?php Schema::create('widgets', fn ($t) => $t->id());")
    other = tmp_path / "b.php"
    other.write_text("<?php Schema::create('gadgets', fn ($t) => $t->id());")
    missing = "SQLSTATE[HY000]: General error: 1 no such table: widgets (SQL: select 1)"
    assert blocked_by(missing, [str(creates), str(other)]) == str(creates)
    assert blocked_by(missing, [str(other)]) is None
    duplicate = "SQLSTATE[42S21]: Column already exists: 1060 Duplicate column name 'colour'"
    assert blocked_by(duplicate, [str(creates)]) is None


def test_a_foreign_key_to_a_table_that_never_came_is_blocked(tmp_path):
    users = tmp_path / "users.php"
    users.write_text("<?php Schema::create('users', fn ($t) => $t->id()); bcrypt('x');")
    error = ("SQLSTATE[HY000]: General error: 1005 Can't create table `db`.`role_user` (errno: "
             "150 \"Foreign key constraint is incorrectly formed\") (SQL: alter table `role_user` "
             "add constraint `role_user_user_id_foreign` foreign key (`user_id`) references "
             "`users` (`id`))")
    assert blocked_by(error, [str(users)]) == str(users)


def test_doctrine_type_limits_are_not_findings():
    verdict = classify('Unknown column type "char" requested. Any Doctrine type that you use has '
                       "to be registered with \\Doctrine\\DBAL\\Types\\Type::addType().",
                       "Doctrine\\DBAL\\Exception", "mariadb")
    assert verdict.kind == CANNOT_RUN


def test_the_dynamic_half_is_one_package():
    import importlib.util
    from importlib import resources

    php = resources.files("migrate_lint.dynamic") / "php"
    assert (php / "run_migration.php").is_file() and (php / "helpers.php").is_file()
    for module in ("oracle", "scratch", "mariadb_server", "verify", "command"):
        assert importlib.util.find_spec(f"migrate_lint.dynamic.{module}") is not None
    for old in ("migrate_lint.oracle", "migrate_lint.verify", "migrate_lint.mariadb_server"):
        assert importlib.util.find_spec(old) is None


def test_an_index_laravel_named_from_a_failed_migrations_table_and_columns_is_blocked(tmp_path):
    # pterodactyl: SetupPermissionsPivotTable could not run here (an app model); a later
    # dropForeign(['subuser_id']) on permissions then fails on a name no source spells.
    creates = tmp_path / "pivot.php"
    creates.write_text("<?php Schema::table('permissions', function ($t) {\n"
                       "    $t->unsignedInteger('subuser_id');\n"
                       "    $t->foreign('subuser_id')->references('id')->on('subusers');\n});")
    other = tmp_path / "other.php"
    other.write_text("<?php Schema::table('permissions', fn ($t) => $t->string('name'));")
    error = ("SQLSTATE[42000]: Syntax error or access violation: 1091 Can't DROP FOREIGN KEY "
             "`permissions_subuser_id_foreign`; check that it exists (SQL: alter table "
             "`permissions` drop foreign key `permissions_subuser_id_foreign`)")
    assert blocked_by(error, [str(other), str(creates)]) == str(creates)
    assert blocked_by(error, [str(other)]) is None
    two = error.replace("subuser_id_foreign", "subuser_id_server_id_unique")
    creates.write_text(creates.read_text() + " $t->unique(['subuser_id', 'server_id']);")
    assert blocked_by(two, [str(creates)]) == str(creates)
