package org.pathways.referral.domain;

import static org.pathways.events.referral.ReferralStatus.ACCEPTED;
import static org.pathways.events.referral.ReferralStatus.IN_PROGRESS;
import static org.pathways.events.referral.ReferralStatus.ON_HOLD;
import static org.pathways.events.referral.ReferralStatus.RECEIVED;
import static org.pathways.events.referral.ReferralStatus.SUBMITTED;
import static org.pathways.referral.domain.ReferralAction.ACCEPT;
import static org.pathways.referral.domain.ReferralAction.CANCEL;
import static org.pathways.referral.domain.ReferralAction.COMPLETE;
import static org.pathways.referral.domain.ReferralAction.FAIL;
import static org.pathways.referral.domain.ReferralAction.HOLD;
import static org.pathways.referral.domain.ReferralAction.RECEIVE;
import static org.pathways.referral.domain.ReferralAction.REJECT;
import static org.pathways.referral.domain.ReferralAction.RESUME;
import static org.pathways.referral.domain.ReferralAction.START;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralCancelled;
import org.pathways.events.referral.ReferralCompleted;
import org.pathways.events.referral.ReferralFailed;
import org.pathways.events.referral.ReferralNoteAdded;
import org.pathways.events.referral.ReferralOverdue;
import org.pathways.events.referral.ReferralPutOnHold;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralRejected;
import org.pathways.events.referral.ReferralResumed;
import org.pathways.events.referral.ReferralStarted;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.ReferralTransitioned;
import org.pathways.events.referral.SlaBreach;
import org.pathways.events.referral.Urgency;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A handoff of a learner from one agency to another, and its closed-loop lifecycle (aligned with HL7 FHIR Task
 * statuses). The referral itself decides which action is legal now and whose turn it is. Saved only through the
 * outbox, together with the events its change caused.
 *
 * <p>{@code openKey} is set while the referral is open and removed when it closes: a sparse unique index on it
 * allows one open referral per learner and opportunity (the embedded store has no partial indexes).
 */
@Document("referrals")
@CompoundIndexes({
        // Inboxes: an agency's incoming / outgoing referrals, newest first, by status, by opportunity, by worker.
        @CompoundIndex(name = "receiving_inbox", def = "{'receivingAgencyId': 1, 'status': 1, 'submittedAt': -1, '_id': -1}"),
        @CompoundIndex(name = "referring_outbox", def = "{'referringAgencyId': 1, 'status': 1, 'submittedAt': -1, '_id': -1}"),
        @CompoundIndex(name = "receiving_all", def = "{'receivingAgencyId': 1, 'submittedAt': -1, '_id': -1}"),
        @CompoundIndex(name = "referring_all", def = "{'referringAgencyId': 1, 'submittedAt': -1, '_id': -1}"),
        @CompoundIndex(name = "receiving_opportunity", def = "{'receivingAgencyId': 1, 'opportunityId': 1, 'submittedAt': -1, '_id': -1}"),
        @CompoundIndex(name = "referring_opportunity", def = "{'referringAgencyId': 1, 'opportunityId': 1, 'submittedAt': -1, '_id': -1}"),
        @CompoundIndex(name = "referring_worker", def = "{'referringAgencyId': 1, 'referringWorkerId': 1, 'submittedAt': -1, '_id': -1}"),
        @CompoundIndex(name = "receiving_worker", def = "{'receivingAgencyId': 1, 'receivingWorkerId': 1, 'submittedAt': -1, '_id': -1}"),
        // One learner's referrals in an inbox (a learner has few: the agency is filtered among them), newest first.
        @CompoundIndex(name = "learner_newest", def = "{'learnerId': 1, 'submittedAt': -1, '_id': -1}"),
        // The inboxes' overdue filter: an agency's referrals awaiting an answer, by due date (then sorted in memory).
        @CompoundIndex(name = "receiving_acknowledge_due", def = "{'receivingAgencyId': 1, 'status': 1, 'acknowledgeBy': 1}"),
        @CompoundIndex(name = "receiving_decide_due", def = "{'receivingAgencyId': 1, 'status': 1, 'decideBy': 1}"),
        @CompoundIndex(name = "referring_acknowledge_due", def = "{'referringAgencyId': 1, 'status': 1, 'acknowledgeBy': 1}"),
        @CompoundIndex(name = "referring_decide_due", def = "{'referringAgencyId': 1, 'status': 1, 'decideBy': 1}"),
        // The SLA job: open referrals by due date.
        @CompoundIndex(name = "acknowledge_due", def = "{'status': 1, 'acknowledgeBy': 1}"),
        @CompoundIndex(name = "decide_due", def = "{'status': 1, 'decideBy': 1}")
        // Consent withdrawal and erasure find a learner's referrals through learner-referrals, by _id: the former
        // learner_receiving index is no longer declared (drop it by hand from a running MongoDB).
})
public class Referral {

