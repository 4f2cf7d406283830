package org.pathways.referral.notes;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.pathways.events.referral.ReferralNoteAdded;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.referral.archive.ReferralArchive;
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
 *
 * <p>A note is written into the referral together with its event (one atomic write through the outbox), then moved
 * out into the notes collection ({@link ReferralArchive}), so the referral's document stays small however long the
 * thread grows; the thread is read from both places, by number.
 */
@Service
class HandoffNotes {

    private static final int ATTEMPTS = 5;

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final Clock clock;
    private final ReferralArchive archive;

    HandoffNotes(Outbox outbox, MongoTemplate mongo, Clock clock, ReferralArchive archive) {
        this.outbox = outbox;
        this.mongo = mongo;
        this.clock = clock;
        this.archive = archive;
    }

    /** A page of the thread, newest first, and the number to read older notes before (null: none are older). */
    record Page(List<Referral.Note> notes, Integer olderBefore) {
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
                Referral.Note note = saved.notes().getLast();
                archive.tidyAfterSave(saved);
                return new Added(note, saved.version());
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

    /** The whole thread, oldest first. */
    List<Referral.Note> thread(Caller caller, String referralId) {
        Referral referral = readableReferral(caller, referralId);
        return archive.notes(referral, 1, referral.noteCount());
    }

    /** {@code limit} notes numbered below {@code before} (or the newest), newest first. */
    Page page(Caller caller, String referralId, int limit, Integer before) {
        Referral referral = readableReferral(caller, referralId);
        int to = before == null ? referral.noteCount() : Math.min(referral.noteCount(), before - 1);
        int from = Math.max(1, to - limit + 1);
        List<Referral.Note> notes = archive.notes(referral, from, to).reversed();
        return new Page(notes, from > 1 && to >= from ? from : null);
    }

    private Referral readableReferral(Caller caller, String referralId) {
        Referral referral = partyReferral(caller, referralId);
        if (!ReferralView.seesPersonalData(caller)) {
            throw ProblemException.forbidden("Only the workers and systems of the two agencies read handoff notes.");
        }
        if (!referral.notes().isEmpty()) {
            // Written before notes moved out, or left by a crash after the note's write: move them now (the
            // thread below is read from the referral as it was, which serves them either way).
            archive.tidyAfterSave(mongo.findById(referralId, Referral.class));
        }
        return referral;
    }

    private Referral partyReferral(Caller caller, String referralId) {
        Referral referral = mongo.findById(referralId, Referral.class);
        if (referral == null || !referral.isPartyTo(caller.agencyId())) {
            throw ProblemException.notFound("referral", referralId);
        }
        return referral;
    }
}
