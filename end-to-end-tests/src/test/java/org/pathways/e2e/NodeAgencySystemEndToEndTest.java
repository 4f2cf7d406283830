package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pathways.e2e.GatewayApi.api;
import static org.pathways.e2e.GatewayApi.created;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.pathways.events.catalogue.EventType;
import org.pathways.testing.NodeTool;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A receiving agency's own system written in another language: a Node program (under
 * {@code src/test/node/agency-system}) that verifies every webhook with the Standard Webhooks reference library for
 * JavaScript ({@code standardwebhooks} on npm) and answers a referral handed off to its agency through the gateway's
 * public API, as an agency's developer would from our docs alone. The shared platform delivers to it for real.
 */
class NodeAgencySystemEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path AGENCY_SYSTEM = Path.of("src/test/node/agency-system");
    private static final Duration EVENTS = Duration.ofSeconds(30);

    // Agencies of this run only: no other test's referral reaches this system.
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String COLLEGE = "agency-node-college-" + RUN;
    private static final String COUNCIL = "agency-node-council-" + RUN;

    @Test
    void aNodeAgencySystemVerifiesTheSignedHandoffWithTheStandardLibraryAndAcceptsTheReferral() throws Exception {
        NodeTool.installedAt(AGENCY_SYSTEM);
        String college = TestTokens.worker(COLLEGE);
        String council = TestTokens.worker(COUNCIL);

        try (AgencySystem system = AgencySystem.start(COLLEGE, college)) {
            // The college subscribes its system to referral handoffs, and gives the system the secret.
            JsonNode subscription = created(api().post("/api/subscriptions", college, """
                    {"url":"%s","eventTypes":["%s"]}
                    """.formatted(system.url(), EventType.REFERRAL_SUBMITTED.type())));
            system.configure(subscription.get("secret").asString());

            // The council registers a learner, with consent to share a referral with the college, the college
            // publishes a course, and the council's worker refers the learner to it.
            String referralId = ReadyReferral.from(COUNCIL, COLLEGE)
                    .learner("""
                            {"givenName":"Rhiannon","familyName":"Node-%s","dateOfBirth":"1996-11-05",
                             "localityCode":"CF10","preferredLanguage":"cy"}
                            """.formatted(RUN))
                    .course("""
                            {"title":"Level 2 bookkeeping","description":"Twelve weeks, evenings",
                             "kind":"FORMAL_LEARNING","level":"L2","capacity":12}
                            """)
                    .refer("Wants to keep the books for a family shop").referralId();

            // The college's Node system verified the handoff with the standard library...
            JsonNode verified = system.awaitReport("verified", referralId);
            assertThat(verified.get("library").asString()).isEqualTo("standardwebhooks");
            assertThat(verified.get("type").asString()).isEqualTo(EventType.REFERRAL_SUBMITTED.type());
            assertThat(verified.get("specversion").asString()).isEqualTo("1.0");
            assertThat(verified.get("id").asString()).isEqualTo(verified.get("webhookId").asString());
            assertThat(verified.get("contentType").asString()).isEqualTo("application/cloudevents+json");
            // ...and answered it through the gateway: acknowledged, then accepted.
            JsonNode answered = system.awaitReport("answered", referralId);
            assertThat(answered.get("steps").toString())
                    .isEqualTo("[{\"action\":\"RECEIVE\",\"status\":\"RECEIVED\"},"
                            + "{\"action\":\"ACCEPT\",\"status\":\"ACCEPTED\"}]");

            // The council's worker sees the referral accepted, by the college.
            JsonNode referral = created(api().get("/api/referrals/" + referralId, council));
            assertThat(referral.get("status").asString()).isEqualTo("ACCEPTED");
            assertThat(referral.get("history").valueStream()
                    .map(change -> change.get("action").asString() + " by " + change.get("byAgency").asString())
                    .toList()).containsSubsequence("RECEIVE by " + COLLEGE, "ACCEPT by " + COLLEGE);

            // Verification is real: the delivery sent again as it came is taken (a duplicate, not acted on twice)...
            HttpResponse<String> resent = system.post(verified, verified.get("body").asString());
            assertThat(resent.statusCode()).isEqualTo(200);
            system.awaitReport("duplicate", null);
            // ...while a copy altered to name another referral, its signature headers untouched, is refused.
            String tampered = verified.get("body").asString().replace(referralId, "ref-" + UUID.randomUUID());
            assertThat(tampered).isNotEqualTo(verified.get("body").asString());
            assertThat(system.post(verified, tampered).statusCode()).isEqualTo(401);
            JsonNode rejected = system.awaitReport("rejected", null);
            assertThat(rejected.get("webhookId").asString()).isEqualTo(verified.get("webhookId").asString());
            assertThat(system.lines("answered")).as("the system answered the referral once").hasSize(1);
            assertThat(system.lines("failed")).as(system.toString()).isEmpty();
        }
    }

    /** The Node agency system, running: what it reported on stdout so far, line by line. */
    private static final class AgencySystem implements AutoCloseable {

        private final Process process;
        private final Writer settings;
        private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
        private final StringBuffer errors = new StringBuffer();

        private AgencySystem(Process process) {
            this.process = process;
            this.settings = process.outputWriter(StandardCharsets.UTF_8);
            Thread.ofVirtual().start(() -> read(process.inputReader(StandardCharsets.UTF_8), true));
            Thread.ofVirtual().start(() -> read(process.errorReader(StandardCharsets.UTF_8), false));
        }

        static AgencySystem start(String agencyId, String token) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("node", "agency-system.js").directory(AGENCY_SYSTEM.toFile());
            builder.environment().putAll(Map.of("PATHWAYS_API", GatewayApi.url(), "AGENCY_ID", agencyId,
                    "AGENCY_TOKEN", token));
            AgencySystem system = new AgencySystem(builder.start());
            await().atMost(Duration.ofSeconds(30)).until(() -> system.reported("listening", null).isPresent()
                    || !system.process.isAlive());
            assertThat(system.process.isAlive()).as(system.toString()).isTrue();
            return system;
        }

        private void read(BufferedReader reader, boolean json) {
            try (reader) {
                for (String line; (line = reader.readLine()) != null; ) {
                    if (json) {
                        lines.add(JSON.readTree(line));
                    } else {
                        errors.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                errors.append(e).append('\n');
            }
        }

        String url() {
            return reported("listening", null).orElseThrow().get("url").asString();
        }

        /** Gives the system the subscription's secret, as its admin would. */
        void configure(String secret) throws IOException {
            settings.write(secret + "\n");
            settings.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> reported("configured", null).isPresent());
        }

        List<JsonNode> lines(String kind) {
            return lines.stream().filter(line -> kind.equals(line.get("kind").asString())).toList();
        }

        /** The first line of this kind (about this referral, if given). */
        Optional<JsonNode> reported(String kind, String referralId) {
            return lines(kind).stream().filter(line -> referralId == null
                    || referralId.equals(line.path("subject").asString(null))
                    || referralId.equals(line.path("referralId").asString(null))).findFirst();
        }

        /** Waits for the first line of this kind (about this referral, if given); failing, says all it reported. */
        JsonNode awaitReport(String kind, String referralId) {
            await().atMost(EVENTS).untilAsserted(() -> assertThat(reported(kind, referralId))
                    .as("%s about %s; %s", kind, referralId, this).isPresent());
            return reported(kind, referralId).orElseThrow();
        }

        /** Posts {@code body} to the system with the signature headers of a delivery it verified. */
        HttpResponse<String> post(JsonNode delivery, String body) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url()))
                    .header("Content-Type", "application/cloudevents+json")
                    .header("webhook-id", delivery.get("webhookId").asString())
                    .header("webhook-timestamp", delivery.get("timestamp").asString())
                    .header("webhook-signature", delivery.get("signature").asString())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() throws Exception {
            settings.close();   // the system stops when its stdin closes
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        @Override
        public String toString() {
            return "--- the agency system reported\n" + lines.stream().map(JsonNode::toString)
                    .collect(Collectors.joining("\n")) + "\n--- stderr\n" + errors;
        }
    }
}
