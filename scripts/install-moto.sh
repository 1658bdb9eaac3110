#!/usr/bin/env bash
# Finds or makes the Python virtual environment with the pinned moto server and prints the path of
# its python on stdout (progress goes to stderr). The AWS adapters' tests run against this server.
#
# The environment lives in the per-user cache, so fresh clones on the same machine reuse it and
# pip's own download cache makes a rebuild quick. MOTO_PYTHON overrides everything: a python
# that can `import moto.server` at the pinned version.
set -euo pipefail
source "$(dirname "$0")/lib/cached-tool.sh"

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/moto-${MOTO_VERSION}"

tool_ok() {
  local python="$1" reported
  [ -x "$python" ] || return 1
  reported="$("$python" -c 'import moto, moto.server; print(moto.__version__)' 2>/dev/null)" || return 1
  [ "$reported" = "$MOTO_VERSION" ]
}
install_tool() { install_venv install-moto "$CACHE_DIR" "moto[server]==${MOTO_VERSION}"; }

cached_tool install-moto "$CACHE_DIR" "$CACHE_DIR/venv/bin/python" "${MOTO_PYTHON:-}"
