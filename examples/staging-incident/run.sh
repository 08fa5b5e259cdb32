#!/usr/bin/env bash
# Reproduces the staging incident and its repair under real Laravel on SQLite and MariaDB.
# Needs migrate-lint installed (pip install .) and PHP + Laravel + MariaDB (scripts/test
# installs them with apt). Exit 0 when the story reproduces and the repair works.
set -euo pipefail
cd "$(dirname "$0")"
exec python3 reproduce.py "$@"
