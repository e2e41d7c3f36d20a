package io.gauntlet.seed;

import static io.gauntlet.seed.Processes.constant;
import static io.gauntlet.seed.Processes.counter;
import static io.gauntlet.seed.Processes.daily;
import static io.gauntlet.seed.Processes.gauge;
import static io.gauntlet.seed.Processes.noise;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;

/**
 * node_exporter 1.x as kube-prometheus-stack scrapes it (job {@code node-exporter}, its pod's target labels): per-CPU
 * seconds by mode with a daily rhythm, /proc/meminfo gauges, filesystems, disks, network interfaces, load averages,
 * vmstat, netstat, sockstat, softnet, schedstat, pressure, timex, conntrack, boot time, uname and node_exporter's own
 * process and collector figures — what a default node_exporter 1.8 on a cloud VM exposes and the "Node Exporter Full"
 * dashboard and the kube-prometheus-stack {@code node-exporter.rules} read, about 430 per node (2–8 CPUs). Every node reboots once or twice (counters start again, the
 * boot time moves, the target is down for two minutes, {@code up} is 0 meanwhile).
 */
public final class NodeExporterProfile implements Profile {
    private static final String[] MODES = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
    private static final long GIB = 1L << 30;

    @Override
    public String name() {
        return "node-exporter";
    }

    @Override
    public int defaultInstances() {
        return 6;
    }

    @Override
    public List<SyntheticSeries> series(int instances, long start, long end, long scrapeInterval, long seed) {
        List<SyntheticSeries> out = new ArrayList<>();
        for (int n = 0; n < instances; n++) {
            SplittableRandom random = new SplittableRandom(seed * 7919 + n);
            String node = String.format("node-%02d", n + 1);
            Map<String, String> target = new LinkedHashMap<>();
            target.put("container", "node-exporter");
            target.put("endpoint", "http-metrics");
            target.put("instance", "10.0." + (n / 200) + "." + (10 + n % 200) + ":9100");
            target.put("job", "node-exporter");
            target.put("namespace", "monitoring");
            target.put("pod", "node-exporter-" + Long.toString(0x10000 + random.nextInt(0xfffff), 36));
            target.put("service", "node-exporter");
            Target host = Target.rebooting(random, start, end, 1 + random.nextInt(2), 2 * 60_000L);
            new Node(new SeriesBuilder(out, target, host, seed * 1_000_003 + n, Long.MIN_VALUE, Long.MAX_VALUE), random, node,
                    2 << random.nextInt(3), scrapeInterval).addAll();
        }
        return out;
    }

    /** One node's series. */
    private static final class Node {
        private final SeriesBuilder series;
        private final SplittableRandom random;
        private final String nodename;
        private final int cpus;
        private final long scrapeInterval;
        private final double busyMean;
        private final double phase;
        private final long memTotal;

        Node(SeriesBuilder series, SplittableRandom random, String nodename, int cpus, long scrapeInterval) {
            this.series = series;
            this.random = random;
            this.nodename = nodename;
            this.cpus = cpus;
            this.scrapeInterval = scrapeInterval;
            this.busyMean = 0.1 + 0.4 * random.nextDouble();
            this.phase = random.nextDouble() * 0.1;
            this.memTotal = (long) cpus * 4 * GIB - 300L * 1024 * 1024;
        }

        /** The fraction of a CPU that is busy at {@code t}: a daily rhythm around the node's mean and noise per scrape. */
        private double busy(int cpu, long t) {
            double v = busyMean * (1 + 0.6 * daily(t, phase)) + 0.08 * (noise(series.seed("busy", Integer.toString(cpu)), t / scrapeInterval) - 0.5);
            return Math.min(0.98, Math.max(0.01, v));
        }

        void addAll() {
            cpu();
            memory();
            filesystems();
            disks();
            network();
            system();
            meminfoDetail();
            netstatDetail();
            kernelDetail();
            exporter();
            scrape();
        }

