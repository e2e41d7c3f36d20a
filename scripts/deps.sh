# shellcheck shell=bash
# Local Kafka (KRaft, one combined broker+controller) and s3proxy (S3 API over a directory) as plain
# processes on loopback. Sourced by ./gauntlet and by the test fixtures; every function returns non-zero
# with a clear message (and the log tail) instead of exiting, and is idempotent.
#
#   deps_fetch                              jars into .gauntlet/deps (via tools/deps/pom.xml) when missing or stale
#   deps_kafka_start <dir> <port> [sec]     broker on 127.0.0.1:<port>, data and log under <dir>; with a security
#                                           directory <sec> the listener is SASL_SSL with SCRAM-SHA-512 only:
#                                           <sec>/broker.p12 (PKCS12 key and certificate) and broker.p12.password,
#                                           <sec>/ca.crt (PEM, the CA the broker and its clients trust), <sec>/scram-users ("name
#                                           password" a line, created at format time; the first is the broker's own)
#   deps_kafka_stop [dir]
#   deps_s3proxy_start <dir> <port>         S3 on http://127.0.0.1:<port>, objects under <dir>/data (temporary
#                                           credentials' x-amz-security-token accepted: s3proxy ignores unknown headers);
#                                           identity/credential from GAUNTLET_S3_ACCESS_KEY/SECRET_KEY or random,
#                                           kept in <dir>/s3proxy.properties; sets DEPS_S3_ACCESS_KEY/SECRET_KEY
#   deps_s3proxy_stop [dir]
#   deps_azurite_fetch                      Azurite (the Azure Storage emulator, npm package azurite) into
#                                           .gauntlet/deps/azurite when missing or of another version
#   deps_azurite_start <dir> <port>         Azure Blob Storage on http://127.0.0.1:<port>/<account>, blobs under
#                                           <dir>/data; account and key random, kept in <dir>/azurite.properties
#                                           (and reused when the directory is started again)
#   deps_azurite_stop [dir]
#   deps_free_port                          prints a loopback port nothing listens on
#
# GAUNTLET_DEPS_LISTEN_HOST (default 127.0.0.1) and GAUNTLET_DEPS_ADVERTISED_HOST (default the listen host, or 127.0.0.1
# for 0.0.0.0) move Kafka's and s3proxy's listeners: the soak runs them on 0.0.0.0 inside its own network namespace,
# advertised at the address its other namespaces route to. The readiness probes keep using 127.0.0.1.
#
# With GAUNTLET_DEPS_OWNER_PID set (the test fixtures set their JVM's pid), a started process is also stopped
# when that owner dies, so a killed test JVM leaves nothing running.

DEPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS_DIR="${GAUNTLET_DEPS_DIR:-$DEPS_ROOT/.gauntlet/deps}"
DEPS_KAFKA_START_SECONDS="${GAUNTLET_KAFKA_START_SECONDS:-90}"
DEPS_S3PROXY_START_SECONDS="${GAUNTLET_S3PROXY_START_SECONDS:-60}"
DEPS_STOP_SECONDS=30

deps_err() { echo "deps: $*" >&2; }
deps_listen_host() { echo "${GAUNTLET_DEPS_LISTEN_HOST:-127.0.0.1}"; }
deps_advertised_host() {
  local listen
  listen="$(deps_listen_host)"
  [ "$listen" = 0.0.0.0 ] && listen=127.0.0.1
  echo "${GAUNTLET_DEPS_ADVERTISED_HOST:-$listen}"
}
deps_info() { echo "deps: $*" >&2; }

deps_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"; else command -v java; fi
}

# The log's last lines, so a failure explains itself without opening files.
deps_log_tail() {
  local log="$1"
  [ -f "$log" ] || { deps_err "(no log at $log)"; return 0; }
  deps_err "last lines of $log:"
  tail -n 40 "$log" | sed 's/^/    /' >&2
}

deps_port_open() { ( exec 3<>"/dev/tcp/127.0.0.1/$1" ) 2>/dev/null; }

