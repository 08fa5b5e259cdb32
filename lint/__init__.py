"""migrate-lint: finds non-idempotent operations in Laravel migrations."""

__version__ = "0.1.0"
