#!/usr/bin/env bash
# Skaffold's custom builder for one Gauntlet image (skaffold sets IMAGE, e.g. registry/gauntlet/gauntlet-querier:tag,
# and PUSH_IMAGE). The service is the module whose artifactId is the image's last path segment. The image comes from
# Quarkus' Jib build (io.quarkus:quarkus-container-image-jib in every service; no Docker daemon needed): the fast-jar
# with its AOT cache on the base image quarkus.jib.base-jvm-image (GAUNTLET_BASE_IMAGE overrides it), or with
# --native a native executable made by the pinned Mandrel builder image (the native Maven profile; needs docker or
# podman on the build machine).
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
args=(-Dquarkus.container-image.build=true "-Dquarkus.container-image.push=${PUSH_IMAGE:-false}" "-Dquarkus.container-image.image=$IMAGE")
[ -n "${GAUNTLET_BASE_IMAGE:-}" ] && args+=("-Dquarkus.jib.base-jvm-image=$GAUNTLET_BASE_IMAGE")
# a plain-HTTP registry (a local one, or one without TLS): GAUNTLET_REGISTRY_INSECURE=true
[ "${GAUNTLET_REGISTRY_INSECURE:-false}" = true ] && args+=(-Dquarkus.container-image.insecure=true)
[ "${1:-}" = --native ] && args+=(-Pnative)
mvn -B -ntp -q package -DskipTests -pl "$module" -am "${args[@]}"
