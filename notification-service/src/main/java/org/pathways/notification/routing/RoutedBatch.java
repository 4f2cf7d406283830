package org.pathways.notification.routing;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.inbox.RoundTrips;
import org.pathways.notification.config.NotificationProperties;
import org.pathways.notification.email.EmailNotifications;
import org.pathways.notification.feed.AgencyFeed;
import org.pathways.notification.inapp.WorkerInbox;
import org.pathways.notification.subscription.Subscriptions;
import org.pathways.platform.validation.ResourceId;
import tools.jackson.databind.JsonNode;

/**
 * What routing does around one batch of events, so that a batch costs a handful of store round trips rather than
 * several per event: the subscriptions of every agency the events name are read once, up front, at once with the
 * inbox's own reads of the batch ({@link #readAhead}), and the workers' preferences of those agencies once, with the
 * batch's first notice or read ahead with the subscriptions (one query each), and the feed entries, in-app notices
 * and e-mails of the whole batch are written at its end, one bulk insert per collection (the feed also takes one run
 * of numbers per agency), all at once with {@code own}'s writes ({@link RoundTrips#atOnce}). The webhooks are not
 * held back: each delivery is opened and handed to the dispatcher as its event is routed, so an agency's system hears
 * of an event as soon as it is consumed. {@code own} adds what one consumer reads ahead and holds back itself; it is
 * written on the consumer's thread (where it keeps its batch), the others each on a virtual thread. A learner's
 * erasure in the batch has everything held back before it written first (the inbox completes the scope before it).
 */
final class RoutedBatch implements BatchScope {

    private final AgencyFeed feed;
    private final WorkerInbox workerInbox;
    private final EmailNotifications emails;
    private final Subscriptions subscriptions;
    private final NotificationProperties properties;
    private final BatchScope own;
    private final Runnable written;
    private final Predicate<ReceivedEvent> tellsPeople;

    RoutedBatch(AgencyFeed feed, WorkerInbox workerInbox, EmailNotifications emails, Subscriptions subscriptions,
                NotificationProperties properties, BatchScope own) {
        this(feed, workerInbox, emails, subscriptions, properties, own, () -> { }, event -> false);
    }

    /**
     * @param written     runs after everything held back was written (each time the batch completes)
     * @param tellsPeople whether an event tells people of the agencies it names (in-app and by e-mail): a batch with
     *                    one reads their workers' preferences ahead (a notice to an agency not read ahead, the
     *                    team's, reads them when it comes)
     */
    RoutedBatch(AgencyFeed feed, WorkerInbox workerInbox, EmailNotifications emails, Subscriptions subscriptions,
                NotificationProperties properties, BatchScope own, Runnable written,
                Predicate<ReceivedEvent> tellsPeople) {
        this.tellsPeople = tellsPeople;
        this.written = written;
        this.feed = feed;
        this.workerInbox = workerInbox;
        this.emails = emails;
        this.subscriptions = subscriptions;
        this.properties = properties;
        this.own = own;
    }

    /**
     * The batch begins here, and the subscriptions of every agency its events name are read at once with the inbox's
     * own reads: the batch's first webhook waits for one round trip fewer in a row.
     */
    @Override
    public Runnable readAhead(List<ReceivedEvent> events) {
        beginBatches();
        Set<String> agencies = concerned(events);
        // The workers' preferences and the agencies' settings too when an event of the batch tells the agencies it
        // names (otherwise read with the first notice, after its webhooks), and what the consumer reads ahead itself:
        // all at once.
        return RoundTrips.allOf(subscriptions.readAheadLater(agencies),
                events.stream().anyMatch(tellsPeople) ? emails.readAheadLater(agencies) : RoundTrips.NONE,
                own.readAhead(events));
    }

    @Override
    public void begin(List<ReceivedEvent> events) {
        // Begun, and the subscriptions read, by readAhead (the inbox calls it first, for every event of the batch).
        // Otherwise read with the first notice, after the first event's webhooks: nothing a webhook needs waits for it.
        emails.expect(concerned(events));
        own.begin(events);
    }

    private void beginBatches() {
        feed.beginBatch();
        workerInbox.beginBatch();
        emails.beginBatch();
        subscriptions.beginBatch();
    }

    /** The agencies the events name, and the partnership's coordinator. */
    private Set<String> concerned(List<ReceivedEvent> events) {
        Set<String> agencies = agencies(events);
        agencies.add(properties.coordinatorAgency());
        return agencies;
    }

    @Override
    public void complete() {
        // The feed entries, the notices, the e-mails and the consumer's own writes need nothing of each other: made at
        // once, so that the batch (and the next one on its partition) waits for one round trip, not four in a row.
        RoundTrips.atOnce(own::complete, List.of(feed.takeBatch(), workerInbox.takeBatch(), emails.takeBatch()));
        written.run();
    }

    @Override
    public void close() {
        try {
            own.close();
        } finally {
            feed.endBatch();
            workerInbox.endBatch();
            emails.endBatch();
            subscriptions.endBatch();
        }
    }

    /** Every agency id the events' data names (its top-level {@code …AgencyId} fields). */
    static Set<String> agencies(List<ReceivedEvent> events) {
        Set<String> agencies = new LinkedHashSet<>();
        for (ReceivedEvent event : events) {
            JsonNode data = data(event);
            if (data == null || !data.isObject()) {
                continue;
            }
            for (Map.Entry<String, JsonNode> field : data.properties()) {
                if (field.getKey().endsWith("AgencyId") && field.getValue().isString()
                        && ResourceId.FORMAT.matcher(field.getValue().asString()).matches()) {
                    agencies.add(field.getValue().asString());
                }
            }
        }
        return agencies;
    }

    /** The event's data, or null when it is unreadable (its handler dead-letters it). */
    static JsonNode data(ReceivedEvent event) {
        try {
            return event.data(JsonNode.class);
        } catch (RuntimeException unreadable) {
            return null;
        }
    }
}
