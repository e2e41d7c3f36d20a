// Checks the Kafka security of built overlays offline, where no schema package exists for Strimzi:
// - every gauntlet.kafka.* variable a Gauntlet Kafka client gets (env or envFrom ConfigMap) spells a Kafka client property
//   (kafka-client-properties.txt, kept current by KafkaClientPropertiesTest) or one with _FILE; every file it names lies
//   on a mounted Secret/ConfigMap (and is a key of it when the overlay generates it); SASL needs a mechanism and a JAAS
//   line, SSL a truststore (Strimzi's cluster CA is private);
// - Strimzi Kafka listeners and KafkaUsers have valid names, ports, types and enums; SCRAM only on TLS listeners; a
//   user's cluster exists, listens with its authentication, and enforces its ACLs (authorization, User Operator);
//   topic ACLs name a KafkaTopic of the overlay;
// - a client's bootstrap port meets a listener (in its own overlay, or the master's for an external address) whose TLS
//   and SASL mechanism are what the client speaks.
// Usage: node kafka-security.mjs <name>=<file.yaml> ...   exit 1 on any problem.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const dir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(dir, "../..");
const KNOWN = new Set(fs.readFileSync(path.join(dir, "kafka-client-properties.txt"), "utf8").split("\n")
  .filter((l) => l && !l.startsWith("#")));
const ENV_TO_PROPERTY = new Map([...KNOWN].flatMap((p) => [[envOf(p), p], [`${envOf(p)}_FILE`, `${p}-file`]]));
function envOf(property) { return `GAUNTLET_KAFKA_${property.replace(/\./g, "_").toUpperCase()}`; }

const problems = [];
const notes = new Set();
let checks = 0;
const problem = (where, text) => problems.push(`${where}: ${text}`);
const ok = () => checks++;

// services whose code reads gauntlet.kafka.* (the shared KafkaClientProperties of libs/events)
const kafkaServices = new Map();
for (const name of fs.readdirSync(path.join(root, "services"))) {
  const pom = path.join(root, "services", name, "pom.xml");
  if (!fs.existsSync(pom)) continue;
  const src = path.join(root, "services", name, "src/main/java");
  const reads = fs.existsSync(src) && fs.readdirSync(src, { recursive: true }).filter((f) => String(f).endsWith(".java"))
    .some((f) => fs.readFileSync(path.join(src, String(f)), "utf8").includes("KafkaClientProperties.fromConfig"));
  const artifact = fs.readFileSync(pom, "utf8").replace(/<parent>[\s\S]*?<\/parent>/, "").match(/<artifactId>([^<]+)</)?.[1];
  if (reads) kafkaServices.set(artifact, name);
}

const LISTENER_TYPES = new Set(["internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip"]);
const LISTENER_AUTH = new Set(["tls", "scram-sha-512", "oauth", "custom"]);
const USER_AUTH = new Set(["tls", "tls-external", "scram-sha-512"]);
const ACL_RESOURCES = new Set(["topic", "group", "cluster", "transactionalId"]);
const ACL_OPERATIONS = new Set(["Read", "Write", "Create", "Delete", "Alter", "Describe", "ClusterAction", "AlterConfigs",
  "DescribeConfigs", "IdempotentWrite", "All"]);
