package org.pathways.notification.routing;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.pathways.events.agency.AgencyKind;
import org.pathways.messaging.agency.AgencyKindChangeListener;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.messaging.inbox.AppliedEvents;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.notification.delivery.WebhookFanOut;
import org.pathways.notification.config.NotificationProperties;
import org.pathways.notification.email.EmailNotifications;
import org.pathways.notification.feed.AgencyFeed;
import org.pathways.notification.inapp.WorkerInbox;
import org.pathways.notification.subscription.Subscriptions;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.messaging.Message;
import tools.jackson.databind.JsonNode;

/**
 * Learner events: consents and the registering agency are kept as a local read model, and a learner's milestones go to
 * the agencies the learner consented to share outcomes with ({@code OUTCOME_SHARING}, active and unexpired), to the
 * agency that registered the learner and to the agency that recorded it; no other agency hears of them. A merged
 * learner's consents and referrals count for the surviving learner ({@link LearnerAliases}). The team's lead and plan
 * events go to the team ({@link TeamRouting}). A withdrawn consent takes from the agencies it covered the learner's
 * events they no longer have grounds for ({@link ConsentWithdrawal}). An erased learner's consents are forgotten and
 * the copies of events this service keeps are pseudonymised. Types are matched by name, so this does not depend on
 * which event-contracts version knows them.
 */
@Configuration
public class LearnerEventRouting {

    static final String HANDLER = "learner-events";
    static final String REGISTERED = "org.pathways.learner.registered.v1";
    static final String CONSENT_GRANTED = "org.pathways.learner.consent-granted.v1";
    static final String CONSENT_WITHDRAWN = "org.pathways.learner.consent-withdrawn.v1";
    static final String MILESTONE_RECORDED = "org.pathways.learner.milestone-recorded.v1";
    static final String ERASED = "org.pathways.learner.erased.v1";
    static final String MERGED = "org.pathways.learner.merged.v1";
    /** The learner's own events this service routes to agencies: milestones and the team's lead and plan events. */
    static final Set<String> LEARNER_EVENT_TYPES = java.util.stream.Stream.concat(
            java.util.stream.Stream.of(MILESTONE_RECORDED), TeamRouting.TYPES.stream())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
    private static final String OUTCOME_SHARING = "OUTCOME_SHARING";
    private static final String CONSENTS = "learner_consents";
    private static final Logger log = LoggerFactory.getLogger(LearnerEventRouting.class);

    private final MongoTemplate mongo;
    private final AgencyFeed feed;
    private final WebhookFanOut fanOut;
    private final LearnerErasure erasure;
    private final AgencyKinds agencyKinds;
    private final LearnerAliases aliases;
    private final LearnerRecords learners;
    private final TeamRouting team;
    private final Clock clock;
    private final AppliedEvents applied;
    private final ConsentWithdrawal withdrawal;

    LearnerEventRouting(MongoTemplate mongo, AgencyFeed feed, WebhookFanOut fanOut, LearnerErasure erasure,
                        AgencyKinds agencyKinds, LearnerAliases aliases, LearnerRecords learners, TeamRouting team,
                        Clock clock, AppliedEvents applied, ConsentWithdrawal withdrawal) {
        this.applied = applied;
        this.withdrawal = withdrawal;
        this.mongo = mongo;
        this.learners = learners;
        this.team = team;
        this.aliases = aliases;
        this.agencyKinds = agencyKinds;
        this.feed = feed;
        this.fanOut = fanOut;
        this.erasure = erasure;
        this.clock = clock;
    }

    /**
     * A batch consumer: the subscriptions and workers' preferences of the agencies the batch names read once, its
     * feed entries and notices written at its end ({@link RoutedBatch}); consents, merges and erasures are written as
     * each event is handled, so that the events after them in the batch see them.
     */
    @Bean
    Consumer<Message<java.util.List<byte[]>>> learnerEvents(EventInbox inbox, WorkerInbox workerInbox,
                                                            EmailNotifications emails, Subscriptions subscriptions,
                                                            NotificationProperties properties) {
        return inbox.batchConsumerWithRecord(HANDLER, this::route, new RoutedBatch(feed, workerInbox, emails,
                subscriptions, properties, BatchScope.NONE));
    }

