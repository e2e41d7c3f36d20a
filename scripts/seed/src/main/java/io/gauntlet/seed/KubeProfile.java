package io.gauntlet.seed;

import static io.gauntlet.seed.Processes.constant;
import static io.gauntlet.seed.Processes.counter;
import static io.gauntlet.seed.Processes.daily;
import static io.gauntlet.seed.Processes.noise;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A Kubernetes cluster as kube-state-metrics and the kubelet's cAdvisor show it: {@code --seed-instances} nodes, about 30
 * pods each from deployments in four namespaces, every deployment rolled out every few hours to days so pods (and their
 * series) come and go — {@code kube_pod_info}, {@code kube_pod_status_phase}, container requests and limits, restarts,
 * {@code container_cpu_usage_seconds_total}, {@code container_memory_working_set_bytes}, network bytes, and the
 * deployments' and nodes' own series.
 */
public final class KubeProfile implements Profile {
    private static final String[][] APPS = {
            {"shop", "frontend", "4", "0.25", "256"}, {"shop", "checkout", "3", "0.5", "512"}, {"shop", "cart", "3", "0.2", "256"},
            {"shop", "catalog", "2", "0.3", "384"}, {"shop", "payments", "2", "0.4", "512"}, {"shop", "redis", "1", "0.2", "1024"},
            {"default", "api-gateway", "3", "0.5", "256"}, {"default", "auth", "2", "0.2", "192"}, {"default", "search", "3", "1", "2048"},
            {"kube-system", "coredns", "2", "0.1", "70"}, {"kube-system", "metrics-server", "1", "0.1", "200"},
            {"monitoring", "kube-state-metrics", "1", "0.1", "128"}, {"monitoring", "grafana", "1", "0.2", "256"}};

    @Override
    public String name() {
        return "kube";
    }

    @Override
    public int defaultInstances() {
        return 4;
    }

    @Override
    public List<SyntheticSeries> series(int instances, long start, long end, long scrapeInterval, long seed) {
        List<SyntheticSeries> out = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(seed * 15_485_863);
        Target always = new Target(new long[] {start - Processes.DAY * 40}, 0);
        Map<String, String> ksm = new LinkedHashMap<>();
        ksm.put("instance", "10.0.100.7:8080");
        ksm.put("job", "kube-state-metrics");
        List<String> nodes = new ArrayList<>();
        for (int n = 0; n < instances; n++) {
            String node = "ip-10-0-" + (n / 200) + "-" + (10 + n % 200) + ".ec2.internal";
            nodes.add(node);
            SeriesBuilder state = new SeriesBuilder(out, ksm, always, seed + n, Long.MIN_VALUE, Long.MAX_VALUE);
            state.gauge("kube_node_info", constant(1), "container_runtime_version", "containerd://1.7.22", "kernel_version", "6.1.0-28-cloud-amd64",
                    "kubelet_version", "v1.31.2", "node", node, "os_image", "Debian GNU/Linux 12 (bookworm)");
            for (String[] resource : new String[][] {{"cpu", "core", "8"}, {"memory", "byte", "33285996544"}, {"pods", "integer", "110"}}) {
                state.gauge("kube_node_status_allocatable", constant(Double.parseDouble(resource[2]) * (resource[0].equals("pods") ? 1 : 0.95)),
                        "node", node, "resource", resource[0], "unit", resource[1]);
                state.gauge("kube_node_status_capacity", constant(Double.parseDouble(resource[2])), "node", node, "resource", resource[0], "unit", resource[1]);
            }
            for (String status : new String[] {"false", "true", "unknown"}) {
                state.gauge("kube_node_status_condition", constant(status.equals("true") ? 1 : 0), "condition", "Ready", "node", node, "status", status);
            }
        }
        int scale = Math.max(1, instances / 2);
        for (String[] app : APPS) {
            String namespace = app[0];
            String deployment = app[1];
            int replicas = Integer.parseInt(app[2]) * (namespace.equals("kube-system") || namespace.equals("monitoring") ? 1 : scale);
            double cpu = Double.parseDouble(app[3]);
            double memoryMiB = Double.parseDouble(app[4]);
            SeriesBuilder state = new SeriesBuilder(out, ksm, always, seed + deployment.hashCode(), Long.MIN_VALUE, Long.MAX_VALUE);
            state.gauge("kube_deployment_spec_replicas", constant(replicas), "deployment", deployment, "namespace", namespace);
            state.gauge("kube_deployment_status_replicas_available", constant(replicas), "deployment", deployment, "namespace", namespace);
            // rollouts: a new ReplicaSet (pod-template-hash) every 6 h to 3 days, its pods replacing the old ones
            long rolloutEvery = 6 * 3_600_000L + random.nextLong(66 * 3_600_000L);
            long rollout = start - random.nextLong(rolloutEvery);
            while (rollout < end) {
                long next = rollout + rolloutEvery / 2 + random.nextLong(rolloutEvery);
                String hash = Long.toString(0x1000000L + random.nextInt(0x7ffffff), 36);
                for (int p = 0; p < replicas; p++) {
                    String pod = deployment + "-" + hash + "-" + Long.toString(0x2000000L + random.nextInt(0x3ffffff), 36).substring(0, 5);
                    String node = nodes.get(random.nextInt(nodes.size()));
                    long podStart = rollout + p * 20_000L;
                    long podEnd = next + p * 20_000L;
                    pod(out, ksm, namespace, deployment, hash, pod, node, podStart, podEnd, cpu, memoryMiB, random, seed);
                }
                rollout = next;
            }
        }
        return out;
    }

