package org.pathways.learner.milestone;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import org.pathways.learner.domain.Milestone;
import org.pathways.learner.domain.MilestoneKind;
import org.pathways.learner.relationship.PolledReferralNews;
import org.pathways.learner.relationship.ReferralNews;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.platform.validation.ResourceId;
import org.springframework.stereotype.Component;

/**
 * Turns referral events into timeline steps: accepted means the learner is enrolled with the receiving agency,
 * started means they attended, completed means they completed. Every other referral event is ignored (a submitted
 * referral is not yet contact between the learner and the receiving agency).
 *
 * <p>Read by type string and by the few fields needed, so that this consumer depends only on the documented
 * contract (learnerId, referralId, opportunityId, receivingAgencyId), not on the producer's Java records.
 */
@Component
public class ReferralProgress {

    static final Map<String, MilestoneKind> MILESTONES = Map.of(
            "org.pathways.referral.accepted.v1", MilestoneKind.ENROLLED,
            "org.pathways.referral.started.v1", MilestoneKind.ATTENDED,
            "org.pathways.referral.completed.v1", MilestoneKind.COMPLETED);
    public static final String HANDLER = "referral-milestones";

    private final Milestones milestones;
    private final PolledReferralNews polled;
    private final Clock clock;

    ReferralProgress(Milestones milestones, PolledReferralNews polled, Clock clock) {
        this.milestones = milestones;
        this.polled = polled;
        this.clock = clock;
    }

    /**
     * What a batch of referral events does around its events: the learners of its steps read ahead with one
     * {@code $in} by {@code _id}, and each learner that gained steps saved once at the end ({@link Milestones}).
     */
    public BatchScope batchScope() {
        return milestones.batchScope(events -> events.stream()
                .filter(event -> MILESTONES.containsKey(event.type()))
                .map(event -> {
                    try {
                        return polled.of(event).learnerId();
                    } catch (RuntimeException unreadable) {
                        return null;   // reported when the event is handled
                    }
                })
                .filter(ReferralProgress::isId)
                .toList());
    }

    /**
     * Whether the event is one that means a step (accepted, started, completed): the handler is not called with the
     * others at all, nor does the inbox look them up or mark them ({@code EventInbox}'s passed-over events).
     */
    public static boolean takes(ReceivedEvent event) {
        return MILESTONES.containsKey(event.type());
    }

    /** Records the step a referral event means, once per event (the inbox and the milestone's event id). */
    public void handle(ReceivedEvent event) {
        MilestoneKind kind = MILESTONES.get(event.type());
        if (kind == null) {
            return;
        }
        ReferralNews step = polled.of(event);
        if (!isId(step.learnerId()) || !isId(step.receivingAgencyId()) || !isId(step.referralId())
                || (step.opportunityId() != null && !isId(step.opportunityId()))) {
            throw new MalformedEventException("Event " + event.id() + " of type " + event.type()
                    + " lacks a learner, referral or receiving agency id");
        }
        // The day it happened at the referral-service, never later than today here (clocks drift).
        LocalDate today = LocalDate.now(clock);
        LocalDate on = event.time() == null ? today : LocalDate.ofInstant(event.time(), ZoneOffset.UTC);
        Milestone.Details details = new Milestone.Details(kind, on.isAfter(today) ? today : on,
                null, null, null, null, step.referralId(), step.opportunityId());
        milestones.recordFromEvent(step.learnerId(), details, step.receivingAgencyId(), event.id());
    }

    private static boolean isId(String value) {
        return value != null && ResourceId.FORMAT.matcher(value).matches();
    }
}
