package io.gauntlet.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.gauntlet.proto.prometheus.ChunkedReadResponse;
import io.gauntlet.proto.prometheus.ReadRequest;
import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Aggr;
import io.gauntlet.proto.thanos.Chunk;
import io.gauntlet.proto.thanos.Func;
import io.gauntlet.proto.thanos.Grouping;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.QueryHints;
import io.gauntlet.proto.thanos.Range;
import io.gauntlet.proto.thanos.SeriesBatch;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.ShardInfo;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.gauntlet.proto.thanos.info.InfoGrpc;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.proto.thanos.info.StoreInfo;
import io.grpc.MethodDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated classes speak the Thanos / Prometheus wire: method names and field numbers as upstream. */
class StoreApiContractTest {

    @Test
    void methodFullNamesAreThanos() {
        assertThat(StoreGrpc.getSeriesMethod().getFullMethodName()).isEqualTo("thanos.Store/Series");
        assertThat(StoreGrpc.getSeriesMethod().getType()).isEqualTo(MethodDescriptor.MethodType.SERVER_STREAMING);
        assertThat(StoreGrpc.getLabelNamesMethod().getFullMethodName()).isEqualTo("thanos.Store/LabelNames");
        assertThat(StoreGrpc.getLabelValuesMethod().getFullMethodName()).isEqualTo("thanos.Store/LabelValues");
        assertThat(InfoGrpc.getInfoMethod().getFullMethodName()).isEqualTo("thanos.info.Info/Info");
        assertThat(InfoGrpc.getInfoMethod().getType()).isEqualTo(MethodDescriptor.MethodType.UNARY);
        assertThat(StoreGrpc.getServiceDescriptor().getMethods()).hasSize(3);
    }