    /** What each status lets anyone do next; who may is the action's side. */
    private static final Map<ReferralStatus, Set<ReferralAction>> NEXT = new EnumMap<>(Map.of(
            SUBMITTED, EnumSet.of(RECEIVE, REJECT, CANCEL),
            RECEIVED, EnumSet.of(ACCEPT, REJECT, CANCEL),
            ACCEPTED, EnumSet.of(START, HOLD, FAIL, CANCEL),
            IN_PROGRESS, EnumSet.of(COMPLETE, HOLD, FAIL, CANCEL),
            ON_HOLD, EnumSet.of(RESUME, CANCEL)));

    @Id
    private String id;
    @Version
    private Long version;
    private String learnerId;
    private String opportunityId;
    private String referringAgencyId;
    private String referringWorkerId;
    private String receivingAgencyId;
    private String receivingWorkerId;
    private String need;
    private Urgency urgency;
    private SharedSummary sharedSummary;
    private Instant sharedSummaryTakenAt;
    private Instant erasedAt;
    private ReferralStatus status;
    private ReferralStatus statusBeforeHold;
    private ReferralReason holdReason;
    private Instant heldAt;
    private Instant submittedAt;
    private Instant acknowledgeBy;
    private Instant decideBy;
    private List<SlaBreach> breachesRaised = new ArrayList<>();
    private String openKey;
    private String idempotencyKey;
    private String previousReferralId;
    private String nextReferralId;
    /** The first entry and the most recent ones; the entries between them have moved out ({@link #moveOut}). */
    private List<StatusChange> history = new ArrayList<>();
    /** How many history entries (after the first) have moved out of this document. */
    private int historyMoved;
    /** The notes not yet moved out of this document (usually none: a note moves out right after it is added). */
    private List<Note> notes = new ArrayList<>();
    /** How many notes have moved out of this document: they are notes 1 to {@code notesMoved}. */
    private int notesMoved;
    /**
     * The most recent note requests sent with an {@code Idempotency-Key} (its digest) and the number of the note each
     * added, so the same request sent again adds nothing; the oldest go beyond {@link #NOTE_REQUESTS_KEPT}.
     */
    private List<NoteRequest> noteRequests = new ArrayList<>();

    /** How many note requests' keys a referral keeps: far more than a double click or a client's retries make. */
    public static final int NOTE_REQUESTS_KEPT = 50;

    /** A note request's key (a digest) and the number of the note it added. */
    public record NoteRequest(String key, int note) {
    }

    /** One step of the referral's history: who did what, when and why (the text is for the two agencies only). */
    public record StatusChange(ReferralStatus status, Instant at, String byUser, String byAgency,
                               ReferralAction action, ReferralReason reason, String reasonText) {
    }

    /** A handoff note between the two agencies. */
    public record Note(String id, String authorUserId, String authorAgencyId, String text, Instant at) {
    }

    /**
     * What moves out of the document, so that it stays small however long the referral lives: its waiting notes by
     * their number (1 for the first note), and the history entries beyond the first and the most recent, by their
     * position in the full history (0 for the submission, which stays).
     */
    public record Overflow(Map<Integer, Note> notes, Map<Integer, StatusChange> history) {

        public boolean isEmpty() {
            return notes.isEmpty() && history.isEmpty();
        }
    }

    /** When the receiving agency should have acknowledged and decided, set at submission. */
    public record DueDates(Instant acknowledgeBy, Instant decideBy) {
    }

    /**
     * How the response-time clocks count time: the service counts working time (weekends and bank holidays do not
     * count); {@link #ELAPSED} counts every hour.
     */
    public interface WorkingTime {

