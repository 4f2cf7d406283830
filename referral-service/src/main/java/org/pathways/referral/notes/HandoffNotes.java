package org.pathways.referral.notes;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.pathways.events.referral.ReferralNoteAdded;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.referral.domain.Actor;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.lifecycle.ReferralLifecycle;
import org.pathways.referral.web.ExpectedVersion;
import org.pathways.referral.web.ReferralView;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Service;

/**
 * The thread of handoff notes between the two agencies of a referral. A note is appended, never edited; adding one
 * does not need the referral's version (a note never conflicts with a transition), so a lost race is retried.
 */
@Service
class HandoffNotes {

    private static final int ATTEMPTS = 5;

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final Clock clock;

    HandoffNotes(Outbox outbox, MongoTemplate mongo, Clock clock) {
        this.outbox = outbox;
        this.mongo = mongo;
        this.clock = clock;
    }

    /** A note added, and the version of the referral after it. */
    record Added(Referral.Note note, Long referralVersion) {
    }

    /** Adds a note; with an expected version (If-Match) a referral changed since is a 409, never retried. */
    Added add(Caller caller, String referralId, AddNote request, ExpectedVersion expected) {
        for (int attempt = 1; ; attempt++) {
            Referral referral = partyReferral(caller, referralId);
            if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
                throw ProblemException.forbidden("Only the workers and systems of the two agencies write notes.");
            }
            if (!expected.matches(referral.version())) {
                throw ReferralLifecycle.stale(referral);
            }
            if (referral.erased()) {
                throw ProblemException.conflict("learner-erased",
                        "The learner's personal data was erased; no new notes are written about them.", Map.of());
            }
            ReferralNoteAdded added = referral.addNote(Actor.of(caller, referral), request.text(), clock.instant());
            try {
                Referral saved = outbox.save(referral, added);
                return new Added(saved.notes().getLast(), saved.version());
            } catch (OptimisticLockingFailureException raced) {
                if (expected.value() != null) {
                    throw ReferralLifecycle.stale(partyReferral(caller, referralId));
                }
                if (attempt == ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    List<Referral.Note> thread(Caller caller, String referralId) {
        Referral referral = partyReferral(caller, referralId);
        if (!ReferralView.seesPersonalData(caller)) {
            throw ProblemException.forbidden("Only the workers and systems of the two agencies read handoff notes.");
        }
        return referral.notes();
    }

    private Referral partyReferral(Caller caller, String referralId) {
        Referral referral = mongo.findById(referralId, Referral.class);
        if (referral == null || !referral.isPartyTo(caller.agencyId())) {
            throw ProblemException.notFound("referral", referralId);
        }
        return referral;
    }
}