    @Test
    void seriesRequestFieldNumbersAreThanos() throws Exception {
        SeriesRequest request = SeriesRequest.newBuilder()
                .setMinTime(1000)
                .setMaxTime(2000)
                .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.RE).setName("job").setValue("a.*"))
                .setMaxResolutionWindow(300_000)
                .addAggregates(Aggr.COUNT)
                .addAggregates(Aggr.SUM)
                .setPartialResponseDisabled(true)
                .setPartialResponseStrategy(PartialResponseStrategy.ABORT)
                .setSkipChunks(true)
                .setHints(Any.newBuilder().setTypeUrl("type.googleapis.com/x").setValue(ByteString.copyFromUtf8("h")))
                .setStep(15_000)
                .setRange(60_000)
                .setQueryHints(QueryHints.newBuilder().setStepMillis(15_000).setFunc(Func.newBuilder().setName("rate"))
                        .setGrouping(Grouping.newBuilder().setBy(true).addLabels("job"))
                        .setRange(Range.newBuilder().setMillis(60_000)))
                .setShardInfo(ShardInfo.newBuilder().setShardIndex(1).setTotalShards(4).setBy(true).addLabels("pod"))
                .addWithoutReplicaLabels("replica")
                .setLimit(77)
                .setResponseBatchSize(64)
                .build();

        UnknownFieldSet fields = UnknownFieldSet.parseFrom(request.toByteArray());

        assertThat(fields.asMap().keySet()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        assertThat(fields.getField(1).getVarintList()).containsExactly(1000L);
        assertThat(fields.getField(2).getVarintList()).containsExactly(2000L);
        UnknownFieldSet matcher = UnknownFieldSet.parseFrom(fields.getField(3).getLengthDelimitedList().get(0));
        assertThat(matcher.getField(1).getVarintList()).containsExactly(2L); // RE
        assertThat(matcher.getField(2).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("job");
        assertThat(matcher.getField(3).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("a.*");
        assertThat(fields.getField(4).getVarintList()).containsExactly(300_000L);
        // proto3 packs repeated enums
        assertThat(fields.getField(5).getLengthDelimitedList().get(0).toByteArray()).containsExactly(1, 2);
        assertThat(fields.getField(6).getVarintList()).containsExactly(1L);
        assertThat(fields.getField(7).getVarintList()).containsExactly(1L); // ABORT
        assertThat(fields.getField(8).getVarintList()).containsExactly(1L);
        UnknownFieldSet any = UnknownFieldSet.parseFrom(fields.getField(9).getLengthDelimitedList().get(0));
        assertThat(any.getField(1).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("type.googleapis.com/x");
        assertThat(fields.getField(10).getVarintList()).containsExactly(15_000L);
        assertThat(fields.getField(11).getVarintList()).containsExactly(60_000L);
        UnknownFieldSet hints = UnknownFieldSet.parseFrom(fields.getField(12).getLengthDelimitedList().get(0));
        assertThat(hints.asMap().keySet()).containsExactly(1, 2, 4, 5);
        UnknownFieldSet grouping = UnknownFieldSet.parseFrom(hints.getField(4).getLengthDelimitedList().get(0));
        assertThat(grouping.asMap().keySet()).containsExactly(1, 3);
        UnknownFieldSet shard = UnknownFieldSet.parseFrom(fields.getField(13).getLengthDelimitedList().get(0));
        assertThat(shard.asMap().keySet()).containsExactly(1, 2, 3, 4);
        assertThat(fields.getField(14).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("replica");
        assertThat(fields.getField(15).getVarintList()).containsExactly(77L);
        assertThat(fields.getField(16).getVarintList()).containsExactly(64L);
    }

    @Test
    void seriesResponseOneofAndChunkFieldNumbers() throws Exception {
        Chunk raw = Chunk.newBuilder().setType(Chunk.Encoding.FLOAT_HISTOGRAM).setData(ByteString.copyFrom(new byte[] {7}))
                .setHash(42).build();
        AggrChunk aggr = AggrChunk.newBuilder().setMinTime(1).setMaxTime(2).setRaw(raw).setCount(raw).setSum(raw)
                .setMin(raw).setMax(raw).setCounter(raw).build();
        io.gauntlet.proto.thanos.Series series = io.gauntlet.proto.thanos.Series.newBuilder()
                .addLabels(io.gauntlet.proto.thanos.Label.newBuilder().setName("a").setValue("b")).addChunks(aggr).build();

        UnknownFieldSet seriesFrame = UnknownFieldSet.parseFrom(SeriesResponse.newBuilder().setSeries(series).build().toByteArray());
        UnknownFieldSet warningFrame = UnknownFieldSet.parseFrom(SeriesResponse.newBuilder().setWarning("w").build().toByteArray());
        UnknownFieldSet hintsFrame = UnknownFieldSet.parseFrom(SeriesResponse.newBuilder().setHints(Any.getDefaultInstance()).build().toByteArray());
        UnknownFieldSet batchFrame = UnknownFieldSet.parseFrom(SeriesResponse.newBuilder()
                .setBatch(SeriesBatch.newBuilder().addSeries(series).addSeries(series)).build().toByteArray());

        assertThat(seriesFrame.asMap().keySet()).containsExactly(1);
        assertThat(warningFrame.asMap().keySet()).containsExactly(2);
        assertThat(hintsFrame.asMap().keySet()).containsExactly(3);
        assertThat(batchFrame.asMap().keySet()).containsExactly(4);
        UnknownFieldSet batch = UnknownFieldSet.parseFrom(batchFrame.getField(4).getLengthDelimitedList().get(0));
        assertThat(batch.getField(1).getLengthDelimitedList()).hasSize(2);

        UnknownFieldSet seriesFields = UnknownFieldSet.parseFrom(seriesFrame.getField(1).getLengthDelimitedList().get(0));
        assertThat(seriesFields.asMap().keySet()).containsExactly(1, 2);
        UnknownFieldSet aggrFields = UnknownFieldSet.parseFrom(seriesFields.getField(2).getLengthDelimitedList().get(0));
        assertThat(aggrFields.asMap().keySet()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        UnknownFieldSet chunkFields = UnknownFieldSet.parseFrom(aggrFields.getField(3).getLengthDelimitedList().get(0));
        assertThat(chunkFields.getField(1).getVarintList()).containsExactly(2L); // FLOAT_HISTOGRAM
        assertThat(chunkFields.getField(3).getVarintList()).containsExactly(42L);
        assertThat(Chunk.Encoding.XOR.getNumber()).isZero();
    }

    @Test
    void labelRequestFieldNumbersAreThanos() throws Exception {
        io.gauntlet.proto.thanos.LabelMatcher matcher = LabelMatcher.newBuilder().setName("job").setValue("a").build();
        io.gauntlet.proto.thanos.LabelNamesRequest names = io.gauntlet.proto.thanos.LabelNamesRequest.newBuilder()
                .setPartialResponseDisabled(true).setPartialResponseStrategy(PartialResponseStrategy.ABORT).setStart(1).setEnd(2)
                .setHints(Any.getDefaultInstance().toBuilder().setTypeUrl("x")).addMatchers(matcher).addWithoutReplicaLabels("replica")
                .setLimit(3).build();
        io.gauntlet.proto.thanos.LabelValuesRequest values = io.gauntlet.proto.thanos.LabelValuesRequest.newBuilder().setLabel("job")
                .setPartialResponseDisabled(true).setPartialResponseStrategy(PartialResponseStrategy.ABORT).setStart(1).setEnd(2)
                .setHints(Any.getDefaultInstance().toBuilder().setTypeUrl("x")).addMatchers(matcher).addWithoutReplicaLabels("replica")
                .setLimit(3).build();

        UnknownFieldSet nameFields = UnknownFieldSet.parseFrom(names.toByteArray());
        UnknownFieldSet valueFields = UnknownFieldSet.parseFrom(values.toByteArray());

        assertThat(nameFields.asMap().keySet()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(nameFields.getField(7).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("replica");
        assertThat(nameFields.getField(8).getVarintList()).containsExactly(3L);
        assertThat(valueFields.asMap().keySet()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(valueFields.getField(1).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("job");
        assertThat(valueFields.getField(8).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("replica");
        assertThat(valueFields.getField(9).getVarintList()).containsExactly(3L);
    }

    @Test
    void infoResponseFieldNumbersAreThanos() throws Exception {
        InfoResponse info = InfoResponse.newBuilder()
                .addLabelSets(io.gauntlet.proto.thanos.ZLabelSet.newBuilder()
                        .addLabels(io.gauntlet.proto.thanos.Label.newBuilder().setName("cluster").setValue("eu")))
                .setComponentType("store")
                .setStore(StoreInfo.newBuilder().setMinTime(5).setMaxTime(6).setSupportsSharding(true)
                        .setSupportsWithoutReplicaLabels(true))
                .build();

        UnknownFieldSet fields = UnknownFieldSet.parseFrom(info.toByteArray());
        UnknownFieldSet store = UnknownFieldSet.parseFrom(fields.getField(3).getLengthDelimitedList().get(0));

        assertThat(fields.asMap().keySet()).containsExactly(1, 2, 3);
        assertThat(fields.getField(2).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo("store");
        assertThat(store.asMap().keySet()).containsExactly(1, 2, 3, 5);
    }

    @Test
    void prompbRemoteReadFieldNumbersArePrometheus() throws Exception {
        ReadRequest read = ReadRequest.newBuilder()
                .addQueries(io.gauntlet.proto.prometheus.Query.newBuilder().setStartTimestampMs(1).setEndTimestampMs(2)
                        .addMatchers(io.gauntlet.proto.prometheus.LabelMatcher.newBuilder().setName("__name__").setValue("up"))
                        .setHints(io.gauntlet.proto.prometheus.ReadHints.newBuilder().setStepMs(1000)))
                .addAcceptedResponseTypes(ReadRequest.ResponseType.STREAMED_XOR_CHUNKS)
                .build();
        ChunkedReadResponse chunked = ChunkedReadResponse.newBuilder()
                .addChunkedSeries(io.gauntlet.proto.prometheus.ChunkedSeries.newBuilder()
                        .addLabels(io.gauntlet.proto.prometheus.Label.newBuilder().setName("a").setValue("b"))
                        .addChunks(io.gauntlet.proto.prometheus.Chunk.newBuilder().setMinTimeMs(1).setMaxTimeMs(2)
                                .setType(io.gauntlet.proto.prometheus.Chunk.Encoding.XOR).setData(ByteString.copyFrom(new byte[] {0, 1}))))
                .setQueryIndex(3)
                .build();

        UnknownFieldSet readFields = UnknownFieldSet.parseFrom(read.toByteArray());
        UnknownFieldSet query = UnknownFieldSet.parseFrom(readFields.getField(1).getLengthDelimitedList().get(0));
        UnknownFieldSet chunkedFields = UnknownFieldSet.parseFrom(chunked.toByteArray());
        UnknownFieldSet chunkedSeries = UnknownFieldSet.parseFrom(chunkedFields.getField(1).getLengthDelimitedList().get(0));
        UnknownFieldSet chunk = UnknownFieldSet.parseFrom(chunkedSeries.getField(2).getLengthDelimitedList().get(0));

        assertThat(readFields.getField(2).getLengthDelimitedList().get(0).toByteArray()).containsExactly(1);
        assertThat(query.asMap().keySet()).containsExactly(1, 2, 3, 4);
        assertThat(chunkedFields.getField(2).getVarintList()).containsExactly(3L);
        assertThat(chunk.asMap().keySet()).containsExactly(1, 2, 3, 4);
        assertThat(chunk.getField(3).getVarintList()).containsExactly(1L); // prompb XOR = 1, like the TSDB byte
        assertThat(List.of(io.gauntlet.proto.prometheus.WriteRequest.getDescriptor().findFieldByNumber(1).getName(),
                io.gauntlet.proto.prometheus.WriteRequest.getDescriptor().findFieldByNumber(3).getName()))
                .containsExactly("timeseries", "metadata");
    }
}
