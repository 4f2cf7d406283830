package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.notification.feed.AgencyFeed;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class AgencyFeedTest extends NotificationServiceTest {

    @Autowired
    AgencyFeed agencyFeed;

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void anAgencySystemThatWasDownCatchesUpWithExactlyWhatItMissedInOrderAndNothingOfOthers() throws Exception {
        String college = agency("college");
        String council = agency("council");
        String jobcentre = agency("jobcentre");
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry first = ReferralEvents.submitted(council, college);
            events.publish(first);
            List<JsonNode> seen = awaitFeed(college, 0, 1);
            assertThat(eventIds(seen)).containsExactly(first.eventId());
            long cursor = seen.getLast().get("sequence").asLong();

            // The college's system goes down; meanwhile:
            String referral = "ref-" + UUID.randomUUID();
            OutboxEntry submitted = ReferralEvents.submitted(referral, council, college);
            OutboxEntry accepted = ReferralEvents.event("org.pathways.referral.accepted.v1", referral,
                    Map.of("referralId", referral, "referringAgencyId", council, "receivingAgencyId", college,
                            "status", "ACCEPTED", "actingAgencyId", college));
            OutboxEntry fromJobcentre = ReferralEvents.submitted(jobcentre, college);
            OutboxEntry notTheColleges = ReferralEvents.submitted(council, jobcentre);
            for (OutboxEntry event : List.of(submitted, notTheColleges, accepted, fromJobcentre)) {
                events.publish(event);
            }
            await().atMost(PATIENCE).until(() -> eventIds(feed(jobcentre, 0)).size() == 2);

            // ...and when it is back, it asks for what came after its cursor.
            List<JsonNode> missed = awaitFeed(college, cursor, 3);
            assertThat(eventIds(missed)).containsExactlyInAnyOrder(submitted.eventId(), accepted.eventId(),
                    fromJobcentre.eventId());
            assertThat(eventIds(missed).indexOf(submitted.eventId()))
                    .as("one referral's events in the order they happened")
                    .isLessThan(eventIds(missed).indexOf(accepted.eventId()));
            assertThat(missed.stream().map(e -> e.get("sequence").asLong()))
                    .isSorted().allMatch(sequence -> sequence > cursor);
            JsonNode event = missed.getFirst().get("event");
            assertThat(event.get("specversion").asString()).isEqualTo("1.0");
            assertThat(event.get("data").get("receivingAgencyId").asString()).isEqualTo(college);

            JsonNode page = json(call("GET", "/api/feed?after=" + cursor + "&limit=2", system(college), null));
            assertThat(page.get("events")).hasSize(2);
            long next = page.get("next").asLong();
            JsonNode rest = json(call("GET", "/api/feed?after=" + next, system(college), null));
            assertThat(rest.get("events")).hasSize(1);
            JsonNode nothingNew = json(call("GET", "/api/feed?after=" + rest.get("next").asLong(), system(college),
                    null));
            assertThat(nothingNew.get("events")).isEmpty();
            assertThat(nothingNew.get("next").asLong()).isEqualTo(rest.get("next").asLong());

            // Another pair's referral never appears in an agency's feed (handled: every feed entry of it is written).
            await().atMost(PATIENCE).until(() -> handled(notTheColleges.eventId()));
            assertThat(eventIds(feed(college, 0))).doesNotContain(notTheColleges.eventId());
            assertThat(eventIds(feed(jobcentre, 0))).containsExactlyInAnyOrder(fromJobcentre.eventId(),
                    notTheColleges.eventId());
            assertThat(eventIds(feed(agency("nobody"), 0))).isEmpty();
        }
    }

    @Test
    void aCursorBeforePurgedEntriesIsAClear410WithTheOldestCursorNotASilentSkip() throws Exception {
        String college = agency("college");
        String council = agency("council");
        try (ReferralEvents events = new ReferralEvents()) {
            List<OutboxEntry> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                OutboxEntry event = ReferralEvents.submitted(council, college);
                events.publish(event);
                sent.add(event);
                awaitFeed(college, 0, i + 1);         // one at a time: each is recorded after the one before
            }
            List<JsonNode> entries = feed(college, 0);
            assertThat(eventIds(entries)).containsExactlyElementsOf(sent.stream().map(OutboxEntry::eventId).toList());
            long first = entries.get(0).get("sequence").asLong();
            long second = entries.get(1).get("sequence").asLong();
            long third = entries.get(2).get("sequence").asLong();
            Instant cutoff = Instant.parse(entries.get(1).get("recordedAt").asString()).plusMillis(1);

            assertThat(agencyFeed.purgeRecordedBefore(college, cutoff)).isEqualTo(2);

            for (long expired : List.of(0L, first)) {
                HttpResponse<String> gone = call("GET", "/api/feed?after=" + expired, system(college), null);
                assertThat(gone.statusCode()).as(gone.body()).isEqualTo(410);
                assertThat(gone.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(json(gone).get("type").asString()).isEqualTo("urn:pathways:problem:feed-cursor-expired");
                assertThat(json(gone).get("oldestCursor").asLong()).isEqualTo(second);
            }
            List<JsonNode> kept = feed(college, second);
            assertThat(kept).hasSize(1);
            assertThat(kept.getFirst().get("sequence").asLong()).isEqualTo(third);
            assertThat(eventIds(kept)).containsExactly(sent.get(2).eventId());

            // Purging again changes nothing; another agency's feed keeps its entries until purged itself.
            assertThat(agencyFeed.purgeRecordedBefore(college, cutoff)).isZero();
            assertThat(feed(college, second)).hasSize(1);
            assertThat(eventIds(feed(council, 0))).hasSize(3);
            // The scheduled purge's pass over every agency finds nothing before an older cut-off. (Not run with
            // this test's cut-off: it would purge the fixed-name agencies other tests read from the start.)
            assertThat(agencyFeed.purgeRecordedBefore(Instant.EPOCH)).isZero();
            assertThat(feed(college, second)).hasSize(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"after=-1", "after=abc", "after=1.5", "limit=0", "limit=501", "limit=x",
            "after=%7B%22%24gt%22%3A%22%22%7D", "after=99999999999999999999999"})
    void badCursorsOrLimitsAre400Problems(String query) throws Exception {
        HttpResponse<String> response = call("GET", "/api/feed?" + query, system("agency-college"), null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void onlyAnAgencysSystemOrAdminReadsItsFeed() throws Exception {
        assertThat(call("GET", "/api/feed", worker("worker-1", "agency-college"), null).statusCode())
                .isEqualTo(403);
        assertThat(call("GET", "/api/feed", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/feed", admin("agency-college"), null).statusCode()).isEqualTo(200);
    }

    static String agency(String name) {
        return "agency-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private List<JsonNode> feed(String agency, long after) throws Exception {
        HttpResponse<String> response = call("GET", "/api/feed?after=" + after, system(agency), null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).get("events").valueStream().toList();
    }

    private List<JsonNode> awaitFeed(String agency, long after, int size) {
        return await().atMost(PATIENCE).until(() -> feed(agency, after), entries -> entries.size() >= size);
    }

    private static List<String> eventIds(List<JsonNode> entries) {
        return entries.stream().map(e -> e.get("event").get("id").asString()).toList();
    }
}
