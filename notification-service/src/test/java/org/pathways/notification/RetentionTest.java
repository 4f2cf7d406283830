package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.notification.retention.RetentionPurge;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * What the service keeps about events goes after its retention (90 days by default): finished webhook deliveries
 * with their bodies, in-app notifications, finished e-mails and their sent-markers, the records of removed
 * subscriptions; recent ones, and ones still on their way, stay.
 */
class RetentionTest extends NotificationServiceTest {

    private static final String AGENCY = "agency-retention";

    @Autowired
    RetentionPurge retention;

    private static Date daysAgo(int days) {
        return Date.from(Instant.now().minus(Duration.ofDays(days)));
    }

    private void delivery(String id, String status, Date createdAt, List<Document> outbox) {
        mongo.getCollection("deliveries").insertOne(new Document("_id", id).append("eventId", "evt-" + id)
                .append("eventType", SUBMITTED).append("agencyId", AGENCY).append("subscriptionId", "sub-" + id)
                .append("body", "{\"id\":\"evt-" + id + "\",\"data\":{\"learnerId\":\"lrn-1\"}}")
                .append("status", status).append("round", 1).append("createdAt", createdAt)
                .append("attempts", List.of()).append("outbox", outbox));
    }

    private void notification(String id, Date createdAt) {
        mongo.getCollection("notifications").insertOne(new Document("_id", id).append("agencyId", AGENCY)
                .append("kind", "REFERRAL_ARRIVED").append("eventId", "evt-" + id).append("referralId", "ref-" + id)
                .append("link", "https://pathways.example/referrals/ref-" + id).append("createdAt", createdAt)
                .append("readBy", List.of()));
    }

    private void email(String id, String status, Date occurredAt) {
        mongo.getCollection("emails").insertOne(new Document("_id", id).append("agencyId", AGENCY)
                .append("kind", "REFERRAL_ARRIVED").append("eventId", "evt-" + id).append("referralId", "ref-" + id)
                .append("recipientUserId", "agency").append("occurredAt", occurredAt).append("status", status)
                .append("attempts", 1));
    }

    private boolean exists(String collection, String id) {
        return mongo.getCollection(collection).countDocuments(Filters.eq("_id", id)) > 0;
    }

    @Test
    void purgesWhatIsPastItsRetentionAndKeepsWhatIsRecentOrStillOnItsWay() throws Exception {
        delivery("dlv-old-delivered", "DELIVERED", daysAgo(91), List.of());
        delivery("dlv-old-parked", "PARKED", daysAgo(120), List.of());
        delivery("dlv-old-cancelled", "CANCELLED", daysAgo(200), List.of());
        delivery("dlv-recent", "DELIVERED", daysAgo(89), List.of());
        delivery("dlv-old-pending", "PENDING", daysAgo(120), List.of());
        delivery("dlv-old-unrelayed", "PARKED", daysAgo(120),
                List.of(new Document("eventId", "evt-parked-event").append("recordedAt", new Date())));
        notification("ntf-old", daysAgo(91));
        notification("ntf-recent", daysAgo(10));
        email("eml-old-sent", "SENT", daysAgo(91));
        email("eml-old-skipped", "SKIPPED", daysAgo(95));
        email("eml-recent", "SENT", daysAgo(5));
        email("eml-old-pending", "PENDING", daysAgo(91));
        mongo.getCollection("emails_sent").insertOne(new Document("_id", "marker-old").append("sentAt", daysAgo(31)));
        mongo.getCollection("emails_sent").insertOne(new Document("_id", "marker-recent").append("sentAt", daysAgo(1)));
        mongo.getCollection("subscriptions_removed").insertOne(new Document("_id", "sub-removed-old")
                .append("agencyId", AGENCY).append("removedAt", daysAgo(91)));
        mongo.getCollection("subscriptions_removed").insertOne(new Document("_id", "sub-removed-recent")
                .append("agencyId", AGENCY).append("removedAt", daysAgo(3)));

        // 3 deliveries, 1 notification, 2 e-mails, 1 marker, 1 removed subscription's record
        assertThat(retention.purgeExpired()).isGreaterThanOrEqualTo(8);

        assertThat(exists("deliveries", "dlv-old-delivered")).isFalse();
        assertThat(exists("deliveries", "dlv-old-parked")).isFalse();
        assertThat(exists("deliveries", "dlv-old-cancelled")).isFalse();
        assertThat(exists("deliveries", "dlv-recent")).isTrue();
        assertThat(exists("deliveries", "dlv-old-pending")).as("still on its way").isTrue();
        assertThat(exists("deliveries", "dlv-old-unrelayed")).as("its parked event not yet published").isTrue();
        assertThat(exists("notifications", "ntf-old")).isFalse();
        assertThat(exists("notifications", "ntf-recent")).isTrue();
        assertThat(exists("emails", "eml-old-sent")).isFalse();
        assertThat(exists("emails", "eml-old-skipped")).isFalse();
        assertThat(exists("emails", "eml-recent")).isTrue();
        assertThat(exists("emails", "eml-old-pending")).as("not sent yet").isTrue();
        assertThat(exists("emails_sent", "marker-old")).isFalse();
        assertThat(exists("emails_sent", "marker-recent")).isTrue();
        assertThat(exists("subscriptions_removed", "sub-removed-old")).isFalse();
        assertThat(exists("subscriptions_removed", "sub-removed-recent")).as("its key still answers 410").isTrue();

        // What the agency sees: the recent ones only.
        JsonNode deliveries = json(call("GET", "/api/deliveries", admin(AGENCY), null));
        assertThat(deliveries.valueStream().map(d -> d.get("id").asString()).toList())
                .contains("dlv-recent").doesNotContain("dlv-old-delivered", "dlv-old-parked", "dlv-old-cancelled");
        JsonNode inbox = json(call("GET", "/api/notifications", worker("worker-r", AGENCY), null));
        assertThat(inbox.get("notifications").valueStream().map(n -> n.get("id").asString()).toList())
                .containsExactly("ntf-recent");

        // Not left for the running service's outbox sweeper and dispatcher to trip over.
        mongo.getCollection("deliveries").deleteMany(Filters.in("_id", "dlv-old-unrelayed", "dlv-old-pending"));
    }
}
