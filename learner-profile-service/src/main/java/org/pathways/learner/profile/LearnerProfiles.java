package org.pathways.learner.profile;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.pathways.events.learner.LearnerLinked;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.ProfileField;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.matching.NameSimilarity;
import org.pathways.learner.matching.PersonName;
import org.pathways.learner.relationship.ReferralRelationship;
import org.pathways.learner.relationship.ReferralRelationships;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/** Registers, updates, links and erases learners, and finds them for the agencies allowed to see them. */
@Service
public class LearnerProfiles {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LearnerProfiles.class);

    private static final int MAX_CANDIDATES = 10;
    private static final int ATTEMPTS = 3;

    private final LearnerRepository learners;
    private final MongoTemplate mongo;
    private final Outbox outbox;
    private final AccessAudit audit;
    private final AgencyKinds agencies;
    private final ReferralRelationships relationships;
    private final DuplicateMatches duplicateMatches;
    private final List<ErasureStep> erasureSteps;
    private final Clock clock;

    LearnerProfiles(LearnerRepository learners, MongoTemplate mongo, Outbox outbox, AccessAudit audit,
                    AgencyKinds agencies, ReferralRelationships relationships, DuplicateMatches duplicateMatches,
                    List<ErasureStep> erasureSteps, Clock clock) {
        this.learners = learners;
        this.mongo = mongo;
        this.outbox = outbox;
        this.audit = audit;
        this.agencies = agencies;
        this.relationships = relationships;
        this.duplicateMatches = duplicateMatches;
        this.erasureSteps = List.copyOf(erasureSteps);
        this.clock = clock;
    }

    /**
     * Registers a learner unless they look like someone already registered anywhere in the partnership: then the
     * answer is a {@code 409 possible-duplicate} listing the candidates, and the worker either opens or links one it
     * may see, asks the agency holding one it may not see to link it (with the candidate's match token, after
     * registering), or registers again with {@code confirmNotDuplicate}. A candidate the caller may not see is
     * never named: no id, name or date of birth, not even its agency.
     */
    Learner register(Caller caller, RegisterLearner details, AccessRequest access) {
        requireWorkerOrSystem(caller);
        Learner learner = Learner.register(details, caller.agencyId(), caller.userId(), clock.instant());
        if (!details.confirmedNotDuplicate()) {
            List<Match> matches = likelyMatches(learner, caller.agencyId());
            if (!matches.isEmpty()) {
                // Telling this worker a record exists is itself a disclosure about that person: audit it.
                matches.forEach(match -> audit.record(caller, match.learner().id(), AccessAction.DUPLICATE_MATCH,
                        access, match.visible() ? match.grounds() : List.of()));
                List<DuplicateCandidate> candidates = matches.stream().map(match -> match.visible()
                        ? DuplicateCandidate.visible(match.learner().id(), match.matchedOn())
                        : DuplicateCandidate.hidden(duplicateMatches.issue(caller.agencyId(), match.learner().id(),
                        match.matchedOn()), match.matchedOn())).toList();
                throw ProblemException.conflict("possible-duplicate",
                        "This person may already be registered. Open or link a record your agency can see; for "
                                + "one it cannot, register this person with \"confirmNotDuplicate\": true and then "
                                + "ask that record's agency to link them (POST /api/learners/{yourRecord}/link-requests "
                                + "with the candidate's matchToken); or confirm that this is someone else.",
                        Map.of("candidates", candidates));
            }
        }
        return outbox.save(learner, learner.registeredEvent());
    }

    /** A likely duplicate, and whether (and on what grounds) the caller's agency may see it. */
    record Match(Learner learner, Set<String> matchedOn, boolean visible, List<String> grounds) {
    }

    /**
     * Everyone born the same day with a similar name, and anyone with the same e-mail address or phone number,
     * across every agency (erased records have no details left to match).
     */
    List<Match> likelyMatches(Learner learner, String callerAgency) {
        List<Criteria> any = new ArrayList<>();
        any.add(Criteria.where("dateOfBirth").is(learner.dateOfBirth().toString()));
        if (learner.emailKey() != null) {
            any.add(Criteria.where("emailKey").is(learner.emailKey()));
        }
        if (learner.phoneKey() != null) {
            any.add(Criteria.where("phoneKey").is(learner.phoneKey()));
        }
        Query query = Query.query(new Criteria().orOperator(any)).limit(500);
        PersonName name = learner.name();
        Instant now = clock.instant();
        Map<String, Match> candidates = new LinkedHashMap<>();
        for (Learner other : mongo.find(query, Learner.class)) {
            if (other.isErased() || other.mergedInto() != null || other.id().equals(learner.id())) {
                continue;
            }
            Set<String> matchedOn = new LinkedHashSet<>();
            if (learner.dateOfBirth().equals(other.dateOfBirth()) && NameSimilarity.similar(name, other.name())) {
                matchedOn.add("DATE_OF_BIRTH_AND_NAME");
            }
            if (learner.emailKey() != null && learner.emailKey().equals(other.emailKey())) {
                matchedOn.add("EMAIL");
            }
            if (learner.phoneKey() != null && learner.phoneKey().equals(other.phoneKey())) {
                matchedOn.add("PHONE");
            }
            if (!matchedOn.isEmpty() && candidates.size() < MAX_CANDIDATES) {
                Sharing sharing = other.sharingWith(viewer(callerAgency, other), now);
                candidates.put(other.id(), new Match(other, Set.copyOf(matchedOn), sharing.any(), sharing.grounds()));
            }
        }
        return List.copyOf(candidates.values());
    }

    /**
     * Replaces the learner's details if {@code expectedVersion} is still current (else {@code 409}), and publishes
     * which parts changed. An agency other than the registering one may change only the parts it may see (else
     * {@code 403 field-not-shared}). The change is audited before it is saved (the answer shows the profile): if
     * the audit cannot be written, nothing is saved.
     */
    Access update(Caller caller, String learnerId, Long expectedVersion, java.util.function.Function<Learner,
            UpdateLearner> details, AccessRequest request) {
        requireWorkerOrSystem(caller);
        if (expectedVersion == null) {
            throw new ProblemException(org.springframework.http.HttpStatus.PRECONDITION_REQUIRED, "version-required",
                    "Send the version you read, as If-Match or as \"version\", so no one's change is lost.");
        }
        Access access = access(caller, learnerId);
        Learner learner = access.learner();
        if (!expectedVersion.equals(learner.version())) {
            throw new OptimisticLockingFailureException("Learner " + learnerId + " changed since it was read");
        }
        Optional<LearnerProfileUpdated> updated = learner.update(details.apply(learner), caller.agencyId(),
                clock.instant());
        List<ProfileField> notShared = updated.stream().flatMap(event -> event.changedFields().stream())
                .filter(field -> !access.sharing().mayChange(field)).toList();
        if (!notShared.isEmpty()) {
            throw new ProblemException(org.springframework.http.HttpStatus.FORBIDDEN, "field-not-shared",
                    "Your agency may change only what it may see of this learner; not " + notShared
                            + " (with PATCH, send only the fields you mean to change).");
        }
        audit.record(caller, learnerId, AccessAction.UPDATE_PROFILE, request, access.grounds());
        Learner saved = outbox.save(learner, updated.stream().toList());
        return new Access(saved, access.viewer(), access.sharing());
    }

    /**
     * Links two records of the same person, both ways, without merging them, and publishes the link on each. The
     * caller must be able to see both records (a record it may not see answers {@code 404}, like one that does not
     * exist, and nothing is written); for a record it may not see, it asks that record's agency instead (a link
     * request). A record that was merged away stands for the record it was merged into, so the link lands on a
     * record that is still kept up to date, which the caller must be able to see too; the answer never names that
     * record to an agency that may not see links. A link opens neither record to anyone. A link found one-way (a
     * failure between the two writes) is completed by linking again.
     */
    Access link(Caller caller, String learnerId, String otherLearnerId, AccessRequest request) {
        requireWorker(caller);
        Access access = access(caller, learnerId);
        Learner learner = access.learner();
        if (otherLearnerId.equals(learner.id())) {
            throw ProblemException.unprocessable("link-to-itself", "A learner cannot be linked to their own record.");
        }
        Learner other = find(otherLearnerId)
                .filter(found -> seenBy(caller, otherLearnerId) && seenBy(caller, found.id()))
                .orElseThrow(() -> ProblemException.notFound("learner", otherLearnerId));
        // A link is written into both records: an agency that only reads one of them (through a referral it
        // receives) asks its registering agency instead.
        if (access.sharing().readOnly() || readOnlyFor(caller, otherLearnerId) || readOnlyFor(caller, other.id())) {
            throw Sharing.readOnlyAccess();
        }
        if (other.id().equals(learner.id()) || (learner.isLinkedTo(other.id()) && other.isLinkedTo(learner.id()))) {
            throw ProblemException.conflict("already-linked", "These records are already linked.",
                    Map.of("learnerId", learnerId, "otherLearnerId", otherLearnerId));
        }
        // The answer shows the profile: audited before anything is written or answered.
        audit.record(caller, learner.id(), AccessAction.READ_PROFILE, request, access.grounds());
        Instant now = clock.instant();
        Learner saved = addLink(learner, other.id(), caller, now);
        addLink(other, learner.id(), caller, now);
        return new Access(saved, access.viewer(), access.sharing());
    }

    /**
     * Links {@code requesterRecord} and {@code ownRecord} both ways on a link request the caller's agency (which
     * registered {@code ownRecord}) accepted; neither record opens to the other's agency. Linking again adds
     * nothing, so an acceptance interrupted between the two writes is completed by accepting again.
     */
    public void linkOnRequest(Caller caller, Learner ownRecord, Learner requesterRecord) {
        requireWorker(caller);
        Instant now = clock.instant();
        addLink(ownRecord, requesterRecord.id(), caller, now);
        addLink(requesterRecord, ownRecord.id(), caller, now);
    }

    /** Whether the caller's agency sees {@code learnerId} now only to read it (through referrals it receives). */
    private boolean readOnlyFor(Caller caller, String learnerId) {
        return learners.findById(learnerId).map(learner -> learner.sharingWith(viewer(caller.agencyId(), learner),
                clock.instant()).readOnly()).orElse(true);
    }

    /** Whether the caller's agency may see {@code learnerId} now. */
    private boolean seenBy(Caller caller, String learnerId) {
        return learners.findById(learnerId).filter(learner -> learner.sharingWith(viewer(caller.agencyId(), learner),
                clock.instant()).any()).isPresent();
    }

    /**
     * The profile as the caller's agency may see it. Links are shown to the registering agency, and only to records
     * that it may see too; the others are only counted ({@code otherLinkedRecords}), so a link made on another
     * agency's request never names that agency's record.
     */
    public LearnerView view(Caller caller, Access access) {
        Set<String> open = new java.util.HashSet<>();
        if (access.sharing().registering()) {
            access.learner().links().stream().map(LearnerLink::learnerId)
                    .filter(linked -> seenBy(caller, linked)).forEach(open::add);
        }
        return LearnerView.forAgency(access.learner(), access.viewer(), access.sharing(), open, clock.instant());
    }

    /**
     * Adds the link {@code from} → {@code to} with its event unless it is there already; a concurrent change to
     * {@code from} is retried on a fresh read.
     */
    private Learner addLink(Learner from, String to, Caller caller, Instant now) {
        for (int attempt = 1; ; attempt++) {
            if (from.isLinkedTo(to)) {
                return from;
            }
            LearnerLinked linked = from.linkTo(to, caller.agencyId(), caller.userId(), now);
            try {
                return outbox.save(from, linked);
            } catch (OptimisticLockingFailureException raced) {
                if (attempt >= ATTEMPTS) {
                    throw raced;
                }
                from = learners.findById(from.id()).orElseThrow();
            }
        }
    }

    /**
     * Explicit merge of two records of one person that the caller's agency registered both of: {@code otherId} is
     * folded into {@code learnerId} and retired, both histories kept. Records registered by different agencies are
     * linked, never merged: each agency stays responsible for its own record.
     */
    Access merge(Caller caller, String learnerId, String otherId, AccessRequest request) {
        requireWorker(caller);
        Learner survivor = visibleTo(caller, learnerId);
        if (!survivor.isRegisteredBy(caller.agencyId())) {
            throw ProblemException.notFound("learner", learnerId);
        }
        Learner other = registeredBy(caller, otherId);
        if (other.isErased()) {
            throw ProblemException.notFound("learner", otherId);
        }
        audit.record(caller, survivor.id(), AccessAction.READ_PROFILE, request,
                List.of(Sharing.REGISTERING_AGENCY));
        Instant now = clock.instant();
        Learner saved = outbox.save(survivor, survivor.absorb(other, caller.agencyId(), caller.userId(), now));
        Access access = new Access(saved, Viewer.registering(caller.agencyId()),
                saved.sharingWith(Viewer.registering(caller.agencyId()), now));
        outbox.save(other, other.retireInto(saved, now));
        // The survivor took over the other's links: link back from each record it now links to, so that every
        // link stays two-way.
        for (LearnerLink link : saved.links()) {
            learners.findById(link.learnerId())
                    .filter(linked -> !linked.isErased() && linked.mergedInto() == null)
                    .ifPresent(linked -> addLink(linked, saved.id(), caller, now));
        }
        return access;
    }

    /** The outcome of an erasure: the tombstone, and whether it was there before this request. */
    record Erased(Learner learner, boolean already) {
    }

    /**
     * Right to erasure, exercised through a worker of the registering agency. Records merged into this one (and
     * into those) hold the same person's data and are erased with it. Each record is erased in one atomic write with
     * its {@code learner.erased} event (so the event is published once per record); an erasure interrupted between
     * records is finished by asking again: a repeat on an erased learner erases whatever is left and answers that
     * it is done.
     */
    Erased erase(Caller caller, String learnerId) {
        requireWorker(caller);
        Learner learner = registeredBy(caller, learnerId);
        boolean already = learner.isErased();
        Instant now = clock.instant();
        Learner erased = eraseOne(learner, caller.agencyId(), now);
        List<String> erasedIds = new ArrayList<>();
        java.util.Deque<String> pending = new java.util.ArrayDeque<>(List.of(erased.id()));
        while (!pending.isEmpty()) {
            String id = pending.pop();
            if (erasedIds.contains(id)) {
                continue;
            }
            erasedIds.add(id);
            Learner record = id.equals(erased.id()) ? erased
                    : learners.findById(id).map(found -> eraseOne(found, caller.agencyId(), now)).orElse(null);
            if (record != null) {
                record.mergedFrom().forEach(merged -> pending.push(merged.learnerId()));
            }
        }
        relationships.forget(erasedIds);
        duplicateMatches.forget(erasedIds);
        erasureSteps.forEach(step -> step.forget(erasedIds));
        if (!already) {
            LOG.info("Erased a learner at their request ({} record(s))", erasedIds.size());
        }
        return new Erased(erased, already);
    }

    /** Erases one record unless it is erased already; a concurrent change is retried on a fresh read. */
    private Learner eraseOne(Learner record, String agencyId, Instant now) {
        for (int attempt = 1; ; attempt++) {
            if (record.isErased()) {
                return record;
            }
            try {
                return outbox.save(record, record.erase(agencyId, now));
            } catch (OptimisticLockingFailureException raced) {
                if (attempt >= ATTEMPTS) {
                    throw raced;
                }
                record = learners.findById(record.id()).orElseThrow();
            }
        }
    }

    /**
     * The learner, if the caller's agency may see it now. Anyone else gets the same answer as for an id that does
     * not exist, so that a profile's existence does not leak; the registering agency learns that it was erased.
     */
    public Learner visibleTo(Caller caller, String learnerId) {
        return access(caller, learnerId).learner();
    }

    /**
     * {@link #visibleTo}, with what the caller's agency may see and why. Personal data is for the people who work
     * with the learner: an agency's workers and its own systems. Its coordinators, administrators and platform
     * administrators get the same answer as outsiders (they see aggregates and metadata elsewhere).
     */
    public Access access(Caller caller, String learnerId) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.notFound("learner", learnerId);
        }
        Learner learner = learners.findById(learnerId)
                .orElseThrow(() -> ProblemException.notFound("learner", learnerId));
        if (learner.isErased() && learner.isRegisteredBy(caller.agencyId())) {
            throw new ProblemException(org.springframework.http.HttpStatus.GONE, "learner-erased",
                    "This learner's personal data was erased at their request.");
        }
        Viewer viewer = viewer(caller.agencyId(), learner);
        Sharing sharing = learner.sharingWith(viewer, clock.instant());
        if (!sharing.any()) {
            throw ProblemException.notFound("learner", learnerId);
        }
        return new Access(learner, viewer, sharing);
    }

    /**
     * {@code agencyId} as it stands towards {@code learner}: its kind (for consents to a kind) and the open
     * referrals of the learner (or of records merged into it) it receives.
     */
    public Viewer viewer(String agencyId, Learner learner) {
        if (learner.isRegisteredBy(agencyId)) {
            return Viewer.registering(agencyId);
        }
        List<String> learnerIds = new ArrayList<>();
        learnerIds.add(learner.id());
        learner.mergedFrom().forEach(merged -> learnerIds.add(merged.learnerId()));
        List<String> live = relationships.openReceivedBy(agencyId, learnerIds).stream()
                .map(ReferralRelationship::referralId).sorted().toList();
        return new Viewer(agencyId, agencies.kindOf(agencyId).orElse(null), live);
    }

    /** The learner, erased or not, if the caller's agency registered it; to anyone else it does not exist. */
    public Learner registeredBy(Caller caller, String learnerId) {
        return learners.findById(learnerId)
                .filter(learner -> learner.isRegisteredBy(caller.agencyId()))
                .orElseThrow(() -> ProblemException.notFound("learner", learnerId));
    }

    /**
     * For event handlers: the learner, if it exists and was not erased; a record merged into another stands for the
     * surviving record.
     */
    public Optional<Learner> find(String learnerId) {
        Optional<Learner> found = learners.findById(learnerId);
        for (int hops = 0; hops < 5 && found.isPresent() && found.get().mergedInto() != null; hops++) {
            found = learners.findById(found.get().mergedInto());
        }
        return found.filter(learner -> !learner.isErased() && learner.mergedInto() == null);
    }

    private static void requireWorkerOrSystem(Caller caller) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers or systems register or change learners.");
        }
    }

    private static void requireWorker(Caller caller) {
        if (!caller.has(Role.WORKER)) {
            throw ProblemException.forbidden("Only an agency's workers link or erase learners.");
        }
    }
}
