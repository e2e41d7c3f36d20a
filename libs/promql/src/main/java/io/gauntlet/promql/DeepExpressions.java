package io.gauntlet.promql;

import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.NumberLiteral;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.StepInvariantExpr;
import io.gauntlet.promql.ast.StringLiteral;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.VectorSelector;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * How deep an expression may be, and where deep ones are handled. Parser, type checker and engine walk the tree
 * recursively, a frame or a few per level; Prometheus (Go, growable stacks) accepts machine-generated queries of
 * thousands of levels — {@code up + up + … + up} with 10,000 terms, 3,000 nested parentheses. Shallow queries (nearly
 * all) run on the caller's thread; deeper ones on a thread of their own whose stack is sized for {@link #MAX_DEPTH}
 * levels, started per query so the stack's memory is returned when it ends. Past {@link #MAX_DEPTH} a query is refused
 * as {@code bad_data}, never a StackOverflowError.
 */
public final class DeepExpressions {
    /** Deepest expression (levels of the tree: operators, parentheses, calls) a query may have. */
    public static final int MAX_DEPTH = 20_000;

    /** Deepest expression run on the caller's thread (a worker thread's default stack holds this with room to spare). */
    public static final int INLINE_DEPTH = 128;

    /**
     * Stack of a deep-query thread. Measured with the interpreter only (-Xint: the largest frames, before the JIT
     * compiles anything), parse, check and instant and range evaluation at {@link #MAX_DEPTH} levels: nested calls
     * (the deepest per level) overflow 8 MiB and pass in 16 MiB; chains of binary operators, '^', parentheses, unary
     * signs and aggregations pass in 16 MiB or less. Four times that is reserved: address space, committed only as
     * deep as a query goes.
     */
    static final long DEEP_STACK_BYTES = 64L << 20;

    /** Deep queries running at once: each may commit up to its stack, so a burst of them cannot take the memory. */
    private static final Semaphore DEEP_THREADS = new Semaphore(4);

    private DeepExpressions() {
    }

    /** Levels of the tree under and including {@code root}, counted without recursion. */
    public static int depth(Expr root) {
        ArrayDeque<Expr> nodes = new ArrayDeque<>();
        ArrayDeque<Integer> depths = new ArrayDeque<>();
        nodes.push(root);
        depths.push(1);
        int deepest = 0;
        while (!nodes.isEmpty()) {
            Expr expr = nodes.pop();
            int depth = depths.pop();
            deepest = Math.max(deepest, depth);
            switch (expr) {
                case MatrixSelector matrix -> push(nodes, depths, matrix.selector(), depth);
                case SubqueryExpr subquery -> push(nodes, depths, subquery.expr(), depth);
                case UnaryExpr unary -> push(nodes, depths, unary.expr(), depth);
                case ParenExpr paren -> push(nodes, depths, paren.expr(), depth);
                case StepInvariantExpr invariant -> push(nodes, depths, invariant.expr(), depth);
                case BinaryExpr binary -> {
                    push(nodes, depths, binary.lhs(), depth);
                    push(nodes, depths, binary.rhs(), depth);
                }
                case AggregateExpr aggregate -> {
                    push(nodes, depths, aggregate.expr(), depth);
                    if (aggregate.param() != null) {
                        push(nodes, depths, aggregate.param(), depth);
                    }
                }
                case Call call -> call.arguments().forEach(argument -> push(nodes, depths, argument, depth));
                case VectorSelector ignored -> {
                }
                case NumberLiteral ignored -> {
                }
                case StringLiteral ignored -> {
                }
            }
        }
        return deepest;
    }

    private static void push(ArrayDeque<Expr> nodes, ArrayDeque<Integer> depths, Expr child, int parentDepth) {
        nodes.push(child);
        depths.push(parentDepth + 1);
    }

    /**
     * Runs {@code work} on a thread with a stack for {@link #MAX_DEPTH} levels and waits for it; its result, its
     * exception or error come back to the caller. Interrupting the caller interrupts the work (the engine polls the
     * interrupt flag as a cancellation).
     */
    public static <T> T onDeepStack(Supplier<T> work) {
        try {
            DEEP_THREADS.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a deep-query thread", e);
        }
        try {
            AtomicReference<T> result = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread thread = new Thread(null, () -> {
                try {
                    result.set(work.get());
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "promql-deep-query", DEEP_STACK_BYTES);
            thread.setDaemon(true);
            thread.start();
            joinPassingInterrupts(thread);
            Throwable thrown = failure.get();
            if (thrown instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (thrown instanceof Error error) {
                throw error;
            }
            if (thrown != null) {
                throw new IllegalStateException(thrown);
            }
            return result.get();
        } finally {
            DEEP_THREADS.release();
        }
    }

    private static void joinPassingInterrupts(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                thread.interrupt();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
