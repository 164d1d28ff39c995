#!/bin/sh
# rampart: runs the Rampart jar. This is the one launcher: the .deb and the tarball install it as
# bin/rampart, and ./rampart in a checkout runs it on the jar it builds. It picks the Java runtime,
# its options and the heap's bound, and keeps a cache of the classes a run loads. Nothing about the
# cache is ever fatal or printed: without one the command runs as well, only slower to start.
#
#   RAMPART_JAVA    a java binary to run (else: $JAVA_HOME, the newest JDK 25 or later under
#                   /usr/lib/jvm, java on the PATH, any runtime 17 or later under /usr/lib/jvm)
#   RAMPART_CACHE   the directory of the class cache (else /var/cache/rampart when it exists,
#                   then $XDG_CACHE_HOME/rampart or ~/.cache/rampart)
#   RAMPART_HEAP, RAMPART_AGENT_HEAP   the heap's bound (see heap_bound)
set -e
jar="${RAMPART_JAR:-@JAR@}"

# ---- The Java runtime

# Sets feature to the feature version (17, 25, ...) of the runtime in directory $1: from its release
# file, read by the shell, or for a runtime without one from what `java -version' prints.
read_feature() {
  feature=""
  if [ -f "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in
        JAVA_VERSION=\"*) feature="${line#JAVA_VERSION=\"}"; feature="${feature%%[!0-9]*}"; return 0 ;;
      esac
    done <"$1/release"
  elif [ -x "$1/bin/java" ]; then
    feature="$("$1/bin/java" -version 2>&1 | sed -n '1s/.* version "\([0-9]*\).*/\1/p')"
  fi
}

# Whether the directory $1 holds a runtime of version 17 or later; sets feature.
runs() {
  [ -x "$1/bin/java" ] && read_feature "$1" && [ -n "$feature" ] && [ "$feature" -ge 17 ]
}

# The directory of the runtime whose java is $1 (a path or a name on the PATH).
home_of() {
  binary="$(command -v "$1" 2>/dev/null || true)"
  [ -n "$binary" ] || return 1
  binary="$(readlink -f "$binary")"
  echo "${binary%/bin/java}"
}

# Sets java_home and java_feature. The newest JDK from 25 up comes before the PATH's java: its
# ahead-of-time cache starts a command in about half the time of JDK 17's CDS archive.
find_java() {
  if [ -n "${RAMPART_JAVA:-}" ]; then
    java_home="$(home_of "$RAMPART_JAVA")" && runs "$java_home" && java_feature="$feature" && return 0
    echo "rampart: RAMPART_JAVA=$RAMPART_JAVA is not a Java runtime 17 or later" >&2
    exit 4
  fi
  if [ -n "${JAVA_HOME:-}" ] && runs "${JAVA_HOME%/}"; then
    java_home="${JAVA_HOME%/}" java_feature="$feature"; return 0
  fi
  newest="" newest_feature=0 first=""
  for home in /usr/lib/jvm/*; do
    if runs "$home"; then
      [ -n "$first" ] || first="$home"
      if [ "$feature" -ge 25 ] && [ "$feature" -gt "$newest_feature" ]; then newest="$home" newest_feature="$feature"; fi
    fi
  done
  if [ -n "$newest" ]; then java_home="$newest" java_feature="$newest_feature"; return 0; fi
  if java_home="$(home_of java)" && runs "$java_home"; then java_feature="$feature"; return 0; fi
  if [ -n "$first" ] && runs "$first"; then java_home="$first" java_feature="$feature"; return 0; fi
  echo "rampart: needs a Java runtime 17 or later (apt install default-jre-headless, or set JAVA_HOME)" >&2
  exit 4
}

# ---- The heap's bound

# Sets heap to the -Xmx value for a command line of arguments "$@". The serial collector lets the
# old generation grow to the bound before collecting it, so the bound, not the live data, is what
# the process reaches (a 100,000-rule cold apply in 10,000 chains peaked at 570 MB unbounded and
# 362 MB with 300 MB; plans of 100,000 rules in one chain, cold, unchanged, one rule or thousands
# changed, fit in 256 MB). 30 times the size of the files named on the command line, at least
# 256 MB, and 512 MB for serve, which answers for whole kernels whatever files it started with;
# RAMPART_HEAP overrides it (`save' or `import' of a kernel with a million rules, or a small file
# including large ones); a run that outgrows it says so and exits 4.
heap_bound() {
  heap_mb=256
  [ "${1:-}" != serve ] || heap_mb=512
  for arg in "$@"; do
    if [ -f "$arg" ] && [ -r "$arg" ]; then
      mb=$(( $(wc -c <"$arg") * 30 / 1048576 ))
      [ "$mb" -le "$heap_mb" ] || heap_mb=$mb
    fi
  done
  heap="${RAMPART_HEAP:-${heap_mb}m}"
}

# ---- The class cache

# The classes a run loads, mapped by the JVM instead of read, parsed and verified on every start: on
# a JDK from 25 up an ahead-of-time cache (JEP 483: the classes also linked, their lambdas resolved),
# else a class data sharing archive. One per runtime, trained by CacheTraining: a `check' of a small
# file in the language, then a generated ruleset of a few thousand rules read, planned and applied to
# a kernel kept in memory (the apply path; nothing is run on the kernel), made again when the
# jar or the runtime is another than it was made for. Beside each, ARCHIVE.jar and ARCHIVE.java
# hold the paths it was made for and have their files' modification times, which the shell's -nt
# and -ot compare without starting a process (a package's files keep their build's times, older
# or newer than the archive). The JVM checks the jar too, and ignores an archive that does not fit.

# Whether $1 was made for this jar and this runtime.
current() {
  [ -f "$1" ] && [ -r "$1" ] && [ -r "$1.jar" ] && [ -r "$1.java" ] || return 1
  IFS= read -r made_jar <"$1.jar" && IFS= read -r made_java <"$1.java" || return 1
  [ "$made_jar" = "$jar" ] && [ "$made_java" = "$java" ] \
    && ! [ "$jar" -nt "$1.jar" ] && ! [ "$jar" -ot "$1.jar" ] \
    && ! [ "$java" -nt "$1.java" ] && ! [ "$java" -ot "$1.java" ]
}

# Makes the archive $1 from a training run; never fatal. Written to temporary names and moved into
# place, so concurrent runs each see a whole archive or none.
make_archive() {
  made="$1.$$.tmp"
  rules="$1.$$.rules"
  cat >"$rules" 2>/dev/null <<'RULES' || { rm -f "$rules"; return 0; }
define ADMINS = { 10.1.2.0/24, 192.0.2.4 }
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:WEB - [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i lo -j ACCEPT   # loopback
-A INPUT -s $ADMINS -p tcp -m tcp --dport {22,443} -m conntrack --ctstate NEW -m comment --comment "admins" -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443 -j WEB
-A INPUT -d 10.0.0.0/8 -p udp -m udp --dport 53 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 10/sec -j ACCEPT
-A INPUT -i eth1 -p tcp -m tcp --sport 1024:65535 --dport 8080 -m state --state NEW -j ACCEPT
-A INPUT -m mark --mark 0x1/0xff -j NFLOG --nflog-group 2
-A INPUT -m limit --limit 5/min -j LOG --log-prefix "drop: "
-A INPUT -j REJECT --reject-with icmp-port-unreachable
-A WEB ! -s 10.0.0.0/8 -p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset
-A WEB -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
RULES
  if [ "$java_feature" -ge 25 ]; then record="-XX:AOTCacheOutput=$made"; else record="-XX:ArchiveClassesAtExit=$made"; fi
  if "$java" $short_run -Xmx512m "$record" -cp "$jar" io.rampart.cli.CacheTraining "$rules" >/dev/null 2>&1 \
      && [ -f "$made" ] \
      && echo "$jar" >"$made.jar" && touch -r "$jar" "$made.jar" \
      && echo "$java" >"$made.java" && touch -r "$java" "$made.java"; then
    # Readable by every user: root's cache in /var/cache/rampart serves them all.
    chmod a+r "$made" "$made.jar" "$made.java" 2>/dev/null || true
    mv -f "$made" "$1" && mv -f "$made.jar" "$1.jar" && mv -f "$made.java" "$1.java" || true
  fi
  rm -f "$rules" "$made" "$made.jar" "$made.java" "$made.config"
}

# Sets archive to the cache to run with, made first when none is current and a directory takes it,
# or to nothing. Read-only directories (another user's, ProtectSystem=) are read, not written.
find_archive() {
  if [ "$java_feature" -ge 25 ]; then kind=aot; else kind=jsa; fi
  name="rampart-${java_home##*/}.$kind"
  archive=""
  if [ -n "${RAMPART_CACHE:-}" ]; then
    use_dir "$RAMPART_CACHE" || write_dir "$RAMPART_CACHE" || true
    return 0
  fi
  user_cache="${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}"
  use_dir /var/cache/rampart || { [ -n "$user_cache" ] && use_dir "$user_cache/rampart"; } \
    || write_dir /var/cache/rampart || { [ -n "$user_cache" ] && write_dir "$user_cache/rampart"; } || true
}

# Sets archive to the one in directory $1 when it is current.
use_dir() {
  current "$1/$name" && archive="$1/$name"
}

# Makes the archive in directory $1 (created, but for /var/cache/rampart, which the package makes)
# and sets archive to it; fails when $1 is not writable.
write_dir() {
  [ "$1" = /var/cache/rampart ] || [ -d "$1" ] || mkdir -p "$1" 2>/dev/null || return 1
  [ -d "$1" ] && [ -w "$1" ] || return 1
  make_archive "$1/$name"
  use_dir "$1" || true
}

# ---- The command

find_java
java="$java_home/bin/java"
set -f   # the options below hold `*', which no file name is to replace
# A short command line runs for well under a second to a few seconds: the C1 compiler alone
# compiles fast enough to pay off within it, and C2 would mostly compete with the work for the CPU.
# The serial collector: one thread does the work, and G1 grows the heap (and the process) to about
# twice as much for 100,000 rules without being faster. What survives a young collection is the
# ruleset being read, which lives to the end: it goes to the old generation at once instead of being
# copied between the survivor spaces first (about a fifth less collector time for 100,000 rules, see
# bench/README.md). The cache's messages are off: one that does not fit is simply not used. No
# hsperfdata file is mapped and removed for a run this short (jps does not list it; jcmd PID still
# attaches).
quiet='-Xlog:cds*=off'
[ "$java_feature" -lt 25 ] || quiet="$quiet -Xlog:aot*=off"
short_run="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:MaxTenuringThreshold=0 -XX:-UsePerfData $quiet"
find_archive
if [ "$java_feature" -ge 25 ]; then archive_option=-XX:AOTCache; else archive_option=-XX:SharedArchiveFile; fi
heap_bound "$@"
# The agent runs for days: there C2 pays off, and its heap has the same bound as a command on its
# file (sized in bench/README.md: 100,000 rules, 9.6 MB, ran in 288 MB and a resident set under
# 400 MB), so the process stays small however many changes it sees. RAMPART_AGENT_HEAP overrides it.
if [ "${1:-}" = agent ]; then
  exec "$java" -XX:+UseSerialGC "-Xmx${RAMPART_AGENT_HEAP:-$heap}" $quiet ${archive:+"$archive_option=$archive"} -jar "$jar" "$@"
fi
exec "$java" $short_run "-Xmx$heap" ${archive:+"$archive_option=$archive"} -jar "$jar" "$@"
