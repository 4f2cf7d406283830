package org.pathways.learner.relationship;

import java.time.Instant;
import java.util.Map;

import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.platform.validation.ResourceId;
import org.springframework.stereotype.Component;

/**
 * Turns referral events into the learner's live relationships with agencies: submitted, received, accepted,
 * started, on hold and resumed keep the receiving agency's relationship live; completed, failed, cancelled and
 * rejected end it for that referral. On hold because the learner's consent was withdrawn (reason
 * CONSENT_WITHDRAWN) keeps it open but no longer lets the receiving agency read the learner; a resumed referral
 * (which needs a consent again) does. Read by type string and by the few documented fields
 * (referralId, learnerId, referringAgencyId, receivingAgencyId, opportunityId, status, at / submittedAt), like the milestones.
 */
@Component("referralRelationshipHandler")
public class ReferralEvents {

    static final String HANDLER = "referral-relationships";
    private static final String PREFIX = "org.pathways.referral.";
    /** The status each lifecycle event announces, if its data does not say (resumed says which). */
    private static final Map<String, ReferralStatus> STATUS = Map.of(
            PREFIX + "submitted.v1", ReferralStatus.SUBMITTED,
            PREFIX + "received.v1", ReferralStatus.RECEIVED,
            PREFIX + "accepted.v1", ReferralStatus.ACCEPTED,
            PREFIX + "started.v1", ReferralStatus.IN_PROGRESS,
            PREFIX + "on-hold.v1", ReferralStatus.ON_HOLD,
            PREFIX + "resumed.v1", ReferralStatus.ACCEPTED,
            PREFIX + "completed.v1", ReferralStatus.COMPLETED,
            PREFIX + "failed.v1", ReferralStatus.FAILED,
            PREFIX + "cancelled.v1", ReferralStatus.CANCELLED,
            PREFIX + "rejected.v1", ReferralStatus.REJECTED);

    private final ReferralRelationships relationships;
    private final PolledReferralNews polled;

    ReferralEvents(ReferralRelationships relationships, PolledReferralNews polled) {
        this.relationships = relationships;
        this.polled = polled;
    }

    /**
     * What a batch of referral events does around its events: the relationships they name read ahead with one
     * {@code $in} by {@code _id}, and what they change written with one bulk write ({@link ReferralRelationships}).
     */
    public org.pathways.messaging.inbox.BatchScope batchScope() {
        return relationships.batchScope(events -> events.stream()
                .filter(event -> STATUS.containsKey(event.type()))
                .map(event -> {
                    try {
                        return polled.of(event).referralId();
                    } catch (RuntimeException unreadable) {
                        return null;   // reported when the event is handled
                    }
                })
                .filter(ReferralEvents::isId)
                .toList());
    }

    public String handlerName() {
        return HANDLER;
    }

    public void handle(ReceivedEvent event) {
        ReferralStatus announced = STATUS.get(event.type());
        if (announced == null) {
            return;
        }
        ReferralNews news = polled.of(event);
        if (!isId(news.referralId()) || !isId(news.learnerId())
                || !(isIdOrAbsent(news.referringAgencyId()) && isIdOrAbsent(news.receivingAgencyId()))
                || (news.referringAgencyId() == null && news.receivingAgencyId() == null)) {
            throw new MalformedEventException("Event " + event.id() + " of type " + event.type()
                    + " lacks a referral, learner or agency id");
        }
        ReferralStatus status = news.status() != null && news.status().open() == announced.open()
                ? news.status() : announced;
        Instant at = news.at() != null ? news.at() : news.submittedAt() != null ? news.submittedAt() : event.time();
        // Held because the learner's consent stopped counting: the referral stays open (it may resume with a new
        // consent), but it no longer opens the learner's record to the receiving agency.
        boolean withoutConsent = status == ReferralStatus.ON_HOLD
                && ReferralReason.CONSENT_WITHDRAWN.name().equals(news.reason());
        relationships.apply(event.id(), news.referralId(), news.learnerId(), news.referringAgencyId(), news.receivingAgencyId(),
                isId(news.opportunityId()) ? news.opportunityId() : null, status, at, withoutConsent);
    }

    private static boolean isId(String value) {
        return value != null && ResourceId.FORMAT.matcher(value).matches();
    }

    private static boolean isIdOrAbsent(String value) {
        return value == null || ResourceId.FORMAT.matcher(value).matches();
    }
}