        WorkingTime ELAPSED = new WorkingTime() {
            @Override
            public Duration between(Instant from, Instant to) {
                return Duration.between(from, to);
            }

            @Override
            public Instant plus(Instant at, Duration working) {
                return at.plus(working);
            }
        };

        /** The working time between two instants. */
        Duration between(Instant from, Instant to);

        /** The instant {@code working} working time after {@code at}. */
        Instant plus(Instant at, Duration working);
    }

    protected Referral() {
    }

    /** Submits a referral; the rules that need other data (consent, opportunity) are checked by the caller. */
    public static Referral submit(String learnerId, String opportunityId, String referringAgencyId,
                                  String referringWorkerId, String receivingAgencyId, String need, Urgency urgency,
                                  String idempotencyKey, Instant now, DueDates due) {
        return submit(learnerId, opportunityId, referringAgencyId, referringWorkerId, receivingAgencyId, need,
                urgency, idempotencyKey, now, due, null);
    }

    /** Submits a referral that follows on from {@code previousReferralId} (a next step; null for a first one). */
    public static Referral submit(String learnerId, String opportunityId, String referringAgencyId,
                                  String referringWorkerId, String receivingAgencyId, String need, Urgency urgency,
                                  String idempotencyKey, Instant now, DueDates due, String previousReferralId) {
        return submit(learnerId, opportunityId, referringAgencyId, referringWorkerId, receivingAgencyId, need,
                urgency, null, null, idempotencyKey, now, due, previousReferralId);
    }

    /**
     * Submits a referral carrying a snapshot of what the learner agreed to share (null for none), taken at
     * {@code summaryTakenAt}: now for a first referral, the earlier one's time when it is carried over unchanged.
     */
    public static Referral submit(String learnerId, String opportunityId, String referringAgencyId,
                                  String referringWorkerId, String receivingAgencyId, String need, Urgency urgency,
                                  SharedSummary summary, Instant summaryTakenAt, String idempotencyKey, Instant now,
                                  DueDates due, String previousReferralId) {
        Referral referral = new Referral();
        referral.sharedSummary = summary;
        // Kept to the millisecond, as the store keeps it, so the answer to the submission shows what is read later.
        referral.sharedSummaryTakenAt = summary == null ? null
                : (summaryTakenAt != null ? summaryTakenAt : now).truncatedTo(ChronoUnit.MILLIS);
        referral.previousReferralId = previousReferralId;
        referral.id = "ref-" + UUID.randomUUID();
        referral.learnerId = learnerId;
        referral.opportunityId = opportunityId;
        referral.referringAgencyId = referringAgencyId;
        referral.referringWorkerId = referringWorkerId;
        referral.receivingAgencyId = receivingAgencyId;
        referral.need = need;
        referral.urgency = urgency;
        referral.status = SUBMITTED;
        referral.submittedAt = now;
        referral.acknowledgeBy = due.acknowledgeBy();
        referral.decideBy = due.decideBy();
        referral.openKey = openKey(learnerId, opportunityId);
        referral.idempotencyKey = idempotencyKey == null ? null : referringAgencyId + "|" + idempotencyKey;
        referral.history.add(new StatusChange(SUBMITTED, now, referringWorkerId, referringAgencyId, null, null,
                null));
        return referral;
    }

    public static String openKey(String learnerId, String opportunityId) {
        return learnerId + "|" + opportunityId;
    }

    public ReferralSubmitted submittedEvent() {
        return new ReferralSubmitted(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId, urgency,
                submittedAt, previousReferralId);
    }

    public boolean isPartyTo(String agencyId) {
        return agencyId != null && (agencyId.equals(referringAgencyId) || agencyId.equals(receivingAgencyId));
    }

    /** The sides of this referral an agency stands on (none for a third agency). */
    public Set<ReferralAction.Side> sidesOf(String agencyId) {
        Set<ReferralAction.Side> sides = EnumSet.noneOf(ReferralAction.Side.class);
        if (agencyId != null && agencyId.equals(referringAgencyId)) {
            sides.add(ReferralAction.Side.REFERRING);
        }
        if (agencyId != null && agencyId.equals(receivingAgencyId)) {
            sides.add(ReferralAction.Side.RECEIVING);
        }
        return sides;
    }

    /** What {@code actor} may do to this referral now. */
    public List<ReferralAction> allowedActionsFor(Actor actor) {
        return NEXT.getOrDefault(status, Set.of()).stream()
                .filter(action -> actor.standsOn(action.side()) || platformMay(actor, action))
                .toList();
    }

