package org.pathways.learner.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerLinked;
import org.pathways.events.learner.LearnerMerged;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.MilestoneRecorded;
import org.pathways.events.learner.ProfileField;
import org.pathways.learner.domain.ContactKeys;
import org.pathways.learner.domain.PersonName;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.problem.ProblemException;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.http.HttpStatus;

/**
 * A person registered by an agency, with the consents they gave. The aggregate root: it is saved only through the
 * outbox, together with the events its changes cause, and a save from a stale read is refused.
 *
 * <p>Only the registering agency, agencies the learner currently consents to (by name or by kind) and agencies
 * receiving an open referral of the learner may read the profile, each only what its purposes need
 * ({@link #sharingWith}).
 */
@Document("learners")
@CompoundIndexes({
        // Finding a learner (LearnerSearch): the candidates are those the caller's agency has standing with, each
        // way of standing with its own index, the registering agency's narrowed by the start of a name.
        @CompoundIndex(name = "registeringAgency_name", def = "{'registeringAgencyId': 1, 'nameKeys': 1}"),
        @CompoundIndex(name = "consentAgency", def = "{'consents.agencyId': 1}", sparse = true),
        @CompoundIndex(name = "consentKind", def = "{'consents.agencyKind': 1}", sparse = true),
        @CompoundIndex(name = "mergedFrom", def = "{'mergedFrom.learnerId': 1}", sparse = true)
})
public class Learner {

    @Id
    private String id;
    @Version
    private Long version;
    private String givenName;
    private String familyName;
    private String preferredName;
    /**
     * Every part of the given, family and preferred names as {@link PersonName} reduces it (accents dropped, lower
     * case), so that a search by the start of a name can use an index. Personal data like the names, erased with
     * them.
     */
    private List<String> nameKeys = new ArrayList<>();
    /** Indexed for duplicate detection, which starts from everyone born on the same day. */
    @Indexed(sparse = true)
    private LocalDate dateOfBirth;
    private String email;
    private String phone;
    /** {@link #email} and {@link #phone} normalised, for duplicate detection; personal data like them. */
    @Indexed(sparse = true)
    private String emailKey;
    @Indexed(sparse = true)
    private String phoneKey;
    private ContactMethod preferredContactMethod;
    private String localityCode;
    private String preferredLanguage;
    private boolean interpreterNeeded;
    private String accessibilityNeeds;
    private List<Barrier> barriers = new ArrayList<>();
    private String goals;
    private List<String> interests = new ArrayList<>();
    private List<Achievement> priorAchievements = new ArrayList<>();
    private String registeringAgencyId;
    private String registeredBy;
    private Instant registeredAt;
    private List<Consent> consents = new ArrayList<>();
    private List<Milestone> milestones = new ArrayList<>();
    private List<LearnerLink> links = new ArrayList<>();
    private List<MergeRecord> mergedFrom = new ArrayList<>();
    /** Set when this record was merged into another: it is kept, read-only, with its history. */
    private String mergedInto;
    private Erasure erasure;

    protected Learner() {
    }

    /** Registers a learner on behalf of {@code agencyId}; see {@link #registeredEvent()}. */
    public static Learner register(LearnerDetails details, String agencyId, String userId, Instant now) {
        return register(details, agencyId, userId, now, null);
    }

    /**
     * Registers a learner under the id a request's key gives ({@link #idForRequest}), or a new one when
     * {@code id} is null: the same request sent again then finds the record the first made, by its id.
     */
    public static Learner register(LearnerDetails details, String agencyId, String userId, Instant now, String id) {
        Learner learner = new Learner();
        learner.id = id == null ? "lrn-" + UUID.randomUUID() : id;
        learner.apply(details, now);
        learner.registeringAgencyId = Objects.requireNonNull(agencyId, "agencyId");
        learner.registeredBy = Objects.requireNonNull(userId, "userId");
        learner.registeredAt = Objects.requireNonNull(now, "now");
        return learner;
    }

    /**
     * The id of the learner a registration sent with this request key (a digest of the agency and its
     * {@code Idempotency-Key}) makes: a name-based UUID of the digest, so no one can tell the key from the id.
     */
    public static String idForRequest(String requestKey) {
        return IdempotencyKeys.idFor("lrn", requestKey);
    }

