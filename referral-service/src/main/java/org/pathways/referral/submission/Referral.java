package org.pathways.referral.submission;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A handoff of a learner from one agency to another. Saved only through the outbox, together with its events.
 *
 * <p>{@code openKey} is set while the referral is open and removed when it closes: a sparse unique index on it
 * allows one open referral per learner and opportunity (the embedded store has no partial indexes).
 */
@Document("referrals")
@CompoundIndexes({
        @CompoundIndex(name = "receiving_inbox", def = "{'receivingAgencyId': 1, 'status': 1, 'submittedAt': -1}"),
        @CompoundIndex(name = "referring_outbox", def = "{'referringAgencyId': 1, 'status': 1, 'submittedAt': -1}")
})
public class Referral {

    @Id
    private String id;
    @Version
    private Long version;
    private String learnerId;
    private String opportunityId;
    private String referringAgencyId;
    private String referringWorkerId;
    private String receivingAgencyId;
    private String need;
    private Urgency urgency;
    private ReferralStatus status;
    private Instant submittedAt;
    private String openKey;
    private String idempotencyKey;
    private List<StatusChange> history = new ArrayList<>();

    /** One step of the referral's history: who did what, when and why. */
    public record StatusChange(ReferralStatus status, Instant at, String byUser, String byAgency, String reason) {
    }

    protected Referral() {
    }

    /** Submits a referral; the rules that need other data (consent, opportunity) are checked by the caller. */
    public static Referral submit(String learnerId, String opportunityId, String referringAgencyId,
                                  String referringWorkerId, String receivingAgencyId, String need, Urgency urgency,
                                  String idempotencyKey, Instant now) {
        Referral referral = new Referral();
        referral.id = "ref-" + UUID.randomUUID();
        referral.learnerId = learnerId;
        referral.opportunityId = opportunityId;
        referral.referringAgencyId = referringAgencyId;
        referral.referringWorkerId = referringWorkerId;
        referral.receivingAgencyId = receivingAgencyId;
        referral.need = need;
        referral.urgency = urgency;
        referral.status = ReferralStatus.SUBMITTED;
        referral.submittedAt = now;
        referral.openKey = openKey(learnerId, opportunityId);
        referral.idempotencyKey = idempotencyKey == null ? null : referringAgencyId + "|" + idempotencyKey;
        referral.history.add(new StatusChange(ReferralStatus.SUBMITTED, now, referringWorkerId, referringAgencyId,
                null));
        return referral;
    }

    static String openKey(String learnerId, String opportunityId) {
        return learnerId + "|" + opportunityId;
    }

    public ReferralSubmitted submittedEvent() {
        return new ReferralSubmitted(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId, urgency,
                submittedAt);
    }

    public boolean isPartyTo(String agencyId) {
        return agencyId != null && (agencyId.equals(referringAgencyId) || agencyId.equals(receivingAgencyId));
    }

    public String id() { return id; }
    public Long version() { return version; }
    public String learnerId() { return learnerId; }
    public String opportunityId() { return opportunityId; }
    public String referringAgencyId() { return referringAgencyId; }
    public String referringWorkerId() { return referringWorkerId; }
    public String receivingAgencyId() { return receivingAgencyId; }
    public String need() { return need; }
    public Urgency urgency() { return urgency; }
    public ReferralStatus status() { return status; }
    public Instant submittedAt() { return submittedAt; }
    public List<StatusChange> history() { return List.copyOf(history); }
}
