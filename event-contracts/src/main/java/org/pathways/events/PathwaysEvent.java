package org.pathways.events;

/**
 * The data of one event. The envelope (CloudEvents id, type, time, dataschema) is added by the messaging module;
 * {@link #subject()} is the aggregate id, used as CloudEvents {@code subject} and as the Kafka record key so that
 * one aggregate's events stay in order.
 */
public interface PathwaysEvent {

    /** The id of the aggregate this event is about. */
    String subject();

    /** This event's type, looked up from its record class. */
    default EventType publishedType() {
        return EventType.of(getClass());
    }
}
