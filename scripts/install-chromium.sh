#!/usr/bin/env bash
# Finds or installs Chromium for the API reference page's browser test (playwright-core drives it;
# Playwright's own browser download cannot work on a network that reaches package registries only)
# and prints its path on stdout (progress goes to stderr). Installs Debian's `chromium` package
# with apt-get, as root, once: a second run finds /usr/bin/chromium and does nothing.
# CHROMIUM_BIN overrides everything: a Chromium or Chrome binary to use as it is.
set -euo pipefail

BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
if [ -n "${CHROMIUM_BIN:-}" ]; then
  echo "install-chromium: CHROMIUM_BIN=$CHROMIUM_BIN is not an executable file" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: /usr/bin/chromium is missing; run 'apt-get install -y chromium' as root (or set CHROMIUM_BIN)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# The package lists are fetched only when they do not know the package yet (a fresh image).
candidate="$(apt-cache policy chromium 2>/dev/null | awk '/Candidate:/ { print $2 }')"
if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
  echo "install-chromium: apt-get update" >&2
  apt-get update -qq >&2
fi
echo "install-chromium: apt-get install chromium" >&2
apt-get install -y -qq chromium >&2

"$BIN" --version >&2
echo "$BIN"
