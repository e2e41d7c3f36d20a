# shellcheck shell=bash
# ./gauntlet bench startup [rounds] [service …]: start-up of every service as ./gauntlet run starts it, without and
# with the AOT cache, alternating: time from process start to the first 200 of /-/ready, and the resident set (RSS)
# 2 s after that, idle. Each service gets a minimal set-up on loopback (a FILESYSTEM bucket, no Kafka; a real
# Prometheus for the sidecar and the shipper). Prints one line per run and the medians; the machine's load goes with
# every figure, since other work on the machine moves them. Sourced by ./gauntlet (after scripts/run.sh and deps.sh).

bench_ready_wait_ms=180000 # a loaded machine takes long

# The -D options of a minimal set-up of service $1 in directory $2 (HTTP port $3, gRPC port $4, Prometheus URL $5).
bench_service_args() {
  local module="$1" dir="$2" http="$3" grpc="$4" prometheus="$5"
  local bucket="type: FILESYSTEM
config:
  directory: $dir/bucket"
  BENCH_ARGS=(-Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$http" -Dquarkus.banner.enabled=false
    "-Dgauntlet.grpc.address=127.0.0.1:$grpc")
  case "$module" in
    compactor) BENCH_ARGS+=("-Dgauntlet.compactor.objstore-config=$bucket" "-Dgauntlet.compactor.data-dir=$dir/data" -Dgauntlet.grpc.enabled=false) ;;
    store-gateway) BENCH_ARGS+=("-Dgauntlet.store-gateway.objstore-config=$bucket" "-Dgauntlet.store-gateway.data-dir=$dir/data") ;;
    querier) ;; # no endpoints: ready at once, answers empty
    ruler)
      mkdir -p "$dir/rules"
      printf 'groups:\n  - name: bench\n    rules:\n      - record: bench:up\n        expr: vector(1)\n' >"$dir/rules/bench.yml"
      BENCH_ARGS+=("-Dgauntlet.ruler.rule-files=$dir/rules/*.yml" -Dgauntlet.ruler.labels=rule_replica=bench
        "-Dgauntlet.ruler.query-endpoints=http://127.0.0.1:$http" "-Dgauntlet.ruler.data-dir=$dir/data") ;;
    sidecar) BENCH_ARGS+=("-Dgauntlet.sidecar.prometheus-url=$prometheus") ;;
    shipper) # it refuses to start without its TSDB directory (an empty one: nothing to ship)
      mkdir -p "$dir/prometheus"
      BENCH_ARGS+=("-Dgauntlet.shipper.tsdb-path=$dir/prometheus" "-Dgauntlet.shipper.prometheus-url=$prometheus"
      "-Dgauntlet.shipper.objstore-config=$bucket" "-Dgauntlet.shipper.outbox-dir=$dir/data/outbox") ;;
    *) ;; # a service added later: its defaults
  esac
}

