#!/usr/bin/env bash
# Finds or builds the single-node OpenSearch the read model tests run against and prints its
# directory on stdout (progress goes to stderr): <dir>/lib holds the jars, <dir>/classes the
# compiled test/engines/opensearch/src/NexusTestNode.java; start it with
#   java -Xmx512m -cp '<dir>/lib/*:<dir>/classes' NexusTestNode <home dir> [<data dir>] [<http port>]
#
# The jars come from Maven Central (test/engines/opensearch/pom.xml, `mvn dependency:copy-dependencies`,
# about 50 MB, kept in ~/.m2 too), so no Docker and no OpenSearch distribution are needed: only
# Java 17 and Maven. The build lives in the per-user cache and is redone only when the pom or the
# main class change. OPENSEARCH_NODE_DIR overrides everything: a directory built by this script.
set -euo pipefail

OPENSEARCH_VERSION="2.19.6"
REPOSITORY="$(cd "$(dirname "$0")/.." && pwd)"
SOURCE_DIR="$REPOSITORY/test/engines/opensearch"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/nexus/opensearch-${OPENSEARCH_VERSION}"

# What the build was made from: a changed pom or main class makes a new build.
STAMP="$(cat "$SOURCE_DIR/pom.xml" "$SOURCE_DIR/src/NexusTestNode.java" | sha256sum | cut -d' ' -f1)"

is_built() {
  local dir="$1"
  [ -f "$dir/classes/NexusTestNode.class" ] && [ -f "$dir/lib/opensearch-${OPENSEARCH_VERSION}.jar" ] &&
    [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$STAMP" ]
}

if [ -n "${OPENSEARCH_NODE_DIR:-}" ]; then
  if is_built "$OPENSEARCH_NODE_DIR"; then
    echo "$OPENSEARCH_NODE_DIR"
    exit 0
  fi
  echo "install-opensearch: OPENSEARCH_NODE_DIR=$OPENSEARCH_NODE_DIR is not a current build; using the cache" >&2
fi

if is_built "$CACHE_DIR"; then
  echo "$CACHE_DIR"
  exit 0
fi

for tool in java javac mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-opensearch: $tool is needed (Java 17 JDK and Maven) to build the OpenSearch test node" >&2
    exit 1
  fi
done

mkdir -p "$CACHE_DIR"
# Parallel callers (jest projects, CI steps) must not build into the same directory at once.
exec 9>"$CACHE_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi
if is_built "$CACHE_DIR"; then
  echo "$CACHE_DIR"
  exit 0
fi

echo "install-opensearch: building OpenSearch ${OPENSEARCH_VERSION} from Maven Central into $CACHE_DIR (first time only, about 15 s with a warm ~/.m2)" >&2
BUILD="$(mktemp -d "$CACHE_DIR/build.XXXXXX")"
trap 'rm -rf "$BUILD"' EXIT
# Maven -q still writes colour codes to stdout, which is reserved for the answer.
mvn -q -B -Dstyle.color=never -f "$SOURCE_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$BUILD/lib" >&2
javac -d "$BUILD/classes" -cp "$BUILD/lib/*" "$SOURCE_DIR/src/NexusTestNode.java" >&2
echo "$STAMP" >"$BUILD/.stamp"

rm -rf "$CACHE_DIR/lib" "$CACHE_DIR/classes" "$CACHE_DIR/.stamp"
mv "$BUILD/lib" "$BUILD/classes" "$CACHE_DIR/"
# The stamp last: an interrupted move leaves no build that looks finished.
mv "$BUILD/.stamp" "$CACHE_DIR/.stamp"

if ! is_built "$CACHE_DIR"; then
  echo "install-opensearch: the build finished but $CACHE_DIR is incomplete" >&2
  exit 1
fi
echo "$CACHE_DIR"
