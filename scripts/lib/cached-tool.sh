# The shape every scripts/install-*.sh shares, sourced by them: a pinned tool found through an
# override, else in the per-user cache, else installed there once, under a lock so parallel callers
# (CI steps, jest projects) never build it twice, and checked again after the install.
#
# The sourcing script defines two functions first:
#   tool_ok <path>   succeeds when <path> is the pinned tool;
#   install_tool     installs it into the cache (progress to stderr; fails with a message naming
#                    what is missing, e.g. Go or Python).
# Then: cached_tool <label> <cache dir> <cached path> [<override path>] prints the tool's path.

cached_tool() {
  local label="$1" cache_dir="$2" cached="$3" override="${4:-}"
  if [ -n "$override" ]; then
    if tool_ok "$override"; then
      echo "$override"
      return 0
    fi
    echo "$label: $override is not the pinned version; using the cached one" >&2
  fi
  if tool_ok "$cached"; then
    echo "$cached"
    return 0
  fi
  mkdir -p "$cache_dir"
  exec 9>"$cache_dir/.lock"
  if command -v flock >/dev/null 2>&1; then
    flock 9
  fi
  # Another caller may have installed it while this one waited for the lock.
  if ! tool_ok "$cached"; then
    install_tool
    if ! tool_ok "$cached"; then
      echo "$label: the install finished but $cached is not the pinned version" >&2
      return 1
    fi
  fi
  echo "$cached"
}

# The Python that makes the virtual environments of the Python tools.
python_for() {
  local label="$1" python
  python="$(command -v python3 || command -v python || true)"
  if [ -z "$python" ]; then
    echo "$label: Python 3 is needed (or set the override variable to an installed one)" >&2
    return 1
  fi
  echo "$python"
}

# A pip package at its pinned version into <cache dir>/venv.
install_venv() {
  local label="$1" cache_dir="$2" requirement="$3" python
  python="$(python_for "$label")"
  echo "$label: installing $requirement into $cache_dir/venv (first time only)" >&2
  rm -rf "$cache_dir/venv"
  "$python" -m venv "$cache_dir/venv" >&2
  "$cache_dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$requirement" >&2
}

# A Go command at its pinned version into <cache dir>.
install_go_binary() {
  local label="$1" cache_dir="$2" module="$3"
  if ! command -v go >/dev/null 2>&1; then
    echo "$label: Go is needed to build $module (or set the override variable to an installed one)" >&2
    return 1
  fi
  echo "$label: building $module into $cache_dir (first time only, may take a few minutes)" >&2
  GOBIN="$cache_dir" GOFLAGS="${GOFLAGS:-} -buildvcs=false" CGO_ENABLED=0 go install "$module" >&2
}
