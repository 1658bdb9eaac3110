#!/usr/bin/env bash
# Finds or builds the pinned actionlint (the GitHub Actions workflow linter) and prints its path on
# stdout (progress goes to stderr). Built once with `go install` into the per-user cache, so fresh
# clones on the same machine reuse it. ACTIONLINT overrides everything: an actionlint at the pinned version.
set -euo pipefail

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/actionlint-${ACTIONLINT_VERSION}"

matches_version() {
  local bin="$1" reported
  [ -x "$bin" ] || return 1
  reported="$("$bin" -version 2>/dev/null)" || return 1
  [ "$(head -n1 <<<"$reported")" = "${ACTIONLINT_VERSION#v}" ] || [ "$(head -n1 <<<"$reported")" = "$ACTIONLINT_VERSION" ]
}

if [ -n "${ACTIONLINT:-}" ] && matches_version "$ACTIONLINT"; then
  echo "$ACTIONLINT"
  exit 0
fi
if matches_version "$CACHE_DIR/actionlint"; then
  echo "$CACHE_DIR/actionlint"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-actionlint: Go is needed to build actionlint ${ACTIONLINT_VERSION} (or set ACTIONLINT)" >&2
  exit 1
fi

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if matches_version "$CACHE_DIR/actionlint"; then
  echo "$CACHE_DIR/actionlint"
  exit 0
fi

echo "install-actionlint: building actionlint ${ACTIONLINT_VERSION} into $CACHE_DIR (first time only)" >&2
GOBIN="$CACHE_DIR" GOFLAGS="${GOFLAGS:-} -buildvcs=false" CGO_ENABLED=0 \
  go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}" >&2

if ! matches_version "$CACHE_DIR/actionlint"; then
  echo "install-actionlint: the build finished but $CACHE_DIR/actionlint is not actionlint ${ACTIONLINT_VERSION}" >&2
  exit 1
fi
echo "$CACHE_DIR/actionlint"