    /**
     * Replaces the learner's details (the caller checked the version it was read at), and returns the event naming
     * which parts changed, or empty if none did.
     */
    public Optional<LearnerProfileUpdated> update(LearnerDetails details, String agencyId, Instant now) {
        requireWritable();
        Map<ProfileField, Object> before = sections();
        apply(details, now);
        Map<ProfileField, Object> after = sections();
        List<ProfileField> changed = Arrays.stream(ProfileField.values())
                .filter(field -> !Objects.equals(before.get(field), after.get(field))).toList();
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LearnerProfileUpdated(id, version == null ? 0 : version + 1, changed, localityCode,
                agencyId, now));
    }

    /** The profile's details by the part of the profile they belong to, to tell which parts an update changed. */
    private Map<ProfileField, Object> sections() {
        Map<ProfileField, Object> sections = new EnumMap<>(ProfileField.class);
        sections.put(ProfileField.NAME, Arrays.asList(givenName, familyName, preferredName));
        sections.put(ProfileField.DATE_OF_BIRTH, dateOfBirth);
        sections.put(ProfileField.CONTACT, Arrays.asList(email, phone, preferredContactMethod));
        sections.put(ProfileField.LOCALITY, localityCode);
        sections.put(ProfileField.LANGUAGE, Arrays.asList(preferredLanguage, interpreterNeeded));
        sections.put(ProfileField.ACCESSIBILITY, accessibilityNeeds);
        sections.put(ProfileField.BARRIERS, barriers());
        sections.put(ProfileField.GOALS, goals);
        sections.put(ProfileField.INTERESTS, List.copyOf(interests));
        sections.put(ProfileField.ACHIEVEMENTS, List.copyOf(priorAchievements));
        return sections;
    }

    private void apply(LearnerDetails details, Instant now) {
        if (details.dateOfBirth().isAfter(LocalDate.ofInstant(now, ZoneOffset.UTC))) {
            throw ProblemException.unprocessable("date-of-birth-in-future", "A date of birth cannot be in the future.");
        }
        ContactMethod contactMethod = details.preferredContactMethod();
        if (contactMethod == ContactMethod.EMAIL && details.email() == null) {
            throw ProblemException.unprocessable("contact-method-needs-email",
                    "E-mail as the preferred contact method needs an e-mail address.");
        }
        if ((contactMethod == ContactMethod.PHONE || contactMethod == ContactMethod.TEXT) && details.phone() == null) {
            throw ProblemException.unprocessable("contact-method-needs-phone",
                    "Phone or text as the preferred contact method needs a phone number.");
        }
        details.priorAchievements().forEach(Achievement::requireConsistent);
        givenName = Objects.requireNonNull(details.givenName(), "givenName");
        familyName = Objects.requireNonNull(details.familyName(), "familyName");
        preferredName = details.preferredName();
        nameKeys = nameKeys(givenName, familyName, preferredName);
        dateOfBirth = details.dateOfBirth();
        email = details.email();
        phone = details.phone();
        emailKey = ContactKeys.email(email);
        phoneKey = ContactKeys.phone(phone);
        preferredContactMethod = contactMethod;
        localityCode = Objects.requireNonNull(details.localityCode(), "localityCode");
        preferredLanguage = Objects.requireNonNull(details.preferredLanguage(), "preferredLanguage");
        interpreterNeeded = Boolean.TRUE.equals(details.interpreterNeeded());
        accessibilityNeeds = details.accessibilityNeeds();
        barriers = new ArrayList<>(details.barriers().isEmpty() ? Set.of()
                : EnumSet.copyOf(details.barriers()));
        goals = details.goals();
        interests = new ArrayList<>(details.interests());
        priorAchievements = new ArrayList<>(details.priorAchievements());
    }

    /** What other services learn of a registration: ids, the coarse locality and the time, nothing personal. */
    public LearnerRegistered registeredEvent() {
        return new LearnerRegistered(id, registeringAgencyId, localityCode, registeredAt);
    }

    /** Records a consent the learner gave to one agency, and returns the event announcing it. */
    public ConsentGranted grantConsent(String agencyId, ConsentPurpose purpose, ConsentMethod method,
                                       String recordedBy, Instant expiresAt, Instant now) {
        return grantConsent(agencyId, null, purpose, method, recordedBy, expiresAt, now);
    }

    /**
     * Records a consent the learner gave to one agency or to every agency of one kind (exactly one of the two),
     * and returns the event announcing it.
     */
    public ConsentGranted grantConsent(String agencyId, AgencyKind agencyKind, ConsentPurpose purpose,
                                       ConsentMethod method, String recordedBy, Instant expiresAt, Instant now) {
        requireWritable();
        Consent consent = Consent.grant(agencyId, agencyKind, purpose, method, recordedBy, expiresAt, now);
        consents.add(consent);
        return new ConsentGranted(id, consent.id(), consent.agencyId(), consent.agencyKind(), consent.purpose(),
                consent.recordedAt(), consent.expiresAt());
    }

    /**
     * The consent in force at {@code now} that a grant of exactly these terms would repeat (a double click, a client
     * sending again after a timeout), if any: the same agency or kind, purpose, method and expiry. A grant that
     * differs in any of them (a new expiry, say) is a consent of its own.
     */
    public Optional<Consent> sameGrantInForce(String agencyId, AgencyKind agencyKind, ConsentPurpose purpose,
                                              ConsentMethod method, Instant expiresAt, Instant now) {
        return consents.stream().filter(consent -> consent.isInForceAt(now)
                && Objects.equals(consent.agencyId(), agencyId) && consent.agencyKind() == agencyKind
                && consent.purpose() == purpose && consent.method() == method
                && Objects.equals(consent.expiresAt(), expiresAt)).findFirst();
    }

    /** Records that the learner withdrew one of their consents, and returns the event announcing it. */
    public ConsentWithdrawn withdrawConsent(String consentId, String withdrawnBy, Instant now) {
        requireNotErased();
        Consent consent = consent(consentId)
                .orElseThrow(() -> ProblemException.notFound("consent", consentId));
        consent.withdraw(withdrawnBy, now);
        return new ConsentWithdrawn(id, consent.id(), consent.agencyId(), consent.agencyKind(), consent.purpose(),
                consent.withdrawnAt());
    }

    /** Whether {@code agencyId} (whose kind is unknown, without referrals) may see this learner at {@code at}. */
    public boolean isVisibleTo(String agencyId, Instant at) {
        return sharingWith(new Viewer(agencyId, null, List.of()), at).any();
    }

    /** May {@code agencyId} (whose kind is unknown) use this learner's data for {@code purpose} at {@code at}? */
    public boolean allows(String agencyId, ConsentPurpose purpose, Instant at) {
        return consentFor(agencyId, null, purpose, at).isPresent();
    }

    /**
     * The consent that lets {@code agencyId} (of {@code kind}, null if unknown) use this learner's data for
     * {@code purpose} at {@code at}, if any: one given to the agency itself before one given to its kind.
     */
    public Optional<Consent> consentFor(String agencyId, AgencyKind kind, ConsentPurpose purpose, Instant at) {
        return consents.stream().filter(consent -> consent.isActive(agencyId, kind, purpose, at))
                .min(java.util.Comparator.comparing(Consent::isForKind));
    }

    /**
     * What {@code viewer} may see of this learner at {@code at}, and why: the registering agency everything; an
     * agency the learner consents to (itself or its kind, not expired, not withdrawn) the fields of the consented
     * purposes; an agency receiving an open referral of the learner the fields a referral needs, to read only. Once
     * erased, no one.
     */
    public Sharing sharingWith(Viewer viewer, Instant at) {
        if (isErased()) {
            return Sharing.NONE;
        }
        if (isRegisteredBy(viewer.agencyId())) {
            return new Sharing(true, EnumSet.allOf(ConsentPurpose.class), EnumSet.allOf(ConsentPurpose.class),
                    List.of(Sharing.REGISTERING_AGENCY));
        }
        Set<ConsentPurpose> consented = EnumSet.noneOf(ConsentPurpose.class);
        List<String> grounds = new ArrayList<>();
        for (Consent consent : consents) {
            if (consent.isActiveFor(viewer.agencyId(), viewer.kind(), at)) {
                consented.add(consent.purpose());
                grounds.add("consent:" + consent.id());
            }
        }
        Set<ConsentPurpose> purposes = EnumSet.noneOf(ConsentPurpose.class);
        purposes.addAll(consented);
        for (String referralId : viewer.liveReferralIds()) {
            purposes.add(ConsentPurpose.REFERRAL_SHARING);
            grounds.add("referral:" + referralId);
        }
        return new Sharing(false, purposes, consented, grounds);
    }

    /**
     * Adds a step to the timeline, and returns the event announcing it; a step already recorded from the same
     * referral event is not added again (empty).
     */
    public Optional<MilestoneRecorded> recordMilestone(Milestone.Details details, String agencyId, String recordedBy,
                                                       String sourceEventId, Instant now) {
        return recordMilestone(details, agencyId, recordedBy, sourceEventId, null, now);
    }

    /**
     * Records a milestone once per source event and once per request key: empty when one was recorded from the same
     * event or the same request already.
     */
    public Optional<MilestoneRecorded> recordMilestone(Milestone.Details details, String agencyId, String recordedBy,
                                                       String sourceEventId, String requestKey, Instant now) {
        requireWritable();
        if (sourceEventId != null
                && milestones.stream().anyMatch(milestone -> sourceEventId.equals(milestone.sourceEventId()))) {
            return Optional.empty();
        }
        if (milestoneRequested(requestKey).isPresent()) {
            return Optional.empty();
        }
        Milestone milestone = Milestone.record(details, agencyId, recordedBy, sourceEventId, requestKey, now);
        milestones.add(milestone);
        return Optional.of(new MilestoneRecorded(id, milestone.id(), milestone.kind().name(), milestone.occurredOn(),
                milestone.recordedByAgencyId(), milestone.learningKind() == null ? null : milestone.learningKind().name(),
                milestone.level() == null ? null : milestone.level().name(), milestone.accredited(),
                milestone.referralId(), milestone.opportunityId(), milestone.recordedAt()));
    }

    /** The milestone a request with this key (its digest) recorded, if any. */
    public Optional<Milestone> milestoneRequested(String requestKey) {
        return requestKey == null ? Optional.empty()
                : milestones.stream().filter(milestone -> requestKey.equals(milestone.requestKey())).findFirst();
    }

    /**
     * Records that a worker found this record and {@code other} to be the same person, and returns the event saying
     * so; never merges them.
     */
    public LearnerLinked linkTo(String other, String agencyId, String userId, Instant now) {
        requireWritable();
        if (other.equals(id)) {
            throw ProblemException.unprocessable("link-to-itself", "A learner cannot be linked to their own record.");
        }
        if (isLinkedTo(other)) {
            throw ProblemException.conflict("already-linked", "These records are already linked.",
                    Map.of("learnerId", id, "otherLearnerId", other));
        }
        links.add(new LearnerLink(other, agencyId, userId, now));
        return new LearnerLinked(id, other, agencyId, now);
    }

    public boolean isLinkedTo(String other) {
        return links.stream().anyMatch(link -> link.learnerId().equals(other));
    }

    /**
     * Erases the learner's personal data at their request, keeping a pseudonymous tombstone (id, registering
     * agency, when, and how many consents, milestones, achievements and links there were), and returns the event
     * telling every other service to do the same.
     */
    public LearnerErased erase(String agencyId, Instant now) {
        requireNotErased();
        erasure = new Erasure(now, agencyId, consents.size(), milestones.size(), priorAchievements.size(),
                links.size());
        givenName = null;
        familyName = null;
        preferredName = null;
        nameKeys = new ArrayList<>();
        dateOfBirth = null;
        email = null;
        phone = null;
        emailKey = null;
        phoneKey = null;
        preferredContactMethod = null;
        localityCode = null;
        preferredLanguage = null;
        interpreterNeeded = false;
        accessibilityNeeds = null;
        barriers = new ArrayList<>();
        goals = null;
        interests = new ArrayList<>();
        priorAchievements = new ArrayList<>();
        consents = new ArrayList<>();
        milestones = new ArrayList<>();
        links = new ArrayList<>();
        registeredBy = null;
        return new LearnerErased(id, registeringAgencyId, now);
    }

    /**
     * Explicit merge of {@code other} (a record of the same person, registered by the same agency) into this one.
     * Both histories are kept: this record gains copies of the other's milestones and achievements, fills its own
     * blank details from the other's, takes over the other's links and its consents that are in force (as new links
     * and consents, whose events are returned, so that every service learns this id may be shared); the other is
     * retired with {@link #retireInto}, not deleted. Merging the same record again adds nothing.
     */
    public List<PathwaysEvent> absorb(Learner other, String agencyId, String userId, Instant now) {
        requireWritable();
        other.requireWritable();
        if (other.id.equals(id)) {
            throw ProblemException.unprocessable("merge-with-itself", "A learner cannot be merged with itself.");
        }
        if (mergedFrom.stream().anyMatch(merged -> merged.learnerId().equals(other.id))) {
            // A merge stopped before the other record was retired, sent again: what it granted since is carried.
            List<PathwaysEvent> carried = new ArrayList<>();
            carryConsentsOf(other, now, carried);
            return carried;
        }
        for (Milestone milestone : other.milestones) {
            if (milestones.stream().noneMatch(mine -> mine.id().equals(milestone.id()))) {
                milestones.add(milestone);
            }
        }
        other.priorAchievements.stream().filter(achievement -> !priorAchievements.contains(achievement))
                .forEach(priorAchievements::add);
        other.interests.stream().filter(interest -> !interests.contains(interest)).forEach(interests::add);
        other.barriers.stream().filter(barrier -> !barriers.contains(barrier)).forEach(barriers::add);
        preferredName = preferredName != null ? preferredName : other.preferredName;
        nameKeys = nameKeys(givenName, familyName, preferredName);
        email = email != null ? email : other.email;
        phone = phone != null ? phone : other.phone;
        emailKey = ContactKeys.email(email);
        phoneKey = ContactKeys.phone(phone);
        accessibilityNeeds = accessibilityNeeds != null ? accessibilityNeeds : other.accessibilityNeeds;
        goals = goals != null ? goals : other.goals;
        interpreterNeeded = interpreterNeeded || other.interpreterNeeded;
        List<PathwaysEvent> events = new ArrayList<>();
        for (LearnerLink link : other.links) {
            if (!link.learnerId().equals(id) && !isLinkedTo(link.learnerId())) {
                links.add(link);
                events.add(new LearnerLinked(id, link.learnerId(), link.linkedByAgencyId(), now));
            }
        }
        carryConsentsOf(other, now, events);
        mergedFrom.add(new MergeRecord(other.id, agencyId, userId, now));
        return events;
    }

    /**
     * The consents in force of {@code other} (a record merged into this one) carry on here: each as the consent in
     * force here on exactly its terms (scope and expiry), which then stands for it, or else as a copy that does.
     * Withdrawing one withdraws the other ({@link ConsentOrigin}); a consent carried already is skipped, so this is
     * repeatable (a merge finished after a change to the other record).
     *
     * @param events where the {@code consent-granted} events of the copies are added
     * @return whether this record changed (a copy made, or a consent here standing for one more)
     */
    public boolean carryConsentsOf(Learner other, Instant now, List<PathwaysEvent> events) {
        boolean changed = false;
        for (Consent consent : other.consents) {
            if (!consent.isInForceAt(now)
                    || consents.stream().anyMatch(mine -> mine.standsFor(other.id, consent.id()))) {
                continue;
            }
            Optional<Consent> same = consents.stream().filter(mine -> mine.sameScopeAs(consent)
                    && Objects.equals(mine.expiresAt(), consent.expiresAt()) && mine.isInForceAt(now)).findFirst();
            if (same.isPresent()) {
                same.get().standFor(other.id, consent);
            } else {
                ConsentGranted copied = grantConsent(consent.agencyId(), consent.agencyKind(), consent.purpose(),
                        consent.method(), consent.recordedBy(), consent.expiresAt(), now);
                consent(copied.consentId()).orElseThrow().standFor(other.id, consent);
                events.add(copied);
            }
            changed = true;
        }
        return changed;
    }

    /** Retires this record after it was merged into {@code survivor}; it stays readable, with its history. */
    public LearnerMerged retireInto(Learner survivor, Instant now) {
        requireWritable();
        mergedInto = survivor.id;
        return new LearnerMerged(id, survivor.id, registeringAgencyId, now);
    }

    public String mergedInto() {
        return mergedInto;
    }

    public List<MergeRecord> mergedFrom() {
        return List.copyOf(mergedFrom);
    }

    private void requireWritable() {
        requireNotErased();
        if (mergedInto != null) {
            throw ProblemException.conflict("learner-merged",
                    "This record was merged into another; change that one instead.", Map.of("mergedInto", mergedInto));
        }
    }

    public boolean isErased() {
        return erasure != null;
    }

    private void requireNotErased() {
        if (isErased()) {
            throw new ProblemException(HttpStatus.GONE, "learner-erased",
                    "This learner's personal data was erased at their request.");
        }
    }

    /** The learner's name as duplicate detection compares it. */
    private static List<String> nameKeys(String givenName, String familyName, String preferredName) {
        PersonName name = PersonName.of(givenName, familyName, preferredName);
        List<String> keys = new ArrayList<>(name.givenParts());
        name.familyParts().stream().filter(part -> !keys.contains(part)).forEach(keys::add);
        return keys;
    }

    public PersonName name() {
        return PersonName.of(givenName, familyName, preferredName);
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

    public String emailKey() {
        return emailKey;
    }

    public String phoneKey() {
        return phoneKey;
    }

    public ContactMethod preferredContactMethod() {
        return preferredContactMethod;
    }

    public boolean interpreterNeeded() {
        return interpreterNeeded;
    }

    public String accessibilityNeeds() {
        return accessibilityNeeds;
    }

    public Set<Barrier> barriers() {
        return barriers.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(barriers));
    }

    public String goals() {
        return goals;
    }

    public List<String> interests() {
        return List.copyOf(interests);
    }

    public List<Achievement> priorAchievements() {
        return List.copyOf(priorAchievements);
    }

    public List<Milestone> milestones() {
        return List.copyOf(milestones);
    }

    public List<LearnerLink> links() {
        return List.copyOf(links);
    }

    public Erasure erasure() {
        return erasure;
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
