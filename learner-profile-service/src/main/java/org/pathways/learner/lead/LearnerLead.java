package org.pathways.learner.lead;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.pathways.events.learner.LeadAssigned;
import org.pathways.events.learner.LeadEndReason;
import org.pathways.events.learner.LeadEnded;
import org.pathways.events.learner.LeadHandedOver;
import org.pathways.platform.problem.ProblemException;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.http.HttpStatus;

/**
 * Who leads the work with one learner: at most one lead at a time, and at most one handover waiting. The aggregate
 * root, keyed by the learner's id; each change is saved with its event through the outbox, guarded by the version
 * read. Whether an agency has standing is decided by the caller ({@link Leads}) before a change; the document
 * guards only its own invariants.
 */
@Document("learner_leads")
// The standing check walks the learners that have a lead.
@CompoundIndex(name = "leadAgency", def = "{'lead.agencyId': 1}", sparse = true)
public class LearnerLead {

    @Id
    private String id;
    @Version
    private Long version;
    private Lead lead;
    private Handover handover;

    protected LearnerLead() {
    }

    static LearnerLead none(String learnerId) {
        LearnerLead lead = new LearnerLead();
        lead.id = learnerId;
        return lead;
    }

    /** Makes {@code workerId} of {@code agencyId} the lead; assigning the same lead again changes nothing (empty). */
    Optional<LeadAssigned> assign(String agencyId, String workerId, Instant now) {
        if (lead != null) {
            if (lead.is(agencyId, workerId)) {
                return Optional.empty();
            }
            throw ProblemException.conflict("lead-already-assigned",
                    "This learner already has a lead worker; their agency hands over (POST …/lead/handover) or "
                            + "steps down first.", Map.of("leadAgencyId", lead.agencyId()));
        }
        lead = new Lead(agencyId, workerId, now);
        handover = null;
        return Optional.of(new LeadAssigned(id, agencyId, workerId, agencyId, now));
    }

    /** Offers the lead to a named worker of another agency (or of the same one); nothing changes until they accept. */
    void offer(String toAgencyId, String toWorkerId, String offeredBy, Instant now) {
        Lead current = requireLead();
        if (current.is(toAgencyId, toWorkerId)) {
            throw ProblemException.unprocessable("handover-to-current-lead", "That worker already leads.");
        }
        if (handover != null && !handover.isFor(toAgencyId, toWorkerId)) {
            throw ProblemException.conflict("handover-pending",
                    "A handover to another worker is waiting; cancel it first (DELETE …/lead/handover).",
                    Map.of("toAgencyId", handover.toAgencyId()));
        }
        if (handover == null) {
            handover = new Handover(toAgencyId, toWorkerId, offeredBy, now);
        }
    }

    /** The named worker accepts: they lead from now. */
    LeadHandedOver accept(Instant now) {
        Lead from = requireLead();
        Handover offered = handover;
        if (offered == null) {
            throw new ProblemException(HttpStatus.NOT_FOUND, "not-found", "No handover is waiting.");
        }
        lead = new Lead(offered.toAgencyId(), offered.toWorkerId(), now);
        handover = null;
        return new LeadHandedOver(id, from.agencyId(), from.workerId(), offered.toAgencyId(), offered.toWorkerId(),
                now);
    }

    /** Cancels or declines the waiting handover; the lead stays. */
    void dropHandover() {
        if (handover == null) {
            throw new ProblemException(HttpStatus.NOT_FOUND, "not-found", "No handover is waiting.");
        }
        handover = null;
    }

    /** The lead stops, for {@code reason}, and nobody takes over. */
    LeadEnded end(LeadEndReason reason, Instant now) {
        Lead ended = requireLead();
        lead = null;
        handover = null;
        return new LeadEnded(id, ended.agencyId(), ended.workerId(), reason, now);
    }

    /** Drops a waiting handover whose agency lost standing (no event: nothing had changed yet). */
    boolean dropHandoverTo(java.util.function.Predicate<String> agencyLostStanding) {
        if (handover != null && agencyLostStanding.test(handover.toAgencyId())) {
            handover = null;
            return true;
        }
        return false;
    }

    private Lead requireLead() {
        if (lead == null) {
            throw new ProblemException(HttpStatus.NOT_FOUND, "not-found", "This learner has no lead worker.");
        }
        return lead;
    }

    public String learnerId() {
        return id;
    }

    public Long version() {
        return version;
    }

    public Optional<Lead> lead() {
        return Optional.ofNullable(lead);
    }

    public Optional<Handover> handover() {
        return Optional.ofNullable(handover);
    }
}
