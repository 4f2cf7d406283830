package org.pathways.progression.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one consumer of every topic, a batch consumer: each new event (by id, through the inbox) goes to every
 * projection of the live generation (and of the generation a rebuild is catching up, once each, while that rebuild's
 * lease runs: see {@link Generations#catchingUp}), in the order of the batch, then live subscribers hear which
 * projections changed. Unknown event types are skipped. The projections'
 * store round trips are merged per batch ({@link FactStore#beginBatch}): the facts the batch needs read ahead with one
 * {@code $in} per collection, and the facts, bucket increments, counters and clearing of pending differences of the
 * whole batch written at its end in one bulk write each, before the inbox marks the batch done. Facts another writer
 * changed meanwhile (a rebuild's replay) are not written then: the events applied to their generation are applied
 * again, on the facts as they now are, until the batch completes whole.
 */
@Configuration
public class ProjectionFeed {

    static final String HANDLER = "partnership-events";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<Projection> projections;
    private final List<ProjectionListener> listeners;
    private final Generations generations;
    private final FactStore facts;
    /** The events this thread's batch applied since it began or last completed, with the generation of each. */
    private final ThreadLocal<List<Applied>> applied = ThreadLocal.withInitial(ArrayList::new);

    private record Applied(ReceivedEvent event, Generation generation) {
    }

    ProjectionFeed(List<Projection> projections, List<ProjectionListener> listeners, Generations generations,
                   FactStore facts) {
        this.projections = projections;
        this.listeners = listeners;
        this.generations = generations;
        this.facts = facts;
    }

    @Bean
    Consumer<Message<List<byte[]>>> partnershipEvents(EventInbox inbox) {
        return inbox.batchConsumer(HANDLER, this::project, batchScope(generations::active));
    }

    /** What the feed does around a batch of events applied to the generation {@code generation} names then. */
    public BatchScope batchScope(java.util.function.Supplier<Generation> generation) {
        return new BatchScope() {
            @Override
            public void begin(List<ReceivedEvent> events) {
                applied.get().clear();
                facts.beginBatch();
                Map<String, Set<String>> ids = ids(events);
                Generation target = generation.get();
                projections.forEach(projection -> projection.readAhead(ids, target));
            }

            @Override
            public void complete() {
                Set<Generation> conflicts = facts.completeBatch();
                while (!conflicts.isEmpty()) {
                    // Applying an event again changes only what it did not change yet (see Projection).
                    for (Applied again : List.copyOf(applied.get())) {
                        if (conflicts.contains(again.generation())) {
                            apply(again.event(), again.generation());
                        }
                    }
                    conflicts = facts.completeBatch();
                }
                applied.get().clear();
            }

            @Override
            public void close() {
                applied.remove();
                facts.endBatch();
            }
        };
    }

    /** Every value of the events' top-level {@code …Id} fields, by field name. */
    private static Map<String, Set<String>> ids(List<ReceivedEvent> events) {
        Map<String, Set<String>> ids = new LinkedHashMap<>();
        for (ReceivedEvent event : events) {
            JsonNode data;
            try {
                data = JSON.readTree(event.data());
            } catch (RuntimeException unreadable) {
                continue; // its projections report it when they read it
            }
            if (data == null || !data.isObject()) {
                continue;
            }
            for (Map.Entry<String, JsonNode> field : data.properties()) {
                if (field.getKey().endsWith("Id") && field.getValue().isString()) {
                    ids.computeIfAbsent(field.getKey(), name -> new LinkedHashSet<>())
                            .add(field.getValue().asString());
                }
            }
        }
        return ids;
    }

    void project(ReceivedEvent event) {
        if (event.knownType().isEmpty()) {
            return;
        }
        Generation active = generations.active();
        List<ProjectionChange> changes = apply(event, active);
        applied.get().add(new Applied(event, active));
        listeners.forEach(listener -> listener.changed(changes));
        generations.catchingUp().ifPresent(rebuilt -> {
            if (generations.firstSight(rebuilt, event.id())) {
                apply(event, rebuilt);
                applied.get().add(new Applied(event, rebuilt));
            }
        });
    }

    /** Applies one event to every projection of {@code generation}; says what changed. */
    public List<ProjectionChange> apply(ReceivedEvent event, Generation generation) {
        List<ProjectionChange> changes = new ArrayList<>();
        if (event.knownType().isEmpty()) {
            return changes;
        }
        for (Projection projection : projections) {
            projection.apply(event, generation).ifPresent(changes::add);
        }
        return changes;
    }

    /**
     * Applies a batch of events to {@code generation} as the live consumer does (read ahead, merged writes), for
     * tests and tools; says what changed.
     */
    public List<ProjectionChange> applyBatch(List<ReceivedEvent> events, Generation generation) {
        return applyBatch(events, generation, () -> { });
    }

    /**
     * As {@link #applyBatch(List, Generation)}, with {@code meanwhile} run after the events are applied and before
     * the batch writes them: what another writer does in between (tests of races).
     */
    public List<ProjectionChange> applyBatch(List<ReceivedEvent> events, Generation generation, Runnable meanwhile) {
        BatchScope scope = batchScope(() -> generation);
        List<ProjectionChange> changes = new ArrayList<>();
        try {
            scope.begin(events);
            events.forEach(event -> {
                changes.addAll(apply(event, generation));
                applied.get().add(new Applied(event, generation));
            });
            meanwhile.run();
            scope.complete();
        } finally {
            scope.close();
        }
        return changes;
    }
}
