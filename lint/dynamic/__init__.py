"""The dynamic half: migrations run for real under Laravel, on databases we create and drop.

oracle.py (the Python API) drives php/run_migration.php (the PHP runner); scratch.py makes the
only databases verify may write to; mariadb_server.py starts a throwaway MariaDB; verify.py
runs a history step by step and judges it; command.py is the click wrapper of `verify`.
"""