        private void cpu() {
            for (int cpu = 0; cpu < cpus; cpu++) {
                int c = cpu;
                for (String mode : MODES) {
                    double share = switch (mode) {
                        case "user" -> 0.68;
                        case "system" -> 0.22;
                        case "iowait" -> 0.05;
                        case "softirq" -> 0.03;
                        case "steal" -> 0.02;
                        default -> 0;
                    };
                    // 1/100 s ticks: node_exporter divides the USER_HZ ticks of /proc/stat by 100
                    LongToDoubleFunction ticksPerSecond = mode.equals("idle") ? t -> 100 * (1 - busy(c, t)) : t -> 100 * share * busy(c, t);
                    series.counter("node_cpu_seconds_total", counter(series.target(), series.seed("cpu", mode, Integer.toString(cpu)), ticksPerSecond,
                            0.02, 1, 100), "cpu", Integer.toString(cpu), "mode", mode);
                }
                for (String mode : new String[] {"nice", "user"}) {
                    series.counter("node_cpu_guest_seconds_total", constant(0), "cpu", Integer.toString(cpu), "mode", mode);
                }
                series.gauge("node_cpu_scaling_frequency_hertz", gauge(series.seed("freq", Integer.toString(cpu)), 2.4e9, 0.1, 0.2, 1e6, 8e8, 3.5e9),
                        "cpu", Integer.toString(cpu));
                series.gauge("node_cpu_scaling_frequency_max_hertz", constant(3.5e9), "cpu", Integer.toString(cpu));
                series.gauge("node_cpu_scaling_frequency_min_hertz", constant(8e8), "cpu", Integer.toString(cpu));
                // /proc/schedstat: nanoseconds running and waiting per CPU, node_exporter divides by 1e9
                series.counter("node_schedstat_running_seconds_total", counter(series.target(), series.seed("run", Integer.toString(cpu)),
                        t -> 1000 * busy(c, t), 0.1, 1, 1000), "cpu", Integer.toString(cpu));
                series.counter("node_schedstat_waiting_seconds_total", counter(series.target(), series.seed("wait", Integer.toString(cpu)),
                        t -> 60 * busy(c, t) * busy(c, t), 0.3, 1, 1000), "cpu", Integer.toString(cpu));
                series.counter("node_schedstat_timeslices_total", counter(series.target(), series.seed("slices", Integer.toString(cpu)),
                        t -> 400 * (0.2 + busy(c, t)), 0.2, 1, 1), "cpu", Integer.toString(cpu));
                series.counter("node_softnet_processed_total", counter(series.target(), series.seed("softnet", Integer.toString(cpu)),
                        t -> 300 * (0.3 + busy(c, t)), 0.3, 1, 1), "cpu", Integer.toString(cpu));
                series.counter("node_softnet_dropped_total", constant(0), "cpu", Integer.toString(cpu));
                series.counter("node_softnet_times_squeezed_total", counter(series.target(), series.seed("squeezed", Integer.toString(cpu)),
                        t -> 0.02 * busy(c, t), 0.9, 1, 1), "cpu", Integer.toString(cpu));
            }
        }

