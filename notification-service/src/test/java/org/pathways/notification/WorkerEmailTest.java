package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.notification.email.PreferenceWriteHooks;
import org.pathways.platform.security.Role;
import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/**
 * Workers set their own notification preferences (address, language, which notices) and are e-mailed, over SMTP,
 * each in their own language; the agency's contact address only when no worker of the agency asked.
 */
class WorkerEmailTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String PREFERENCES = "/api/notifications/preferences/me";
    private static final String ARRIVED_EN = "Pathways: a referral has arrived for your agency";
    private static final String ARRIVED_CY = "Pathways: mae atgyfeiriad wedi cyrraedd ar gyfer eich asiantaeth";

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void eachOptedInWorkerOfTheReceivingAgencyIsEmailedInTheirOwnLanguageAndNoOneElse(CapturedOutput output)
            throws Exception {
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String ana = address("ana");
        String cai = address("cai");
        String eve = address("eve");
        String dan = address("dan");
        String contact = address("referrals");
        putPreferences("ana", college, ana, "en", "REFERRAL_ARRIVED");
        putPreferences("cai", college, cai, "cy", "REFERRAL_ARRIVED", "REFERRAL_OVERDUE");
        // A language without templates falls back to English.
        JsonNode french = putPreferences("eve", college, eve, "fr-FR", "REFERRAL_ARRIVED");
        assertThat(french.get("emailLanguage").asString()).isEqualTo("en");
        putPreferences("dan", council, dan, "en", "REFERRAL_ARRIVED");
        putAgencyContact(college, contact);
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry submitted = ReferralEvents.submitted(council, college);

            events.publish(submitted);

            assertThat(awaitMailTo(ana).getSubject()).isEqualTo(ARRIVED_EN);
            assertThat(awaitMailTo(cai).getSubject()).isEqualTo(ARRIVED_CY);
            assertThat(awaitMailTo(eve).getSubject()).isEqualTo(ARRIVED_EN);
            // All of an event's e-mails are queued at once, before any is sent: the queue is the whole story.
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(emailsOf(submitted.eventId()))
                    .extracting(e -> e.getString("recipientUserId") + ":" + e.getString("status"))
                    .containsExactlyInAnyOrder("ana:SENT", "cai:SENT", "eve:SENT"));
            assertThat(mailTo(dan)).as("a worker of the referring agency").isEmpty();
            assertThat(mailTo(contact)).as("workers asked, so not the contact address").isEmpty();
            // Ids only in the queue: the addresses stay with the preferences, and out of this service's logs (the
            // test's SMTP server, GreenMail, logs the mailboxes it creates: not ours).
            assertThat(emailsOf(submitted.eventId())).allSatisfy(e -> assertThat(e.toJson()).doesNotContain("@"));
            assertThat(output.getAll()).as("the service's own logs are captured").contains("sent for agency " + college);
            assertThat(output.getAll().lines().filter(line -> !line.contains("c.icegreen.greenmail")))
                    .noneMatch(line -> line.contains(ana) || line.contains(cai) || line.contains(eve));
        }
    }

    @Autowired
    MongoQueryLog queries;

    /**
     * Issue 14: the sender claims an e-mail this instance queued by its {@code _id} and writes the outcome on exactly
     * {@code _id} and its lease token (a unique index), instead of searching the queue by status and time, which the
     * embedded store answers by reading every e-mail ever queued. Only the once-a-minute search for what another
     * instance left behind may still search.
     */
    @Test
    void aQueuedEmailIsClaimedAndCompletedByItsIdNotBySearchingTheQueue() throws Exception {
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String ana = address("ana");
        putPreferences("ana", college, ana, "en", "REFERRAL_ARRIVED");
        try (ReferralEvents events = new ReferralEvents()) {
            queries.clear();
            queries.recordOn(MongoQueryLog.SERVICE_THREADS);
            OutboxEntry submitted = ReferralEvents.submitted(council, college);
            events.publish(submitted);
            assertThat(awaitMailTo(ana).getSubject()).isEqualTo(ARRIVED_EN);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(emailsOf(submitted.eventId()))
                    .extracting(e -> e.getString("status")).containsExactly("SENT"));
        } finally {
            queries.recordOn(MongoQueryLog.WEB_THREADS);
        }
        List<List<String>> shapes = queries.reads().stream().filter(read -> read.collection().equals("emails"))
                .map(read -> List.copyOf(read.filter().keySet())).toList();
        // Claimed by id and no owner (an e-mail this instance queued is free: no read first), the outcome on id and
        // token.
        assertThat(shapes).as("claimed by id, then the outcome on id and token")
                .contains(List.of("_id", "leaseOwner"));
        assertThat(shapes.stream().filter(shape -> !Set.of(List.of("_id"), List.of("_id", "leaseOwner"),
                List.of("agencyId", "eventId", "kind", "recipientUserId")).contains(shape)))
                .as("searches of the queue: at most the minute's one").hasSizeLessThanOrEqualTo(1);
    }

    /**
     * Issue 14: an agency that set no contact address, and none of whose workers asked for the notice, has nothing to
     * be e-mailed to. Its e-mail is recorded as skipped when the event is routed (the batch reads the agencies'
     * settings once) instead of being queued for the sender to claim, look up and skip one by one: half of a backlog
     * of submitted and accepted referrals cost five store round trips each that way.
     */
    @Test
    void anEmailToAContactAddressTheAgencyNeverSetIsSkippedWhenRoutedAndNeverClaimed() throws Exception {
        String silent = AgencyFeedTest.agency("silent");
        String college = AgencyFeedTest.agency("college");
        String contact = address("referrals");
        putAgencyContact(college, contact);
        try (ReferralEvents events = new ReferralEvents()) {
            queries.clear();
            queries.recordOn(MongoQueryLog.SERVICE_THREADS);
            OutboxEntry toSilent = ReferralEvents.submitted("agency-council", silent);
            events.publish(toSilent);

            await().atMost(PATIENCE).until(() -> handled(toSilent.eventId()));
            assertThat(emailsOf(toSilent.eventId())).as("recorded at once, as the agency will see it")
                    .singleElement().satisfies(email -> {
                        assertThat(email.getString("recipientUserId")).isEqualTo("agency");
                        assertThat(email.getString("status")).isEqualTo("SKIPPED");
                        assertThat(email.getInteger("attempts")).isZero();
                    });
            // Another agency's e-mail, queued after it: the sender claims every e-mail of this instance that is due in
            // one round, before sending any of them, so once this one has arrived a skipped e-mail still pending would
            // have been claimed.
            OutboxEntry toCollege = ReferralEvents.submitted("agency-council", college);
            events.publish(toCollege);
            assertThat(awaitMailTo(contact).getSubject()).isEqualTo(ARRIVED_EN);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(emailsOf(toCollege.eventId()))
                    .extracting(e -> e.getString("status")).containsExactly("SENT"));
            String skippedId = emailsOf(toSilent.eventId()).getFirst().getString("_id");
            assertThat(queries.reads()).as("nothing read, claimed or completed the skipped e-mail after routing")
                    .filteredOn(read -> read.collection().equals("emails"))
                    .noneMatch(read -> read.filter().toJson().contains(skippedId));
            assertThat(emailsOf(toSilent.eventId()).getFirst().getString("status")).isEqualTo("SKIPPED");
        } finally {
            queries.recordOn(MongoQueryLog.WEB_THREADS);
        }
    }

    @Autowired
    org.pathways.notification.email.EmailNotifications emails;

    /** Preferences kept before workers were listed by agency (issue 14) are listed at start and still count. */
    @Test
    void preferencesKeptBeforeWorkersWereListedByAgencyStillCount() throws Exception {
        String college = AgencyFeedTest.agency("college");
        String ana = address("ana");
        mongo.insert(new Document("_id", college + "/ana").append("agencyId", college).append("userId", "ana")
                .append("email", ana).append("language", "cy").append("notices", List.of("REFERRAL_ARRIVED")),
                "worker_preferences");
        assertThat(emails.listWorkersByAgency()).isPositive();
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry submitted = ReferralEvents.submitted("agency-council", college);
            events.publish(submitted);

            assertThat(awaitMailTo(ana).getSubject()).isEqualTo(ARRIVED_CY);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(emailsOf(submitted.eventId()))
                    .extracting(e -> e.getString("recipientUserId") + ":" + e.getString("status"))
                    .containsExactly("ana:SENT"));
        }
    }

    @Test
    void aWorkerWhoOptsOutOrDeletesTheirPreferencesIsNoLongerEmailed() throws Exception {
        String college = AgencyFeedTest.agency("college");
        String ana = address("ana");
        String bob = address("bob");
        String cai = address("cai");
        putPreferences("ana", college, ana, "en", "REFERRAL_ARRIVED");
        putPreferences("bob", college, bob, "cy", "REFERRAL_ARRIVED");
        putPreferences("cai", college, cai, "en", "REFERRAL_ARRIVED");
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry first = ReferralEvents.submitted("agency-council", college);
            events.publish(first);
            for (String address : List.of(ana, bob, cai)) {
                awaitMailTo(address);
            }

            JsonNode optedOut = putPreferences("ana", college, ana, "en");
            assertThat(optedOut.get("notices")).isEmpty();
            assertThat(call("DELETE", PREFERENCES, worker("bob", college), null).statusCode()).isEqualTo(204);
            assertThat(call("GET", PREFERENCES, worker("bob", college), null).statusCode()).isEqualTo(404);
            assertThat(mongo.find(Query.query(Criteria.where("userId").is("bob").and("agencyId").is(college)),
                    Document.class, "worker_preferences")).as("the address is erased").isEmpty();

            OutboxEntry second = ReferralEvents.submitted("agency-council", college);
            events.publish(second);

            await().atMost(PATIENCE).until(() -> mailTo(cai).size() == 2);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(emailsOf(second.eventId()))
                    .extracting(e -> e.getString("recipientUserId") + ":" + e.getString("status"))
                    .containsExactly("cai:SENT"));
            assertThat(mailTo(ana)).hasSize(1);
            assertThat(mailTo(bob)).hasSize(1);
        }
    }

    @Test
    void anOverdueReferralIsEmailedToTheReceivingAgencysAndTheCoordinatorsWorkersWhoAskedForIt() throws Exception {
        String college = AgencyFeedTest.agency("college");
        String ana = address("ana");
        String bob = address("bob");
        String watcher = address("coordinator");
        putPreferences("ana", college, ana, "cy", "REFERRAL_OVERDUE");
        putPreferences("bob", college, bob, "en", "REFERRAL_ARRIVED");
        // The coordinator's agency (agency-coordinator in these tests).
        String watcherId = "watcher-" + UUID.randomUUID();
        putPreferences(watcherId, "agency-coordinator", watcher, "en", "REFERRAL_OVERDUE");
        try (ReferralEvents events = new ReferralEvents()) {
            String referral = "ref-" + UUID.randomUUID();
            OutboxEntry overdue = ReferralEvents.event("org.pathways.referral.overdue.v1", referral, Map.of(
                    "referralId", referral, "referringAgencyId", "agency-council", "receivingAgencyId", college,
                    "status", "SUBMITTED", "breach", "ACKNOWLEDGE"));

            events.publish(overdue);

            assertThat(awaitMailTo(ana).getSubject()).isEqualTo("Pathways: mae atgyfeiriad yn hwyr");
            assertThat(awaitMailTo(watcher).getSubject()).isEqualTo("Pathways: a referral is overdue");
            await().atMost(PATIENCE).until(() -> handled(overdue.eventId()));
            // Handled: its e-mails are all queued. No fallback to the coordinator's contact address.
            assertThat(emailsOf(overdue.eventId()))
                    .extracting(e -> e.getString("agencyId") + ":" + e.getString("recipientUserId"))
                    .containsExactlyInAnyOrder(college + ":ana", "agency-coordinator:" + watcherId);
            assertThat(mailTo(bob)).as("asked for arrivals only").isEmpty();
        }
    }

    @Test
    void preferencesAreTheCallersOwnAndOnlyAPersonHasThem() throws Exception {
        String college = AgencyFeedTest.agency("college");
        putPreferences("ana", college, address("ana"), "cy", "REFERRAL_OVERDUE");

        JsonNode mine = json(call("GET", PREFERENCES, worker("ana", college), null));
        assertThat(mine.get("userId").asString()).isEqualTo("ana");
        assertThat(mine.get("agencyId").asString()).isEqualTo(college);
        assertThat(mine.get("language").asString()).isEqualTo("cy");
        assertThat(mine.get("emailLanguage").asString()).isEqualTo("cy");
        assertThat(mine.get("notices").valueStream().map(JsonNode::asString)).containsExactly("REFERRAL_OVERDUE");
        assertThat(call("GET", PREFERENCES, worker("bob", college), null).statusCode())
                .as("another worker of the same agency has none yet").isEqualTo(404);
        assertThat(call("GET", PREFERENCES, worker("ana", "agency-elsewhere"), null).statusCode())
                .as("the same user acting for another agency").isEqualTo(404);
        assertThat(call("GET", PREFERENCES, system(college), null).statusCode()).isEqualTo(403);
        assertThat(call("GET", PREFERENCES, null, null).statusCode()).isEqualTo(401);
        assertThat(call("DELETE", PREFERENCES, TestTokens.token("ana", college, Role.AGENCY_SYSTEM), null)
                .statusCode()).isEqualTo(403);
    }

    static Stream<Arguments> hostilePreferences() {
        return Stream.of(
                Arguments.of("{\"email\": \"not an address\", \"language\": \"en\", \"notices\": []}"),
                Arguments.of("{\"email\": \"a@b.example\", \"language\": \"English!\", \"notices\": []}"),
                Arguments.of("{\"email\": \"a@b.example\", \"language\": \"en\", \"notices\": [\"EVERYTHING\"]}"),
                Arguments.of("{\"email\": \"a@b.example\", \"language\": \"en\", \"notices\": [0]}"),
                Arguments.of("{\"email\": {\"$gt\": \"\"}, \"language\": \"en\", \"notices\": []}"),
                Arguments.of("{\"email\": \"a@b.example\", \"language\": \"en\"}"),
                Arguments.of("{\"email\": \"a@b.example\", \"language\": \"en\", \"notices\": [], \"userId\": \"x\"}"),
                Arguments.of("{\"email\": \"" + "a".repeat(300) + "@b.example\", \"language\": \"en\", \"notices\": []}"),
                Arguments.of("[]"));
    }

    @ParameterizedTest
    @MethodSource("hostilePreferences")
    void hostilePreferencesAre400Problems(String body) throws Exception {
        HttpResponse<String> response = call("PUT", PREFERENCES, worker("hostile", "agency-hostile"), body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(call("GET", PREFERENCES, worker("hostile", "agency-hostile"), null).statusCode()).isEqualTo(404);
    }

    /**
     * Two writes of one worker's preferences at once (two browser tabs, a retry): a save and a removal racing never
     * leave the worker's preferences kept but the worker off the agency's list of workers to tell, which would stop
     * their e-mails for good without a word. Whichever way they interleave, the preferences the worker sees are the
     * ones they get e-mails by.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a save between a removal and its unlisting", "a removal between a listing and its save"})
    void aSaveAndARemovalOfPreferencesAtOnceNeverLeaveTheWorkerUnlisted(String interleaving) throws Exception {
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String ana = address("ana");
        String contact = address("referrals");
        putAgencyContact(college, contact);
        putPreferences("ana", college, ana, "en", "REFERRAL_ARRIVED");
        Runnable otherTab;
        if (interleaving.startsWith("a save")) {
            otherTab = () -> unchecked(() -> putPreferences("ana", college, ana, "en", "REFERRAL_ARRIVED"));
            PreferenceWriteHooks.afterDelete(college, "ana", otherTab);
            assertThat(call("DELETE", PREFERENCES, worker("ana", college), null).statusCode()).isEqualTo(204);
        } else {
            otherTab = () -> unchecked(() -> assertThat(call("DELETE", PREFERENCES, worker("ana", college), null)
                    .statusCode()).isEqualTo(204));
            PreferenceWriteHooks.beforeSave(college, "ana", otherTab);
            putPreferences("ana", college, ana, "en", "REFERRAL_ARRIVED");
        }
        HttpResponse<String> kept = call("GET", PREFERENCES, worker("ana", college), null);
        assertThat(kept.statusCode()).as("the save came last: its preferences are kept").isEqualTo(200);

        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry submitted = ReferralEvents.submitted(council, college);
            events.publish(submitted);

            assertThat(awaitMailTo(ana).getSubject()).isEqualTo(ARRIVED_EN);
            await().atMost(PATIENCE).until(() -> handled(submitted.eventId()));
            assertThat(mailTo(contact)).as("the worker asked, so not the contact address").isEmpty();
        }
    }

    private interface Call {
        Object call() throws Exception;
    }

    private static void unchecked(Call call) {
        try {
            call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode putPreferences(String user, String agency, String email, String language, String... notices)
            throws Exception {
        HttpResponse<String> put = call("PUT", PREFERENCES, worker(user, agency), JSON.writeValueAsString(
                Map.of("email", email, "language", language, "notices", List.of(notices))));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        return json(put);
    }

    private void putAgencyContact(String agency, String address) throws Exception {
        HttpResponse<String> put = call("PUT", "/api/agency-settings", admin(agency),
                JSON.writeValueAsString(Map.of("notificationEmail", address, "language", "en")));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    private List<Document> emailsOf(String eventId) {
        return mongo.find(Query.query(Criteria.where("eventId").is(eventId)), Document.class, "emails");
    }
}
