package io.gauntlet.ruler;

import com.google.protobuf.Timestamp;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.LabelSet;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.rules.AlertInstance;
import io.gauntlet.proto.thanos.rules.AlertState;
import io.gauntlet.proto.thanos.rules.RecordingRule;
import io.gauntlet.proto.thanos.rules.Rule;
import io.gauntlet.proto.thanos.rules.RuleGroup;
import io.gauntlet.proto.thanos.rules.RulesGrpc;
import io.gauntlet.proto.thanos.rules.RulesRequest;
import io.gauntlet.proto.thanos.rules.RulesResponse;
import io.gauntlet.rules.Alert;
import io.gauntlet.rules.AlertingRule;
import io.gauntlet.rules.template.GoFmt;
import io.gauntlet.tsdb.Labels;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * {@code thanos.Rules}: one frame per rule group, rule and alert labels extended with the ruler's external labels (so a
 * querier can deduplicate HA rulers on the replica label), type and name/group/file filters as Thanos applies them.
 */
final class RulesGrpcService extends RulesGrpc.RulesImplBase {
    private final RulerServices ruler;

    RulesGrpcService(RulerServices ruler) {
        this.ruler = ruler;
    }

    @Override
    public void rules(RulesRequest request, StreamObserver<RulesResponse> out) {
        try {
            for (io.gauntlet.rules.RuleGroup group : ruler.manager().groups(request.getFileList(), request.getRuleGroupList())) {
                RuleGroup.Builder builder = RuleGroup.newBuilder().setName(group.name()).setFile(group.file())
                        .setInterval(group.intervalMillis() / 1000.0).setLimit(group.limit())
                        .setEvaluationDurationSeconds(group.lastDurationNanos() / 1e9)
                        .setLastEvaluation(timestamp(group.lastEvaluationMillis()))
                        .setPartialResponseStrategy(group.partialResponse() ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT);
                for (io.gauntlet.rules.Rule rule : group.rules()) {
                    if (!request.getRuleNameList().isEmpty() && !request.getRuleNameList().contains(rule.name())) {
                        continue;
                    }
                    if (rule instanceof AlertingRule alerting) {
                        if (request.getType() == RulesRequest.Type.RECORD) {
                            continue;
                        }
                        builder.addRules(Rule.newBuilder().setAlert(alert(alerting, group)));
                    } else if (request.getType() != RulesRequest.Type.ALERT) {
                        builder.addRules(Rule.newBuilder().setRecording(RecordingRule.newBuilder().setName(rule.name()).setQuery(rule.query())
                                .setLabels(labelSet(withExternal(rule.labels()))).setHealth(rule.status().health().apiName())
                                .setLastError(rule.status().lastError()).setEvaluationDurationSeconds(rule.status().evaluationNanos() / 1e9)
                                .setLastEvaluation(timestamp(rule.status().lastEvaluationMillis()))));
                    }
                }
                out.onNext(RulesResponse.newBuilder().setGroup(builder).build());
            }
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
        }
    }

    private io.gauntlet.proto.thanos.rules.Alert alert(AlertingRule rule, io.gauntlet.rules.RuleGroup group) {
        io.gauntlet.proto.thanos.rules.Alert.Builder builder = io.gauntlet.proto.thanos.rules.Alert.newBuilder()
                .setState(state(rule.state())).setName(rule.name()).setQuery(rule.query()).setDurationSeconds(rule.holdMillis() / 1000.0)
                .setKeepFiringForSeconds(rule.keepFiringForMillis() / 1000.0).setLabels(labelSet(withExternal(rule.labels())))
                .setAnnotations(labelSet(rule.annotations())).setHealth(rule.status().health().apiName()).setLastError(rule.status().lastError())
                .setEvaluationDurationSeconds(rule.status().evaluationNanos() / 1e9)
                .setLastEvaluation(timestamp(rule.status().lastEvaluationMillis()));
        for (Alert.Snapshot alert : rule.activeAlerts()) {
            if (alert.state() == io.gauntlet.rules.AlertState.INACTIVE) {
                continue;
            }
            builder.addAlerts(AlertInstance.newBuilder().setLabels(labelSet(withExternal(alert.labels()))).setAnnotations(labelSet(alert.annotations()))
                    .setState(state(alert.state())).setActiveAt(timestamp(alert.activeAt())).setValue(GoFmt.formatFloat(alert.value(), 'e', -1))
                    .setPartialResponseStrategy(group.partialResponse() ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT));
        }
        return builder.build();
    }

    private Labels withExternal(Labels labels) {
        Labels.Builder builder = labels.toBuilder();
        ruler.externalLabels().forEach(builder::set);
        return builder.build();
    }

    private static AlertState state(io.gauntlet.rules.AlertState state) {
        return switch (state) {
            case INACTIVE -> AlertState.INACTIVE;
            case PENDING -> AlertState.PENDING;
            case FIRING -> AlertState.FIRING;
        };
    }

    private static LabelSet labelSet(Labels labels) {
        LabelSet.Builder set = LabelSet.newBuilder();
        labels.forEach((name, value) -> set.addLabels(Label.newBuilder().setName(name).setValue(value)));
        return set.build();
    }

    private static Timestamp timestamp(long millis) {
        if (millis == 0 || millis == Alert.UNSET) {
            return Timestamp.newBuilder().setSeconds(-62135596800L).build(); // Go's zero time
        }
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000)).setNanos((int) Math.floorMod(millis, 1000) * 1_000_000).build();
    }
}
