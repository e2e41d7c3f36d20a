# shellcheck shell=bash
# ./gauntlet up | down | status: the whole stack as plain processes on loopback. Sourced by ./gauntlet, which
# provides die, log, select_java, ensure_maven, apt_install, MVN and the deps_* functions of scripts/deps.sh.
#
# One run directory ($GAUNTLET_UP_DIR, default .gauntlet/run/up) holds everything: a pid file per process
# (<name>.pid), a log per process (logs/<name>.log; Kafka and s3proxy log next to their data), the generated
# configuration (config/), the data (data/, the FILESYSTEM bucket in bucket/). Nothing is deleted by `down`, so data
# survives a restart.
#
# Environment (mostly for the end-to-end test):
#   GAUNTLET_UP_DIR                run directory
#   GAUNTLET_UP_PORT_OFFSET        added to every port below (default 0)
#   GAUNTLET_UP_SCRAPE_INTERVAL    Prometheus scrape and evaluation interval (default 15s)
#   GAUNTLET_UP_READY_SECONDS      how long each start-up may take until /-/ready (default 180)
#   GAUNTLET_UP_JVM_OPTS           extra JVM options for every Gauntlet service
#   GAUNTLET_UP_SERVICES           only these service modules, comma separated (default: all of them)

UP_DIR="${GAUNTLET_UP_DIR:-$ROOT/.gauntlet/run/up}"
UP_READY_SECONDS="${GAUNTLET_UP_READY_SECONDS:-180}"
UP_SCRAPE_INTERVAL="${GAUNTLET_UP_SCRAPE_INTERVAL:-15s}"
UP_CLUSTER="local"
# The services in start order; sidecar and shipper run once per Prometheus replica.
UP_SERVICE_MODULES=(sidecar shipper store-gateway compactor querier query-frontend ruler)
UP_REPLICAS=(a b)

# ---------------------------------------------------------------- ports (loopback only)

up_ports() {
  # status and down use the offset the running stack was started with
  local o="${GAUNTLET_UP_PORT_OFFSET:-$(cat "$UP_DIR/port-offset" 2>/dev/null || echo 0)}"
  case "$o" in ''|*[!0-9]*) die "GAUNTLET_UP_PORT_OFFSET must be a number, got '$o'" ;; esac
  P_PROMETHEUS_A=$((19090 + o)); P_PROMETHEUS_B=$((19091 + o))
  P_SIDECAR_A_GRPC=$((10911 + o)); P_SIDECAR_B_GRPC=$((10912 + o))
  P_SIDECAR_A_HTTP=$((10913 + o)); P_SIDECAR_B_HTTP=$((10914 + o))
  P_SHIPPER_A_HTTP=$((10916 + o)); P_SHIPPER_B_HTTP=$((10917 + o))
  P_STORE_GATEWAY_GRPC=$((10921 + o)); P_STORE_GATEWAY_HTTP=$((10922 + o))
  P_COMPACTOR_HTTP=$((10942 + o))
  P_QUERIER_HTTP=$((10904 + o)); P_QUERIER_GRPC=$((10905 + o))
  P_QUERY_FRONTEND_HTTP=$((10902 + o)); P_MEMCACHED=$((19211 + o)) # not 11211: Debian runs its own memcached there
  P_RULER_A_GRPC=$((10931 + o)); P_RULER_B_GRPC=$((10932 + o))
  P_RULER_A_HTTP=$((10933 + o)); P_RULER_B_HTTP=$((10934 + o))
  P_ALERTMANAGER_HTTP=$((19093 + o))
  P_KAFKA=$((19092 + o)); P_S3=$((19000 + o)); P_AZURE=$((19010 + o))
  UP_PORT_OFFSET="$o"
}

# Upper-case variable stem of a component name: sidecar-a → SIDECAR_A.
up_stem() { local s="${1^^}"; echo "${s//-/_}"; }
up_http_port() { local v="P_$(up_stem "$1")"; case "$1" in prometheus-*) ;; *) v="${v}_HTTP" ;; esac; echo "${!v}"; }
up_grpc_port() { local v="P_$(up_stem "$1")_GRPC"; echo "${!v:-}"; }

# ---------------------------------------------------------------- which services exist

# A service module exists when it has sources and is part of the reactor.
up_module_exists() {
  local m="$1"
  [ -d "$ROOT/services/$m/src/main/java" ] && grep -q "<module>services/$m</module>" "$ROOT/pom.xml"
}

up_jar() { echo "$ROOT/services/$1/target/quarkus-app/quarkus-run.jar"; }

# The jar is missing, or a main source it is built from (its module, services/common, libs, proto, poms) is newer.
up_jar_stale() {
  local jar
  jar="$(up_jar "$1")"
  [ -f "$jar" ] || return 0
  # main sources only (a test edit needs no new jar); every lib counts, a cheap over-approximation of the dependencies
  [ -n "$(find "$ROOT/services/$1/src/main" "$ROOT/services/$1/pom.xml" "$ROOT/services/common/src/main" "$ROOT"/libs/*/src/main \
    "$ROOT"/libs/*/pom.xml "$ROOT/proto/src/main" "$ROOT/proto/pom.xml" "$ROOT/pom.xml" -newer "$jar" -type f -print -quit 2>/dev/null)" ]
}

# Sets UP_PRESENT (modules to run) and prints which are missing.
up_select_modules() {
  UP_PRESENT=()
  local m missing=()
  for m in "${UP_SERVICE_MODULES[@]}"; do
    [ -z "${GAUNTLET_UP_SERVICES:-}" ] || [[ ",$GAUNTLET_UP_SERVICES," == *",$m,"* ]] || continue
    if up_module_exists "$m"; then UP_PRESENT+=("$m"); else missing+=("$m"); fi
  done
  [ ${#missing[@]} -eq 0 ] || log "not started (no module with sources in services/ yet): ${missing[*]}"
}

up_has() { local m; for m in "${UP_PRESENT[@]}"; do [ "$m" = "$1" ] && return 0; done; return 1; }

# Component names in start order (stop order is the reverse).
up_components() {
  echo prometheus-a prometheus-b
  local m
  for m in "${UP_PRESENT[@]}"; do
    case "$m" in sidecar|shipper|ruler) echo "$m-a" "$m-b" ;; *) echo "$m" ;; esac
  done
}

up_module_of() { case "$1" in sidecar-*) echo sidecar ;; shipper-*) echo shipper ;; ruler-*) echo ruler ;; *) echo "$1" ;; esac; }

