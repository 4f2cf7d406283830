package org.pathways.events;

/**
 * The data of one event. The envelope (CloudEvents id, type, time, dataschema) is added by the messaging module;
 * {@link #subject()} is the aggregate id, used as CloudEvents {@code subject} and as the Kafka record key so that
 * one aggregate's events stay in order. Its published type is {@code EventType.of(event)}, in the catalogue of every
 * type ({@code org.pathways.events.catalogue}), which depends on the producers' packages and so cannot be here.
 */
public interface PathwaysEvent {

    /** The id of the aggregate this event is about. */
    String subject();
}
