package org.pathways.learner.profile;

import java.time.Clock;

import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.stereotype.Service;

/** Registers learners and finds them for the agencies allowed to see them. */
@Service
public class LearnerProfiles {

    private final LearnerRepository learners;
    private final Outbox outbox;
    private final Clock clock;

    LearnerProfiles(LearnerRepository learners, Outbox outbox, Clock clock) {
        this.learners = learners;
        this.outbox = outbox;
        this.clock = clock;
    }

    Learner register(Caller caller, RegisterLearner details) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers or systems register learners.");
        }
        Learner learner = Learner.register(details, caller.agencyId(), caller.userId(), clock.instant());
        return outbox.save(learner, learner.registeredEvent());
    }

    /**
     * The learner, if the caller's agency may see it now. Anyone else gets the same answer as for an id that does
     * not exist, so that a profile's existence does not leak.
     */
    public Learner visibleTo(Caller caller, String learnerId) {
        return learners.findById(learnerId)
                .filter(learner -> learner.isVisibleTo(caller.agencyId(), clock.instant()))
                .orElseThrow(() -> ProblemException.notFound("learner", learnerId));
    }
}
