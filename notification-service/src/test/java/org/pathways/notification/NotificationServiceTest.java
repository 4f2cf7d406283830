package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.junit.jupiter.api.BeforeEach;
import org.pathways.notification.email.PreferenceWriteHooks;
import org.pathways.notification.subscription.LocalKeys;
import org.pathways.platform.security.Role;
import org.pathways.testing.HandledEvents;
import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.RunningServiceTest;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.StoreCommands;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The notification-service running for real: its HTTP API on a random port, the shared embedded Kafka broker and
 * MongoDB-wire store, a short retry schedule, and private addresses allowed so that it can call receivers on
 * loopback. Every service test extends this class, so they share one Spring context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=" + NotificationServiceApplication.NAME,
        "pathways.webhooks.allow-private-addresses=true",
        "pathways.webhooks.secret-keys=" + LocalKeys.LOCAL + "," + LocalKeys.PREVIOUS,
        "pathways.webhooks.retry-schedule=0ms,200ms,400ms,800ms",
        "pathways.webhooks.poll-interval=100ms",
        "pathways.webhooks.per-endpoint-concurrency=2",
        "pathways.webhooks.breaker.window=4",
        "pathways.webhooks.breaker.minimum-calls=4",
        "pathways.webhooks.breaker.open-for=1s",
        // The minute's full search would heal a lost wake-up (and land in a test's count of searches): none after
        // the first, so that every delivery here goes by what announced it.
        "pathways.webhooks.full-poll-interval=1h",
        "pathways.notifications.coordinator-agency=agency-coordinator",
        "pathways.notifications.web-base-url=https://pathways.example",
        "pathways.notifications.mail-poll-interval=100ms"})
@Import({MongoQueryLog.class, StoreCommands.class, PreferenceWriteHooks.class})
abstract class NotificationServiceTest extends RunningServiceTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String SUBMITTED = "org.pathways.referral.submitted.v1";

    /** A real SMTP server on loopback, one per test JVM like the broker. */
    static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());

    static {
        SMTP.start();
    }

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry, "notifications");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
    }

    @Autowired
    MongoTemplate mongo;
    @Autowired
    StoreCommands commands;

    private final HttpClient http = HttpClient.newHttpClient();

    /** Each test starts with no subscriptions; deliveries stay, as a log does (tests use their own event ids). */
    @BeforeEach
    void noSubscriptions() {
        mongo.remove(new Query(), "subscriptions");
        mongo.remove(new Query(), "agency_subscriptions");
        mongo.remove(new Query(), "subscriptions_removed");
    }

    static String worker(String user, String agency) {
        return TestTokens.token(user, agency, Role.WORKER);
    }

    static String system(String agency) {
        return TestTokens.token("system-" + agency, agency, Role.AGENCY_SYSTEM);
    }

    static String admin(String agency) {
        return TestTokens.token("admin-" + agency, agency, Role.AGENCY_ADMIN);
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws IOException,
            InterruptedException {
        return call(method, path, token, body, new String[0]);
    }

    /** {@link #call}, with more headers (name, value, name, value…). */
    HttpResponse<String> call(String method, String path, String token, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** Subscribes {@code agency} to {@code types} at {@code url}; returns the created subscription (with secret). */
    JsonNode subscribe(String agency, String url, String... types) throws Exception {
        HttpResponse<String> created = call("POST", "/api/subscriptions", admin(agency),
                JSON.writeValueAsString(Map.of("url", url, "eventTypes", List.of(types))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json(created);
    }

    /**
     * Whether the service finished handling the event (its inbox entry is done): from then on, what it routed is in
     * the store, so "nothing else was made" is checked there rather than by waiting.
     */
    boolean handled(String eventId) {
        return HandledEvents.handledByAny(mongo, eventId);
    }

    /** The agency's deliveries of one event, through the API. */
    List<JsonNode> deliveriesOf(String agency, String eventId) throws Exception {
        HttpResponse<String> list = call("GET", "/api/deliveries", admin(agency), null);
        assertThat(list.statusCode()).isEqualTo(200);
        return json(list).valueStream().filter(d -> d.get("eventId").asString().equals(eventId)).toList();
    }

    /** A mailbox of its own for one test: an address no other test writes to. */
    protected static String address(String name) {
        return name + "-" + java.util.UUID.randomUUID() + "@agency.example";
    }

    /** The first e-mail the real SMTP server received for {@code address}, waiting for it to arrive. */
    protected static jakarta.mail.internet.MimeMessage awaitMailTo(String address) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> mailTo(address), list -> !list.isEmpty()).getFirst();
    }

    /** Every e-mail the real SMTP server received for {@code address} so far. */
    protected static List<jakarta.mail.internet.MimeMessage> mailTo(String address) {
        return java.util.Arrays.stream(SMTP.getReceivedMessages()).filter(m -> {
            try {
                return java.util.Arrays.stream(m.getRecipients(jakarta.mail.Message.RecipientType.TO))
                        .anyMatch(r -> r.toString().equals(address));
            } catch (jakarta.mail.MessagingException e) {
                return false;
            }
        }).toList();
    }

    /** The reads of the deliveries made on the dispatcher's wake-up thread (its searches for due deliveries). */
    long searches() {
        return commands.byCommand("webhook-search"::equals).getOrDefault("find deliveries", 0L);
    }

    /**
     * The searches made so far, once the dispatcher has made none for longer than a circuit stays open: what earlier
     * tests left (a circuit's trial, announced when it opened) is searched for before a test counts its own.
     */
    long searchesOnceQuiet() {
        long[] seen = {searches(), System.nanoTime()};
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .pollInterval(java.time.Duration.ofMillis(100)).until(() -> {
                    long now = searches();
                    if (now != seen[0]) {
                        seen[0] = now;
                        seen[1] = System.nanoTime();
                    }
                    return System.nanoTime() - seen[1] > java.time.Duration.ofMillis(1_500).toNanos();
                });
        return seen[0];
    }
}