deps_free_port() {
  local port tries=0
  while [ $tries -lt 200 ]; do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! deps_port_open "$port"; then echo "$port"; return 0; fi
    tries=$((tries + 1))
  done
  deps_err "found no free loopback port"
  return 1
}

# The pid file's process is alive and is still ours (its command line has the marker): a stale pid file
# whose number was reused by another process is not mistaken for a running server, nor killed.
deps_pid_alive() {
  local pidfile="$1" marker="$2" pid cmdline
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null || return 1
  [ -n "$marker" ] || return 0
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$marker"* ]]
}

deps_random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# A stamp of what was fetched: refetch (from scratch, so no stale jar stays on the classpath) when the
# fetch recipe or the BOM that pins Kafka changes.
deps_stamp() {
  { cat "$DEPS_ROOT/tools/deps/pom.xml"; grep -m1 '<quarkus.platform.version>' "$DEPS_ROOT/pom.xml"; } | cksum | cut -d' ' -f1
}

# Fetched, and by the current recipe.
deps_fetched() {
  local stamp="$1"
  [ "$(cat "$DEPS_DIR/.stamp" 2>/dev/null)" = "$stamp" ] && [ -f "$DEPS_DIR/s3proxy/s3proxy.jar" ] \
    && compgen -G "$DEPS_DIR/kafka/kafka_2.13-*.jar" >/dev/null
}

deps_fetch() {
  local stamp
  [ -f "$DEPS_ROOT/tools/deps/pom.xml" ] || { deps_err "no tools/deps/pom.xml under $DEPS_ROOT: source scripts/deps.sh from the repository"; return 1; }
  stamp="$(deps_stamp)"
  deps_fetched "$stamp" && return 0
  mkdir -p "$DEPS_DIR" || { deps_err "cannot create $DEPS_DIR"; return 1; }
  (
    # several test JVMs may ask at once: one fetches, the others wait for it
    flock -w 600 9 || { deps_err "timed out waiting for another fetch ($DEPS_DIR/.lock)"; exit 1; }
    deps_fetched "$stamp" && exit 0
    command -v mvn >/dev/null || { deps_err "mvn is missing: install maven to fetch the Kafka and s3proxy jars"; exit 1; }
    deps_info "fetching the Kafka broker and s3proxy jars from Maven Central into $DEPS_DIR"
    rm -f "$DEPS_DIR/.stamp"
    rm -rf "$DEPS_DIR/kafka" "$DEPS_DIR/s3proxy"
    if ! mvn -B -ntp -q -f "$DEPS_ROOT/tools/deps/pom.xml" process-resources -Dgauntlet.deps.dir="$DEPS_DIR" \
        >"$DEPS_DIR/fetch.log" 2>&1; then
      deps_err "fetching the jars failed (mvn -f tools/deps/pom.xml process-resources)"
      deps_log_tail "$DEPS_DIR/fetch.log"
      exit 1
    fi
    echo "$stamp" >"$DEPS_DIR/.stamp"
  ) 9>"$DEPS_DIR/.lock"
}

# Waits until "$@" succeeds, the process in the pid file dies, or the deadline passes.
deps_wait_ready() {
  local what="$1" pidfile="$2" marker="$3" log="$4" seconds="$5"
  shift 5
  local deadline=$((SECONDS + seconds))
  while [ $SECONDS -lt $deadline ]; do
    # only "is the pid alive": until the forked shell has exec'd the server its command line lacks the marker
    if ! deps_pid_alive "$pidfile" ""; then
      deps_err "$what exited during start-up"
      deps_log_tail "$log"
      return 1
    fi
    # ready, and the process is the server (its command line has the marker by now)
    if "$@" && deps_pid_alive "$pidfile" "$marker"; then return 0; fi
    sleep 0.2
  done
  deps_err "$what not ready within ${seconds}s"
  deps_log_tail "$log"
  return 1
}

# TERM, then KILL after a deadline; removes the pid file.
deps_stop_pidfile() {
  local what="$1" pidfile="$2" marker="$3"
  if ! deps_pid_alive "$pidfile" "$marker"; then rm -f "$pidfile"; return 0; fi
  local pid deadline
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null
  deadline=$((SECONDS + DEPS_STOP_SECONDS))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    deps_err "$what (pid $pid) ignored TERM for ${DEPS_STOP_SECONDS}s; killing it"
    kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
}

