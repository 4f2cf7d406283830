package org.pathways.e2e;

import static org.awaitility.Awaitility.await;
import static org.pathways.e2e.GatewayApi.created;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;

/**
 * A referral ready to hand off, made through the gateway as the agencies' workers make one: the referring agency
 * registers a learner and records their consent to share a referral with the receiving agency, the receiving agency
 * publishes a course, and the referring agency refers the learner to it. What the receiving agency's system then
 * hears of it is the test's to check.
 *
 * @param learnerId     the learner, registered by the referring agency
 * @param opportunityId the receiving agency's course, published
 * @param referralId    the referral, submitted
 */
record ReadyReferral(String learnerId, String opportunityId, String referralId) {

    /** How long the referral-service may take to learn of the consent and the course from their events. */
    private static final Duration EVENTS = Duration.ofSeconds(30);

    /** A referral by a worker of {@code referringAgency} to a course of {@code receivingAgency}. */
    static Making from(String referringAgency, String receivingAgency) {
        return new Making(referringAgency, receivingAgency, null, null);
    }

    /** What the referral is made of so far: the bodies (JSON) that register the learner and draft the course. */
    record Making(String referringAgency, String receivingAgency, String learner, String course) {

        Making learner(String details) {
            return new Making(referringAgency, receivingAgency, details, course);
        }

        Making course(String details) {
            return new Making(referringAgency, receivingAgency, learner, details);
        }

        /** Registers, consents, publishes and refers, each as the agency whose part it is; {@code need} is free text. */
        ReadyReferral refer(String need) {
            HttpApi api = GatewayApi.api();
            String referring = TestTokens.worker(referringAgency);
            String receiving = TestTokens.worker(receivingAgency);
            String learnerId = created(api.post("/api/learners", referring, learner)).path("id").asString();
            created(api.post("/api/learners/" + learnerId + "/consents", referring,
                    Map.of("agencyId", receivingAgency, "purpose", "REFERRAL_SHARING", "method", "VERBAL")));
            String opportunityId = created(api.post("/api/opportunities", receiving, course)).path("id").asString();
            created(api.send(api.request("/api/opportunities/" + opportunityId + "/publish", receiving)
                    .POST(HttpRequest.BodyPublishers.noBody())));
            Map<String, String> referral = Map.of("learnerId", learnerId, "opportunityId", opportunityId,
                    "need", need, "urgency", "SOON");
            // Until the referral-service has heard of the consent and the course, it answers 422 or 404.
            HttpApi.Response submitted = await().atMost(EVENTS).pollInterval(Duration.ofMillis(200))
                    .until(() -> api.post("/api/referrals", referring, referral),
                            response -> response.status() != 422 && response.status() != 404);
            return new ReadyReferral(learnerId, opportunityId, created(submitted).path("id").asString());
        }
    }
}
