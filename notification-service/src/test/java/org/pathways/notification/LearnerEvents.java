package org.pathways.notification;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.pathways.messaging.outbox.OutboxEntry;

/**
 * Builders of the learner-profile-service's and the agency registry's events as this service receives them, for
 * tests: learner events on the learners topic keyed by the learner, agency events on the agencies topic keyed by the
 * agency. Publish them with {@link ReferralEvents}.
 */
final class LearnerEvents {

    private static final String LEARNERS = "pathways.learners";
    private static final String AGENCIES = "pathways.agencies";
    private static final String MILESTONE = "org.pathways.learner.milestone-recorded.v1";
    private static final String STEP_ADDED = "org.pathways.learner.plan-step-added.v1";

    private LearnerEvents() {
    }

    /** An event of any type about {@code learner}: {@code data} with the learnerId added. */
    static OutboxEntry learnerEvent(String type, String learner, Map<String, ?> data) {
        Map<String, Object> withLearner = new HashMap<>(data);
        withLearner.put("learnerId", learner);
        return ReferralEvents.event(LEARNERS, type, learner, withLearner);
    }

    /** A consent (granted or withdrawn, by {@code type}) to share outcomes with {@code agency}. */
    static OutboxEntry consent(String type, String learner, String consentId, String agency) {
        return consent(type, learner, consentId, agency, "OUTCOME_SHARING");
    }

    /** A consent (granted or withdrawn, by {@code type}) for {@code purpose} with {@code agency}. */
    static OutboxEntry consent(String type, String learner, String consentId, String agency, String purpose) {
        return learnerEvent(type, learner, Map.of("consentId", consentId, "agencyId", agency,
                "purpose", purpose, "grantedAt", now()));
    }

    /** A consent to share outcomes with every agency of a {@code kind}, not one agency (agencyId null). */
    static OutboxEntry kindConsent(String type, String learner, String consentId, String kind) {
        Map<String, Object> data = new HashMap<>(Map.of("consentId", consentId, "agencyKind", kind,
                "purpose", "OUTCOME_SHARING", "grantedAt", now()));
        data.put("agencyId", null);
        return learnerEvent(type, learner, data);
    }

    /** An ENROLLED milestone of {@code learner}, recorded by {@code recorder}. */
    static OutboxEntry milestone(String learner, String recorder) {
        return learnerEvent(MILESTONE, learner, Map.of("milestoneId", "mst-" + UUID.randomUUID(),
                "milestone", "ENROLLED", "occurredOn", "2026-11-20", "recordedByAgencyId", recorder,
                "recordedAt", now()));
    }

    /** A PLANNED step in {@code learner}'s plan, owned and added by {@code provider}. */
    static OutboxEntry planStepAdded(String learner, String provider) {
        return learnerEvent(STEP_ADDED, learner, Map.of("stepId", "stp-" + UUID.randomUUID(),
                "ownerAgencyId", provider, "status", "PLANNED", "dueOn", "2026-12-20",
                "addedByAgencyId", provider, "addedAt", now()));
    }

    /** An agency registry event (registered, updated) of {@code agency} of {@code kind}, timed in {@code timeField}. */
    static OutboxEntry agencyEvent(String type, String agency, String kind, String timeField) {
        return ReferralEvents.event(AGENCIES, type, agency, Map.of("agencyId", agency, "kind", kind,
                "sector", "PUBLIC", "acceptsDirectReferrals", true, timeField, now()));
    }

    /** The current instant, as the events carry it. */
    static String now() {
        return Instant.now().toString();
    }
}
