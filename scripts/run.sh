# shellcheck shell=bash
# ./gauntlet run <service> [-Dkey=value …]: one Gauntlet service in the foreground, started as its image starts it
# (quarkus.jib.jvm-additional-arguments in services/common) — the JVM options below and the JDK AOT cache (JEP 483/514/515) that the Maven build writes
# next to the service's jar (target/quarkus-app/app.aot), when it is there. ./gauntlet up starts each service the same
# way plus a small fixed heap and C1 only (GAUNTLET_UP_JVM_OPTS), as a whole stack shares one machine there.
# Sourced by ./gauntlet (die, log, select_java, ROOT).

# Serial GC: small heaps and one or two cores per pod; the AOT cache holds the classes of a start-up made during the
# build, loaded and linked. Keep in step with quarkus.jib.jvm-additional-arguments (services/common microprofile-config).
RUN_JVM_OPTS=(-XX:MaxRAMPercentage=75 -XX:+UseSerialGC --sun-misc-unsafe-memory-access=allow)

run_app_dir() { echo "$ROOT/services/$1/target/quarkus-app"; }

# RUN_CMD: java and the JVM options for service $1; the caller appends its -D options and -jar "$(run_app_dir $1)/quarkus-run.jar".
# GAUNTLET_AOT=0 leaves the AOT cache out (to compare).
run_java_cmd() {
  local cache
  cache="$(run_app_dir "$1")/app.aot"
  RUN_CMD=("$JAVA_HOME/bin/java" "${RUN_JVM_OPTS[@]}")
  if [ "${GAUNTLET_AOT:-1}" != 0 ] && [ -f "$cache" ]; then RUN_CMD+=("-XX:AOTCache=$cache"); fi
}

# The services: modules whose application.properties give them an HTTP port (not services/common, not the tools CLI).
run_services() {
  local p
  for p in "$ROOT"/services/*/src/main/resources/application.properties; do
    grep -q '^quarkus.http.port=' "$p" && { p="${p%/src/main/resources/application.properties}"; echo "${p##*/}"; }
  done
  return 0
}

cmd_run() {
  local services=()
  mapfile -t services < <(run_services)
  if [ $# -eq 0 ] || [ "$1" = --help ] || [ "$1" = -h ]; then
    echo "usage: ./gauntlet run <service> [-Dkey=value …]   services: ${services[*]}" >&2
    echo "  runs services/<service>/target/quarkus-app/quarkus-run.jar in the foreground with the AOT cache; e.g." >&2
    echo "  ./gauntlet run querier -Dgauntlet.querier.endpoints=127.0.0.1:10901 -Dquarkus.http.port=10904" >&2
    [ $# -eq 0 ] && exit 2 || exit 0
  fi
  local module="$1"
  shift
  [[ " ${services[*]} " == *" $module "* ]] || die "no service '$module' (one of: ${services[*]})"
  local arg
  for arg in "$@"; do
    case "$arg" in -D?*=*|-D?*) ;; *) die "after the service only -Dkey=value options are taken, got '$arg'" ;; esac
  done
  select_java
  local jar
  jar="$(run_app_dir "$module")/quarkus-run.jar"
  [ -f "$jar" ] || die "$jar is not built: ./gauntlet build (or mvn install -DskipTests -pl services/$module -am)"
  run_java_cmd "$module"
  exec "${RUN_CMD[@]}" "$@" -jar "$jar"
}
