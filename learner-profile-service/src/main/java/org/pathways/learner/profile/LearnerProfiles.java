package org.pathways.learner.profile;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.ProfileField;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.LearnerLink;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.matching.DuplicateDetection;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Registers and updates learners, and shows them as each agency may see them. */
@Service
public class LearnerProfiles {

    private final Learners learners;
    private final Outbox outbox;
    private final AccessAudit audit;
    private final DuplicateDetection duplicates;
    private final Clock clock;

    LearnerProfiles(Learners learners, Outbox outbox, AccessAudit audit, DuplicateDetection duplicates, Clock clock) {
        this.learners = learners;
        this.outbox = outbox;
        this.audit = audit;
        this.duplicates = duplicates;
        this.clock = clock;
    }

    /**
     * Registers a learner unless they look like someone already registered anywhere in the partnership: then the
     * answer is a {@code 409 possible-duplicate} listing the candidates ({@link DuplicateDetection}), unless the
     * worker confirmed, with {@code confirmNotDuplicate}, that this is someone else.
     */
    Registered register(Caller caller, RegisterLearner details, AccessRequest access, String idempotencyKey) {
        requireWorkerOrSystem(caller);
        String requestKey = IdempotencyKeys.digest(caller.agencyId(), idempotencyKey);
        String id = requestKey == null ? null : Learner.idForRequest(requestKey);
        if (id != null) {
            Optional<Registered> earlier = registeredBefore(caller, id, details);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        Learner learner = Learner.register(details, caller.agencyId(), caller.userId(), clock.instant(), id);
        if (!details.confirmedNotDuplicate()) {
            try {
                duplicates.refuseLikelyDuplicates(caller, learner, access);
            } catch (ProblemException possibleDuplicate) {
                // The same request sent twice at once: the record the other one just made is not a duplicate.
                Optional<Registered> earlier = id == null ? Optional.empty() : registeredBefore(caller, id, details);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
                throw possibleDuplicate;
            }
        }
        try {
            return new Registered(outbox.save(learner, learner.registeredEvent()), false);
        } catch (DuplicateKeyException raced) {
            // The same request sent twice at once: the other one registered the learner.
            if (id == null) {
                throw raced;
            }
            return registeredBefore(caller, id, details).orElseThrow(() -> raced);
        }
    }

    /** A learner as registered: {@code replayed} when the same request (its key) had registered it already. */
    record Registered(Learner learner, boolean replayed) {
    }

    /**
     * The learner an earlier registration with the same key made, as its agency sees it now (a record since erased
     * answers as an erased one does); the key sent with another person's name or date of birth is a 422.
     */
    private Optional<Registered> registeredBefore(Caller caller, String id, RegisterLearner details) {
        if (learners.stored(id).isEmpty()) {
            return Optional.empty();
        }
        Learner earlier = learners.access(caller, id).learner();
        if (!earlier.isRegisteredBy(caller.agencyId()) || !details.givenName().equals(earlier.givenName())
                || !details.familyName().equals(earlier.familyName())
                || !details.dateOfBirth().equals(earlier.dateOfBirth())) {
            throw IdempotencyKeys.reused("learner");
        }
        return Optional.of(new Registered(earlier, true));
    }

    /**
     * Replaces the learner's details if {@code expectedVersion} is still current (else {@code 409}), and publishes
     * which parts changed; a change that changes nothing is not saved (the version stays). An agency other than the
     * registering one may send only parts it may change, {@code sent} (a whole profile with {@code PUT}, the fields
     * named with {@code PATCH}), changed or not (else {@code 403 field-not-shared}): were only changed parts checked, a
     * value sent unchanged would answer whether a guess at a part it may not see was right. The change is audited
     * before it is saved (the answer shows the profile): if the audit cannot be written, nothing is saved.
     */
    Access update(Caller caller, String learnerId, Long expectedVersion, Function<Learner, UpdateLearner> details,
                  Set<ProfileField> sent, AccessRequest request) {
        requireWorkerOrSystem(caller);
        if (expectedVersion == null) {
            throw new ProblemException(HttpStatus.PRECONDITION_REQUIRED, "version-required",
                    "Send the version you read, as If-Match or as \"version\", so no one's change is lost.");
        }
        Access access = learners.access(caller, learnerId);
        Learner learner = access.learner();
        if (!expectedVersion.equals(learner.version())) {
            throw new OptimisticLockingFailureException("Learner " + learnerId + " changed since it was read");
        }
        // Checked before the change is applied, whose own rules (a contact method needs its e-mail or phone on
        // file) would otherwise answer about what the agency may not see. What changes is always among what was
        // sent: a PATCH changes only the parts it names, a PUT names them all.
        List<ProfileField> notShared = sent.stream().filter(field -> !access.sharing().mayChange(field)).sorted()
                .toList();
        if (!notShared.isEmpty()) {
            throw new ProblemException(HttpStatus.FORBIDDEN, "field-not-shared",
                    "Your agency may change only what it may see of this learner; not " + notShared
                            + " (with PATCH, send only the fields you mean to change).");
        }
        Optional<LearnerProfileUpdated> updated = learner.update(details.apply(learner), caller.agencyId(),
                clock.instant());
        audit.record(caller, learnerId, AccessAction.UPDATE_PROFILE, request, access.grounds());
        if (updated.isEmpty()) {
            // Nothing changed (an empty PATCH, or the values it already had): nothing to save, the version stays.
            return access;
        }
        Learner saved = outbox.save(learner, updated.stream().toList());
        return new Access(saved, access.viewer(), access.sharing());
    }

    /**
     * The profile as the caller's agency may see it. Links are shown to the registering agency, and only to records
     * that it may see too; the others are only counted ({@code otherLinkedRecords}), so a link made on another
     * agency's request never names that agency's record.
     */
    public LearnerView view(Caller caller, Access access) {
        Set<String> open = new HashSet<>();
        if (access.sharing().registering()) {
            access.learner().links().stream().map(LearnerLink::learnerId)
                    .filter(linked -> learners.seenBy(caller, linked)).forEach(open::add);
        }
        return LearnerView.forAgency(access.learner(), access.viewer(), access.sharing(), open, clock.instant());
    }

    private static void requireWorkerOrSystem(Caller caller) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers or systems register or change learners.");
        }
    }
}
