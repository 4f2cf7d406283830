package org.pathways.learner.linkrequest;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.matching.DuplicateMatch;
import org.pathways.learner.matching.DuplicateMatches;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.linking.Links;
import org.pathways.learner.domain.Sharing;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/**
 * Asks, lists and answers link requests. The requester names only its own record and a match token; the owning
 * agency sees its own record, the requesting agency and what matched; accepting links the two records both ways.
 * Neither side learns anything of the other's record from it.
 */
@Service
class LinkRequests {

    private static final int PAGE = 100;

    private final Learners learners;
    private final Links links;
    private final DuplicateMatches matches;
    private final AccessAudit audit;
    private final MongoTemplate mongo;
    private final Clock clock;

    LinkRequests(Learners learners, Links links, DuplicateMatches matches, AccessAudit audit, MongoTemplate mongo,
                 Clock clock) {
        this.learners = learners;
        this.links = links;
        this.matches = matches;
        this.audit = audit;
        this.mongo = mongo;
        this.clock = clock;
    }

    /**
     * Asks the agency holding the record {@code matchToken} stands for to link it to {@code ownLearnerId}, a record
     * the caller's agency registered. A token not shown to this agency, used, expired or standing for a record
     * since erased: {@code 404}, as if it never existed.
     */
    LinkRequest ask(Caller caller, String ownLearnerId, String matchToken) {
        requireWorker(caller);
        Learner own = learners.find(ownLearnerId)
                .filter(learner -> learner.isRegisteredBy(caller.agencyId()))
                .orElseThrow(() -> ProblemException.notFound("learner", ownLearnerId));
        // The token is used up only once the request is written: a stop, a failed write or a client's timeout in
        // between leaves it for the retry, which finds the request pending.
        DuplicateMatch match = matches.take(caller.agencyId(), matchToken, own.id())
                .orElseThrow(LinkRequests::noSuchMatch);
        Learner theirs = learners.find(match.learnerId()).orElseThrow(LinkRequests::noSuchMatch);
        if (theirs.id().equals(own.id()) || own.isLinkedTo(theirs.id())) {
            throw ProblemException.conflict("already-linked", "These records are already linked.", Map.of());
        }
        LinkRequest request = LinkRequest.ask(caller.agencyId(), caller.userId(), own.id(),
                theirs.registeringAgencyId(), theirs.id(), match.matchedOn(), clock.instant());
        try {
            LinkRequest asked = mongo.insert(request);
            matches.useUp(caller.agencyId(), matchToken);
            return asked;
        } catch (DuplicateKeyException pending) {
            throw ProblemException.conflict("link-request-pending",
                    "Your agency already asked to link this record to that match; wait for the answer.", Map.of());
        }
    }

    /**
     * The requests to link the caller's agency's records, newest first. Each tells the agency that another agency
     * holds a record of its learner: audited on that learner before it is answered.
     */
    List<LinkRequest> incoming(Caller caller, AccessRequest access) {
        requireWorker(caller);
        List<LinkRequest> found = mongo.find(Query.query(Criteria.where("owningAgencyId").is(caller.agencyId()))
                .with(Sort.by(Sort.Direction.DESC, "requestedAt")).limit(PAGE), LinkRequest.class);
        found.forEach(request -> audit.record(caller, request.learnerId(), AccessAction.READ_LINK_REQUEST, access,
                List.of(Sharing.REGISTERING_AGENCY)));
        return found;
    }

    /** The caller's agency's own requests, newest first: its records and the answers, nothing more. */
    List<LinkRequest> outgoing(Caller caller) {
        requireWorker(caller);
        return mongo.find(Query.query(Criteria.where("requestingAgencyId").is(caller.agencyId()))
                .with(Sort.by(Sort.Direction.DESC, "requestedAt")).limit(PAGE), LinkRequest.class);
    }

    /**
     * Marks the request accepted, then links the two records both ways: a decline at the same moment either came first
     * (this answers {@code 409 link-request-decided}, or {@code 409} for the stale version, and nothing is linked) or
     * is refused. An acceptance interrupted between the two is finished by accepting again (accepting an accepted
     * request links what is not linked yet, and changes nothing else).
     */
    LinkRequest accept(Caller caller, String requestId, AccessRequest access) {
        LinkRequest request = addressedTo(caller, requestId);
        if (request.status() == LinkRequestStatus.DECLINED) {
            request.accept(caller.userId(), clock.instant());
        }
        Learner own = learners.find(request.learnerId())
                .orElseThrow(() -> ProblemException.notFound("link request", requestId));
        Learner theirs = learners.find(request.requestingLearnerId())
                .orElseThrow(() -> ProblemException.notFound("link request", requestId));
        audit.record(caller, own.id(), AccessAction.READ_LINK_REQUEST, access, List.of(Sharing.REGISTERING_AGENCY));
        if (request.status() != LinkRequestStatus.ACCEPTED) {
            request.accept(caller.userId(), clock.instant());
            request = mongo.save(request);   // version-guarded: a decline saved meanwhile wins, and nothing is linked
        }
        links.linkOnRequest(caller, own, theirs);
        return request;
    }

    LinkRequest decline(Caller caller, String requestId, AccessRequest access) {
        LinkRequest request = addressedTo(caller, requestId);
        request.decline(caller.userId(), clock.instant());
        audit.record(caller, request.learnerId(), AccessAction.READ_LINK_REQUEST, access,
                List.of(Sharing.REGISTERING_AGENCY));
        return mongo.save(request);
    }

    /** The request, if it asks the caller's agency; to anyone else it does not exist. */
    private LinkRequest addressedTo(Caller caller, String requestId) {
        requireWorker(caller);
        LinkRequest request = mongo.findById(requestId, LinkRequest.class);
        if (request == null || !request.owningAgencyId().equals(caller.agencyId())) {
            throw ProblemException.notFound("link request", requestId);
        }
        return request;
    }

    private static ProblemException noSuchMatch() {
        return new ProblemException(org.springframework.http.HttpStatus.NOT_FOUND, "not-found",
                "No match that you may ask about: a match token is for the agency it was shown to, once, for "
                        + "fourteen days.");
    }

    private static void requireWorker(Caller caller) {
        if (!caller.has(Role.WORKER)) {
            throw ProblemException.forbidden("Only an agency's workers ask for, or answer, link requests.");
        }
    }
}
