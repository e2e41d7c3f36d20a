package io.gauntlet.query.testing;

import io.gauntlet.proto.prometheus.BucketSpan;
import io.gauntlet.proto.prometheus.Label;
import io.gauntlet.proto.prometheus.Sample;
import io.gauntlet.proto.prometheus.TimeSeries;
import io.gauntlet.proto.prometheus.WriteRequest;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.CounterResetHint;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic set of series with native histogram samples, as a scraped client would expose them every 15 s:
 * counter histograms with positive, negative and zero observations, a schema change (the client lowering the resolution
 * past its bucket limit), a restart (counter reset), a series that vanishes (staleness marker) and comes back, a gauge
 * histogram, a series that turns from floats into histograms, and classic {@code _bucket}/{@code _count}/{@code _sum}
 * float series next to them. The same samples go to a Prometheus (remote write) and to Gauntlet's stores.
 */
public final class NativeHistogramWorkload {
    /** A multiple of 2 h, so that block boundaries fall on the data's own boundaries. */
    public static final long START = 1_699_999_200_000L;
    public static final long INTERVAL = 15_000;
    public static final long STALE_NAN_BITS = 0x7ff0000000000002L;
    public static final String METRIC = "http_request_duration_seconds";

    /** One sample: a float ({@code histogram == null}) or an integer histogram. */
    public record Point(long timestamp, double value, Histogram histogram) {
    }

    public record SeriesData(Labels labels, List<Point> points) {
    }

    private final List<SeriesData> series = new ArrayList<>();
    private final long end;

    /** {@code samples} scrapes per series from {@link #START}. */
    public NativeHistogramWorkload(int samples) {
        this.end = START + (samples - 1) * INTERVAL;
        series.add(counter(labels(METRIC, "job", "api", "instance", "a"), samples, 1, 3, 12, samples / 2, -1, false));
        series.add(counter(labels(METRIC, "job", "api", "instance", "b"), samples, 2, 0, 40, -1, samples / 3, true));
        series.add(counter(labels(METRIC, "job", "web", "instance", "a"), samples, 3, 1, 40, -1, -1, true));
        series.add(vanishing(labels(METRIC, "job", "web", "instance", "b"), samples, 4));
        series.add(gauge(labels("queue_size_histogram", "job", "api", "instance", "a"), samples, 5));
        series.add(mixed(labels("mixed_metric", "job", "api", "instance", "a"), samples, 6));
        series.add(edge(labels("edge_histogram", "job", "api"), samples, 8));
        classic(samples, 7);
    }

    public List<SeriesData> series() {
        return series;
    }

    public long start() {
        return START;
    }

    /** The timestamp of the last scrape. */
    public long end() {
        return end;
    }

    private static Labels labels(String name, String... pairs) {
        Map<String, String> map = new TreeMap<>();
        map.put(Labels.METRIC_NAME, name);
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return Labels.fromMap(map);
    }

    /** Absolute counts of one histogram being observed into. */
    private static final class Observed {
        int schema;
        final double zeroThreshold;
        long zeroCount;
        long count;
        double sum;
        final TreeMap<Integer, Long> positive = new TreeMap<>();
        final TreeMap<Integer, Long> negative = new TreeMap<>();

        Observed(int schema, double zeroThreshold) {
            this.schema = schema;
            this.zeroThreshold = zeroThreshold;
        }

        void observe(double value) {
            count++;
            sum += value;
            double magnitude = Math.abs(value);
            if (magnitude <= zeroThreshold) {
                zeroCount++;
                return;
            }
            int index = bucketIndex(magnitude, schema);
            (value > 0 ? positive : negative).merge(index, 1L, Long::sum);
        }

        /** Halves the resolution: bucket i of schema s lies in bucket ceil(i/2) of schema s-1. */
        void lowerResolution() {
            schema--;
            merge(positive);
            merge(negative);
        }

        private static void merge(TreeMap<Integer, Long> buckets) {
            TreeMap<Integer, Long> merged = new TreeMap<>();
            buckets.forEach((index, count) -> merged.merge((index + 1) >> 1, count, Long::sum));
            buckets.clear();
            buckets.putAll(merged);
        }

        int buckets() {
            return positive.size() + negative.size();
        }

        Histogram toHistogram(CounterResetHint hint) {
            List<Span> positiveSpans = new ArrayList<>();
            long[] positiveDeltas = deltas(positive, positiveSpans);
            List<Span> negativeSpans = new ArrayList<>();
            long[] negativeDeltas = deltas(negative, negativeSpans);
            return new Histogram(hint, schema, zeroThreshold, zeroCount, count, sum, Span.of(positiveSpans), positiveDeltas,
                    Span.of(negativeSpans), negativeDeltas);
        }

