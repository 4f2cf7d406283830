package org.pathways.learner.matching;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.PersonName;
import org.pathways.learner.domain.Sharing;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/**
 * Duplicate detection at registration: whether the person being registered looks like someone already registered
 * anywhere in the partnership, answered without naming a record the caller's agency may not see.
 */
@Service
public class DuplicateDetection {

    private static final int MAX_CANDIDATES = 10;

    private final MongoTemplate mongo;
    private final Learners learners;
    private final AccessAudit audit;
    private final DuplicateMatches duplicateMatches;
    private final java.time.Clock clock;

    DuplicateDetection(MongoTemplate mongo, Learners learners, AccessAudit audit, DuplicateMatches duplicateMatches,
                       java.time.Clock clock) {
        this.mongo = mongo;
        this.learners = learners;
        this.audit = audit;
        this.duplicateMatches = duplicateMatches;
        this.clock = clock;
    }

    /**
     * Refuses to register {@code learner} if they look like someone already registered: a {@code 409
     * possible-duplicate} listing the candidates. The worker then either opens or links one it may see, asks the
     * agency holding one it may not see to link it (with the candidate's match token, after registering), or
     * registers again with {@code confirmNotDuplicate}. A candidate the caller may not see is never named: no id,
     * name or date of birth, not even its agency.
     */
    public void refuseLikelyDuplicates(Caller caller, Learner learner, AccessRequest access) {
        List<Match> matches = likelyMatches(learner, caller.agencyId());
        if (matches.isEmpty()) {
            return;
        }
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
                Sharing sharing = other.sharingWith(learners.viewer(callerAgency, other), now);
                candidates.put(other.id(), new Match(other, Set.copyOf(matchedOn), sharing.any(), sharing.grounds()));
            }
        }
        return List.copyOf(candidates.values());
    }
}
