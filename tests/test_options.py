"""One definition of the `check` options: the plain parser (no click) and click agree on every
command line the plain one accepts; the rule catalogue's names match the rule modules."""

from __future__ import annotations

import click
from hypothesis import event, given, settings
from hypothesis import strategies as st

from migrate_lint import options, rules
from migrate_lint.cli import main

VALUES = ["ML002", "ML0,ML1", "add-column-unguarded", "", "-", "x.php", "text", "json",
          "sarif", "never", "mariadb", "4", "0", "300", "04", "11.0", "--fix", "-q", "=",
          "database/migrations", "schema"]
FLAGS = sorted({f for o in options.OPTIONS for f in o.flags})
TOKENS = st.one_of(
    st.sampled_from(FLAGS),
    st.sampled_from(VALUES),
    st.builds(lambda f, v: f"{f}={v}", st.sampled_from([f for f in FLAGS if f.startswith("--")]),
              st.sampled_from(VALUES)),
    st.sampled_from(["--", "check", "verify", "--help", "-h", "--version", "-qj4", "-o-",
                     "--sel", "--select=", "-j"]),
)


def click_params(argv: list[str]):
    """The parameters click's `check` receives, or None when click does not run it."""
    check = main.commands["check"]
    seen: list[dict] = []
    real, check.callback = check.callback, lambda **params: seen.append(params)
    try:
        main.main(list(argv), prog_name="migrate-lint", standalone_mode=False)
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        return None
    finally:
        check.callback = real
    return seen[0] if seen else None


@settings(max_examples=600, deadline=None)
@given(st.lists(TOKENS, max_size=7))
def test_plain_parser_agrees_with_click(argv):
    plain = options.parse_plain(argv)
    if plain is not None:
        assert plain == click_params(argv), argv
    event("plain" if plain is not None else "click")


def test_plain_parser_takes_the_usual_lines():
    for argv in (["database/migrations/x.php"], ["--no-cache", "-j", "2", "a", "b"],
                 ["check", "--format=json", "--select", "ML0", "--select", "ML1", "-q", "a"],
                 ["--no-check-down", "--output-file", "out.txt", "--", "-weird.php"], []):
        assert options.parse_plain(argv) == click_params(argv) is not None, argv


def test_unusual_lines_go_to_click():
    for argv in (["--help"], ["verify", "x"], ["schema"], ["--version"], ["-qj4"],
                 ["--jobs", "0"], ["--format", "yaml"], ["--fix=1"], ["--select"],
                 ["--sel", "ML0"], ["--select", "--fix"]):
        assert options.parse_plain(argv) is None, argv


def test_subcommands_are_the_groups():
    assert set(options.SUBCOMMANDS) == set(main.commands)


def test_rule_modules_are_named_after_their_rules():
    loaded = {r.__name__.rsplit(".", 1)[1]: r for r in rules.all_rules()}
    assert [n.module for n in rules.names()] == list(loaded)
    for name in rules.names():
        rule = loaded[name.module]
        assert (name.CODE, name.NAME) == (rule.CODE, rule.NAME)
