#!/usr/bin/env bash
# The Kubernetes checks of ./gauntlet test: every overlay builds with `kubectl kustomize`, every object validates
# against the Kubernetes API schema offline (npm kubernetes-models, installed here into node_modules from
# package-lock.json), k8s/prometheus/prometheus.yaml is what values.yaml renders to, and every image, port, probe path
# and config key a manifest names exists in the service it deploys. A missing kubectl or node is a skip with a
# message, not a failure. Prints "k8s: N passed, N failed, N skipped"; exits non-zero when a check failed.
set -uo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/../.." && pwd)"
OVERLAYS=(master slave dev knative)
PASSED=0 FAILED=0 SKIPPED=0
pass() { PASSED=$((PASSED + 1)); echo "k8s: PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "k8s: FAIL $1"; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "k8s: SKIP $1"; }
finish() { echo "k8s: $PASSED passed, $FAILED failed, $SKIPPED skipped"; [ "$FAILED" = 0 ]; exit $?; }

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  command -v node >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1
fi
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

if ! command -v kubectl >/dev/null; then
  skip "kubectl kustomize: kubectl is not installed (https://kubernetes.io/docs/tasks/tools/)"
  finish
fi
built=()
for overlay in "${OVERLAYS[@]}"; do
  if kubectl kustomize "$ROOT/kustomize/overlays/$overlay" >"$OUT/$overlay.yaml" 2>"$OUT/$overlay.err"; then
    pass "kubectl kustomize kustomize/overlays/$overlay ($(grep -c '^kind:' "$OUT/$overlay.yaml") objects)"
    built+=("$overlay=$OUT/$overlay.yaml")
  else
    fail "kubectl kustomize kustomize/overlays/$overlay: $(cat "$OUT/$overlay.err")"
  fi
done

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skip "schema validation and cross-check: node/npm are not installed (apt-get install nodejs npm)"
  finish
fi
if [ ! -d "$DIR/node_modules/kubernetes-models" ] || [ "$DIR/package-lock.json" -nt "$DIR/node_modules/.package-lock.json" ]; then
  if ! (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error >"$OUT/npm.log" 2>&1); then
    fail "npm ci in tools/k8s-validate: $(tail -n 5 "$OUT/npm.log")"
    finish
  fi
fi

if node "$DIR/render-prometheus.mjs" --check; then pass "k8s/prometheus/prometheus.yaml is what values.yaml renders to"; else
  fail "k8s/prometheus/prometheus.yaml is out of date"; fi
if [ ${#built[@]} -gt 0 ]; then
  if node "$DIR/validate.mjs" "${built[@]}"; then pass "every object matches the Kubernetes API schema"; else fail "schema validation (above)"; fi
  if node "$DIR/crosscheck.mjs" "${built[@]}"; then pass "images, ports, probes and config keys match the services"; else fail "cross-check (above)"; fi
  if node "$DIR/kafka-security.mjs" "${built[@]}"; then pass "Kafka listeners, users and client TLS/SASL settings agree"; else fail "Kafka security (above)"; fi
  if node "$DIR/grpc-tls.mjs" "${built[@]}"; then pass "gRPC TLS settings, Secrets, load balancers and Certificates agree"; else fail "gRPC TLS (above)"; fi
  if node "$DIR/http-tls.mjs" "${built[@]}"; then pass "HTTP web config, probes, Certificates and ServiceMonitors agree"; else fail "HTTP TLS (above)"; fi
  if node "$DIR/aws-iam.mjs" "${built[@]}"; then pass "every S3 client's ServiceAccount has its own IAM role (IRSA)"; else fail "IAM roles (above)"; fi
fi
finish
