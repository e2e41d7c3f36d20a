// Cross-checks built overlays against the services they deploy: every Gauntlet image names a service module
// (services/<name>, artifactId gauntlet-<name>); every config key a container sets (GAUNTLET_*/QUARKUS_* env) exists in
// that service (its @ConfigMapping interfaces, services/common's, or its application.properties); the HTTP and gRPC
// container ports are the ones the service listens on with that environment (and gRPC is not switched off); probes use
// /-/healthy and /-/ready on the HTTP port and the service serves them (through services/common); ServiceMonitors scrape
// the service's metrics path; Service target ports and ServiceMonitor ports name ports that exist. Knative Services:
// one http1/h2c port, containerConcurrency within the querier's max-concurrent and the autoscaling target within it; a
// KafkaSource reads the topic its sink's service would consume, of the overlay's KafkaTopics, in order, into a Gauntlet
// service that does not consume Kafka itself, within the sink's timeout. Also checks the
// -Dgauntlet.* keys scripts/up.sh passes. A service module that does not exist yet is skipped with a message.
// Usage: node crosscheck.mjs <name>=<file.yaml> ...   exit 1 on any mismatch.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const problems = [];
const notes = new Set();
let checks = 0;
const problem = (where, text) => problems.push(`${where}: ${text}`);
const ok = () => checks++;

// ---------------------------------------------------------------- what a service knows

const kebab = (name) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
const envName = (key) => key.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();

function javaFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".java"))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