        private void memory() {
            long total = memTotal;
            long page = 4096;
            series.gauge("node_memory_MemTotal_bytes", constant(total));
            // used memory follows the CPU's daily rhythm
            LongToDoubleFunction used = t -> total * (0.35 + 0.25 * busy(0, t));
            series.gauge("node_memory_MemAvailable_bytes", Processes.of(t -> Math.round((total - used.applyAsDouble(t)) / page) * page));
            series.gauge("node_memory_MemFree_bytes", Processes.of(t -> Math.round((total - used.applyAsDouble(t)) * 0.3 / page) * page));
            series.gauge("node_memory_Cached_bytes", Processes.of(t -> Math.round((total - used.applyAsDouble(t)) * 0.6 / page) * page));
            series.gauge("node_memory_Buffers_bytes", gauge(series.seed("buffers"), total * 0.02, 0.1, 0.05, page, 0, total));
            series.gauge("node_memory_Slab_bytes", gauge(series.seed("slab"), total * 0.03, 0.05, 0.02, page, 0, total));
            series.gauge("node_memory_SReclaimable_bytes", gauge(series.seed("srecl"), total * 0.02, 0.05, 0.02, page, 0, total));
            series.gauge("node_memory_Active_bytes", Processes.of(t -> Math.round(used.applyAsDouble(t) * 0.7 / page) * page));
            series.gauge("node_memory_Inactive_bytes", Processes.of(t -> Math.round(used.applyAsDouble(t) * 0.3 / page) * page));
            series.gauge("node_memory_Dirty_bytes", gauge(series.seed("dirty"), 2e6, 0.5, 0.8, page, 0, 1e9));
            series.gauge("node_memory_Shmem_bytes", gauge(series.seed("shmem"), 5e7, 0.1, 0.05, page, 0, 1e10));
            series.gauge("node_memory_PageTables_bytes", gauge(series.seed("pt"), 2e7, 0.2, 0.05, page, 0, 1e10));
            series.gauge("node_memory_Committed_AS_bytes", Processes.of(t -> Math.round(used.applyAsDouble(t) * 1.4 / page) * page));
            series.gauge("node_memory_CommitLimit_bytes", constant(total / 2));
            series.gauge("node_memory_SwapTotal_bytes", constant(0));
            series.gauge("node_memory_SwapFree_bytes", constant(0));
            series.gauge("node_memory_HugePages_Total", constant(0));
            series.gauge("node_memory_Hugepagesize_bytes", constant(2 * 1024 * 1024));
            series.counter("node_vmstat_pgfault", counter(series.target(), series.seed("pgfault"), t -> 4000 * busy(0, t), 0.3, 1, 1));
            series.counter("node_vmstat_pgmajfault", counter(series.target(), series.seed("pgmajfault"), t -> 0.5 * busy(0, t), 0.9, 1, 1));
            series.counter("node_vmstat_pgpgin", counter(series.target(), series.seed("pgpgin"), t -> 80 * busy(0, t), 0.5, 1, 1));
            series.counter("node_vmstat_pgpgout", counter(series.target(), series.seed("pgpgout"), t -> 300 * busy(0, t), 0.5, 1, 1));
            series.counter("node_vmstat_pswpin", constant(0));
            series.counter("node_vmstat_pswpout", constant(0));
            series.counter("node_vmstat_oom_kill", constant(0));
        }

        private void filesystems() {
            String[][] mounts = {{"/dev/nvme0n1p1", "ext4", "/"}, {"/dev/nvme0n1p15", "vfat", "/boot/efi"}, {"/dev/nvme1n1", "ext4", "/var/lib/kubelet"},
                    {"tmpfs", "tmpfs", "/run"}};
            for (String[] mount : mounts) {
                String[] labels = {"device", mount[0], "fstype", mount[1], "mountpoint", mount[2]};
                long size = mount[1].equals("vfat") ? 104_594_432L : mount[1].equals("tmpfs") ? memTotal / 10 / 4096 * 4096
                        : (20L + random.nextInt(180)) * GIB;
                boolean busy = !mount[1].equals("vfat");
                double usedFraction = 0.2 + 0.5 * random.nextDouble();
                long fsSeed = series.seed("fs", mount[2]);
                // used space grows slowly and drops when logs rotate at midnight
                LongToDoubleFunction free = t -> {
                    double growth = busy ? 0.05 * Math.floorMod(t, Processes.DAY) / (double) Processes.DAY : 0;
                    return Math.round(size * (1 - usedFraction - growth) / 4096) * 4096.0 - (busy ? 4096 * Math.round(100 * noise(fsSeed, t / 60_000)) : 0);
                };
                series.gauge("node_filesystem_size_bytes", constant(size), labels);
                series.gauge("node_filesystem_free_bytes", Processes.of(free), labels);
                series.gauge("node_filesystem_avail_bytes", Processes.of(t -> Math.max(0, free.applyAsDouble(t) - (mount[1].equals("ext4") ? size / 20 / 4096 * 4096 : 0))),
                        labels);
                series.gauge("node_filesystem_files", constant(size / 16384), labels);
                series.gauge("node_filesystem_files_free", gauge(fsSeed + 1, size / 16384 * 0.9, 0.01, 0.001, 1, 0, size / 16384), labels);
                series.gauge("node_filesystem_readonly", constant(0), labels);
                series.gauge("node_filesystem_device_error", constant(0), labels);
            }
        }

