package org.pathways.notification.feed;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One event in one agency's feed, at its place ({@code sequence}, increasing in the order events were routed to the
 * agency). {@code event} is the CloudEvent exactly as published. Unique per (agency, event): an event routed twice
 * keeps its first place. Its id is its agency and event ({@link #idOf}), so that a batch finds the entries it already
 * made by {@code _id} (entries kept before were numbered {@code <agency>:<sequence>}; the unique index keeps them single).
 *
 * <p>A <em>gap</em> ({@link #gap}, no event) holds a number that no event will have: one a reader gave up waiting for
 * (its writer's reservation ran out), or one whose event was already in the feed. Readers read past it; it is never
 * shown.
 */
@Document("feed")
@CompoundIndexes({
        @CompoundIndex(name = "agency_sequence", def = "{'agencyId': 1, 'sequence': 1}", unique = true),
        @CompoundIndex(name = "agency_event", def = "{'agencyId': 1, 'eventId': 1}", unique = true),
        // What an agency holds of a learner (a consent withdrawn, the agency's kind changed): AgencyFeed.remove.
        @CompoundIndex(name = "agency_subject", def = "{'agencyId': 1, 'subject': 1}")
})
public record FeedEntry(@Id String id, String agencyId, long sequence, String eventId, String eventType,
                        String subject, @Indexed Instant recordedAt, String event) {

    static String idOf(String agencyId, String eventId) {
        return agencyId + "/" + eventId;
    }

    /** The gap at {@code sequence} of the agency's feed (its "event id" unique in the feed, as events' are). */
    static FeedEntry gap(String agencyId, long sequence, Instant at) {
        String eventId = "gap:" + sequence;
        return new FeedEntry(idOf(agencyId, eventId), agencyId, sequence, eventId, null, null, at, null);
    }

    boolean isGap() {
        return event == null;
    }
}
