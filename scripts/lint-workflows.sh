#!/usr/bin/env bash
# Lints .github/workflows/*.yml with the pinned actionlint (built once by scripts/install-actionlint.sh);
# exits non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_BIN="$(scripts/install-actionlint.sh)"
"$ACTIONLINT_BIN" -no-color .github/workflows/*.yml
echo "✓ actionlint: .github/workflows is clean"
