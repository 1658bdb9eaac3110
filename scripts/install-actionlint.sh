#!/usr/bin/env bash
# Finds or builds the pinned actionlint (the GitHub Actions workflow linter) and prints its path on
# stdout (progress goes to stderr). Built once with `go install` into the per-user cache, so fresh
# clones on the same machine reuse it. ACTIONLINT overrides everything: an actionlint at the pinned version.
set -euo pipefail
source "$(dirname "$0")/lib/cached-tool.sh"

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/actionlint-${ACTIONLINT_VERSION}"

tool_ok() {
  local bin="$1" reported
  [ -x "$bin" ] || return 1
  reported="$("$bin" -version 2>/dev/null)" || return 1
  [ "$(head -n1 <<<"$reported")" = "${ACTIONLINT_VERSION#v}" ] || [ "$(head -n1 <<<"$reported")" = "$ACTIONLINT_VERSION" ]
}
install_tool() { install_go_binary install-actionlint "$CACHE_DIR" "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"; }

cached_tool install-actionlint "$CACHE_DIR" "$CACHE_DIR/actionlint" "${ACTIONLINT:-}"
