package org.pathways.messaging.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.LogContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.mock.env.MockEnvironment;

/**
 * Through Kafka's own logging path (its {@link LogContext} prefixes and formats the message): the binder's lag gauge's
 * "no longer assigned" warning is dropped, the same class's other warnings are not. The gauge's second registration
 * and a shared error channel's warning are dropped only where they are expected.
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

    @Test
    void theLagGaugeRegisteredAgainIsExpectedAnyOtherMeterIsNot() {
        ExpectedKafkaWarnings.install();
        // The message as Micrometer words it, with meter ids as Micrometer prints them.
        String lagGauge = Gauge.builder("spring.cloud.stream.binder.kafka.offset", () -> 0).tag("group", "referral-service")
                .tag("topic", "pathways.learners").register(new SimpleMeterRegistry()).getId().toString();
        String otherGauge = Gauge.builder("pathways.outbox.pending", () -> 0).register(new SimpleMeterRegistry())
                .getId().toString();

        List<String> logged = warnings(ExpectedKafkaWarnings.METER_REGISTRY, List.of(
                registeredAgain(lagGauge), registeredAgain(otherGauge)));

        assertThat(lagGauge).startsWith("MeterId{name='spring.cloud.stream.binder.kafka.offset',");
        assertThat(logged).containsExactly(registeredAgain(otherGauge));
    }

    @Test
    void aSharedErrorChannelIsExpectedOnlyForSeveralDestinationsWithoutADeadLetterTopic() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.cloud.stream.kafka.default.consumer.enable-dlq", "true")
                .withProperty("spring.cloud.stream.bindings.fourTopics-in-0.destination", "a.one,a.two,a.three,a.four")
                .withProperty("spring.cloud.stream.kafka.bindings.fourTopics-in-0.consumer.enable-dlq", "false")
                .withProperty("spring.cloud.stream.bindings.twoTopicsDeadLettered-in-0.destination", "b.one,b.two")
                .withProperty("spring.cloud.stream.bindings.oneTopic-in-0.destination", "c.one")
                .withProperty("spring.cloud.stream.kafka.bindings.oneTopic-in-0.consumer.enable-dlq", "false");
        ExpectedKafkaWarnings.install().expect(environment);

        List<String> logged = warnings(ExpectedKafkaWarnings.BINDER, List.of(
                directChannel("kafka-305651902.fourTopics-in-0.errors"),
                directChannel("kafka-305651902.twoTopicsDeadLettered-in-0.errors"),
                directChannel("kafka-305651902.oneTopic-in-0.errors")));

        assertThat(logged).containsExactly(directChannel("kafka-305651902.twoTopicsDeadLettered-in-0.errors"),
                directChannel("kafka-305651902.oneTopic-in-0.errors"));
    }

    private static String registeredAgain(String meterId) {
        return "This Gauge has been already registered (" + meterId + "), the registration will be ignored. Note that "
                + "subsequent logs will be logged at debug level.";
    }

    private static String directChannel(String channel) {
        return "The provided errorChannel '" + channel + "' is an instance of DirectChannel, so no more subscribers "
                + "could be added which may affect DLQ processing. Resolution: Configure your own errorChannel as an "
                + "instance of PublishSubscribeChannel";
    }

    /** What of {@code messages}, warned through {@code loggerName}, reaches an appender. */
    private static List<String> warnings(String loggerName, List<String> messages) {
        Logger logback = (Logger) LoggerFactory.getLogger(loggerName);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        logback.addAppender(seen);
        try {
            messages.forEach(logback::warn);
            return seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        } finally {
            logback.detachAppender(seen);
        }
    }
}
