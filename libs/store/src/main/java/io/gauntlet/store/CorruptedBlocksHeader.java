package io.gauntlet.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gauntlet.proto.gauntlet.storestatus.CorruptedBlocks;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The corrupted blocks of a store, sent with every Info answer in the binary response header
 * {@code gauntlet-corrupted-blocks-bin} (a {@code gauntlet.storestatus.CorruptedBlocks} message). A header, not a
 * field: the Thanos messages stay exactly Thanos', and a Thanos querier ignores headers it does not know. Info is
 * what every querier polls every few seconds, so each one shows a store's damaged blocks on its stores page, whichever
 * query found them.
 */
public final class CorruptedBlocksHeader {
    public static final Metadata.Key<byte[]> KEY = Metadata.Key.of("gauntlet-corrupted-blocks-bin", Metadata.BINARY_BYTE_MARSHALLER);
    /** Well under grpc-java's default 8 KiB limit for received metadata; the total still counts every block. */
    static final int MAX_BYTES = 4096;

    /** What a store reported: the blocks that fit the header and how many there are in all. */
    public record Report(List<CorruptedBlock> blocks, long total) {
        public static final Report NONE = new Report(List.of(), 0);

        public Report {
            blocks = List.copyOf(blocks);
        }
    }

    private CorruptedBlocksHeader() {
    }

    /** Adds the header to the response headers of every call it intercepts (Info), when the store has corrupted blocks. */
    public static ServerInterceptor sending(Supplier<List<CorruptedBlock>> blocks) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return next.startCall(new SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendHeaders(Metadata responseHeaders) {
                        List<CorruptedBlock> now = blocks.get();
                        if (!now.isEmpty()) {
                            responseHeaders.put(KEY, encode(now));
                        }
                        super.sendHeaders(responseHeaders);
                    }
                }, headers);
            }
        };
    }

    static byte[] encode(List<CorruptedBlock> blocks) {
        CorruptedBlocks.Builder message = CorruptedBlocks.newBuilder().setTotal(blocks.size());
        int bytes = 0;
        for (CorruptedBlock block : blocks) {
            io.gauntlet.proto.gauntlet.storestatus.CorruptedBlock wire = io.gauntlet.proto.gauntlet.storestatus.CorruptedBlock.newBuilder()
                    .setUlid(block.ulid()).setFile(block.file()).setOffset(block.offset()).setCause(block.cause())
                    .setMessage(block.message()).setMinTime(block.minTime()).setMaxTime(block.maxTime()).setSince(block.since()).build();
            bytes += wire.getSerializedSize() + 3;
            if (bytes > MAX_BYTES) {
                break;
            }
            message.addBlocks(wire);
        }
        return message.build().toByteArray();
    }

    /** The report in received response headers; {@link Report#NONE} without the header or when it cannot be read. */
    public static Report decode(Metadata headers) {
        byte[] bytes = headers == null ? null : headers.get(KEY);
        if (bytes == null) {
            return Report.NONE;
        }
        try {
            CorruptedBlocks message = CorruptedBlocks.parseFrom(bytes);
            List<CorruptedBlock> blocks = new ArrayList<>(message.getBlocksCount());
            for (var wire : message.getBlocksList()) {
                blocks.add(new CorruptedBlock(wire.getUlid(), wire.getFile(), wire.getOffset(), wire.getCause(), wire.getMessage(),
                        wire.getMinTime(), wire.getMaxTime(), wire.getSince()));
            }
            return new Report(blocks, Math.max(message.getTotal(), blocks.size()));
        } catch (InvalidProtocolBufferException e) {
            return Report.NONE; // a status extra: an unreadable one must not make the store look unhealthy
        }
    }
}
