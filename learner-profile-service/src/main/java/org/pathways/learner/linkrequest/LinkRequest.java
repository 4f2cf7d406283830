package org.pathways.learner.linkrequest;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import org.pathways.platform.problem.ProblemException;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One agency's request that another link one of its records to the requester's own record of (it believes) the same
 * person. Ids and codes only. While pending, {@code openKey} holds the pair of records, unique, so the same pair is
 * asked about once at a time (a sparse unique key rather than a partial index, which the embedded store ignores).
 */
@Document("link_requests")
public class LinkRequest {

    @Id
    private String id;
    @Version
    private Long version;
    private String requestingAgencyId;
    private String requestedBy;
    @Indexed
    private String requestingLearnerId;
    @Indexed
    private String owningAgencyId;
    @Indexed
    private String learnerId;
    private Set<String> matchedOn;
    private LinkRequestStatus status;
    private Instant requestedAt;
    private Instant decidedAt;
    private String decidedBy;
    @Indexed(unique = true, sparse = true)
    private String openKey;

    protected LinkRequest() {
    }

    static LinkRequest ask(String requestingAgencyId, String requestedBy, String requestingLearnerId,
                           String owningAgencyId, String learnerId, Set<String> matchedOn, Instant now) {
        LinkRequest request = new LinkRequest();
        request.id = "lrq-" + UUID.randomUUID();
        request.requestingAgencyId = Objects.requireNonNull(requestingAgencyId);
        request.requestedBy = Objects.requireNonNull(requestedBy);
        request.requestingLearnerId = Objects.requireNonNull(requestingLearnerId);
        request.owningAgencyId = Objects.requireNonNull(owningAgencyId);
        request.learnerId = Objects.requireNonNull(learnerId);
        request.matchedOn = Set.copyOf(matchedOn);
        request.status = LinkRequestStatus.PENDING;
        request.requestedAt = now;
        request.openKey = requestingLearnerId + ">" + learnerId;
        return request;
    }

    /** The owning agency agreed: the records are linked (by the caller, before or after this). */
    void accept(String userId, Instant now) {
        decide(LinkRequestStatus.ACCEPTED, userId, now);
    }

    void decline(String userId, Instant now) {
        decide(LinkRequestStatus.DECLINED, userId, now);
    }

    private void decide(LinkRequestStatus decision, String userId, Instant now) {
        if (status != LinkRequestStatus.PENDING) {
            throw ProblemException.conflict("link-request-decided", "This link request was answered already.",
                    Map.of("status", status.name()));
        }
        status = decision;
        decidedBy = userId;
        decidedAt = now;
        openKey = null;
    }

    public String id() {
        return id;
    }

    public String requestingAgencyId() {
        return requestingAgencyId;
    }

    public String requestingLearnerId() {
        return requestingLearnerId;
    }

    public String owningAgencyId() {
        return owningAgencyId;
    }

    public String learnerId() {
        return learnerId;
    }

    public Set<String> matchedOn() {
        return matchedOn;
    }

    public LinkRequestStatus status() {
        return status;
    }

    public Instant requestedAt() {
        return requestedAt;
    }

    public Instant decidedAt() {
        return decidedAt;
    }
}