// The body of each interface in a file (nested ones included), by brace matching.
function interfaces(source) {
  const found = new Map();
  const re = /\binterface\s+(\w+)[^{]*\{/g;
  let m;
  while ((m = re.exec(source))) {
    let depth = 1, i = re.lastIndex;
    const start = i;
    while (i < source.length && depth > 0) {
      if (source[i] === "{") depth++;
      else if (source[i] === "}") depth--;
      i++;
    }
    // only the interface's own level: drop nested bodies
    let own = "", d = 0;
    for (const ch of source.slice(start, i - 1)) {
      if (ch === "{") d++;
      if (d === 0) own += ch;
      if (ch === "}") d--;
    }
    found.set(m[1], own);
  }
  return found;
}

// Config keys of every @ConfigMapping interface under a source tree: "prefix.method-name", nested groups recursed.
function mappedKeys(dir) {
  const keys = new Set();
  for (const file of javaFiles(dir)) {
    const source = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    const prefixMatch = source.match(/@ConfigMapping\s*\(\s*prefix\s*=\s*"([^"]+)"/);
    if (!prefixMatch) continue;
    const bodies = interfaces(source);
    const top = source.slice(prefixMatch.index).match(/\binterface\s+(\w+)/)?.[1];
    const walk = (name, prefix, seen) => {
      const body = bodies.get(name);
      if (!body || seen.has(name)) return;
      const methodRe = /((?:@\w+(?:\([^)]*\))?\s*)*)([\w.<>?,\s]+?)\s+(\w+)\s*\(\s*\)\s*;/g;
      let mm;
      while ((mm = methodRe.exec(body))) {
        const [, annotations, type, method] = mm;
        const withName = annotations.match(/@WithName\s*\(\s*"([^"]+)"\s*\)/)?.[1];
        const parent = /@WithParentName/.test(annotations);
        const key = parent ? prefix : `${prefix}.${withName ?? kebab(method)}`;
        const inner = type.replace(/\s/g, "").replace(/^(Optional|List|Set)<(.*)>$/, "$2");
        const mapValue = inner.match(/^Map<[^,]+,(.*)>$/)?.[1];
        if (mapValue) {
          keys.add(`${key}.*`);
          if (bodies.has(mapValue)) walk(mapValue, `${key}.*`, new Set([...seen, name]));
        } else if (bodies.has(inner)) {
          walk(inner, key, new Set([...seen, name]));
        } else {
          keys.add(key);
        }
      }
    };
    walk(top, prefixMatch[1], new Set());
  }
  return keys;
}

function properties(file) {
  const props = new Map();
  if (!fs.existsSync(file)) return props;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = line.match(/^\s*([^#!%\s][^=:\s]*)\s*[=:]\s*(.*)$/);
    if (m) props.set(m[1], m[2].trim());
  }
  return props;
}

// Quarkus keys a deployment may set without the service declaring them.
const FRAMEWORK_KEYS = new Set(["quarkus.http.port", "quarkus.http.host", "quarkus.log.level", "quarkus.log.console.json",
  "quarkus.profile", "java.opts"]);

const serviceCache = new Map();
function service(name) {
  if (serviceCache.has(name)) return serviceCache.get(name);
  const dir = path.join(root, "services", name);
  let info = null;
  if (fs.existsSync(path.join(dir, "pom.xml")) && fs.existsSync(path.join(dir, "src/main/java"))) {
    const pom = fs.readFileSync(path.join(dir, "pom.xml"), "utf8").replace(/<parent>[\s\S]*?<\/parent>/, "");
    const common = properties(path.join(root, "services/common/src/main/resources/META-INF/microprofile-config.properties"));
    const own = properties(path.join(dir, "src/main/resources/application.properties"));
    const props = new Map([...common, ...own]);
    const keys = new Set([...mappedKeys(path.join(dir, "src/main/java")), ...props.keys()]);
    const usesCommon = pom.includes("<artifactId>gauntlet-service-common</artifactId>");
    if (usesCommon) for (const k of mappedKeys(path.join(root, "services/common/src/main/java"))) keys.add(k);
    const health = usesCommon ? fs.readFileSync(path.join(root, "services/common/src/main/java/io/gauntlet/service/HealthResource.java"), "utf8") : "";
    info = {
      artifactId: pom.match(/<artifactId>([^<]+)<\/artifactId>/)?.[1],
      keys, props, usesCommon,
      servesHealth: /@Path\("\/-"\)/.test(health) && /@Path\("healthy"\)/.test(health) && /@Path\("ready"\)/.test(health),
    };
  }
  serviceCache.set(name, info);
  return info;
}

// The @WithDefault of a @ConfigMapping method of a service (the first one of that name), or undefined.
function configDefault(name, method) {
  for (const file of javaFiles(path.join(root, "services", name, "src/main/java"))) {
    const m = fs.readFileSync(file, "utf8").match(new RegExp(`@WithDefault\\("([^"]*)"\\)\\s*(?:@\\w+(?:\\([^)]*\\))?\\s*)*[\\w<>]+\\s+${method}\\(\\)`));
    if (m) return m[1];
  }
  return undefined;
}

function knowsKey(svc, key) {
  if (svc.keys.has(key) || FRAMEWORK_KEYS.has(key)) return true;
  return [...svc.keys].some((k) => k.includes("*") && new RegExp(`^${k.replace(/\./g, "\\.").replace(/\*/g, "[^.]+")}`).test(key));
}

function knowsEnv(svc, env) {
  for (const key of [...svc.keys, ...FRAMEWORK_KEYS]) {
    if (envName(key) === env) return true;
    if (key.includes("*") && new RegExp(`^${envName(key).replace(/_\\*_?|\*/g, "_[A-Z0-9_]+_?")}$`).test(env)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- manifests

// An image is named after the artifactId of the module that builds it (Quarkus' container-image default):
// gauntlet/<artifactId>:<tag> → the services/<module> whose pom has that artifactId, else the module named by
// dropping "gauntlet-" (which then reports the artifactId mismatch), else a module that does not exist yet.
function imageService(image) {
  const artifact = image?.match(/(?:^|\/)(gauntlet-[a-z-]+?)(?::|@|$)/)?.[1];
  if (!artifact) return undefined;
  const servicesDir = path.join(root, "services");
  for (const dir of fs.readdirSync(servicesDir)) {
    const svc = service(dir);
    if (svc?.artifactId === artifact) return dir;
  }
  return artifact.replace(/^gauntlet-/, "");
}
const envValue = (container, name) => container.env?.find((e) => e.name === name)?.value;
const portOf = (address) => Number(String(address).split(":").pop());

// Container fields of the Kubernetes API (core/v1 Container): the schema models accept unknown fields, so a
// misspelt one (readinesProbe) would otherwise pass unnoticed.
const CONTAINER_FIELDS = new Set(["name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
  "resizePolicy", "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe",
  "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin",
  "stdinOnce", "tty"]);

function checkContainerShape(where, container, podSpec, podVolumes) {
  const at = `${where} container ${container.name}`;
  for (const key of Object.keys(container)) {
    if (CONTAINER_FIELDS.has(key)) ok(); else problem(at, `unknown container field ${key}`);
  }
  for (const mount of container.volumeMounts ?? []) {
    if (podVolumes.has(mount.name)) ok(); else problem(at, `mounts volume ${mount.name}, which the pod does not have`);
  }
}

function checkContainer(where, container, podSpec) {
  const name = imageService(container.image);
  if (!name) return;
  const svc = service(name);
  if (!svc) {
    notes.add(`services/${name} does not exist yet: image, keys, ports and probes of ${container.image} not checked`);
    return;
  }
  const at = `${where} container ${container.name}`;
  const artifact = container.image.match(/(?:^|\/)(gauntlet-[a-z-]+?)(?::|@|$)/)[1];
  if (svc.artifactId !== artifact) problem(at, `image ${container.image} but services/${name} builds ${svc.artifactId}`); else ok();

  for (const e of container.env ?? []) {
    if (!/^(GAUNTLET|QUARKUS)_/.test(e.name) || e.name.startsWith("GAUNTLET_KAFKA_")) continue; // kafka-security.mjs checks those
    if (knowsEnv(svc, e.name)) ok(); else problem(at, `env ${e.name} is no configuration key of services/${name}`);
  }

  const httpPort = Number(envValue(container, "QUARKUS_HTTP_PORT") ?? svc.props.get("quarkus.http.port") ?? 8080);
  const grpcEnabled = (envValue(container, "GAUNTLET_GRPC_ENABLED") ?? svc.props.get("gauntlet.grpc.enabled") ?? "true") === "true";
  const grpcPort = portOf(envValue(container, "GAUNTLET_GRPC_ADDRESS") ?? svc.props.get("gauntlet.grpc.address") ?? "0.0.0.0:10901");
  const byName = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
  for (const p of container.ports ?? []) {
    if (p.name?.startsWith("grpc")) {
      if (!grpcEnabled) problem(at, `port ${p.name} ${p.containerPort}, but services/${name} runs no gRPC server (gauntlet.grpc.enabled=false)`);
      else if (p.containerPort !== grpcPort) problem(at, `port ${p.name} ${p.containerPort}, but the service's gRPC listens on ${grpcPort}`);
      else ok();
    } else if (p.name?.startsWith("http")) {
      if (p.containerPort !== httpPort) problem(at, `port ${p.name} ${p.containerPort}, but the service's HTTP listens on ${httpPort}`); else ok();
    } else {
      problem(at, `port ${p.name ?? p.containerPort} is neither grpc* nor http*`);
    }
  }
  const probes = { livenessProbe: "/-/healthy", readinessProbe: "/-/ready", startupProbe: "/-/healthy" };
  for (const [probeName, wanted] of Object.entries(probes)) {
    const probe = container[probeName];
    if (!probe) {
      if (probeName !== "startupProbe") problem(at, `no ${probeName}`);
      continue;
    }
    const get = probe.httpGet;
    if (!get) { problem(at, `${probeName} is not an HTTP probe on ${wanted}`); continue; }
    const port = typeof get.port === "string" ? byName.get(get.port) : get.port;
    if (get.path !== wanted) problem(at, `${probeName} path ${get.path}, expected ${wanted}`);
    else if (port !== httpPort) problem(at, `${probeName} port ${get.port} is not the HTTP port ${httpPort}`);
    else if (!svc.servesHealth) problem(at, `services/${name} does not serve ${wanted} (no services/common HealthResource)`);
    else ok();
  }
  const sc = { ...(podSpec?.securityContext ?? {}), ...(container.securityContext ?? {}) };
  if (sc.runAsNonRoot !== true) problem(at, "not runAsNonRoot"); else ok();
  if (!container.resources?.requests || !container.resources?.limits) problem(at, "no resource requests and limits"); else ok();
}

const isKnativeService = (o) => o.kind === "Service" && String(o.apiVersion).startsWith("serving.knative.dev/");
const isCoreService = (o) => o.kind === "Service" && o.apiVersion === "v1";

// Ports a Gauntlet container listens on beyond those it declares: a Knative container declares only the one port
// Knative routes to, yet its service still listens on its gRPC port.
function listens(container, port) {
  const name = imageService(container.image);
  const svc = name && service(name);
  if (!svc || typeof port !== "number") return false;
  const grpcEnabled = (envValue(container, "GAUNTLET_GRPC_ENABLED") ?? svc.props.get("gauntlet.grpc.enabled") ?? "true") === "true";
  const httpPort = Number(envValue(container, "QUARKUS_HTTP_PORT") ?? svc.props.get("quarkus.http.port") ?? 8080);
  const grpcPort = portOf(envValue(container, "GAUNTLET_GRPC_ADDRESS") ?? svc.props.get("gauntlet.grpc.address") ?? "0.0.0.0:10901");
  return port === httpPort || (grpcEnabled && port === grpcPort);
}

// Pod templates (with their labels) of workloads, and the Prometheus resources' pods.
function pods(objects) {
  const result = [];
  for (const o of objects) {
    const tpl = o.spec?.template;
    if (["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind) && tpl) {
      const volumes = new Set([...(tpl.spec.volumes ?? []).map((v) => v.name),
        ...(o.spec.volumeClaimTemplates ?? []).map((v) => v.metadata?.name)]);
      result.push({ where: `${o.kind}/${o.metadata.name}`, labels: tpl.metadata?.labels ?? {}, spec: tpl.spec, volumes });
    } else if (isKnativeService(o) && tpl) {
      // Knative labels the revision's pods with their Service's name (what a plain Service selects them by)
      result.push({ where: `KnativeService/${o.metadata.name}`, knative: true, spec: tpl.spec,
        labels: { ...(tpl.metadata?.labels ?? {}), "serving.knative.dev/service": o.metadata.name },
        volumes: new Set((tpl.spec.volumes ?? []).map((v) => v.name)) });
    } else if (o.kind === "Prometheus") {
      const containers = [{ name: "prometheus", ports: [{ name: "web", containerPort: 9090 }] }, ...(o.spec.containers ?? [])];
      // the operator's own volumes: the TSDB claim (or emptyDir) prometheus-<name>-db, the generated config
      const volumes = new Set([...(o.spec.volumes ?? []).map((v) => v.name), `prometheus-${o.metadata.name}-db`,
        "config", "config-out", "tls-assets", "web-config", `prometheus-${o.metadata.name}-rulefiles-0`]);
      result.push({
        where: `Prometheus/${o.metadata.name}`, prometheus: true, volumes,
        labels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": o.metadata.name,
          "statefulset.kubernetes.io/pod-name": `prometheus-${o.metadata.name}-0` },
        spec: { ...o.spec, containers },
      });
    }
  }
  return result;
}

const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) =>
  labels[k] === v || (k === "statefulset.kubernetes.io/pod-name" && String(v).startsWith(String(labels[k]).replace(/-0$/, "-"))));

function checkOverlay(name, objects) {
  const podList = pods(objects);
  for (const pod of podList) {
    for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
      if (!(pod.prometheus && c.name === "prometheus")) checkContainerShape(`${name}: ${pod.where}`, c, pod.spec, pod.volumes);
      checkContainer(`${name}: ${pod.where}`, c, pod.spec);
    }
  }
  const services = objects.filter(isCoreService);
  for (const s of services) {
    const selected = podList.filter((p) => matches(s.spec.selector, p.labels));
    const where = `${name}: Service/${s.metadata.name}`;
    if (selected.length === 0) { problem(where, `selects no pod template (${JSON.stringify(s.spec.selector)})`); continue; }
    for (const port of s.spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      const found = selected.some((p) => p.spec.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === target || cp.containerPort === target)
        || (p.knative && listens(c, target))));
      if (found) ok(); else problem(where, `port ${port.name} targets ${target}, which no selected container declares`);
    }
  }
  for (const sm of objects.filter((o) => o.kind === "ServiceMonitor")) {
    const where = `${name}: ServiceMonitor/${sm.metadata.name}`;
    const selected = services.filter((s) => matches(sm.spec.selector?.matchLabels, s.metadata.labels ?? {}));
    if (selected.length === 0) { problem(where, "selects no Service"); continue; }
    for (const ep of sm.spec.endpoints ?? []) {
      const svcPort = selected.flatMap((s) => s.spec.ports ?? []).find((p) => p.name === ep.port);
      if (!svcPort) { problem(where, `endpoint port ${ep.port} is on no selected Service`); continue; }
      // the metrics path of the container behind that port
      const container = podList.filter((p) => selected.some((s) => matches(s.spec.selector, p.labels)))
        .flatMap((p) => p.spec.containers).find((c) => (c.ports ?? []).some((cp) => cp.name === (svcPort.targetPort ?? svcPort.port))
          || listens(c, svcPort.targetPort ?? svcPort.port));
      const svcName = imageService(container?.image);
      const svc = svcName && service(svcName);
      const wanted = svc ? (svc.props.get("quarkus.micrometer.export.prometheus.path") ?? "/q/metrics") : "/metrics";
      if (svcName && !svc) continue;
      if ((ep.path ?? "/metrics") === wanted) ok(); else problem(where, `endpoint ${ep.port} scrapes ${ep.path}, the service serves ${wanted}`);
    }
  }
}

// Knative Serving Services and the KafkaSources that feed them.
function checkKnative(name, objects) {
  const knativeServices = new Map(objects.filter(isKnativeService).map((o) => [o.metadata.name, o]));
  for (const ks of knativeServices.values()) {
    const where = `${name}: KnativeService/${ks.metadata.name}`;
    const tpl = ks.spec?.template ?? {};
    const containers = tpl.spec?.containers ?? [];
    const annotations = tpl.metadata?.annotations ?? {};
    const concurrency = tpl.spec?.containerConcurrency;
    for (const c of containers) {
      const ports = c.ports ?? [];
      if (ports.length === 1 && ["http1", "h2c"].includes(ports[0].name)) ok();
      else problem(where, `container ${c.name} must declare exactly one port named http1 or h2c (Knative routes one port)`);
      for (const probe of [c.readinessProbe, c.livenessProbe].filter(Boolean)) {
        const port = probe.httpGet?.port;
        if (port === undefined || port === ports[0]?.containerPort) ok(); else problem(where, `probe port ${port} is not the container port`);
      }
      if (imageService(c.image) === "querier") {
        const max = Number(envValue(c, "GAUNTLET_QUERIER_MAX_CONCURRENT") ?? configDefault("querier", "maxConcurrent"));
        if (concurrency > 0 && concurrency <= max) ok();
        else problem(where, `containerConcurrency ${concurrency} should be set from the querier's max-concurrent ${max}`);
      }
    }
    const target = Number(annotations["autoscaling.knative.dev/target"]);
    if (annotations["autoscaling.knative.dev/target"] === undefined || (target > 0 && (!concurrency || target <= concurrency))) ok();
    else problem(where, `autoscaling target ${annotations["autoscaling.knative.dev/target"]} exceeds containerConcurrency ${concurrency}`);
    const minScale = Number(annotations["autoscaling.knative.dev/min-scale"] ?? 0);
    const maxScale = Number(annotations["autoscaling.knative.dev/max-scale"] ?? Infinity);
    if (minScale <= maxScale) ok(); else problem(where, `min-scale ${minScale} above max-scale ${maxScale}`);
  }
  const topics = new Map(objects.filter((o) => o.kind === "KafkaTopic").map((o) => [o.spec?.topicName ?? o.metadata.name, o]));
  for (const source of objects.filter((o) => o.kind === "KafkaSource")) {
    const where = `${name}: KafkaSource/${source.metadata.name}`;
    const ref = source.spec?.sink?.ref;
    const sink = ref && String(ref.apiVersion).startsWith("serving.knative.dev/") && ref.kind === "Service" ? knativeServices.get(ref.name) : undefined;
    if (!sink) { problem(where, `sink ${JSON.stringify(ref ?? source.spec?.sink)} is no Knative Service of this overlay`); continue; }
    ok();
    const container = sink.spec.template.spec.containers[0];
    const svcName = imageService(container.image);
    if (!svcName || !service(svcName)) { notes.add(`${where}: sink image ${container.image} not checked`); continue; }
    const prefix = `GAUNTLET_${svcName.toUpperCase().replace(/-/g, "_")}_KAFKA_`;
    const topic = envValue(container, `${prefix}TOPIC`) ?? configDefault(svcName, "topic");
    if ((source.spec.topics ?? []).length === 1 && source.spec.topics[0] === topic) ok();
    else problem(where, `topics ${source.spec.topics}, but services/${svcName} reads and publishes ${topic}`);
    if (topics.has(topic)) ok(); else problem(where, `topic ${topic} is no KafkaTopic of this overlay`);
    if (envValue(container, `${prefix}CONSUME`) === "false") ok();
    else problem(where, `the sink's ${prefix}CONSUME is not "false": it would also consume ${topic} itself, and two owners would compact one group`);
    if ((source.spec.ordering ?? "ordered") === "ordered") ok(); else problem(where, "ordering must be ordered: one event of a group at a time");
    const partitions = topics.get(topic)?.spec?.partitions;
    const maxScale = Number(sink.spec.template.metadata?.annotations?.["autoscaling.knative.dev/max-scale"] ?? Infinity);
    if (!partitions || maxScale <= partitions) ok(); else problem(where, `sink max-scale ${maxScale} above the ${partitions} partitions that can deliver at once`);
    const timeout = source.spec.delivery?.timeout?.match(/^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/);
    const seconds = timeout ? Number(timeout[1] ?? 0) * 3600 + Number(timeout[2] ?? 0) * 60 + Number(timeout[3] ?? 0) : undefined;
    const sinkTimeout = sink.spec.template.spec.timeoutSeconds ?? 300;
    if (seconds !== undefined && seconds <= sinkTimeout) ok();
    else problem(where, `delivery timeout ${source.spec.delivery?.timeout} should be set and within the sink's timeoutSeconds ${sinkTimeout}`);
  }
}

// scripts/up.sh: -Dgauntlet.<service>.… keys, gauntlet.grpc.* and gauntlet.http.* (services/common) for every service,
// and gauntlet.kafka.* Kafka client properties (a "-file" suffix reads the value from a file).
function checkUpScript() {
  const file = path.join(root, "scripts/up.sh");
  const text = fs.readFileSync(file, "utf8");
  const kafkaProperties = new Set(fs.readFileSync(path.join(root, "tools/k8s-validate/kafka-client-properties.txt"), "utf8")
    .split("\n").filter((l) => l && !l.startsWith("#")));
  const seen = new Set();
  for (const m of text.matchAll(/-D(gauntlet\.([a-z-]+)\.[a-z0-9.-]+)=/g)) {
    const [, key, group] = m;
    if (key.startsWith("gauntlet.up") || seen.has(key)) continue;
    seen.add(key);
    if (group === "kafka") {
      const property = key.slice("gauntlet.kafka.".length).replace(/-file$/, "");
      if (kafkaProperties.has(property)) ok(); else problem("scripts/up.sh", `-D${key}: ${property} is no Kafka client property`);
      continue;
    }
    const names = ["grpc", "http"].includes(group) ? ["sidecar"] : [group];
    for (const n of names) {
      const svc = service(n);
      if (!svc) { notes.add(`services/${n} does not exist yet: scripts/up.sh key ${key} not checked`); continue; }
      if (knowsKey(svc, key)) ok(); else problem("scripts/up.sh", `-D${key} is no configuration key of services/${n}`);
    }
  }
}

// skaffold.yaml: each profile deploys its overlay and builds exactly the Gauntlet images that overlay uses.
function checkSkaffold(overlays) {
  const config = yaml.load(fs.readFileSync(path.join(root, "skaffold.yaml"), "utf8"));
  if (/^skaffold\/v4beta\d+$/.test(config.apiVersion ?? "")) ok(); else problem("skaffold.yaml", `apiVersion ${config.apiVersion} is not skaffold/v4beta*`);
  for (const [name, objects] of overlays) {
    const profile = (config.profiles ?? []).find((p) => p.name === name);
    if (!profile) { problem("skaffold.yaml", `no profile ${name}`); continue; }
    const paths = profile.manifests?.kustomize?.paths ?? [];
    if (paths.length === 1 && paths[0] === `kustomize/overlays/${name}`) ok(); else problem("skaffold.yaml", `profile ${name} deploys ${paths}, not kustomize/overlays/${name}`);
    const built = new Set((profile.build?.artifacts ?? []).map((a) => a.image));
    const used = new Set(pods(objects).flatMap((p) => p.spec.containers).map((c) => c.image?.replace(/[:@].*$/, ""))
      .filter((i) => /(^|\/)gauntlet-/.test(i ?? "")));
    for (const image of used) if (built.has(image)) ok(); else problem("skaffold.yaml", `profile ${name} does not build ${image}, which its overlay deploys`);
    for (const image of built) if (used.has(image)) ok(); else problem("skaffold.yaml", `profile ${name} builds ${image}, which its overlay does not deploy`);
    for (const a of profile.build?.artifacts ?? []) {
      if (a.custom?.buildCommand === "k8s/build-image.sh") ok(); else problem("skaffold.yaml", `${a.image} is not built by k8s/build-image.sh`);
    }
  }
}

const overlays = new Map();
for (const arg of process.argv.slice(2)) {
  const [name, file] = arg.split("=");
  overlays.set(name, yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean));
  checkOverlay(name, overlays.get(name));
  checkKnative(name, overlays.get(name));
}
checkSkaffold(overlays);
checkUpScript();
for (const n of notes) console.log(`k8s: note: ${n}`);
for (const p of problems) console.log(`k8s: MISMATCH ${p}`);
console.log(`k8s: cross-check: ${checks} checks passed, ${problems.length} mismatches`);
process.exit(problems.length === 0 ? 0 : 1);