    /**
     * An agency whose kind changed is no longer covered by the consents for its former kind: it keeps of those
     * learners' events only what it has other grounds for ({@link ConsentWithdrawal#kindChanged}). Told on the agency
     * events' consumer, after the new kind is recorded (so the grounds are judged on it); an agency that had no known
     * kind was covered by no kind consent.
     */
    @Bean
    AgencyKindChangeListener learnerEventsFollowAgencyKind() {
        return (agencyId, before, after) -> {
            if (before != null) {
                withdrawal.kindChanged(agencyId, before);
            }
        };
    }

    void route(ReceivedEvent event, byte[] record) {
        if (!ResourceId.FORMAT.matcher(event.id()).matches()) {
            throw new MalformedEventException("An event id outside the published id pattern");
        }
        switch (event.type()) {
            case REGISTERED -> {
                JsonNode data = event.data(JsonNode.class);
                String learnerId = id(data, "learnerId");
                String registeringAgencyId = id(data, "registeringAgencyId");
                if (learnerId == null || registeringAgencyId == null) {
                    log.info("Registration event {} lacks a learner or agency id: ignored", event.id());
                } else {
                    // Under the learner that carries the person on: a merge is made by the agency that registered
                    // both records, so it is the survivor's registering agency too.
                    learners.registeredBy(aliases.current(learnerId), registeringAgencyId);
                }
            }
            case CONSENT_GRANTED, CONSENT_WITHDRAWN -> consent(event);
            case MILESTONE_RECORDED -> milestone(event, record);
            case MERGED -> {
                JsonNode data = event.data(JsonNode.class);
                String retired = id(data, "learnerId");
                String surviving = id(data, "survivingLearnerId");
                if (retired == null || surviving == null) {
                    log.info("Merge event {} lacks a learner id: ignored", event.id());
                } else {
                    Instant mergedAt = instant(data, "mergedAt");
                    aliases.merge(retired, surviving, id(data, "registeringAgencyId"),
                            mergedAt != null ? mergedAt : event.time());
                }
            }
            case ERASED -> {
                String learnerId = id(event.data(JsonNode.class), "learnerId");
                if (learnerId != null) {
                    // The records merged into the learner are the same person's: erased with it.
                    Set<String> ids = aliases.forget(learnerId);
                    Set<String> consents = new LinkedHashSet<>();
                    Set<String> referrals = new LinkedHashSet<>();
                    learners.of(ids).forEach(kept -> {
                        consents.addAll(kept.consentIds());
                        referrals.addAll(kept.referralIds());
                    });
                    if (!consents.isEmpty()) {
                        mongo.remove(Query.query(Criteria.where("_id").in(consents)), LearnerConsent.class);
                    }
                    if (!referrals.isEmpty()) {
                        mongo.updateMulti(Query.query(Criteria.where("_id").in(referrals)),
                                new Update().unset("learnerId"), ReferralParties.class);
                    }
                    learners.forget(ids);
                    ids.forEach(erasure::pseudonymise);
                    team.erase(ids, LearnerErasure.ERASED);
                }
            }
            case TeamRouting.LEAD_ASSIGNED, TeamRouting.LEAD_HANDED_OVER, TeamRouting.LEAD_ENDED,
                 TeamRouting.STEP_ADDED, TeamRouting.STEP_CHANGED, TeamRouting.STEP_OVERDUE ->
                    team.route(event, ReferralEventRouting.utf8(event, record));
            default -> log.debug("Not routing event {} of type {}", event.id(), event.type());
        }
    }

    /** A consent for one agency, or (agencyId null) for every agency of a kind; anything else is ignored. */
    private void consent(ReceivedEvent event) {
        JsonNode data = event.data(JsonNode.class);
        String consentId = id(data, "consentId");
        // A consent recorded for a learner merged away belongs to the learner that carries the person on.
        String learnerId = aliases.current(id(data, "learnerId"));
        String agencyId = id(data, "agencyId");
        AgencyKind agencyKind = kind(data);
        if (consentId == null || learnerId == null || (agencyId == null) == (agencyKind == null)) {
            log.info("Consent event {} lacks ids, or names both or neither of an agency and a kind: ignored",
                    event.id());
            return;
        }
        // With the event's id in the same write: delivered again after a crash before the inbox's mark, it writes
        // nothing (AppliedEvents).
        applied.applyOnce(CONSENTS, consentId, event.id(), new Update()
                .set("learnerId", learnerId)
                .set("agencyId", agencyId)
                .set("agencyKind", agencyKind == null ? null : agencyKind.name())
                .set("purpose", id(data, "purpose"))
                .set("expiresAt", instant(data, "expiresAt"))
                .set("active", CONSENT_GRANTED.equals(event.type())), true);
        learners.addConsent(learnerId, consentId);
        if (CONSENT_WITHDRAWN.equals(event.type())) {
            // After the consent is written: what the agencies it covered keep is judged on the consents left.
            withdrawal.withhold(learnerId, agencyId, agencyKind);
        }
    }

