package org.pathways.events;

/** One Kafka topic per aggregate, keyed by the aggregate id so that each aggregate's events stay in order. */
public enum Topic {
    LEARNERS("pathways.learners"),
    OPPORTUNITIES("pathways.opportunities"),
    REFERRALS("pathways.referrals"),
    DELIVERIES("pathways.deliveries"),
    AGENCIES("pathways.agencies");

    private final String topicName;

    Topic(String topicName) {
        this.topicName = topicName;
    }

    public String topicName() {
        return topicName;
    }
}
