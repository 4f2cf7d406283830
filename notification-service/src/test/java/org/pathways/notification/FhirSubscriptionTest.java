package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.pathways.messaging.outbox.OutboxEntry;

/**
 * FHIR R4 rest-hook Subscriptions, end to end in the service: created through the FHIR API, fed by referral events
 * from the real broker, delivered to a real endpoint on loopback by the webhook machinery (retries, delivery log),
 * every resource valid against the base R4 profiles, and bad input answered with an OperationOutcome and a 4xx.
 */
class FhirSubscriptionTest extends NotificationServiceTest {

    private static final String BASE = "/api/fhir/r4/Subscription";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private static String subscription(String criteria, String endpoint, String payload, String... headers) {
        Map<String, Object> channel = new LinkedHashMap<>();
        channel.put("type", "rest-hook");
        channel.put("endpoint", endpoint);
        if (payload != null) {
            channel.put("payload", payload);
        }
        if (headers.length > 0) {
            channel.put("header", List.of(headers));
        }
        return JSON.writeValueAsString(Map.of("resourceType", "Subscription", "status", "requested",
                "reason", "Referrals sent to our practice", "criteria", criteria, "channel", channel));
    }

    private HttpResponse<String> create(String agency, String body) throws Exception {
        return call("POST", BASE, admin(agency), body);
    }

