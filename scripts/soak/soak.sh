# shellcheck shell=bash
# ./gauntlet soak [--minutes N] [--seed S]: the chaos soak. Sourced by ./gauntlet after scripts/up.sh (die, log,
# select_java, ensure_*, MVN, deps_*, run_java_cmd, up_jar, up_jar_stale).
#
# Three clusters, each in its own network namespace, joined by veth pairs (so a partition is a real network cut):
#   master  (lo 10.N.0.1)   Kafka, s3proxy, store gateway ×2, compactor ×2, querier, the query load and the checks
#   slave1  (10.N.1.2)      synthetic exporter, Prometheus pair a/b (2-minute blocks), sidecar and shipper per replica
#   slave2  (10.N.2.2)      the same
# Each slave's history of ten days is seeded at start-up (long form) so the compactors downsample it during the chaos.
# A seeded schedule of faults (printed first, so a run can be replayed) runs for --minutes while a client queries the
# querier and judges every answer; then the network heals, the stack settles and the end checks run. Everything started
# is stopped and the namespaces deleted on exit, Ctrl-C or failure. Needs root (ip netns), iproute2's tc (netem), jq.
#
# Inside the namespaces services listen on the namespace's own addresses (or 0.0.0.0 in the master namespace for Kafka
# and s3proxy): nothing is reachable from the machine's network, the namespaces have no route out.

SOAK_CLUSTERS=(slave1 slave2)
SOAK_REPLICAS=(a b)
SOAK_STORE_GATEWAYS=(store-gateway-1 store-gateway-2)
SOAK_COMPACTORS=(compactor-1 compactor-2)
SOAK_SCRAPE_SECONDS=5
SOAK_BLOCK=2m
SOAK_BLOCK_RANGES=2m,8m,48m
SOAK_WARMUP=60
# store gateway sync and deletion-mark delay, compactor consistency, wait and delete delays (seconds)
SOAK_SG_SYNC=30 SOAK_SG_IGNORE_MARKS=60 SOAK_CONSISTENCY=30 SOAK_COMPACT_WAIT=60 SOAK_DELETE_DELAY=120
SOAK_OUTBOX_TMPFS=1m # each shipper's outbox is a tmpfs this small, so a disk-full fault fills it in an instant
SOAK_FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
SOAK_SKEWED="exporter sidecar shipper" # the kinds of a skewed slave's processes that run under libfaketime
# History seeded per slave at start-up: one raw block per replica spanning 10 days (the minimal profile, ending at least a
# day ago), which the compactors merge, downsample to 5m (≥ 40 h) and then to 1h (≥ 10 d) during the chaos
SOAK_SEED_HISTORY=10d
SOAK_CI_SEED=1
SOAK_KAFKA_PORT=9092
SOAK_S3_PORT=9000
SOAK_QUERIER_HTTP=10904

soak_usage() {
  cat <<USAGE
usage: ./gauntlet soak [--minutes N] [--seed S] [--no-build] [--keep]
       ./gauntlet soak --ci [--no-build] [--keep]

  --minutes N   minutes of chaos and query load (default 10); start-up (~2-4 min) and the settling and end checks
                (~3-6 min) come on top
                (the long form also seeds ten days of history per slave, which the compactors merge and downsample
                to 5m and 1h during the chaos; the end checks read it back through the querier at each resolution)
  --seed S      the fault schedule's seed (default: random, printed); the same seed gives the same schedule
  --ci          the short form CI runs: 3 minutes, seed $SOAK_CI_SEED, master + one slave (HA pair), one store gateway and one
                compactor, 1-minute blocks, a fixed schedule (a SIGKILL, Kafka and s3proxy stops, a link cut, a full
                outbox disk, clock skew)
  --no-build    use the jars as they are
  --keep        keep the run directory (logs, bucket, Prometheus data) even when the soak passes
Needs root (network namespaces), prometheus, tc (iproute2), jq. The run directory is .gauntlet/run/soak-<pid>.
USAGE
}

soak_log() { echo "soak: $(date -u +%H:%M:%S) $*" >&2; }

# ---------------------------------------------------------------- topology

soak_topology_names() {
  local id=$(( $$ % 100000 ))
  SOAK_NET=$(( $$ % 200 + 20 )) # 10.<net>.x.y: private to the namespaces
  SOAK_NS_MASTER="gsoak$id-m"
  SOAK_NS_slave1="gsoak$id-s1"
  SOAK_NS_slave2="gsoak$id-s2"
  SOAK_MASTER_IP="10.$SOAK_NET.0.1"
  SOAK_LINK_M_slave1="gs${id}m1" SOAK_LINK_S_slave1="gs${id}s1"
  SOAK_LINK_M_slave2="gs${id}m2" SOAK_LINK_S_slave2="gs${id}s2"
  SOAK_IP_slave1="10.$SOAK_NET.1.2" SOAK_IP_slave2="10.$SOAK_NET.2.2"
}

soak_ns_of_cluster() { local v="SOAK_NS_$1"; echo "${!v}"; }
soak_ip_of_cluster() { local v="SOAK_IP_$1"; echo "${!v}"; }

soak_topology_up() {
  local i cluster m s ns
  ip netns add "$SOAK_NS_MASTER" || return 1
  ip -n "$SOAK_NS_MASTER" link set lo up
  ip -n "$SOAK_NS_MASTER" addr add "$SOAK_MASTER_IP/32" dev lo
  i=0
  for cluster in "${SOAK_CLUSTERS[@]}"; do
    i=$((i + 1))
    ns="$(soak_ns_of_cluster "$cluster")"
    m="SOAK_LINK_M_$cluster" s="SOAK_LINK_S_$cluster"
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    ip link add "${!m}" type veth peer name "${!s}" || return 1
    ip link set "${!m}" netns "$SOAK_NS_MASTER" && ip link set "${!s}" netns "$ns" || return 1
    ip -n "$SOAK_NS_MASTER" addr add "10.$SOAK_NET.$i.1/30" dev "${!m}"
    ip -n "$ns" addr add "10.$SOAK_NET.$i.2/30" dev "${!s}"
    ip -n "$SOAK_NS_MASTER" link set "${!m}" up
    ip -n "$ns" link set "${!s}" up
    ip -n "$ns" route replace "$SOAK_MASTER_IP/32" via "10.$SOAK_NET.$i.1"
  done
}

