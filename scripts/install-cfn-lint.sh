#!/usr/bin/env bash
# Finds or makes the Python virtual environment with the pinned cfn-lint (PyPI) and prints the path
# of its cfn-lint on stdout (progress goes to stderr). CI lints the packaged CloudFormation
# template with it. The environment lives in the per-user cache, so fresh clones on the same
# machine reuse it. CFN_LINT overrides everything: a cfn-lint at the pinned version.
set -euo pipefail

CFN_LINT_VERSION="${CFN_LINT_VERSION:-1.58.0}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/cfn-lint-${CFN_LINT_VERSION}"

has_cfn_lint() {
  local binary="$1" reported
  [ -x "$binary" ] || return 1
  reported="$("$binary" --version 2>/dev/null)" || return 1
  [ "$reported" = "cfn-lint ${CFN_LINT_VERSION}" ]
}

if [ -n "${CFN_LINT:-}" ] && has_cfn_lint "$CFN_LINT"; then
  echo "$CFN_LINT"
  exit 0
fi
if has_cfn_lint "$CACHE_DIR/venv/bin/cfn-lint"; then
  echo "$CACHE_DIR/venv/bin/cfn-lint"
  exit 0
fi

PYTHON="$(command -v python3 || command -v python || true)"
if [ -z "$PYTHON" ]; then
  echo "install-cfn-lint: Python 3 is needed for cfn-lint (or set CFN_LINT)" >&2
  exit 1
fi

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if has_cfn_lint "$CACHE_DIR/venv/bin/cfn-lint"; then
  echo "$CACHE_DIR/venv/bin/cfn-lint"
  exit 0
fi

echo "install-cfn-lint: installing cfn-lint==${CFN_LINT_VERSION} into $CACHE_DIR/venv (first time only)" >&2
rm -rf "$CACHE_DIR/venv"
"$PYTHON" -m venv "$CACHE_DIR/venv" >&2
"$CACHE_DIR/venv/bin/python" -m pip install --quiet --disable-pip-version-check "cfn-lint==${CFN_LINT_VERSION}" >&2

if ! has_cfn_lint "$CACHE_DIR/venv/bin/cfn-lint"; then
  echo "install-cfn-lint: the install finished but $CACHE_DIR/venv has no cfn-lint ${CFN_LINT_VERSION}" >&2
  exit 1
fi
echo "$CACHE_DIR/venv/bin/cfn-lint"
