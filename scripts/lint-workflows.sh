#!/usr/bin/env bash
# Lints .github/workflows/*.yml|*.yaml with the pinned actionlint (built once by
# scripts/install-actionlint.sh); actionlint runs shellcheck on the run: scripts when one is on
# PATH. Exits non-zero on any finding, and when there is no workflow to lint.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ "${#workflows[@]}" -eq 0 ]; then
  echo "lint-workflows: no workflow in .github/workflows" >&2
  exit 1
fi
ACTIONLINT_BIN="$(scripts/install-actionlint.sh)"
"$ACTIONLINT_BIN" -no-color "${workflows[@]}"
echo "✓ actionlint: ${workflows[*]} clean"
