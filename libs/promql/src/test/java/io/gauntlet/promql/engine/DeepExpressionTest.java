package io.gauntlet.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.promql.DeepExpressions;
import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.PromqlException;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.tsdb.Labels;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Machine-generated queries thousands of levels deep — what Prometheus 2.42 accepts — parse, print, check and
 * evaluate, even when the caller's thread has a small stack; past the documented bound they are bad_data, never a
 * StackOverflowError.
 */
class DeepExpressionTest {
    /** A caller with a small stack (a worker thread of some framework): deep work must be handed off. */
    private static final long SMALL_STACK = 256 * 1024;

    private static InMemoryQueryable storage() {
        InMemoryQueryable storage = new InMemoryQueryable();
        for (int instance = 0; instance < 2; instance++) {
            for (long t = 0; t <= 600_000; t += 15_000) {
                storage.append(Labels.of("__name__", "up", "instance", "i" + instance), t, instance + 1);
            }
        }
        return storage;
    }

    private static String chain(String operand, String operator, int terms) {
        StringBuilder query = new StringBuilder(operand);
        for (int i = 1; i < terms; i++) {
            query.append(' ').append(operator).append(' ').append(operand);
        }
        return query.toString();
    }

    /** Runs the body on a thread with a small stack and rethrows what it threw (an Error included). */
    private static void onSmallStack(Runnable body) throws Throwable {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "small-stack", SMALL_STACK);
        thread.start();
        thread.join();
        if (thrown.get() != null) {
            throw thrown.get();
        }
    }

    @Test
    void tenThousandTermSumParsesPrintsAndEvaluates() throws Throwable {
        String query = chain("up", "+", 10_000);
        onSmallStack(() -> {
            Expr expr = PromqlParser.parseExpr(query);
            assertThat(DeepExpressions.depth(expr)).isEqualTo(10_000);
            assertThat(expr.toString()).isEqualTo(query);
            PromqlEngine engine = new PromqlEngine();
            VectorResult instant = (VectorResult) engine.instantQuery(storage(), expr, 300_000).value();
            assertThat(instant.size()).isEqualTo(2);
            assertThat(instant.labels(0)).isEqualTo(Labels.of("instance", "i0"));
            assertThat(instant.value(0)).isEqualTo(10_000);
            assertThat(instant.value(1)).isEqualTo(20_000);
            MatrixResult range = (MatrixResult) engine.rangeQuery(storage(), expr, 0, 600_000, 150_000).value();
            assertThat(range.series()).hasSize(2);
            assertThat(range.series().get(1).value(4)).isEqualTo(20_000);
        });
    }

    @Test
    void threeThousandParenthesesPowersSignsAndCallsEvaluate() throws Throwable {
        onSmallStack(() -> {
            PromqlEngine engine = new PromqlEngine();
            String parentheses = "(".repeat(3_000) + "up" + ")".repeat(3_000);
            String powers = chain("up", "^", 3_000); // right-associative: the parser itself nests 3,000 deep
            String signs = "-".repeat(3_001) + "up";
            String calls = "abs(".repeat(3_000) + "up" + ")".repeat(3_000);
            String aggregations = "sum(".repeat(3_000) + "up" + ")".repeat(3_000);
            assertThat(value(engine, parentheses)).isEqualTo(1);
            assertThat(value(engine, powers)).isEqualTo(1);
            assertThat(value(engine, signs)).isEqualTo(-1);
            assertThat(value(engine, calls)).isEqualTo(1);
            assertThat(value(engine, aggregations)).isEqualTo(3);
            assertThat(PromqlParser.parseExpr(parentheses).toString()).isEqualTo(parentheses);
        });
    }

    private static double value(PromqlEngine engine, String query) {
        VectorResult result = (VectorResult) engine.instantQuery(storage(), query, 300_000).value();
        return result.value(0);
    }

    @Test
    void pastTheBoundIsBadDataNotAStackOverflow() throws Throwable {
        int levels = DeepExpressions.MAX_DEPTH + 1;
        onSmallStack(() -> {
            for (String query : new String[] {"(".repeat(levels) + "up" + ")".repeat(levels), chain("up", "+", levels),
                    "abs(".repeat(levels) + "up" + ")".repeat(levels), chain("up", "^", levels)}) {
                assertThatThrownBy(() -> PromqlParser.parseExpr(query))
                        .isInstanceOf(PromqlException.class)
                        .satisfies(e -> assertThat(((PromqlException) e).type()).isEqualTo(ErrorType.BAD_DATA))
                        .hasMessageContaining("expression is nested too deeply (more than " + DeepExpressions.MAX_DEPTH
                                + " levels)");
            }
        });
    }

    @Test
    void theBoundItselfIsAccepted() throws Throwable {
        int levels = DeepExpressions.MAX_DEPTH - 1; // parentheses plus the selector inside them
        onSmallStack(() -> {
            Expr expr = PromqlParser.parseExpr("(".repeat(levels) + "up" + ")".repeat(levels));
            assertThat(DeepExpressions.depth(expr)).isEqualTo(DeepExpressions.MAX_DEPTH);
        });
    }
}
