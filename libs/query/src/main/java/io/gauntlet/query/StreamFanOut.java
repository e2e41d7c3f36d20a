package io.gauntlet.query;

import io.gauntlet.store.StoreFanOut;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.gauntlet.promql.ErrorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * One streaming gRPC call to each of several endpoints at once (Thanos' proxies for exemplars and targets): each
 * endpoint's whole answer, or the one-line failure that becomes a warning (partial response) or fails the request.
 */
final class StreamFanOut {
    /** Calls one endpoint over its channel and reads its whole answer. */
    interface Call<T> {
        List<T> answer(Channel channel);
    }

    /** The frames of the endpoints that answered, in endpoint order, and the failures of the others. */
    record Answers<T>(List<T> frames, List<String> failures) {
        /**
         * The frames, then one warning frame per failure (what Thanos' proxies stream); with partial response off, the
         * first failure fails the request instead.
         */
        List<T> withWarnings(boolean partialResponse, String what, Function<String, T> warning) {
            if (!failures.isEmpty() && !partialResponse) {
                throw new ApiException(ErrorType.INTERNAL, "retrieving " + what + ": " + failures.getFirst());
            }
            List<T> out = new ArrayList<>(frames);
            failures.forEach(failure -> out.add(warning.apply(failure)));
            return out;
        }
    }

    private StreamFanOut() {
    }

    /** The same call to every endpoint. */
    static <T> Answers<T> callEach(ExecutorService calls, List<StoreFanOut.Endpoint> endpoints, Call<T> call, String what) {
        return call(calls, endpoints, Collections.nCopies(endpoints.size(), call), what);
    }

    static <T> Answers<T> call(ExecutorService calls, List<StoreFanOut.Endpoint> endpoints, List<Call<T>> perEndpoint, String what) {
        List<Future<List<T>>> pending = new ArrayList<>(endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            Channel channel = endpoints.get(i).client().channel();
            Call<T> call = perEndpoint.get(i);
            // in the caller's gRPC context, if any: its cancellation, and the querier path the loop guard checks
            pending.add(calls.submit(io.grpc.Context.current().wrap(() -> call.answer(channel))));
        }
        List<T> frames = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            try {
                frames.addAll(pending.get(i).get()); // each call ends by its own deadline
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String message = cause instanceof StatusRuntimeException status
                        ? status.getStatus().getCode() + ": " + status.getStatus().getDescription() : String.valueOf(cause);
                failures.add("fetching " + what + " from " + endpoints.get(i).client().name() + ": " + message);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pending.forEach(call -> call.cancel(true));
                failures.add("interrupted while waiting for " + what);
                break;
            }
        }
        return new Answers<>(frames, failures);
    }
}
