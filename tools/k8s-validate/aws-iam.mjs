// Checks the IRSA wiring of built overlays offline: in an overlay whose bucket is not the in-cluster s3proxy, every
// pod that runs a Gauntlet S3 client (a service whose code builds a bucket) uses a ServiceAccount annotated with
// eks.amazonaws.com/role-arn (a well-formed IAM role ARN), a pod without one gets no role, and the store gateway,
// which only reads, shares no role with a component that writes or deletes.
// Usage: node aws-iam.mjs <name>=<file.yaml> ...   exit 1 on any problem.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const problems = [];
let checks = 0;

// artifactId → whether the service's code builds a bucket
const s3Clients = new Map();
for (const name of fs.readdirSync(path.join(root, "services"))) {
  const pom = path.join(root, "services", name, "pom.xml");
  const src = path.join(root, "services", name, "src/main/java");
  if (!fs.existsSync(pom) || !fs.existsSync(src)) continue;
  const artifact = fs.readFileSync(pom, "utf8").replace(/<parent>[\s\S]*?<\/parent>/, "").match(/<artifactId>([^<]+)</)?.[1];
  const usesBucket = fs.readdirSync(src, { recursive: true }).filter((f) => String(f).endsWith(".java"))
    .some((f) => /BucketFactory\.create|ShipperOptions\.bucketConfig/.test(fs.readFileSync(path.join(src, String(f)), "utf8")));
  s3Clients.set(artifact, { name, usesBucket });
}

for (const arg of process.argv.slice(2)) {
  const [overlay, file] = arg.split("=");
  const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  if (objects.some((o) => o.kind === "Deployment" && /s3proxy/.test(JSON.stringify(o.spec?.template?.spec?.containers ?? [])))) {
    console.log(`k8s: note: ${overlay}: the bucket is the in-cluster s3proxy: no IAM roles needed`);
    continue;
  }
  const accounts = new Map(objects.filter((o) => o.kind === "ServiceAccount").map((o) => [o.metadata.name, o]));
  const roleOf = new Map(); // service name → role
  const pods = objects.flatMap((o) => o.spec?.template?.spec ? [[`${o.kind}/${o.metadata.name}`, o.spec.template.spec]]
    : o.kind === "Prometheus" ? [[`Prometheus/${o.metadata.name}`, o.spec]] : []);
  for (const [where, spec] of pods) {
    const services = (spec.containers ?? []).map((c) => s3Clients.get(c.image?.match(/(?:^|\/)(gauntlet-[a-z-]+?)(?::|@|$)/)?.[1]))
      .filter(Boolean);
    const needsS3 = services.some((s) => s.usesBucket);
    const account = accounts.get(spec.serviceAccountName ?? "default");
    const role = account?.metadata?.annotations?.[ROLE_ANNOTATION];
    const at = `${overlay}: ${where} (ServiceAccount ${spec.serviceAccountName ?? "default"})`;
    if (needsS3) {
      if (!account) { problems.push(`${at}: runs an S3 client but its ServiceAccount is not in the overlay`); continue; }
      if (!role) problems.push(`${at}: runs an S3 client but has no ${ROLE_ANNOTATION}`);
      else if (!ROLE_ARN.test(role)) problems.push(`${at}: ${ROLE_ANNOTATION} ${role} is not an IAM role ARN`);
      else { checks++; for (const s of services.filter((x) => x.usesBucket)) roleOf.set(s.name, role); }
    } else if (services.length > 0) {
      if (role) problems.push(`${at}: talks to no bucket but gets the IAM role ${role}`); else checks++;
    }
  }
  const reader = roleOf.get("store-gateway");
  for (const [name, role] of roleOf) {
    if (name !== "store-gateway" && reader && role === reader) {
      problems.push(`${overlay}: the store gateway (read only) shares the IAM role ${role} with ${name}, which writes`);
    } else checks++;
  }
}
for (const p of problems) console.log(`k8s: IAM ${p}`);
console.log(`k8s: iam roles: ${checks} checks passed, ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