soak_topology_down() {
  local ns
  for ns in "$SOAK_NS_MASTER" "$SOAK_NS_slave1" "$SOAK_NS_slave2"; do
    [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
  done
  return 0
}

# A slave's link to the master goes down (both ends lose the carrier) or comes back with its route.
soak_link() {
  local cluster="$1" state="$2" m="SOAK_LINK_M_$1" s="SOAK_LINK_S_$1" i
  ip -n "$SOAK_NS_MASTER" link set "${!m}" "$state"
  if [ "$state" = up ]; then
    i="${cluster#slave}"
    ip -n "$(soak_ns_of_cluster "$cluster")" route replace "$SOAK_MASTER_IP/32" via "10.$SOAK_NET.$i.1"
  fi
}

# Latency and loss on both directions of a slave's link (tc netem), or none.
soak_netem() {
  local cluster="$1" spec="$2" m="SOAK_LINK_M_$1" s="SOAK_LINK_S_$1"
  if [ "$spec" = off ]; then
    ip netns exec "$SOAK_NS_MASTER" tc qdisc del dev "${!m}" root 2>/dev/null
    ip netns exec "$(soak_ns_of_cluster "$cluster")" tc qdisc del dev "${!s}" root 2>/dev/null
    return 0
  fi
  local ns dev
  for ns in "$SOAK_NS_MASTER" "$(soak_ns_of_cluster "$cluster")"; do
    if [ "$ns" = "$SOAK_NS_MASTER" ]; then dev="${!m}"; else dev="${!s}"; fi
    # shellcheck disable=SC2086
    ip netns exec "$ns" tc qdisc replace dev "$dev" root netem $spec 2>/dev/null && continue
    # a kernel without sch_netem (some VMs): a throttled link instead, whose queue adds the latency and drops the excess
    ip netns exec "$ns" tc qdisc replace dev "$dev" root tbf rate 256kbit burst 16kb latency 1s \
      || soak_log "neither netem nor tbf could shape $dev: the link stays as it is"
    [ "$ns" = "$SOAK_NS_MASTER" ] && soak_log "netem is unavailable in this kernel: $cluster's link is throttled to 256 kbit/s (tbf) instead"
  done
}

# ---------------------------------------------------------------- processes

soak_pidfile() { echo "$SOAK_DIR/pids/$1.pid"; }
soak_logfile() { echo "$SOAK_DIR/logs/$1.log"; }
soak_marker() { case "$1" in prometheus-*) echo "$SOAK_DIR/config/$1.yml" ;; *) echo "gauntlet.soak=$SOAK_DIR/$1" ;; esac; }
soak_alive() { deps_pid_alive "$(soak_pidfile "$1")" "$(soak_marker "$1")"; }

# soak_spawn <name> <namespace> <command…>: in the background, in the namespace, its own session, output to its log.
soak_spawn() {
  local name="$1" ns="$2" skew=()
  shift 2
  echo "=== $(date -u +%FT%TZ) $*" >>"$(soak_logfile "$name")"
  soak_clock_env "$name" skew
  ip netns exec "$ns" env "${skew[@]}" setsid nohup "$@" >>"$(soak_logfile "$name")" 2>&1 </dev/null &
  echo $! >"$(soak_pidfile "$name")"
  disown $! 2>/dev/null # no "Killed" notice from bash when a fault kills it
}

soak_java_tool() { # the soak's Java side (scripts/soak) with its classpath
  echo "$JAVA_HOME/bin/java" -Xms16m -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -cp "$ROOT/scripts/soak/target/classes:$(cat "$ROOT/scripts/soak/target/classpath.txt")"
}

# The Gauntlet processes by name: <module>-<cluster>-<replica> in a slave, <module>-<n> in the master.
soak_gauntlet_names() {
  local c r
  for c in "${SOAK_CLUSTERS[@]}"; do for r in "${SOAK_REPLICAS[@]}"; do echo "sidecar-$c-$r" "shipper-$c-$r"; done; done
  echo "${SOAK_STORE_GATEWAYS[@]}" "${SOAK_COMPACTORS[@]}" querier
}

# ports inside a namespace (each namespace has its own port space)
soak_ports() {
  case "$1" in
    prometheus-*-a) echo 9090 ;; prometheus-*-b) echo 9091 ;;
    sidecar-*-a) echo "10902 10901" ;; sidecar-*-b) echo "10912 10911" ;;
    shipper-*-a) echo 10922 ;; shipper-*-b) echo 10932 ;;
    store-gateway-1) echo "10942 10941" ;; store-gateway-2) echo "10952 10951" ;;
    compactor-1) echo 10962 ;; compactor-2) echo 10972 ;;
    querier) echo "$SOAK_QUERIER_HTTP 10905" ;;
  esac
}
# Clock skew: the Java processes of a slave the schedule skews (exporter, sidecars, shippers) run under libfaketime,
# reading their offset from a file ("+0" when calm, "+4s" while skewed). Prometheus is a Go binary: it reads the clock
# through the vDSO, which libfaketime cannot intercept (and a time namespace offsets only the monotonic and boot
# clocks), so the Prometheus pair keeps the true time; the exporter's samples carry the skewed time as their timestamp.
soak_clock_file() { echo "$SOAK_DIR/config/clock-$1"; }
soak_clock_env() { # soak_clock_env <name> <array var>: the environment that puts a skewed slave's process under libfaketime
  local -n env_out="$2"
  env_out=()
  [[ " $SOAK_SKEWED " == *" ${1%%-*} "* ]] || return 0
  local cluster
  cluster="$(cut -d- -f2 <<<"$1")"
  [ -f "$(soak_clock_file "$cluster")" ] || return 0
  env_out=("LD_PRELOAD=$SOAK_FAKETIME_LIB" "FAKETIME_TIMESTAMP_FILE=$(soak_clock_file "$cluster")" FAKETIME_CACHE_DURATION=1
    FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1 NO_FAKE_STAT=1) # file times stay true: the AOT cache checks jar times
}

soak_outbox_dir() { echo "$SOAK_DIR/outbox/$1"; }

soak_http_port() { local p; read -r p _ <<<"$(soak_ports "$1")"; echo "$p"; }
soak_grpc_port() { local p q; read -r p q <<<"$(soak_ports "$1")"; echo "$q"; }

# namespace and HTTP host of a component
soak_where() {
  case "$1" in
    exporter-*|prometheus-*|sidecar-*|shipper-*)
      local cluster
      cluster="$(cut -d- -f2 <<<"$1")" # <kind>-<cluster>[-<replica>]
      SOAK_WHERE_NS="$(soak_ns_of_cluster "$cluster")" SOAK_WHERE_CLUSTER="$cluster" SOAK_WHERE_IP="$(soak_ip_of_cluster "$cluster")" ;;
    *) SOAK_WHERE_NS="$SOAK_NS_MASTER" SOAK_WHERE_CLUSTER=master SOAK_WHERE_IP="$SOAK_MASTER_IP" ;;
  esac
}

soak_write_prometheus_config() {
  local cluster="$1" replica="$2"
  cat >"$SOAK_DIR/config/prometheus-$cluster-$replica.yml" <<YAML
# generated by ./gauntlet soak; the two replicas differ only in prometheus_replica
global:
  scrape_interval: ${SOAK_SCRAPE_SECONDS}s
  scrape_timeout: ${SOAK_SCRAPE_SECONDS}s
  external_labels:
    cluster: $cluster
    prometheus_replica: $replica
scrape_configs:
  - job_name: seed
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:9100']
YAML
}

