#!/usr/bin/env bash
# Finds or makes the Python virtual environment with the pinned cfn-lint (PyPI) and prints the path
# of its cfn-lint on stdout (progress goes to stderr). CI lints the packaged CloudFormation
# template with it. The environment lives in the per-user cache, so fresh clones on the same
# machine reuse it. CFN_LINT overrides everything: a cfn-lint at the pinned version.
set -euo pipefail
source "$(dirname "$0")/lib/cached-tool.sh"

CFN_LINT_VERSION="${CFN_LINT_VERSION:-1.58.0}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/cfn-lint-${CFN_LINT_VERSION}"

tool_ok() {
  local binary="$1" reported
  [ -x "$binary" ] || return 1
  reported="$("$binary" --version 2>/dev/null)" || return 1
  [ "$reported" = "cfn-lint ${CFN_LINT_VERSION}" ]
}
install_tool() { install_venv install-cfn-lint "$CACHE_DIR" "cfn-lint==${CFN_LINT_VERSION}"; }

cached_tool install-cfn-lint "$CACHE_DIR" "$CACHE_DIR/venv/bin/cfn-lint" "${CFN_LINT:-}"