const PROTOCOLS = new Set(["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]);
const MECHANISMS = { "SCRAM-SHA-512": "scram-sha-512", "SCRAM-SHA-256": null, PLAIN: null, OAUTHBEARER: "oauth", GSSAPI: null };

function checkStrimzi(name, objects) {
  const kafkas = new Map(objects.filter((o) => o.kind === "Kafka").map((o) => [o.metadata.name, o]));
  const topics = new Set(objects.filter((o) => o.kind === "KafkaTopic").map((o) => o.spec?.topicName ?? o.metadata.name));
  for (const [kname, kafka] of kafkas) {
    const where = `${name}: Kafka/${kname}`;
    const names = new Set(), ports = new Set();
    for (const l of kafka.spec?.kafka?.listeners ?? []) {
      const at = `${where} listener ${l.name}`;
      if (!/^[a-z0-9]{1,11}$/.test(l.name ?? "")) problem(at, "name must be 1-11 lower-case letters or digits"); else ok();
      if (!Number.isInteger(l.port) || l.port < 9092 || [9404, 9999].includes(l.port)) problem(at, `port ${l.port} is not allowed (≥ 9092, not 9404/9999)`); else ok();
      if (names.has(l.name) || ports.has(l.port)) problem(at, "name or port used twice"); else ok();
      names.add(l.name); ports.add(l.port);
      if (!LISTENER_TYPES.has(l.type)) problem(at, `type ${l.type} is not one of ${[...LISTENER_TYPES]}`); else ok();
      if (typeof l.tls !== "boolean") problem(at, "tls must be true or false"); else ok();
      if (l.authentication && !LISTENER_AUTH.has(l.authentication.type)) problem(at, `authentication ${l.authentication.type} is unknown`); else ok();
      if (l.authentication?.type === "scram-sha-512" && !l.tls) problem(at, "SCRAM on a listener without TLS sends every event in clear text"); else ok();
    }
    const authz = kafka.spec?.kafka?.authorization;
    if (authz && !["simple", "opa", "keycloak", "custom"].includes(authz.type)) problem(where, `authorization ${authz.type} is unknown`); else ok();
  }
  for (const user of objects.filter((o) => o.kind === "KafkaUser")) {
    const where = `${name}: KafkaUser/${user.metadata.name}`;
    const kafka = kafkas.get(user.metadata.labels?.["strimzi.io/cluster"]);
    if (!kafka) { problem(where, `label strimzi.io/cluster names no Kafka of this overlay`); continue; }
    const auth = user.spec?.authentication?.type;
    if (!USER_AUTH.has(auth)) problem(where, `authentication ${auth} is not one of ${[...USER_AUTH]}`); else ok();
    const listeners = kafka.spec.kafka.listeners ?? [];
    if (auth && !listeners.some((l) => l.authentication?.type === (auth === "tls-external" ? "tls" : auth))) {
      problem(where, `no listener of Kafka/${kafka.metadata.name} authenticates with ${auth}`);
    } else ok();
    const acls = user.spec?.authorization?.acls ?? [];
    if (acls.length > 0) {
      if (!kafka.spec.kafka.authorization) problem(where, `has ACLs, but Kafka/${kafka.metadata.name} enforces none (no authorization)`); else ok();
      if (!kafka.spec.entityOperator?.userOperator) problem(where, `Kafka/${kafka.metadata.name} runs no User Operator to create it`); else ok();
    }
    for (const acl of acls) {
      const r = acl.resource ?? {};
      if (!ACL_RESOURCES.has(r.type)) problem(where, `ACL resource type ${r.type} is unknown`); else ok();
      for (const op of acl.operations ?? []) if (ACL_OPERATIONS.has(op)) ok(); else problem(where, `ACL operation ${op} is unknown`);
      if (r.type === "topic" && (r.patternType ?? "literal") === "literal" && !topics.has(r.name)) {
        problem(where, `ACL on topic ${r.name}, which is no KafkaTopic of this overlay`);
      } else ok();
    }
  }
}

// The effective GAUNTLET_KAFKA_* settings of a container (env values and envFrom ConfigMaps of the overlay).
function kafkaEnv(where, container, configMaps) {
  const env = new Map();
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef;
    if (!ref) continue;
    const cm = configMaps.get(ref.name);
    if (!cm) { if (!ref.optional) problem(where, `envFrom ConfigMap ${ref.name} is not in the overlay and not optional`); continue; }
    for (const [k, v] of Object.entries(cm.data ?? {})) env.set(k, v);
  }
  for (const e of container.env ?? []) if (e.value !== undefined) env.set(e.name, e.value);
  return env;
}

function resolveBootstrap(container, configMaps, envName) {
  const e = container.env?.find((x) => x.name === envName);
  if (e?.value) return e.value;
  const ref = e?.valueFrom?.configMapKeyRef;
  return ref ? configMaps.get(ref.name)?.data?.[ref.key] : undefined;
}

const clients = []; // {overlay, where, bootstrap, protocol, mechanism}

function checkClients(name, objects) {
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata.name, o]));
  const secrets = new Map(objects.filter((o) => o.kind === "Secret").map((o) => [o.metadata.name, o]));
  const podSpecs = objects.flatMap((o) => o.spec?.template?.spec ? [[`${o.kind}/${o.metadata.name}`, o.spec.template.spec]]
    : o.kind === "Prometheus" ? [[`Prometheus/${o.metadata.name}`, o.spec]] : []);
  for (const [podName, spec] of podSpecs) {
    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    for (const c of spec.containers ?? []) {
      const artifact = c.image?.match(/(?:^|\/)(gauntlet-[a-z-]+?)(?::|@|$)/)?.[1];
      if (!kafkaServices.has(artifact)) continue;
      const where = `${name}: ${podName} container ${c.name}`;
      const env = kafkaEnv(where, c, configMaps);
      const settings = new Map();
      for (const [k, v] of env) {
        if (!k.startsWith("GAUNTLET_KAFKA_")) continue;
        const property = ENV_TO_PROPERTY.get(k);
        if (!property) { problem(where, `${k} spells no Kafka client property (nor one with _FILE)`); continue; }
        ok();
        settings.set(property, v);
        if (property.endsWith("-file") || property.endsWith(".location")) checkFileOnVolume(where, k, v, c, volumes, secrets, configMaps);
      }
      const get = (p) => settings.get(p) ?? settings.get(`${p}-file`);
      const protocol = get("security.protocol") ?? "PLAINTEXT";
      if (!PROTOCOLS.has(protocol)) { problem(where, `security.protocol ${protocol} is not one of ${[...PROTOCOLS]}`); continue; }
      const mechanism = get("sasl.mechanism") ?? "GSSAPI";
      if (protocol.startsWith("SASL")) {
        if (!(mechanism in MECHANISMS)) problem(where, `sasl.mechanism ${mechanism} is unknown`); else ok();
        if (!get("sasl.jaas.config")) problem(where, `${protocol} without sasl.jaas.config (or its -file)`); else ok();
      }
      if (protocol.endsWith("SSL") && !get("ssl.truststore.location") && !get("ssl.truststore.certificates")) {
        problem(where, `${protocol} without a truststore: Strimzi's cluster CA is private`);
      } else ok();
      const bootstrap = ["GAUNTLET_SHIPPER_KAFKA_BOOTSTRAP_SERVERS", "GAUNTLET_STORE_GATEWAY_KAFKA_BOOTSTRAP",
        "GAUNTLET_COMPACTOR_KAFKA_BOOTSTRAP_SERVERS", "GAUNTLET_QUERY_FRONTEND_KAFKA_BOOTSTRAP_SERVERS"].map((n) => resolveBootstrap(c, configMaps, n)).find(Boolean) ?? get("bootstrap.servers");
      if (bootstrap) clients.push({ overlay: name, where, bootstrap, protocol, mechanism });
    }
  }
}