# One start of service $1 with AOT on ($2=1) or off; prints "<ready ms> <rss MB>" or "- -" when it was not ready.
bench_start_once() {
  local module="$1" aot="$2" prometheus="$3" dir http grpc
  dir="$(mktemp -d "${TMPDIR:-/tmp}/gauntlet-startup-bench-XXXXXX")"
  mkdir -p "$dir/bucket" "$dir/data"
  http="$(deps_free_port)"; grpc="$(deps_free_port)"
  bench_service_args "$module" "$dir" "$http" "$grpc" "$prometheus"
  GAUNTLET_AOT="$aot" run_java_cmd "$module"
  local started now pid ready="-" rss="-"
  started="$(date +%s%N)"
  "${RUN_CMD[@]}" "${BENCH_ARGS[@]}" -jar "$(run_app_dir "$module")/quarkus-run.jar" >"$dir/log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$http/-/ready" 2>/dev/null; then
      now="$(date +%s%N)"; ready=$(((now - started) / 1000000)); break
    fi
    now="$(date +%s%N)"
    [ $(((now - started) / 1000000)) -gt "$bench_ready_wait_ms" ] && break
    sleep 0.01
  done
  if [ "$ready" != "-" ]; then
    sleep 2 # idle
    rss=$(($(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status") / 1024))
  else
    # the first errors name the cause; a stack trace's tail does not
    log "startup bench: $module (AOT $aot) was not ready; its errors (or log tail):"
    { grep -m 3 ' ERROR ' "$dir/log" || tail -n 5 "$dir/log"; } | sed 's/^/    /' >&2
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -rf "$dir"
  echo "$ready $rss"
}

bench_median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print a[int((NR + 1) / 2)] }'; }

cmd_bench_startup() {
  local rounds=3
  if [[ "${1:-}" =~ ^[0-9]+$ ]]; then rounds="$1"; shift; fi
  local services=("$@") m
  if [ ${#services[@]} -eq 0 ]; then
    mapfile -t services < <(run_services)
  fi
  select_java
  for m in "${services[@]}"; do
    [ -f "$(run_app_dir "$m")/quarkus-run.jar" ] || die "services/$m is not built: ./gauntlet build"
  done
  # the sidecar and the shipper need a Prometheus to be ready
  local prom_dir prom_port prom_pid=""
  if [[ " ${services[*]} " == *" sidecar "* || " ${services[*]} " == *" shipper "* ]]; then
    ensure_prometheus
    prom_dir="$(mktemp -d "${TMPDIR:-/tmp}/gauntlet-startup-bench-prometheus-XXXXXX")"
    prom_port="$(deps_free_port)"
    printf 'global:\n  external_labels:\n    prometheus_replica: bench\n' >"$prom_dir/prometheus.yml"
    prometheus "--config.file=$prom_dir/prometheus.yml" "--storage.tsdb.path=$prom_dir/data" \
      "--web.listen-address=127.0.0.1:$prom_port" --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h \
      >"$prom_dir/log" 2>&1 &
    prom_pid=$!
    trap 'kill $prom_pid 2>/dev/null; rm -rf "$prom_dir"' EXIT
    local i
    for i in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$prom_port/-/ready" 2>/dev/null && break; sleep 0.1; done
  fi
  echo "startup bench: $rounds rounds per service, without and with the AOT cache alternating; $(nproc) cores"
  printf '%-14s %-7s %8s %8s   %s\n' service aot ready_ms rss_mb load
  local summary=()
  for m in "${services[@]}"; do
    local off_ready=() off_rss=() on_ready=() on_rss=() r aot result
    for r in $(seq "$rounds"); do
      for aot in 0 1; do
        result="$(bench_start_once "$m" "$aot" "http://127.0.0.1:${prom_port:-9}" )"
        printf '%-14s %-7s %8s %8s   %s\n' "$m" "$([ "$aot" = 1 ] && echo on || echo off)" ${result} "$(cut -d' ' -f1-3 /proc/loadavg)"
        if [ "$aot" = 1 ]; then on_ready+=("${result% *}"); on_rss+=("${result#* }"); else off_ready+=("${result% *}"); off_rss+=("${result#* }"); fi
      done
    done
    summary+=("$(printf '%-14s %10s %10s %10s %10s' "$m" \
      "$(printf '%s\n' "${off_ready[@]}" | grep -v -- - | bench_median)" "$(printf '%s\n' "${on_ready[@]}" | grep -v -- - | bench_median)" \
      "$(printf '%s\n' "${off_rss[@]}" | grep -v -- - | bench_median)" "$(printf '%s\n' "${on_rss[@]}" | grep -v -- - | bench_median)")")
  done
  [ -n "$prom_pid" ] && { kill "$prom_pid" 2>/dev/null; wait "$prom_pid" 2>/dev/null; rm -rf "$prom_dir"; trap - EXIT; }
  echo
  echo "medians (ready: ms from process start to /-/ready 200; rss: MB, idle 2 s after ready); load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-14s %10s %10s %10s %10s\n' service ready_off ready_aot rss_off rss_aot
  printf '%s\n' "${summary[@]}"
}
