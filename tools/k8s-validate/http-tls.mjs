// Checks the HTTP web config wiring of built overlays: the ConfigMap gauntlet-http holds only gauntlet.http.* keys;
// every container that loads it mounts a Secret where GAUNTLET_HTTP_CONFIG_FILE is; with a TLS Secret mounted its
// probes use HTTPS and, since kubelet probes carry no credentials, GAUNTLET_HTTP_UNAUTHENTICATED_PROBES=true (else TCP
// probes); the Certificate writing that Secret allows "server auth" and names the container's Service; the
// ServiceMonitor of that Service scrapes over HTTPS with a CA, basic auth and a server name the Certificate names.
// Every container whose env names such a Service's URL (the query frontend's downstream, the rulers' query endpoints)
// uses https and its http client config file (Thanos' format, from a mounted ConfigMap): tls_config.ca_file on a
// mounted Secret holding only the CA of the Secret the server serves, basic_auth with a password_file on a mounted
// Secret and no inline password or token; the URL's host is a name the server's Certificate holds.
// An overlay without the ConfigMap serves plain HTTP and is not checked.
// Usage: node http-tls.mjs <name>=<file.yaml> ...   Prints one line per problem; exit 1 when any.
import fs from "node:fs";
import yaml from "js-yaml";

const CONFIG_MAP = "gauntlet-http";
const TLS_MOUNT = "/etc/gauntlet/http-tls";
// Prometheus' web config file and the probes' exemption, as services/common's HttpConfig reads them
const KEYS = new Set(["GAUNTLET_HTTP_CONFIG_FILE", "GAUNTLET_HTTP_UNAUTHENTICATED_PROBES"]);

// a client's URL setting and the setting naming its http client config file
const CLIENTS = {
  GAUNTLET_QUERY_FRONTEND_DOWNSTREAM_URL: "GAUNTLET_QUERY_FRONTEND_DOWNSTREAM_HTTP_CLIENT_FILE",
  GAUNTLET_RULER_QUERY_ENDPOINTS: "GAUNTLET_RULER_QUERY_HTTP_CLIENT_FILE",
};

let problems = 0, checks = 0;
const problem = (where, what) => { console.log(`k8s: HTTP-TLS ${where}: ${what}`); problems++; };
const ok = () => checks++;
const selects = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

