package io.gauntlet.storegateway;

import io.gauntlet.store.testing.ThanosStoreCalls;
import io.gauntlet.bucketstore.BlockFixtures;
import io.gauntlet.bucketstore.BlockFixtures.Sample;
import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.Series;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Series answers over gRPC turned into promtool dump samples. */
final class GatewayAnswers {
    private GatewayAnswers() {
    }

    static SeriesRequest request(long min, long max, List<LabelMatcher> matchers) {
        return SeriesRequest.newBuilder().setMinTime(min).setMaxTime(max).addAllMatchers(matchers).build();
    }

    static LabelMatcher m(String name, LabelMatcher.Type type, String value) {
        return LabelMatcher.newBuilder().setName(name).setType(type).setValue(value).build();
    }

    static List<Series> series(Channel channel, SeriesRequest request) {
        List<Series> out = new ArrayList<>();
        for (Iterator<SeriesResponse> it = ThanosStoreCalls.series(channel, request); it.hasNext(); ) {
            SeriesResponse response = it.next();
            if (response.hasSeries()) {
                out.add(response.getSeries());
            } else if (response.hasBatch()) {
                out.addAll(response.getBatch().getSeriesList());
            }
        }
        return out;
    }

    /** Samples in [min, max] of the answer, labels without {@code drop}, in answer order. */
    static List<Sample> samples(List<Series> answer, Set<String> drop, long min, long max) throws Exception {
        List<Sample> out = new ArrayList<>();
        XorSampleIterator iterator = new XorSampleIterator();
        for (Series series : answer) {
            Labels.Builder labels = Labels.builder();
            for (Label label : series.getLabelsList()) {
                if (!drop.contains(label.getName())) {
                    labels.set(label.getName(), label.getValue());
                }
            }
            String text = BlockFixtures.goString(labels.build());
            for (AggrChunk chunk : series.getChunksList()) {
                iterator.reset(chunk.getRaw().getData().toByteArray());
                while (iterator.next()) {
                    if (iterator.timestamp() >= min && iterator.timestamp() <= max) {
                        out.add(new Sample(text, iterator.value(), iterator.timestamp()));
                    }
                }
            }
        }
        return out;
    }
}
