package org.pathways.notification.notice;

import java.time.Instant;

/**
 * Something a person at {@code agencyId} should know, told in the app's inbox and by e-mail. Ids only: what the
 * referral or the learner's plan is about is read in the app by those allowed to see it, never carried here.
 *
 * @param referralId the referral it is about, if any
 * @param learnerId  the learner whose team or plan it is about (team notices), if any
 */
public record Notice(NoticeKind kind, String agencyId, String eventId, String referralId, Instant occurredAt,
                     String learnerId) {

    /** A notice about a referral. */
    public Notice(NoticeKind kind, String agencyId, String eventId, String referralId, Instant occurredAt) {
        this(kind, agencyId, eventId, referralId, occurredAt, null);
    }
}
