#!/usr/bin/env bash
# The GitHub Action's step: install migrate-lint, lint with workflow-command annotations.
set -euo pipefail
if [ -n "${MIGRATE_LINT_VERSION:-}" ]; then
  python3 -m pip install -q "migrate-lint==${MIGRATE_LINT_VERSION}"
elif ! command -v migrate-lint >/dev/null 2>&1; then
  python3 -m pip install -q "${MIGRATE_LINT_SOURCE:-.}"
fi
# shellcheck disable=SC2086  # paths and args are word lists on purpose
exec migrate-lint check --format github ${MIGRATE_LINT_ARGS:-} ${MIGRATE_LINT_PATHS:-database/migrations}
