package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.icegreen.greenmail.util.GreenMailUtil;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pathways.messaging.outbox.OutboxEntry;
import tools.jackson.databind.JsonNode;

/** A referral that arrives for an agency is told to its people: in the app's inbox, and by e-mail over SMTP. */
class PeopleNotificationTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void aReferralThatArrivesShowsInTheReceivingAgencysInboxReadAndUnreadPerWorker() throws Exception {
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry submitted = ReferralEvents.submitted(council, college);
            String referral = submitted.subject();

            events.publish(submitted);

            JsonNode inbox = await().atMost(PATIENCE).until(() -> json(call("GET", "/api/notifications",
                    worker("ana", college), null)), i -> i.get("notifications").size() == 1);
            JsonNode notification = inbox.get("notifications").get(0);
            assertThat(notification.get("kind").asString()).isEqualTo("REFERRAL_ARRIVED");
            assertThat(notification.get("referralId").asString()).isEqualTo(referral);
            assertThat(notification.get("link").asString()).isEqualTo("https://pathways.example/referrals/" + referral);
            assertThat(notification.get("read").asBoolean()).isFalse();
            assertThat(inbox.get("unread").asLong()).isEqualTo(1);
            assertThat(unread("ana", college)).isEqualTo(1);

            String id = notification.get("id").asString();
            assertThat(call("POST", "/api/notifications/" + id + "/read", worker("bob", council), null).statusCode())
                    .as("another agency's notification does not exist for them").isEqualTo(404);
            assertThat(call("POST", "/api/notifications/" + id + "/read", worker("ana", college), null).statusCode())
                    .isEqualTo(204);
            assertThat(unread("ana", college)).isZero();
            assertThat(unread("cai", college)).as("each worker reads for themself").isEqualTo(1);
            JsonNode unreadOnly = json(call("GET", "/api/notifications?unread=true", worker("ana", college), null));
            assertThat(unreadOnly.get("notifications")).isEmpty();
            assertThat(json(call("GET", "/api/notifications", worker("ana", college), null)).get("notifications")
                    .get(0).get("read").asBoolean()).isTrue();

            await().atMost(PATIENCE).until(() -> handled(submitted.eventId()));   // every notice of it made
            assertThat(json(call("GET", "/api/notifications", worker("bob", council), null)).get("notifications"))
                    .as("the referring agency needs no one to act").isEmpty();
            assertThat(call("POST", "/api/notifications/not%20an%20id/read", worker("ana", college), null)
                    .statusCode()).isEqualTo(400);
            assertThat(call("GET", "/api/notifications?limit=0", worker("ana", college), null).statusCode())
                    .isEqualTo(400);
            assertThat(call("GET", "/api/notifications", system(college), null).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void theReceivingAgencyIsEmailedOverSmtpInItsLanguageWithIdsAndALinkOnly() throws Exception {
        String welsh = AgencyFeedTest.agency("coleg");
        String english = AgencyFeedTest.agency("college");
        String welshBox = "atgyfeiriadau-" + UUID.randomUUID() + "@coleg.example";
        String englishBox = "referrals-" + UUID.randomUUID() + "@college.example";
        putSettings(welsh, welshBox, "cy");
        putSettings(english, englishBox, "en");
        JsonNode shown = json(call("GET", "/api/agency-settings", admin(welsh), null));
        assertThat(shown.get("notificationEmail").asString()).isEqualTo(welshBox);
        assertThat(shown.get("language").asString()).isEqualTo("cy");
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry toWelsh = ReferralEvents.submitted("agency-council", welsh);
            OutboxEntry toEnglish = ReferralEvents.submitted("agency-council", english);
            events.publish(toWelsh);
            events.publish(toWelsh);
            events.publish(toEnglish);

            MimeMessage cy = awaitMailTo(welshBox);
            assertThat(cy.getSubject()).isEqualTo("Pathways: mae atgyfeiriad wedi cyrraedd ar gyfer eich asiantaeth");
            String cyBody = GreenMailUtil.getBody(cy);
            assertThat(cyBody).contains("Mae atgyfeiriad newydd (" + toWelsh.subject() + ")")
                    .contains("https://pathways.example/referrals/" + toWelsh.subject());
            MimeMessage en = awaitMailTo(englishBox);
            assertThat(en.getSubject()).isEqualTo("Pathways: a referral has arrived for your agency");
            String enBody = GreenMailUtil.getBody(en);
            assertThat(enBody).contains(toEnglish.subject()).contains("https://pathways.example/referrals/");

            // Ids and a link only: not even the learner's id, let alone anything about them.
            for (OutboxEntry event : List.of(toWelsh, toEnglish)) {
                String learner = JSON.readTree(event.data()).get("learnerId").asString();
                assertThat(cyBody + enBody).doesNotContain(learner);
            }
            // Both copies handled (the second as a duplicate), and the one e-mail queued is sent, which is final.
            await().atMost(PATIENCE).until(() -> handled(toWelsh.eventId()) && mongo.find(
                    org.springframework.data.mongodb.core.query.Query.query(org.springframework.data.mongodb.core
                            .query.Criteria.where("eventId").is(toWelsh.eventId())), org.bson.Document.class,
                    "emails").stream().map(e -> e.getString("status")).toList().equals(List.of("SENT")));
            assertThat(mailTo(welshBox)).hasSize(1);
        }
    }

    static Stream<Arguments> hostileSettings() {
        return Stream.of(
                Arguments.of("{\"notificationEmail\": \"not an address\", \"language\": \"en\"}"),
                Arguments.of("{\"notificationEmail\": \"a@b.example\", \"language\": \"fr\"}"),
                Arguments.of("{\"notificationEmail\": {\"$gt\": \"\"}, \"language\": \"en\"}"),
                Arguments.of("{\"notificationEmail\": \"a@b.example\", \"language\": \"en\", \"cc\": \"x@y.z\"}"),
                Arguments.of("{\"notificationEmail\": \"a@b.example\"}"),
                Arguments.of("{\"notificationEmail\": \"" + "a".repeat(300) + "@b.example\", \"language\": \"en\"}"),
                Arguments.of("not json"));
    }

    @ParameterizedTest
    @MethodSource("hostileSettings")
    void hostileSettingsAre400Problems(String body) throws Exception {
        HttpResponse<String> response = call("PUT", "/api/agency-settings", admin("agency-hostile"), body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(call("GET", "/api/agency-settings", admin("agency-hostile"), null).statusCode()).isEqualTo(404);
    }

    @Test
    void onlyAnAgencyAdminSetsTheContactAddress() throws Exception {
        HttpResponse<String> response = call("PUT", "/api/agency-settings", worker("ana", "agency-college"),
                JSON.writeValueAsString(Map.of("notificationEmail", "a@b.example", "language", "en")));
        assertThat(response.statusCode()).isEqualTo(403);
    }

    private void putSettings(String agency, String address, String language) throws Exception {
        HttpResponse<String> put = call("PUT", "/api/agency-settings", admin(agency),
                JSON.writeValueAsString(Map.of("notificationEmail", address, "language", language)));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    private long unread(String user, String agency) throws Exception {
        return json(call("GET", "/api/notifications/unread-count", worker(user, agency), null)).get("unread").asLong();
    }
}
