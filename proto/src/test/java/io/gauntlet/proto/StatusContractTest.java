package io.gauntlet.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.proto.thanos.status.HeadStatistics;
import io.gauntlet.proto.thanos.status.Statistic;
import io.gauntlet.proto.thanos.status.StatusGrpc;
import io.gauntlet.proto.thanos.status.TSDBStatistics;
import io.gauntlet.proto.thanos.status.TSDBStatisticsEntry;
import io.gauntlet.proto.thanos.status.TSDBStatisticsRequest;
import io.gauntlet.proto.thanos.status.TSDBStatisticsResponse;
import io.grpc.MethodDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** thanos.Status as Thanos' statuspb rpc.proto (its protoc-gen-go generation) and Info's status field. */
class StatusContractTest {

    @Test
    void methodFullNameIsThanos() {
        assertThat(StatusGrpc.getTSDBStatisticsMethod().getFullMethodName()).isEqualTo("thanos.Status/TSDBStatistics");
        assertThat(StatusGrpc.getTSDBStatisticsMethod().getType()).isEqualTo(MethodDescriptor.MethodType.SERVER_STREAMING);
    }

    @Test
    void fieldNumbersAreThanos() {
        assertFields(TSDBStatisticsRequest.getDescriptor(), "thanos.TSDBStatisticsRequest", List.of("tenant", "limit", "partial_response_strategy"));
        assertFields(TSDBStatisticsResponse.getDescriptor(), "thanos.TSDBStatisticsResponse", List.of("statistics", "warning"));
        assertFields(TSDBStatistics.getDescriptor(), "thanos.TSDBStatistics", List.of("statistics"));
        assertThat(TSDBStatistics.getDescriptor().findFieldByNumber(1).isMapField()).isTrue();
        assertFields(TSDBStatisticsEntry.getDescriptor(), "thanos.TSDBStatisticsEntry", List.of("head_statistics", "series_count_by_metric_name",
                "label_value_count_by_label_name", "memory_in_bytes_by_label_name", "series_count_by_label_value_pair"));
        assertFields(HeadStatistics.getDescriptor(), "thanos.HeadStatistics", List.of("num_series", "num_label_pairs", "chunk_count", "min_time",
                "max_time"));
        assertFields(Statistic.getDescriptor(), "thanos.Statistic", List.of("name", "value"));
        assertThat(InfoResponse.getDescriptor().findFieldByNumber(9).getName()).isEqualTo("status");
        assertThat(InfoResponse.getDescriptor().findFieldByNumber(9).getMessageType().getFullName()).isEqualTo("thanos.info.StatusInfo");
    }

    /** Fields numbered 1.. in the given order, and no others. */
    private static void assertFields(Descriptor message, String fullName, List<String> names) {
        assertThat(message.getFullName()).isEqualTo(fullName);
        assertThat(message.getFields()).hasSize(names.size());
        for (int i = 0; i < names.size(); i++) {
            assertThat(message.findFieldByNumber(i + 1).getName()).as(fullName + " field " + (i + 1)).isEqualTo(names.get(i));
        }
    }
}
