package org.pathways.notification.notice;

import java.time.Instant;

/**
 * Something a person at {@code agencyId} should know, told in the app's inbox and by e-mail. Ids only: what the
 * referral is about is read in the app by those allowed to see it, never carried here.
 */
public record Notice(NoticeKind kind, String agencyId, String eventId, String referralId, Instant occurredAt) {
}