        private void disks() {
            for (String device : new String[] {"nvme0n1", "nvme1n1", "dm-0"}) {
                double load = device.equals("nvme1n1") ? 3 : 1;
                series.counter("node_disk_reads_completed_total", counter(series.target(), series.seed("rc", device), t -> 5 * load * busy(0, t), 0.5, 1, 1),
                        "device", device);
                series.counter("node_disk_writes_completed_total", counter(series.target(), series.seed("wc", device), t -> 40 * load * busy(0, t), 0.5, 1, 1),
                        "device", device);
                series.counter("node_disk_read_bytes_total", counter(series.target(), series.seed("rb", device), t -> 20 * load * busy(0, t), 0.5, 4096, 1),
                        "device", device);
                series.counter("node_disk_written_bytes_total", counter(series.target(), series.seed("wb", device), t -> 150 * load * busy(0, t), 0.5, 4096, 1),
                        "device", device);
                // /proc/diskstats counts milliseconds; node_exporter divides by 1000
                series.counter("node_disk_io_time_seconds_total", counter(series.target(), series.seed("io", device), t -> 60 * load * busy(0, t), 0.4, 1, 1000),
                        "device", device);
                series.counter("node_disk_io_time_weighted_seconds_total", counter(series.target(), series.seed("iow", device),
                        t -> 90 * load * busy(0, t), 0.4, 1, 1000), "device", device);
                series.counter("node_disk_read_time_seconds_total", counter(series.target(), series.seed("rt", device), t -> 10 * load * busy(0, t), 0.4, 1, 1000),
                        "device", device);
                series.counter("node_disk_write_time_seconds_total", counter(series.target(), series.seed("wt", device), t -> 70 * load * busy(0, t), 0.4, 1, 1000),
                        "device", device);
                series.gauge("node_disk_io_now", Processes.of(t -> noise(series.seed("now", device), t) < 0.1 * load ? 1 : 0), "device", device);
            }
        }

        private void network() {
            for (String device : new String[] {"eth0", "lo", "cni0"}) {
                double bytes = switch (device) {
                    case "eth0" -> 400_000;
                    case "cni0" -> 150_000;
                    default -> 20_000;
                };
                for (String direction : new String[] {"receive", "transmit"}) {
                    double scale = direction.equals("receive") ? 1 : 0.6;
                    series.counter("node_network_" + direction + "_bytes_total", counter(series.target(), series.seed(direction, "bytes", device),
                            t -> bytes * scale * (0.3 + busy(0, t)), 0.3, 1, 1), "device", device);
                    series.counter("node_network_" + direction + "_packets_total", counter(series.target(), series.seed(direction, "packets", device),
                            t -> bytes * scale / 700 * (0.3 + busy(0, t)), 0.3, 1, 1), "device", device);
                    series.counter("node_network_" + direction + "_errs_total", constant(0), "device", device);
                    series.counter("node_network_" + direction + "_drop_total", counter(series.target(), series.seed(direction, "drop", device),
                            t -> device.equals("eth0") ? 0.01 : 0, 0.9, 1, 1), "device", device);
                }
                series.gauge("node_network_up", constant(device.equals("lo") ? 0 : 1), "device", device);
                series.gauge("node_network_mtu_bytes", constant(device.equals("lo") ? 65536 : device.equals("cni0") ? 1450 : 9001), "device", device);
                series.gauge("node_network_speed_bytes", constant(device.equals("eth0") ? 3_125_000_000.0 : 0), "device", device);
                series.gauge("node_network_carrier", constant(1), "device", device);
                series.gauge("node_network_transmit_queue_length", constant(1000), "device", device);
                for (String statistic : new String[] {"receive_compressed", "receive_fifo", "receive_frame", "transmit_compressed", "transmit_fifo",
                        "transmit_carrier", "transmit_colls"}) {
                    series.counter("node_network_" + statistic + "_total", constant(0), "device", device);
                }
                series.counter("node_network_receive_multicast_total", counter(series.target(), series.seed("multicast", device),
                        t -> device.equals("lo") ? 0 : 0.5, 0.5, 1, 1), "device", device);
                series.gauge("node_network_info", constant(1), "address", "0a:" + Integer.toHexString(0x10 + random.nextInt(0xef)) + ":3c:9e:11:22",
                        "broadcast", "ff:ff:ff:ff:ff:ff", "device", device, "duplex", device.equals("eth0") ? "full" : "", "ifalias", "", "operstate",
                        device.equals("lo") ? "unknown" : "up");
            }
            series.gauge("node_netstat_Tcp_CurrEstab", gauge(series.seed("estab"), 80 * cpus, 0.3, 0.1, 1, 0, 1e6));
            series.counter("node_netstat_Tcp_ActiveOpens", counter(series.target(), series.seed("aopen"), t -> 10 * (0.3 + busy(0, t)), 0.3, 1, 1));
            series.counter("node_netstat_Tcp_PassiveOpens", counter(series.target(), series.seed("popen"), t -> 8 * (0.3 + busy(0, t)), 0.3, 1, 1));
            series.counter("node_netstat_Tcp_RetransSegs", counter(series.target(), series.seed("retrans"), t -> 0.3 * (0.3 + busy(0, t)), 0.5, 1, 1));
            series.gauge("node_sockstat_TCP_inuse", gauge(series.seed("inuse"), 60 * cpus, 0.3, 0.1, 1, 0, 1e6));
            series.gauge("node_sockstat_sockets_used", gauge(series.seed("sockets"), 300 * cpus, 0.2, 0.05, 1, 0, 1e6));
        }

