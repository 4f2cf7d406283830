package org.pathways.referral.notes;

import java.time.Clock;
import java.util.List;

import org.pathways.events.referral.ReferralNoteAdded;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.referral.lifecycle.Actor;
import org.pathways.referral.submission.Referral;
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

    Referral.Note add(Caller caller, String referralId, AddNote request) {
        for (int attempt = 1; ; attempt++) {
            Referral referral = partyReferral(caller, referralId);
            if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
                throw ProblemException.forbidden("Only the workers and systems of the two agencies write notes.");
            }
            ReferralNoteAdded added = referral.addNote(Actor.of(caller, referral), request.text(), clock.instant());
            try {
                outbox.save(referral, added);
                return referral.notes().getLast();
            } catch (OptimisticLockingFailureException raced) {
                if (attempt == ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    List<Referral.Note> thread(Caller caller, String referralId) {
        return partyReferral(caller, referralId).notes();
    }

    private Referral partyReferral(Caller caller, String referralId) {
        Referral referral = mongo.findById(referralId, Referral.class);
        if (referral == null || !referral.isPartyTo(caller.agencyId())) {
            throw ProblemException.notFound("referral", referralId);
        }
        return referral;
    }
}
