package io.gauntlet.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.metadata.Meta;
import io.gauntlet.proto.thanos.metadata.MetadataGrpc;
import io.gauntlet.proto.thanos.metadata.MetricMetadata;
import io.gauntlet.proto.thanos.metadata.MetricMetadataEntry;
import io.gauntlet.proto.thanos.metadata.MetricMetadataRequest;
import io.gauntlet.proto.thanos.metadata.MetricMetadataResponse;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** thanos.Metadata as Thanos' pkg/metadata/metadatapb/rpc.proto: method name, field numbers, map encoding. */
class MetadataApiContractTest {

    @Test
    void methodFullNameIsThanos() {
        assertThat(MetadataGrpc.getMetricMetadataMethod().getFullMethodName()).isEqualTo("thanos.Metadata/MetricMetadata");
        assertThat(MetadataGrpc.getMetricMetadataMethod().getType()).isEqualTo(MethodDescriptor.MethodType.SERVER_STREAMING);
        assertThat(MetadataGrpc.getServiceDescriptor().getMethods()).hasSize(1);
    }

    @Test
    void fieldNumbersAreThanos() {
        var request = MetricMetadataRequest.getDescriptor();
        assertThat(request.getFullName()).isEqualTo("thanos.MetricMetadataRequest");
        assertThat(request.findFieldByNumber(1).getName()).isEqualTo("metric");
        assertThat(request.findFieldByNumber(2).getName()).isEqualTo("limit");
        assertThat(request.findFieldByNumber(3).getName()).isEqualTo("partial_response_strategy");
        var response = MetricMetadataResponse.getDescriptor();
        assertThat(response.findFieldByNumber(1).getName()).isEqualTo("metadata");
        assertThat(response.findFieldByNumber(2).getName()).isEqualTo("warning");
        assertThat(response.getOneofs()).hasSize(1);
        assertThat(MetricMetadataEntry.getDescriptor().findFieldByNumber(2).getName()).isEqualTo("metas");
        assertThat(Meta.getDescriptor().getFullName()).isEqualTo("thanos.Meta");
    }

    /** The bytes a Go (gogo) encoder writes for {metric: "up", limit: -1, ABORT}, decoded by hand. */
    @Test
    void requestBytesMatchAHandEncodedOne() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(1, "up");
        out.writeInt32(2, -1); // int32 -1 is a ten byte varint on the wire
        out.writeEnum(3, 1);
        out.flush();
        MetricMetadataRequest request = MetricMetadataRequest.parseFrom(bytes.toByteArray());
        assertThat(request.getMetric()).isEqualTo("up");
        assertThat(request.getLimit()).isEqualTo(-1);
        assertThat(request.getPartialResponseStrategy()).isEqualTo(PartialResponseStrategy.ABORT);
        assertThat(request.toByteArray()).isEqualTo(bytes.toByteArray());
    }

    /** A proto3 map is a repeated entry message {key=1, value=2}: what Go writes for map[string]*MetricMetadataEntry. */
    @Test
    void metadataMapIsRepeatedKeyValueEntries() throws IOException {
        Meta meta = Meta.newBuilder().setType("counter").setHelp("Requests.").build();
        MetricMetadataEntry entry = MetricMetadataEntry.newBuilder().addMetas(meta).build();
        ByteArrayOutputStream mapEntry = new ByteArrayOutputStream();
        CodedOutputStream entryOut = CodedOutputStream.newInstance(mapEntry);
        entryOut.writeString(1, "http_requests_total");
        entryOut.writeMessage(2, entry);
        entryOut.flush();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(1, mapEntry.toByteArray());
        out.flush();
        MetricMetadata parsed = MetricMetadata.parseFrom(bytes.toByteArray());
        assertThat(parsed.getMetadataMap()).containsEntry("http_requests_total", entry);
        assertThat(MetricMetadata.newBuilder().putMetadata("http_requests_total", entry).build().toByteArray())
                .isEqualTo(bytes.toByteArray());
    }
}