soak_start() {
  local name="$1" module cluster replica data http grpc
  soak_alive "$name" && return 0
  soak_where "$name"
  cluster="$SOAK_WHERE_CLUSTER"
  replica="${name##*-}"
  data="$SOAK_DIR/data/$name"
  mkdir -p "$data"
  http="$(soak_http_port "$name")" grpc="$(soak_grpc_port "$name")"
  case "$name" in
    exporter-*)
      # shellcheck disable=SC2046
      soak_spawn "$name" "$SOAK_WHERE_NS" $(soak_java_tool) "-D$(soak_marker "$name")" io.gauntlet.soak.Soak exporter \
        --listen 127.0.0.1:9100 --interval-ms $((SOAK_SCRAPE_SECONDS * 1000))
      return ;;
    prometheus-*)
      soak_write_prometheus_config "$cluster" "$replica"
      soak_spawn "$name" "$SOAK_WHERE_NS" prometheus "--config.file=$SOAK_DIR/config/$name.yml" "--storage.tsdb.path=$data" \
        "--web.listen-address=$SOAK_WHERE_IP:$http" "--storage.tsdb.min-block-duration=$SOAK_BLOCK" \
        "--storage.tsdb.max-block-duration=$SOAK_BLOCK" --storage.tsdb.retention.time=1d
      return ;;
  esac
  module="${name%-*}"
  case "$name" in sidecar-*|shipper-*) module="${name%%-*}" ;; esac
  run_java_cmd "$module"
  local cmd=("${RUN_CMD[@]}" "-D$(soak_marker "$name")" -Xms32m -Xmx256m -XX:TieredStopAtLevel=1
    -Dquarkus.banner.enabled=false "-Dquarkus.http.port=$http")
  if [ -n "$grpc" ]; then cmd+=("-Dgauntlet.grpc.address=$SOAK_WHERE_IP:$grpc" -Dgauntlet.grpc.grace-period=2s); else cmd+=(-Dgauntlet.grpc.enabled=false); fi
  local kafka="$SOAK_MASTER_IP:$SOAK_KAFKA_PORT" objstore="$SOAK_DIR/config/objstore.yml"
  case "$module" in
    sidecar)
      cmd+=(-Dquarkus.http.host=127.0.0.1 "-Dgauntlet.sidecar.prometheus-url=http://$SOAK_WHERE_IP:$(soak_http_port "prometheus-$cluster-$replica")"
        -Dgauntlet.sidecar.refresh-interval=5s) ;;
    shipper)
      cmd+=(-Dquarkus.http.host=127.0.0.1 "-Dgauntlet.shipper.tsdb-path=$SOAK_DIR/data/prometheus-$cluster-$replica"
        "-Dgauntlet.shipper.prometheus-url=http://$SOAK_WHERE_IP:$(soak_http_port "prometheus-$cluster-$replica")"
        "-Dgauntlet.shipper.objstore-config-file=$objstore" "-Dgauntlet.shipper.kafka.bootstrap-servers=$kafka"
        "-Dgauntlet.shipper.outbox-dir=$(soak_outbox_dir "$name")" -Dgauntlet.shipper.rescan-interval=5s -Dgauntlet.shipper.max-backoff=5s) ;;
    store-gateway)
      cmd+=("-Dquarkus.http.host=$SOAK_MASTER_IP" "-Dgauntlet.store-gateway.objstore-config-file=$objstore"
        "-Dgauntlet.store-gateway.data-dir=$data" "-Dgauntlet.store-gateway.kafka-bootstrap=$kafka"
        "-Dgauntlet.store-gateway.sync-interval=${SOAK_SG_SYNC}s" "-Dgauntlet.store-gateway.ignore-deletion-marks-delay=${SOAK_SG_IGNORE_MARKS}s") ;;
    compactor)
      cmd+=("-Dquarkus.http.host=$SOAK_MASTER_IP" "-Dgauntlet.compactor.objstore-config-file=$objstore"
        "-Dgauntlet.compactor.data-dir=$data" "-Dgauntlet.compactor.kafka.bootstrap-servers=$kafka"
        -Dgauntlet.compactor.deduplication.replica-label=prometheus_replica "-Dgauntlet.compactor.block-ranges=$SOAK_BLOCK_RANGES"
        "-Dgauntlet.compactor.consistency-delay=${SOAK_CONSISTENCY}s" "-Dgauntlet.compactor.delete-delay=${SOAK_DELETE_DELAY}s"
        "-Dgauntlet.compactor.wait-interval=${SOAK_COMPACT_WAIT}s"
        "-Dgauntlet.compactor.producer=gauntlet/compactor/$name") ;;
    querier)
      local endpoints=() c r
      for c in "${SOAK_CLUSTERS[@]}"; do
        for r in "${SOAK_REPLICAS[@]}"; do endpoints+=("$(soak_ip_of_cluster "$c"):$(soak_grpc_port "sidecar-$c-$r")"); done
      done
      for r in "${SOAK_STORE_GATEWAYS[@]}"; do endpoints+=("$SOAK_MASTER_IP:$(soak_grpc_port "$r")"); done
      cmd+=("-Dquarkus.http.host=$SOAK_MASTER_IP" "-Dgauntlet.querier.endpoints=$(IFS=,; echo "${endpoints[*]}")"
        -Dgauntlet.querier.replica-labels=prometheus_replica) ;;
  esac
  cmd+=(-jar "$(up_jar "$module")")
  soak_spawn "$name" "$SOAK_WHERE_NS" "${cmd[@]}"
}

soak_http_host() { case "$1" in sidecar-*|shipper-*|exporter-*) echo 127.0.0.1 ;; *) soak_where "$1"; echo "$SOAK_WHERE_IP" ;; esac; }

# curl inside the component's namespace against its HTTP port
soak_curl() {
  local name="$1" path="$2"
  soak_where "$name"
  ip netns exec "$SOAK_WHERE_NS" curl -fsS --max-time 5 "http://$(soak_http_host "$name"):$(soak_http_port "$name")$path" 2>/dev/null
}

soak_wait_ready() {
  local name="$1" seconds="${2:-240}" deadline
  deadline=$((SECONDS + seconds))
  while [ $SECONDS -lt $deadline ]; do
    # only "is the pid alive": until ip netns exec has exec'd the process its command line lacks the marker
    if ! kill -0 "$(cat "$(soak_pidfile "$name")")" 2>/dev/null; then soak_log "$name exited during start-up"; deps_log_tail "$(soak_logfile "$name")"; return 1; fi
    case "$name" in
      exporter-*) soak_where "$name"; ip netns exec "$SOAK_WHERE_NS" curl -fsS --max-time 2 -o /dev/null http://127.0.0.1:9100/metrics 2>/dev/null && return 0 ;;
      *) soak_curl "$name" /-/ready >/dev/null && return 0 ;;
    esac
    sleep 1
  done
  soak_log "$name not ready within ${seconds}s"
  deps_log_tail "$(soak_logfile "$name")"
  return 1
}

soak_kill9() { local pid; pid="$(cat "$(soak_pidfile "$1")" 2>/dev/null)" && soak_alive "$1" && kill -9 "$pid" 2>/dev/null; return 0; }

