package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.histogram.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * Comparing and widening bucket layouts the way Prometheus 2.42's histogram appenders do ({@code histogram_meta.go}):
 * which buckets a new sample adds to a chunk's layout, and the bucket arrays with those buckets inserted as zeros.
 */
final class BucketLayouts {
    private BucketLayouts() {
    }

    /** {@code count} new buckets go before the {@code position}-th bucket of the old layout. */
    record Insert(int position, int count) {
    }

    static final Insert[] NO_INSERTS = new Insert[0];

    /** Walks the absolute bucket indexes of a span list. */
    private static final class BucketIndexes {
        private final Span[] spans;
        private int span;
        private int bucket = -1;
        private int index = -1;
        int current;

        BucketIndexes(Span[] spans) {
            this.spans = spans;
            if (spans.length > 0) {
                index += spans[0].offset();
            }
        }

        boolean next() {
            if (span >= spans.length) {
                return false;
            }
            if (bucket < spans[span].length() - 1) {
                bucket++;
                index++;
                current = index;
                return true;
            }
            while (span < spans.length - 1) {
                span++;
                index += spans[span].offset() + 1;
                bucket = 0;
                if (spans[span].length() == 0) {
                    index--; // an empty span: try the next one
                    continue;
                }
                current = index;
                return true;
            }
            return false;
        }
    }

    /**
     * The inserts that widen layout {@code a} to layout {@code b}, or null when {@code b} lacks a bucket of {@code a}
     * (Prometheus {@code expandSpansForward}).
     */
    static Insert[] expandForward(Span[] a, Span[] b) {
        BucketIndexes ai = new BucketIndexes(a);
        BucketIndexes bi = new BucketIndexes(b);
        List<Insert> inserts = new ArrayList<>();
        int position = 0;
        int count = 0;
        boolean aOk = ai.next();
        boolean bOk = bi.next();
        while (true) {
            if (aOk && bOk) {
                if (ai.current == bi.current) {
                    if (count > 0) {
                        inserts.add(new Insert(position, count));
                    }
                    count = 0;
                    aOk = ai.next();
                    bOk = bi.next();
                    position++;
                } else if (ai.current < bi.current) {
                    return null;
                } else {
                    count++;
                    bOk = bi.next();
                }
            } else if (aOk) {
                return null;
            } else if (bOk) {
                count++;
                bOk = bi.next();
            } else {
                if (count > 0) {
                    inserts.add(new Insert(position, count));
                }
                return inserts.isEmpty() ? NO_INSERTS : inserts.toArray(Insert[]::new);
            }
        }
    }

    /** Forward inserts (a → merged), backward inserts (b → merged) and the merged layout ({@code expandSpansBothWays}). */
    record BothWays(Insert[] forward, Insert[] backward, Span[] merged) {
    }

    static BothWays expandBothWays(Span[] a, Span[] b) {
        BucketIndexes ai = new BucketIndexes(a);
        BucketIndexes bi = new BucketIndexes(b);
        List<Insert> forward = new ArrayList<>();
        List<Insert> backward = new ArrayList<>();
        List<int[]> merged = new ArrayList<>(); // {offset, length}
        int[] lastBucket = {0};
        int fPosition = 0;
        int fCount = 0;
        int bPosition = 0;
        int bCount = 0;
        boolean aOk = ai.next();
        boolean bOk = bi.next();
        while (true) {
            if (aOk && bOk) {
                if (ai.current == bi.current) {
                    if (fCount > 0) {
                        forward.add(new Insert(fPosition, fCount));
                        fCount = 0;
                    }
                    if (bCount > 0) {
                        backward.add(new Insert(bPosition, bCount));
                        bCount = 0;
                    }
                    addBucket(merged, lastBucket, ai.current);
                    aOk = ai.next();
                    bOk = bi.next();
                    fPosition++;
                    bPosition++;
                } else if (ai.current < bi.current) {
                    bCount++;
                    if (fCount > 0) {
                        forward.add(new Insert(fPosition, fCount));
                        fCount = 0;
                    }
                    addBucket(merged, lastBucket, ai.current);
                    fPosition++;
                    aOk = ai.next();
                } else {
                    fCount++;
                    if (bCount > 0) {
                        backward.add(new Insert(bPosition, bCount));
                        bCount = 0;
                    }
                    addBucket(merged, lastBucket, bi.current);
                    bPosition++;
                    bOk = bi.next();
                }
            } else if (aOk) {
                bCount++;
                addBucket(merged, lastBucket, ai.current);
                aOk = ai.next();
            } else if (bOk) {
                fCount++;
                addBucket(merged, lastBucket, bi.current);
                bOk = bi.next();
            } else {
                if (fCount > 0) {
                    forward.add(new Insert(fPosition, fCount));
                }
                if (bCount > 0) {
                    backward.add(new Insert(bPosition, bCount));
                }
                Span[] spans = new Span[merged.size()];
                for (int i = 0; i < spans.length; i++) {
                    spans[i] = new Span(merged.get(i)[0], merged.get(i)[1]);
                }
                return new BothWays(forward.toArray(Insert[]::new), backward.toArray(Insert[]::new),
                        spans.length == 0 ? Span.NONE : spans);
            }
        }
    }

