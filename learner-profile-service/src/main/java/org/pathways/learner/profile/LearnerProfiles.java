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

import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.matching.NameSimilarity;
import org.pathways.learner.matching.PersonName;
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

    private static final int MAX_CANDIDATES = 10;

    private final LearnerRepository learners;
    private final MongoTemplate mongo;
    private final Outbox outbox;
    private final AccessAudit audit;
    private final Clock clock;

    LearnerProfiles(LearnerRepository learners, MongoTemplate mongo, Outbox outbox, AccessAudit audit, Clock clock) {
        this.learners = learners;
        this.mongo = mongo;
        this.outbox = outbox;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Registers a learner unless they look like someone already registered anywhere in the partnership: then the
     * answer is a {@code 409 possible-duplicate} listing the candidates, and the worker either links to one or
     * registers again with {@code confirmNotDuplicate}.
     */
    Learner register(Caller caller, RegisterLearner details, AccessRequest access) {
        requireWorkerOrSystem(caller);
        Learner learner = Learner.register(details, caller.agencyId(), caller.userId(), clock.instant());
        if (!details.confirmedNotDuplicate()) {
            List<DuplicateCandidate> candidates = likelyMatches(learner, caller.agencyId());
            if (!candidates.isEmpty()) {
                // Telling this worker a record exists is itself a disclosure about that person: audit it.
                candidates.forEach(candidate -> audit.record(caller, candidate.learnerId(),
                        AccessAction.DUPLICATE_MATCH, access));
                throw ProblemException.conflict("possible-duplicate",
                        "This person may already be registered. Link to an existing record, or confirm that this "
                                + "is someone else with \"confirmNotDuplicate\": true.",
                        Map.of("candidates", candidates));
            }
        }
        return outbox.save(learner, learner.registeredEvent());
    }

    /**
     * Everyone born the same day with a similar name, and anyone with the same e-mail address or phone number,
     * across every agency (erased records have no details left to match).
     */
    List<DuplicateCandidate> likelyMatches(Learner learner, String callerAgency) {
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
        Map<String, DuplicateCandidate> candidates = new LinkedHashMap<>();
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
                candidates.put(other.id(), new DuplicateCandidate(other.id(), Set.copyOf(matchedOn),
                        other.isVisibleTo(callerAgency, now)));
            }
        }
        return List.copyOf(candidates.values());
    }

    /** Replaces the learner's details if {@code expectedVersion} is still current (else {@code 409}). */
    Learner update(Caller caller, String learnerId, Long expectedVersion, java.util.function.Function<Learner,
            UpdateLearner> details) {
        requireWorkerOrSystem(caller);
        if (expectedVersion == null) {
            throw new ProblemException(org.springframework.http.HttpStatus.PRECONDITION_REQUIRED, "version-required",
                    "Send the version you read, as If-Match or as \"version\", so no one's change is lost.");
        }
        Learner learner = visibleTo(caller, learnerId);
        if (!expectedVersion.equals(learner.version())) {
            throw new OptimisticLockingFailureException("Learner " + learnerId + " changed since it was read");
        }
        learner.update(details.apply(learner), clock.instant());
        return outbox.save(learner);
    }

    /**
     * Links two records of the same person, both ways, without merging them. The caller must see the first; the
     * second needs only exist (its id came from duplicate detection). A link opens neither record to anyone.
     */
    Learner link(Caller caller, String learnerId, String otherLearnerId) {
        requireWorker(caller);
        Learner learner = visibleTo(caller, learnerId);
        Learner other = learners.findById(otherLearnerId).filter(found -> !found.isErased())
                .orElseThrow(() -> ProblemException.notFound("learner", otherLearnerId));
        Instant now = clock.instant();
        learner.linkTo(other.id(), caller.agencyId(), caller.userId(), now);
        Learner saved = outbox.save(learner);
        if (!other.isLinkedTo(learner.id())) {
            other.linkTo(learner.id(), caller.agencyId(), caller.userId(), now);
            outbox.save(other);
        }
        return saved;
    }

    /**
     * Explicit merge of two records of one person that the caller's agency registered both of: {@code otherId} is
     * folded into {@code learnerId} and retired, both histories kept. Records registered by different agencies are
     * linked, never merged: each agency stays responsible for its own record.
     */
    Learner merge(Caller caller, String learnerId, String otherId) {
        requireWorker(caller);
        Learner survivor = visibleTo(caller, learnerId);
        if (!survivor.isRegisteredBy(caller.agencyId())) {
            throw ProblemException.notFound("learner", learnerId);
        }
        Learner other = registeredBy(caller, otherId);
        if (other.isErased()) {
            throw ProblemException.notFound("learner", otherId);
        }
        Instant now = clock.instant();
        Learner saved = outbox.save(survivor, survivor.absorb(other, caller.agencyId(), caller.userId(), now));
        outbox.save(other, other.retireInto(saved, now));
        return saved;
    }

    /**
     * Right to erasure, exercised through a worker of the registering agency. Records merged into this one hold the
     * same person's data and are erased with it.
     */
    Learner erase(Caller caller, String learnerId) {
        requireWorker(caller);
        Learner learner = registeredBy(caller, learnerId);
        Instant now = clock.instant();
        Learner erased = outbox.save(learner, learner.erase(caller.agencyId(), now));
        for (MergeRecord merged : erased.mergedFrom()) {
            learners.findById(merged.learnerId()).filter(absorbed -> !absorbed.isErased())
                    .ifPresent(absorbed -> outbox.save(absorbed, absorbed.erase(caller.agencyId(), now)));
        }
        return erased;
    }

    /**
     * The learner, if the caller's agency may see it now. Anyone else gets the same answer as for an id that does
     * not exist, so that a profile's existence does not leak; the registering agency learns that it was erased.
     */
    public Learner visibleTo(Caller caller, String learnerId) {
        Learner learner = learners.findById(learnerId)
                .orElseThrow(() -> ProblemException.notFound("learner", learnerId));
        if (learner.isErased() && learner.isRegisteredBy(caller.agencyId())) {
            throw new ProblemException(org.springframework.http.HttpStatus.GONE, "learner-erased",
                    "This learner's personal data was erased at their request.");
        }
        if (!learner.isVisibleTo(caller.agencyId(), clock.instant())) {
            throw ProblemException.notFound("learner", learnerId);
        }
        return learner;
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
