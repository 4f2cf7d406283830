package org.pathways.learner.consent;

import java.time.Clock;
import java.time.Instant;

import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.learner.profile.Consent;
import org.pathways.learner.profile.Learner;
import org.pathways.learner.profile.LearnerProfiles;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.stereotype.Service;

/**
 * Records, withdraws and checks consents. Each change is saved with its event through the outbox, guarded by the
 * version read: two workers changing one learner at once cannot lose each other's change (the later one gets a
 * 409 and retries).
 */
@Service
class ConsentRecords {

    private final LearnerProfiles profiles;
    private final Outbox outbox;
    private final Clock clock;

    ConsentRecords(LearnerProfiles profiles, Outbox outbox, Clock clock) {
        this.profiles = profiles;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** Only workers of the registering agency record consents; to anyone else the learner does not exist. */
    Consent grant(Caller caller, String learnerId, RecordConsent request) {
        requireWorker(caller);
        Learner learner = profiles.visibleTo(caller, learnerId);
        if (!learner.isRegisteredBy(caller.agencyId())) {
            throw ProblemException.notFound("learner", learnerId);
        }
        ConsentGranted granted = learner.grantConsent(request.agencyId(), request.purpose(), request.method(),
                caller.userId(), request.expiresAt(), clock.instant());
        return outbox.save(learner, granted).consent(granted.consentId()).orElseThrow();
    }

    /**
     * The learner may withdraw a consent through a worker of the registering agency or of the agency the consent
     * was given to; other agencies cannot see the consent.
     */
    Consent withdraw(Caller caller, String learnerId, String consentId) {
        requireWorker(caller);
        Learner learner = profiles.visibleTo(caller, learnerId);
        boolean mayWithdraw = learner.consent(consentId)
                .map(consent -> learner.isRegisteredBy(caller.agencyId())
                        || consent.agencyId().equals(caller.agencyId()))
                .orElse(false);
        if (!mayWithdraw) {
            throw ProblemException.notFound("consent", consentId);
        }
        ConsentWithdrawn withdrawn = learner.withdrawConsent(consentId, caller.userId(), clock.instant());
        return outbox.save(learner, withdrawn).consent(withdrawn.consentId()).orElseThrow();
    }

    ConsentDecision check(Caller caller, String learnerId, String agencyId, ConsentPurpose purpose) {
        Instant now = clock.instant();
        Learner learner = profiles.visibleTo(caller, learnerId);
        return new ConsentDecision(learner.allows(agencyId, purpose, now));
    }

    private static void requireWorker(Caller caller) {
        if (!caller.has(Role.WORKER)) {
            throw ProblemException.forbidden("Only an agency's workers record or withdraw a learner's consent.");
        }
    }
}
