/**
 * The PromQL engine with Prometheus 2.42 semantics.
 *
 * <p>{@link io.gauntlet.promql.engine.PromqlEngine} takes a {@link io.gauntlet.tsdb.storage.Queryable} and a query
 * (text or AST). A query runs in three stages: {@code SelectionPlanner} works out every selector's time range and
 * hints as Prometheus' populateSeries does and loads the selected series into primitive arrays; {@code Evaluator}
 * walks the AST over all steps at once (series with one point per step, as Prometheus' range evaluation);
 * {@code PromqlEngine} turns the result into a {@link io.gauntlet.promql.engine.QueryValue}.
 *
 * <p>Per step, operators see {@code StepVector}s (parallel arrays reused across steps); per-series work (match
 * signatures, aggregation groups, dropped names) is numbered once per query so a step only touches arrays.
 * Range-vector functions slide a window over each series' samples ({@code RangeFunctionEvaluator}), and
 * element-wise operations skip the step gathering altogether.
 *
 * <p>Conformance: {@code docs/promql-conformance.md}.
 */
package io.gauntlet.promql.engine;
