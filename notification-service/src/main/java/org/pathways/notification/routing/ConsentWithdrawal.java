package org.pathways.notification.routing;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.bson.Document;
import org.pathways.events.agency.AgencyKind;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.notification.feed.AgencyFeed;
import org.pathways.notification.feed.FeedEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * When a learner withdraws a consent, the agencies it covered keep of the learner's own events (milestones, lead and
 * plan events) only what they still have grounds for, as erasure does for every copy kept here ({@link
 * LearnerErasure}), at once when the withdrawal is consumed: a milestone while a consent to share outcomes still covers
 * the agency, a lead or plan event while any consent does; and, whatever their consents, the events of their own part
 * (the milestone they recorded, the step they own or changed, their own lead), and the agency that registered the
 * learner everything (it has standing whatever the consents; {@link LearnerRecords} keeps it). A learner whose
 * registration this service never saw (registered before it was kept) has no registering agency here, and every agency
 * the consent covered is judged on its consents alone: withheld rather than kept on a guess. The rest leaves the
 * agency's feed (its place becomes a gap readers pass over), and its webhook deliveries of them lose their body and are
 * never sent again ({@code withheldAt}; a pending or parked one is cancelled, redelivery is refused). Referral events
 * stay: they go to a referral's two parties, which the referral-service still tells of the referral's course.
 */
@Component
class ConsentWithdrawal {

    /** The fields by which a learner event names an agency's own part in it. */
    private static final List<String> OWN_PART = List.of("recordedByAgencyId", "addedByAgencyId",
            "changedByAgencyId", "assignedByAgencyId", "ownerAgencyId", "agencyId", "fromAgencyId", "toAgencyId");
    private static final String OUTCOME_SHARING = "OUTCOME_SHARING";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Logger log = LoggerFactory.getLogger(ConsentWithdrawal.class);

    private final MongoTemplate mongo;
    private final AgencyFeed feed;
    private final LearnerRecords learners;
    private final AgencyKinds agencyKinds;
    private final Clock clock;

    ConsentWithdrawal(MongoTemplate mongo, AgencyFeed feed, LearnerRecords learners, AgencyKinds agencyKinds,
                      Clock clock) {
        this.mongo = mongo;
        this.feed = feed;
        this.learners = learners;
        this.agencyKinds = agencyKinds;
        this.clock = clock;
    }

    /**
     * After a consent of {@code learnerId} (the record that carries the person on) to {@code agencyId} or to every
     * agency of {@code agencyKind} was withdrawn: withholds from the agencies it covered what they no longer have
     * grounds for. Repeatable (a withdrawal delivered again withholds nothing more).
     */
    void withhold(String learnerId, String agencyId, AgencyKind agencyKind) {
        LearnerRecords.LearnerRecord own = learners.of(learnerId);
        Set<String> subjects = new LinkedHashSet<>();
        subjects.add(learnerId);
        subjects.addAll(own.mergedIds());
        Set<String> consentIds = new LinkedHashSet<>(own.consentIds());
        Set<String> registering = new LinkedHashSet<>();
        registering.add(own.registeringAgencyId());
        if (!own.mergedIds().isEmpty()) {
            learners.of(own.mergedIds()).forEach(merged -> {
                consentIds.addAll(merged.consentIds());
                registering.add(merged.registeringAgencyId());
            });
        }
        registering.remove(null);
        Instant now = clock.instant();
        List<LearnerConsent> inForce = consentIds.isEmpty() ? List.of()
                : mongo.find(Query.query(Criteria.where("_id").in(consentIds)), LearnerConsent.class).stream()
                .filter(consent -> consent.active()
                        && (consent.expiresAt() == null || consent.expiresAt().isAfter(now))).toList();
        Grounds grounds = new Grounds(agencyId, agencyKind, inForce, registering);
        List<String> covered = agencyId != null ? List.of(agencyId) : agencyKinds.agenciesOfKind(agencyKind);
        Set<String> types = LearnerEventRouting.LEARNER_EVENT_TYPES;
        feed.withholdHeld(entry -> types.contains(entry.eventType()) && subjects.contains(entry.subject())
                && grounds.withheld(entry.agencyId(), entry.eventType(), entry.event()));
        long removed = feed.remove(covered, subjects, types,
                entry -> grounds.withheld(entry.agencyId(), entry.eventType(), entry.event()));
        int withheld = withholdDeliveries(covered, subjects, types, grounds, now);
        if (removed > 0 || withheld > 0) {
            log.info("A consent withdrawal took {} feed entries and {} webhook deliveries from the agencies it "
                    + "covered", removed, withheld);
        }
    }

