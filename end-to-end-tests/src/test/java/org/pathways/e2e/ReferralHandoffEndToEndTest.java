package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pathways.e2e.GatewayApi.api;
import static org.pathways.e2e.GatewayApi.created;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.standardwebhooks.Webhook;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventSchemas;
import org.pathways.events.catalogue.EventType;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.pathways.testing.WebhookReceiver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The foundation flow, through the gateway: an agency registers a webhook, a worker registers a learner with
 * consent, the college publishes a course, the council refers the learner; the college's system receives one
 * signed CloudEvent. Every service runs for real on one Kafka broker and one MongoDB-wire store.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class ReferralHandoffEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String COLLEGE = "agency-college";
    private static final String COUNCIL = "agency-council";
    private static final String JOBCENTRE = "agency-jobcentre";

    // Personal data that must never leave the learner-profile-service in an event or a webhook.
    private static final String GIVEN_NAME = "Amina";
    private static final String FAMILY_NAME = "Okafor-Whitfield";
    private static final String EMAIL = "amina.okafor.w@example.org";
    private static final String PHONE = "+447700900123";
    private static final String BIRTH_DATE = "1991-03-14";
    private static final String NEED = "Needs ESOL Entry 2 before starting the childcare course";

    private static WebhookReceiver receiver;
    private static final Map<Topic, TopicRecorder> topics = new HashMap<>();

    @BeforeAll
    static void startPlatform() throws Exception {
        receiver = new WebhookReceiver();
        for (Topic topic : Topic.values()) {
            topics.put(topic, new TopicRecorder(topic.topicName()));
        }
        RunningPlatform.get();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
        topics.values().forEach(TopicRecorder::close);
    }

    @Test
    void aReferralReachesTheReceivingAgencysSystemAsOneSignedCloudEvent(
            org.springframework.boot.test.system.CapturedOutput logs) throws Exception {
        String college = TestTokens.worker(COLLEGE);

        // The college's system subscribes to referral handoffs; the job centre subscribes too, and must hear nothing.
        String secret = created(api().post("/api/subscriptions", college, """
                {"url":"%s","eventTypes":["org.pathways.referral.submitted.v1"]}
                """.formatted(receiver.url("/college")))).get("secret").asString();
        created(api().post("/api/subscriptions", TestTokens.worker(JOBCENTRE), """
                {"url":"%s","eventTypes":["org.pathways.referral.submitted.v1"]}
                """.formatted(receiver.url("/jobcentre"))));

        // The council registers the learner and records consent to share a referral with the college, the college
        // publishes a course, and the council refers the learner to it.
        String referralId = ReadyReferral.from(COUNCIL, COLLEGE)
                .learner("""
                        {"givenName":"%s","familyName":"%s","dateOfBirth":"%s","email":"%s","phone":"%s",
                         "localityCode":"LS6","preferredLanguage":"en"}
                        """.formatted(GIVEN_NAME, FAMILY_NAME, BIRTH_DATE, EMAIL, PHONE))
                .course("""
                        {"title":"Entry 2 English for speakers of other languages","description":"Ten weeks, mornings",
                         "kind":"FORMAL_LEARNING","level":"E2","capacity":16}
                        """)
                .refer(NEED).referralId();

        // The college's system receives exactly one webhook about it (a late event of another test's referral to the
        // college may come to this subscription too)...
        java.util.function.Supplier<List<WebhookReceiver.Received>> aboutIt = () -> receiver.at("/college").stream()
                .filter(received -> received.body().contains(referralId)).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> aboutIt.get().size() >= 1);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> aboutIt.get().size() == 1);
        WebhookReceiver.Received webhook = aboutIt.get().getFirst();

        // ...signed as Standard Webhooks says: the library verifies it...
        Map<String, List<String>> headers = Map.of(
                "webhook-id", List.of(webhook.header("webhook-id")),
                "webhook-timestamp", List.of(webhook.header("webhook-timestamp")),
                "webhook-signature", List.of(webhook.header("webhook-signature")));
        new Webhook(secret).verify(webhook.body(), headers);
        // ...and so does an independent HMAC-SHA256 over "id.timestamp.body", as the README tells agencies.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(
                (webhook.header("webhook-id") + "." + webhook.header("webhook-timestamp") + "." + webhook.body())
                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(webhook.header("webhook-signature").split(" ")).contains(expected);

        // The body is a valid CloudEvent of the right type about this referral, conforming to its schema.
        CloudEvent event = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE)
                .deserialize(webhook.body().getBytes(StandardCharsets.UTF_8));
        assertThat(event.getType()).isEqualTo(EventType.REFERRAL_SUBMITTED.type());
        assertThat(event.getSubject()).isEqualTo(referralId);
        assertThat(event.getId()).isEqualTo(webhook.header("webhook-id"));
        JsonNode data = JSON.readTree(event.getData().toBytes());
        assertThat(new EventSchemas().violations(EventType.REFERRAL_SUBMITTED, data)).isEmpty();
        assertThat(data.get("receivingAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(webhook.body()).doesNotContain(GIVEN_NAME, FAMILY_NAME, EMAIL, PHONE, BIRTH_DATE, NEED);

        // An agency not party to the referral hears nothing of it.
        assertThat(receiver.at("/jobcentre")).isEmpty();

        // Every event the services published on the way validates against its schema and carries no personal data.
        EventSchemas schemas = new EventSchemas();
        int seen = 0;
        for (TopicRecorder recorder : topics.values()) {
            for (ConsumerRecord<String, byte[]> record : recorder.settle(r -> true, Duration.ofMillis(500))) {
                String text = new String(record.value(), StandardCharsets.UTF_8);
                assertThat(text).doesNotContain(GIVEN_NAME, FAMILY_NAME, EMAIL, PHONE, BIRTH_DATE, NEED);
                JsonNode cloudEvent = JSON.readTree(text);
                EventType type = EventType.ofType(cloudEvent.get("type").asString()).orElseThrow();
                assertThat(schemas.violations(type, cloudEvent.get("data"))).as(text).isEmpty();
                assertThat(record.key()).isEqualTo(cloudEvent.get("subject").asString());
                seen++;
            }
        }
        assertThat(seen).as("learner, consent, opportunity, referral and delivery events").isGreaterThanOrEqualTo(5);

        // Nor did any service write the learner's personal data to its log along the way.
        assertThat(logs.getAll()).isNotBlank()
                .doesNotContain(GIVEN_NAME, FAMILY_NAME, EMAIL, PHONE, BIRTH_DATE, NEED);
    }
}