        private void system() {
            LongToDoubleFunction runnable = t -> {
                double sum = 0;
                for (int cpu = 0; cpu < cpus; cpu++) {
                    sum += busy(cpu, t);
                }
                return sum * 1.3;
            };
            series.gauge("node_load1", Processes.smoothed(runnable, 60_000));
            series.gauge("node_load5", Processes.smoothed(runnable, 300_000));
            series.gauge("node_load15", Processes.smoothed(runnable, 900_000));
            series.gauge("node_procs_running", Processes.of(t -> 1 + Math.round(runnable.applyAsDouble(t))));
            series.gauge("node_procs_blocked", Processes.of(t -> noise(series.seed("blocked"), t) < 0.05 ? 1 : 0));
            series.counter("node_context_switches_total", counter(series.target(), series.seed("cs"), t -> 3000 * cpus * (0.2 + busy(0, t)), 0.2, 1, 1));
            series.counter("node_intr_total", counter(series.target(), series.seed("intr"), t -> 1500 * cpus * (0.2 + busy(0, t)), 0.2, 1, 1));
            series.counter("node_forks_total", counter(series.target(), series.seed("forks"), t -> 5 * (0.2 + busy(0, t)), 0.5, 1, 1));
            Target host = series.target();
            series.gauge("node_boot_time_seconds", Processes.of(t -> host.bootTime(t) / 1000));
            series.gauge("node_time_seconds", Processes.of(t -> t / 1000.0 + 0.000_123_456 * noise(series.seed("clock"), t)));
            series.gauge("node_timex_offset_seconds", Processes.of(t -> (noise(series.seed("offset"), t) - 0.5) * 2e-4));
            series.gauge("node_timex_sync_status", constant(1));
            series.gauge("node_timex_maxerror_seconds", gauge(series.seed("maxerr"), 0.2, 0.5, 0.3, 1e-6, 0, 16));
            series.gauge("node_entropy_available_bits", gauge(series.seed("entropy"), 256, 0, 0, 1, 256, 256));
            series.gauge("node_filefd_allocated", gauge(series.seed("fd"), 3000 * cpus, 0.2, 0.05, 1, 0, 1e7));
            series.gauge("node_filefd_maximum", constant(9_223_372_036_854_775_807.0));
            series.gauge("node_uname_info", constant(1), "domainname", "(none)", "machine", "x86_64", "nodename", nodename, "release",
                    "6.1.0-28-cloud-amd64", "sysname", "Linux", "version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)");
            series.gauge("node_os_info", constant(1), "id", "debian", "name", "Debian GNU/Linux", "pretty_name", "Debian GNU/Linux 12 (bookworm)",
                    "version", "12 (bookworm)", "version_codename", "bookworm", "version_id", "12");
            series.gauge("node_exporter_build_info", constant(1), "branch", "HEAD", "goarch", "amd64", "goos", "linux", "goversion", "go1.22.5",
                    "revision", "2f23d8ea7cbd98e7c9a4c6ac9c1ff1e2f2b7ca4e", "tags", "unknown", "version", "1.8.2");
        }

