#!/usr/bin/env bash
# Skaffold's custom builder for one Gauntlet image (skaffold sets IMAGE, e.g. registry/gauntlet/gauntlet-querier:tag,
# and PUSH_IMAGE). The service is the module whose artifactId is the image's last path segment.
# With a Quarkus container-image extension in the service (io.quarkus:quarkus-container-image-jib: no Docker daemon
# needed) the image comes from `mvn package -Dquarkus.container-image.build=true`; without one, from
# k8s/Dockerfile.jvm over the packaged fast-jar with docker or podman.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${IMAGE:?IMAGE is not set (run through skaffold, or IMAGE=repo/gauntlet-querier:tag $0)}"
artifact="${IMAGE##*/}"; artifact="${artifact%%[:@]*}"
module=""
for pom in services/*/pom.xml; do
  if sed '/<parent>/,/<\/parent>/d' "$pom" | grep -q "<artifactId>$artifact</artifactId>"; then module="$(dirname "$pom")"; break; fi
done
[ -n "$module" ] || { echo "build-image: no services/* module has artifactId $artifact" >&2; exit 1; }
export JAVA_HOME="${GAUNTLET_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}" PATH="${GAUNTLET_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
if grep -q '<artifactId>quarkus-container-image-' "$module/pom.xml"; then
  mvn -B -ntp -q package -DskipTests -pl "$module" -am \
    -Dquarkus.container-image.build=true "-Dquarkus.container-image.push=${PUSH_IMAGE:-false}" \
    "-Dquarkus.container-image.image=$IMAGE"
  exit 0
fi
echo "build-image: $module has no quarkus-container-image extension; building $IMAGE from k8s/Dockerfile.jvm" >&2
mvn -B -ntp -q package -DskipTests -pl "$module" -am
engine="$(command -v docker || command -v podman || true)"
[ -n "$engine" ] || { echo "build-image: neither docker nor podman is installed, and $module has no quarkus-container-image-jib" >&2; exit 1; }
"$engine" build -f k8s/Dockerfile.jvm -t "$IMAGE" "$module/target/quarkus-app"
if [ "${PUSH_IMAGE:-false}" = true ]; then "$engine" push "$IMAGE"; fi