    private static boolean platformMay(Actor actor, ReferralAction action) {
        return actor.standsOn(ReferralAction.Side.PLATFORM) && (action == HOLD || action == CANCEL);
    }

    /**
     * Performs {@code action} for {@code actor}, or refuses it. The platform may hold any open referral (consent
     * withdrawn); an agency holds only what it has accepted.
     *
     * @return the event this transition publishes
     */
    public ReferralTransitioned perform(ReferralAction action, Actor actor, ReferralReason reason, String reasonText,
                                        Instant now) {
        return perform(action, actor, reason, reasonText, now, WorkingTime.ELAPSED);
    }

    /**
     * Performs {@code action}; the response-time clocks pause while the referral is on hold, and on resuming its
     * pending deadlines (breaches not yet raised) move on by the {@code workingTime} it spent on hold.
     */
    public ReferralTransitioned perform(ReferralAction action, Actor actor, ReferralReason reason, String reasonText,
                                        Instant now, WorkingTime workingTime) {
        // The platform holds an open referral when the learner's consent stops counting, and one already on hold
        // (an agency's waitlist) again for that reason: its record must close to the receiving agency too, and only
        // a resume with consent opens it again.
        boolean consentHoldOfAHeld = status == ON_HOLD && reason == ReferralReason.CONSENT_WITHDRAWN
                && holdReason != ReferralReason.CONSENT_WITHDRAWN;
        boolean platformHold = action == HOLD && actor.standsOn(ReferralAction.Side.PLATFORM) && status.open()
                && (status != ON_HOLD || consentHoldOfAHeld);
        if (!platformHold && !allowedActionsFor(actor).contains(action)) {
            throw new TransitionRefused("A referral that is " + status + " does not allow " + action
                    + " by your agency now.", allowedActionsFor(actor));
        }
        if (!actor.standsOn(ReferralAction.Side.PLATFORM)) {
            checkReason(action, reason, reasonText);
        }
        ReferralStatus target = switch (action) {
            case RECEIVE -> RECEIVED;
            case ACCEPT -> ACCEPTED;
            case REJECT -> ReferralStatus.REJECTED;
            case START -> IN_PROGRESS;
            case HOLD -> ON_HOLD;
            case RESUME -> statusBeforeHold;
            case COMPLETE -> ReferralStatus.COMPLETED;
            case FAIL -> ReferralStatus.FAILED;
            case CANCEL -> ReferralStatus.CANCELLED;
        };
        if (action == HOLD && status == ON_HOLD) {
            // Held again, now for the consent: it resumes to where it was before the first hold, and its clocks stay
            // paused from then.
            holdReason = reason;
        } else if (action == HOLD) {
            statusBeforeHold = status;
            holdReason = reason;
            heldAt = now;
        } else if (action == RESUME) {
            statusBeforeHold = null;
            holdReason = null;
            resumeClocks(target, now, workingTime);
        }
        if (action == RECEIVE || action == ACCEPT) {
            receivingWorkerId = actor.userId();
        }
        status = target;
        if (!status.open()) {
            openKey = null;
        }
        history.add(new StatusChange(status, now, actor.userId(), actor.agencyId(), action, reason,
                keptText(reasonText)));
        return event(action, reason, actor.agencyId(), now);
    }

    /**
     * The deadlines still pending when the referral resumes to {@code resumedTo} (acknowledging while submitted,
     * deciding while not yet accepted, neither breached yet) move on by the working time it was held.
     */
    private void resumeClocks(ReferralStatus resumedTo, Instant now, WorkingTime workingTime) {
        if (heldAt == null) {
            return;
        }
        Duration paused = workingTime.between(heldAt, now);
        if (resumedTo == SUBMITTED && acknowledgeBy != null && !breachesRaised.contains(SlaBreach.ACKNOWLEDGE)) {
            acknowledgeBy = workingTime.plus(acknowledgeBy, paused);
        }
        if ((resumedTo == SUBMITTED || resumedTo == RECEIVED) && decideBy != null
                && !breachesRaised.contains(SlaBreach.DECIDE)) {
            decideBy = workingTime.plus(decideBy, paused);
        }
        heldAt = null;
    }