    /**
     * The recording agency, the agency that registered the learner (known from its registration or a merge; it has
     * standing whatever the consents), every agency with an active, unexpired outcome-sharing consent of its own,
     * and, for a consent given to an agency kind, every agency of that kind that is party to one of the learner's
     * referrals (not every agency of the kind in the partnership: only those the learner has dealt with).
     */
    private void milestone(ReceivedEvent event, byte[] record) {
        JsonNode data = event.data(JsonNode.class);
        String learnerId = id(data, "learnerId");
        Set<String> concerned = new LinkedHashSet<>();
        concerned.add(id(data, "recordedByAgencyId"));
        if (learnerId != null) {
            var now = clock.instant();
            // The learner's own consents and referrals and those of every record merged into it (normally folded
            // into its own at the merge; still listed under a retired id if an event for it raced the merge), all
            // read by _id through the learner's record.
            LearnerRecords.LearnerRecord own = learners.of(aliases.current(learnerId));
            Set<String> consentIds = new LinkedHashSet<>(own.consentIds());
            Set<String> referralIds = new LinkedHashSet<>(own.referralIds());
            concerned.add(own.registeringAgencyId());
            if (!own.mergedIds().isEmpty()) {
                learners.of(own.mergedIds()).forEach(merged -> {
                    consentIds.addAll(merged.consentIds());
                    referralIds.addAll(merged.referralIds());
                    concerned.add(merged.registeringAgencyId());
                });
            }
            Set<AgencyKind> kinds = EnumSet.noneOf(AgencyKind.class);
            byIds(consentIds, LearnerConsent.class).stream()
                    .filter(c -> c.active() && OUTCOME_SHARING.equals(c.purpose()))
                    .filter(c -> c.expiresAt() == null || c.expiresAt().isAfter(now))
                    .forEach(c -> {
                        if (c.agencyId() != null) {
                            concerned.add(c.agencyId());
                        } else if (c.agencyKind() != null) {
                            kinds.add(c.agencyKind());
                        }
                    });
            if (!kinds.isEmpty()) {
                concerned.addAll(partiesOfKinds(referralIds, kinds));
            }
        }
        concerned.remove(null);
        String body = ReferralEventRouting.utf8(event, record);
        concerned.forEach(agency -> feed.append(agency, event, body));
        fanOut.fanOut(event, concerned, body);
    }

    /** The agencies party to the learner's referrals whose kind (as the agency events told it) is one of these. */
    private Set<String> partiesOfKinds(Set<String> referralIds, Set<AgencyKind> kinds) {
        Set<String> parties = new LinkedHashSet<>();
        byIds(referralIds, ReferralParties.class).forEach(p -> {
            parties.add(p.referringAgencyId());
            parties.add(p.receivingAgencyId());
        });
        parties.remove(null);
        Map<String, AgencyKind> known = agencyKinds.kindsOf(parties);
        parties.removeIf(agency -> !kinds.contains(known.get(agency)));
        return parties;
    }

    private <T> java.util.List<T> byIds(Set<String> ids, Class<T> type) {
        return ids.isEmpty() ? java.util.List.of() : mongo.find(Query.query(Criteria.where("_id").in(ids)), type);
    }

    private static AgencyKind kind(JsonNode data) {
        JsonNode value = data == null ? null : data.get("agencyKind");
        if (value == null || !value.isString()) {
            return null;
        }
        try {
            return AgencyKind.valueOf(value.asString());
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static Instant instant(JsonNode data, String name) {
        JsonNode value = data == null ? null : data.get(name);
        try {
            return value != null && value.isString() ? Instant.parse(value.asString()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String id(JsonNode data, String name) {
        return ReferralEventRouting.idField(data, name, null);
    }
}