# Stops the process in the pid file once GAUNTLET_DEPS_OWNER_PID is gone (no-op without an owner).
deps_watch_owner() {
  local pidfile="$1" owner="${GAUNTLET_DEPS_OWNER_PID:-}"
  [ -n "$owner" ] || return 0
  setsid nohup bash -c 'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 2; done; kill "$1" 2>/dev/null' \
    "$owner" "$(cat "$pidfile")" >/dev/null 2>&1 </dev/null &
}

# Refuses a port that is taken by something other than our own process.
deps_check_port_free() {
  local what="$1" port="$2"
  if deps_port_open "$port"; then
    deps_err "cannot start $what: 127.0.0.1:$port is already in use by another process"
    return 1
  fi
}

deps_check_args() {
  local fn="$1" dir="$2" port="$3"
  if [ -z "$dir" ] || [ -z "$port" ]; then deps_err "usage: $fn <dir> <port>"; return 1; fi
  case "$port" in ''|*[!0-9]*) deps_err "$fn: port must be a number, got '$port'"; return 1 ;; esac
}

# ---------------------------------------------------------------- Kafka

DEPS_KAFKA_DIR=""
DEPS_KAFKA_MARKER="kafka.Kafka"

# SASL_SSL + SCRAM-SHA-512 from a security directory (see deps_kafka_start): writes the broker's settings to
# <dir>/security.properties and the readiness probe's to <dir>/client.properties, and sets DEPS_KAFKA_SCRAM_ARGS
# (kafka-storage format --add-scram ...).
deps_kafka_security() {
  local dir="$1" sec="$2" name password first_name="" first_password="" file
  for file in broker.p12 broker.p12.password ca.crt scram-users; do
    [ -s "$sec/$file" ] || { deps_err "kafka security directory $sec lacks $file"; return 1; }
  done
  DEPS_KAFKA_SCRAM_ARGS=()
  while read -r name password; do
    [ -n "$name" ] || continue
    DEPS_KAFKA_SCRAM_ARGS+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$password]")
    [ -n "$first_name" ] || { first_name="$name"; first_password="$password"; }
  done <"$sec/scram-users"
  [ -n "$first_name" ] || { deps_err "$sec/scram-users names no user"; return 1; }
  local jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$first_name\" password=\"$first_password\";"
  (umask 077; cat >"$dir/security.properties" <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$jaas
ssl.keystore.type=PKCS12
ssl.keystore.location=$sec/broker.p12
ssl.keystore.password=$(cat "$sec/broker.p12.password")
ssl.truststore.type=PEM
ssl.truststore.location=$sec/ca.crt
ssl.client.auth=none
PROPS
  )
  (umask 077; cat >"$dir/client.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$jaas
ssl.truststore.type=PEM
ssl.truststore.location=$sec/ca.crt
PROPS
  )
}

