package io.gauntlet.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import io.gauntlet.proto.thanos.exemplars.Exemplar;
import io.gauntlet.proto.thanos.exemplars.ExemplarData;
import io.gauntlet.proto.thanos.exemplars.ExemplarsGrpc;
import io.gauntlet.proto.thanos.exemplars.ExemplarsRequest;
import io.gauntlet.proto.thanos.exemplars.ExemplarsResponse;
import io.gauntlet.proto.thanos.targets.ActiveTarget;
import io.gauntlet.proto.thanos.targets.DroppedTarget;
import io.gauntlet.proto.thanos.targets.TargetDiscovery;
import io.gauntlet.proto.thanos.targets.TargetHealth;
import io.gauntlet.proto.thanos.targets.TargetsGrpc;
import io.gauntlet.proto.thanos.targets.TargetsRequest;
import io.gauntlet.proto.thanos.targets.TargetsResponse;
import io.grpc.MethodDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** thanos.Exemplars and thanos.Targets as Thanos' exemplarspb and targetspb rpc.proto: method names, field numbers. */
class ExemplarsTargetsContractTest {

    @Test
    void methodFullNamesAreThanos() {
        assertThat(ExemplarsGrpc.getExemplarsMethod().getFullMethodName()).isEqualTo("thanos.Exemplars/Exemplars");
        assertThat(ExemplarsGrpc.getExemplarsMethod().getType()).isEqualTo(MethodDescriptor.MethodType.SERVER_STREAMING);
        assertThat(TargetsGrpc.getTargetsMethod().getFullMethodName()).isEqualTo("thanos.Targets/Targets");
        assertThat(TargetsGrpc.getTargetsMethod().getType()).isEqualTo(MethodDescriptor.MethodType.SERVER_STREAMING);
    }

    @Test
    void exemplarsFieldNumbersAreThanos() {
        assertFields(ExemplarsRequest.getDescriptor(), "thanos.ExemplarsRequest", List.of("query", "start", "end", "partial_response_strategy"));
        assertFields(ExemplarsResponse.getDescriptor(), "thanos.ExemplarsResponse", List.of("data", "warning"));
        assertFields(ExemplarData.getDescriptor(), "thanos.ExemplarData", List.of("seriesLabels", "exemplars"));
        assertFields(Exemplar.getDescriptor(), "thanos.Exemplar", List.of("labels", "value", "ts"));
        assertThat(ExemplarData.getDescriptor().findFieldByNumber(1).getMessageType().getFullName()).isEqualTo("thanos.LabelSet");
    }

    @Test
    void targetsFieldNumbersAreThanos() {
        assertFields(TargetsRequest.getDescriptor(), "thanos.TargetsRequest", List.of("state", "partial_response_strategy"));
        assertThat(TargetsRequest.State.values()).extracting(TargetsRequest.State::name).startsWith("ANY", "ACTIVE", "DROPPED");
        assertFields(TargetsResponse.getDescriptor(), "thanos.TargetsResponse", List.of("targets", "warning"));
        assertFields(TargetDiscovery.getDescriptor(), "thanos.TargetDiscovery", List.of("activeTargets", "droppedTargets"));
        assertFields(ActiveTarget.getDescriptor(), "thanos.ActiveTarget", List.of("discoveredLabels", "labels", "scrapePool", "scrapeUrl",
                "globalUrl", "lastError", "lastScrape", "lastScrapeDuration", "health"));
        assertFields(DroppedTarget.getDescriptor(), "thanos.DroppedTarget", List.of("discoveredLabels"));
        assertThat(TargetHealth.DOWN.getNumber()).isZero();
        assertThat(TargetHealth.UP.getNumber()).isEqualTo(1);
        assertThat(TargetHealth.UNKNOWN.getNumber()).isEqualTo(2);
        assertThat(ActiveTarget.getDescriptor().findFieldByNumber(7).getMessageType().getFullName()).isEqualTo("google.protobuf.Timestamp");
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
