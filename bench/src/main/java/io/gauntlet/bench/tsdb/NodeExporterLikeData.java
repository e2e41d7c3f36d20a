package io.gauntlet.bench.tsdb;

import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a Prometheus server scraping node_exporter every 15 s stores, per host (~270 series): per-CPU seconds counters
 * in 1/100 s ticks, network/disk/vmstat/netstat counters growing by integers, /proc/meminfo gauges in 4 KiB pages
 * (half of them constant), filesystem sizes (constant) and free space (moving in pages), load averages with two
 * decimals, small-integer gauges, constant info/status series, and the self-instrumentation whose values use all
 * mantissa bits (collector durations, {@code node_time_seconds}, {@code scrape_duration_seconds}, GC quantiles).
 *
 * <p>Timestamp model: each host is scraped at a fixed phase of the 15 s grid. Prometheus (since 2.40) snaps a scrape
 * timestamp that is within 2 ms of the grid onto it, so most scrapes land exactly on the grid and the others (20 % by
 * default) are 3–5 ms early or late (not cumulative: the next scrape is again relative to the grid). All series of one host
 * share the scrape's timestamp. Fixed seed: every run produces the same data.
 */
final class NodeExporterLikeData {
    static final long SCRAPE_INTERVAL = 15_000L;

    /** How a series' values move; the bytes-per-sample breakdown is reported per shape. */
    enum Shape {
        CONSTANT, COUNTER_INTEGER, COUNTER_SECONDS, GAUGE_PAGES, GAUGE_SMALL, FULL_PRECISION
    }

    /** One generated series: OpenMetrics family name and type, labels incl. {@code __name__}, its samples. */
    record Series(String family, String type, Shape shape, Labels labels, long[] timestamps, double[] values) {
    }

    /** The next value from the previous one. */
    private interface Step {
        double next(double previous, Random random, long timestamp);
    }

    private NodeExporterLikeData() {
    }

