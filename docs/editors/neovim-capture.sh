#!/usr/bin/env bash
# Drives Neovim headlessly in tmux on a copy of examples/staging-incident and prints what the
# screen shows: the server's diagnostics as virtual text and in the location list, first on
# open, then after typing a duplicate column (not saved). Needs nvim, tmux and migrate-lint
# (with the server extra) on PATH. Usage: docs/editors/neovim-capture.sh > docs/editors/neovim-capture.txt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
session="migrate-lint-capture-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r "$here/../../examples/staging-incident/database" "$work/"
cd "$work/database/migrations"
file=2025_10_23_162250_add_priority_to_service_cases_table.php

wait_for() {  # wait until the screen shows $1 (30 s at most)
  for _ in $(seq 300); do
    if tmux capture-pane -p -t "$session" | grep -q -- "$1"; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for: $1" >&2
  tmux capture-pane -p -t "$session" >&2
  return 1
}

tmux new-session -d -s "$session" -x 160 -y 34 \
  "nvim -n -u '$here/neovim-0.7.lua' -c 'set expandtab' '$file'"
wait_for "ML002"
tmux send-keys -t "$session" ":lua vim.diagnostic.setloclist({open = true})" Enter
wait_for "Location List"
tmux send-keys -t "$session" ":wincmd k | echo ''" Enter
sleep 0.5
echo "\$ nvim $file    # on open"
tmux capture-pane -p -t "$session" | sed -e 's/[[:space:]]*$//'
# Type a column that 2025_01_13_100100_create_service_cases_table.php already created.
tmux send-keys -t "$session" "16G" "o"
tmux send-keys -t "$session" -l "\$table->string('status')"
tmux send-keys -t "$session" -H 3b  # ";" (as a key name tmux reads it as a command separator)
tmux send-keys -t "$session" Escape
wait_for "ML101"
tmux send-keys -t "$session" ":lua vim.diagnostic.setloclist({open = true})" Enter \
  ":wincmd k | echo ''" Enter
sleep 0.5
echo
echo "# typed on line 17, not saved:  \$table->string('status');"
tmux capture-pane -p -t "$session" | sed -e 's/[[:space:]]*$//'
