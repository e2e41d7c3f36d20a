package io.gauntlet.events;

/** What an {@link OutboxPublisher} reports: each event Kafka acknowledged, and how many still wait. */
public interface OutboxMetrics {
    /** Reports nothing (one-off writers such as the bucket tools). */
    OutboxMetrics NONE = new OutboxMetrics() {
        @Override
        public void eventPublished() {
        }

        @Override
        public void outboxSize(int size) {
        }
    };

    void eventPublished();

    void outboxSize(int size);
}