        /** The rest of /proc/meminfo that node_exporter exposes (sizes in bytes; the HugePages_ counts are pages). */
        private void meminfoDetail() {
            long total = memTotal;
            long page = 4096;
            LongToDoubleFunction used = t -> total * (0.35 + 0.25 * busy(0, t));
            series.gauge("node_memory_Active_anon_bytes", Processes.of(t -> Math.round(used.applyAsDouble(t) * 0.55 / page) * page));
            series.gauge("node_memory_Active_file_bytes", Processes.of(t -> Math.round(used.applyAsDouble(t) * 0.15 / page) * page));
            series.gauge("node_memory_Inactive_anon_bytes", Processes.of(t -> Math.round(used.applyAsDouble(t) * 0.05 / page) * page));
            series.gauge("node_memory_Inactive_file_bytes", Processes.of(t -> Math.round(used.applyAsDouble(t) * 0.25 / page) * page));
            series.gauge("node_memory_AnonPages_bytes", Processes.of(t -> Math.round(used.applyAsDouble(t) * 0.58 / page) * page));
            series.gauge("node_memory_AnonHugePages_bytes", constant(0));
            series.gauge("node_memory_Mapped_bytes", gauge(series.seed("mapped"), total * 0.04, 0.05, 0.02, page, 0, total));
            series.gauge("node_memory_SUnreclaim_bytes", gauge(series.seed("sunreclaim"), total * 0.01, 0.05, 0.02, page, 0, total));
            series.gauge("node_memory_KernelStack_bytes", gauge(series.seed("kstack"), 12e6 * cpus, 0.1, 0.02, 16384, 0, total));
            series.gauge("node_memory_Percpu_bytes", constant(cpus * 1_179_648.0));
            series.gauge("node_memory_Writeback_bytes", Processes.of(t -> noise(series.seed("writeback"), t) < 0.05 ? page * 8 : 0));
            series.gauge("node_memory_WritebackTmp_bytes", constant(0));
            series.gauge("node_memory_SwapCached_bytes", constant(0));
            series.gauge("node_memory_Bounce_bytes", constant(0));
            series.gauge("node_memory_NFS_Unstable_bytes", constant(0));
            series.gauge("node_memory_HardwareCorrupted_bytes", constant(0));
            series.gauge("node_memory_Unevictable_bytes", constant(2.5e7));
            series.gauge("node_memory_Mlocked_bytes", constant(2.5e7));
            series.gauge("node_memory_ShmemHugePages_bytes", constant(0));
            series.gauge("node_memory_ShmemPmdMapped_bytes", constant(0));
            series.gauge("node_memory_VmallocTotal_bytes", constant(35_184_372_087_808.0));
            series.gauge("node_memory_VmallocUsed_bytes", gauge(series.seed("vmalloc"), 3.5e7, 0.02, 0.01, 1024, 0, 1e10));
            series.gauge("node_memory_VmallocChunk_bytes", constant(0));
            series.gauge("node_memory_HugePages_Free", constant(0));
            series.gauge("node_memory_HugePages_Rsvd", constant(0));
            series.gauge("node_memory_HugePages_Surp", constant(0));
            series.gauge("node_memory_DirectMap4k_bytes", constant(2.0e8));
            series.gauge("node_memory_DirectMap2M_bytes", constant((double) (total / (2 << 20)) * (2 << 20) - 2.0e8 + (1 << 30)));
            series.gauge("node_memory_DirectMap1G_bytes", constant(0));
        }

