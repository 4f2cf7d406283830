package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.client.model.Filters;
import com.standardwebhooks.Webhook;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.notification.subscription.LocalKeys;
import org.pathways.notification.subscription.SecretKeyRing;
import org.pathways.notification.subscription.SecretResealing;
import org.pathways.notification.subscription.Subscription;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.WebhookReceiver;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Webhook secrets are stored encrypted under the configured key, and a key rotation (a new current key, the old one
 * kept as previous) loses no subscription: its deliveries still verify with the secret the agency was given.
 */
class SecretsAtRestTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    SecretResealing resealing;
    @Autowired
    org.pathways.notification.subscription.Subscriptions subscriptions;

    private Document stored(String id) {
        return mongo.getCollection("subscriptions").find(Filters.eq("_id", id)).first();
    }

    /** The part of a {@code whsec_} secret that is the key itself. */
    private static String keyPart(String secret) {
        return secret.substring("whsec_".length());
    }

    @Test
    void theStoredSubscriptionHoldsNoSecretInPlainTextNotEvenAfterARotation() throws Exception {
        JsonNode created = subscribe("agency-college", "http://127.0.0.1:9/hooks", SUBMITTED);
        String id = created.get("id").asString();
        String secret = created.get("secret").asString();

        Document document = stored(id);
        assertThat(document.toJson()).doesNotContain(keyPart(secret)).doesNotContain("whsec_");
        assertThat(document.get("secret", Document.class).getString("keyId")).isEqualTo("local-only");

        String rotated = json(call("POST", "/api/subscriptions/" + id + "/secret:rotate", admin("agency-college"),
                null)).get("secret").asString();
        Document afterRotation = stored(id);
        assertThat(afterRotation.toJson()).doesNotContain(keyPart(secret)).doesNotContain(keyPart(rotated))
                .doesNotContain("whsec_");
        assertThat(afterRotation.get("previousSecret", Document.class).getString("keyId")).isEqualTo("local-only");
    }

    @Test
    void afterAKeyRotationTheSecretsSealedUnderThePreviousKeyStillSignAndAreMovedToTheCurrentKey() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            // Registered while "previous-test" was the current key; the service now has "local-only" first.
            Subscription old = Subscription.register("agency-college", college.url(), List.of(SUBMITTED),
                    Instant.now(), SecretKeyRing.of(List.of(LocalKeys.PREVIOUS)));
            mongo.insert(old);
            // Kept before this version: listed under its agency as at start.
            subscriptions.listByAgency();
            String secret = old.issuedSecret();

            events.publish(ReferralEvents.submitted("agency-council", "agency-college"));
            await().atMost(PATIENCE).until(() -> college.count() == 1);
            WebhookReceiver.Received before = college.received().getFirst();
            new Webhook(secret).verify(before.body(), before.headers());

            assertThat(resealing.resealAll()).isEqualTo(1);
            Document moved = stored(old.id());
            assertThat(moved.get("secret", Document.class).getString("keyId")).isEqualTo("local-only");
            assertThat(moved.toJson()).doesNotContain(keyPart(secret));
            assertThat(resealing.resealAll()).as("nothing left to move").isZero();

            // Once moved, the old key can go: a ring of the current key alone opens it.
            Subscription reread = mongo.findById(old.id(), Subscription.class);
            assertThat(reread.signingSecrets(Instant.now(), LocalKeys.ring())).containsExactly(secret);
            events.publish(ReferralEvents.submitted("agency-council", "agency-college"));
            await().atMost(PATIENCE).until(() -> college.count() == 2);
            WebhookReceiver.Received after = college.received().get(1);
            new Webhook(secret).verify(after.body(), after.headers());
        }
    }

    @Test
    void aSecretStoredInPlainTextBeforeEncryptionIsSealedAndStillSigns() throws Exception {
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]).replace('A', 'q');
            mongo.getCollection("subscriptions").insertOne(new Document("_id", "sub-legacy-plain")
                    .append("agencyId", "agency-college").append("url", college.url())
                    .append("eventTypes", List.of(SUBMITTED)).append("status", "ACTIVE")
                    .append("secret", secret).append("createdAt", java.util.Date.from(Instant.now())));
            // Kept before this version: listed under its agency as at start.
            subscriptions.listByAgency();

            assertThat(resealing.resealAll()).isEqualTo(1);
            assertThat(stored("sub-legacy-plain").toJson()).doesNotContain(keyPart(secret));

            events.publish(ReferralEvents.submitted("agency-council", "agency-college"));
            await().atMost(PATIENCE).until(() -> college.count() == 1);
            WebhookReceiver.Received received = college.received().getFirst();
            new Webhook(secret).verify(received.body(), received.headers());
        }
    }

    @Test
    void theServiceRefusesToStartWithoutAKeyForTheSecrets() {
        Map<String, String> properties = new HashMap<>(SharedInfrastructure.serviceProperties("notifications-nokey"));
        properties.put("server.port", "0");
        properties.put("pathways.webhooks.secret-keys", "");
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);

        assertThatThrownBy(() -> NotificationServiceApplication.run(args).close())
                .rootCause().hasMessageContaining("No key to encrypt webhook secrets");
    }
}