    /** All series of {@code hosts} hosts with scrapes in {@code [from, to)}; {@code offGrid} of the scrapes are 3–5 ms off. */
    static List<Series> generate(int hosts, long from, long to, double offGrid, long seed) {
        Random random = new Random(seed);
        List<Series> out = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            long[] scrapes = scrapeTimes(random, from, to, offGrid);
            new HostSeries(out, random, "host-" + h + ":9100", scrapes).addAll();
        }
        return out;
    }

    private static long[] scrapeTimes(Random random, long from, long to, double offGrid) {
        long phase = random.nextLong(SCRAPE_INTERVAL);
        int n = (int) ((to - from - phase - 5) / SCRAPE_INTERVAL);
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            long jitter = random.nextDouble() < offGrid ? (3 + random.nextInt(3)) * (random.nextBoolean() ? 1 : -1) : 0;
            times[i] = from + phase + i * SCRAPE_INTERVAL + jitter;
        }
        if (times[0] < from) {
            times[0] = from;
        }
        return times;
    }

    /** Builds one host's series. */
    private static final class HostSeries {
        private final List<Series> out;
        private final Random random;
        private final String instance;
        private final long[] scrapes;

        HostSeries(List<Series> out, Random random, String instance, long[] scrapes) {
            this.out = out;
            this.random = random;
            this.instance = instance;
            this.scrapes = scrapes;
        }

        void addAll() {
            cpu();
            memory();
            filesystem();
            disk();
            network();
            system();
            selfInstrumentation();
        }

        private void cpu() {
            String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
            for (int cpu = 0; cpu < 4; cpu++) {
                // ticks of 1/100 s per 15 s scrape (1500 in total per CPU); idle takes what the others leave
                long[] ticksPerScrape = new long[modes.length];
                for (String mode : modes) {
                    double start = Math.round(random.nextDouble() * 2e8) / 100.0;
                    int[] range = switch (mode) {
                        case "user" -> new int[] {20, 300};
                        case "system" -> new int[] {10, 80};
                        case "iowait" -> new int[] {0, 10};
                        case "softirq" -> new int[] {0, 8};
                        case "steal" -> new int[] {0, 3};
                        case "irq", "nice" -> new int[] {0, 0};
                        default -> new int[] {1100, 1470}; // idle
                    };
                    Shape shape = range[1] == 0 ? Shape.CONSTANT : Shape.COUNTER_SECONDS;
                    add("node_cpu_seconds_total", "counter", shape, start, (v, r, t) -> {
                        long ticks = Math.round(v * 100) + range[0] + (range[1] > range[0] ? r.nextInt(range[1] - range[0] + 1) : 0);
                        return ticks / 100.0;
                    }, "cpu", Integer.toString(cpu), "mode", mode);
                }
                for (String mode : new String[] {"nice", "user"}) {
                    add("node_cpu_guest_seconds_total", "counter", Shape.CONSTANT, 0, (v, r, t) -> v, "cpu", Integer.toString(cpu), "mode", mode);
                }
            }
        }

        private void memory() {
            String[] moving = {"MemFree", "MemAvailable", "Buffers", "Cached", "Active", "Inactive", "Active_anon", "Inactive_anon",
                    "Active_file", "Inactive_file", "Dirty", "AnonPages", "Mapped", "Shmem", "Slab", "SReclaimable", "SUnreclaim",
                    "KernelStack", "PageTables", "Committed_AS"};
            String[] constant = {"MemTotal", "SwapTotal", "SwapFree", "SwapCached", "HugePages_Total", "HugePages_Free", "Hugepagesize",
                    "DirectMap4k", "DirectMap2M", "DirectMap1G", "VmallocTotal", "VmallocUsed", "CommitLimit", "Mlocked", "Unevictable",
                    "Writeback", "NFS_Unstable", "Bounce", "HardwareCorrupted", "Percpu"};
            for (String name : moving) {
                // most meminfo values move every scrape by a few hundred pages at most
                add("node_memory_" + name + "_bytes", "gauge", Shape.GAUGE_PAGES, 4096.0 * random.nextInt(2_000_000),
                        (v, r, t) -> r.nextInt(10) < 7 ? Math.max(0, v + 4096.0 * Math.round(r.nextGaussian() * 50)) : v);
            }
            for (String name : constant) {
                add("node_memory_" + name + "_bytes", "gauge", Shape.CONSTANT, 4096.0 * random.nextInt(4_000_000), (v, r, t) -> v);
            }
        }

        private void filesystem() {
            String[] mounts = {"/", "/boot", "/var"};
            for (int m = 0; m < mounts.length; m++) {
                boolean busy = m != 1; // /boot never changes
                String mount = mounts[m];
                double size = 4096.0 * (1_000_000 + random.nextInt(50_000_000));
                add("node_filesystem_size_bytes", "gauge", Shape.CONSTANT, size, (v, r, t) -> v, "device", "/dev/sda" + m, "mountpoint", mount);
                double avail = Math.floor(size * 0.4 / 4096) * 4096;
                Step free = (v, r, t) -> busy && r.nextInt(4) == 0 ? v + 4096.0 * (r.nextInt(201) - 100) : v;
                add("node_filesystem_avail_bytes", "gauge", busy ? Shape.GAUGE_PAGES : Shape.CONSTANT, avail, free, "device", "/dev/sda" + m,
                        "mountpoint", mount);
                add("node_filesystem_free_bytes", "gauge", busy ? Shape.GAUGE_PAGES : Shape.CONSTANT, avail + 4096.0 * 1_000_000, free,
                        "device", "/dev/sda" + m, "mountpoint", mount);
                add("node_filesystem_files", "gauge", Shape.CONSTANT, 6_553_600, (v, r, t) -> v, "device", "/dev/sda" + m, "mountpoint", mount);
                add("node_filesystem_files_free", "gauge", busy ? Shape.GAUGE_SMALL : Shape.CONSTANT, 6_000_000 + random.nextInt(500_000),
                        (v, r, t) -> busy && r.nextInt(3) == 0 ? v + r.nextInt(21) - 10 : v, "device", "/dev/sda" + m, "mountpoint", mount);
                add("node_filesystem_readonly", "gauge", Shape.CONSTANT, 0, (v, r, t) -> v, "device", "/dev/sda" + m, "mountpoint", mount);
                add("node_filesystem_device_error", "gauge", Shape.CONSTANT, 0, (v, r, t) -> v, "device", "/dev/sda" + m, "mountpoint", mount);
            }
        }

        private void disk() {
            for (String device : new String[] {"sda", "dm-0"}) {
                add("node_disk_reads_completed_total", "counter", Shape.COUNTER_INTEGER, random.nextInt(10_000_000),
                        (v, r, t) -> v + r.nextInt(20), "device", device);
                add("node_disk_writes_completed_total", "counter", Shape.COUNTER_INTEGER, random.nextInt(100_000_000),
                        (v, r, t) -> v + r.nextInt(150), "device", device);
                add("node_disk_read_bytes_total", "counter", Shape.COUNTER_INTEGER, 512.0 * random.nextInt(1_000_000_000),
                        (v, r, t) -> v + 4096.0 * r.nextInt(40), "device", device);
                add("node_disk_written_bytes_total", "counter", Shape.COUNTER_INTEGER, 512.0 * random.nextInt(1_000_000_000),
                        (v, r, t) -> v + 4096.0 * r.nextInt(400), "device", device);
                for (String name : new String[] {"io_time", "read_time", "write_time"}) {
                    // /proc/diskstats counts milliseconds: node_exporter divides by 1000
                    add("node_disk_" + name + "_seconds_total", "counter", Shape.COUNTER_SECONDS, random.nextInt(100_000_000) / 1000.0,
                            (v, r, t) -> (Math.round(v * 1000) + r.nextInt(300)) / 1000.0, "device", device);
                }
                add("node_disk_io_now", "gauge", Shape.GAUGE_SMALL, 0, (v, r, t) -> r.nextInt(10) == 0 ? 1 : 0, "device", device);
            }
        }

        private void network() {
            for (String device : new String[] {"eth0", "lo"}) {
                boolean eth = device.equals("eth0");
                for (String direction : new String[] {"receive", "transmit"}) {
                    add("node_network_" + direction + "_bytes_total", "counter", Shape.COUNTER_INTEGER, random.nextInt(1 << 30),
                            (v, r, t) -> v + (eth ? 5_000 + r.nextInt(50_000) : r.nextInt(2_000)), "device", device);
                    add("node_network_" + direction + "_packets_total", "counter", Shape.COUNTER_INTEGER, random.nextInt(1 << 24),
                            (v, r, t) -> v + (eth ? 20 + r.nextInt(200) : r.nextInt(20)), "device", device);
                    for (String kind : new String[] {"errs", "drop"}) {
                        add("node_network_" + direction + "_" + kind + "_total", "counter", Shape.CONSTANT, 0, (v, r, t) -> v, "device", device);
                    }
                }
                add("node_network_up", "gauge", Shape.CONSTANT, eth ? 1 : 0, (v, r, t) -> v, "device", device);
                add("node_network_mtu_bytes", "gauge", Shape.CONSTANT, eth ? 1500 : 65536, (v, r, t) -> v, "device", device);
                add("node_network_speed_bytes", "gauge", Shape.CONSTANT, eth ? 1.25e9 : 0, (v, r, t) -> v, "device", device);
            }
        }

        private void system() {
            double load = Math.round(random.nextDouble() * 300) / 100.0;
            for (String name : new String[] {"node_load1", "node_load5", "node_load15"}) {
                double sigma = name.equals("node_load1") ? 0.08 : name.equals("node_load5") ? 0.03 : 0.01;
                add(name, "gauge", Shape.GAUGE_SMALL, load, (v, r, t) -> Math.max(0, Math.round((v + r.nextGaussian() * sigma) * 100) / 100.0));
            }
            add("node_context_switches_total", "counter", Shape.COUNTER_INTEGER, random.nextInt(1 << 30), (v, r, t) -> v + 20_000 + r.nextInt(20_000));
            add("node_intr_total", "counter", Shape.COUNTER_INTEGER, random.nextInt(1 << 30), (v, r, t) -> v + 10_000 + r.nextInt(10_000));
            add("node_forks_total", "counter", Shape.COUNTER_INTEGER, random.nextInt(1 << 20), (v, r, t) -> v + r.nextInt(60));
            for (String name : new String[] {"pgfault", "pgmajfault", "pgpgin", "pgpgout"}) {
                int rate = name.equals("pgfault") ? 30_000 : name.equals("pgmajfault") ? 3 : 300;
                add("node_vmstat_" + name, "unknown", Shape.COUNTER_INTEGER, random.nextInt(1 << 28), (v, r, t) -> v + r.nextInt(rate + 1));
            }
            for (String name : new String[] {"pswpin", "pswpout", "oom_kill"}) {
                add("node_vmstat_" + name, "unknown", Shape.CONSTANT, 0, (v, r, t) -> v);
            }
            add("node_procs_running", "gauge", Shape.GAUGE_SMALL, 2, (v, r, t) -> 1 + r.nextInt(4));
            add("node_procs_blocked", "gauge", Shape.GAUGE_SMALL, 0, (v, r, t) -> r.nextInt(20) == 0 ? 1 : 0);
            add("node_filefd_allocated", "gauge", Shape.GAUGE_SMALL, 2000 + random.nextInt(3000), (v, r, t) -> r.nextInt(2) == 0 ? v + r.nextInt(9) - 4 : v);
            add("node_filefd_maximum", "gauge", Shape.CONSTANT, 9.223372036854776e18, (v, r, t) -> v);
            add("node_entropy_available_bits", "gauge", Shape.CONSTANT, 256, (v, r, t) -> v);
            for (String name : new String[] {"TCP_inuse", "TCP_tw", "TCP_alloc", "sockets_used", "UDP_inuse"}) {
                add("node_sockstat_" + name, "gauge", Shape.GAUGE_SMALL, 10 + random.nextInt(200), (v, r, t) -> Math.max(0, v + r.nextInt(5) - 2));
            }
            add("node_netstat_Tcp_CurrEstab", "unknown", Shape.GAUGE_SMALL, 10 + random.nextInt(50), (v, r, t) -> Math.max(0, v + r.nextInt(3) - 1));
            for (String name : new String[] {"Tcp_ActiveOpens", "Tcp_PassiveOpens", "Tcp_RetransSegs", "Tcp_InSegs", "Tcp_OutSegs", "Udp_InDatagrams",
                    "Udp_OutDatagrams"}) {
                int rate = name.endsWith("Segs") && !name.contains("Retrans") ? 3000 : 30;
                add("node_netstat_" + name, "unknown", Shape.COUNTER_INTEGER, random.nextInt(1 << 26), (v, r, t) -> v + r.nextInt(rate + 1));
            }
            for (String name : new String[] {"TcpExt_ListenDrops", "TcpExt_SyncookiesSent", "Tcp_InErrs"}) {
                add("node_netstat_" + name, "unknown", Shape.CONSTANT, random.nextInt(5), (v, r, t) -> v);
            }
            add("node_boot_time_seconds", "gauge", Shape.CONSTANT, 1.79e9 + random.nextInt(1_000_000), (v, r, t) -> v);
            add("node_uname_info", "gauge", Shape.CONSTANT, 1, (v, r, t) -> v, "machine", "x86_64", "release", "6.8.0-45-generic");
            add("node_exporter_build_info", "gauge", Shape.CONSTANT, 1, (v, r, t) -> v, "version", "1.8.2");
            add("node_time_zone_offset_seconds", "gauge", Shape.CONSTANT, 0, (v, r, t) -> v, "time_zone", "UTC");
            add("node_timex_sync_status", "gauge", Shape.CONSTANT, 1, (v, r, t) -> v);
            add("up", "gauge", Shape.CONSTANT, 1, (v, r, t) -> v);
        }

        private void selfInstrumentation() {
            String[] collectors = {"arp", "bcache", "bonding", "btrfs", "conntrack", "cpu", "cpufreq", "diskstats", "dmi", "edac", "entropy",
                    "filefd", "filesystem", "hwmon", "loadavg", "meminfo", "netclass", "netdev", "netstat", "os", "powersupplyclass",
                    "pressure", "rapl", "schedstat", "sockstat", "stat", "textfile", "time", "timex", "uname", "vmstat", "xfs"};
            for (String collector : collectors) {
                // a Go float64 of seconds measured in ns: every mantissa bit differs from scrape to scrape
                double typical = 1e-5 + random.nextDouble() * 5e-3;
                add("node_scrape_collector_duration_seconds", "gauge", Shape.FULL_PRECISION, typical,
                        (v, r, t) -> typical * (0.5 + r.nextDouble()), "collector", collector);
                add("node_scrape_collector_success", "gauge", Shape.CONSTANT, 1, (v, r, t) -> v, "collector", collector);
            }
            double skew = random.nextDouble() * 0.004;
            add("node_time_seconds", "gauge", Shape.FULL_PRECISION, 0, (v, r, t) -> t / 1000.0 + skew + r.nextInt(1_000_000) * 1e-9);
            add("node_timex_offset_seconds", "gauge", Shape.FULL_PRECISION, 0, (v, r, t) -> r.nextGaussian() * 1e-4);
            add("scrape_duration_seconds", "gauge", Shape.FULL_PRECISION, 0.02, (v, r, t) -> 0.01 + r.nextDouble() * 0.03);
            for (String q : new String[] {"0", "0.25", "0.5", "0.75", "1"}) {
                // quantiles over recent GC pauses: change when a GC ran (about every other scrape)
                add("go_gc_duration_seconds", "gauge", Shape.FULL_PRECISION, 3e-5,
                        (v, r, t) -> r.nextBoolean() ? 1e-5 + r.nextDouble() * 1e-4 : v, "quantile", q);
            }
            add("go_goroutines", "gauge", Shape.GAUGE_SMALL, 8, (v, r, t) -> 7 + r.nextInt(3));
            add("go_memstats_alloc_bytes", "gauge", Shape.GAUGE_SMALL, 3e6, (v, r, t) -> 2_000_000 + r.nextInt(3_000_000));
            add("go_memstats_heap_inuse_bytes", "gauge", Shape.GAUGE_PAGES, 8192.0 * 600, (v, r, t) -> 8192.0 * (400 + r.nextInt(400)));
            add("go_memstats_sys_bytes", "gauge", Shape.CONSTANT, 8192.0 * 2000, (v, r, t) -> v);
            add("process_cpu_seconds_total", "counter", Shape.COUNTER_SECONDS, Math.round(random.nextDouble() * 1e6) / 100.0,
                    (v, r, t) -> (Math.round(v * 100) + r.nextInt(6)) / 100.0);
            add("process_resident_memory_bytes", "gauge", Shape.GAUGE_PAGES, 4096.0 * 5000, (v, r, t) -> 4096.0 * (4800 + r.nextInt(400)));
            add("process_open_fds", "gauge", Shape.GAUGE_SMALL, 9, (v, r, t) -> 8 + r.nextInt(3));
            add("promhttp_metric_handler_requests_total", "counter", Shape.COUNTER_INTEGER, random.nextInt(1_000_000), (v, r, t) -> v + 1,
                    "code", "200");
            for (String name : new String[] {"scrape_samples_scraped", "scrape_samples_post_metric_relabeling"}) {
                add(name, "gauge", Shape.CONSTANT, 1000, (v, r, t) -> v);
            }
            add("scrape_series_added", "gauge", Shape.CONSTANT, 0, (v, r, t) -> v);
        }

        private void add(String name, String type, Shape shape, double start, Step step, String... extraLabels) {
            String[] pairs = new String[6 + extraLabels.length];
            pairs[0] = Labels.METRIC_NAME;
            pairs[1] = name;
            pairs[2] = "instance";
            pairs[3] = instance;
            pairs[4] = "job";
            pairs[5] = "node";
            System.arraycopy(extraLabels, 0, pairs, 6, extraLabels.length);
            double[] values = new double[scrapes.length];
            double value = start;
            for (int i = 0; i < scrapes.length; i++) {
                value = step.next(value, random, scrapes[i]);
                values[i] = value;
            }
            String family = type.equals("counter") ? name.substring(0, name.length() - "_total".length()) : name;
            out.add(new Series(family, type, shape, Labels.of(pairs), scrapes, values));
        }
    }
}
