"""migrate-lint: finds non-idempotent operations in Laravel migrations."""

__version__ = "0.1.0"


def quiet_sqlglot() -> None:
    """sqlglot logs its own fallbacks ("contains unsupported syntax. Falling back to parsing as
    a 'Command'") as warnings; with no handler configured Python prints them on our stderr.
    That is the library talking to itself, never a message for the user. Called where sqlglot
    is used, not at import: `logging` costs a one-file run about 4 ms."""
    import logging

    logging.getLogger("sqlglot").setLevel(logging.ERROR)
