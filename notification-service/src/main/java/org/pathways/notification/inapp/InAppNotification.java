package org.pathways.notification.inapp;

import java.time.Instant;
import java.util.List;

import org.pathways.notification.notice.NoticeKind;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A notification in an agency's in-app inbox, seen by every worker of the agency, each with their own read mark
 * ({@code readBy} holds the user ids that read it). Ids and a link only: a referral notice names the referral, a
 * team notice the learner (whose page shows the team to those allowed to see it).
 */
@Document("notifications")
@CompoundIndexes({
        @CompoundIndex(name = "one_per_event", def = "{'agencyId': 1, 'eventId': 1, 'kind': 1}", unique = true),
        @CompoundIndex(name = "agency_newest", def = "{'agencyId': 1, 'createdAt': -1}"),
        @CompoundIndex(name = "retention", def = "{'createdAt': 1}")
})
record InAppNotification(@Id String id, String agencyId, NoticeKind kind, String eventId, String referralId,
                         String learnerId, String link, Instant createdAt, List<String> readBy) {
}