deps_kafka_start() {
  local dir="$1" port="$2" sec="${3:-}"
  deps_check_args deps_kafka_start "$dir" "$port" || return 1
  mkdir -p "$dir" && dir="$(cd "$dir" && pwd)" || { deps_err "cannot create $dir"; return 1; }
  local pidfile="$dir/kafka.pid" log="$dir/kafka.log"
  if deps_pid_alive "$pidfile" "$DEPS_KAFKA_MARKER"; then
    if [ "$(cat "$dir/kafka.port" 2>/dev/null)" != "$port" ]; then
      deps_err "kafka in $dir already runs on port $(cat "$dir/kafka.port" 2>/dev/null), not $port; stop it first"
      return 1
    fi
    DEPS_KAFKA_DIR="$dir"
    return 0
  fi
  deps_fetch || return 1
  deps_check_port_free kafka "$port" || return 1
  local java classpath controller_port
  java="$(deps_java)" || { deps_err "no java found (set JAVA_HOME)"; return 1; }
  classpath="$DEPS_DIR/kafka/*"
  # the controller's address is recorded in the KRaft log: keep it across restarts of the same data
  controller_port="$(cat "$dir/controller.port" 2>/dev/null || true)"
  if [ -z "$controller_port" ] || [ ! -f "$dir/data/meta.properties" ]; then
    controller_port="$(deps_free_port)" || return 1
    while [ "$controller_port" = "$port" ]; do controller_port="$(deps_free_port)" || return 1; done
  fi
  deps_check_port_free "kafka controller" "$controller_port" || return 1
  echo "$controller_port" >"$dir/controller.port"
  echo "$port" >"$dir/kafka.port"
  local listener=PLAINTEXT security="" client_properties=()
  DEPS_KAFKA_SCRAM_ARGS=()
  rm -f "$dir/client.properties" "$dir/security.properties"
  if [ -n "$sec" ]; then
    sec="$(cd "$sec" && pwd)" || { deps_err "no kafka security directory $3"; return 1; }
    listener=SASL_SSL
    deps_kafka_security "$dir" "$sec" || return 1
    security="$(cat "$dir/security.properties")"
    client_properties=("$dir/client.properties")
  fi
  (umask 077; cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=$listener://$(deps_listen_host):$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=$listener://$(deps_advertised_host):$port
listener.security.protocol.map=$listener:$listener,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=$listener
$security
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
log.dirs=$dir/data
num.partitions=4
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
  )
  local jvm=(-Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true
    -Dorg.slf4j.simpleLogger.log.kafka=warn -Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn)
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id
    # a random 16-byte id in URL-safe base64; one that starts with '-' would be read as an option by the storage tool
    # ("--cluster-id expected one argument"), so draw again
    cluster_id="-"
    while [[ "$cluster_id" == -* ]]; do
      cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    done
    if ! "$java" "${jvm[@]}" -cp "$classpath" kafka.tools.StorageTool format --standalone \
        -t "$cluster_id" -c "$dir/server.properties" "${DEPS_KAFKA_SCRAM_ARGS[@]}" >"$log" 2>&1; then
      deps_err "formatting the Kafka storage in $dir/data failed"
      deps_log_tail "$log"
      return 1
    fi
  fi
  setsid nohup "$java" "${jvm[@]}" -cp "$classpath" kafka.Kafka "$dir/server.properties" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  DEPS_KAFKA_DIR="$dir"
  deps_watch_owner "$pidfile"
  deps_wait_ready "kafka on 127.0.0.1:$port" "$pidfile" "$DEPS_KAFKA_MARKER" "$log" "$DEPS_KAFKA_START_SECONDS" \
    deps_port_open "$port" || { deps_stop_pidfile kafka "$pidfile" "$DEPS_KAFKA_MARKER"; return 1; }
  # port open is not enough: a metadata request must succeed
  if ! "$java" -Xmx128m -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$classpath" \
      "$DEPS_ROOT/tools/deps/src/KafkaReadiness.java" "127.0.0.1:$port" "$DEPS_KAFKA_START_SECONDS" "${client_properties[@]}" \
      >>"$dir/readiness.log" 2>&1; then
    deps_err "kafka on 127.0.0.1:$port accepts connections but answers no metadata request"
    deps_log_tail "$dir/readiness.log"
    deps_log_tail "$log"
    deps_stop_pidfile kafka "$pidfile" "$DEPS_KAFKA_MARKER"
    return 1
  fi
  deps_info "kafka ready on 127.0.0.1:$port (data and log in $dir)"
}

deps_kafka_stop() {
  local dir="${1:-$DEPS_KAFKA_DIR}"
  [ -n "$dir" ] || { deps_err "usage: deps_kafka_stop <dir>"; return 1; }
  [ -d "$dir" ] || return 0
  deps_stop_pidfile kafka "$dir/kafka.pid" "$DEPS_KAFKA_MARKER"
}

# ---------------------------------------------------------------- s3proxy

DEPS_S3PROXY_DIR=""
DEPS_S3PROXY_MARKER="s3proxy.jar"
DEPS_S3_ACCESS_KEY=""
DEPS_S3_SECRET_KEY=""

