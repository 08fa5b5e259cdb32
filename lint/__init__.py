"""migrate-lint: finds non-idempotent operations in Laravel migrations."""

import logging as _logging

__version__ = "0.1.0"

# sqlglot logs its own fallbacks ("contains unsupported syntax. Falling back to parsing as a
# 'Command'") as warnings; with no handler configured Python prints them on our stderr. That is
# the library talking to itself, never a message for the user.
_logging.getLogger("sqlglot").setLevel(_logging.ERROR)
