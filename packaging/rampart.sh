#!/bin/sh
# rampart: runs the jar with the first Java runtime found that is version 17 or later:
# $JAVA_HOME, then java on the PATH, then those under /usr/lib/jvm.
set -e
jar="${RAMPART_JAR:-@JAR@}"

# The feature version (17, 21, ...) of the runtime in directory $1: from its release file, or,
# for a runtime without one, from what `java -version' prints (a JVM start, so only then).
feature() {
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -version 2>&1 | sed -n '1s/.* version "\([0-9]*\).*/\1/p'
  fi
}

runs() {
  [ -x "$1/bin/java" ] && v="$(feature "$1")" && [ -n "$v" ] && [ "$v" -ge 17 ]
}

find_java() {
  if [ -n "${JAVA_HOME:-}" ] && runs "$JAVA_HOME"; then
    echo "$JAVA_HOME/bin/java"; return 0
  fi
  on_path="$(command -v java 2>/dev/null || true)"
  if [ -n "$on_path" ]; then
    home="$(dirname "$(dirname "$(readlink -f "$on_path")")")"
    if runs "$home"; then echo "$home/bin/java"; return 0; fi
  fi
  for home in /usr/lib/jvm/*; do
    if runs "$home"; then echo "$home/bin/java"; return 0; fi
  done
  return 1
}

if ! java="$(find_java)"; then
  echo "rampart: needs a Java runtime 17 or later (apt install default-jre-headless, or set JAVA_HOME)" >&2
  exit 4
fi
# Short runs: the C1 compiler alone pays off within them. The agent runs for days: C2 pays off, and
# its heap has a bound so the process stays small (RAMPART_AGENT_HEAP overrides it).
if [ "${1:-}" = agent ]; then
  exec "$java" -XX:+UseSerialGC "-Xmx${RAMPART_AGENT_HEAP:-512m}" -Xshare:auto -jar "$jar" "$@"
fi
# The serial collector with a bound on the heap, which it grows to before collecting: 100 times the
# size of the files named on the command line, at least 512 MB (RAMPART_HEAP overrides it; a run
# that outgrows it says so and exits 4).
heap_mb=512
for arg in "$@"; do
  if [ -f "$arg" ] && [ -r "$arg" ]; then
    mb=$(( $(wc -c <"$arg") * 100 / 1048576 ))
    [ "$mb" -le "$heap_mb" ] || heap_mb=$mb
  fi
done
exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "-Xmx${RAMPART_HEAP:-${heap_mb}m}" -Xshare:auto -jar "$jar" "$@"