up_build() {
  local m stale=()
  for m in "${UP_PRESENT[@]}"; do up_jar_stale "$m" && stale+=("services/$m"); done
  [ ${#stale[@]} -eq 0 ] && return 0
  local list
  list="$(IFS=,; echo "${stale[*]}")"
  log "building $list (and what it depends on): mvn install -DskipTests -pl $list -am"
  mkdir -p "$UP_DIR/logs"
  if ! "${MVN[@]}" install -DskipTests -pl "$list" -am >"$UP_DIR/logs/build.log" 2>&1; then
    tail -n 40 "$UP_DIR/logs/build.log" | sed 's/^/    /' >&2
    die "the build failed (full log: $UP_DIR/logs/build.log); fix it or run with --no-build to use the jars that exist"
  fi
}

# ---------------------------------------------------------------- processes

up_pidfile() { echo "$UP_DIR/$1.pid"; }
up_log() { echo "$UP_DIR/logs/$1.log"; }
# Written into each command line, so a pid file whose number was reused by another process is not ours.
up_marker() {
  case "$1" in
    prometheus-*|alertmanager) echo "$UP_DIR/config/$1.yml" ;;
    memcached) echo "-p $P_MEMCACHED" ;; # memcached takes no argument a marker could hide in: its port
    *) echo "gauntlet.up=$UP_DIR/$1" ;;
  esac
}

up_alive() { deps_pid_alive "$(up_pidfile "$1")" "$(up_marker "$1")"; }

up_spawn() {
  local name="$1"
  shift
  mkdir -p "$UP_DIR/logs"
  echo "=== $(date -u +%FT%TZ) $*" >>"$(up_log "$name")"
  setsid nohup "$@" >>"$(up_log "$name")" 2>&1 </dev/null &
  echo $! >"$(up_pidfile "$name")"
}


# Waits until http://127.0.0.1:<port>/-/ready answers 200; on failure names the component and shows its log tail.
up_wait_ready() {
  local name="$1" deadline reason=""
  deadline=$((SECONDS + UP_READY_SECONDS))
  while [ $SECONDS -lt $deadline ]; do
    if ! up_alive "$name"; then
      log "$name exited during start-up"
      deps_log_tail "$(up_log "$name")"
      return 1
    fi
    up_ready_ok "$name" && return 0
    sleep 0.5
  done
  up_curl_opts "$name"
  reason="$(curl -sS --max-time 2 "${UP_CURL_OPTS[@]}" "$(up_base_url "$name")/-/ready" 2>&1 | head -c 300 || true)"
  log "$name not ready within ${UP_READY_SECONDS}s on $(up_base_url "$name")/-/ready${reason:+ (it says: $reason)}"
  deps_log_tail "$(up_log "$name")"
  return 1
}

up_stop() {
  local name="$1"
  up_alive "$name" || { rm -f "$(up_pidfile "$name")"; return 0; }
  deps_stop_pidfile "$name" "$(up_pidfile "$name")" "$(up_marker "$name")"
}