    /**
     * The deliveries of the learner's events to the agencies the withdrawn consent covered: found by their body's
     * learner id, as erasure finds them (among the covered agencies' own, through their index); each changed under its
     * version, so an attempt under way cannot save over it
     * (it was sent before, and is not again).
     */
    private int withholdDeliveries(List<String> covered, Set<String> subjects, Set<String> types, Grounds grounds,
                                   Instant now) {
        if (covered.isEmpty()) {
            return 0;
        }
        String mentions = subjects.stream().map(id -> Pattern.quote("\"" + id + "\""))
                .collect(Collectors.joining("|"));
        Query query = Query.query(Criteria.where("agencyId").in(covered).and("eventType").in(types)
                .and("withheldAt").exists(false)
                .and("body").regex(mentions));
        int changed = 0;
        for (Document delivery : mongo.find(query, Document.class, "deliveries")) {
            String body = delivery.getString("body");
            String subject = subjectOf(body);
            if (subject == null || !subjects.contains(subject)
                    || !grounds.withheld(delivery.getString("agencyId"), delivery.getString("eventType"), body)) {
                continue;
            }
            Update update = new Update().set("body", "").set("withheldAt", now).unset("nextAttemptAt")
                    .unset("leaseUntil").unset("leaseOwner").inc("version", 1);
            if (!"DELIVERED".equals(delivery.getString("status"))) {
                update.set("status", "CANCELLED");
            }
            if (mongo.updateFirst(Query.query(Criteria.where("_id").is(delivery.get("_id"))
                    .and("version").is(delivery.get("version"))), update, "deliveries").getModifiedCount() == 0) {
                throw new IllegalStateException("A delivery changed while it was withheld; the event is retried");
            }
            changed++;
        }
        return changed;
    }

    private static String subjectOf(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode subject = JSON.readTree(body).get("subject");
        return subject != null && subject.isString() ? subject.asString() : null;
    }

    /** Which agencies the withdrawn consent covered, and what the consents still in force let each hear of. */
    private final class Grounds {

        private final String agencyId;
        private final AgencyKind agencyKind;
        private final List<LearnerConsent> inForce;
        private final Set<String> registering;
        private final Map<String, Optional<AgencyKind>> kinds = new HashMap<>();

        Grounds(String agencyId, AgencyKind agencyKind, List<LearnerConsent> inForce, Set<String> registering) {
            this.agencyId = agencyId;
            this.agencyKind = agencyKind;
            this.inForce = inForce;
            this.registering = registering;
        }

        /** Whether the learner event {@code event} (a CloudEvent) is withheld from {@code agency} now. */
        boolean withheld(String agency, String eventType, String event) {
            if (agency == null || !(agency.equals(agencyId) || (agencyKind != null && kind(agency) == agencyKind))
                    || registering.contains(agency)) {
                return false;
            }
            JsonNode data = JSON.readTree(event).get("data");
            if (data != null && OWN_PART.stream().map(data::get)
                    .anyMatch(named -> named != null && named.isString() && agency.equals(named.asString()))) {
                return false;
            }
            boolean milestone = LearnerEventRouting.MILESTONE_RECORDED.equals(eventType);
            return inForce.stream().noneMatch(consent -> (!milestone || OUTCOME_SHARING.equals(consent.purpose()))
                    && (agency.equals(consent.agencyId())
                    || (consent.agencyKind() != null && consent.agencyKind() == kind(agency))));
        }

        private AgencyKind kind(String agency) {
            return kinds.computeIfAbsent(agency, agencyKinds::kindOf).orElse(null);
        }
    }
}
