// Validates every object of built overlays (kubectl kustomize output) against the Kubernetes API schema, offline,
// with the kubernetes-models packages; custom resources through their own models where a package has them
// (prometheus-operator, cert-manager, Knative), the KafkaSource by kafka-source.mjs (its CRD has no schema and the
// Knative package no model), else skipped with a message (Strimzi has no models package).
// Usage: node validate.mjs <name>=<file.yaml> ...   Prints one line per problem; exit 1 when any object is invalid.
import fs from "node:fs";
import yaml from "js-yaml";

import { validateKafkaSource } from "./kafka-source.mjs";

const CRD_PACKAGES = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "serving.knative.dev": "@kubernetes-models/knative",
  "eventing.knative.dev": "@kubernetes-models/knative",
};

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  let module;
  if (group === "sources.knative.dev" && version === "v1beta1" && kind === "KafkaSource") return { validateWith: validateKafkaSource };
  if (CRD_PACKAGES[group]) module = `${CRD_PACKAGES[group]}/${group}/${version}/${kind}`;
  else if (group === "" ) module = `kubernetes-models/v1/${kind}`;
  else if (!group.includes(".") || group.endsWith(".k8s.io")) module = `kubernetes-models/${group}/${version}/${kind}`;
  else return null; // a custom resource without a models package
  try {
    return (await import(module))[kind];
  } catch (e) {
    if (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return undefined;
    throw e;
  }
}

let invalid = 0, valid = 0;
const skipped = new Map();
for (const arg of process.argv.slice(2)) {
  const [name, file] = arg.split("=");
  const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  for (const object of objects) {
    const id = `${name}: ${object.kind}/${object.metadata?.name}`;
    const Model = await modelFor(object.apiVersion ?? "", object.kind ?? "");
    if (Model === null) {
      const key = `${object.apiVersion} ${object.kind}`;
      skipped.set(key, (skipped.get(key) ?? 0) + 1);
      continue;
    }
    if (Model === undefined) {
      console.log(`k8s: INVALID ${id}: no such kind ${object.kind} in ${object.apiVersion}`);
      invalid++;
      continue;
    }
    if (Model.validateWith) {
      const errors = await Model.validateWith(object);
      for (const error of errors) console.log(`k8s: INVALID ${id}: ${error}`);
      if (errors.length === 0) valid++; else invalid++;
      continue;
    }
    if (object.kind === "Secret" && object.data) {
      // kustomize folds long base64 values over lines; the API server's decoder skips the line breaks
      for (const key of Object.keys(object.data)) object.data[key] = String(object.data[key]).replace(/\s+/g, "");
    }
    const vct = object.kind === "Prometheus" ? object.spec?.storage?.volumeClaimTemplate : undefined;
    if (vct && vct.apiVersion === undefined) {
      // the models package marks the embedded claim's apiVersion/kind required (with its own type name); the
      // operator's CRD leaves them optional
      Object.assign(vct, { apiVersion: "monitoring.coreos.com/v1", kind: "EmbeddedPersistentVolumeClaim" });
    }
    try {
      new Model(object).validate();
      valid++;
    } catch (e) {
      console.log(`k8s: INVALID ${id}: ${e.message}`);
      invalid++;
    }
  }
}
for (const [key, count] of skipped) {
  console.log(`k8s: note: ${count} × ${key} not schema-checked (no models package for this custom resource)`);
}
console.log(`k8s: schema: ${valid} objects valid, ${invalid} invalid`);
process.exit(invalid === 0 ? 0 : 1);
