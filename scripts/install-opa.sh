#!/usr/bin/env bash
# Finds or builds the pinned OPA and prints its absolute path on stdout (progress goes to stderr).
#
# Order of preference:
#   1. $OPA_BIN, if it is set and reports the pinned version;
#   2. an `opa` on PATH reporting the pinned version;
#   3. a previous build in the per-user cache (survives fresh clones on the same machine);
#   4. `go install github.com/open-policy-agent/opa@$OPA_VERSION` into that cache.
#
# A user with OPA already installed skips the build with: OPA_BIN=/path/to/opa npm test
set -euo pipefail
source "$(dirname "$0")/lib/cached-tool.sh"

OPA_VERSION="${OPA_VERSION:-v1.22.3}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/opa-${OPA_VERSION}"

tool_ok() {
  local bin="$1" reported
  [ -x "$bin" ] || return 1
  # Captured first: with pipefail, `opa version | grep -q` could fail on SIGPIPE.
  reported="$("$bin" version 2>/dev/null)" || return 1
  grep -qx "Version: ${OPA_VERSION#v}" <<<"$reported"
}
install_tool() { install_go_binary install-opa "$CACHE_DIR" "github.com/open-policy-agent/opa@${OPA_VERSION}"; }

if [ -z "${OPA_BIN:-}" ] && on_path="$(command -v opa 2>/dev/null)" && tool_ok "$on_path"; then
  echo "$on_path"
  exit 0
fi
cached_tool install-opa "$CACHE_DIR" "$CACHE_DIR/opa" "${OPA_BIN:-}"
