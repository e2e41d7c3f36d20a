// Schema check of a Knative KafkaSource (sources.knative.dev/v1beta1), offline. Its CRD preserves unknown fields and
// @kubernetes-models/knative has no model for it, so the spec is checked here field by field after eventing-kafka-broker's
// KafkaSourceSpec (consumers, bootstrapServers, net, topics, consumerGroup, initialOffset, delivery, ordering, sink,
// ceOverrides); the shared Knative duck types (Destination, DeliverySpec, CloudEventOverrides) go through the models
// package. Unknown fields are errors: the API server would keep them silently and the source would ignore them.
import { Destination } from "@kubernetes-models/knative/duck.knative.dev/v1/Destination";
import { DeliverySpec } from "@kubernetes-models/knative/duck.knative.dev/v1/DeliverySpec";
import { CloudEventOverrides } from "@kubernetes-models/knative/duck.knative.dev/v1/CloudEventOverrides";

const SPEC_FIELDS = new Set(["consumers", "bootstrapServers", "net", "topics", "consumerGroup", "initialOffset", "delivery",
  "ordering", "sink", "ceOverrides"]);
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

export function validateKafkaSource(object) {
  const errors = [];
  const spec = object.spec;
  if (!object.metadata?.name) errors.push("metadata.name is required");
  if (!spec || typeof spec !== "object") return [...errors, "spec is required"];
  for (const key of Object.keys(spec)) if (!SPEC_FIELDS.has(key)) errors.push(`spec.${key} is no KafkaSource field`);
  const strings = (value, field, required) => {
    if (value === undefined) { if (required) errors.push(`spec.${field} is required`); return; }
    if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== "string" || v === "")) {
      errors.push(`spec.${field} must be a non-empty list of strings`);
    }
  };
  strings(spec.bootstrapServers, "bootstrapServers", true);
  strings(spec.topics, "topics", true);
  if (spec.consumers !== undefined && !(Number.isInteger(spec.consumers) && spec.consumers >= 1)) errors.push("spec.consumers must be a positive integer");
  if (spec.consumerGroup !== undefined && typeof spec.consumerGroup !== "string") errors.push("spec.consumerGroup must be a string");
  if (spec.initialOffset !== undefined && !["earliest", "latest"].includes(spec.initialOffset)) errors.push(`spec.initialOffset must be earliest or latest, not ${spec.initialOffset}`);
  if (spec.ordering !== undefined && !["ordered", "unordered"].includes(spec.ordering)) errors.push(`spec.ordering must be ordered or unordered, not ${spec.ordering}`);
  if (spec.net !== undefined && (typeof spec.net !== "object" || Object.keys(spec.net).some((k) => !["sasl", "tls"].includes(k)))) {
    errors.push("spec.net holds only sasl and tls");
  }
  const model = (Model, value, field) => {
    try { new Model(value).validate(); } catch (e) { errors.push(`spec.${field}: ${e.message}`); }
  };
  if (!spec.sink) errors.push("spec.sink is required");
  else {
    model(Destination, spec.sink, "sink");
    if (!spec.sink.ref && !spec.sink.uri) errors.push("spec.sink needs a ref or a uri");
    if (spec.sink.ref && (!spec.sink.ref.kind || !spec.sink.ref.name || !spec.sink.ref.apiVersion)) errors.push("spec.sink.ref needs apiVersion, kind and name");
  }
  if (spec.delivery !== undefined) {
    model(DeliverySpec, spec.delivery, "delivery");
    for (const field of ["backoffDelay", "timeout", "retryAfterMax"]) {
      const value = spec.delivery[field];
      if (value !== undefined && !ISO_DURATION.test(value)) errors.push(`spec.delivery.${field} ${value} is not an ISO 8601 duration`);
    }
  }
  if (spec.ceOverrides !== undefined) model(CloudEventOverrides, spec.ceOverrides, "ceOverrides");
  return errors;
}
