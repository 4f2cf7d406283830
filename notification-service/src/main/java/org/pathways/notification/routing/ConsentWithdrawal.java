package org.pathways.notification.routing;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import org.springframework.data.domain.Sort;
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
 *
 * <p>An agency whose kind changed is, for every learner who consented for its former kind, as if that consent were
 * withdrawn for it alone ({@link #kindChanged}): it keeps what it has other grounds for, a consent for its new kind
 * among them.
 */
@Component
class ConsentWithdrawal {

    /** The fields by which a learner event names an agency's own part in it. */
    private static final List<String> OWN_PART = List.of("recordedByAgencyId", "addedByAgencyId",
            "changedByAgencyId", "assignedByAgencyId", "ownerAgencyId", "agencyId", "fromAgencyId", "toAgencyId");
    private static final String OUTCOME_SHARING = "OUTCOME_SHARING";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Logger log = LoggerFactory.getLogger(ConsentWithdrawal.class);
    /** How many learners' grounds a kind change judges at once (see {@link #kindChanged}). */
    static final int LEARNERS_AT_ONCE = 500;
    /** Compare-and-sets of one delivery lost to its attempts in a row before a withholding gives up. */
    private static final int FENCE_ATTEMPTS = 5;

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
        Map<String, Grounds> bySubject = groundsOf(List.of(learnerId), agencyId, agencyKind);
        List<String> covered = agencyId != null ? List.of(agencyId) : agencyKinds.agenciesOfKind(agencyKind);
        Set<String> types = LearnerEventRouting.LEARNER_EVENT_TYPES;
        feed.withholdHeld(entry -> types.contains(entry.eventType()) && withheld(bySubject, entry));
        long removed = feed.remove(covered, bySubject.keySet(), types, entry -> withheld(bySubject, entry));
        String mentions = bySubject.keySet().stream().map(id -> Pattern.quote("\"" + id + "\""))
                .collect(Collectors.joining("|"));
        int withheld = covered.isEmpty() ? 0 : withholdDeliveries(Query.query(Criteria.where("agencyId").in(covered)
                .and("eventType").in(types).and("withheldAt").exists(false).and("body").regex(mentions)), bySubject);
        if (removed > 0 || withheld > 0) {
            log.info("A consent withdrawal took {} feed entries and {} webhook deliveries from the agencies it "
                    + "covered", removed, withheld);
        }
    }

    /**
     * After {@code agencyId}'s kind changed from {@code former}: a consent given to every agency of {@code former} no
     * longer covers it, so it keeps of the learners who gave one only what it still has other grounds for (as when
     * that consent is withdrawn: its own part, a consent of its own, one for its new kind). Off the learner events'
     * path, on the agency events' consumer: the learners are read from the consents of that kind in force (their
     * {@code kind_learner} index, learner ids only) and taken {@link #LEARNERS_AT_ONCE} at a time, each run a few
     * reads by {@code _id} and one read of the agency's feed by its {@code agency_subject} index; the agency's
     * deliveries of learner events are read once, up front. Repeatable: what was withheld is not found again.
     */
    void kindChanged(String agencyId, AgencyKind former) {
        Set<String> types = LearnerEventRouting.LEARNER_EVENT_TYPES;
        // The agency's deliveries of learner events not withheld yet, by the learner they are about (ids only kept).
        Map<String, List<Object>> deliveries = new HashMap<>();
        Query ofAgency = Query.query(Criteria.where("agencyId").is(agencyId).and("eventType").in(types)
                .and("withheldAt").exists(false));
        ofAgency.fields().include("body");
        mongo.stream(ofAgency, Document.class, "deliveries").forEach(delivery -> {
            String subject = subjectOf(delivery.getString("body"));
            if (subject != null) {
                deliveries.computeIfAbsent(subject, s -> new ArrayList<>()).add(delivery.get("_id"));
            }
        });
        Query ofKind = Query.query(Criteria.where("agencyKind").is(former.name()).and("active").is(true))
                .with(Sort.by("learnerId"));
        ofKind.fields().include("learnerId").exclude("_id");
        long removed = 0;
        int withheld = 0;
        Set<String> run = new LinkedHashSet<>();
        try (var consents = mongo.stream(ofKind, Document.class, mongo.getCollectionName(LearnerConsent.class))) {
            for (var it = consents.iterator(); it.hasNext(); ) {
                if (it.next().get("learnerId") instanceof String learnerId) {
                    run.add(learnerId);
                }
                if (run.size() == LEARNERS_AT_ONCE || (!it.hasNext() && !run.isEmpty())) {
                    Map<String, Grounds> bySubject = groundsOf(run, agencyId, null);
                    removed += feed.remove(List.of(agencyId), bySubject.keySet(), types,
                            entry -> withheld(bySubject, entry));
                    List<Object> ids = bySubject.keySet().stream()
                            .flatMap(subject -> deliveries.getOrDefault(subject, List.of()).stream()).toList();
                    if (!ids.isEmpty()) {
                        withheld += withholdDeliveries(Query.query(Criteria.where("_id").in(ids)
                                .and("withheldAt").exists(false)), bySubject);
                    }
                    run.clear();
                }
            }
        }
        if (removed > 0 || withheld > 0) {
            log.info("A change of an agency's kind took {} feed entries and {} webhook deliveries that only a consent "
                    + "for its former kind had let it hear", removed, withheld);
        }
    }

    /**
     * What each of these learners' (and the records merged into them) consents in force still let hear, under the
     * learner ids their events name; the withdrawn consent covered {@code agencyId} or every agency of
     * {@code agencyKind}. All read by {@code _id}: the learners' records, those merged into them, their consents.
     */
    private Map<String, Grounds> groundsOf(Collection<String> learnerIds, String agencyId, AgencyKind agencyKind) {
        List<LearnerRecords.LearnerRecord> records = learners.of(learnerIds);
        Map<String, LearnerRecords.LearnerRecord> merged = new HashMap<>();
        Set<String> mergedIds = records.stream().flatMap(r -> r.mergedIds().stream()).collect(Collectors.toSet());
        if (!mergedIds.isEmpty()) {
            learners.of(mergedIds).forEach(r -> merged.put(r.learnerId(), r));
        }
        Map<String, Set<String>> consentIdsOf = new LinkedHashMap<>();
        Map<String, Set<String>> subjectsOf = new LinkedHashMap<>();
        // The agencies that registered the learner or a record merged into it: standing whatever the consents.
        Map<String, Set<String>> registeringOf = new HashMap<>();
        for (String learnerId : learnerIds) {
            subjectsOf.put(learnerId, new LinkedHashSet<>(Set.of(learnerId)));
            consentIdsOf.put(learnerId, new LinkedHashSet<>());
        }
        for (LearnerRecords.LearnerRecord own : records) {
            Set<String> subjects = subjectsOf.computeIfAbsent(own.learnerId(), id -> new LinkedHashSet<>(Set.of(id)));
            Set<String> consentIds = consentIdsOf.computeIfAbsent(own.learnerId(), id -> new LinkedHashSet<>());
            Set<String> registering = registeringOf.computeIfAbsent(own.learnerId(), id -> new HashSet<>());
            subjects.addAll(own.mergedIds());
            consentIds.addAll(own.consentIds());
            registering.add(own.registeringAgencyId());
            own.mergedIds().stream().map(merged::get).filter(java.util.Objects::nonNull).forEach(r -> {
                consentIds.addAll(r.consentIds());
                registering.add(r.registeringAgencyId());
            });
            registering.remove(null);
        }
        Set<String> allConsentIds = consentIdsOf.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
        Instant now = clock.instant();
        Map<String, LearnerConsent> inForce = new HashMap<>();
        if (!allConsentIds.isEmpty()) {
            mongo.find(Query.query(Criteria.where("_id").in(allConsentIds)), LearnerConsent.class).stream()
                    .filter(consent -> consent.active()
                            && (consent.expiresAt() == null || consent.expiresAt().isAfter(now)))
                    .forEach(consent -> inForce.put(consent.consentId(), consent));
        }
        Map<String, Optional<AgencyKind>> kinds = new HashMap<>();
        Map<String, Grounds> bySubject = new LinkedHashMap<>();
        subjectsOf.forEach((learnerId, subjects) -> {
            Grounds grounds = new Grounds(agencyId, agencyKind, consentIdsOf.get(learnerId).stream()
                    .map(inForce::get).filter(java.util.Objects::nonNull).toList(), kinds,
                    registeringOf.getOrDefault(learnerId, Set.of()));
            subjects.forEach(subject -> bySubject.put(subject, grounds));
        });
        return bySubject;
    }

    private static boolean withheld(Map<String, Grounds> bySubject, FeedEntry entry) {
        Grounds grounds = bySubject.get(entry.subject());
        return grounds != null && grounds.withheld(entry.agencyId(), entry.eventType(), entry.event());
    }

    /**
     * Withholds the deliveries {@code query} finds that are about a learner of {@code bySubject} and no longer have
     * grounds (found by their body's learner id, as erasure finds them); each changed under its version, so an attempt
     * under way cannot save over it (it was sent before, and is not again).
     */
    private int withholdDeliveries(Query query, Map<String, Grounds> bySubject) {
        Instant now = clock.instant();
        int changed = 0;
        for (Document found : mongo.find(query, Document.class, "deliveries")) {
            // An attempt that saved the delivery meanwhile lost the race to nothing: read it again and withhold that.
            Document delivery = found;
            for (int attempt = 1; delivery != null && delivery.get("withheldAt") == null; attempt++) {
                String body = delivery.getString("body");
                Grounds grounds = bySubject.get(subjectOf(body));
                if (grounds == null
                        || !grounds.withheld(delivery.getString("agencyId"), delivery.getString("eventType"), body)) {
                    break;
                }
                Update update = new Update().set("body", "").set("withheldAt", now).unset("nextAttemptAt")
                        .unset("leaseUntil").unset("leaseOwner").inc("version", 1);
                if (!"DELIVERED".equals(delivery.getString("status"))) {
                    update.set("status", "CANCELLED");
                }
                Query byId = Query.query(Criteria.where("_id").is(delivery.get("_id")));
                if (mongo.updateFirst(Query.query(Criteria.where("_id").is(delivery.get("_id"))
                        .and("version").is(delivery.get("version"))), update, "deliveries").getModifiedCount() == 1) {
                    changed++;
                    break;
                }
                if (attempt == FENCE_ATTEMPTS) {
                    throw new IllegalStateException("A delivery kept changing while it was withheld; the event is "
                            + "retried");
                }
                delivery = mongo.findOne(byId, Document.class, "deliveries");
            }
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
        private final Map<String, Optional<AgencyKind>> kinds;
        private final Set<String> registering;

        Grounds(String agencyId, AgencyKind agencyKind, List<LearnerConsent> inForce,
                Map<String, Optional<AgencyKind>> kinds, Set<String> registering) {
            this.agencyId = agencyId;
            this.agencyKind = agencyKind;
            this.inForce = inForce;
            this.kinds = kinds;
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
