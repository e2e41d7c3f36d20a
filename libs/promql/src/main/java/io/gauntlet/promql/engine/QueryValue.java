package io.gauntlet.promql.engine;

/** The value of a query: a scalar, a string, an instant vector or a range matrix (Prometheus' four result types). */
public sealed interface QueryValue permits ScalarResult, StringResult, VectorResult, MatrixResult {
    /** The Prometheus API name of the type: {@code scalar}, {@code string}, {@code vector} or {@code matrix}. */
    String resultType();
}
