#!/usr/bin/env bash
# Service images without Docker, run by ./gauntlet test after Maven (uses the modules Maven just installed):
# starts Debian's docker-registry on a free loopback port, jlinks a Java 25 runtime and pushes it as the base image
# (tests/images/oci.py), builds each service's image into the registry with Quarkus' Jib build on that runtime (so the
# AOT cache inside is made by the image's own JVM), pulls manifest and config back with the registry API and checks
# entrypoint, user, ports and labels against k8s/. As root it also unpacks the querier's image and runs its entrypoint
# (chroot, the image's user) until /-/ready with -XX:AOTMode=on, which stops the JVM if the cache is not usable.
# One service by default (querier); GAUNTLET_IMAGES=all builds every service twice and checks that the rebuild differs
# only in the AOT cache, quarkus-run.jar and generated-bytecode layers (why: below). It is long (about 20 min per image
# build at load 50 on 2 cores, two builds per service), so CI runs the default. Prints "images: N passed, N failed, N skipped"; exits non-zero only when a part failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PASSED=0 FAILED=0 SKIPPED=0
say() { echo "images: $*"; }
pass() { PASSED=$((PASSED + 1)); say "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); say "FAIL $1: $2"; }
skip() { SKIPPED=$((SKIPPED + 1)); say "SKIP $1: $2"; }
finish() { echo "images: $PASSED passed, $FAILED failed, $SKIPPED skipped"; [ "$FAILED" = 0 ]; }

# shellcheck source=scripts/deps.sh
source "$ROOT/scripts/deps.sh"
command -v docker-registry >/dev/null || { skip all "docker-registry is missing (apt-get install docker-registry)"; finish; exit; }
JDK="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$JDK/bin/jlink" ] || { fail all "no jlink in $JDK (a Java 25 JDK is needed)"; finish; exit; }

# module → image name (the services' default quarkus.container-image.name is their artifactId, the shipper's is set)
image_of() { sed '/<parent>/,/<\/parent>/d' "$ROOT/services/$1/pom.xml" | sed -n 's:.*<artifactId>\(gauntlet-[a-z-]*\)</artifactId>.*:\1:p' | head -1; }
if [ "${GAUNTLET_IMAGES:-}" = all ]; then
  SERVICES=(querier compactor store-gateway sidecar shipper ruler query-frontend)
