package org.pathways.progression.events;

import org.pathways.messaging.inbox.ReceivedEvent;

/**
 * An event's data as its record, decoded once for every projection that reads it: the feed hands each event to the
 * projections one after another on one thread, and a referral event was decoded by three of them (about a tenth of
 * the consumer thread's time, 2026-12-03). The last event decoded on the thread is kept (records are immutable).
 */
public final class EventData {

    private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

    private record Last(byte[] data, Class<?> type, Object value) {
    }

    private EventData() {
    }

    /** {@code event}'s data as {@code type} ({@link ReceivedEvent#data}), decoded once per event and type. */
    public static <T> T of(ReceivedEvent event, Class<T> type) {
        Last last = LAST.get();
        // The same event object, hence the same data array: by identity, never by content.
        if (last != null && last.data() == event.data() && last.type() == type) {
            return type.cast(last.value());
        }
        T value = event.data(type);
        LAST.set(new Last(event.data(), type, value));
        return value;
    }
}
