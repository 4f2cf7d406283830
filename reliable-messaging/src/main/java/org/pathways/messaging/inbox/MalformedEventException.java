package org.pathways.messaging.inbox;

/** A record that is not a readable Pathways event: retrying cannot help, so it goes straight to the dead letters. */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }
}