function checkFileOnVolume(where, env, file, container, volumes, secrets, configMaps) {
  const mount = (container.volumeMounts ?? []).find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
  if (!mount) { problem(where, `${env}=${file} is on no volume the container mounts`); return; }
  const volume = volumes.get(mount.name);
  const key = file.slice(mount.mountPath.replace(/\/$/, "").length + 1);
  const secretName = volume?.secret?.secretName, cmName = volume?.configMap?.name;
  if (!secretName && !cmName) { problem(where, `${env}: volume ${mount.name} is no Secret or ConfigMap`); return; }
  const generated = secretName ? secrets.get(secretName) : configMaps.get(cmName);
  if (!generated) { notes.add(`${secretName ? "Secret" : "ConfigMap"} ${secretName ?? cmName} (${key}) is created by the cluster's operator, not by the overlay`); ok(); return; }
  const keys = new Set([...Object.keys(generated.data ?? {}), ...Object.keys(generated.stringData ?? {})]);
  if (keys.has(key)) ok(); else problem(where, `${env}: ${secretName ?? cmName} has no key ${key}`);
}

// A client's bootstrap port meets a listener speaking its protocol: in-cluster names in its own overlay, else any overlay.
function checkBootstrap(overlays) {
  for (const client of clients) {
    const [host, port] = client.bootstrap.split(",")[0].trim().split(":");
    const inCluster = !host.includes(".") || host.endsWith(".svc") || host.includes(".svc.");
    const candidates = [...overlays].filter(([n]) => inCluster === (n === client.overlay))
      .flatMap(([n, objects]) => objects.filter((o) => o.kind === "Kafka").flatMap((k) => (k.spec.kafka.listeners ?? [])
        .filter((l) => String(l.port) === port && (!inCluster || host.startsWith(`${k.metadata.name}-kafka-bootstrap`)))
        .map((l) => ({ overlay: n, kafka: k.metadata.name, listener: l }))));
    if (candidates.length === 0) { notes.add(`${client.where}: no Kafka listener on ${client.bootstrap} in the built overlays`); continue; }
    for (const { overlay, kafka, listener } of candidates) {
      const at = `${client.where} → ${overlay}: Kafka/${kafka} listener ${listener.name}`;
      const tls = client.protocol.endsWith("SSL");
      if (tls !== Boolean(listener.tls)) problem(at, `the client speaks ${client.protocol}, the listener has tls: ${listener.tls}`); else ok();
      const wanted = client.protocol.startsWith("SASL") ? MECHANISMS[client.mechanism] : undefined;
      const has = listener.authentication?.type;
      if ((wanted ?? undefined) !== (has === "tls" ? undefined : has)) {
        problem(at, `the client authenticates with ${client.protocol.startsWith("SASL") ? client.mechanism : "nothing"}, the listener with ${has ?? "nothing"}`);
      } else ok();
    }
  }
}

const overlays = new Map();
for (const arg of process.argv.slice(2)) {
  const [name, file] = arg.split("=");
  const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  overlays.set(name, objects);
  checkStrimzi(name, objects);
  checkClients(name, objects);
}
checkBootstrap(overlays);
for (const n of notes) console.log(`k8s: note: ${n}`);
for (const p of problems) console.log(`k8s: KAFKA ${p}`);
console.log(`k8s: kafka security: ${checks} checks passed, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
