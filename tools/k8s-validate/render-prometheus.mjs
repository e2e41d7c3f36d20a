// Renders the Prometheus custom resource that kube-prometheus-stack would create from k8s/prometheus/values.yaml
// (prometheus.prometheusSpec) into k8s/prometheus/prometheus.yaml, so kustomize and Helm deploy one spec.
// Usage: node render-prometheus.mjs          write the file
//        node render-prometheus.mjs --check  exit 1 when the file is not what values.yaml renders to
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const valuesFile = path.join(root, "k8s/prometheus/values.yaml");
const outFile = path.join(root, "k8s/prometheus/prometheus.yaml");

// chart-only switches that are not fields of the Prometheus spec
const CHART_ONLY = new Set(["serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues",
  "ruleSelectorNilUsesHelmValues", "probeSelectorNilUsesHelmValues", "scrapeConfigSelectorNilUsesHelmValues", "storageSpec",
  "podAntiAffinity", "podAntiAffinityTopologyKey"]);

export function render(values) {
  const chartSpec = values?.prometheus?.prometheusSpec;
  if (!chartSpec) throw new Error(`${valuesFile}: no prometheus.prometheusSpec`);
  // the chart names the resource and its service account <fullname>-prometheus
  const name = `${values.fullnameOverride ?? "gauntlet"}-prometheus`;
  const spec = { serviceAccountName: name };
  for (const [key, value] of Object.entries(chartSpec)) {
    if (!CHART_ONLY.has(key)) spec[key] = value;
  }
  if (chartSpec.storageSpec) spec.storage = chartSpec.storageSpec;
  // NilUsesHelmValues=false: the chart selects every ServiceMonitor/PodMonitor in the watched namespaces
  if (chartSpec.serviceMonitorSelectorNilUsesHelmValues === false) spec.serviceMonitorSelector = {};
  if (chartSpec.podMonitorSelectorNilUsesHelmValues === false) spec.podMonitorSelector = {};
  if (chartSpec.podAntiAffinity === "hard") {
    // the chart's "hard" anti-affinity: never two replicas on one node
    spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{
      topologyKey: chartSpec.podAntiAffinityTopologyKey ?? "kubernetes.io/hostname",
      labelSelector: { matchExpressions: [
        { key: "app.kubernetes.io/name", operator: "In", values: ["prometheus"] },
        { key: "operator.prometheus.io/name", operator: "In", values: [name] },
      ] },
    }] } };
  }
  const resource = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name, labels: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/part-of": "gauntlet" } },
    spec,
  };
  return "# GENERATED from k8s/prometheus/values.yaml by tools/k8s-validate/render-prometheus.mjs: do not edit, edit values.yaml\n"
    + yaml.dump(resource, { lineWidth: 120, noRefs: true });
}

const text = render(yaml.load(fs.readFileSync(valuesFile, "utf8")));
if (process.argv.includes("--check")) {
  const current = fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "";
  if (current !== text) {
    console.error(`k8s: ${path.relative(root, outFile)} is out of date: run node tools/k8s-validate/render-prometheus.mjs`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(outFile, text);
  console.log(`wrote ${path.relative(root, outFile)}`);
}