# Kafka and s3proxy in the master namespace, through scripts/deps.sh, listening on every address of that namespace.
soak_deps() {
  local what="$1" action="$2"
  ip netns exec "$SOAK_NS_MASTER" env GAUNTLET_DEPS_LISTEN_HOST=0.0.0.0 GAUNTLET_DEPS_ADVERTISED_HOST="$SOAK_MASTER_IP" \
    GAUNTLET_S3_ACCESS_KEY="${SOAK_S3_ACCESS:-}" GAUNTLET_S3_SECRET_KEY="${SOAK_S3_SECRET:-}" JAVA_HOME="$JAVA_HOME" \
    bash -c 'source "$0/scripts/deps.sh"; case "$1" in
      kafka-start) deps_kafka_start "$2/kafka" "$3" ;; kafka-stop) deps_kafka_stop "$2/kafka" ;;
      s3-start) deps_s3proxy_start "$2/s3proxy" "$4" ;; s3-stop) deps_s3proxy_stop "$2/s3proxy" ;; esac' \
    "$ROOT" "$what-$action" "$SOAK_DIR" "$SOAK_KAFKA_PORT" "$SOAK_S3_PORT"
}

soak_stop_everything() {
  local name
  for name in querier compactor-2 compactor-1 store-gateway-2 store-gateway-1 $(soak_gauntlet_names) \
      prometheus-slave1-a prometheus-slave1-b prometheus-slave2-a prometheus-slave2-b exporter-slave1 exporter-slave2 load; do
    if soak_alive "$name"; then kill -9 "$(cat "$(soak_pidfile "$name")")" 2>/dev/null; fi
  done
  deps_kafka_stop "$SOAK_DIR/kafka" >/dev/null 2>&1
  deps_s3proxy_stop "$SOAK_DIR/s3proxy" >/dev/null 2>&1
}

# ---------------------------------------------------------------- the fault schedule

# Deterministic for a seed (bash's RANDOM seeded): lines "offset-seconds duration-seconds action target [netem spec]".
soak_plan() {
  local seed="$1" total="$2" t=20 roll dur target names
  mapfile -t names < <(soak_gauntlet_names | tr ' ' '\n')
  RANDOM=$seed
  while :; do
    roll=$((RANDOM % 100))
    if [ "$roll" -lt 50 ]; then
      target="${names[$((RANDOM % ${#names[@]}))]}" dur=$((3 + RANDOM % 13))
      line="kill $target"
    elif [ "$roll" -lt 60 ]; then dur=$((20 + RANDOM % 26)); line="stop kafka"
    elif [ "$roll" -lt 70 ]; then dur=$((20 + RANDOM % 26)); line="stop s3proxy"
    elif [ "$roll" -lt 85 ]; then dur=$((60 + RANDOM % 61)); line="partition ${SOAK_CLUSTERS[$((RANDOM % ${#SOAK_CLUSTERS[@]}))]}"
    else
      dur=$((45 + RANDOM % 46))
      line="netem ${SOAK_CLUSTERS[$((RANDOM % ${#SOAK_CLUSTERS[@]}))]} delay $((50 + RANDOM % 150))ms $((RANDOM % 50))ms loss $((5 + RANDOM % 16))%"
    fi
    [ $((t + dur)) -le "$total" ] || break
    echo "$t $dur $line"
    t=$((t + dur + 10 + RANDOM % 21))
  done
}

# The faults that run alongside the others, each kind on its own line of time, drawn from seed+1 (a full outbox disk)
# and seed+2 (clock skew) so that adding them left the schedules of older seeds as they were. Lines as soak_plan's.
soak_plan_alongside() {
  local seed="$1" total="$2" t dur shippers=() c r
  for c in "${SOAK_CLUSTERS[@]}"; do for r in "${SOAK_REPLICAS[@]}"; do shippers+=("shipper-$c-$r"); done; done
  RANDOM=$((seed + 1))
  t=$((30 + RANDOM % 90))
  while :; do
    dur=$((150 + RANDOM % 91)) # longer than a block: at least one block's event meets the full disk
    [ $((t + dur)) -le "$total" ] || break
    echo "$t $dur diskfull ${shippers[$((RANDOM % ${#shippers[@]}))]}"
    t=$((t + dur + 120 + RANDOM % 241))
  done
  RANDOM=$((seed + 2))
  t=$((60 + RANDOM % 120))
  while :; do
    dur=$((60 + RANDOM % 61))
    [ $((t + dur)) -le "$total" ] || break
    echo "$t $dur skew ${SOAK_CLUSTERS[$((RANDOM % ${#SOAK_CLUSTERS[@]}))]} +$((2 + RANDOM % 5))s"
    t=$((t + dur + 120 + RANDOM % 241))
  done
}

# The CI form's fixed schedule: one of each kind within three minutes (the SIGKILL's target drawn from the seed).
soak_plan_ci() {
  local seed="$1" names
  mapfile -t names < <(soak_gauntlet_names | tr ' ' '\n')
  RANDOM=$seed
  echo "10 3 kill ${names[$((RANDOM % ${#names[@]}))]}"
  echo "21 20 stop kafka"
  echo "49 45 partition ${SOAK_CLUSTERS[0]}"
  echo "102 20 stop s3proxy"
}
soak_plan_ci_alongside() {
  echo "15 150 diskfull shipper-${SOAK_CLUSTERS[0]}-${SOAK_REPLICAS[0]}"
  echo "40 90 skew ${SOAK_CLUSTERS[0]} +4s"
}

# Runs schedule lines from stdin one after the other (an offset is the earliest start), each recorded as a phase named
# by the fault and its target (a process by its kind).
soak_run_faults() {
  local chaos_start="$1" what="$2" offset dur action target spec begin
  while read -r offset dur action target spec; do
    [ -n "$offset" ] || continue
    while [ $(( $(date +%s) - chaos_start )) -lt "$offset" ]; do sleep 1; done
    begin=$(date +%s%3N)
    soak_log "$what: $action $target $spec for ${dur}s"
    soak_fault_begin "$action" "$target" $spec
    if [ "$action" = diskfull ]; then soak_hold_disk_full "$target" "$dur"; else sleep "$dur"; fi
    soak_fault_end "$action" "$target"
    case "$action" in kill|diskfull) target="${target%%-*}" ;; esac
    echo -e "$begin\t$(date +%s%3N)\t$action $target" >>"$SOAK_DIR/phases.tsv"
  done
}

