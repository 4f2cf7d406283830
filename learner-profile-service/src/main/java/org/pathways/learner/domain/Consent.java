package org.pathways.learner.domain;

import java.time.Instant;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.platform.problem.ProblemException;

/**
 * A learner's consent for one purpose, given either to one agency or to every agency of one kind (including agencies
 * that join later): exactly one of {@code agencyId} and {@code agencyKind} is set. Embedded in its {@link Learner}, so that recording or
 * withdrawing it and the event saying so are one atomic write. A consent is never deleted: withdrawal is recorded.
 */
public class Consent {

    private String id;
    private String agencyId;
    private AgencyKind agencyKind;
    private ConsentPurpose purpose;
    private ConsentMethod method;
    private String recordedBy;
    private Instant recordedAt;
    private Instant expiresAt;
    private String withdrawnBy;
    private Instant withdrawnAt;
    /** The consents of records merged into this learner's that this one stands for (absent in older documents). */
    private List<ConsentOrigin> standsFor;

    protected Consent() {
    }

    /** The consents of records merged away that this one stands for: withdrawn with it. */
    public List<ConsentOrigin> standsFor() {
        return standsFor == null ? List.of() : List.copyOf(standsFor);
    }

    /** Whether this consent stands for consent {@code consentId} of the record {@code learnerId} merged away. */
    public boolean standsFor(String learnerId, String consentId) {
        return standsFor().contains(new ConsentOrigin(learnerId, consentId));
    }

    /** This consent now also stands for {@code other} of the record {@code learnerId}, and what that one stood for. */
    void standFor(String learnerId, Consent other) {
        List<ConsentOrigin> origins = new java.util.ArrayList<>(standsFor());
        for (ConsentOrigin origin : other.standsFor()) {
            if (!origins.contains(origin)) {
                origins.add(origin);
            }
        }
        ConsentOrigin direct = new ConsentOrigin(learnerId, other.id);
        if (!origins.contains(direct)) {
            origins.add(direct);
        }
        standsFor = origins;
    }

    /**
     * Records a consent given at {@code now}.
     *
     * @param expiresAt when it lapses by itself, or null for no end date; must be after {@code now}
     */
    static Consent grant(String agencyId, AgencyKind agencyKind, ConsentPurpose purpose, ConsentMethod method,
                         String recordedBy, Instant expiresAt, Instant now) {
        if ((agencyId == null) == (agencyKind == null)) {
            throw ProblemException.unprocessable("consent-needs-agency-or-kind",
                    "A consent is for one agency (agencyId) or for every agency of one kind (agencyKind): "
                            + "name exactly one of them.");
        }
        Consent consent = new Consent();
        consent.id = "cns-" + UUID.randomUUID();
        consent.agencyId = agencyId;
        consent.agencyKind = agencyKind;
        consent.purpose = Objects.requireNonNull(purpose, "purpose");
        consent.method = Objects.requireNonNull(method, "method");
        consent.recordedBy = Objects.requireNonNull(recordedBy, "recordedBy");
        consent.recordedAt = Objects.requireNonNull(now, "now");
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            // Checked here as well as on input: by the time the request is handled, "in a moment" may have passed.
            throw ProblemException.unprocessable("consent-expiry-not-in-future",
                    "A consent's expiry must be in the future.");
        }
        consent.expiresAt = expiresAt;
        return consent;
    }

    /** Records that the learner withdrew this consent; withdrawing it again is a conflict. */
    void withdraw(String by, Instant now) {
        if (withdrawnAt != null) {
            throw ProblemException.conflict("consent-already-withdrawn", "This consent was already withdrawn.",
                    Map.of("consentId", id, "withdrawnAt", withdrawnAt.toString()));
        }
        withdrawnBy = Objects.requireNonNull(by, "by");
        withdrawnAt = Objects.requireNonNull(now, "now");
    }

    /**
     * Whether this consent lets {@code agency} (of kind {@code kind}, null if unknown) use the learner's data for
     * {@code purpose} at {@code at}.
     */
    public boolean isActive(String agency, AgencyKind kind, ConsentPurpose purpose, Instant at) {
        return this.purpose == purpose && isActiveFor(agency, kind, at);
    }

    /** Whether this consent, whatever its purpose, is in force for {@code agency} (of {@code kind}) at {@code at}. */
    public boolean isActiveFor(String agency, AgencyKind kind, Instant at) {
        return covers(agency, kind) && isInForceAt(at);
    }

    /** Whether this consent names {@code agency}, or the kind {@code agency} is known to be of. */
    public boolean covers(String agency, AgencyKind kind) {
        return agencyId != null ? agencyId.equals(agency) : kind != null && agencyKind == kind;
    }

    /** Whether {@code other} is for the same agency or kind and the same purpose. */
    boolean sameScopeAs(Consent other) {
        return purpose == other.purpose && Objects.equals(agencyId, other.agencyId)
                && agencyKind == other.agencyKind;
    }

    public boolean isForKind() {
        return agencyKind != null;
    }

    /** Recorded at or before {@code at}, not yet expired and not withdrawn by then. */
    public boolean isInForceAt(Instant at) {
        return !recordedAt.isAfter(at)
                && (expiresAt == null || at.isBefore(expiresAt))
                && (withdrawnAt == null || at.isBefore(withdrawnAt));
    }

    public String id() {
        return id;
    }

    public String agencyId() {
        return agencyId;
    }

    public AgencyKind agencyKind() {
        return agencyKind;
    }

    public ConsentPurpose purpose() {
        return purpose;
    }

    public ConsentMethod method() {
        return method;
    }

    public String recordedBy() {
        return recordedBy;
    }

    public Instant recordedAt() {
        return recordedAt;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public String withdrawnBy() {
        return withdrawnBy;
    }

    public Instant withdrawnAt() {
        return withdrawnAt;
    }
}
