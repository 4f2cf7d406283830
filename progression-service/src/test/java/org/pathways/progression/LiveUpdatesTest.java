package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/** Dashboards hear of changes over Server-Sent Events, read here by a real HTTP client with deadlines. */
class LiveUpdatesTest extends ProgressionServiceTest {

    private static final String COORDINATOR = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);

    /** One open stream: its status and every line received so far; {@code ended} completes when the server ends it. */
    private record Stream(int status, String contentType, List<String> lines, CompletableFuture<Void> ended) {

        /** The data of every {@code changed} event so far. */
        List<JsonNode> changes() {
            List<JsonNode> changes = new java.util.ArrayList<>();
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).equals("event:changed") && lines.get(i + 1).startsWith("data:")) {
                    changes.add(HttpApi.JSON.readTree(lines.get(i + 1).substring("data:".length())));
                }
            }
            return changes;
        }

        /** The changes named for a projection, as shown: a number, or "<5". */
        List<String> counts(String projection) {
            return changes().stream().filter(c -> c.has(projection)).map(c -> c.get(projection).asString()).toList();
        }
    }

    private Stream open(String token) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient()
                .sendAsync(api().request("/api/progression/live", token).header("Accept", "text/event-stream")
                        .GET().build(), HttpResponse.BodyHandlers.ofLines())
                .get(20, TimeUnit.SECONDS);
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
            try (java.util.stream.Stream<String> body = response.body()) {
                body.forEach(lines::add);
            }
        });
        return new Stream(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), lines,
                ended);
    }

    private ReferralSubmitted referral(String from, String to) {
        return new ReferralSubmitted(unique("ref"), unique("lrn"), unique("opp"), from, to, Urgency.ROUTINE,
                Instant.now());
    }

    @Test
    void tellsACoordinatorWhatChangedWithCountsOnlyBeatsWhileIdleAndEndsTheStreamInTime() throws Exception {
        Instant opened = Instant.now();
        Stream stream = open(COORDINATOR);
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        ReferralSubmitted referral = referral(unique("council"), unique("college"));
        try (EventProducer producer = new EventProducer()) {
            producer.publish(referral);
        }

        await().atMost(Duration.ofSeconds(8)).until(() -> !stream.counts("funnel").isEmpty()
                && !stream.counts("flows").isEmpty());
        // Other tests' events may share the stream; whatever the count, one to four is never shown exactly.
        assertThat(stream.counts("funnel")).noneMatch(count -> List.of("1", "2", "3", "4").contains(count));
        await().atMost(Duration.ofSeconds(5)).until(() -> stream.lines().contains(":heartbeat"));
        assertThat(String.join("\n", stream.lines())).doesNotContain(referral.referralId())
                .doesNotContain(referral.learnerId()).doesNotContain(referral.receivingAgencyId());

        // The stream's lifetime is bounded (20 s here, long enough for the other tests' work on a slow machine): the
        // server ends it and the client reconnects.
        stream.ended().get(40, TimeUnit.SECONDS);
        assertThat(Duration.between(opened, Instant.now())).isLessThan(Duration.ofSeconds(40));
    }

    @Test
    void tellsAnAgencyWorkerOnlyOfChangesToFiguresTheirAgencyIsPartyTo() throws Exception {
        String college = unique("college");
        Stream stream = open(TestTokens.worker(college));
        assertThat(stream.status()).isEqualTo(200);
        String elsewhere = unique("college");
        try (EventProducer producer = new EventProducer()) {
            for (int i = 0; i < 10; i++) {
                producer.publish(referral(unique("council"), elsewhere));
            }
            // All ten projected (as a coordinator's funnel shows them) before the marker, a referral to this worker's
            // agency, is sent.
            await().atMost(Duration.ofSeconds(15)).until(() -> api().get("/api/progression/funnel?receivingAgencyId="
                    + elsewhere, COORDINATOR).body().get("total").get("submitted").asLong(-1) == 10);
            producer.publish(referral(unique("council"), college));
        }

        await().atMost(Duration.ofSeconds(8)).until(() -> !stream.counts("funnel").isEmpty());
        // Had the ten elsewhere reached this worker, they would show as a number or in a change of their own.
        assertThat(stream.counts("funnel")).containsExactly("<5");
        assertThat(stream.counts("flows")).containsExactly("<5");
        assertThat(stream.counts("events-by-day")).isEmpty();
    }

    @Test
    void onePersonHoldsAFewStreamsAtMostTheNewestPageWinsAndOthersAreNotHeldUp() throws Exception {
        String college = unique("college");
        String worker = TestTokens.token(unique("worker"), college, Role.WORKER);
        List<Stream> tabs = new java.util.ArrayList<>();
        for (int tab = 1; tab <= 5; tab++) {
            tabs.add(open(worker));
            assertThat(tabs.getLast().status()).as("tab " + tab).isEqualTo(200);
        }
        // A sixth page (the tab they are looking at now): it has its stream, and their oldest one ends.
        Stream sixth = open(worker);
        assertThat(sixth.status()).isEqualTo(200);
        tabs.getFirst().ended().get(5, TimeUnit.SECONDS);
        assertThat(tabs.getFirst().lines()).as("the oldest had its stream until then, and is told why it ends")
                .containsSubsequence("event:ready", "event:replaced");
        assertThat(tabs.subList(1, 5)).allSatisfy(tab -> assertThat(tab.ended()).isNotDone());
        assertThat(sixth.ended()).isNotDone();

        // Their colleague, and the coordinator, are not held up by them.
        assertThat(open(TestTokens.token(unique("worker"), college, Role.WORKER)).status()).isEqualTo(200);
        assertThat(open(COORDINATOR).status()).isEqualTo(200);
    }

    @Test
    void refusesCallersWhoSeeNoProgression() {
        assertThat(api().get("/api/progression/live", null).status()).isEqualTo(401);
        assertThat(api().get("/api/progression/live", TestTokens.token("mis", "college-x", Role.AGENCY_SYSTEM))
                .isProblem(403, "forbidden")).isTrue();
    }

    @Test
    void answersAPlainRequestThatDoesNotAskForAStreamAtOnce() {
        // Without Accept: text/event-stream a client would wait on a response that never ends.
        assertThat(api().get("/api/progression/live", COORDINATOR).isProblem(406, "not-acceptable")).isTrue();
    }
}
