"""Which database `plan --database` reads: URLs, environment variables, Laravel .env files, and
the masking that keeps a password out of every message. No server needed here."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess

import pytest

from migrate_lint.introspect import DatabaseTarget, IntrospectError, mask
from migrate_lint.introspect import envfile

SECRET = "s3cr3t-Pa55"


def _error(**kwargs) -> str:
    with pytest.raises(IntrospectError) as info:
        DatabaseTarget.parse(**kwargs)
    return str(info.value)


# ---------------------------------------------------------------------------------- URLs
@pytest.mark.parametrize("url, driver, scheme", [
    ("mysql://app:pw@db.internal:3307/shop", "mysql", "mysql"),
    ("mariadb://app:pw@db.internal:3307/shop", "mysql", "mariadb"),
    ("pgsql://app:pw@db.internal:3307/shop", "pgsql", "pgsql"),
    ("postgres://app:pw@db.internal:3307/shop", "pgsql", "postgres"),
    ("postgresql://app:pw@db.internal:3307/shop", "pgsql", "postgresql"),
])
def test_server_urls(url, driver, scheme):
    t = DatabaseTarget.parse(url)
    assert (t.driver, t.scheme, t.host, t.port, t.database, t.username, t.password) == (
        driver, scheme, "db.internal", 3307, "shop", "app", "pw")


def test_url_parts_are_percent_decoded_and_the_query_kept():
    t = DatabaseTarget.parse("mysql://ap%40p:p%2Fw%40rd%23@h/my%20db?unix_socket=/run/m.sock"
                             "&prefix=wp_&charset=utf8mb4")
    assert (t.username, t.password, t.database, t.socket, t.prefix) == (
        "ap@p", "p/w@rd#", "my db", "/run/m.sock", "wp_")
    assert t.options == (("charset", "utf8mb4"),)
    t = DatabaseTarget.parse("postgres://u@h/db?sslmode=require&search_path=app")
    assert dict(t.options) == {"sslmode": "require", "search_path": "app"}
    assert t.password is None and t.port is None


@pytest.mark.parametrize("url, path", [
    ("sqlite:///database/app.sqlite", "database/app.sqlite"),
    ("sqlite:////var/lib/app.sqlite", "/var/lib/app.sqlite"),
    ("sqlite:///my%20app.sqlite", "my app.sqlite"),
])
def test_sqlite_urls_follow_laravel_relative_and_absolute(url, path):
    t = DatabaseTarget.parse(url)
    assert (t.driver, t.database) == ("sqlite", path)


@pytest.mark.parametrize("url", ["oracle://u:%s@h/db", "u:%s@h/db", "sqlite://%s",
                                 "mysql://u:%s/x@h/db", "mysql://u:%s@h:port/db",
                                 "mysql://u:a %s/x@h/db"])
def test_bad_urls_are_one_line_without_the_password(url):
    message = _error(url=url % SECRET)
    assert SECRET not in message and "\n" not in message
    assert "URL" in message


def test_exactly_one_source():
    assert "give one of" in _error()
    assert "give one of" in _error(url="mysql://h/db", env_var="X")


def test_url_from_an_environment_variable(monkeypatch):
    monkeypatch.setenv("STAGING_DB", f"mariadb://deploy:{SECRET}@10.0.0.5/app")
    t = DatabaseTarget.parse(None, env_var="STAGING_DB")
    assert (t.host, t.password, t.source) == ("10.0.0.5", SECRET, "$STAGING_DB")
    monkeypatch.delenv("STAGING_DB")
    assert "STAGING_DB is not set" in _error(env_var="STAGING_DB")


# ------------------------------------------------------------------------------- masking
def test_the_password_is_never_shown():
    t = DatabaseTarget.parse(f"mysql://app:{SECRET}@h:3306/shop")
    for text in (repr(t), str(t), t.url, f"{t!r}", f"{[t]}"):
        assert SECRET not in text
    assert t.url == "mysql://app:***@h:3306/shop"
    err = t.error("cannot connect", RuntimeError(f"Access denied (using password {SECRET})"))
    assert SECRET not in str(err) and "mysql://app:***@h:3306/shop: cannot connect" in str(err)


def test_mask_hides_the_encoded_form_and_every_url():
    t = DatabaseTarget.parse("pgsql://app:p%2Fw%20x@h/db")
    assert t.password == "p/w x"
    assert t.mask("tried p/w x and p%2Fw%20x") == "tried *** and ***"
    assert mask("a mysql://u:pw@h/db and postgres://x:y@z/w?password=q") == \
        "a mysql://u:***@h/db and postgres://x:***@z/w?password=***"


# ------------------------------------------------------------------------------ .env files
def _env(tmp_path, text: str, name=".env"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_env_file_mysql(tmp_path):
    path = _env(tmp_path, "APP_NAME=Shop\n# DB_PASSWORD=old\nDB_CONNECTION=mysql\n"
                          "DB_HOST=db.internal\nDB_PORT=3307\nDB_DATABASE=shop\n"
                          "DB_USERNAME=deploy\nDB_PASSWORD=\"a #not comment\\\"q\"  # comment\n")
    t = DatabaseTarget.from_env_file(path, environ={})
    assert (t.driver, t.host, t.port, t.database, t.username, t.password, t.connection) == (
        "mysql", "db.internal", 3307, "shop", "deploy", 'a #not comment"q', "mysql")
    assert t.source == path and "***" in t.url and "not comment" not in repr(t)


def test_env_file_url_overrides_the_settings(tmp_path):
    path = _env(tmp_path, "DB_CONNECTION=mysql\nDB_HOST=ignored\nDB_USERNAME=deploy\n"
                          f"DB_PASSWORD={SECRET}\nDATABASE_URL=pgsql://h2:5433/other\n")
    t = DatabaseTarget.from_env_file(path, environ={})
    # Laravel merges the URL over the DB_* settings: what the URL lacks comes from them.
    assert (t.driver, t.host, t.port, t.database, t.username, t.password) == (
        "pgsql", "h2", 5433, "other", "deploy", SECRET)


def test_env_file_sqlite_paths_are_relative_to_the_project(tmp_path):
    t = DatabaseTarget.from_env_file(_env(tmp_path, "DB_CONNECTION=sqlite\n"), environ={})
    assert t.database == str(tmp_path / "database" / "database.sqlite")
    t = DatabaseTarget.from_env_file(
        _env(tmp_path, "DB_CONNECTION=sqlite\nDB_DATABASE=storage/app.db\n"), environ={})
    assert t.database == str(tmp_path / "storage" / "app.db")
    t = DatabaseTarget.from_env_file(
        _env(tmp_path, "DB_CONNECTION=sqlite\nDB_DATABASE=/srv/app.db\n"), environ={})
    assert t.database == "/srv/app.db"


def test_the_environment_wins_over_the_env_file_as_in_laravel(tmp_path):
    path = _env(tmp_path, "DB_CONNECTION=pgsql\nDB_HOST=from-file\nDB_PASSWORD=file-pw\n")
    t = DatabaseTarget.from_env_file(path, environ={"DB_HOST": "from-env"})
    assert (t.host, t.password) == ("from-env", "file-pw")
    assert any("DB_HOST is taken from the environment" in n for n in t.notes)


def test_connection_chooses_the_driver(tmp_path):
    path = _env(tmp_path, "DB_CONNECTION=mysql\nDB_DATABASE=shop\n")
    assert DatabaseTarget.from_env_file(path, connection="pgsql", environ={}).driver == "pgsql"
    with pytest.raises(IntrospectError, match="connection 'legacy' is not one of"):
        DatabaseTarget.from_env_file(path, connection="legacy", environ={})
    with pytest.raises(IntrospectError, match="DB_CONNECTION is not set"):
        DatabaseTarget.from_env_file(_env(tmp_path, "APP_KEY=x\n"), environ={})


def test_env_file_errors_name_the_line_never_the_value(tmp_path):
    path = _env(tmp_path, f"DB_CONNECTION=mysql\nDB_PASSWORD=\"{SECRET}\" {SECRET}\n")
    message = _error(env_file=path)
    assert "line 2" in message and SECRET not in message
    assert "cannot read the .env file" in _error(env_file=str(tmp_path / "missing.env"))


def test_laravel_env_words():
    values = envfile.parse("A=null\nB=(empty)\nC=(null)\nD=false\n")
    assert [envfile.laravel_value(values[k]) for k in "ABCD"] == [None, "", None, "false"]


# The .env reader is checked against phpdotenv itself (Laravel's loader, Debian's
# php-vlucas-phpdotenv): the same texts, the same variables or the same refusal.
TRICKY = [
    "A=1\nB=${A}2\nC='${A}'\nD=\"${A}\\${A}\"",
    "export A=x\nexport  B = 'y z'",
    "A=\"multi\nline\nvalue\"\nB=after",
    "A=\"esc \\\" \\\\ \\n \\t \\f \\v \\r \\$ end\"",
    "A=\"bad \\d escape\"",
    "A=unquoted # comment\nB=has#hash\nC=  spaced  ",
    "A=two words",
    "A='unterminated",
    "A=\"x\" trailing",
    "A=\"x\"   # ok",
    "\"QUOTED\"=1\n'Q2'=2",
    "A=${UNDEFINED}\nB=$A\nC=${A}",
    "A=\nB=''\nC=\"\"",
    "NOVALUE\nA=1",
    "=nokey",
    "A=a=b=c",
    "A='it''s'",
    "A=\"\"\"",
    "# only comment\n\n   \nA=1 #c",
    "A.B=dotted\nA-B=dash",
    "A=\"line1\nB=2",
    "A=\"x\\\\\"\nB=y",
]


def _random_texts(count: int) -> list[str]:
    rng = random.Random(2024)
    pieces = ["A", "B", "x", "1", " ", "  ", "\t", "=", "'", "\"", "\\", "$", "${A}", "${B}", "{",
              "}", "#", "\n", "export ", "\\n", "\\\"", "é"]
    texts = []
    for _ in range(count):
        lines = []
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(["A", "B", "C"])
            value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
            lines.append(f"{name}={value}")
        texts.append("\n".join(lines))
    return texts


def test_env_parser_agrees_with_phpdotenv(tmp_path):
    php = shutil.which("php")
    probe = php and subprocess.run([php, "-r", "exit(stream_resolve_include_path("
                                   "'Dotenv/autoload.php') ? 0 : 1);"]).returncode == 0
    if not probe:
        reason = "phpdotenv is not installed (apt-get install php-cli php-vlucas-phpdotenv)"
        if os.environ.get("MIGRATE_LINT_REQUIRE_ORACLE") == "1":
            pytest.fail(f"oracle required (MIGRATE_LINT_REQUIRE_ORACLE=1) but {reason}")
        pytest.skip(reason)
    texts = TRICKY + _random_texts(600)
    script = tmp_path / "dotenv.php"
    script.write_text(PHP_DOTENV)
    out = subprocess.run([php, str(script)], input=json.dumps(texts), capture_output=True,
                         text=True, check=True).stdout
    answers = json.loads(out)
    disagree = []
    for text, real in zip(texts, answers):
        try:
            mine = {"ok": True, "vars": envfile.parse(text)}
        except envfile.EnvFileError:
            mine = {"ok": False}
        if mine["ok"] and real["ok"]:  # phpdotenv's array_merge renumbers a name like '1'
            mine["vars"] = {k: v for k, v in mine["vars"].items() if not k.isdigit()}
            real["vars"] = {k: v for k, v in real["vars"].items() if not k.isdigit()}
        if mine["ok"] != real["ok"] or (real["ok"] and mine["vars"] != real["vars"]):
            disagree.append((text, real, mine))
    assert not disagree, disagree[:5]
    assert sum(a["ok"] for a in answers) > 100 and sum(not a["ok"] for a in answers) > 50


PHP_DOTENV = """<?php
require 'Dotenv/autoload.php';
$out = [];
foreach (json_decode(stream_get_contents(STDIN), true) as $text) {
    try {
        $out[] = ['ok' => true, 'vars' => (object) Dotenv\\Dotenv::parse($text)];
    } catch (Throwable $e) {
        $out[] = ['ok' => false];
    }
}
echo json_encode($out);
"""
