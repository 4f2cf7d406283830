package org.pathways.messaging.broker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.LogContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Through Kafka's own logging path (its {@link LogContext} prefixes and formats the message): the binder's lag gauge's
 * "no longer assigned" warning is dropped, the same class's other warnings are not.
 */
class ExpectedKafkaWarningsTest {

    @Test
    void onlyTheStaleHighWatermarkWarningOfTheLagGaugeIsDropped() throws ClassNotFoundException {
        Class.forName(ExpectedKafkaWarnings.LOGGER);  // the class that warns still has this name in this Kafka client
        assertThat(ExpectedKafkaWarnings.install()).isSameAs(ExpectedKafkaWarnings.install());
        Logger logback = (Logger) LoggerFactory.getLogger(ExpectedKafkaWarnings.LOGGER);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        logback.addAppender(seen);
        try {
            org.slf4j.Logger kafka = new LogContext("[Consumer clientId=consumer-notification-service-5, "
                    + "groupId=notification-service] ").logger(ExpectedKafkaWarnings.LOGGER);
            TopicPartition partition = new TopicPartition("pathways.referrals", 1);
            kafka.warn("Not updating high watermark for partition {} as it is no longer assigned", partition);
            kafka.warn("Attempt to fetch offsets for partition {} failed due to {}, retrying.", partition,
                    "NOT_LEADER_OR_FOLLOWER");
            kafka.warn("Received unknown topic or partition error in ListOffset request for partition {}",
                    partition);

            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "[Consumer clientId=consumer-notification-service-5, groupId=notification-service] Attempt to "
                            + "fetch offsets for partition pathways.referrals-1 failed due to NOT_LEADER_OR_FOLLOWER,"
                            + " retrying.",
                    "[Consumer clientId=consumer-notification-service-5, groupId=notification-service] Received "
                            + "unknown topic or partition error in ListOffset request for partition "
                            + "pathways.referrals-1");
        } finally {
            logback.detachAppender(seen);
        }
    }
}
