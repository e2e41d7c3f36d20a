// Checks the gRPC TLS wiring of built overlays: the ConfigMap gauntlet-grpc-tls holds only gauntlet.grpc.* TLS keys
// whose files are keys of the mounted Secret; every Gauntlet container with a gRPC port loads it and mounts that Secret
// where the files are; a gRPC port exposed on a load balancer requires client certificates (mutual TLS); the
// cert-manager Certificate writes that Secret, names the server name clients ask for and allows the usages the keys
// are put to. An overlay without the ConfigMap runs plain text and is not checked.
// Usage: node grpc-tls.mjs <name>=<file.yaml> ...   Prints one line per problem; exit 1 when any.
import fs from "node:fs";
import yaml from "js-yaml";

const CONFIG_MAP = "gauntlet-grpc-tls";
const MOUNT = "/etc/gauntlet/grpc-tls";
const SECRET_KEYS = new Set(["tls.crt", "tls.key", "ca.crt"]); // what cert-manager writes
// Thanos' gRPC TLS flags as services/common's GrpcConfig reads them
const KEYS = new Set(["SERVER_TLS_CERT", "SERVER_TLS_KEY", "SERVER_TLS_CLIENT_CA", "SERVER_TLS_MIN_VERSION", "CLIENT_TLS_SECURE",
  "CLIENT_TLS_CERT", "CLIENT_TLS_KEY", "CLIENT_TLS_CA", "CLIENT_SERVER_NAME", "CLIENT_TLS_SKIP_VERIFY"].map((k) => `GAUNTLET_GRPC_${k}`));
const FILE_KEYS = [...KEYS].filter((k) => /_(CERT|KEY|CA)$/.test(k));

let problems = 0, checks = 0;
const certificates = new Map(); // overlay → its gRPC Certificate
const serverNames = new Map(); // overlay → the server name its clients ask for
const problem = (where, what) => { console.log(`k8s: GRPC-TLS ${where}: ${what}`); problems++; };
const ok = () => checks++;

for (const arg of process.argv.slice(2)) {
  const [name, file] = arg.split("=");
  const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  const settings = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === CONFIG_MAP)?.data;
  if (!settings) continue;
  for (const [key, value] of Object.entries(settings)) {
    if (!KEYS.has(key)) { problem(name, `${CONFIG_MAP} key ${key} is no gRPC TLS setting`); continue; }
    if (FILE_KEYS.includes(key) && !(value.startsWith(`${MOUNT}/`) && SECRET_KEYS.has(value.slice(MOUNT.length + 1)))) {
      problem(name, `${key}=${value} is not one of ${[...SECRET_KEYS].join(", ")} in ${MOUNT}`);
    } else ok();
  }
  const server = settings.GAUNTLET_GRPC_SERVER_TLS_CERT !== undefined;
  if (server !== (settings.GAUNTLET_GRPC_SERVER_TLS_KEY !== undefined)) problem(name, "server certificate and key go together"); else ok();

  // pods: workloads' templates and the Prometheus resources' pods (sidecar)
  const pods = [];
  for (const o of objects) {
    if (["Deployment", "StatefulSet"].includes(o.kind)) pods.push({ where: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec });
    if (o.kind === "Prometheus") pods.push({ where: `Prometheus/${o.metadata.name}`, spec: o.spec });
  }
  let secretName;
  for (const pod of pods) {
    for (const c of pod.spec.containers ?? []) {
      if (!/(^|\/)gauntlet-/.test(c.image ?? "") || !(c.ports ?? []).some((p) => p.name?.startsWith("grpc"))) continue;
      const at = `${name}: ${pod.where} container ${c.name}`;
      if ((c.envFrom ?? []).some((e) => e.configMapRef?.name === CONFIG_MAP)) ok(); else problem(at, `does not load ${CONFIG_MAP}`);
      const mount = (c.volumeMounts ?? []).find((m) => m.mountPath === MOUNT);
      const volume = mount && (pod.spec.volumes ?? []).find((v) => v.name === mount.name);
      if (!volume?.secret?.secretName) { problem(at, `mounts no Secret at ${MOUNT}`); continue; }
      ok();
      if (secretName && secretName !== volume.secret.secretName) problem(at, `mounts ${volume.secret.secretName}, others ${secretName}`);
      secretName = volume.secret.secretName;
    }
  }
  // a gRPC port on a load balancer: reachable from outside the cluster, so client certificates are required
  for (const s of objects.filter((o) => o.kind === "Service" && o.spec?.type === "LoadBalancer")) {
    if (!(s.spec.ports ?? []).some((p) => String(p.targetPort ?? p.name).startsWith("grpc"))) continue;
    if (server && settings.GAUNTLET_GRPC_SERVER_TLS_CLIENT_CA) ok();
    else problem(`${name}: Service/${s.metadata.name}`, "exposes gRPC on a load balancer without mutual TLS (GAUNTLET_GRPC_SERVER_TLS_CLIENT_CA)");
  }
  // the Certificate behind the Secret, when cert-manager makes it (else the operator creates the Secret)
  const certificate = objects.find((o) => o.kind === "Certificate" && o.spec?.secretName === secretName);
  if (!certificate) {
    console.log(`k8s: note: ${name}: no Certificate writes Secret ${secretName}; the operator creates it`);
    continue;
  }
  const usages = new Set(certificate.spec.usages ?? ["digital signature", "key encipherment"]);
  if (server && !usages.has("server auth")) problem(name, `Certificate/${certificate.metadata.name} lacks usage "server auth"`); else ok();
  if (settings.GAUNTLET_GRPC_CLIENT_TLS_CERT && !usages.has("client auth")) {
    problem(name, `Certificate/${certificate.metadata.name} lacks usage "client auth" for the client certificate`);
  } else ok();
  certificates.set(name, certificate);
  if (settings.GAUNTLET_GRPC_CLIENT_SERVER_NAME) serverNames.set(name, settings.GAUNTLET_GRPC_CLIENT_SERVER_NAME);
}
// a querier asks every server, its own cluster's and the slaves', for one name: each certificate must name it
for (const [client, serverName] of serverNames) {
  for (const [overlay, certificate] of certificates) {
    if ((certificate.spec.dnsNames ?? []).includes(serverName)) ok();
    else problem(overlay, `${client}'s clients ask for ${serverName}, which Certificate/${certificate.metadata.name} does not name`);
  }
}
console.log(`k8s: gRPC TLS: ${checks} checks passed, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
