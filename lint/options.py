"""The `check` command's options, defined once.

cli.py builds the click command from OPTIONS; `parse_plain` reads the plain cases (options and
paths, nothing click would treat specially) without importing click, so a pre-commit run on a
few files does not pay for it. Anything else (help, subcommands, a bad value, an unknown or
abbreviated option) returns None and goes to click, which reports it. A test holds both
parsers to the same result on every command line the plain one accepts.
"""

from __future__ import annotations

import os

FORMAT_NAMES = ["text", "concise", "json", "github", "sarif", "gitlab", "junit", "html"]
DATABASES = ["mysql", "mariadb", "pgsql", "sqlite", "sqlsrv"]
# The group's subcommands: a first word among these is not a path to check.
SUBCOMMANDS = ("check", "verify", "schema", "plan", "server")


class Option:
    """kind: "flag", "switch" (--x/--no-x), "value", "multiple", "choice" or "jobs"."""

    def __init__(self, dest, flags, kind="value", help="", choices=None, default=None,
                 metavar=None, path=False, show_default=False):
        self.dest, self.flags, self.kind, self.help = dest, flags, kind, help
        self.choices, self.metavar, self.path = choices, metavar, path
        self.show_default = show_default
        self.default = False if kind == "flag" and default is None else (
            () if kind == "multiple" else default)


OPTIONS = [
    Option("select", ["--select"], "multiple",
           "Rule codes, names or prefixes to enable (comma-separated)."),
    Option("ignore", ["--ignore"], "multiple", "Rule codes, names or prefixes to disable."),
    Option("fmt", ["--format"], "choice", choices=FORMAT_NAMES, default="text",
           show_default=True),
    Option("config_path", ["--config"], path=True,
           help="Config file (default: nearest .migrate-lint.toml or pyproject.toml)."),
    Option("fix", ["--fix"], "flag", "Rewrite fixable findings with guards."),
    Option("diff", ["--diff"], "flag", "Print the fixes as a unified diff; write nothing."),
    Option("statistics", ["--statistics"], "flag",
           "A table of counts per rule instead of the listing."),
    Option("output_file", ["--output-file", "-o"], path=True, help="Write the report to a file."),
    Option("quiet", ["--quiet", "-q"], "flag", "Print findings only, no summary or source."),
    Option("exit_zero", ["--exit-zero"], "flag", "Exit 0 even when there are findings."),
    Option("explain", ["--explain"], metavar="CODE", help="Print a rule's documentation and exit."),
    Option("list_rules", ["--list-rules"], "flag", "List every rule and exit."),
    Option("check_down", ["--check-down", "--no-check-down"], "switch",
           "Lint down() too (default: config, else yes)."),
    Option("laravel_version", ["--laravel-version"], metavar="X.Y",
           help="Laravel version (default: config, else composer.lock)."),
    Option("database", ["--database"], "choice", choices=DATABASES,
           help="Database the project runs on (for raw-SQL fixes)."),
    Option("stdin_filename", ["--stdin-filename"], metavar="PATH",
           help="Name to report for `-` (standard input)."),
    Option("changed_since", ["--changed-since"], metavar="REF",
           help="Only files added or modified since this git ref."),
    Option("baseline_path", ["--baseline"], path=True,
           help="Hide the findings recorded in this baseline file."),
    Option("write_baseline", ["--write-baseline"], path=True,
           help="Record the current findings as a baseline and exit 0."),
    Option("jobs", ["--jobs", "-j"], "jobs", "Worker processes (default: cores)."),
    Option("no_cache", ["--no-cache"], "flag", "Do not read or write the cache."),
    Option("color", ["--color"], "choice", choices=["auto", "always", "never"], default="auto",
           show_default=True),
]
JOBS_RANGE = (1, 256)

_BY_FLAG = {flag: opt for opt in OPTIONS for flag in opt.flags}


def defaults() -> dict:
    out = {"paths": ()}
    out.update((opt.dest, opt.default) for opt in OPTIONS)
    return out


def parse_plain(argv: list[str]) -> dict | None:
    """The `check` parameters of a plain command line, as click would give them; None for
    anything click must see."""
    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return None  # shell completion
    args = list(argv)
    if args and args[0] == "check":
        args.pop(0)
    elif args and args[0] in SUBCOMMANDS:
        return None
    params = defaults()
    paths: list[str] = []
    while args:
        arg = args.pop(0)
        if arg == "--":
            paths += args
            break
        if not arg.startswith("-") or arg == "-":
            paths.append(arg)
            continue
        flag, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        opt = _BY_FLAG.get(flag)
        if opt is None:
            return None  # help, version, an unknown or joined short option: click decides
        if opt.kind in ("flag", "switch"):
            if eq:
                return None
            params[opt.dest] = opt.kind == "flag" or flag == opt.flags[0]
            continue
        if not eq:
            if not args:
                return None
            value = args.pop(0)
        if value.startswith("-") and value != "-":
            return None  # click reads it as a value; let it say so
        if opt.kind == "choice" and value not in opt.choices:
            return None
        if opt.kind == "jobs":
            if not (value.isascii() and value.isdigit()) \
                    or not JOBS_RANGE[0] <= int(value) <= JOBS_RANGE[1]:
                return None
            params[opt.dest] = int(value)
        elif opt.kind == "multiple":
            params[opt.dest] = params[opt.dest] + (value,)
        else:
            params[opt.dest] = value
    params["paths"] = tuple(paths)
    return params