# A full disk under a shipper's outbox: a file fills its tmpfs (begin) and goes again (end). What the shipper reported
# in between (failed outbox writes, its readiness) goes to faults.log for the end checks.
soak_disk_fill() {
  local name="$1" dir
  dir="$(soak_outbox_dir "$name")"
  dd if=/dev/zero of="$dir/.filler" bs=4k >/dev/null 2>&1 # stops at "No space left on device"
  echo "$(soak_metric_sum "$name" gauntlet_shipper_outbox_write_failures_total)" >"$SOAK_DIR/diskfull-$name.before"
}
soak_hold_disk_full() { # counts the shipper's readiness probes that say not ready while its disk is full
  local name="$1" end=$((SECONDS + $2)) unready=0
  while [ $SECONDS -lt "$end" ]; do
    soak_curl "$name" /-/ready >/dev/null || unready=$((unready + 1))
    sleep 5
  done
  echo "$unready" >"$SOAK_DIR/diskfull-$name.unready"
}
soak_disk_free() {
  local name="$1" before failures ready
  rm -f "$(soak_outbox_dir "$name")/.filler"
  before="$(cat "$SOAK_DIR/diskfull-$name.before" 2>/dev/null || echo 0)"
  failures=$(( $(soak_metric_sum "$name" gauntlet_shipper_outbox_write_failures_total) - before ))
  [ "$failures" -ge 0 ] || failures="$(soak_metric_sum "$name" gauntlet_shipper_outbox_write_failures_total)" # restarted meanwhile
  ready="$(cat "$SOAK_DIR/diskfull-$name.unready" 2>/dev/null || echo 0)"
  echo "diskfull $name: $failures failed outbox writes, $ready readiness probes said not ready" >>"$SOAK_DIR/faults.log"
  rm -f "$SOAK_DIR/diskfull-$name.before" "$SOAK_DIR/diskfull-$name.unready"
}

# Clock skew: the slave's processes under libfaketime read the new offset within a second; the exporter's timestamps
# show how far ahead they run.
soak_skew() {
  local cluster="$1" offset="$2" ts now
  echo "$offset" >"$(soak_clock_file "$cluster")"
  [ "$offset" = "+0" ] && return 0
  # the exporter stamps its clock rounded down to the grid: over a grid's worth of reads the largest lead is the skew
  local lead=-99999 i
  sleep 2
  for ((i = 0; i <= SOAK_SCRAPE_SECONDS * 2; i++)); do
    ts="$(ip netns exec "$(soak_ns_of_cluster "$cluster")" curl -fsS --max-time 2 http://127.0.0.1:9100/metrics 2>/dev/null \
      | awk 'index($1, "#") != 1 {print $NF; exit}')" now="$(date +%s%3N)"
    [ -n "$ts" ] && [ $((ts - now)) -gt "$lead" ] && lead=$((ts - now))
    sleep 0.5
  done
  echo "skew $cluster $offset: the exporter's timestamps lead the true time by up to ${lead} ms" >>"$SOAK_DIR/faults.log"
}

soak_fault_begin() {
  local action="$1" target="$2"
  shift 2
  case "$action" in
    kill) soak_kill9 "$target" ;;
    stop) soak_deps "${target/s3proxy/s3}" stop >/dev/null 2>&1 ;;
    partition) soak_link "$target" down ;;
    netem) soak_netem "$target" "$*" ;;
    diskfull) soak_disk_fill "$target" ;;
    skew) soak_skew "$target" "$1" ;;
  esac
}

soak_fault_end() {
  local action="$1" target="$2"
  case "$action" in
    kill) soak_start "$target"; soak_wait_ready "$target" 180 >/dev/null ;; # the phase lasts until it serves again
    stop) soak_deps "${target/s3proxy/s3}" start >>"$SOAK_DIR/logs/deps-restarts.log" 2>&1 || soak_log "$target did not start again (see $SOAK_DIR/logs/deps-restarts.log)" ;;
    partition) soak_link "$target" up ;;
    netem) soak_netem "$target" off ;;
    diskfull) soak_disk_free "$target" ;;
    skew) soak_skew "$target" +0 ;;
  esac
}

# ---------------------------------------------------------------- measurements

soak_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$(cat "$(soak_pidfile "$1")" 2>/dev/null)/status" 2>/dev/null || echo 0; }

soak_metric_sum() { # soak_metric_sum <component> <metric name prefix>: sum of the matching samples
  soak_curl "$1" /metrics | awk -v m="$2" 'index($0, m) == 1 && ($1 == m || substr($1, length(m) + 1, 1) == "{") {s += $NF} END {printf "%d\n", s}'
}

# Blocks in the bucket (s3proxy's filesystem backend: a directory per object prefix) without a deletion mark.
soak_bucket_blocks() {
  local dir="$SOAK_DIR/s3proxy/data/gauntlet" b
  for b in "$dir"/*/; do
    b="${b%/}"
    [ -f "$b/meta.json" ] && [ ! -f "$b/deletion-mark.json" ] && echo "${b##*/}"
  done
  return 0
}

soak_partial_uploads() { # block directories without meta.json older than two minutes
  local dir="$SOAK_DIR/s3proxy/data/gauntlet" b
  for b in "$dir"/*/; do
    b="${b%/}"
    [[ "${b##*/}" =~ ^[0-9A-Z]{26}$ ]] || continue
    [ -f "$b/meta.json" ] || [ -z "$(find "$b" -maxdepth 0 -mmin +2)" ] || echo "${b##*/}"
  done
  return 0
}

SOAK_FAILED=()
soak_check() { # soak_check <name> <ok 0|1> <figure>
  if [ "$2" = 0 ]; then echo "soak: PASS $1: $3"; else echo "soak: FAIL $1: $3"; SOAK_FAILED+=("$1"); fi
}

# ---------------------------------------------------------------- seeded history (downsampling)

soak_seed_args() { # the SeedHistory arguments of a cluster's history (the downsampling check regenerates it from them)
  echo --duration "$SOAK_SEED_HISTORY" --end-ms "$SOAK_SEED_END_MS" --block-range "$SOAK_SEED_HISTORY" --profile minimal \
    --external-labels "cluster=$1" --replicas "$(IFS=,; echo "${SOAK_REPLICAS[*]}")"
}

# Both replicas' blocks of each slave's history, uploaded with their block events as the shipper would (scripts/seed).
soak_seed_history() {
  local c
  for c in "${SOAK_CLUSTERS[@]}"; do
    # shellcheck disable=SC2046
    ip netns exec "$SOAK_NS_MASTER" $(soak_java_tool) io.gauntlet.seed.SeedHistory $(soak_seed_args "$c") \
      --objstore-config-file "$SOAK_DIR/config/objstore.yml" --scratch "$SOAK_DIR/data/seed-$c" \
      --kafka-bootstrap "$SOAK_MASTER_IP:$SOAK_KAFKA_PORT" || return 1
  done
}

# Blocks of a cluster's seeded history at a resolution (ms) in the bucket without a deletion mark.
soak_blocks_at() {
  local cluster="$1" resolution="$2" b n=0
  for b in $(soak_bucket_blocks); do
    jq -e --arg c "$cluster" --argjson r "$resolution" --argjson seeded_end "$SOAK_SEED_END_MS" \
      '.thanos.labels.cluster == $c and .thanos.downsample.resolution == $r and .minTime < $seeded_end' \
      "$SOAK_DIR/s3proxy/data/gauntlet/$b/meta.json" >/dev/null 2>&1 && n=$((n + 1))
  done
  echo "$n"
}