        /** Spans over the populated buckets (gaps of one or two empty buckets are filled, as clients do). */
        private static long[] deltas(TreeMap<Integer, Long> buckets, List<Span> spans) {
            List<Long> counts = new ArrayList<>();
            Integer previous = null;
            int spanStart = 0;
            int spanLength = 0;
            int lastEnd = 0;
            for (Map.Entry<Integer, Long> bucket : buckets.entrySet()) {
                int index = bucket.getKey();
                if (previous != null && index - previous <= 3) {
                    for (int gap = previous + 1; gap < index; gap++) {
                        counts.add(0L);
                        spanLength++;
                    }
                } else {
                    if (previous != null) {
                        spans.add(new Span(spans.isEmpty() ? spanStart : spanStart - lastEnd, spanLength));
                        lastEnd = spanStart + spanLength;
                    }
                    spanStart = index;
                    spanLength = 0;
                }
                counts.add(bucket.getValue());
                spanLength++;
                previous = index;
            }
            if (previous != null) {
                spans.add(new Span(spans.isEmpty() ? spanStart : spanStart - lastEnd, spanLength));
            }
            long[] deltas = new long[counts.size()];
            long before = 0;
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = counts.get(i) - before;
                before = counts.get(i);
            }
            return deltas;
        }
    }

    /** The index of the bucket (base^(i-1), base^i] holding {@code magnitude}, base = 2^(2^-schema). */
    static int bucketIndex(double magnitude, int schema) {
        double exact = Math.log(magnitude) / Math.log(2) * Math.pow(2, schema);
        return (int) Math.ceil(exact - 1e-9);
    }

    private static double latency(Random random) {
        // log-normal around 100 ms
        return Math.exp(random.nextGaussian() * 1.2 - 2.3);
    }

    /**
     * A counter histogram: {@code resetAt} restarts it (counts start over), past {@code maxBuckets} the client lowers
     * the schema; {@code gapFrom} leaves ten scrapes out.
     */
    private static SeriesData counter(Labels labels, int samples, long seed, int schema, int maxBuckets, int resetAt,
            int gapFrom, boolean negative) {
        Random random = new Random(seed);
        Observed observed = new Observed(schema, 0.001);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            if (i == resetAt) {
                observed = new Observed(schema, 0.001);
            }
            int observations = 1 + random.nextInt(20);
            for (int o = 0; o < observations; o++) {
                double value = latency(random);
                if (negative && random.nextInt(5) == 0) {
                    value = -value;
                }
                if (random.nextInt(25) == 0) {
                    value = 0;
                }
                observed.observe(value);
            }
            while (observed.buckets() > maxBuckets) {
                observed.lowerResolution();
            }
            if (gapFrom >= 0 && i >= gapFrom && i < gapFrom + 10) {
                continue;
            }
            points.add(new Point(START + i * INTERVAL, 0, observed.toHistogram(CounterResetHint.UNKNOWN)));
        }
        return new SeriesData(labels, points);
    }

    /** A counter histogram that stops (a staleness marker) for a third of the time and comes back. */
    private static SeriesData vanishing(Labels labels, int samples, long seed) {
        Random random = new Random(seed);
        Observed observed = new Observed(2, 0.001);
        List<Point> points = new ArrayList<>();
        int gone = samples / 3;
        int back = 2 * samples / 3;
        for (int i = 0; i < samples; i++) {
            long t = START + i * INTERVAL;
            if (i == gone) {
                points.add(new Point(t, 0, Histogram.staleMarker(Double.longBitsToDouble(STALE_NAN_BITS))));
                continue;
            }
            if (i > gone && i < back) {
                continue;
            }
            for (int o = random.nextInt(6); o > 0; o--) {
                observed.observe(latency(random) * 3);
            }
            points.add(new Point(t, 0, observed.toHistogram(CounterResetHint.UNKNOWN)));
        }
        return new SeriesData(labels, points);
    }

    /** A gauge histogram: each sample is a fresh distribution (counts go up and down). */
    private static SeriesData gauge(Labels labels, int samples, long seed) {
        Random random = new Random(seed);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            Observed observed = new Observed(1, 0.5);
            for (int o = 5 + random.nextInt(30); o > 0; o--) {
                observed.observe(random.nextInt(64));
            }
            points.add(new Point(START + i * INTERVAL, 0, observed.toHistogram(CounterResetHint.GAUGE)));
        }
        return new SeriesData(labels, points);
    }

    /** A series that holds floats for its first half and histograms after. */
    private static SeriesData mixed(Labels labels, int samples, long seed) {
        Random random = new Random(seed);
        Observed observed = new Observed(0, 0.001);
        List<Point> points = new ArrayList<>();
        double counter = 0;
        for (int i = 0; i < samples; i++) {
            long t = START + i * INTERVAL;
            if (i < samples / 2) {
                counter += random.nextInt(10);
                points.add(new Point(t, counter, null));
            } else {
                for (int o = 1 + random.nextInt(5); o > 0; o--) {
                    observed.observe(latency(random));
                }
                points.add(new Point(t, 0, observed.toHistogram(CounterResetHint.UNKNOWN)));
            }
        }
        return new SeriesData(labels, points);
    }

    /**
     * Observations just above the zero threshold (a bucket the zero bucket cuts) and negative buckets in spans far
     * apart, so bucket bounds at the zero bucket and across spans show.
     */
    private static SeriesData edge(Labels labels, int samples, long seed) {
        Random random = new Random(seed);
        Observed observed = new Observed(0, 0.001);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            for (int o = random.nextInt(4); o > 0; o--) {
                observed.observe(0.0015);
                observed.observe(-0.02 * (1 + random.nextInt(2)));
                observed.observe(-1.5);
                observed.observe(random.nextInt(3) == 0 ? 0.0005 : 3);
            }
            points.add(new Point(START + i * INTERVAL, 0, observed.toHistogram(CounterResetHint.UNKNOWN)));
        }
        return new SeriesData(labels, points);
    }

    /** Classic histogram series (_bucket with le, _count, _sum) and a plain counter, for mixed queries. */
    private void classic(int samples, long seed) {
        Random random = new Random(seed);
        double[] bounds = {0.05, 0.1, 0.25, 0.5, 1, 2.5, Double.POSITIVE_INFINITY};
        String[] les = {"0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};
        for (String instance : List.of("a", "b")) {
            long[] buckets = new long[bounds.length];
            double sum = 0;
            List<List<Point>> bucketPoints = new ArrayList<>();
            for (int b = 0; b < bounds.length; b++) {
                bucketPoints.add(new ArrayList<>());
            }
            List<Point> countPoints = new ArrayList<>();
            List<Point> sumPoints = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                long t = START + i * INTERVAL;
                for (int o = 1 + random.nextInt(15); o > 0; o--) {
                    double value = latency(random);
                    sum += value;
                    for (int b = 0; b < bounds.length; b++) {
                        if (value <= bounds[b]) {
                            buckets[b]++;
                        }
                    }
                }
                for (int b = 0; b < bounds.length; b++) {
                    bucketPoints.get(b).add(new Point(t, buckets[b], null));
                }
                countPoints.add(new Point(t, buckets[bounds.length - 1], null));
                sumPoints.add(new Point(t, sum, null));
            }
            for (int b = 0; b < bounds.length; b++) {
                series.add(new SeriesData(labels("http_request_duration_seconds_bucket", "job", "classic", "instance",
                        instance, "le", les[b]), bucketPoints.get(b)));
            }
            series.add(new SeriesData(labels("http_request_duration_seconds_count", "job", "classic", "instance", instance),
                    countPoints));
            series.add(new SeriesData(labels("http_request_duration_seconds_sum", "job", "classic", "instance", instance),
                    sumPoints));
        }
    }

    /** The whole workload as one remote write request (histograms as prompb integer histograms). */
    public WriteRequest writeRequest() {
        return writeRequest(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** The samples in [{@code from}, {@code until}) as one remote write request; series without any are left out. */
    public WriteRequest writeRequest(long from, long until) {
        WriteRequest.Builder request = WriteRequest.newBuilder();
        for (SeriesData data : series) {
            TimeSeries.Builder timeSeries = TimeSeries.newBuilder();
            for (int i = 0; i < data.labels().size(); i++) {
                timeSeries.addLabels(Label.newBuilder().setName(data.labels().name(i)).setValue(data.labels().value(i)));
            }
            for (Point point : data.points()) {
                if (point.timestamp() < from || point.timestamp() >= until) {
                    continue;
                }
                if (point.histogram() == null) {
                    timeSeries.addSamples(Sample.newBuilder().setTimestamp(point.timestamp()).setValue(point.value()));
                } else {
                    timeSeries.addHistograms(toProto(point.timestamp(), point.histogram()));
                }
            }
            if (timeSeries.getSamplesCount() + timeSeries.getHistogramsCount() > 0) {
                request.addTimeseries(timeSeries);
            }
        }
        return request.build();
    }

    private static io.gauntlet.proto.prometheus.Histogram toProto(long timestamp, Histogram h) {
        io.gauntlet.proto.prometheus.Histogram.Builder proto = io.gauntlet.proto.prometheus.Histogram.newBuilder()
                .setTimestamp(timestamp).setCountInt(h.count()).setSum(h.sum()).setSchema(h.schema())
                .setZeroThreshold(h.zeroThreshold()).setZeroCountInt(h.zeroCount())
                .setResetHint(switch (h.counterResetHint()) {
                    case UNKNOWN -> io.gauntlet.proto.prometheus.Histogram.ResetHint.UNKNOWN;
                    case COUNTER_RESET -> io.gauntlet.proto.prometheus.Histogram.ResetHint.YES;
                    case NOT_COUNTER_RESET -> io.gauntlet.proto.prometheus.Histogram.ResetHint.NO;
                    case GAUGE -> io.gauntlet.proto.prometheus.Histogram.ResetHint.GAUGE;
                });
        for (Span span : h.positiveSpans()) {
            proto.addPositiveSpans(BucketSpan.newBuilder().setOffset(span.offset()).setLength(span.length()));
        }
        for (long delta : h.positiveBuckets()) {
            proto.addPositiveDeltas(delta);
        }
        for (Span span : h.negativeSpans()) {
            proto.addNegativeSpans(BucketSpan.newBuilder().setOffset(span.offset()).setLength(span.length()));
        }
        for (long delta : h.negativeBuckets()) {
            proto.addNegativeDeltas(delta);
        }
        return proto.build();
    }
}