up_stop_all() {
  local names=(prometheus-a prometheus-b alertmanager memcached sidecar-a sidecar-b shipper-a shipper-b store-gateway compactor querier query-frontend ruler-a ruler-b) name i
  for ((i = ${#names[@]} - 1; i >= 0; i--)); do
    name="${names[$i]}"
    if up_alive "$name"; then log "stopping $name"; up_stop "$name"; fi
  done
  deps_kafka_stop "$UP_DIR/kafka"
  deps_s3proxy_stop "$UP_DIR/s3proxy"
  deps_azurite_stop "$UP_DIR/azurite"
}

up_check_ports_free() {
  local name port busy=()
  for name in $(up_components); do
    for port in $(up_http_port "$name") $(up_grpc_port "$name"); do
      deps_port_open "$port" && busy+=("127.0.0.1:$port ($name)")
    done
  done
  if ! deps_pid_alive "$UP_DIR/kafka/kafka.pid" "kafka.Kafka" && deps_port_open "$P_KAFKA"; then busy+=("127.0.0.1:$P_KAFKA (kafka)"); fi
  if [ "$UP_S3" = 1 ] && ! deps_pid_alive "$UP_DIR/s3proxy/s3proxy.pid" "s3proxy.jar" && deps_port_open "$P_S3"; then
    busy+=("127.0.0.1:$P_S3 (s3proxy)")
  fi
  if [ "$UP_AZURE" = 1 ] && ! deps_pid_alive "$UP_DIR/azurite/azurite.pid" "$DEPS_AZURITE_MARKER" && deps_port_open "$P_AZURE"; then
    busy+=("127.0.0.1:$P_AZURE (azurite)")
  fi
  if [ "$UP_MEMCACHED" = 1 ] && ! up_alive memcached && deps_port_open "$P_MEMCACHED"; then busy+=("127.0.0.1:$P_MEMCACHED (memcached)"); fi
  [ ${#busy[@]} -eq 0 ] && return 0
  log "these ports are taken by another process: ${busy[*]}"
  die "free them (ss -ltnp shows who listens) or move the whole stack with GAUNTLET_UP_PORT_OFFSET=1000 ./gauntlet up"
}

# ---------------------------------------------------------------- --tls: a CA and certificates made at start

# With --tls ($UP_DIR/tls-mode holds 1): every gRPC link is mutual TLS, the querier and the query frontend speak HTTPS
# with basic auth (Prometheus' web config file), Kafka is SASL_SSL with SCRAM-SHA-512. The CA, one key and certificate
# per component, the password and the Kafka keystore are made once per run directory by openssl, in $UP_DIR/tls (0700,
# every file 0600): nothing of it is in the repository.
UP_TLS_USER=gauntlet

up_https() { [ "${UP_TLS:-0}" = 1 ] && case "$1" in querier|query-frontend) true ;; *) false ;; esac; }
up_base_url() { if up_https "$1"; then echo "https://127.0.0.1:$(up_http_port "$1")"; else echo "http://127.0.0.1:$(up_http_port "$1")"; fi; }
# curl's options for a component's HTTP port (the CA and the user from a 0600 curl config, never on a command line)
up_curl_opts() { UP_CURL_OPTS=(); if up_https "$1"; then UP_CURL_OPTS=(-K "$UP_DIR/tls/curl.conf"); fi; }
up_ready_ok() { up_curl_opts "$1"; curl -fsS -o /dev/null --max-time 2 "${UP_CURL_OPTS[@]}" "$(up_base_url "$1")/-/ready" 2>/dev/null; }

# The run directory keeps its mode: Kafka's SCRAM users are made when its storage is formatted.
up_tls_mode_check() {
  local was
  was="$(cat "$UP_DIR/tls-mode" 2>/dev/null || { [ -f "$UP_DIR/kafka/data/meta.properties" ] && echo 0; } || true)"
  [ -z "$was" ] || [ "$was" = "$UP_TLS" ] || die "$UP_DIR was started $([ "$was" = 1 ] && echo with || echo without) --tls;" \
    "start it the same way, or remove it (or set GAUNTLET_UP_DIR) for a fresh start"
}

# Key (PKCS#8, P-256) and certificate of one component, for 127.0.0.1 and localhost, as server and as client.
up_tls_cert() {
  local dir="$UP_DIR/tls" name="$1"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/$name.key" -subj "/O=gauntlet/CN=$name" \
    -out "$dir/$name.csr" 2>/dev/null || return 1
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(deps_random_hex 12)" -days 90 \
    -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null || return 1
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

up_tls_generate() {
  local dir="$UP_DIR/tls" name
  command -v openssl >/dev/null || apt_install openssl
  if [ -s "$dir/ca.crt" ] && [ -s "$dir/curl.conf" ]; then
    # made by an earlier start of this run directory: only components started for the first time need a certificate
    for name in $(up_components); do
      case "$name" in prometheus-*) continue ;; esac
      [ -s "$dir/$name.crt" ] || (umask 077; up_tls_cert "$name") || die "openssl could not make the certificate of $name"
    done
    return 0
  fi
  rm -rf "$dir"
  (umask 077; mkdir -p "$dir/kafka")
  local old_umask
  old_umask="$(umask)"
  umask 077
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 90 \
    -subj "/O=gauntlet/CN=gauntlet up CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>"$dir/openssl.log" || { umask "$old_umask"; die "openssl could not make the CA ($dir/openssl.log)"; }
  for name in $(up_components) kafka; do
    case "$name" in prometheus-*) continue ;; esac
    up_tls_cert "$name" || { umask "$old_umask"; die "openssl could not make the certificate of $name"; }
  done
  # HTTP basic auth on the querier and the query frontend: one user, a random password, its bcrypt hash in the web configs
  deps_random_hex 16 >"$dir/password"
  local hash
  hash="$("$JAVA_HOME/bin/java" -cp "$(dirname "$(up_jar querier)")/lib/main/*" "$ROOT/scripts/tls/BcryptHash.java" <"$dir/password")" \
    || { umask "$old_umask"; die "could not hash the password (scripts/tls/BcryptHash.java; is services/querier built?)"; }
  for name in querier query-frontend; do
    printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  %s: %s\n' \
      "$dir/$name.crt" "$dir/$name.key" "$UP_TLS_USER" "$hash" >"$dir/$name-web.yml"
  done
  printf 'cacert = "%s"\nuser = "%s:%s"\n' "$dir/ca.crt" "$UP_TLS_USER" "$(cat "$dir/password")" >"$dir/curl.conf"
  # the query frontend's JDK HTTP client trusts the CA through a PKCS12 trust store (its password guards nothing secret)
  keytool -importcert -noprompt -alias gauntlet-up-ca -file "$dir/ca.crt" -keystore "$dir/ca.p12" -storetype PKCS12 \
    -storepass gauntlet-up >/dev/null 2>&1 || { umask "$old_umask"; die "keytool could not make $dir/ca.p12"; }
  # Kafka: the broker's keystore and SCRAM users (scripts/deps.sh), the services' login and the seeder's client settings
  cp "$dir/ca.crt" "$dir/kafka/ca.crt"
  deps_random_hex 16 >"$dir/kafka/broker.p12.password"
  openssl pkcs12 -export -in "$dir/kafka.crt" -inkey "$dir/kafka.key" -certfile "$dir/ca.crt" -name broker \
    -passout "file:$dir/kafka/broker.p12.password" -out "$dir/kafka/broker.p12" 2>>"$dir/openssl.log" \
    || { umask "$old_umask"; die "openssl could not make the Kafka keystore ($dir/openssl.log)"; }
  local client_password
  client_password="$(deps_random_hex 16)"
  printf 'broker %s\n%s %s\n' "$(deps_random_hex 16)" "$UP_TLS_USER" "$client_password" >"$dir/kafka/scram-users"
  printf 'org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";\n' \
    "$UP_TLS_USER" "$client_password" >"$dir/kafka-jaas.conf"
  printf 'security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=%s\nssl.truststore.type=PEM\nssl.truststore.location=%s\n' \
    "$(cat "$dir/kafka-jaas.conf")" "$dir/ca.crt" >"$dir/kafka-client.properties"
  umask "$old_umask"
  log "made a CA and certificates in $dir (user $UP_TLS_USER, password in $dir/password)"
}

# The -D options of one component in --tls mode.
up_tls_options() {
  local name="$1" module="$2" dir="$UP_DIR/tls"
  if [ -n "$(up_grpc_port "$name")" ]; then
    UP_CMD+=("-Dgauntlet.grpc.server-tls-cert=$dir/$name.crt" "-Dgauntlet.grpc.server-tls-key=$dir/$name.key"
      "-Dgauntlet.grpc.server-tls-client-ca=$dir/ca.crt")
  fi
  case "$module" in
    querier|ruler)
      UP_CMD+=(-Dgauntlet.grpc.client-tls-secure=true "-Dgauntlet.grpc.client-tls-cert=$dir/$name.crt"
        "-Dgauntlet.grpc.client-tls-key=$dir/$name.key" "-Dgauntlet.grpc.client-tls-ca=$dir/ca.crt") ;;
  esac
  case "$module" in
    shipper|store-gateway|compactor|query-frontend|ruler)
      UP_CMD+=(-Dgauntlet.kafka.security.protocol=SASL_SSL -Dgauntlet.kafka.sasl.mechanism=SCRAM-SHA-512
        "-Dgauntlet.kafka.sasl.jaas.config-file=$dir/kafka-jaas.conf"
        -Dgauntlet.kafka.ssl.truststore.type=PEM "-Dgauntlet.kafka.ssl.truststore.location=$dir/ca.crt") ;;
  esac
  if up_https "$name"; then UP_CMD+=("-Dgauntlet.http.config-file=$dir/$name-web.yml"); fi
  if [ "$module" = query-frontend ]; then
    UP_CMD+=("-Djavax.net.ssl.trustStore=$dir/ca.p12" -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=gauntlet-up)
  fi
}

# ---------------------------------------------------------------- configuration

up_write_objstore() {
  mkdir -p "$UP_DIR/config"
  if [ "$UP_S3" = 1 ]; then
    mkdir -p "$UP_DIR/s3proxy/data/gauntlet" # the filesystem backend: a bucket is a directory
    (umask 077; cat >"$UP_DIR/config/objstore.yml" <<YAML
type: S3
config:
  bucket: gauntlet
  endpoint: 127.0.0.1:$P_S3
  region: us-east-1
  access_key: $DEPS_S3_ACCESS_KEY
  secret_key: $DEPS_S3_SECRET_KEY
  insecure: true
  bucket_lookup_type: path
YAML
    )
  elif [ "$UP_AZURE" = 1 ]; then
    # Azurite's account and key are made at its first start (azurite.properties); the container is created at start
    local account key endpoint
    account="$(sed -n 's/^account=//p' "$UP_DIR/azurite/azurite.properties")"
    key="$(sed -n 's/^key=//p' "$UP_DIR/azurite/azurite.properties")"
    endpoint="$(sed -n 's/^endpoint=//p' "$UP_DIR/azurite/azurite.properties")"
    (umask 077; cat >"$UP_DIR/config/objstore.yml" <<YAML
type: AZURE
config:
  storage_account: $account
  storage_connection_string: "DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=$endpoint;"
  container: gauntlet
YAML
    )
  else
    mkdir -p "$UP_DIR/bucket"
    cat >"$UP_DIR/config/objstore.yml" <<YAML
type: FILESYSTEM
config:
  directory: $UP_DIR/bucket
YAML
  fi
}

# One static target list per Gauntlet service, so both replicas scrape the same (an HA pair has one config).
up_scrape_jobs() {
  local name job targets
  for job in sidecar shipper store-gateway compactor querier query-frontend ruler; do
    targets=()
    for name in $(up_components); do
      if [ "$(up_module_of "$name")" = "$job" ]; then targets+=("'127.0.0.1:$(up_http_port "$name")'"); fi
    done
    [ ${#targets[@]} -eq 0 ] && continue
    printf '  - job_name: gauntlet-%s\n    metrics_path: /metrics\n' "$job"
    if up_https "$job"; then
      printf '    scheme: https\n    tls_config:\n      ca_file: %s\n    basic_auth:\n      username: %s\n      password_file: %s\n' \
        "$UP_DIR/tls/ca.crt" "$UP_TLS_USER" "$UP_DIR/tls/password"
    fi
    printf '    static_configs:\n      - targets: [%s]\n' "$(IFS=,; echo "${targets[*]}")"
  done
}

up_write_prometheus_config() {
  local replica="$1"
  mkdir -p "$UP_DIR/config"
  cat >"$UP_DIR/config/prometheus-$replica.yml" <<YAML
# generated by ./gauntlet up; the two replicas differ only in prometheus_replica
global:
  scrape_interval: $UP_SCRAPE_INTERVAL
  evaluation_interval: $UP_SCRAPE_INTERVAL
  external_labels:
    cluster: $UP_CLUSTER
    prometheus_replica: $replica
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$P_PROMETHEUS_A', '127.0.0.1:$P_PROMETHEUS_B']
$(up_scrape_jobs)
YAML
}

# ---------------------------------------------------------------- starting each component

up_java_cmd() {
  local name="$1" module
  module="$(up_module_of "$name")"
  local grpc
  grpc="$(up_grpc_port "$name")"
  # the JVM options and AOT cache of ./gauntlet run (scripts/run.sh), plus a small heap and C1 only: one machine for all
  run_java_cmd "$module"
  # shellcheck disable=SC2206
  UP_CMD=("${RUN_CMD[@]}" "-D$(up_marker "$name")" -Xms32m -Xmx512m -XX:TieredStopAtLevel=1
    ${GAUNTLET_UP_JVM_OPTS:-}
    -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$(up_http_port "$name")"
    -Dquarkus.banner.enabled=false)
  # a service without a StoreAPI runs no gRPC server (never the 0.0.0.0:10901 default here)
  if [ -n "$grpc" ]; then UP_CMD+=("-Dgauntlet.grpc.address=127.0.0.1:$grpc" -Dgauntlet.grpc.grace-period=5s); else UP_CMD+=(-Dgauntlet.grpc.enabled=false); fi
  if [ "${UP_TLS:-0}" = 1 ]; then up_tls_options "$name" "$module"; fi
}

up_start_prometheus() {
  local replica="$1" name="prometheus-$1" port
  port="$(up_http_port "$name")"
  up_alive "$name" && return 0
  up_write_prometheus_config "$replica"
  mkdir -p "$UP_DIR/data/$name"
  up_spawn "$name" prometheus "--config.file=$UP_DIR/config/$name.yml" "--storage.tsdb.path=$UP_DIR/data/$name" \
    "--web.listen-address=127.0.0.1:$port" --web.enable-lifecycle \
    --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h \
    --storage.tsdb.retention.time=15d "--web.external-url=http://127.0.0.1:$port/"
}

up_start_service() {
  local name="$1" module replica
  module="$(up_module_of "$name")"
  up_alive "$name" && return 0
  replica="${name##*-}"
  mkdir -p "$UP_DIR/data/$name"
  up_java_cmd "$name"
  local kafka="127.0.0.1:$P_KAFKA" objstore="$UP_DIR/config/objstore.yml" data="$UP_DIR/data/$name"
  case "$module" in
    sidecar)
      local prom_port
      prom_port="$(up_http_port "prometheus-$replica")"
      UP_CMD+=("-Dgauntlet.sidecar.prometheus-url=http://127.0.0.1:$prom_port") ;;
    shipper)
      local prom_port
      prom_port="$(up_http_port "prometheus-$replica")"
      UP_CMD+=("-Dgauntlet.shipper.tsdb-path=$UP_DIR/data/prometheus-$replica"
        "-Dgauntlet.shipper.prometheus-url=http://127.0.0.1:$prom_port"
        "-Dgauntlet.shipper.objstore-config-file=$objstore"
        "-Dgauntlet.shipper.kafka.bootstrap-servers=$kafka") ;;
    store-gateway)
      UP_CMD+=("-Dgauntlet.store-gateway.objstore-config-file=$objstore"
        "-Dgauntlet.store-gateway.data-dir=$data"
        "-Dgauntlet.store-gateway.kafka-bootstrap=$kafka") ;;
    compactor)
      UP_CMD+=("-Dgauntlet.compactor.objstore-config-file=$objstore"
        "-Dgauntlet.compactor.data-dir=$data"
        "-Dgauntlet.compactor.kafka.bootstrap-servers=$kafka"
        "-Dgauntlet.compactor.deduplication.replica-label=prometheus_replica") ;;
    querier)
      local endpoints=()
      if up_has sidecar; then endpoints+=("127.0.0.1:$P_SIDECAR_A_GRPC" "127.0.0.1:$P_SIDECAR_B_GRPC"); fi
      if up_has store-gateway; then endpoints+=("127.0.0.1:$P_STORE_GATEWAY_GRPC"); fi
      if up_has ruler; then endpoints+=("127.0.0.1:$P_RULER_A_GRPC" "127.0.0.1:$P_RULER_B_GRPC"); fi
      UP_CMD+=("-Dgauntlet.querier.endpoints=$(IFS=,; echo "${endpoints[*]}")"
        "-Dgauntlet.querier.replica-labels=prometheus_replica,rule_replica") ;;
    query-frontend)
      up_write_frontend_cache
      UP_CMD+=("-Dgauntlet.query-frontend.downstream-url=$(up_base_url querier)"
        "-Dgauntlet.query-frontend.response-cache-config-file=$UP_DIR/config/query-frontend-cache.yml"
        "-Dgauntlet.query-frontend.kafka.bootstrap-servers=$kafka"
        "-Dgauntlet.query-frontend.replica-labels=prometheus_replica,rule_replica") ;;
    ruler)
      up_write_rules
      UP_CMD+=("-Dgauntlet.ruler.rule-files=$UP_DIR/config/rules/*.yml"
        "-Dgauntlet.ruler.labels=cluster=$UP_CLUSTER,rule_replica=$replica"
        "-Dgauntlet.ruler.eval-interval=$UP_SCRAPE_INTERVAL"
        "-Dgauntlet.ruler.data-dir=$data"
        "-Dgauntlet.ruler.alert-query-url=$(up_base_url querier)"
        "-Dgauntlet.ruler.alert-label-drop=rule_replica"
        "-Dgauntlet.ruler.objstore-config-file=$objstore"
        "-Dgauntlet.ruler.kafka.bootstrap-servers=$kafka")
      if [ "$UP_TLS" = 1 ]; then
        # with --tls the rulers query the sidecars and the store gateway themselves, over mutual TLS like the querier
        # (gauntlet.ruler.query-http-client-file would point them at the querier's HTTPS port instead, as in Kubernetes)
        local stores=()
        if up_has sidecar; then stores+=("127.0.0.1:$P_SIDECAR_A_GRPC" "127.0.0.1:$P_SIDECAR_B_GRPC"); fi
        if up_has store-gateway; then stores+=("127.0.0.1:$P_STORE_GATEWAY_GRPC"); fi
        UP_CMD+=("-Dgauntlet.ruler.store-endpoints=$(IFS=,; echo "${stores[*]}")" -Dgauntlet.ruler.query-replica-labels=prometheus_replica)
      else
        UP_CMD+=("-Dgauntlet.ruler.query-endpoints=http://127.0.0.1:$P_QUERIER_HTTP")
      fi
      if [ "$UP_ALERTMANAGER" = 1 ]; then UP_CMD+=("-Dgauntlet.ruler.alertmanagers-url=http://127.0.0.1:$P_ALERTMANAGER_HTTP"); fi ;;
  esac
  UP_CMD+=(-jar "$(up_jar "$module")")
  up_spawn "$name" "${UP_CMD[@]}"
}

# The rulers' rule files: a Watchdog that always fires (as kube-prometheus-stack ships it) and recording rules over
# the stack's own metrics.
up_write_rules() {
  mkdir -p "$UP_DIR/config/rules"
  cat >"$UP_DIR/config/rules/gauntlet.yml" <<'YAML'
# generated by ./gauntlet up: evaluated by the ruler pair through the querier
groups:
  - name: general.rules
    rules:
      - alert: Watchdog
        expr: vector(1)
        labels:
          severity: none
        annotations:
          summary: An alert that should always be firing to certify that Alertmanager is working properly.
          description: This is an alert meant to ensure that the entire alerting pipeline is functional.
  - name: gauntlet.rules
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - record: job:http_requests:rate5m
        expr: sum by (job, handler) (rate(http_requests_total[5m]))
      - record: gauntlet:shipper_uploads:increase1h
        expr: sum by (prometheus_replica) (increase(thanos_shipper_uploads_total[1h]))
      - record: gauntlet:store_gateway_blocks_loaded
        expr: max(thanos_bucket_store_blocks_loaded)
YAML
}

# The query frontend's results cache (Thanos' YAML): memcached with --memcached, else in the frontend's memory.
up_write_frontend_cache() {
  mkdir -p "$UP_DIR/config"
  if [ "$UP_MEMCACHED" = 1 ]; then
    printf 'type: MEMCACHED\nconfig:\n  addresses: ["127.0.0.1:%s"]\n  max_item_size: 8MiB\n' "$P_MEMCACHED" >"$UP_DIR/config/query-frontend-cache.yml"
  else
    printf 'type: IN-MEMORY\nconfig:\n  max_size: 256MB\n' >"$UP_DIR/config/query-frontend-cache.yml"
  fi
}

# Debian's memcached for the query frontend (--memcached): loopback only, 256 MB, items up to 8 MB.
up_start_memcached() {
  up_alive memcached && return 0
  command -v memcached >/dev/null || apt_install memcached
  local as_user=()
  if [ "$(id -u)" = 0 ]; then as_user=(-u nobody); fi # memcached refuses to run as root
  up_spawn memcached memcached -l 127.0.0.1 -p "$P_MEMCACHED" -U 0 -m 256 -I 8m "${as_user[@]}"
  local deadline=$((SECONDS + 20))
  until deps_port_open "$P_MEMCACHED"; do
    up_alive memcached && [ $SECONDS -lt $deadline ] || { deps_log_tail "$(up_log memcached)"; return 1; }
    sleep 0.2
  done
}

# Alertmanager 0.25 (Debian's prometheus-alertmanager) for the rulers, clustering off.
up_start_alertmanager() {
  up_alive alertmanager && return 0
  mkdir -p "$UP_DIR/config" "$UP_DIR/data/alertmanager"
  cat >"$UP_DIR/config/alertmanager.yml" <<'YAML'
# generated by ./gauntlet up: every alert goes to a receiver that drops it; see them in the UI or /api/v2/alerts
route:
  receiver: blackhole
  group_by: [alertname]
receivers:
  - name: blackhole
YAML
  up_spawn alertmanager prometheus-alertmanager "--config.file=$UP_DIR/config/alertmanager.yml" \
    "--storage.path=$UP_DIR/data/alertmanager" "--web.listen-address=127.0.0.1:$P_ALERTMANAGER_HTTP" --cluster.listen-address=
}

# ---------------------------------------------------------------- seeding

# --seed-history <duration> [--seed-profile P] [--seed-instances N]: synthetic blocks of both replicas written into the
# bucket once per run directory, each announced on Kafka so the compactor compacts and downsamples it at once.
up_seed_build() {
  local tool="$ROOT/scripts/seed"
  if [ ! -f "$tool/target/classpath.txt" ] || [ -n "$(find "$tool/src" "$tool/pom.xml" -newer "$tool/target/classpath.txt" -type f -print -quit)" ]; then
    log "building the history seeder (scripts/seed)"
    "${MVN[@]}" -q -f "$tool/pom.xml" package -DskipTests >"$UP_DIR/logs/seed-build.log" 2>&1 \
      || { tail -n 30 "$UP_DIR/logs/seed-build.log" >&2; die "building scripts/seed failed (log: $UP_DIR/logs/seed-build.log)"; }
  fi
}

up_seed_java() {
  local tool="$ROOT/scripts/seed"
  "$JAVA_HOME/bin/java" -Xmx768m -cp "$tool/target/classes:$(cat "$tool/target/classpath.txt")" io.gauntlet.seed.SeedHistory "$@"
}

up_seed() {
  local duration="$1" profile="$2" instances="$3" stamp="$UP_DIR/seeded-history"
  if [ -f "$stamp" ]; then
    log "history already seeded in this run directory ($(cat "$stamp")); remove $stamp to seed again"
    return 0
  fi
  up_seed_build
  log "seeding $duration of ${profile:-node-exporter} history for both replicas into the bucket (./gauntlet status shows the progress)"
  local args=(--objstore-config-file "$UP_DIR/config/objstore.yml" --duration "$duration"
    --external-labels "cluster=$UP_CLUSTER" --replica-label prometheus_replica --replicas a,b
    --scratch "$UP_DIR/data/seed" --kafka-bootstrap "127.0.0.1:$P_KAFKA" --progress-file "$UP_DIR/seed.progress")
  if [ -n "$profile" ]; then args+=(--profile "$profile"); fi
  if [ -n "$instances" ]; then args+=(--instances "$instances"); fi
  if [ "$UP_TLS" = 1 ]; then args+=(--kafka-properties "$UP_DIR/tls/kafka-client.properties"); fi
  set +o pipefail
  up_seed_java "${args[@]}" 2>&1 | tee "$UP_DIR/logs/seed.log" | sed -u -n 's/^\(seeding\|seeded\|  [0-9]\)/  &/p' >&2
  local rc="${PIPESTATUS[0]}"
  set -o pipefail
  if [ "$rc" != 0 ]; then
    tail -n 30 "$UP_DIR/logs/seed.log" >&2
    die "seeding history failed (log: $UP_DIR/logs/seed.log)"
  fi
  echo "$duration ${profile:-node-exporter} $(date -u +%FT%TZ)" >"$stamp"
}

# The seeding's progress and how much of it the compactor has downsampled (for ./gauntlet status).
up_seed_status() {
  [ -f "$UP_DIR/seed.progress" ] && [ -f "$ROOT/scripts/seed/target/classpath.txt" ] || return 0
  select_java >/dev/null 2>&1 || return 0
  echo
  up_seed_java status --progress-file "$UP_DIR/seed.progress" --objstore-config-file "$UP_DIR/config/objstore.yml" 2>&1 || true
}

# The querier is ready before its first round of Info calls: wait (briefly) until it lists every endpoint as
# healthy, so the printed URLs answer with data at once.
up_wait_querier_stores() {
  local want=0 healthy=0 deadline=$((SECONDS + 30))
  if up_has sidecar; then want=$((want + 2)); fi
  if up_has store-gateway; then want=$((want + 1)); fi
  if up_has ruler; then want=$((want + 2)); fi
  up_curl_opts querier
  while [ $SECONDS -lt $deadline ]; do
    healthy="$(curl -fsS --max-time 2 "${UP_CURL_OPTS[@]}" "$(up_base_url querier)/api/v1/stores" 2>/dev/null | grep -o '"healthy":true' | wc -l || true)"
    [ "$healthy" -ge "$want" ] && return 0
    sleep 0.5
  done
  log "the querier sees $healthy of $want store endpoints as healthy after 30s ($(up_base_url querier)/api/v1/stores)"
}

# ---------------------------------------------------------------- commands

up_usage() {
  cat <<USAGE
usage: ./gauntlet up [--tls] [--s3|--azure] [--memcached] [--seed-history 30d [--seed-profile P] [--seed-instances N]] [--detach] [--no-build]

  --tls                 a CA and certificates made at start (in the run directory's tls/): mutual TLS on every gRPC link,
                        HTTPS with basic auth on the querier and the query frontend, Kafka over SASL_SSL (SCRAM-SHA-512)

  --s3                  the bucket is an s3proxy on 127.0.0.1:19000 instead of a directory (FILESYSTEM)
  --azure               the bucket is a container in Azurite (the Azure Storage emulator, from npm) on 127.0.0.1:19010
  --memcached           the query frontend caches results in a memcached on 127.0.0.1:19211 (default: in its memory)
  --seed-history DUR    write DUR (e.g. 30d, 12h) of synthetic history blocks of both replicas into the bucket, once
  --seed-profile P      what the history looks like: node-exporter (default), kube, demo, or minimal (ten series)
  --seed-instances N    how many nodes (node-exporter, kube) or demo instances to seed (default 6, 4, 3)
  --detach              return once everything is ready and leave it running (stop with ./gauntlet down)
  --no-build            use the service jars as they are (a service without a jar is skipped)
Environment: GAUNTLET_UP_DIR, GAUNTLET_UP_PORT_OFFSET, GAUNTLET_UP_SCRAPE_INTERVAL, GAUNTLET_UP_READY_SECONDS.
USAGE
}

up_ensure_prometheus() {
  command -v prometheus >/dev/null && return 0
  if [ "$(id -u)" = 0 ]; then
    log "installing Prometheus 2.42 from Debian (package prometheus)"
    apt_install prometheus
  else
    die "Prometheus is missing; install it with: sudo apt-get install -y --no-install-recommends prometheus"
  fi
}

up_print_summary() {
  local q
  q="$(up_base_url querier)"
  echo
  echo "Gauntlet is up (run directory $UP_DIR; logs in $UP_DIR/logs)."
  echo "  Prometheus replicas:  http://127.0.0.1:$P_PROMETHEUS_A  http://127.0.0.1:$P_PROMETHEUS_B"
  if up_has sidecar; then echo "  sidecars (StoreAPI):  127.0.0.1:$P_SIDECAR_A_GRPC  127.0.0.1:$P_SIDECAR_B_GRPC"; fi
  if up_has store-gateway; then echo "  store gateway:        127.0.0.1:$P_STORE_GATEWAY_GRPC"; fi
  echo "  Kafka:                127.0.0.1:$P_KAFKA    bucket: $(sed -n 's/^type: //p' "$UP_DIR/config/objstore.yml") ($UP_DIR/config/objstore.yml)"
  local grafana="$q"
  if up_has query-frontend; then
    grafana="$(up_base_url query-frontend)"
    echo "  query frontend:       $grafana/   (range queries split by day and cached, $(sed -n 's/^type: //p' "$UP_DIR/config/query-frontend-cache.yml" 2>/dev/null); Grafana's URL)"
  fi
  if up_has querier && [ "$UP_TLS" = 1 ]; then
    up_print_tls_summary "$q" "$grafana"
  elif up_has querier; then
    cat <<TEXT
  querier UI:           $q/
  querier API:          $q/api/v1/query?query=up   (dedup=true&partial_response=true by default)
  querier StoreAPI:     127.0.0.1:$P_QUERIER_GRPC   (an upper querier's endpoint: gauntlet.querier.endpoints or Thanos --endpoint)

TEXT
    up_print_datasource "$grafana"
  else
    echo "  (no querier module yet: query the Prometheus replicas directly, or the sidecars with a Thanos querier)"
  fi
  if up_has ruler; then
    cat <<TEXT
  rulers:               http://127.0.0.1:$P_RULER_A_HTTP/api/v1/rules  http://127.0.0.1:$P_RULER_B_HTTP/api/v1/rules  (rules: $UP_DIR/config/rules/)
  alerts and rules:     $q/api/v1/alerts  $q/api/v1/rules   (both rulers, deduplicated on rule_replica)
  recorded series:      $q/api/v1/query?query=job:up:sum
TEXT
  fi
  if [ "$UP_ALERTMANAGER" = 1 ]; then echo "  Alertmanager:         http://127.0.0.1:$P_ALERTMANAGER_HTTP/  (the Watchdog alert: /api/v2/alerts)"; fi
  echo
}

# How to reach the --tls stack: the CA, the user, the password file, the client certificate for the StoreAPI.
up_print_tls_summary() {
  local q="$1" grafana="$2" t="$UP_DIR/tls"
  cat <<TEXT
  querier UI:           $q/   (user $UP_TLS_USER, password in $t/password; the browser must trust $t/ca.crt)
  querier API:          curl --cacert $t/ca.crt -u $UP_TLS_USER:\$(cat $t/password) '$q/api/v1/query?query=up'
                        (or: curl -K $t/curl.conf '$q/api/v1/query?query=up'; without the user: 401)
  querier StoreAPI:     127.0.0.1:$P_QUERIER_GRPC   mutual TLS: a client certificate of $t/ca.crt, e.g. $t/querier.crt and .key
  Kafka:                SASL_SSL, SCRAM-SHA-512: the client settings are in $t/kafka-client.properties

TEXT
  up_print_datasource "$grafana"
}

# Grafana's data source for the stack; with --tls basic auth and the CA, read from the files by Grafana's $__file{}.
up_print_datasource() {
  local t="$UP_DIR/tls"
  echo "Grafana data source (provisioning/datasources/gauntlet.yaml):"
  printf 'apiVersion: 1\ndatasources:\n  - name: Gauntlet\n    type: prometheus\n    access: proxy\n    url: %s\n' "$1"
  if [ "$UP_TLS" = 1 ]; then printf '    basicAuth: true\n    basicAuthUser: %s\n' "$UP_TLS_USER"; fi
  printf '    jsonData:\n      httpMethod: POST\n      prometheusType: Thanos\n      customQueryParameters: dedup=true&partial_response=true\n'
  if [ "$UP_TLS" = 1 ]; then
    printf '      tlsAuthWithCACert: true\n    secureJsonData:\n      basicAuthPassword: $__file{%s}\n      tlsCACert: $__file{%s}\n' \
      "$t/password" "$t/ca.crt"
  fi
}

cmd_up() {
  UP_S3=0
  UP_AZURE=0
  UP_MEMCACHED=0
  UP_TLS=0
  local seed="" seed_profile="" seed_instances="" detach=0 build=1
  while [ $# -gt 0 ]; do
    case "$1" in
      --s3) UP_S3=1 ;;
      --azure) UP_AZURE=1 ;;
      --tls) UP_TLS=1 ;;
      --memcached) UP_MEMCACHED=1 ;;
      --seed-profile) [ -n "${2:-}" ] || die "--seed-profile needs one of node-exporter, kube, demo, minimal"; seed_profile="$2"; shift ;;
      --seed-profile=*) seed_profile="${1#*=}" ;;
      --seed-instances) [ -n "${2:-}" ] || die "--seed-instances needs a number"; seed_instances="$2"; shift ;;
      --seed-instances=*) seed_instances="${1#*=}" ;;
      --seed-history) [ -n "${2:-}" ] || die "--seed-history needs a duration, e.g. 30d"; seed="$2"; shift ;;
      --seed-history=*) seed="${1#*=}" ;;
      --detach|-d) detach=1 ;;
      --no-build) build=0 ;;
      -h|--help) up_usage; return 0 ;;
      *) up_usage >&2; die "unknown option for up: $1" ;;
    esac
    shift
  done
  case "$seed" in ''|[1-9]*[mhdw]) ;; *) die "--seed-history wants a duration like 30d or 12h, got '$seed'" ;; esac
  case "$seed_profile" in ''|node-exporter|kube|demo|minimal) ;; *) die "--seed-profile wants node-exporter, kube, demo or minimal, got '$seed_profile'" ;; esac
  case "$seed_instances" in ''|[1-9]|[1-9][0-9]|[1-9][0-9][0-9]) ;; *) die "--seed-instances wants a number from 1 to 999, got '$seed_instances'" ;; esac
  if [ -z "$seed" ] && [ -n "$seed_profile$seed_instances" ]; then die "--seed-profile and --seed-instances go with --seed-history 30d"; fi
  if [ "$UP_S3" = 1 ] && [ "$UP_AZURE" = 1 ]; then die "--s3 and --azure each choose the bucket: give one of them"; fi
  select_java; ensure_maven; ensure_node; up_ensure_prometheus
  command -v curl >/dev/null || apt_install curl
  GAUNTLET_UP_PORT_OFFSET="${GAUNTLET_UP_PORT_OFFSET:-0}" up_ports
  mkdir -p "$UP_DIR/logs"
  local name
  for name in prometheus-a sidecar-a querier; do
    up_alive "$name" && die "the stack already runs from $UP_DIR: see ./gauntlet status, stop it with ./gauntlet down"
  done
  up_select_modules
  if [ "$build" = 1 ]; then
    up_build
  else
    local m kept=()
    for m in "${UP_PRESENT[@]}"; do
      if [ -f "$(up_jar "$m")" ]; then kept+=("$m"); else log "not started (--no-build and no jar at $(up_jar "$m")): $m"; fi
    done
    UP_PRESENT=("${kept[@]}")
  fi
  up_check_ports_free
  up_tls_mode_check
  if [ "$UP_TLS" = 1 ]; then up_tls_generate; fi
  echo "$UP_TLS" >"$UP_DIR/tls-mode"
  echo "$UP_S3" >"$UP_DIR/s3"
  echo "$UP_AZURE" >"$UP_DIR/azure"
  echo "$UP_PORT_OFFSET" >"$UP_DIR/port-offset"
  echo "UP_PRESENT=(${UP_PRESENT[*]})" >"$UP_DIR/modules"

  trap 'up_stop_all; exit 130' INT TERM HUP
  trap 'up_stop_all' EXIT # until everything is ready: any failure stops what was started
  local kafka_security=()
  if [ "$UP_TLS" = 1 ]; then kafka_security=("$UP_DIR/tls/kafka"); fi
  deps_kafka_start "$UP_DIR/kafka" "$P_KAFKA" "${kafka_security[@]}" || die "kafka did not start (see above)"
  if [ "$UP_S3" = 1 ]; then deps_s3proxy_start "$UP_DIR/s3proxy" "$P_S3" || die "s3proxy did not start (see above)"; fi
  if [ "$UP_AZURE" = 1 ]; then ensure_azurite; deps_azurite_start "$UP_DIR/azurite" "$P_AZURE" || die "azurite did not start (see above)"; fi
  up_write_objstore
  if [ -n "$seed" ]; then up_seed "$seed" "$seed_profile" "$seed_instances"; fi

  if [ "$UP_MEMCACHED" = 1 ] && up_has query-frontend; then
    up_start_memcached || die "memcached did not start on 127.0.0.1:$P_MEMCACHED; stopping everything"
    log "memcached ready on 127.0.0.1:$P_MEMCACHED"
  fi
  for name in prometheus-a prometheus-b; do up_start_prometheus "${name#prometheus-}"; done
  for name in prometheus-a prometheus-b; do up_wait_ready "$name" || die "$name did not become ready; stopping everything"; done
  log "prometheus pair ready"
  UP_ALERTMANAGER=0
  if up_has ruler; then
    if command -v prometheus-alertmanager >/dev/null || { [ "$(id -u)" = 0 ] && apt_install prometheus-alertmanager; }; then
      UP_ALERTMANAGER=1
      up_start_alertmanager
      up_wait_ready alertmanager || die "alertmanager did not become ready; stopping everything"
      log "alertmanager ready"
    else
      log "prometheus-alertmanager is missing (sudo apt-get install prometheus-alertmanager): the rulers run without one"
    fi
  fi
  for name in $(up_components); do
    case "$name" in prometheus-*) continue ;; esac
    up_start_service "$name"
  done
  for name in $(up_components); do
    case "$name" in prometheus-*) continue ;; esac
    up_wait_ready "$name" || die "$name did not become ready; stopping everything"
    log "$name ready"
  done
  trap - EXIT
  if up_has querier; then up_wait_querier_stores; fi
  up_print_summary
  if [ "$detach" = 1 ]; then
    trap - INT TERM HUP
    echo "Running in the background: ./gauntlet status, ./gauntlet down."
    return 0
  fi
  echo "Press Ctrl-C to stop everything (or ./gauntlet down from another shell)."
  trap 'echo; log "stopping"; up_stop_all; exit 0' INT TERM HUP
  local reported=" "
  while :; do
    local any=0
    for name in $(up_components); do
      if up_alive "$name"; then
        any=1
      elif [[ "$reported" != *" $name "* ]]; then
        log "$name is no longer running (log: $(up_log "$name"))"
        reported+="$name "
      fi
    done
    [ "$any" = 1 ] || { log "every process has stopped"; up_stop_all; return 0; }
    sleep 2
  done
}

cmd_down() {
  up_ports
  [ -d "$UP_DIR" ] || { log "nothing runs from $UP_DIR"; return 0; }
  up_stop_all
  log "stopped; data kept in $UP_DIR (remove it for a fresh start)"
}

cmd_status() {
  up_ports
  [ -d "$UP_DIR" ] || { echo "not started (no $UP_DIR)"; return 3; }
  UP_PRESENT=()
  # shellcheck disable=SC1091
  if [ -f "$UP_DIR/modules" ]; then source "$UP_DIR/modules"; fi
  UP_TLS="$(cat "$UP_DIR/tls-mode" 2>/dev/null || echo 0)"
  local name port state running=0 unhealthy=0
  printf '%-14s %-8s %-7s %-22s %s\n' COMPONENT PID STATE HTTP LOG
  for name in $(up_components); do
    port="$(up_http_port "$name")"
    if up_alive "$name"; then
      running=$((running + 1))
      if up_ready_ok "$name"; then state=ready; else state=unready; unhealthy=1; fi
      printf '%-14s %-8s %-7s %-22s %s\n' "$name" "$(cat "$(up_pidfile "$name")")" "$state" "127.0.0.1:$port" "$(up_log "$name")"
    else
      printf '%-14s %-8s %-7s %-22s %s\n' "$name" - stopped "127.0.0.1:$port" "$(up_log "$name")"
      unhealthy=1
    fi
  done
  if deps_pid_alive "$UP_DIR/kafka/kafka.pid" kafka.Kafka; then state=running; else state=stopped; unhealthy=1; fi
  printf '%-14s %-8s %-7s %-22s %s\n' kafka "$(cat "$UP_DIR/kafka/kafka.pid" 2>/dev/null || echo -)" "$state" "127.0.0.1:$P_KAFKA" "$UP_DIR/kafka/kafka.log"
  if [ -f "$(up_pidfile memcached)" ]; then
    if up_alive memcached; then state=running; else state=stopped; unhealthy=1; fi
    printf '%-14s %-8s %-7s %-22s %s\n' memcached "$(cat "$(up_pidfile memcached)")" "$state" "127.0.0.1:$P_MEMCACHED" "$(up_log memcached)"
  fi
  if [ "$(cat "$UP_DIR/s3" 2>/dev/null)" = 1 ]; then
    if deps_pid_alive "$UP_DIR/s3proxy/s3proxy.pid" s3proxy.jar; then state=running; else state=stopped; unhealthy=1; fi
    printf '%-14s %-8s %-7s %-22s %s\n' s3proxy "$(cat "$UP_DIR/s3proxy/s3proxy.pid" 2>/dev/null || echo -)" "$state" "127.0.0.1:$P_S3" "$UP_DIR/s3proxy/s3proxy.log"
  fi
  if [ "$(cat "$UP_DIR/azure" 2>/dev/null)" = 1 ]; then
    if deps_pid_alive "$UP_DIR/azurite/azurite.pid" "$DEPS_AZURITE_MARKER"; then state=running; else state=stopped; unhealthy=1; fi
    printf '%-14s %-8s %-7s %-22s %s\n' azurite "$(cat "$UP_DIR/azurite/azurite.pid" 2>/dev/null || echo -)" "$state" "127.0.0.1:$P_AZURE" "$UP_DIR/azurite/azurite.log"
  fi
  up_seed_status
  [ "$running" -gt 0 ] || return 3
  [ "$unhealthy" = 0 ] || return 1
}