# ---------------------------------------------------------------- build

soak_build() {
  local m stale=()
  for m in sidecar shipper store-gateway compactor querier tools; do
    case "$m" in
      tools) [ -f "$ROOT/services/tools/target/gauntlet-tools-cli.jar" ] || stale+=(services/tools) ;;
      *) up_jar_stale "$m" && stale+=("services/$m") ;;
    esac
  done
  if [ ! -f "$ROOT/scripts/soak/target/classpath.txt" ] \
      || [ -n "$(find "$ROOT/scripts/soak/src" "$ROOT/scripts/soak/pom.xml" "$ROOT/scripts/seed/src/main" -newer "$ROOT/scripts/soak/target/classpath.txt" -type f -print -quit)" ]; then
    stale+=(scripts/soak)
  fi
  [ ${#stale[@]} -eq 0 ] && return 0
  local list
  list="$(IFS=,; echo "${stale[*]}")"
  soak_log "building $list: mvn install -DskipTests -pl $list -am"
  "${MVN[@]}" -q install -DskipTests -pl "$list" -am >"$SOAK_DIR/logs/build.log" 2>&1 \
    || { tail -n 40 "$SOAK_DIR/logs/build.log" >&2; die "the build failed (log: $SOAK_DIR/logs/build.log)"; }
}

# ---------------------------------------------------------------- the soak

soak_cleanup() {
  local rc=$?
  [ -n "${SOAK_DIR:-}" ] || return 0
  soak_log "stopping everything and deleting the namespaces"
  local pid
  for pid in "${SOAK_ALONGSIDE_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  soak_stop_everything
  soak_topology_down
  local mount
  for mount in "$SOAK_DIR"/outbox/*; do
    mountpoint -q "$mount" 2>/dev/null || continue
    umount "$mount" 2>/dev/null || { sleep 2; umount -l "$mount"; } # a killed shipper may hold it a moment longer
  done
  if [ "$rc" = 0 ] && [ "${SOAK_KEEP:-0}" = 0 ]; then rm -rf "$SOAK_DIR"; else soak_log "run directory kept: $SOAK_DIR"; fi
}

cmd_soak() {
  # faults make commands fail on purpose: each step checks what it needs (./gauntlet runs with set -e and pipefail)
  set +e +o pipefail
  local minutes=10 seed="" build=1 ci=0 wall_start=$SECONDS
  SOAK_KEEP=0 SOAK_ALONGSIDE_PIDS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --ci) ci=1 ;;
      --minutes) minutes="${2:-}"; shift ;;
      --minutes=*) minutes="${1#*=}" ;;
      --seed) seed="${2:-}"; shift ;;
      --seed=*) seed="${1#*=}" ;;
      --no-build) build=0 ;;
      --keep) SOAK_KEEP=1 ;;
      -h|--help) soak_usage; return 0 ;;
      *) soak_usage >&2; die "unknown option for soak: $1" ;;
    esac
    shift
  done
  case "$minutes" in [1-9]|[1-9][0-9]|[1-9][0-9][0-9]) ;; *) die "--minutes wants a whole number from 1 to 999, got '$minutes'" ;; esac
  if [ "$ci" = 1 ]; then
    # the smallest topology that still has every kind of fault: master, one slave's HA pair, one store gateway and
    # compactor; 1-minute blocks so the last one is cut, shipped and loaded soon after the chaos; short sync delays
    minutes=3 seed=$SOAK_CI_SEED
    SOAK_CLUSTERS=(slave1) SOAK_STORE_GATEWAYS=(store-gateway-1) SOAK_COMPACTORS=(compactor-1)
    SOAK_BLOCK=1m SOAK_BLOCK_RANGES=1m,4m,24m SOAK_WARMUP=30
    SOAK_SG_SYNC=10 SOAK_SG_IGNORE_MARKS=20 SOAK_CONSISTENCY=10 SOAK_COMPACT_WAIT=20 SOAK_DELETE_DELAY=40
    SOAK_SKEWED=exporter # libfaketime costs an idle Quarkus service ~10 % of a core: only the sample timestamps
    SOAK_SEED_HISTORY="" # no seeded history: merging and downsampling it would lengthen the run CI waits for
  fi
  [ -n "$seed" ] || seed=$((RANDOM * 32768 + RANDOM))
  case "$seed" in ''|*[!0-9]*) die "--seed wants a number, got '$seed'" ;; esac
  [ "$(id -u)" = 0 ] || die "the soak needs root: it builds network namespaces (ip netns) and shapes links (tc netem)"
  select_java; ensure_maven; ensure_node; ensure_prometheus
  command -v jq >/dev/null || apt_install jq
  command -v tc >/dev/null && command -v ip >/dev/null || apt_install iproute2
  command -v curl >/dev/null || apt_install curl
  [ -f "$SOAK_FAKETIME_LIB" ] || apt_install libfaketime

  SOAK_DIR="$ROOT/.gauntlet/run/soak-$$"
  mkdir -p "$SOAK_DIR"/{pids,logs,config,data}
  soak_topology_names
  trap soak_cleanup EXIT
  trap 'exit 130' INT TERM HUP
  if [ "$build" = 1 ]; then soak_build; fi

  local plan alongside total=$((minutes * 60))
  if [ "$ci" = 1 ]; then
    plan="$(soak_plan_ci "$seed")" alongside="$(soak_plan_ci_alongside)"
  else
    plan="$(soak_plan "$seed" "$total")" alongside="$(soak_plan_alongside "$seed" "$total")"
  fi
  echo "soak: seed $seed, $minutes minutes of chaos; the schedule (seconds from the start of the chaos, duration, fault):"
  sed 's/^/  /' <<<"$plan"
  [ -z "$alongside" ] || { echo "soak: alongside it:"; sed 's/^/  /' <<<"$alongside"; }
  if [ "$ci" = 1 ]; then echo "soak: replay with ./gauntlet soak --ci   (run directory $SOAK_DIR)"
  else echo "soak: replay with ./gauntlet soak --minutes $minutes --seed $seed   (run directory $SOAK_DIR)"; fi
  # every shipper's outbox on a small tmpfs of its own; a skewed slave's clock file (its Java processes under libfaketime)
  local c r
  for c in "${SOAK_CLUSTERS[@]}"; do for r in "${SOAK_REPLICAS[@]}"; do
    mkdir -p "$(soak_outbox_dir "shipper-$c-$r")"
    mount -t tmpfs -o "size=$SOAK_OUTBOX_TMPFS,mode=0700" tmpfs "$(soak_outbox_dir "shipper-$c-$r")" \
      || die "cannot mount a tmpfs for shipper-$c-$r's outbox"
  done; done
  for c in $(awk '$3 == "skew" {print $4}' <<<"$alongside" | sort -u); do echo "+0" >"$(soak_clock_file "$c")"; done

  soak_topology_up || die "could not build the network namespaces"
  soak_log "namespaces $SOAK_NS_MASTER (master $SOAK_MASTER_IP), $SOAK_NS_slave1 ($SOAK_IP_slave1), $SOAK_NS_slave2 ($SOAK_IP_slave2)"
  SOAK_S3_ACCESS="soak-$(deps_random_hex 6)" SOAK_S3_SECRET="$(deps_random_hex 20)"
  # Kafka and s3proxy start together, and the exporters and Prometheus pairs with them (they need neither)
  soak_deps kafka start >"$SOAK_DIR/logs/deps-kafka.log" 2>&1 &
  local kafka_pid=$!
  soak_deps s3 start >"$SOAK_DIR/logs/deps-s3.log" 2>&1 &
  local s3_pid=$!
  local name started=$SECONDS
  for c in "${SOAK_CLUSTERS[@]}"; do soak_start "exporter-$c"; done
  for c in "${SOAK_CLUSTERS[@]}"; do for r in "${SOAK_REPLICAS[@]}"; do soak_start "prometheus-$c-$r"; done; done
  wait "$kafka_pid" || { cat "$SOAK_DIR/logs/deps-kafka.log" >&2; die "kafka did not start"; }
  wait "$s3_pid" || { cat "$SOAK_DIR/logs/deps-s3.log" >&2; die "s3proxy did not start"; }
  mkdir -p "$SOAK_DIR/s3proxy/data/gauntlet"
  (umask 077; cat >"$SOAK_DIR/config/objstore.yml" <<YAML
type: S3
config:
  bucket: gauntlet
  endpoint: $SOAK_MASTER_IP:$SOAK_S3_PORT
  region: us-east-1
  access_key: $SOAK_S3_ACCESS
  secret_key: $SOAK_S3_SECRET
  insecure: true
  bucket_lookup_type: path
YAML
  )
  soak_log "kafka and s3proxy ready on $SOAK_MASTER_IP"

  local seed_pid=""
  if [ -n "$SOAK_SEED_HISTORY" ]; then
    SOAK_SEED_END_MS=$(( ($(date +%s%3N) - 86400000) / 864000000 * 864000000 )) # 10-day aligned: one block per replica
    soak_seed_history >"$SOAK_DIR/logs/seed.log" 2>&1 &
    seed_pid=$!
  fi
  for name in $(soak_gauntlet_names); do soak_start "$name"; done
  for c in "${SOAK_CLUSTERS[@]}"; do soak_wait_ready "exporter-$c" || die "exporter-$c did not start"; done
  for c in "${SOAK_CLUSTERS[@]}"; do for r in "${SOAK_REPLICAS[@]}"; do soak_wait_ready "prometheus-$c-$r" || die "prometheus-$c-$r did not start"; done; done
  for name in $(soak_gauntlet_names); do soak_wait_ready "$name" || die "$name did not become ready"; done
  if [ -n "$seed_pid" ]; then
    wait "$seed_pid" || { tail -n 20 "$SOAK_DIR/logs/seed.log" >&2; die "seeding the history failed (log: $SOAK_DIR/logs/seed.log)"; }
    soak_log "seeded $SOAK_SEED_HISTORY of history per slave ending $(date -u -d "@$((SOAK_SEED_END_MS / 1000))" +%FT%TZ): $(grep -c '^seeded' "$SOAK_DIR/logs/seed.log") clusters"
  fi
  soak_log "everything ready after $((SECONDS - started))s; ${SOAK_WARMUP}s of warm-up"
  sleep "$SOAK_WARMUP"

  local -A rss_warm=()
  for name in $(soak_gauntlet_names); do rss_warm[$name]="$(soak_rss_kb "$name")"; done

  local since until chaos_start
  since=$(( $(date +%s%3N) - 30000 ))
  chaos_start=$(date +%s)
  until=$(( (chaos_start + 3 * total + 1800) * 1000 )) # a bound only: the load stops when the last fault is over
  # shellcheck disable=SC2046
  soak_spawn load "$SOAK_NS_MASTER" $(soak_java_tool) "-D$(soak_marker load)" io.gauntlet.soak.Soak load \
    --querier "http://$SOAK_MASTER_IP:$SOAK_QUERIER_HTTP" --clusters "$(IFS=,; echo "${SOAK_CLUSTERS[*]}")" \
    --since-ms "$since" --until-ms "$until" --stop-file "$SOAK_DIR/load.stop" --out "$SOAK_DIR/queries.tsv" \
    --interval-ms $((SOAK_SCRAPE_SECONDS * 1000))

  : >"$SOAK_DIR/phases.tsv"
  : >"$SOAK_DIR/faults.log"
  local kind
  for kind in diskfull skew; do
    awk -v k="$kind" '$3 == k' <<<"$alongside" | soak_run_faults "$chaos_start" "fault alongside" &
    SOAK_ALONGSIDE_PIDS+=($!)
  done
  soak_run_faults "$chaos_start" fault <<<"$plan"
  while [ $(( $(date +%s) - chaos_start )) -lt "$total" ]; do sleep 1; done
  for kind in "${SOAK_ALONGSIDE_PIDS[@]}"; do wait "$kind"; done # they end within the minutes
  SOAK_ALONGSIDE_PIDS=()
  touch "$SOAK_DIR/load.stop"
  local chaos_end_ms
  chaos_end_ms=$(date +%s%3N)
  soak_log "chaos over; everything back (restarting what is down), then the stack settles"
  for c in "${SOAK_CLUSTERS[@]}"; do soak_link "$c" up; soak_netem "$c" off; done
  soak_deps kafka start >>"$SOAK_DIR/logs/deps-restarts.log" 2>&1
  soak_deps s3 start >>"$SOAK_DIR/logs/deps-restarts.log" 2>&1
  for name in $(soak_gauntlet_names); do soak_start "$name"; done
  for name in $(soak_gauntlet_names); do soak_wait_ready "$name" 120 || true; done
  while soak_alive load; do sleep 1; done

  echo
  echo "soak: queries through the querier per phase (raw: last minute of every series; range: gauges over ten minutes)"
  # shellcheck disable=SC2046
  $(soak_java_tool) io.gauntlet.soak.Soak report --queries "$SOAK_DIR/queries.tsv" --phases "$SOAK_DIR/phases.tsv"
  soak_check "no answer wrong or silently incomplete" $? "(table above)"

  soak_end_checks "$since" "$chaos_end_ms" rss_warm
  echo
  local what="seed $seed, $minutes minutes"
  [ "$ci" = 1 ] && what="--ci: seed $seed, $minutes minutes"
  if [ ${#SOAK_FAILED[@]} -eq 0 ]; then
    echo "soak: PASSED ($what) in $((SECONDS - wall_start))s of wall time"
    return 0
  fi
  echo "soak: FAILED ($what) in $((SECONDS - wall_start))s of wall time: ${SOAK_FAILED[*]}"
  return 1
}

soak_end_checks() {
  local from="$1" to="$2" name c r
  local -n warm="$3"
  echo
  echo "soak: end checks"
  # resident memory now against after the warm-up (a restarted process against its predecessor's)
  local growth=() worst=0 now pct
  for name in $(soak_gauntlet_names); do
    now="$(soak_rss_kb "$name")"
    [ "${warm[$name]:-0}" -gt 0 ] && [ "$now" -gt 0 ] || continue
    pct=$(( (now - warm[$name]) * 100 / warm[$name] ))
    growth+=("$name $((warm[$name] / 1024))→$((now / 1024)) MiB (${pct}%)")
    [ "$pct" -gt "$worst" ] && worst="$pct" # growth is what a leak looks like; a restarted process is smaller
  done
  printf '  %s\n' "${growth[@]}"
  soak_check "RSS within 20 % of its value after warm-up" "$([ "$worst" -le 20 ]; echo $?)" "largest growth ${worst}%"
  # the bucket through the store gateways alone, deduplicated, against both replicas of each cluster
  local ports=() sg
  for sg in "${SOAK_STORE_GATEWAYS[@]}"; do ports+=("$(soak_grpc_port "$sg")"); done
  local match="{__address__=~\"$SOAK_MASTER_IP:($(IFS='|'; echo "${ports[*]}"))\"}"
  for c in "${SOAK_CLUSTERS[@]}"; do
    local replicas=() out
    for r in "${SOAK_REPLICAS[@]}"; do replicas+=("http://$(soak_ip_of_cluster "$c"):$(soak_http_port "prometheus-$c-$r")"); done
    # shellcheck disable=SC2046
    out="$(ip netns exec "$SOAK_NS_MASTER" $(soak_java_tool) io.gauntlet.soak.Soak check --querier "http://$SOAK_MASTER_IP:$SOAK_QUERIER_HTTP" \
      --store-match "$match" --cluster "$c" --replicas "$(IFS=,; echo "${replicas[*]}")" --from-ms "$from" --to-ms "$to" \
      --wait-seconds 420 --interval-ms $((SOAK_SCRAPE_SECONDS * 1000)) 2>&1)"
    soak_check "bucket equals the replicas, deduplicated ($c)" $? "$out"
  done

  # every block event reached every consumer: the shippers' outboxes are empty
  local pending=0 deadline=$((SECONDS + 120))
  while :; do
    pending=0
    for c in "${SOAK_CLUSTERS[@]}"; do for r in "${SOAK_REPLICAS[@]}"; do
      pending=$((pending + $(soak_metric_sum "shipper-$c-$r" gauntlet_shipper_outbox_events)))
    done; done
    [ "$pending" = 0 ] || [ $SECONDS -ge $deadline ] && break
    sleep 5
  done
  soak_check "shipper outboxes empty" "$([ "$pending" = 0 ]; echo $?)" "$pending events waiting"

  # no new blocks from here on: the shippers stop, so compactions and the store gateways' view of the bucket settle
  for c in "${SOAK_CLUSTERS[@]}"; do for r in "${SOAK_REPLICAS[@]}"; do
    deps_stop_pidfile "shipper-$c-$r" "$(soak_pidfile "shipper-$c-$r")" "$(soak_marker "shipper-$c-$r")"
  done; done

  local halted=0
  for name in "${SOAK_COMPACTORS[@]}"; do
    halted=$((halted + $(soak_metric_sum "$name" thanos_compact_halted) + $(soak_metric_sum "$name" gauntlet_compact_group_halted)))
  done
  soak_check "no compactor or group halted" "$([ "$halted" = 0 ]; echo $?)" "halted sum $halted"

  local blocks loaded all_loaded
  # marked blocks stay served for the ignore-deletion-marks delay and go with the next sync
  deadline=$((SECONDS + 2 * (SOAK_SG_IGNORE_MARKS + SOAK_SG_SYNC) + 60))
  while :; do
    blocks="$(soak_bucket_blocks | wc -l)" loaded="" all_loaded=0
    for sg in "${SOAK_STORE_GATEWAYS[@]}"; do
      local n
      n="$(soak_metric_sum "$sg" thanos_bucket_store_blocks_loaded)"
      loaded+="${loaded:+, }$sg $n"
      [ "$n" = "$blocks" ] || all_loaded=1
    done
    [ "$all_loaded" = 0 ] && break
    [ $SECONDS -ge $deadline ] && break
    sleep 5
  done
  soak_check "every store gateway serves every block" "$all_loaded" "$blocks blocks without deletion mark; loaded: $loaded"

  local partial
  partial="$(soak_partial_uploads | tr '\n' ' ')"
  soak_check "no partial upload older than 2 minutes" "$([ -z "$partial" ]; echo $?)" "${partial:-none}"

  local verify app="$ROOT/services/tools/target"
  verify="$(ip netns exec "$SOAK_NS_MASTER" "$JAVA_HOME/bin/java" -Xmx256m --enable-native-access=ALL-UNNAMED -cp "$app/gauntlet-tools-cli.jar:$app/lib/*" \
    io.gauntlet.tools.cli.GauntletTools bucket verify "--objstore.config-file=$SOAK_DIR/config/objstore.yml" 2>&1)"
  soak_check "tools bucket verify clean" $? "$(tail -n 3 <<<"$verify" | tr '\n' ' ')"

  [ -z "$SOAK_SEED_HISTORY" ] || soak_downsampling_checks "$match"

  # what the disk-full and clock-skew faults saw (no block lost is the bucket check above; events caught up, the outbox one)
  local line
  while read -r line; do
    [ -n "$line" ] && echo "soak: fault $line"
  done <"$SOAK_DIR/faults.log"

}

# The seeded history: each slave's group has its 5m and 1h blocks, and the querier answers from them what the seeded raw
# samples give (max/min exact, sums within rounding, counts per window; io.gauntlet.soak.DownsampledCheck).
soak_downsampling_checks() {
  local match="$1" c blocks deadline out
  for c in "${SOAK_CLUSTERS[@]}"; do
    deadline=$((SECONDS + 300))
    while :; do
      blocks="raw $(soak_blocks_at "$c" 0), 5m $(soak_blocks_at "$c" 300000), 1h $(soak_blocks_at "$c" 3600000)"
      [[ "$blocks" != *" 0"* ]] || [ $SECONDS -ge $deadline ] && break
      sleep 5
    done
    soak_check "the seeded history is downsampled to 5m and 1h ($c)" "$([[ "$blocks" != *" 0"* ]]; echo $?)" "blocks without deletion mark: $blocks"
    # shellcheck disable=SC2046
    out="$(ip netns exec "$SOAK_NS_MASTER" $(soak_java_tool) io.gauntlet.soak.Soak downsampled --querier "http://$SOAK_MASTER_IP:$SOAK_QUERIER_HTTP" \
      --store-match "$match" --cluster "$c" --resolutions 5m,1h --wait-seconds 240 $(soak_seed_args "$c" | sed 's/--/--seed-/g') 2>&1)"
    soak_check "the querier answers the seeded history from its downsampled blocks ($c)" $? "$out"
  done
}
