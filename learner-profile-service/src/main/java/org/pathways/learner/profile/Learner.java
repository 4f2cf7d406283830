package org.pathways.learner.profile;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.platform.problem.ProblemException;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A person registered by an agency, with the consents they gave. The aggregate root: it is saved only through the
 * outbox, together with the events its changes cause, and a save from a stale read is refused.
 *
 * <p>Only the registering agency, and agencies the learner currently consents to, may read the profile.
 */
@Document("learners")
public class Learner {

    @Id
    private String id;
    @Version
    private Long version;
    private String givenName;
    private String familyName;
    private String preferredName;
    private LocalDate dateOfBirth;
    private String email;
    private String phone;
    private String localityCode;
    private String preferredLanguage;
    private String registeringAgencyId;
    private String registeredBy;
    private Instant registeredAt;
    private List<Consent> consents = new ArrayList<>();

    protected Learner() {
    }

    /** Registers a learner on behalf of {@code agencyId}; see {@link #registeredEvent()}. */
    public static Learner register(RegisterLearner details, String agencyId, String userId, Instant now) {
        if (details.dateOfBirth().isAfter(LocalDate.ofInstant(now, ZoneOffset.UTC))) {
            throw ProblemException.unprocessable("date-of-birth-in-future", "A date of birth cannot be in the future.");
        }
        Learner learner = new Learner();
        learner.id = "lrn-" + UUID.randomUUID();
        learner.givenName = Objects.requireNonNull(details.givenName(), "givenName");
        learner.familyName = Objects.requireNonNull(details.familyName(), "familyName");
        learner.preferredName = details.preferredName();
        learner.dateOfBirth = details.dateOfBirth();
        learner.email = details.email();
        learner.phone = details.phone();
        learner.localityCode = Objects.requireNonNull(details.localityCode(), "localityCode");
        learner.preferredLanguage = Objects.requireNonNull(details.preferredLanguage(), "preferredLanguage");
        learner.registeringAgencyId = Objects.requireNonNull(agencyId, "agencyId");
        learner.registeredBy = Objects.requireNonNull(userId, "userId");
        learner.registeredAt = Objects.requireNonNull(now, "now");
        return learner;
    }

    /** What other services learn of a registration: ids, the coarse locality and the time, nothing personal. */
    public LearnerRegistered registeredEvent() {
        return new LearnerRegistered(id, registeringAgencyId, localityCode, registeredAt);
    }

    /** Records a consent the learner gave, and returns the event announcing it. */
    public ConsentGranted grantConsent(String agencyId, ConsentPurpose purpose, ConsentMethod method,
                                       String recordedBy, Instant expiresAt, Instant now) {
        Consent consent = Consent.grant(agencyId, purpose, method, recordedBy, expiresAt, now);
        consents.add(consent);
        return new ConsentGranted(id, consent.id(), consent.agencyId(), consent.purpose(), consent.recordedAt(),
                consent.expiresAt());
    }

    /** Records that the learner withdrew one of their consents, and returns the event announcing it. */
    public ConsentWithdrawn withdrawConsent(String consentId, String withdrawnBy, Instant now) {
        Consent consent = consent(consentId)
                .orElseThrow(() -> ProblemException.notFound("consent", consentId));
        consent.withdraw(withdrawnBy, now);
        return new ConsentWithdrawn(id, consent.id(), consent.agencyId(), consent.purpose(), consent.withdrawnAt());
    }

    /** May {@code agencyId} use this learner's data for {@code purpose} at {@code at}? */
    public boolean allows(String agencyId, ConsentPurpose purpose, Instant at) {
        return consents.stream().anyMatch(consent -> consent.isActive(agencyId, purpose, at));
    }

    /** The registering agency, and any agency the learner consents to (for any purpose) at {@code at}. */
    public boolean isVisibleTo(String agencyId, Instant at) {
        return isRegisteredBy(agencyId) || consents.stream().anyMatch(consent -> consent.isActiveFor(agencyId, at));
    }

    public boolean isRegisteredBy(String agencyId) {
        return registeringAgencyId.equals(agencyId);
    }

    public Optional<Consent> consent(String consentId) {
        return consents.stream().filter(consent -> consent.id().equals(consentId)).findFirst();
    }

    public String id() {
        return id;
    }

    public Long version() {
        return version;
    }

    public String givenName() {
        return givenName;
    }

    public String familyName() {
        return familyName;
    }

    public String preferredName() {
        return preferredName;
    }

    public LocalDate dateOfBirth() {
        return dateOfBirth;
    }

    public String email() {
        return email;
    }

    public String phone() {
        return phone;
    }

    public String localityCode() {
        return localityCode;
    }

    public String preferredLanguage() {
        return preferredLanguage;
    }

    public String registeringAgencyId() {
        return registeringAgencyId;
    }

    public String registeredBy() {
        return registeredBy;
    }

    public Instant registeredAt() {
        return registeredAt;
    }

    public List<Consent> consents() {
        return List.copyOf(consents);
    }
}