    private static OutboxEntry transitioned(String type, String referralId, String learnerId, String referring,
                                            String receiving, String status, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("referralId", referralId);
        data.put("learnerId", learnerId);
        data.put("opportunityId", "opp-1");
        data.put("referringAgencyId", referring);
        data.put("receivingAgencyId", receiving);
        data.put("status", status);
        if (reason != null) {
            data.put("reason", reason);
        }
        data.put("actingAgencyId", receiving);
        data.put("at", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        return ReferralEvents.event("org.pathways.referral." + type + ".v1", referralId, data);
    }

    private static OperationOutcome outcome(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+json");
        FhirValidation.assertValid(response.body());
        return FhirValidation.R4.newJsonParser().parseResource(OperationOutcome.class, response.body());
    }

    @Test
    void aRestHookSubscriptionReceivesEachMatchingReferralChangeAsAValidTaskPutToItsEndpoint() throws Exception {
        String gp = "agency-gp-" + UUID.randomUUID().toString().substring(0, 8);
        try (FhirEndpoint endpoint = new FhirEndpoint(); ReferralEvents events = new ReferralEvents()) {
            HttpResponse<String> created = create(gp, subscription("Task?owner=Organization/" + gp, endpoint.url(),
                    "application/fhir+json", "Authorization: Bearer partner-token"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            FhirValidation.assertValid(created.body());
            Subscription subscription = FhirValidation.R4.newJsonParser().parseResource(Subscription.class,
                    created.body());
            assertThat(subscription.getStatus()).isEqualTo(Subscription.SubscriptionStatus.ACTIVE);
            assertThat(subscription.getChannel().getHeader()).as("credentials are never shown back").isEmpty();
            assertThat(created.headers().firstValue("Location").orElseThrow())
                    .endsWith(BASE + "/" + subscription.getIdElement().getIdPart());

            String referralId = "ref-" + UUID.randomUUID();
            String learnerId = "lrn-" + UUID.randomUUID();
            events.publish(ReferralEvents.submitted(referralId, learnerId, "agency-council", gp));
            events.publish(transitioned("rejected", referralId, learnerId, "agency-council", gp, "REJECTED",
                    "NOT_ELIGIBLE"));
            // The gp's own referral elsewhere: it is party to it, but as requester, not owner.
            OutboxEntry asRequester = ReferralEvents.submitted(gp, "agency-college");
            events.publish(asRequester);

            await().atMost(DEADLINE).until(() -> endpoint.received().size() >= 2 && handled(asRequester.eventId()));
            List<FhirEndpoint.Notification> received = endpoint.received();
            assertThat(received).as("nothing for the referral it only requested").hasSize(2);
            List<String> statuses = received.stream().map(n -> {
                assertThat(n.method()).isEqualTo("PUT");
                assertThat(n.path()).isEqualTo("/Task/" + referralId);
                assertThat(n.header("Content-Type")).startsWith("application/fhir+json");
                assertThat(n.header("Authorization")).isEqualTo("Bearer partner-token");
                FhirValidation.assertValid(n.body());
                Task task = FhirValidation.R4.newJsonParser().parseResource(Task.class, n.body());
                assertThat(task.getIdElement().getIdPart()).isEqualTo(referralId);
                assertThat(task.getFocus().getReference()).isEqualTo("ServiceRequest/" + referralId);
                assertThat(task.getOwner().getReference()).isEqualTo("Organization/" + gp);
                assertThat(task.getRequester().getReference()).isEqualTo("Organization/agency-council");
                assertThat(task.getFor().getIdentifier().getValue()).isEqualTo(learnerId);
                return task.getStatus().toCode() + (task.hasStatusReason()
                        ? "/" + task.getStatusReason().getCodingFirstRep().getCode() : "");
            }).toList();
            assertThat(statuses).containsExactlyInAnyOrder("requested", "rejected/NOT_ELIGIBLE");

            // The same delivery log as webhooks.
            HttpResponse<String> log = call("GET", "/api/deliveries?status=DELIVERED", admin(gp), null);
            assertThat(json(log).valueStream().filter(d -> d.get("subscriptionId").asString()
                    .equals(subscription.getIdElement().getIdPart())).count()).isEqualTo(2);
        }
    }

    @Test
    void withoutAPayloadTheNotificationIsAnEmptyPostToTheEndpoint() throws Exception {
        String gp = "agency-gp-" + UUID.randomUUID().toString().substring(0, 8);
        try (FhirEndpoint endpoint = new FhirEndpoint(); ReferralEvents events = new ReferralEvents()) {
            assertThat(create(gp, subscription("Task?status=requested", endpoint.url(), null)).statusCode())
                    .isEqualTo(201);
            events.publish(ReferralEvents.submitted(gp, "agency-college"));
            await().atMost(DEADLINE).until(() -> !endpoint.received().isEmpty());
            FhirEndpoint.Notification notification = endpoint.received().getFirst();
            assertThat(notification.method()).isEqualTo("POST");
            assertThat(notification.path()).isEmpty();
            assertThat(notification.body()).isEmpty();
        }
    }

    @Test
    void anAgencyReadsSearchesAndDeletesOnlyItsOwnSubscriptions() throws Exception {
        String gp = "agency-gp-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = create(gp, subscription("ServiceRequest?requester=Organization/" + gp,
                "https://partner.example/fhir", "application/fhir+json"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = FhirValidation.R4.newJsonParser().parseResource(Subscription.class, created.body())
                .getIdElement().getIdPart();

        HttpResponse<String> read = call("GET", BASE + "/" + id, admin(gp), null);
        assertThat(read.statusCode()).isEqualTo(200);
        FhirValidation.assertValid(read.body());
        HttpResponse<String> search = call("GET", BASE, admin(gp), null);
        FhirValidation.assertValid(search.body());
        Bundle bundle = FhirValidation.R4.newJsonParser().parseResource(Bundle.class, search.body());
        assertThat(bundle.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart()).containsExactly(id);

        assertThat(outcome(call("GET", BASE + "/" + id, admin("agency-college"), null), 404)
                .getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.NOTFOUND);
        assertThat(FhirValidation.R4.newJsonParser().parseResource(Bundle.class,
                call("GET", BASE, admin("agency-college"), null).body()).getEntry()).isEmpty();
        outcome(call("DELETE", BASE + "/" + id, admin("agency-college"), null), 404);

        assertThat(call("DELETE", BASE + "/" + id, admin(gp), null).statusCode()).isEqualTo(204);
        outcome(call("GET", BASE + "/" + id, admin(gp), null), 404);
    }

    @Test
    void badSubscriptionsAreAnsweredWithAnOperationOutcomeAndA4xxAndNothingIsStored() throws Exception {
        String gp = "agency-gp-" + UUID.randomUUID().toString().substring(0, 8);
        String endpoint = "https://partner.example/fhir";
        outcome(create(gp, "not json"), 400);
        outcome(create(gp, ""), 400);
        outcome(create(gp, "{\"resourceType\":\"Patient\"}"), 400);
        outcome(create(gp, "{\"resourceType\":\"Subscription\",\"colour\":\"blue\"}"), 400);
        outcome(create(gp, subscription("Patient?name=x", endpoint, null)), 400);
        outcome(create(gp, subscription("Task?colour=blue", endpoint, null)), 400);
        outcome(create(gp, subscription("Task?status=draft", endpoint, null)), 400);
        outcome(create(gp, subscription("Task?owner=Patient/1", endpoint, null)), 400);
        outcome(create(gp, subscription("Task", endpoint, "application/fhir+xml")), 400);
        outcome(create(gp, subscription("Task", "ftp://partner.example/fhir", null)), 400);
        outcome(create(gp, subscription("Task", endpoint, null, "X-Bad\r\nInjected: yes")), 400);
        outcome(create(gp, subscription("Task", endpoint, null, "no colon here")), 400);
        outcome(create(gp, subscription("Task", endpoint, null).replace("rest-hook", "websocket")), 400);
        outcome(call("POST", BASE, worker("w-1", gp), subscription("Task", endpoint, null)), 403);
        outcome(call("PUT", BASE + "/sub-1", admin(gp), subscription("Task", endpoint, null)), 405);
        outcome(call("GET", BASE + "/not%20an%20id", admin(gp), null), 400);
        assertThat(mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("agencyId").is(gp)), "subscriptions"))
                .as("no partial writes").isZero();
    }
}
