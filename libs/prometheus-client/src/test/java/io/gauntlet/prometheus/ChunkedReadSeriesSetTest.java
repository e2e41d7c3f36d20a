package io.gauntlet.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.gauntlet.proto.prometheus.Chunk;
import io.gauntlet.proto.prometheus.ChunkedReadResponse;
import io.gauntlet.proto.prometheus.ChunkedSeries;
import io.gauntlet.proto.prometheus.Label;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The STREAMED_XOR_CHUNKS frame reader on hand-made streams: joined series parts, damage, truncation, errors as text. */
class ChunkedReadSeriesSetTest {
    private static final String PROMETHEUS = "http://127.0.0.1:9090";

    @Test
    void seriesSplitOverFramesAreJoinedAndExternalLabelsStripped() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        frame(stream, series(0, "a", 1, 1000), series(0, "a", 1001, 2000));
        frame(stream, series(0, "a", 2001, 3000));
        frame(stream, series(0, "b", 1, 1000));
        List<String> seen = read(new ByteArrayInputStream(stream.toByteArray()));
        assertThat(seen).containsExactly("up{job=\"a\"} [1, 1000] [1001, 2000] [2001, 3000]",
                "up{job=\"b\"} [1, 1000]");
    }

    @Test
    void aDamagedFrameFailsWithItsCrc() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        frame(stream, series(0, "a", 1, 1000));
        byte[] bytes = stream.toByteArray();
        bytes[bytes.length - 3] ^= 0x10;
        assertThatThrownBy(() -> read(new ByteArrayInputStream(bytes))).isInstanceOf(StorageException.class)
                .hasMessageContaining("CRC32C does not match").hasMessageContaining(PROMETHEUS);
    }

    @Test
    void aTruncatedAnswerIsAnErrorNotAShorterSeries() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        frame(stream, series(0, "a", 1, 1000));
        frame(stream, series(0, "b", 1, 1000));
        byte[] bytes = stream.toByteArray();
        for (int cut = bytes.length / 2 + 1; cut < bytes.length; cut += 7) {
            byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> read(new ByteArrayInputStream(truncated))).isInstanceOf(StorageException.class)
                    .hasMessageContaining("ends inside a frame");
        }
    }

    @Test
    void anErrorWrittenAfterStreamingBeganIsShownAsText() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        frame(stream, series(0, "a", 1, 1000));
        stream.write("expanding series: context canceled\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> read(new ByteArrayInputStream(stream.toByteArray()))).isInstanceOf(StorageException.class)
                .hasMessageContaining("after 1 series").hasMessageContaining("begins 'expanding series: context canceled");
    }

    @Test
    void aBrokenConnectionIsUnavailableNamingThePrometheus() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        assertThatThrownBy(() -> read(broken)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(PROMETHEUS).hasMessageContaining("broke off").hasMessageContaining("connection reset");
    }

    @Test
    void unknownChunkTypesAndOtherQueriesAreRejected() throws Exception {
        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        frame(unknown, ChunkedSeries.newBuilder().addLabels(label("__name__", "up"))
                .addChunks(Chunk.newBuilder().setMinTimeMs(1).setMaxTimeMs(2).setType(Chunk.Encoding.UNKNOWN).setData(ByteString.copyFrom(new byte[] {0, 1}))).build());
        assertThatThrownBy(() -> read(new ByteArrayInputStream(unknown.toByteArray()))).isInstanceOf(UnsupportedEncodingException.class);
        ByteArrayOutputStream otherQuery = new ByteArrayOutputStream();
        writeFrame(otherQuery, ChunkedReadResponse.newBuilder().addChunkedSeries(series(0, "a", 1, 2)).setQueryIndex(3).build().toByteArray());
        assertThatThrownBy(() -> read(new ByteArrayInputStream(otherQuery.toByteArray()))).hasMessageContaining("query 3");
    }

    @Test
    void anOversizedFrameIsRefusedBeforeReadingIt() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        frame(stream, series(0, "a", 1, 1000));
        ChunkedReadSeriesSet set = new ChunkedReadSeriesSet(new ByteArrayInputStream(stream.toByteArray()), PROMETHEUS, Set.of(), 16);
        assertThatThrownBy(set::next).hasMessageContaining("above the limit of 16");
    }

    private static List<String> read(InputStream in) throws StorageException {
        List<String> out = new ArrayList<>();
        try (ChunkedReadSeriesSet set = new ChunkedReadSeriesSet(in, PROMETHEUS, Set.of("cluster"), 1 << 20)) {
            while (set.next()) {
                StringBuilder line = new StringBuilder(set.labels().toString());
                for (var chunk : set.chunks()) {
                    assertThat(chunk.encoding()).isEqualTo(1);
                    line.append(" [").append(chunk.minTime()).append(", ").append(chunk.maxTime()).append(']');
                }
                out.add(line.toString());
            }
        }
        assertThat(out).allSatisfy(line -> assertThat(line).doesNotContain("cluster"));
        return out;
    }

    private static ChunkedSeries series(int queryIndexUnused, String job, long min, long max) {
        XorChunkAppender appender = new XorChunkAppender();
        appender.append(min, 1);
        appender.append(max, 2);
        return ChunkedSeries.newBuilder().addLabels(label("__name__", "up")).addLabels(label("cluster", "eu-1")).addLabels(label("job", job))
                .addChunks(Chunk.newBuilder().setMinTimeMs(min).setMaxTimeMs(max).setType(Chunk.Encoding.XOR)
                        .setData(ByteString.copyFrom(appender.toByteArray()))).build();
    }

    private static Label label(String name, String value) {
        return Label.newBuilder().setName(name).setValue(value).build();
    }

    static void frame(ByteArrayOutputStream out, ChunkedSeries... series) throws IOException {
        writeFrame(out, ChunkedReadResponse.newBuilder().addAllChunkedSeries(List.of(series)).build().toByteArray());
    }

    /** A remote read frame: uvarint length, big-endian CRC32C, message. */
    static void writeFrame(ByteArrayOutputStream out, byte[] message) throws IOException {
        long length = message.length;
        while (length >= 0x80) {
            out.write((int) (length & 0x7F) | 0x80);
            length >>>= 7;
        }
        out.write((int) length);
        CRC32C crc = new CRC32C();
        crc.update(message);
        int value = (int) crc.getValue();
        out.write(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        out.write(message);
    }

}
