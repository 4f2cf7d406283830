package org.pathways.notification;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.cloudevents.CloudEventRecords;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.SharedInfrastructure;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plays the referral-service: publishes referral events onto the real topic, encoded by the same codec its outbox
 * relay uses, with a plain Kafka producer.
 */
final class ReferralEvents implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CloudEventCodec codec = new CloudEventCodec();
    private final CloudEventRecords records = new CloudEventRecords(codec);
    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());

    /** A ReferralSubmitted from {@code referring} to {@code receiving}, ready to publish (once or more). */
    static OutboxEntry submitted(String referring, String receiving) {
        return submitted("ref-" + UUID.randomUUID(), referring, receiving);
    }

    static OutboxEntry submitted(String referralId, String referring, String receiving) {
        return submitted(referralId, "lrn-" + UUID.randomUUID(), referring, receiving);
    }

    /** A ReferralSubmitted of one learner. */
    static OutboxEntry submitted(String referralId, String learnerId, String referring, String receiving) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ReferralSubmitted data = new ReferralSubmitted(referralId, learnerId,
                "opp-" + UUID.randomUUID(), referring, receiving, Urgency.SOON, now);
        EventType type = EventType.REFERRAL_SUBMITTED;
        return new OutboxEntry(UUID.randomUUID().toString(), type.type(), type.topic().topicName(), referralId, now,
                type.dataschema().toString(), "/pathways/referral-service", JSON.writeValueAsString(data),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", now);
    }

    /** The learner-profile-service's news that {@code retired} was merged into {@code survivor}. */
    static OutboxEntry merged(String retired, String survivor) {
        return event("pathways.learners", "org.pathways.learner.merged.v1", retired, Map.of("learnerId", retired,
                "survivingLearnerId", survivor, "registeringAgencyId", "agency-council",
                "mergedAt", java.time.Instant.now().toString()));
    }

    /**
     * An event of any type on the referrals topic, with {@code data} as given: plays a referral event type this
     * service does not know (yet), or a known one.
     */
    static OutboxEntry event(String type, String referralId, Map<String, ?> data) {
        return event("pathways.referrals", type, referralId, data);
    }

    /** An event of any type on any topic, keyed by {@code subject}. */
    static OutboxEntry event(String topic, String type, String subject, Map<String, ?> data) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new OutboxEntry(UUID.randomUUID().toString(), type, topic, subject, now,
                "urn:pathways:schema:" + type, "/pathways/referral-service", JSON.writeValueAsString(data),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", now);
    }

    /** The record value as the relay puts it on the topic. */
    byte[] record(OutboxEntry event) {
        return codec.encode(event);
    }

    /** Publishes the record exactly as the relay builds it (the CloudEvents Kafka binding, structured mode). */
    void publish(OutboxEntry event) throws Exception {
        producer.send(records.record(event)).get();
    }

    /** Sends the record as {@link #publish} does, without waiting for the broker: for a backlog (then {@link #flush}). */
    void send(OutboxEntry event) {
        producer.send(records.record(event));
    }

    /** Waits until everything {@link #send} sent is on the topic. */
    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
