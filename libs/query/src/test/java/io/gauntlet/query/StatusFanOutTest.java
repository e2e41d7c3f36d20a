package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.proto.thanos.status.HeadStatistics;
import io.gauntlet.proto.thanos.status.Statistic;
import io.gauntlet.proto.thanos.status.TSDBStatisticsEntry;
import org.junit.jupiter.api.Test;

/** TSDB statistics of several TSDBs merge as Thanos' querier merges them. */
class StatusFanOutTest {
    private static Statistic stat(String name, long value) {
        return Statistic.newBuilder().setName(name).setValue(value).build();
    }

    @Test
    void countsAddUpLabelValueCountsTakeTheLargestAndTheHeadRangeWidens() {
        TSDBStatisticsEntry a = TSDBStatisticsEntry.newBuilder()
                .setHeadStatistics(HeadStatistics.newBuilder().setNumSeries(10).setNumLabelPairs(20).setChunkCount(30).setMinTime(1000).setMaxTime(5000))
                .addSeriesCountByMetricName(stat("up", 6)).addSeriesCountByMetricName(stat("x", 4))
                .addLabelValueCountByLabelName(stat("instance", 5))
                .addMemoryInBytesByLabelName(stat("instance", 100))
                .addSeriesCountByLabelValuePair(stat("job=a", 10)).build();
        TSDBStatisticsEntry b = TSDBStatisticsEntry.newBuilder()
                .setHeadStatistics(HeadStatistics.newBuilder().setNumSeries(5).setNumLabelPairs(7).setChunkCount(1).setMinTime(500).setMaxTime(4000))
                .addSeriesCountByMetricName(stat("x", 3)).addSeriesCountByMetricName(stat("y", 1))
                .addLabelValueCountByLabelName(stat("instance", 3))
                .addMemoryInBytesByLabelName(stat("instance", 50))
                .addSeriesCountByLabelValuePair(stat("job=b", 11)).build();

        TSDBStatisticsEntry merged = StatusFanOut.merge(StatusFanOut.merge(TSDBStatisticsEntry.getDefaultInstance(), a), b);

        assertThat(merged.getHeadStatistics()).isEqualTo(HeadStatistics.newBuilder().setNumSeries(15).setNumLabelPairs(27).setChunkCount(31)
                .setMinTime(500).setMaxTime(5000).build());
        assertThat(merged.getSeriesCountByMetricNameList()).containsExactly(stat("x", 7), stat("up", 6), stat("y", 1));
        assertThat(merged.getLabelValueCountByLabelNameList()).containsExactly(stat("instance", 5));
        assertThat(merged.getMemoryInBytesByLabelNameList()).containsExactly(stat("instance", 150));
        assertThat(merged.getSeriesCountByLabelValuePairList()).containsExactly(stat("job=b", 11), stat("job=a", 10));
        assertThat(StatusFanOut.dataJson(merged, 2)).isEqualTo("{\"headStats\":{\"numSeries\":15,\"numLabelPairs\":27,\"chunkCount\":31,"
                + "\"minTime\":500,\"maxTime\":5000},\"seriesCountByMetricName\":[{\"name\":\"x\",\"value\":7},{\"name\":\"up\",\"value\":6}],"
                + "\"labelValueCountByLabelName\":[{\"name\":\"instance\",\"value\":5}],\"memoryInBytesByLabelName\":[{\"name\":\"instance\",\"value\":150}],"
                + "\"seriesCountByLabelValuePair\":[{\"name\":\"job=b\",\"value\":11},{\"name\":\"job=a\",\"value\":10}]}");
    }

    @Test
    void noTsdbAnswersEmptyStatistics() {
        assertThat(StatusFanOut.dataJson(TSDBStatisticsEntry.getDefaultInstance(), 10)).isEqualTo("{\"headStats\":{\"numSeries\":0,\"numLabelPairs\":0,"
                + "\"chunkCount\":0,\"minTime\":0,\"maxTime\":0},\"seriesCountByMetricName\":[],\"labelValueCountByLabelName\":[],"
                + "\"memoryInBytesByLabelName\":[],\"seriesCountByLabelValuePair\":[]}");
    }
}
