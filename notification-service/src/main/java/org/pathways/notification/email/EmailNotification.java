package org.pathways.notification.email;

import java.time.Instant;

import org.pathways.notification.notice.NoticeKind;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One e-mail to send for a notice: to one worker of the agency who asked for it ({@code recipientUserId}), or, when
 * none did, to the agency's contact address ({@code recipientUserId} = {@link #AGENCY}). Queued when the event is
 * routed (once per event, kind, agency and recipient), sent by {@link EmailNotifications} over SMTP, retried a few
 * times if the server is unavailable. The address and language are looked up when it is sent, so the queue holds ids
 * only, and a worker who deleted their preferences meanwhile is not written to.
 *
 * @param leaseOwner the claim token of the sender holding it; its outcome is written only while it still holds it
 */
@Document("emails")
@CompoundIndexes({
        @CompoundIndex(name = "one_per_recipient",
                def = "{'agencyId': 1, 'eventId': 1, 'kind': 1, 'recipientUserId': 1}", unique = true),
        @CompoundIndex(name = "due", def = "{'status': 1, 'nextAttemptAt': 1}"),
        @CompoundIndex(name = "retention", def = "{'occurredAt': 1}")
})
record EmailNotification(@Id String id, String agencyId, NoticeKind kind, String eventId, String referralId,
                         String recipientUserId, Instant occurredAt, Status status, int attempts,
                         Instant nextAttemptAt, Instant leaseUntil, String leaseOwner, Instant sentAt,
                         String language, String error) {

    /** The recipient of an e-mail to the agency's contact address rather than to a worker. */
    static final String AGENCY = "agency";

    enum Status {
        PENDING,
        SENT,
        /** Nothing to send: no contact address, or the worker no longer wants it (or deleted their preferences). */
        SKIPPED,
        FAILED
    }

    /** To the agency's contact address (also an e-mail queued before e-mails went to workers, with no recipient). */
    boolean toAgency() {
        return recipientUserId == null || AGENCY.equals(recipientUserId);
    }

    /** The e-mail's identity as sent: the same event, notice, agency and recipient are one e-mail, however queued. */
    String sentKey() {
        return eventId + "|" + kind + "|" + agencyId + "|" + recipientUserId;
    }
}
