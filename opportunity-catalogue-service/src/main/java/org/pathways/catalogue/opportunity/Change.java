package org.pathways.catalogue.opportunity;

import java.util.List;

import org.pathways.events.PathwaysEvent;

/**
 * What a command did to an opportunity: nothing (a repeat; nothing to save), a change that announces nothing (save
 * it, e.g. a route on a draft), or a change with the events to save with it.
 */
public record Change<E extends PathwaysEvent>(boolean changed, List<E> events) {

    public Change {
        events = List.copyOf(events);
    }

    static <E extends PathwaysEvent> Change<E> none() {
        return new Change<>(false, List.of());
    }

    static <E extends PathwaysEvent> Change<E> silent() {
        return new Change<>(true, List.of());
    }

    static <E extends PathwaysEvent> Change<E> announcing(E event) {
        return new Change<>(true, List.of(event));
    }
}
