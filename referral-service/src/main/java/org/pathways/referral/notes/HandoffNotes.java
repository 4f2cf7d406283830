package org.pathways.referral.notes;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.pathways.events.referral.ReferralNoteAdded;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.idempotency.IdempotencyKeys;
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

    private final org.pathways.referral.web.PartyStanding standing;

    HandoffNotes(Outbox outbox, MongoTemplate mongo, Clock clock, ReferralArchive archive,
                 org.pathways.referral.web.PartyStanding standing) {
        this.standing = standing;
        this.outbox = outbox;
        this.mongo = mongo;
        this.clock = clock;
        this.archive = archive;
    }

    /** A page of the thread, newest first, and the number to read older notes before (null: none are older). */
    record Page(List<Referral.Note> notes, Integer olderBefore) {
    }

    /**
     * A note added, and the version of the referral after it; {@code replayed} when the same request (its
     * {@code Idempotency-Key}) had added it already.
     */
    record Added(Referral.Note note, Long referralVersion, boolean replayed) {
    }

    /**
     * Adds a note; with an expected version (If-Match) a referral changed since is a 409, never retried. With an
     * idempotency key, the same request sent again (a double click, a client's retry, or twice at once) answers the
     * note the first added; the key sent with another text is a 422.
     */
    Added add(Caller caller, String referralId, AddNote request, ExpectedVersion expected, String idempotencyKey) {
        String requestKey = IdempotencyKeys.digest(caller.agencyId(), idempotencyKey);
        for (int attempt = 1; ; attempt++) {
            Referral referral = partyReferral(caller, referralId);
            if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
                throw ProblemException.forbidden("Only the workers and systems of the two agencies write notes.");
            }
            // A note is about the person: written (and read) only by an agency with standing for them now.
            standing.require(referral, caller.agencyId());
            OptionalInt sent = referral.noteRequested(requestKey);
            if (sent.isPresent()) {
                return replay(referral, sent.getAsInt(), request);
            }
            if (!expected.matches(referral.version())) {
                throw ReferralLifecycle.stale(referral);
            }
            if (referral.erased()) {
                throw ProblemException.conflict("learner-erased",
                        "The learner's personal data was erased; no new notes are written about them.", Map.of());
            }
            ReferralNoteAdded added = referral.addNote(Actor.of(caller, referral), request.text(), requestKey,
                    clock.instant());
            try {
                Referral saved = outbox.save(referral, added);
                Referral.Note note = saved.notes().getLast();
                archive.tidyAfterSave(saved);
                return new Added(note, saved.version(), false);
            } catch (OptimisticLockingFailureException raced) {
                if (expected.value() != null) {
                    Referral now = partyReferral(caller, referralId);
                    OptionalInt first = now.noteRequested(requestKey);
                    if (first.isPresent()) {
                        return replay(now, first.getAsInt(), request);
                    }
                    throw ReferralLifecycle.stale(partyReferral(caller, referralId));
                }
                if (attempt == ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    /** The note an earlier request with the same key added, unless the key came with another text. */
    private Added replay(Referral referral, int number, AddNote request) {
        Referral.Note note = archive.notes(referral, number, number).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("Note " + number + " of " + referral.id() + " is missing"));
        if (note.text() != null && !note.text().equals(request.text())) {
            throw IdempotencyKeys.reused("note");
        }
        return new Added(note, referral.version(), true);
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
        standing.require(referral, caller.agencyId());
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
