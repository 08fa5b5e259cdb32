"""The `migrate-lint` command. A plain `check` (options and paths only) runs without importing
click: a pre-commit run on a few files should not pay for it. Everything else goes to click
(lint/cli.py), which reads the same option table (lint/options.py)."""

from __future__ import annotations

import errno
import os
import sys


def main() -> None:
    from migrate_lint.options import parse_plain

    params = parse_plain(sys.argv[1:])
    if params is None:
        from migrate_lint.cli import main as click_main

        click_main()
        return
    from migrate_lint import runner

    runner.tolerant_output()  # as the click group does
    try:
        code = runner.check(params)
        sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")  # as click says it
        code = 1
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        # The reader went away (`| head`): exit quietly, as click does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
