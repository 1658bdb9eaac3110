#!/usr/bin/env bash
# Finds or makes the Python virtual environment with the pinned moto server and prints the path of
# its python on stdout (progress goes to stderr). The AWS adapters' tests run against this server.
#
# The environment lives in the per-user cache, so fresh clones on the same machine reuse it and
# pip's own download cache makes a rebuild quick. MOTO_PYTHON overrides everything: a python
# that can `import moto.server` at the pinned version.
set -euo pipefail

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/moto-${MOTO_VERSION}"

has_moto() {
  local python="$1" reported
  [ -x "$python" ] || return 1
  reported="$("$python" -c 'import moto, moto.server; print(moto.__version__)' 2>/dev/null)" || return 1
  [ "$reported" = "$MOTO_VERSION" ]
}

if [ -n "${MOTO_PYTHON:-}" ]; then
  if has_moto "$MOTO_PYTHON"; then
    echo "$MOTO_PYTHON"
    exit 0
  fi
  echo "install-moto: MOTO_PYTHON=$MOTO_PYTHON has no moto ${MOTO_VERSION}; making the cached environment" >&2
fi

if has_moto "$CACHE_DIR/venv/bin/python"; then
  echo "$CACHE_DIR/venv/bin/python"
  exit 0
fi

PYTHON="$(command -v python3 || command -v python || true)"
if [ -z "$PYTHON" ]; then
  echo "install-moto: Python 3 is needed for the moto server (or set MOTO_PYTHON)" >&2
  exit 1
fi

mkdir -p "$CACHE_DIR"
# Parallel callers (jest projects, CI steps) must not build the same environment twice.
exec 9>"$CACHE_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if has_moto "$CACHE_DIR/venv/bin/python"; then
  echo "$CACHE_DIR/venv/bin/python"
  exit 0
fi

echo "install-moto: installing moto[server]==${MOTO_VERSION} into $CACHE_DIR/venv (first time only, about 30 s)" >&2
rm -rf "$CACHE_DIR/venv"
"$PYTHON" -m venv "$CACHE_DIR/venv" >&2
"$CACHE_DIR/venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}" >&2

if ! has_moto "$CACHE_DIR/venv/bin/python"; then
  echo "install-moto: the install finished but $CACHE_DIR/venv cannot import moto ${MOTO_VERSION}" >&2
  exit 1
fi
echo "$CACHE_DIR/venv/bin/python"
