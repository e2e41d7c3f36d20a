package io.gauntlet.tsdb.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.storage.StorageException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class XorChunkTest {
    private static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    @Test
    void encodesTheBytesPrometheusWritesForASmallChunk() {
        XorChunkAppender appender = new XorChunkAppender();
        appender.append(1000, 1.0);
        // Prometheus' bstream leaves an empty byte after the whole-byte value write
        assertThat(HexFormat.of().formatHex(appender.toByteArray())).isEqualTo("0001" + "d00f" + "3ff0000000000000" + "00");
        appender.append(2000, 1.0);
        // uvarint delta 1000, then a single 0 bit for the unchanged value, padded
        assertThat(HexFormat.of().formatHex(appender.toByteArray())).isEqualTo("0002d00f3ff0000000000000" + "e807" + "00");
        appender.append(3000, 1.0);
        // dod 0 -> bit 0, value unchanged -> bit 0
        assertThat(HexFormat.of().formatHex(appender.toByteArray())).isEqualTo("0003d00f3ff0000000000000e80700");
        appender.append(4001, 2.0);
        // 14 whole bytes + 3 bits so far; dod 1 -> '10' + 14 bits; xor(1.0, 2.0) = 0x7FF0...: leading 1,
        // trailing 52 -> '11' + 5 + 6 bits + 11 significant bits
        assertThat(appender.sampleCount()).isEqualTo(4);
        assertThat(appender.encodedLength()).isEqualTo(14 + (3 + 16 + 13 + 11 + 7) / 8);
        assertThat(appender.minTime()).isEqualTo(1000);
        assertThat(appender.maxTime()).isEqualTo(4001);
    }

    @Test
    void roundTripsEdgeCaseValuesBitExactly() throws StorageException {
        double[] values = {0.0, -0.0, STALE_NAN, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, Double.MIN_NORMAL, 1e-300, 1e300, 1, 1, 1, 2, 3,
                -1, 0.1, 0.2, 0.30000000000000004, Double.longBitsToDouble(0x8000000000000001L),
                Double.longBitsToDouble(0x0000000000000001L), Double.longBitsToDouble(0xFFFFFFFFFFFFFFFFL), STALE_NAN, 42};
        long[] timestamps = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            timestamps[i] = 1_700_000_000_000L + i * 15_000L;
        }
        assertRoundTrip(timestamps, values);
    }

    @Test
    void roundTripsEveryDeltaOfDeltaBucketBoundary() throws StorageException {
        long[] dods = {0, 1, -1, -8191, 8192, -8192, 8193, -65535, 65536, -65536, 65537, -524287, 524288, -524288, 524289,
                1L << 40, -(1L << 40), 0, 3, 0};
        long[] timestamps = new long[dods.length + 2];
        double[] values = new double[timestamps.length];
        timestamps[0] = -5_000_000; // negative start time: zig-zag varint
        timestamps[1] = timestamps[0] + 2_000_000;
        long delta = 2_000_000;
        for (int i = 0; i < dods.length; i++) {
            delta += dods[i];
            timestamps[i + 2] = timestamps[i + 1] + delta;
            values[i + 2] = i;
        }
        assertRoundTrip(timestamps, values);
    }

    @Test
    void roundTripsOneSampleAndManySamples() throws StorageException {
        assertRoundTrip(new long[] {Long.MIN_VALUE / 2}, new double[] {STALE_NAN});
        int n = 300;
        long[] timestamps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            timestamps[i] = i * 15_000L + (i % 7 == 0 ? 3 : 0);
            values[i] = i * 1.5;
        }
        assertRoundTrip(timestamps, values);
    }

    @Test
    void roundTripsRandomSeries() throws StorageException {
        Random random = new Random(42);
        for (int series = 0; series < 500; series++) {
            int n = 1 + random.nextInt(400);
            long[] timestamps = new long[n];
            double[] values = new double[n];
            long t = random.nextLong() >> 20;
            double v = random.nextGaussian() * 1e6;
            for (int i = 0; i < n; i++) {
                t += switch (random.nextInt(4)) {
                    case 0 -> 15_000;
                    case 1 -> 15_000 + random.nextInt(2000) - 1000;
                    case 2 -> 1 + random.nextInt(1_000_000);
                    default -> 1 + (random.nextLong() >>> 30);
                };
                timestamps[i] = t;
                values[i] = switch (random.nextInt(6)) {
                    case 0 -> v;
                    case 1 -> v += random.nextInt(100);
                    case 2 -> Double.longBitsToDouble(random.nextLong());
                    case 3 -> Math.rint(random.nextGaussian() * 1000);
                    case 4 -> random.nextDouble();
                    default -> v *= -1.000001;
                };
            }
            assertRoundTrip(timestamps, values);
        }
    }

    @Test
    void aChunkHoldsAtMost65535Samples() throws StorageException {
        XorChunkAppender appender = new XorChunkAppender();
        for (int i = 0; i < XorChunkAppender.MAX_SAMPLES; i++) {
            appender.append(i, i);
        }
        assertThatThrownBy(() -> appender.append(1 << 20, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("65535");
        XorSampleIterator iterator = new XorSampleIterator().reset(appender.toByteArray());
        assertThat(iterator.sampleCount()).isEqualTo(65535);
        int count = 0;
        while (iterator.next()) {
            assertThat(iterator.timestamp()).isEqualTo(count);
            count++;
        }
        assertThat(count).isEqualTo(65535);
    }

    @Test
    void seeksForwardOnlyAndStaysOnAMatchingSample() throws StorageException {
        XorChunkAppender appender = new XorChunkAppender();
        for (int i = 0; i < 10; i++) {
            appender.append(i * 10, i);
        }
        XorSampleIterator iterator = new XorSampleIterator().reset(appender.toByteArray());
        assertThat(iterator.seek(-5)).isTrue();
        assertThat(iterator.timestamp()).isZero();
        assertThat(iterator.seek(35)).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(40);
        assertThat(iterator.seek(40)).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(40);
        assertThat(iterator.seek(10)).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(40);
        assertThat(iterator.next()).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(50);
        assertThat(iterator.seek(91)).isFalse();
        assertThat(iterator.seek(0)).isFalse();
        assertThat(iterator.next()).isFalse();
    }

    @Test
    void decodesFromAnOffsetInsideALargerNativeSegmentAndReusesTheIterator() throws StorageException {
        XorChunkAppender first = new XorChunkAppender();
        XorChunkAppender second = new XorChunkAppender();
        for (int i = 0; i < 50; i++) {
            first.append(i * 1000L, i);
            second.append(i * 7L, -i);
        }
        byte[] a = first.toByteArray();
        byte[] b = second.toByteArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(3 + a.length + b.length + 5);
            segment.fill((byte) 0x5A); // garbage around the chunks must not be read
            MemorySegment.copy(MemorySegment.ofArray(a), 0, segment, 3, a.length);
            MemorySegment.copy(MemorySegment.ofArray(b), 0, segment, 3 + a.length, b.length);
            XorSampleIterator iterator = new XorSampleIterator();
            iterator.reset(segment, 3, a.length);
            assertThat(drain(iterator)).isEqualTo(50);
            iterator.reset(segment, 3 + a.length, b.length);
            long sum = 0;
            while (iterator.next()) {
                sum += iterator.timestamp();
                assertThat(iterator.value()).isEqualTo(-iterator.timestamp() / 7.0);
            }
            assertThat(sum).isEqualTo(7L * 49 * 50 / 2);
        }
    }

    @Test
    void reportsTruncatedDataAsCorruption() throws StorageException {
        XorChunkAppender appender = new XorChunkAppender();
        for (int i = 0; i < 120; i++) {
            appender.append(i * 15_000L + (i * i) % 17, Math.sin(i));
        }
        byte[] chunk = appender.toByteArray();
        for (int cut = 0; cut < chunk.length - 1; cut++) {
            byte[] truncated = Arrays.copyOf(chunk, cut);
            assertThatThrownBy(() -> drain(new XorSampleIterator().reset(truncated)))
                    .isInstanceOf(CorruptedDataException.class)
                    .hasMessageContaining(cut < 2 ? "no 2-byte sample count" : "ends inside sample");
        }
    }

    @Test
    void reportsAHeaderCountingMoreSamplesThanTheData() throws StorageException {
        XorChunkAppender appender = new XorChunkAppender();
        for (int i = 0; i < 10; i++) {
            appender.append(i * 15_000L, i * 3.7);
        }
        byte[] chunk = appender.toByteArray();
        chunk[1] = (byte) 200;
        XorSampleIterator iterator = new XorSampleIterator().reset(chunk);
        assertThatThrownBy(() -> drain(iterator)).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("of 200");
        assertThatThrownBy(iterator::next).isInstanceOf(CorruptedDataException.class);
    }

    @Test
    void reportsATimestampVarintLongerThan64Bits() throws StorageException {
        byte[] overlong = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, 0x02};
        // the first sample's timestamp, then the second sample's delta (after a 1-byte timestamp and a 64-bit value)
        byte[] first = new byte[32];
        first[1] = 2;
        System.arraycopy(overlong, 0, first, 2, overlong.length);
        byte[] second = new byte[40];
        second[1] = 2;
        second[2] = 2;
        System.arraycopy(overlong, 0, second, 11, overlong.length);
        assertThatThrownBy(() -> drain(new XorSampleIterator().reset(first))).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("sample 0: timestamp varint overflows 64 bits");
        XorSampleIterator iterator = new XorSampleIterator().reset(second);
        assertThat(iterator.next()).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(1);
        assertThatThrownBy(iterator::next).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("sample 1: timestamp varint overflows 64 bits");
        // cut short, the same bytes are truncated data
        assertThatThrownBy(() -> drain(new XorSampleIterator().reset(Arrays.copyOf(second, 19))))
                .isInstanceOf(CorruptedDataException.class).hasMessageContaining("ends inside sample 1");
    }

    @Test
    void namesTheOriginOfCorruptedData() throws StorageException {
        byte[] chunk = {0, 5, 1};
        XorSampleIterator iterator = new XorSampleIterator().reset(MemorySegment.ofArray(chunk), 0, chunk.length,
                new ChunkOrigin("01BLOCK", "chunks/000001", 1234));
        assertThatThrownBy(iterator::next).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("01BLOCK").hasMessageContaining("chunks/000001").hasMessageContaining("1234");
    }

    @Test
    void randomGarbageFailsOnlyWithCorruptedDataException() {
        Random random = new Random(7);
        XorChunkAppender appender = new XorChunkAppender();
        for (int i = 0; i < 200; i++) {
            appender.append(i * 15_000L + random.nextInt(3), random.nextInt(10) == 0 ? random.nextGaussian() : i);
        }
        byte[] valid = appender.toByteArray();
        XorSampleIterator iterator = new XorSampleIterator();
        for (int round = 0; round < 3000; round++) {
            byte[] mutated = round % 2 == 0 ? valid.clone() : new byte[random.nextInt(40)];
            if (round % 2 == 0) {
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    mutated[random.nextInt(mutated.length)] ^= (byte) (1 << random.nextInt(8));
                }
            } else {
                random.nextBytes(mutated);
            }
            try {
                iterator.reset(mutated);
                while (iterator.next()) {
                    iterator.timestamp();
                }
            } catch (CorruptedDataException expected) {
                assertThat(expected.getMessage()).contains("XOR chunk");
            }
        }
    }

    private static int drain(XorSampleIterator iterator) throws StorageException {
        int n = 0;
        while (iterator.next()) {
            n++;
        }
        return n;
    }

    static void assertRoundTrip(long[] timestamps, double[] values) throws StorageException {
        XorChunkAppender appender = new XorChunkAppender(16);
        for (int i = 0; i < timestamps.length; i++) {
            appender.append(timestamps[i], values[i]);
        }
        byte[] chunk = appender.toByteArray();
        assertThat(chunk.length).isEqualTo(appender.encodedLength());
        byte[] copied = new byte[chunk.length + 4];
        assertThat(appender.copyTo(copied, 4)).isEqualTo(chunk.length);
        assertThat(Arrays.copyOfRange(copied, 4, copied.length)).isEqualTo(chunk);

        XorSampleIterator iterator = new XorSampleIterator().reset(chunk);
        assertThat(iterator.sampleCount()).isEqualTo(timestamps.length);
        for (int i = 0; i < timestamps.length; i++) {
            assertThat(iterator.next()).as("sample %d", i).isTrue();
            assertThat(iterator.timestamp()).as("timestamp %d", i).isEqualTo(timestamps[i]);
            assertThat(iterator.valueBits()).as("value bits %d", i).isEqualTo(Double.doubleToRawLongBits(values[i]));
            assertThat(Double.doubleToRawLongBits(iterator.value())).isEqualTo(Double.doubleToRawLongBits(values[i]));
        }
        assertThat(iterator.next()).isFalse();
        // the heap and native decoders agree
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(chunk.length);
            segment.copyFrom(MemorySegment.ofArray(chunk));
            iterator.reset(segment, 0, chunk.length);
            assertThat(drain(iterator)).isEqualTo(timestamps.length);
            assertThat(segment.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo(chunk[0]);
        }
    }
}
