package org.pathways.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.agency.AgencyKindChangeListener;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.messaging.Message;

/** A minimal service: one aggregate with an outbox, one idempotent consumer. */
@SpringBootApplication
public class MessagingTestApplication {

    /** What the consumer handled, in order, to count real processing (not deliveries). */
    public static final List<LearnerRegistered> HANDLED = new CopyOnWriteArrayList<>();
    /** Subjects whose handling always fails, to prove retries and dead-lettering. */
    public static final String FAILING_SUBJECT = "lrn-always-fails";
    /** Erasures applied, by learner id: the real thing a service does on learner.erased, here only counted. */
    public static final List<String> ERASED = new CopyOnWriteArrayList<>();
    /**
     * How many more times the erasure of a learner fails (the store it writes to is "down" until then), to prove an
     * erasure outlives any retry limit.
     */
    public static final Map<String, AtomicInteger> ERASURE_FAULTS = new ConcurrentHashMap<>();
    /**
     * Subjects whose events fail, whatever their type, until the subject is taken out again: state a handler needs
     * that does not exist yet, then does (for dead letters that are re-driven once the cause is fixed).
     */
    public static final Set<String> MISSING_STATE = ConcurrentHashMap.newKeySet();
    /** Every event handled, by event id, to prove a re-driven event is applied once. */
    public static final List<String> HANDLED_EVENT_IDS = new CopyOnWriteArrayList<>();

    /** The agency kind changes {@code AgencyKinds} told of, as "agency: before -> after". */
    public static final List<String> KIND_CHANGES = new CopyOnWriteArrayList<>();

    /** Agencies whose next kind change the listener fails once (as a store timing out half way would). */
    public static final Set<String> KIND_CHANGE_FAILS_ONCE = ConcurrentHashMap.newKeySet();

    @Bean
    AgencyKindChangeListener kindChanges() {
        return (agencyId, before, after) -> {
            if (KIND_CHANGE_FAILS_ONCE.remove(agencyId)) {
                throw new IllegalStateException("Injected: the kind change's consequences could not all be written");
            }
            KIND_CHANGES.add(agencyId + ": " + before + " -> " + after);
        };
    }

    /** What the batch consumer handled, by event id, in order. */
    public static final List<String> BATCH_HANDLED = new CopyOnWriteArrayList<>();
    /** Event ids whose handling in the batch consumer always fails. */
    public static final Set<String> BATCH_FAILING = ConcurrentHashMap.newKeySet();
    /** How many new events each batch brought, as its scope was told. */
    public static final List<Integer> BATCH_SIZES = new CopyOnWriteArrayList<>();

    /**
     * Event ids whose done-mark "another instance" writes while the batch consumer handles them (as during a
     * rebalance): the handler writes it into the inbox itself, after the batch's look-up.
     */
    public static final Set<String> BATCH_MARKED_ELSEWHERE = ConcurrentHashMap.newKeySet();

    /**
     * By the first new event of a batch, the event ids the scope's read-ahead had read (on a thread of its own) when
     * the batch began: every event of the batch, a repeat too.
     */
    public static final Map<String, List<String>> BATCH_READ_AHEAD = new ConcurrentHashMap<>();

    /** What the batch consumer's scope wrote at the end of a batch (held back while its events were handled). */
    public static final List<String> BATCH_WRITTEN = new CopyOnWriteArrayList<>();
    /**
     * By event id, the failures the end of its batch meets, one per delivery, before what the batch held back is
     * written: the store down, or a document read back in a shape the code did not expect.
     */
    public static final Map<String, Queue<RuntimeException>> BATCH_COMPLETE_FAULTS = new ConcurrentHashMap<>();

    /** A batch consumer ({@code batch-mode}) of its own topic, which holds its writes back until the batch ends. */
    @Bean
    Consumer<Message<List<byte[]>>> batchEvents(EventInbox inbox, MongoTemplate mongo) {
        ThreadLocal<List<String>> held = ThreadLocal.withInitial(ArrayList::new);
        ThreadLocal<List<String>> readAhead = new ThreadLocal<>();
        return inbox.batchConsumer("batch-events", event -> {
            if (BATCH_FAILING.contains(event.id())) {
                throw new IllegalStateException("handler failure for event " + event.id());
            }
            if (BATCH_MARKED_ELSEWHERE.contains(event.id())) {
                mongo.insert(new org.bson.Document("_id", "batch-events:" + event.id()).append("status", "DONE")
                        .append("handler", "batch-events").append("eventId", event.id()), "inbox");
            }
            BATCH_HANDLED.add(event.id());
            held.get().add(event.id());
        }, new BatchScope() {
            @Override
            public Runnable readAhead(List<ReceivedEvent> events) {
                List<String> into = new CopyOnWriteArrayList<>();
                readAhead.set(into);
                Thread consumer = Thread.currentThread();
                return () -> {
                    if (Thread.currentThread() != consumer) {
                        events.forEach(event -> into.add(event.id()));
                    }
                };
            }

            @Override
            public void begin(List<ReceivedEvent> events) {
                BATCH_SIZES.add(events.size());
                List<String> read = readAhead.get();
                BATCH_READ_AHEAD.put(events.get(0).id(), read == null ? List.of() : List.copyOf(read));
            }

            @Override
            public void complete() {
                for (String id : held.get()) {
                    Queue<RuntimeException> faults = BATCH_COMPLETE_FAULTS.get(id);
                    RuntimeException fault = faults == null ? null : faults.poll();
                    if (fault != null) {
                        throw fault;
                    }
                }
                BATCH_WRITTEN.addAll(held.get());
                held.get().clear();
            }

            @Override
            public void close() {
                held.remove();
                readAhead.remove();
            }
        });
    }

    @Bean
    Consumer<Message<byte[]>> learnerEvents(EventInbox inbox) {
        return inbox.consumer("learner-events", event -> {
            if (MISSING_STATE.contains(event.subject())) {
                throw new IllegalStateException("no read model yet for the subject of event " + event.id());
            }
            HANDLED_EVENT_IDS.add(event.id());
            if (event.is(EventType.LEARNER_REGISTERED)) {
                LearnerRegistered registered = event.data(LearnerRegistered.class);
                if (FAILING_SUBJECT.equals(registered.learnerId())) {
                    throw new IllegalStateException("handler failure for " + registered.learnerId());
                }
                HANDLED.add(registered);
            } else if (event.is(EventType.LEARNER_ERASED)) {
                String learnerId = event.data(LearnerErased.class).learnerId();
                AtomicInteger faults = ERASURE_FAULTS.get(learnerId);
                if (faults != null && faults.getAndDecrement() > 0) {
                    throw new IllegalStateException("the store is down");
                }
                ERASED.add(learnerId);
            }
        });
    }

    @Document("tracked-learners")
    public static class TrackedLearner {
        @Id
        String id;
        @Version
        Long version;
        String locality;
        String note;

        public TrackedLearner() {
        }

        public TrackedLearner(String id, String locality) {
            this.id = id;
            this.locality = locality;
        }
    }
}