        /** /proc/net/snmp and netstat counters of node_exporter's default field list, and /proc/net/sockstat. */
        private void netstatDetail() {
            LongToDoubleFunction load = t -> 0.3 + busy(0, t);
            series.counter("node_netstat_Tcp_InSegs", counter(series.target(), series.seed("inseg"), t -> 700 * load.applyAsDouble(t), 0.3, 1, 1));
            series.counter("node_netstat_Tcp_OutSegs", counter(series.target(), series.seed("outseg"), t -> 650 * load.applyAsDouble(t), 0.3, 1, 1));
            series.counter("node_netstat_Tcp_OutRsts", counter(series.target(), series.seed("rsts"), t -> 2 * load.applyAsDouble(t), 0.5, 1, 1));
            series.counter("node_netstat_Tcp_InErrs", counter(series.target(), series.seed("inerrs"), t -> 0.01, 0.9, 1, 1));
            series.counter("node_netstat_TcpExt_ListenOverflows", constant(0));
            series.counter("node_netstat_TcpExt_ListenDrops", constant(0));
            series.counter("node_netstat_TcpExt_SyncookiesFailed", constant(0));
            series.counter("node_netstat_TcpExt_SyncookiesRecv", constant(0));
            series.counter("node_netstat_TcpExt_SyncookiesSent", constant(0));
            series.counter("node_netstat_TcpExt_TCPSynRetrans", counter(series.target(), series.seed("synretrans"), t -> 0.05 * load.applyAsDouble(t), 0.9, 1, 1));
            series.counter("node_netstat_Udp_InDatagrams", counter(series.target(), series.seed("udpin"), t -> 40 * load.applyAsDouble(t), 0.3, 1, 1));
            series.counter("node_netstat_Udp_OutDatagrams", counter(series.target(), series.seed("udpout"), t -> 40 * load.applyAsDouble(t), 0.3, 1, 1));
            series.counter("node_netstat_Udp_NoPorts", counter(series.target(), series.seed("noports"), t -> 0.05, 0.9, 1, 1));
            series.counter("node_netstat_Udp_InErrors", constant(0));
            series.counter("node_netstat_Udp_RcvbufErrors", constant(0));
            series.counter("node_netstat_Udp_SndbufErrors", constant(0));
            series.counter("node_netstat_UdpLite_InErrors", constant(0));
            series.counter("node_netstat_Icmp_InMsgs", counter(series.target(), series.seed("icmpin"), t -> 0.2, 0.5, 1, 1));
            series.counter("node_netstat_Icmp_OutMsgs", counter(series.target(), series.seed("icmpout"), t -> 0.2, 0.5, 1, 1));
            series.counter("node_netstat_Icmp_InErrors", constant(0));
            series.counter("node_netstat_IpExt_InOctets", counter(series.target(), series.seed("inoct"), t -> 550_000 * load.applyAsDouble(t), 0.3, 1, 1));
            series.counter("node_netstat_IpExt_OutOctets", counter(series.target(), series.seed("outoct"), t -> 330_000 * load.applyAsDouble(t), 0.3, 1, 1));
            // a gauge despite its name: 1 means forwarding (a Kubernetes node forwards)
            series.gauge("node_netstat_Ip_Forwarding", constant(1));
            series.gauge("node_sockstat_TCP_alloc", gauge(series.seed("alloc"), 70 * cpus, 0.3, 0.1, 1, 0, 1e6));
            series.gauge("node_sockstat_TCP_orphan", constant(0));
            series.gauge("node_sockstat_TCP_tw", gauge(series.seed("tw"), 30 * cpus, 0.4, 0.2, 1, 0, 1e6));
            series.gauge("node_sockstat_TCP_mem", gauge(series.seed("tcpmem"), 40 * cpus, 0.3, 0.2, 1, 0, 1e6));
            series.gauge("node_sockstat_TCP_mem_bytes", gauge(series.seed("tcpmembytes"), 40 * cpus * 4096.0, 0.3, 0.2, 4096, 0, 4e9));
            series.gauge("node_sockstat_UDP_inuse", constant(6));
            series.gauge("node_sockstat_UDP_mem", constant(4));
            series.gauge("node_sockstat_UDP_mem_bytes", constant(4 * 4096.0));
            series.gauge("node_sockstat_UDPLITE_inuse", constant(0));
            series.gauge("node_sockstat_RAW_inuse", constant(0));
            series.gauge("node_sockstat_FRAG_inuse", constant(0));
            series.gauge("node_sockstat_FRAG_memory", constant(0));
            series.gauge("node_nf_conntrack_entries", gauge(series.seed("conntrack"), 600 * cpus, 0.3, 0.1, 1, 0, 262_144));
            series.gauge("node_nf_conntrack_entries_limit", constant(262_144));
            series.gauge("node_arp_entries", constant(3 + random.nextInt(6)), "device", "eth0");
            series.gauge("node_arp_entries", constant(2 * cpus), "device", "cni0");
        }