deps_s3proxy_read_credentials() {
  local props="$1/s3proxy.properties"
  DEPS_S3_ACCESS_KEY="$(sed -n 's/^s3proxy.identity=//p' "$props")"
  DEPS_S3_SECRET_KEY="$(sed -n 's/^s3proxy.credential=//p' "$props")"
}

# An HTTP answer of any status (403 without credentials) shows the S3 front end is serving.
deps_s3proxy_answers() {
  local port="$1" status
  status="$(
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || exit 1
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    timeout 2 head -n 1 <&3
  )" 2>/dev/null
  case "$status" in HTTP/*) return 0 ;; *) return 1 ;; esac
}

deps_s3proxy_start() {
  local dir="$1" port="$2"
  deps_check_args deps_s3proxy_start "$dir" "$port" || return 1
  mkdir -p "$dir/data" && dir="$(cd "$dir" && pwd)" || { deps_err "cannot create $dir"; return 1; }
  local pidfile="$dir/s3proxy.pid" log="$dir/s3proxy.log" props="$dir/s3proxy.properties"
  if deps_pid_alive "$pidfile" "$DEPS_S3PROXY_MARKER"; then
    if [ "$(cat "$dir/s3proxy.port" 2>/dev/null)" != "$port" ]; then
      deps_err "s3proxy in $dir already runs on port $(cat "$dir/s3proxy.port" 2>/dev/null), not $port; stop it first"
      return 1
    fi
    DEPS_S3PROXY_DIR="$dir"
    deps_s3proxy_read_credentials "$dir"
    return 0
  fi
  deps_fetch || return 1
  deps_check_port_free s3proxy "$port" || return 1
  local java identity credential
  java="$(deps_java)" || { deps_err "no java found (set JAVA_HOME)"; return 1; }
  identity="${GAUNTLET_S3_ACCESS_KEY:-gauntlet-$(deps_random_hex 6)}"
  credential="${GAUNTLET_S3_SECRET_KEY:-$(deps_random_hex 20)}"
  echo "$port" >"$dir/s3proxy.port"
  (
    umask 077
    cat >"$props" <<PROPS
s3proxy.endpoint=http://$(deps_listen_host):$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$identity
s3proxy.credential=$credential
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/data
PROPS
  )
  setsid nohup "$java" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -jar "$DEPS_DIR/s3proxy/s3proxy.jar" --properties "$props" >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  DEPS_S3PROXY_DIR="$dir"
  deps_watch_owner "$pidfile"
  deps_wait_ready "s3proxy on 127.0.0.1:$port" "$pidfile" "$DEPS_S3PROXY_MARKER" "$log" "$DEPS_S3PROXY_START_SECONDS" \
    deps_s3proxy_answers "$port" || { deps_stop_pidfile s3proxy "$pidfile" "$DEPS_S3PROXY_MARKER"; return 1; }
  deps_s3proxy_read_credentials "$dir"
  deps_info "s3proxy ready on http://127.0.0.1:$port (objects in $dir/data, credentials in $props)"
}

deps_s3proxy_stop() {
  local dir="${1:-$DEPS_S3PROXY_DIR}"
  [ -n "$dir" ] || { deps_err "usage: deps_s3proxy_stop <dir>"; return 1; }
  [ -d "$dir" ] || return 0
  deps_stop_pidfile s3proxy "$dir/s3proxy.pid" "$DEPS_S3PROXY_MARKER"
}

# ---------------------------------------------------------------- Azurite

DEPS_AZURITE_VERSION=3.37.0
DEPS_AZURITE_MARKER="azurite-blob"

deps_azurite_bin() { echo "$DEPS_DIR/azurite/node_modules/.bin/azurite-blob"; }

deps_azurite_fetched() {
  [ "$(cat "$DEPS_DIR/azurite/.version" 2>/dev/null)" = "$DEPS_AZURITE_VERSION" ] && [ -x "$(deps_azurite_bin)" ]
}

deps_azurite_fetch() {
  deps_azurite_fetched && return 0
  mkdir -p "$DEPS_DIR" || { deps_err "cannot create $DEPS_DIR"; return 1; }
  (
    flock -w 900 8 || { deps_err "timed out waiting for another Azurite install ($DEPS_DIR/.azurite.lock)"; exit 1; }
    deps_azurite_fetched && exit 0
    command -v npm >/dev/null || { deps_err "npm is missing: install nodejs and npm to run Azurite"; exit 1; }
    deps_info "installing Azurite $DEPS_AZURITE_VERSION from npm into $DEPS_DIR/azurite (a few minutes, once)"
    rm -rf "$DEPS_DIR/azurite" && mkdir -p "$DEPS_DIR/azurite"
    if ! npm install --prefix "$DEPS_DIR/azurite" "azurite@$DEPS_AZURITE_VERSION" --no-audit --no-fund --loglevel=error \
        >"$DEPS_DIR/azurite-install.log" 2>&1; then
      deps_err "npm install azurite@$DEPS_AZURITE_VERSION failed"
      deps_log_tail "$DEPS_DIR/azurite-install.log"
      exit 1
    fi
    echo "$DEPS_AZURITE_VERSION" >"$DEPS_DIR/azurite/.version"
  ) 8>"$DEPS_DIR/.azurite.lock"
}

# Any HTTP answer (403 without a signature) shows the blob front end is serving.
deps_azurite_answers() { deps_s3proxy_answers "$1"; }

deps_azurite_start() {
  local dir="$1" port="$2"
  deps_check_args deps_azurite_start "$dir" "$port" || return 1
  mkdir -p "$dir/data" && dir="$(cd "$dir" && pwd)" || { deps_err "cannot create $dir"; return 1; }
  local pidfile="$dir/azurite.pid" log="$dir/azurite.log" props="$dir/azurite.properties"
  if deps_pid_alive "$pidfile" "$DEPS_AZURITE_MARKER"; then
    [ "$(cat "$dir/azurite.port" 2>/dev/null)" = "$port" ] && return 0
    deps_err "azurite in $dir already runs on port $(cat "$dir/azurite.port" 2>/dev/null), not $port; stop it first"
    return 1
  fi
  deps_azurite_fetch || return 1
  deps_check_port_free azurite "$port" || return 1
  local account key
  # a restart over the same data keeps its account (blobs live under it); a new directory gets a random one
  account="$(sed -n 's/^account=//p' "$props" 2>/dev/null)"
  key="$(sed -n 's/^key=//p' "$props" 2>/dev/null)"
  if [ -z "$account" ] || [ -z "$key" ]; then
    account="gauntlet$(deps_random_hex 4)"
    key="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
  fi
  echo "$port" >"$dir/azurite.port"
  (umask 077; printf 'account=%s\nkey=%s\nendpoint=http://127.0.0.1:%s/%s\n' "$account" "$key" "$port" "$account" >"$props")
  # AZURITE_ACCOUNTS replaces the well-known development account with this run's random one
  AZURITE_ACCOUNTS="$account:$key" setsid nohup "$(deps_azurite_bin)" --blobHost 127.0.0.1 --blobPort "$port" \
    --location "$dir/data" --skipApiVersionCheck --loose --disableTelemetry --silent >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  deps_watch_owner "$pidfile"
  deps_wait_ready "azurite on 127.0.0.1:$port" "$pidfile" "$DEPS_AZURITE_MARKER" "$log" "$DEPS_S3PROXY_START_SECONDS" \
    deps_azurite_answers "$port" || { deps_stop_pidfile azurite "$pidfile" "$DEPS_AZURITE_MARKER"; return 1; }
  deps_info "azurite ready on http://127.0.0.1:$port/$account (blobs in $dir/data, account key in $props)"
}

deps_azurite_stop() {
  local dir="${1:-}"
  [ -n "$dir" ] || { deps_err "usage: deps_azurite_stop <dir>"; return 1; }
  [ -d "$dir" ] || return 0
  deps_stop_pidfile azurite "$dir/azurite.pid" "$DEPS_AZURITE_MARKER"
}