    private static void pod(List<SyntheticSeries> out, Map<String, String> ksm, String namespace, String deployment, String hash, String pod,
                            String node, long from, long to, double cpu, double memoryMiB, SplittableRandom random, long seed) {
        Target started = new Target(new long[] {from}, 0);
        String uid = Long.toHexString(random.nextLong()).substring(0, 8) + "-" + Integer.toHexString(0x1000 + random.nextInt(0xefff)) + "-4"
                + Integer.toHexString(0x100 + random.nextInt(0xeff)) + "-8" + Integer.toHexString(0x100 + random.nextInt(0xeff)) + "-"
                + Long.toHexString(0x100000000000L + (random.nextLong() & 0xffffffffffL));
        String podIp = "10.1." + random.nextInt(256) + "." + random.nextInt(256);
        SeriesBuilder state = new SeriesBuilder(out, ksm, started, seed + pod.hashCode(), from, to);
        state.gauge("kube_pod_info", constant(1), "created_by_kind", "ReplicaSet", "created_by_name", deployment + "-" + hash, "host_ip",
                "10.0.0." + (10 + Math.floorMod(node.hashCode(), 200)), "namespace", namespace, "node", node, "pod", pod, "pod_ip", podIp,
                "priority_class", "", "uid", uid);
        for (String phase : new String[] {"Failed", "Pending", "Running", "Succeeded", "Unknown"}) {
            state.gauge("kube_pod_status_phase", constant(phase.equals("Running") ? 1 : 0), "namespace", namespace, "phase", phase, "pod", pod, "uid", uid);
        }
        state.gauge("kube_pod_container_info", constant(1), "container", deployment, "container_id", "containerd://" + Long.toHexString(random.nextLong()),
                "image", "registry.example.com/" + namespace + "/" + deployment + ":1." + random.nextInt(40), "namespace", namespace, "pod", pod, "uid", uid);
        state.gauge("kube_pod_container_resource_requests", constant(cpu), "container", deployment, "namespace", namespace, "node", node, "pod", pod,
                "resource", "cpu", "uid", uid, "unit", "core");
        state.gauge("kube_pod_container_resource_requests", constant(memoryMiB * 1048576), "container", deployment, "namespace", namespace, "node", node,
                "pod", pod, "resource", "memory", "uid", uid, "unit", "byte");
        state.gauge("kube_pod_container_resource_limits", constant(memoryMiB * 1048576 * 2), "container", deployment, "namespace", namespace, "node", node,
                "pod", pod, "resource", "memory", "uid", uid, "unit", "byte");
        long restartSeed = seed + uid.hashCode();
        state.counter("kube_pod_container_status_restarts_total", Processes.of(t -> Math.floor((t - from) / (3.0 * Processes.DAY) * noise(restartSeed, 0))),
                "container", deployment, "namespace", namespace, "pod", pod, "uid", uid);
        state.gauge("kube_pod_container_status_ready", constant(1), "container", deployment, "namespace", namespace, "pod", pod, "uid", uid);

        Map<String, String> kubelet = new LinkedHashMap<>();
        kubelet.put("endpoint", "https-metrics");
        kubelet.put("instance", "10.0.0." + (10 + Math.floorMod(node.hashCode(), 200)) + ":10250");
        kubelet.put("job", "kubelet");
        kubelet.put("metrics_path", "/metrics/cadvisor");
        kubelet.put("node", node);
        kubelet.put("service", "kubelet");
        SeriesBuilder cadvisor = new SeriesBuilder(out, kubelet, started, seed + pod.hashCode() * 31L, from, to);
        String id = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid.replace('-', '_') + ".slice";
        String image = "registry.example.com/" + namespace + "/" + deployment;
        double phase = noise(seed, deployment.hashCode());
        cadvisor.counter("container_cpu_usage_seconds_total", counter(started, cadvisor.seed("cpu"), t -> 1e9 * cpu * (0.5 + 0.4 * daily(t, phase)), 0.3,
                1, 1e9), "container", deployment, "id", id + "/cri-containerd-" + uid.substring(0, 8) + ".scope", "image", image, "name", uid.substring(0, 8),
                "namespace", namespace, "pod", pod);
        double memory = memoryMiB * 1048576;
        long memorySeed = cadvisor.seed("mem");
        cadvisor.gauge("container_memory_working_set_bytes", Processes.of(t -> 4096 * Math.round(memory * (0.5 + 0.3 * Math.min(1, (t - from) / 3.6e6)
                + 0.05 * noise(memorySeed, t)) / 4096)), "container", deployment, "id", id + "/cri-containerd-" + uid.substring(0, 8) + ".scope",
                "image", image, "name", uid.substring(0, 8), "namespace", namespace, "pod", pod);
        cadvisor.gauge("container_memory_rss", Processes.of(t -> 4096 * Math.round(memory * (0.4 + 0.3 * Math.min(1, (t - from) / 3.6e6)
                + 0.05 * noise(memorySeed + 1, t)) / 4096)), "container", deployment, "id", id + "/cri-containerd-" + uid.substring(0, 8) + ".scope",
                "image", image, "name", uid.substring(0, 8), "namespace", namespace, "pod", pod);
        for (String direction : new String[] {"receive", "transmit"}) {
            cadvisor.counter("container_network_" + direction + "_bytes_total", counter(started, cadvisor.seed(direction), t -> 20_000 * cpu
                    * (1 + 0.5 * daily(t, phase)), 0.3, 1, 1), "container", "", "id", id, "image", "", "interface", "eth0", "name", "", "namespace", namespace,
                    "pod", pod);
        }
    }
}