for (const arg of process.argv.slice(2)) {
  const [name, file] = arg.split("=");
  const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  const settings = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === CONFIG_MAP)?.data;
  if (!settings) continue;
  for (const key of Object.keys(settings)) if (KEYS.has(key)) ok(); else problem(name, `${CONFIG_MAP} key ${key} is no gauntlet.http setting`);
  const configFile = settings.GAUNTLET_HTTP_CONFIG_FILE;
  if (!configFile) { problem(name, `${CONFIG_MAP} names no GAUNTLET_HTTP_CONFIG_FILE`); continue; }
  const openProbes = settings.GAUNTLET_HTTP_UNAUTHENTICATED_PROBES === "true";

  let users = 0;
  const servers = new Map(); // Service name -> {secret, certificate} of the HTTPS pods behind it
  const workloads = objects.filter((x) => ["Deployment", "StatefulSet"].includes(x.kind));
  for (const o of workloads) {
    const pod = o.spec.template;
    for (const c of pod.spec.containers ?? []) {
      if (!(c.envFrom ?? []).some((e) => e.configMapRef?.name === CONFIG_MAP)) continue;
      users++;
      const at = `${name}: ${o.kind}/${o.metadata.name} container ${c.name}`;
      const secretAt = (path) => {
        const mount = (c.volumeMounts ?? []).find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
        return mount && (pod.spec.volumes ?? []).find((v) => v.name === mount.name)?.secret?.secretName;
      };
      if (secretAt(configFile)) ok(); else problem(at, `${configFile} is on no mounted Secret (bcrypt users belong in a Secret)`);
      const tlsSecret = secretAt(`${TLS_MOUNT}/tls.crt`);
      for (const probeName of ["livenessProbe", "readinessProbe", "startupProbe"]) {
        const probe = c[probeName];
        if (!probe) continue;
        if (probe.tcpSocket) { ok(); continue; }
        if (!openProbes) problem(at, `${probeName} sends no credentials: set GAUNTLET_HTTP_UNAUTHENTICATED_PROBES=true or use a TCP probe`); else ok();
        if (tlsSecret && probe.httpGet?.scheme !== "HTTPS") problem(at, `${probeName} speaks HTTP to an HTTPS port`); else ok();
      }
      if (!tlsSecret) { console.log(`k8s: note: ${at}: no Secret at ${TLS_MOUNT}: basic auth without TLS`); continue; }
      // the Service in front of the pod, its Certificate and its ServiceMonitor
      const services = objects.filter((s) => s.kind === "Service" && s.spec?.selector && selects(s.spec.selector, pod.metadata.labels));
      const certificate = objects.find((x) => x.kind === "Certificate" && x.spec?.secretName === tlsSecret);
      const dnsNames = new Set(certificate?.spec.dnsNames ?? []);
      if (!certificate) console.log(`k8s: note: ${at}: no Certificate writes Secret ${tlsSecret}; the operator creates it`);
      else {
        const usages = new Set(certificate.spec.usages ?? ["digital signature", "key encipherment"]);
        if (usages.has("server auth")) ok(); else problem(name, `Certificate/${certificate.metadata.name} lacks usage "server auth"`);
        for (const s of services) {
          if (dnsNames.has(s.metadata.name)) ok(); else problem(name, `Certificate/${certificate.metadata.name} does not name Service ${s.metadata.name}`);
        }
      }
      for (const s of services) servers.set(s.metadata.name, { secret: tlsSecret, certificate });
      for (const s of services) {
        for (const monitor of objects.filter((m) => m.kind === "ServiceMonitor" && selects(m.spec?.selector?.matchLabels, s.metadata.labels))) {
          for (const e of monitor.spec.endpoints ?? []) {
            const where = `${name}: ServiceMonitor/${monitor.metadata.name}`;
            if (e.scheme === "https") ok(); else problem(where, `scrapes ${s.metadata.name} over HTTP, which serves HTTPS`);
            if (e.tlsConfig?.ca?.secret?.name || e.tlsConfig?.ca?.configMap?.name) ok(); else problem(where, "has no CA in tlsConfig");
            const server = e.tlsConfig?.serverName;
            if (!certificate || !server || dnsNames.has(server)) ok(); else problem(where, `asks for ${server}, which Certificate/${certificate.metadata.name} does not name`);
            if (e.basicAuth?.username?.name && e.basicAuth?.password?.name) ok(); else problem(where, "sends no basic auth (username and password Secret keys)");
          }
        }
      }
    }
  }
  if (users > 0) ok(); else problem(name, `${CONFIG_MAP} is loaded by no container`);
  checkClients(name, objects, workloads, servers);
}
/** The HTTP clients of the HTTPS Services: scheme, client config file, CA, credentials, server name. */
function checkClients(name, objects, workloads, servers) {
  for (const o of workloads) {
    const pod = o.spec.template;
    for (const c of pod.spec.containers ?? []) {
      const at = `${name}: ${o.kind}/${o.metadata.name} container ${c.name}`;
      const env = Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
      const volumeAt = (path) => {
        const mount = (c.volumeMounts ?? []).find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
        return mount && { volume: (pod.spec.volumes ?? []).find((v) => v.name === mount.name), file: path.slice(mount.mountPath.length + 1) };
      };
      for (const [key, value] of Object.entries(env)) {
        for (const url of value.split(",").map((u) => u.trim()).filter((u) => /^https?:\/\//.test(u))) {
          const { protocol, hostname } = new URL(url);
          const server = servers.get(hostname.split(".")[0]);
          if (!server) continue;
          if (protocol === "https:") ok(); else { problem(at, `${key} speaks HTTP to ${hostname}, which serves HTTPS`); continue; }
          if (server.certificate && !(server.certificate.spec.dnsNames ?? []).includes(hostname)) {
            problem(at, `${key} asks for ${hostname}, which Certificate/${server.certificate.metadata.name} does not name`);
          } else ok();
          const fileKey = CLIENTS[key];
          if (!fileKey) continue; // a link (e.g. the alerts' query URL), not a client
          const file = env[fileKey];
          if (!file) { problem(at, `${key} is HTTPS but ${fileKey} names no http client config (CA, basic auth)`); continue; }
          const mounted = volumeAt(file);
          const configMap = mounted?.volume?.configMap?.name;
          const data = objects.find((x) => x.kind === "ConfigMap" && x.metadata?.name === configMap)?.data?.[mounted?.file];
          if (!data) { problem(at, `${fileKey} ${file} is on no mounted ConfigMap of this overlay`); continue; }
          const client = yaml.load(data) ?? {};
          if (client.basic_auth?.password || client.bearer_token) problem(at, `${file} holds a secret inline: use password_file / bearer_token_file`);
          else ok();
          const caFile = client.tls_config?.ca_file;
          const ca = caFile && volumeAt(caFile);
          const caSecret = ca?.volume?.secret;
          if (!caSecret) problem(at, `${file}: tls_config.ca_file ${caFile ?? "(none)"} is on no mounted Secret`);
          else if (caSecret.secretName !== server.secret) problem(at, `${file}: the CA comes from Secret ${caSecret.secretName}, the server's certificate is in ${server.secret}`);
          else if (!caSecret.items?.length || !caSecret.items.every((i) => i.key === "ca.crt")) problem(at, `mounts more of Secret ${server.secret} than its ca.crt (the server's key)`);
          else ok();
          const passwordFile = client.basic_auth?.password_file ?? client.bearer_token_file;
          if (!client.basic_auth?.username && !client.bearer_token_file) problem(at, `${file} has no basic_auth username (the server asks for basic auth)`);
          else if (!passwordFile || !volumeAt(passwordFile)?.volume?.secret) problem(at, `${file}: the password file ${passwordFile ?? "(none)"} is on no mounted Secret`);
          else ok();
        }
      }
    }
  }
}

console.log(`k8s: HTTP TLS: ${checks} checks passed, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