    private void checkReason(ReferralAction action, ReferralReason reason, String reasonText) {
        if (action.reasons().isEmpty()) {
            if (reason != null) {
                throw new InvalidReason(action + " takes no reason code; explain in reasonText if needed.");
            }
            return;
        }
        if (reason == null && !action.needsReason()) {
            return;
        }
        if (reason == null || !action.reasons().contains(reason)) {
            throw new InvalidReason(action + " needs one of the reason codes " + action.reasons() + ".");
        }
        if (action == FAIL && (reason == ReferralReason.DID_NOT_START) != (status == ACCEPTED)) {
            throw new InvalidReason("DID_NOT_START fits an accepted referral, LEFT_EARLY one in progress.");
        }
        if (reason == ReferralReason.OTHER && (reasonText == null || reasonText.isBlank())) {
            throw new InvalidReason("Reason OTHER needs a reasonText.");
        }
    }

    private ReferralTransitioned event(ReferralAction action, ReferralReason reason, String actingAgencyId,
                                       Instant at) {
        return switch (action) {
            case RECEIVE -> new ReferralReceived(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId,
                    status, reason, actingAgencyId, at);
            case ACCEPT -> new ReferralAccepted(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId,
                    status, reason, actingAgencyId, at);
            case REJECT -> new ReferralRejected(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId,
                    status, reason, actingAgencyId, at);
            case START -> new ReferralStarted(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId,
                    status, reason, actingAgencyId, at);
            case HOLD -> new ReferralPutOnHold(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId,
                    status, reason, actingAgencyId, at);
            case RESUME -> new ReferralResumed(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId,
                    status, reason, actingAgencyId, at);
            case COMPLETE -> new ReferralCompleted(id, learnerId, opportunityId, referringAgencyId,
                    receivingAgencyId, status, reason, actingAgencyId, at);
            case FAIL -> new ReferralFailed(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId,
                    status, reason, actingAgencyId, at);
            case CANCEL -> new ReferralCancelled(id, learnerId, opportunityId, referringAgencyId,
                    receivingAgencyId, status, reason, actingAgencyId, at);
        };
    }

    /** Adds a handoff note from one of the two agencies; the event carries no text. */
    public ReferralNoteAdded addNote(Actor actor, String text, Instant now) {
        return addNote(actor, text, null, now);
    }

    /**
     * Adds a handoff note, remembering the request's key (a digest, or null) with the note's number; a request with a
     * key already remembered is to be answered with that note ({@link #noteRequested}) before coming here.
     */
    public ReferralNoteAdded addNote(Actor actor, String text, String requestKey, Instant now) {
        if (requestKey != null && noteRequested(requestKey).isPresent()) {
            throw new IllegalStateException("This request added its note already");
        }
        ReferralNoteAdded added = appendNote(actor, text, now);
        if (requestKey != null) {
            if (noteRequests == null) {
                noteRequests = new ArrayList<>();
            }
            noteRequests.add(new NoteRequest(requestKey, noteCount()));
            while (noteRequests.size() > NOTE_REQUESTS_KEPT) {
                noteRequests.removeFirst();
            }
        }
        return added;
    }

    /** The number of the note a request with this key (its digest) added, if it is still remembered. */
    public OptionalInt noteRequested(String requestKey) {
        if (requestKey == null || noteRequests == null) {
            return OptionalInt.empty();
        }
        return noteRequests.stream().filter(request -> request.key().equals(requestKey))
                .mapToInt(NoteRequest::note).findFirst();
    }

    private ReferralNoteAdded appendNote(Actor actor, String text, Instant now) {
        if (actor.sides().isEmpty() || actor.standsOn(ReferralAction.Side.PLATFORM)) {
            throw new IllegalArgumentException("Only the two agencies party to a referral write its notes");
        }
        if (erased()) {
            throw new IllegalStateException("The learner was erased: no new personal data is written about them");
        }
        Note note = new Note("note-" + UUID.randomUUID(), actor.userId(), actor.agencyId(), text, now);
        notes.add(note);
        return new ReferralNoteAdded(id, note.id(), referringAgencyId, receivingAgencyId, actor.agencyId(), now);
    }

