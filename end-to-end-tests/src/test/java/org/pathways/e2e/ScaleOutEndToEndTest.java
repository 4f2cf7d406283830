package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceApplication;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.learner.LearnerProfileServiceApplication;
import org.pathways.notification.NotificationServiceApplication;
import org.pathways.progression.ProgressionServiceApplication;
import org.pathways.referral.ReferralServiceApplication;
import org.pathways.testing.WebhookReceiver;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two instances of every back-end service (the platform's own and a second one started here, on the same databases,
 * broker and consumer groups) behind a gateway that balances over both: referrals submitted through it take effect
 * exactly once each (one referral, one {@code submitted} event, one webhook), however the requests and the events'
 * partitions fall between the instances; and with one instance of each service stopped, requests still succeed and
 * events are still consumed.
 */
class ScaleOutEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String COLLEGE = "agency-college";
    private static final String COUNCIL = "agency-council";
    private static final int REFERRALS = 20;

    private static RunningPlatform platform;
    private static WebhookReceiver receiver;
    private static TopicRecorder referralEvents;
    /** The second instance of each service, by its platform name, and the gateway over both instances. */
    private static final Map<String, ConfigurableApplicationContext> secondInstances = new LinkedHashMap<>();
    private static ConfigurableApplicationContext scaledGateway;
    private static int gatewayPort;

    @BeforeAll
    static void startSecondInstances() throws Exception {
        platform = RunningPlatform.get();
        receiver = new WebhookReceiver();
        referralEvents = new TopicRecorder(Topic.REFERRALS.topicName());
        second("learner-profile-service", LearnerProfileServiceApplication::run, "learner-profiles");
        second("opportunity-catalogue-service", OpportunityCatalogueServiceApplication::run, "opportunity-catalogue");
        second("referral-service", ReferralServiceApplication::run, "referrals");
        second("notification-service", NotificationServiceApplication::run, "notifications");
        second("progression-service", ProgressionServiceApplication::run, "progression");
        scaledGateway = RunningPlatform.startGateway(Map.of(
                "pathways.gateway.routes.learners", instances("learner-profile-service"),
                "pathways.gateway.routes.opportunities", instances("opportunity-catalogue-service"),
                "pathways.gateway.routes.referrals", instances("referral-service"),
                "pathways.gateway.routes.notifications", instances("notification-service"),
                "pathways.gateway.routes.progression", instances("progression-service")));
        gatewayPort = RunningPlatform.portOf(scaledGateway);
    }

    private static void second(String service, Function<String[], ConfigurableApplicationContext> application,
            String database) {
        secondInstances.put(service, RunningPlatform.startInstance(application, database));
    }

    /** Both instances' URLs, the platform's first: as {@code REFERRAL_SERVICE_URL=http://...:8083,http://...:8183}. */
    private static String instances(String service) {
        return "http://localhost:" + platform.servicePorts.get(service) + ",http://localhost:"
                + RunningPlatform.portOf(secondInstances.get(service));
    }

    @AfterAll
    static void stopSecondInstances() {
        if (scaledGateway != null) {
            scaledGateway.close();
        }
        secondInstances.values().forEach(ConfigurableApplicationContext::close);
        receiver.close();
        referralEvents.close();
    }

    @Test
    void twoInstancesOfEachServiceActOnceOnEveryReferralAndCarryOnWhenOneOfEachStops() throws Exception {
        String college = TestTokens.worker(COLLEGE);
        String council = TestTokens.worker(COUNCIL);
        String path = "/scaled-" + UUID.randomUUID();
        created(call("POST", "/api/subscriptions", college, null, """
                {"url":"%s","eventTypes":["org.pathways.referral.submitted.v1"]}
                """.formatted(receiver.url(path))));
        String learnerId = created(call("POST", "/api/learners", council, null, """
                {"givenName":"Scaled","familyName":"Learner","dateOfBirth":"1990-01-01","localityCode":"LS6",
                 "preferredLanguage":"en"}
                """)).get("id").asString();
        created(call("POST", "/api/learners/" + learnerId + "/consents", council, null, """
                {"agencyId":"%s","purpose":"REFERRAL_SHARING","method":"VERBAL"}
                """.formatted(COLLEGE)));
        // One course per referral (a learner has one open referral per course), and one more for after the stop.
        List<String> courses = new ArrayList<>();
        for (int i = 0; i <= REFERRALS; i++) {
            String id = created(call("POST", "/api/opportunities", college, null, """
                    {"title":"Scaled course %d","description":"Mornings","kind":"FORMAL_LEARNING","level":"E2",
                     "capacity":16}
                    """.formatted(i))).get("id").asString();
            created(call("POST", "/api/opportunities/" + id + "/publish", college, null, null));
            courses.add(id);
        }

        // Each referral is submitted with its Idempotency-Key, then retried twice at once (a client that lost the
        // answer): the requests fall on both instances of the referral-service, and each answers the same referral.
        List<String> referralIds = new ArrayList<>();
        for (int i = 0; i < REFERRALS; i++) {
            String body = referral(learnerId, courses.get(i));
            String key = "scaled-" + UUID.randomUUID();
            // The referral-service learns of the consent and the course from events: until then it answers 404 or
            // 422 (and keeps nothing of the key).
            HttpResponse<String> submitted = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> call("POST", "/api/referrals", council, key, body),
                            r -> r.statusCode() != 422 && r.statusCode() != 404);
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            String id = created(submitted).get("id").asString();
            CompletableFuture<HttpResponse<String>> retry = callAsync("POST", "/api/referrals", council, key, body);
            CompletableFuture<HttpResponse<String>> again = callAsync("POST", "/api/referrals", council, key, body);
            for (HttpResponse<String> replayed : List.of(retry.get(), again.get())) {
                assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
                assertThat(replayed.headers().firstValue("Idempotent-Replayed")).hasValue("true");
                assertThat(created(replayed).get("id").asString()).isEqualTo(id);
            }
            referralIds.add(id);
        }
        assertThat(new HashSet<>(referralIds)).hasSize(REFERRALS);
        assertThat(servedSubmissions(secondInstances.get("referral-service")))
                .as("the second referral-service instance took its share of the submissions").isPositive();

        // Exactly one submitted event per referral on Kafka, and exactly one webhook each: no duplicate, none missed.
        assertThat(submittedEvents(referralIds, REFERRALS)).hasSize(REFERRALS);
        await().atMost(Duration.ofSeconds(60)).until(() -> webhookSubjects(path).size() >= REFERRALS);
        List<ConsumerRecord<String, byte[]>> settled = referralEvents.settle(submittedOf(referralIds),
                Duration.ofSeconds(3));
        assertThat(settled).extracting(ConsumerRecord::key).hasSize(REFERRALS)
                .containsExactlyInAnyOrderElementsOf(referralIds);
        assertThat(webhookSubjects(path)).containsExactlyInAnyOrderElementsOf(referralIds);

        // One instance of each service stops.
        secondInstances.values().forEach(ConfigurableApplicationContext::close);

        // Requests keep succeeding through the gateway: half of them would have gone to the stopped instances.
        for (String id : referralIds.subList(0, 6)) {
            assertThat(call("GET", "/api/referrals/" + id, council, null, null).statusCode()).isEqualTo(200);
            assertThat(call("GET", "/api/learners/" + learnerId, council, null, null).statusCode()).isEqualTo(200);
            assertThat(call("GET", "/api/opportunities/" + courses.get(0), college, null, null).statusCode())
                    .isEqualTo(200);
            assertThat(call("GET", "/api/subscriptions", college, null, null).statusCode()).isEqualTo(200);
        }
        // ...and events keep being consumed: a new referral reaches the college's system, once.
        String afterStop = created(call("POST", "/api/referrals", council, "scaled-" + UUID.randomUUID(),
                referral(learnerId, courses.get(REFERRALS)))).get("id").asString();
        assertThat(submittedEvents(List.of(afterStop), 1)).hasSize(1);
        await().atMost(Duration.ofSeconds(90)).until(() -> webhookSubjects(path).contains(afterStop));
        assertThat(referralEvents.settle(submittedOf(List.of(afterStop)), Duration.ofSeconds(3))).hasSize(1);
        assertThat(webhookSubjects(path)).hasSize(REFERRALS + 1).doesNotHaveDuplicates();
    }

    private static String referral(String learnerId, String opportunityId) {
        return """
                {"learnerId":"%s","opportunityId":"%s","need":"A place on the course","urgency":"SOON"}
                """.formatted(learnerId, opportunityId);
    }

    private List<ConsumerRecord<String, byte[]>> submittedEvents(List<String> referralIds, int count) {
        return referralEvents.await(submittedOf(referralIds), count, Duration.ofSeconds(90));
    }

    private static java.util.function.Predicate<ConsumerRecord<String, byte[]>> submittedOf(List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        return record -> wanted.contains(record.key()) && JSON.readTree(new String(record.value(),
                StandardCharsets.UTF_8)).get("type").asString().equals(EventType.REFERRAL_SUBMITTED.type());
    }

    /** The referral each webhook received at {@code path} is about (its CloudEvent subject), one entry a webhook. */
    private List<String> webhookSubjects(String path) {
        return receiver.at(path).stream().map(webhook -> JSON.readTree(webhook.body()).get("subject").asString())
                .toList();
    }

    /** How many referral submissions this instance answered (its own HTTP server metrics). */
    private static long servedSubmissions(ConfigurableApplicationContext instance) {
        return instance.getBean(MeterRegistry.class).find("http.server.requests").tag("method", "POST")
                .tag("uri", "/api/referrals").timers().stream().mapToLong(Timer::count).sum();
    }

    private HttpRequest request(String method, String path, String token, String idempotencyKey, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + gatewayPort + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.build();
    }

    private HttpResponse<String> call(String method, String path, String token, String idempotencyKey, String body)
            throws Exception {
        return HTTP.send(request(method, path, token, idempotencyKey, body), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> callAsync(String method, String path, String token,
            String idempotencyKey, String body) {
        return HTTP.sendAsync(request(method, path, token, idempotencyKey, body), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return JSON.readTree(response.body());
    }
}