        /** Pressure stall information, the remaining clock discipline figures, and the remaining disk statistics. */
        private void kernelDetail() {
            series.counter("node_pressure_cpu_waiting_seconds_total", counter(series.target(), series.seed("psicpu"), t -> 20_000 * busy(0, t) * busy(0, t), 0.3, 1,
                    1_000_000));
            series.counter("node_pressure_memory_waiting_seconds_total", counter(series.target(), series.seed("psimem"), t -> 50 * busy(0, t), 0.5, 1, 1_000_000));
            series.counter("node_pressure_memory_stalled_seconds_total", counter(series.target(), series.seed("psimemfull"), t -> 20 * busy(0, t), 0.5, 1,
                    1_000_000));
            series.counter("node_pressure_io_waiting_seconds_total", counter(series.target(), series.seed("psiio"), t -> 8_000 * busy(0, t), 0.4, 1, 1_000_000));
            series.counter("node_pressure_io_stalled_seconds_total", counter(series.target(), series.seed("psiiofull"), t -> 6_000 * busy(0, t), 0.4, 1, 1_000_000));
            series.gauge("node_timex_estimated_error_seconds", gauge(series.seed("esterr"), 2e-4, 0.3, 0.3, 1e-6, 0, 16));
            series.gauge("node_timex_loop_time_constant", constant(7));
            series.gauge("node_timex_frequency_adjustment_ratio", Processes.of(t -> 1 + (noise(series.seed("freqadj"), t / 3_600_000) - 0.5) * 2e-6));
            series.gauge("node_timex_tick_seconds", constant(0.01));
            series.gauge("node_timex_tai_offset_seconds", constant(0));
            for (String device : new String[] {"nvme0n1", "nvme1n1", "dm-0"}) {
                double load = device.equals("nvme1n1") ? 3 : 1;
                series.counter("node_disk_reads_merged_total", counter(series.target(), series.seed("rm", device), t -> 0.5 * load * busy(0, t), 0.5, 1, 1),
                        "device", device);
                series.counter("node_disk_writes_merged_total", counter(series.target(), series.seed("wm", device), t -> 12 * load * busy(0, t), 0.5, 1, 1),
                        "device", device);
                series.counter("node_disk_discards_completed_total", counter(series.target(), series.seed("dc", device), t -> 0.02 * load, 0.9, 1, 1),
                        "device", device);
                series.counter("node_disk_discards_merged_total", constant(0), "device", device);
                series.counter("node_disk_discard_time_seconds_total", counter(series.target(), series.seed("dt", device), t -> 0.5 * load, 0.9, 1, 1000),
                        "device", device);
            }
        }

        /** node_exporter's own figures: its Go process and how long each collector took. */
        private void exporter() {
            Target host = series.target();
            series.counter("process_cpu_seconds_total", counter(host, series.seed("exportercpu"), t -> 2, 0.5, 1, 100));
            series.gauge("process_open_fds", gauge(series.seed("exporterfds"), 11, 0.1, 0.1, 1, 7, 30));
            series.gauge("process_max_fds", constant(1_048_576));
            series.gauge("process_resident_memory_bytes", gauge(series.seed("exporterrss"), 2.2e7, 0.1, 0.05, 4096, 1e7, 1e8));
            series.gauge("process_virtual_memory_bytes", gauge(series.seed("exportervsz"), 1.27e9, 0.01, 0.01, 4096, 1e9, 2e9));
            series.gauge("process_virtual_memory_max_bytes", constant(1.8446744073709552e19));
            series.gauge("process_start_time_seconds", Processes.of(t -> host.bootTime(t) / 1000 + 9));
            for (String collector : new String[] {"arp", "conntrack", "cpu", "cpufreq", "diskstats", "filefd", "filesystem", "loadavg", "meminfo", "netclass",
                    "netdev", "netstat", "pressure", "schedstat", "sockstat", "softnet", "stat", "textfile", "time", "timex", "uname", "vmstat"}) {
                series.gauge("node_scrape_collector_duration_seconds", gauge(series.seed("collector", collector), 0.002, 0.2, 0.5, 1e-6, 1e-5, 1),
                        "collector", collector);
                series.gauge("node_scrape_collector_success", constant(1), "collector", collector);
            }
            series.gauge("node_textfile_scrape_error", constant(0));
        }

        /** What Prometheus adds for every scrape: {@code up} (0 while the node reboots) and the scrape's own figures. */
        private void scrape() {
            Target host = series.target();
            series.gauge("up", new SyntheticSeries.ValueProcess() {
                @Override
                public double next(long t) {
                    return host.up(t) ? 1 : 0;
                }

                @Override
                public boolean reportsWhileDown() {
                    return true;
                }
            });
            series.gauge("scrape_duration_seconds", Processes.of(t -> 0.02 + 0.03 * noise(series.seed("sd"), t)));
            series.gauge("scrape_samples_scraped", constant(900 + 40 * cpus));
        }
    }
}