    private static void addBucket(List<int[]> merged, int[] lastBucket, int bucket) {
        int offset = bucket - lastBucket[0] - 1;
        if (offset == 0 && !merged.isEmpty()) {
            merged.getLast()[1]++;
        } else {
            if (merged.isEmpty()) {
                offset++;
            }
            merged.add(new int[] {offset, 1});
        }
        lastBucket[0] = bucket;
    }

    /** Integer buckets (deltas) with zero buckets inserted ({@code insert} with deltas). */
    static long[] insert(long[] in, int outLength, Insert[] inserts) {
        long[] out = new long[outLength];
        int oi = 0;
        long value = 0;
        int ii = 0;
        for (int i = 0; i < in.length; i++) {
            long d = in[i];
            if (ii < inserts.length && i == inserts[ii].position()) {
                out[oi++] = -value;
                for (int x = 1; x < inserts[ii].count(); x++) {
                    out[oi++] = 0;
                }
                ii++;
                out[oi++] = d + value;
                value += d;
                continue;
            }
            out[oi++] = d;
            value += d;
        }
        if (ii == inserts.length - 1) {
            out[oi++] = -value;
            for (int x = 1; x < inserts[ii].count(); x++) {
                out[oi++] = 0;
            }
        } else if (ii != inserts.length) {
            throw new IllegalStateException("unprocessed bucket inserts left");
        }
        return out;
    }

    /** Float buckets (absolute counts) with zero buckets inserted. */
    static double[] insert(double[] in, int outLength, Insert[] inserts) {
        double[] out = new double[outLength];
        int oi = 0;
        int ii = 0;
        for (int i = 0; i < in.length; i++) {
            if (ii < inserts.length && i == inserts[ii].position()) {
                oi += inserts[ii].count(); // zeros
                ii++;
            }
            out[oi++] = in[i];
        }
        if (ii == inserts.length - 1) {
            oi += inserts[ii].count();
        } else if (ii != inserts.length) {
            throw new IllegalStateException("unprocessed bucket inserts left");
        }
        return out;
    }

    /**
     * Whether any bucket present in both layouts decreased (Prometheus 2.42 {@code counterResetInAnyBucket}); the new
     * layout must cover the old one. {@code oldCounts}/{@code newCounts} are absolute counts.
     */
    static boolean counterResetInAnyBucket(double[] oldCounts, double[] newCounts, Span[] oldSpans, Span[] newSpans) {
        if (oldSpans.length == 0 || oldCounts.length == 0) {
            return false;
        }
        int oldSpan = 0;
        int newSpan = 0;
        int oldInside = 0;
        int newInside = 0;
        int oldIndex = oldSpans[0].offset();
        int newIndex = newSpans[0].offset();
        int oldBucket = 0;
        int newBucket = 0;
        double oldValue = oldCounts[0];
        double newValue = newCounts[0];
        while (true) {
            if (oldIndex == newIndex && newValue < oldValue) {
                return true;
            }
            if (oldIndex <= newIndex) {
                if (oldInside == oldSpans[oldSpan].length() - 1) {
                    oldSpan++;
                    oldInside = 0;
                    if (oldSpan >= oldSpans.length) {
                        return false;
                    }
                    oldIndex += 1 + oldSpans[oldSpan].offset();
                } else {
                    oldInside++;
                    oldIndex++;
                }
                oldBucket++;
                oldValue = oldCounts[oldBucket];
            }
            if (oldIndex > newIndex) {
                if (newInside == newSpans[newSpan].length() - 1) {
                    newSpan++;
                    newInside = 0;
                    if (newSpan >= newSpans.length) {
                        throw new IllegalStateException("new spans over before old spans in counter reset detection");
                    }
                    newIndex += 1 + newSpans[newSpan].offset();
                } else {
                    newInside++;
                    newIndex++;
                }
                newBucket++;
                newValue = newCounts[newBucket];
            }
        }
    }

    static double[] absolute(long[] deltas) {
        return io.gauntlet.tsdb.histogram.Histogram.absoluteCounts(deltas);
    }
}
