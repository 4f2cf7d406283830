package org.pathways.notification.email;

import java.time.Instant;

import org.pathways.notification.notice.NoticeKind;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One e-mail to send to an agency's contact address: queued when the event is routed (once per event, agency and
 * kind), sent by {@link EmailNotifications} over SMTP, retried a few times if the server is unavailable. The address
 * and words are looked up when it is sent, so the queue holds ids only.
 */
@Document("emails")
@CompoundIndexes({
        @CompoundIndex(name = "one_per_event", def = "{'agencyId': 1, 'eventId': 1, 'kind': 1}", unique = true),
        @CompoundIndex(name = "due", def = "{'status': 1, 'nextAttemptAt': 1}")
})
record EmailNotification(@Id String id, String agencyId, NoticeKind kind, String eventId, String referralId,
                         Instant occurredAt, Status status, int attempts, Instant nextAttemptAt, Instant leaseUntil,
                         Instant sentAt, String language, String error) {

    enum Status {
        PENDING,
        SENT,
        /** The agency has no contact address: nothing to send. */
        SKIPPED,
        FAILED
    }
}