else
  SERVICES=(querier)
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gauntlet-images-XXXXXX")"
REGISTRY_PID=""
cleanup() {
  [ -n "$REGISTRY_PID" ] && { kill "$REGISTRY_PID" 2>/dev/null; wait "$REGISTRY_PID" 2>/dev/null; }
  # the image builds re-packaged the services (the base runtime's AOT cache, and a generated-bytecode.jar whose recorder
  # proxies Quarkus numbers anew): put the build's whole application back. Restoring only the cache would pair it with
  # other bytecode of the same size and (fixed) timestamp, which the JVM accepts and then fails on at start-up.
  local m
  for m in "${SERVICES[@]}"; do
    if [ -d "$WORK/app/$m" ]; then
      rm -rf "$ROOT/services/$m/target/quarkus-app" && mv "$WORK/app/$m" "$ROOT/services/$m/target/quarkus-app"
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. the registry, loopback only, storage in the work directory
port="$(deps_free_port)"
REGISTRY="127.0.0.1:$port"
cat >"$WORK/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
for _ in $(seq 300); do curl -fsS -o /dev/null "http://$REGISTRY/v2/" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://$REGISTRY/v2/" || { cat "$WORK/registry.log"; fail registry "did not answer on $REGISTRY"; finish; exit; }
pass "registry on $REGISTRY"

# 2. the base: a jlinked Java 25 runtime with what the services use and what Maven needs to package them (javac),
# so that the packaging's AOT training run and the image run the same runtime image
started=$(date +%s)
"$JDK/bin/jlink" --add-modules java.se,jdk.compiler,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.httpserver \
  --strip-debug --no-man-pages --no-header-files --output "$WORK/jre" >"$WORK/jlink.log" 2>&1 \
  || { cat "$WORK/jlink.log"; fail base "jlink failed"; finish; exit; }
python3 "$ROOT/tests/images/oci.py" push-base "$REGISTRY" gauntlet/java-base:25 "$WORK/jre" \
  && pass "base image gauntlet/java-base:25 pushed ($(($(date +%s) - started)) s)" \
  || { fail base "could not push the base image"; finish; exit; }

# 3. every service image, Jib straight into the registry, Maven on the base's runtime
build_image() { # module tag → 0 when built and pushed
  JAVA_HOME="$WORK/jre" PATH="$WORK/jre/bin:$PATH" mvn -B -ntp -q package -DskipTests -pl "services/$1" \
    -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true -Dquarkus.container-image.insecure=true \
    "-Dquarkus.container-image.image=$REGISTRY/gauntlet/$(image_of "$1"):$2" \
    "-Dquarkus.jib.base-jvm-image=$REGISTRY/gauntlet/java-base:25" >"$WORK/build-$1-$2.log" 2>&1
}
mkdir -p "$WORK/app"
for m in "${SERVICES[@]}"; do
  image="gauntlet/$(image_of "$m")"
  [ -d "$ROOT/services/$m/target/quarkus-app" ] && cp -a "$ROOT/services/$m/target/quarkus-app" "$WORK/app/$m"
  started=$(date +%s)
  if ! build_image "$m" test; then
    tail -n 30 "$WORK/build-$m-test.log"; fail "$m image" "the Jib build failed"; continue
  fi
  built=$(($(date +%s) - started))
  if out="$(python3 "$ROOT/tests/images/oci.py" check "$REGISTRY" "$image:test" "$ROOT/k8s" "$ROOT/services/$m/target/quarkus-app")"; then
    pass "$m image $image ($built s): ${out}"
  else
    fail "$m image" "manifest or config does not match k8s/ (above)"; continue
  fi
  if [ "${GAUNTLET_IMAGES:-}" = all ]; then
    # a rebuild from the same inputs: every layer the same but three. The AOT cache is what a training run of the
    # start-up loaded, linked and profiled, which thread timing changes. quarkus-run.jar has the same bytes
    # (project.build.outputTimestamp), but Quarkus' Jib step stores its real modification time whenever an AOT cache
    # is present. generated-bytecode.jar (layer fast-jar-quarkus) numbers the recorders' proxy keys in the order
    # Quarkus' parallel build steps happen to run.
    if build_image "$m" again; then
      python3 "$ROOT/tests/images/oci.py" layers "$REGISTRY" "$image:test" >"$WORK/layers-1"
      python3 "$ROOT/tests/images/oci.py" layers "$REGISTRY" "$image:again" >"$WORK/layers-2"
      differing="$(diff "$WORK/layers-1" "$WORK/layers-2" | sed -n 's/^> sha256:[0-9a-f]* *//p' | sed 's/^$/(aot cache)/' | tr '\n' ' ')"
      same=$(comm -12 <(sort "$WORK/layers-1") <(sort "$WORK/layers-2") | wc -l)
      if [ -z "$(echo "$differing" | tr ' ' '\n' | grep -v -x -e '' -e 'app-cds' -e '(aot' -e 'cache)' -e 'fast-jar-quarkus')" ]; then
        pass "$m image rebuilt: $same of $(wc -l <"$WORK/layers-1") layers identical, differing: ${differing:-none}"
      else
        fail "$m image reproducible" "layers differ: $differing"
      fi
    else
      fail "$m image reproducible" "the second build failed"
    fi
  fi
done

# 4. the querier's image runs: its entrypoint in its own filesystem as its own user, AOT cache required
if [ "$(id -u)" != 0 ]; then
  skip "querier image runs" "needs root (chroot)"
elif [[ " ${SERVICES[*]} " == *" querier "* ]]; then
  mkdir -p "$WORK/run/rootfs"
  if out="$(python3 "$ROOT/tests/images/oci.py" run "$REGISTRY" gauntlet/gauntlet-querier:test "$WORK/run/rootfs" "$(deps_free_port)" "$(deps_free_port)")"; then
    pass "querier image runs: $out"
  else
    fail "querier image runs" "see above"
  fi
fi
finish