    /**
     * Moves the waiting notes and the history entries beyond the first and the last {@code keptRecent} out of this
     * referral (the caller stores them elsewhere first). Which number each note and entry has never changes: the
     * notes still here follow the {@code notesMoved} moved before them, the entries still here after the first
     * follow the {@code historyMoved} moved.
     */
    public Overflow moveOut(int keptRecent) {
        Map<Integer, Note> movedNotes = new LinkedHashMap<>();
        for (Note note : notes) {
            movedNotes.put(notesMoved + movedNotes.size() + 1, note);
        }
        notesMoved += notes.size();
        notes = new ArrayList<>();
        Map<Integer, StatusChange> movedHistory = new LinkedHashMap<>();
        int excess = history.size() - 1 - Math.max(0, keptRecent);
        for (int position = 1; position <= excess; position++) {
            movedHistory.put(historyMoved + position, history.get(position));
        }
        if (excess > 0) {
            List<StatusChange> kept = new ArrayList<>(history.subList(0, 1));
            kept.addAll(history.subList(1 + excess, history.size()));
            history = kept;
            historyMoved += excess;
        }
        return new Overflow(movedNotes, movedHistory);
    }

    /** Raises each breach of the response times once: acknowledge (still submitted) and decide (not yet answered). */
    public List<ReferralOverdue> raiseOverdue(Instant now) {
        List<ReferralOverdue> raised = new ArrayList<>();
        if (status == SUBMITTED && acknowledgeBy != null && now.isAfter(acknowledgeBy)
                && !breachesRaised.contains(SlaBreach.ACKNOWLEDGE)) {
            breachesRaised.add(SlaBreach.ACKNOWLEDGE);
            raised.add(overdue(SlaBreach.ACKNOWLEDGE, acknowledgeBy, now));
        }
        if ((status == SUBMITTED || status == RECEIVED) && decideBy != null && now.isAfter(decideBy)
                && !breachesRaised.contains(SlaBreach.DECIDE)) {
            breachesRaised.add(SlaBreach.DECIDE);
            raised.add(overdue(SlaBreach.DECIDE, decideBy, now));
        }
        return raised;
    }

    /** Whether a response time has passed without the answer it waited for (the inbox's overdue filter). */
    public boolean overdueAt(Instant now) {
        return (status == SUBMITTED && acknowledgeBy != null && now.isAfter(acknowledgeBy))
                || ((status == SUBMITTED || status == RECEIVED) && decideBy != null && now.isAfter(decideBy));
    }

    private ReferralOverdue overdue(SlaBreach breach, Instant dueAt, Instant now) {
        return new ReferralOverdue(id, learnerId, opportunityId, referringAgencyId, receivingAgencyId, status,
                breach, dueAt, now);
    }

    /**
     * Closes this referral as re-routed and opens its successor to another opportunity, keeping the learner, the
     * referring agency, the need and urgency (the shared summary is not rekeyed).
     */
    public Rerouting reroute(Actor actor, String newOpportunityId, String newReceivingAgencyId, String reasonText,
                             Instant now, DueDates due) {
        return reroute(actor, newOpportunityId, newReceivingAgencyId, reasonText, now, due, true);
    }

    /**
     * Re-routes the referral. The new one keeps the original referrer only while {@code referrerStands} (it registered
     * the learner or holds their consent now): a referrer whose consent was withdrawn is not made party to a new
     * referral, with a new agency, by someone else's action; the agency that re-routes refers them then.
     */
    public Rerouting reroute(Actor actor, String newOpportunityId, String newReceivingAgencyId, String reasonText,
                             Instant now, DueDates due, boolean referrerStands) {
        if (!status.open() || actor.sides().isEmpty()) {
            throw new TransitionRefused("Only an open referral is re-routed, by one of its two agencies.",
                    allowedActionsFor(actor));
        }
        String referrer = referrerStands ? referringAgencyId : actor.agencyId();
        Referral next = submit(learnerId, newOpportunityId, referrer, actor.userId(),
                newReceivingAgencyId, need, urgency, sharedSummary, sharedSummaryTakenAt, null, now, due, null);
        next.referringWorkerId = referrerStands ? referringWorkerId : actor.userId();
        next.history.set(0, new StatusChange(SUBMITTED, now, actor.userId(), actor.agencyId(), null,
                ReferralReason.REROUTED, null));
        next.previousReferralId = id;
        nextReferralId = next.id;
        status = ReferralStatus.CANCELLED;
        openKey = null;
        history.add(new StatusChange(status, now, actor.userId(), actor.agencyId(), CANCEL, ReferralReason.REROUTED,
                keptText(reasonText)));
        ReferralTransitioned closed = event(CANCEL, ReferralReason.REROUTED, actor.agencyId(), now);
        return new Rerouting(this, closed, next);
    }

