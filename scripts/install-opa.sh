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

OPA_VERSION="${OPA_VERSION:-v1.22.3}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/opa-${OPA_VERSION}"

matches_version() {
  local bin="$1" reported
  [ -x "$bin" ] || return 1
  # Captured first: with pipefail, `opa version | grep -q` could fail on SIGPIPE.
  reported="$("$bin" version 2>/dev/null)" || return 1
  grep -qx "Version: ${OPA_VERSION#v}" <<<"$reported"
}

if [ -n "${OPA_BIN:-}" ]; then
  if matches_version "$OPA_BIN"; then
    echo "$OPA_BIN"
    exit 0
  fi
  echo "install-opa: OPA_BIN=$OPA_BIN is not OPA ${OPA_VERSION}; building the pinned version" >&2
fi

if on_path="$(command -v opa 2>/dev/null)" && matches_version "$on_path"; then
  echo "$on_path"
  exit 0
fi

if matches_version "$CACHE_DIR/opa"; then
  echo "$CACHE_DIR/opa"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-opa: Go is needed to build OPA ${OPA_VERSION} (or set OPA_BIN to an installed opa ${OPA_VERSION})" >&2
  exit 1
fi

mkdir -p "$CACHE_DIR"
# Concurrent callers (CI steps, parallel jest workers) must not build twice into the same file.
exec 9>"$CACHE_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if matches_version "$CACHE_DIR/opa"; then
  echo "$CACHE_DIR/opa"
  exit 0
fi

echo "install-opa: building OPA ${OPA_VERSION} from source into $CACHE_DIR (first time only, takes a few minutes)" >&2
GOBIN="$CACHE_DIR" GOFLAGS="${GOFLAGS:-} -buildvcs=false" CGO_ENABLED=0 \
  go install "github.com/open-policy-agent/opa@${OPA_VERSION}" >&2

if ! matches_version "$CACHE_DIR/opa"; then
  echo "install-opa: the build finished but $CACHE_DIR/opa does not report ${OPA_VERSION}" >&2
  exit 1
fi
echo "$CACHE_DIR/opa"