    /**
     * Links the next step of a completed referral. A completed referral has one next step at a time: another is
     * linked only when the current one ended without completing (rejected, failed or cancelled).
     *
     * @param currentNextStatus the status of the next step already linked, or null when there is none
     */
    public void linkNextStep(Referral next, ReferralStatus currentNextStatus) {
        if (status != ReferralStatus.COMPLETED) {
            throw new IllegalStateException("Only a completed referral leads on to a next step");
        }
        if (nextReferralId != null && currentNextStatus != null
                && (currentNextStatus.open() || currentNextStatus == ReferralStatus.COMPLETED)) {
            throw new IllegalStateException("This referral already leads on to " + nextReferralId);
        }
        nextReferralId = next.id;
    }

    /**
     * Erases the learner's personal data from this referral (right to erasure): the shared summary, the need, the
     * notes' text and every reason's text. What remains is pseudonymous and still counted: ids, statuses, dates,
     * reason codes, who acted (user and agency ids) and each note's id, author and time. The idempotency key goes
     * too (a client's key may be anything). Text given to a later transition is not kept either.
     *
     * @return false when it was erased already (a redelivered erasure changes nothing)
     */
    public boolean erase(Instant now) {
        if (erased()) {
            return false;
        }
        erasedAt = now;
        need = null;
        sharedSummary = null;
        idempotencyKey = null;
        noteRequests = new ArrayList<>();
        notes = new ArrayList<>(notes.stream()
                .map(note -> new Note(note.id(), note.authorUserId(), note.authorAgencyId(), null, note.at()))
                .toList());
        history = new ArrayList<>(history.stream()
                .map(change -> new StatusChange(change.status(), change.at(), change.byUser(), change.byAgency(),
                        change.action(), change.reason(), null))
                .toList());
        return true;
    }

    public boolean erased() {
        return erasedAt != null;
    }

    private String keptText(String text) {
        return text == null || text.isBlank() || erased() ? null : text;
    }

    /** A re-routed referral, the event closing it, and its successor. */
    public record Rerouting(Referral closed, ReferralTransitioned closedEvent, Referral next) {
    }

    public String id() { return id; }
    public Long version() { return version; }
    public String learnerId() { return learnerId; }
    public String opportunityId() { return opportunityId; }
    public String referringAgencyId() { return referringAgencyId; }
    public String referringWorkerId() { return referringWorkerId; }
    public String receivingAgencyId() { return receivingAgencyId; }
    public String receivingWorkerId() { return receivingWorkerId; }
    public String need() { return need; }
    public Urgency urgency() { return urgency; }
    public SharedSummary sharedSummary() { return sharedSummary; }
    public Instant sharedSummaryTakenAt() { return sharedSummaryTakenAt; }
    public Instant erasedAt() { return erasedAt; }
    public ReferralStatus status() { return status; }
    public ReferralReason holdReason() { return holdReason; }
    public Instant heldAt() { return heldAt; }
    public Instant submittedAt() { return submittedAt; }
    public Instant acknowledgeBy() { return acknowledgeBy; }
    public Instant decideBy() { return decideBy; }
    public List<SlaBreach> breachesRaised() { return List.copyOf(breachesRaised); }
    public String previousReferralId() { return previousReferralId; }
    public String nextReferralId() { return nextReferralId; }
    /** The first entry of the history and the most recent ones (the full history is kept by the archive). */
    public List<StatusChange> history() { return List.copyOf(history); }
    /** How many history entries after the first have moved out of this document. */
    public int historyMoved() { return historyMoved; }
    /** How many entries the full history has. */
    public int historyCount() { return history.size() + historyMoved; }
    /** The notes still in this document: the last {@code notes().size()} of {@link #noteCount()}. */
    public List<Note> notes() { return List.copyOf(notes); }
    /** How many notes have moved out of this document: notes 1 to {@code notesMoved()}. */
    public int notesMoved() { return notesMoved; }
    /** How many notes the referral has. */
    public int noteCount() { return notes.size() + notesMoved; }
}
