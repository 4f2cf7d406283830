package org.pathways.messaging.outbox;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.bson.Document;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.catalogue.EventSchemas;
import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.config.MessagingProperties;
import org.pathways.messaging.lease.Lease;
import org.pathways.messaging.store.UniqueInserts;
import org.pathways.messaging.tracing.TraceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.mapping.MongoPersistentEntity;
import org.springframework.data.mongodb.core.mapping.MongoPersistentProperty;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Saves an aggregate together with the events its change caused, in one atomic write to the aggregate's own
 * document: the events wait in the document's {@code outbox} array until the relay has published them. An insert
 * writes the whole document; an update sets the aggregate's fields, appends the events and bumps the version in one
 * {@code updateOne}, guarded by the version the caller read (optimistic concurrency: a stale save fails and writes
 * nothing). A new aggregate with events is inserted with the relay's lease on it ({@link OutboxRelay#holdNew}), as is
 * an update whose caller knows the outbox was empty, so the relay publishes them without claiming it first.
 *
 * <p>An aggregate whose outbox cannot drain is capped: past {@code pathways.messaging.outbox.max-pending} waiting
 * events, a change that would add one is refused ({@link OutboxParkedException}, 503) until the relay catches up.
 *
 * <p>Aggregates are Spring Data mapped classes with an {@code @Id} assigned by the domain and a {@code @Version}.
 */
public class Outbox {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    /** Where the event's trace context comes from (the request's or the consumed event's span); none by default. */
    private TraceContext tracing = TraceContext.NONE;

    private final MongoTemplate mongo;
    private final OutboxRelay relay;
    private final EventSchemas schemas;
    private final MessagingProperties.Outbox properties;
    private final URI source;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Counter refused;
    /** The aggregates this instance found parked and has not seen accept an event since. */
    private final Set<Parked> parked = ConcurrentHashMap.newKeySet();

    public Outbox(MongoTemplate mongo, OutboxRelay relay, EventSchemas schemas, MessagingProperties properties,
                  URI source, Clock clock) {
        this(mongo, relay, schemas, properties, source, clock, new SimpleMeterRegistry());
    }

    public Outbox(MongoTemplate mongo, OutboxRelay relay, EventSchemas schemas, MessagingProperties properties,
                  URI source, Clock clock, MeterRegistry meters) {
        this.refused = Counter.builder("pathways.outbox.refused")
                .description("Changes refused because their aggregate's outbox is parked (full)").register(meters);
        Gauge.builder("pathways.outbox.parked", parked, Set::size)
                .description("Aggregates whose outbox this instance found parked (full)").register(meters);
        this.mongo = mongo;
        this.relay = relay;
        this.schemas = schemas;
        this.properties = properties.outbox();
        this.source = source;
        this.clock = clock;
    }

    /** Saves {@code aggregate} and queues {@code events} for publishing, atomically. */
    public <T> T save(T aggregate, List<? extends PathwaysEvent> events) {
        return save(aggregate, events, null);
    }

    /**
     * As {@link #save(Object, List)}, for a caller that knows that at most {@code waitingAtMost} events waited in the
     * aggregate's outbox at the version it holds (counted by {@link #waiting(Document)} on the document it read, plus
     * the events of its own saves since): the room for the new events is then checked without reading the waiting
     * events again. As sound as that read: between it and the version-guarded write the outbox can only shrink. When
     * the bound leaves no room, the waiting events are read as usual (the bound may be well above the truth). A bound
     * of 0 says the outbox was empty at that version: the update then also takes the relay's lease, under which no
     * relay can have anything to send then ({@link OutboxRelay#holdUpdated}), and the events are published without a
     * claim. A bound must be true: a 0 given while events waited would let two relays send at once.
     */
    public <T> T save(T aggregate, List<? extends PathwaysEvent> events, int waitingAtMost) {
        return save(aggregate, events, Integer.valueOf(waitingAtMost));
    }

    /** How many events wait in the outbox of an aggregate's stored document (read whole, or with its outbox). */
    public static int waiting(Document stored) {
        return stored.getList(OutboxEntry.FIELD, Object.class, List.of()).size();
    }

    private <T> T save(T aggregate, List<? extends PathwaysEvent> events, Integer waitingAtMost) {
        MongoPersistentEntity<?> entity = mongo.getConverter().getMappingContext()
                .getRequiredPersistentEntity(aggregate.getClass());
        PersistentPropertyAccessor<T> accessor = entity.getPropertyAccessor(aggregate);
        MongoPersistentProperty idProperty = entity.getRequiredIdProperty();
        MongoPersistentProperty versionProperty = entity.getRequiredVersionProperty();
        Object id = accessor.getProperty(idProperty);
        if (id == null) {
            throw new IllegalArgumentException("An aggregate is saved with the id its domain gave it");
        }
        Long version = (Long) accessor.getProperty(versionProperty);
        List<Document> entries = events.stream().map(event -> toEntry(event).toDocument()).toList();
        String collection = entity.getCollection();

        Document document = new Document();
        mongo.getConverter().write(aggregate, document);
        if (!entries.isEmpty()) {
            requireRoom(collection, document.get("_id"), version, entries.size(), waitingAtMost);
        }
        if (version == null) {
            document.put(versionProperty.getFieldName(), 0L);
            document.put(OutboxEntry.FIELD, entries);
            if (!entries.isEmpty() && publishesHeld()) {
                // Inserted with the relay's lease on it: published without a claim.
                Lease<Document> held = relay.holdNew(collection, document);
                mongo.insert(document, collection);
                accessor.setProperty(versionProperty, 0L);
                relay.publishHeld(held);
                return accessor.getBean();
            }
            document.put(OutboxRelay.LEASE_OWNER, OutboxRelay.FREE);
            mongo.insert(document, collection);
            accessor.setProperty(versionProperty, 0L);
        } else {
            Update update = new Update();
            for (Map.Entry<String, Object> field : document.entrySet()) {
                if (!field.getKey().equals("_id") && !field.getKey().equals(versionProperty.getFieldName())) {
                    update.set(field.getKey(), field.getValue());
                }
            }
            for (MongoPersistentProperty property : entity) {
                if (!document.containsKey(property.getFieldName()) && !property.isIdProperty()
                        && !property.isVersionProperty()) {
                    update.unset(property.getFieldName());
                }
            }
            update.inc(versionProperty.getFieldName(), 1);
            Lease<Document> held = null;
            if (!entries.isEmpty()) {
                update.push(OutboxEntry.FIELD).each(entries.toArray());
                if (waitingAtMost != null && waitingAtMost == 0 && publishesHeld()) {
                    // Nothing waited at this version, so no relay has anything to send under a lease it may hold:
                    // the update takes the relay's lease itself (OutboxRelay.holdUpdated says why that is safe),
                    // and the relay publishes without a claim.
                    held = relay.holdUpdated(collection, document.get("_id"), entries, update);
                }
            }
            Query current = Query.query(Criteria.where("_id").is(document.get("_id"))
                    .and(versionProperty.getFieldName()).is(version));
            if (mongo.updateFirst(current, update, collection).getMatchedCount() == 0) {
                throw new OptimisticLockingFailureException(
                        "Version " + version + " of " + collection + " " + id + " is no longer current");
            }
            accessor.setProperty(versionProperty, version + 1);
            if (held != null) {
                relay.publishHeld(held);
                return accessor.getBean();
            }
        }
        if (!entries.isEmpty() && properties.publishAfterWrite()) {
            // An update's aggregate is free unless a relay is publishing its earlier events right now: the relay
            // claims it with one compare-and-set on the free holder, without reading it first, and reads it only when
            // that fails (another relay holds it, or one that crashed left its lease to run out).
            relay.publishSoon(collection, document.get("_id"), OutboxRelay.FREE);
        }
        return accessor.getBean();
    }

    /**
     * Whether a write with events takes the relay's lease itself, to be published without a claim: when the relay
     * publishes after the write, and not inside a transaction, which could still be aborted (the relay sends the
     * events it was handed, which would then never have been stored).
     */
    private boolean publishesHeld() {
        return properties.publishAfterWrite() && !TransactionSynchronizationManager.isActualTransactionActive();
    }

    /**
     * Stores new aggregates (none saved before, no events of their own) in one unordered bulk insert: one round trip
     * for all, where {@link #save} takes one each. An aggregate whose {@code _id} or a unique index of its collection
     * is already taken is refused and left out of the answer; the others are stored whatever became of it. Returns
     * those stored, in the order given, each at version 0.
     */
    public <T> List<T> insertAll(List<T> aggregates) {
        if (aggregates.isEmpty()) {
            return List.of();
        }
        MongoPersistentEntity<?> entity = mongo.getConverter().getMappingContext()
                .getRequiredPersistentEntity(aggregates.getFirst().getClass());
        MongoPersistentProperty versionProperty = entity.getRequiredVersionProperty();
        List<Document> documents = new ArrayList<>(aggregates.size());
        for (T aggregate : aggregates) {
            PersistentPropertyAccessor<T> accessor = entity.getPropertyAccessor(aggregate);
            if (accessor.getProperty(entity.getRequiredIdProperty()) == null
                    || accessor.getProperty(versionProperty) != null) {
                throw new IllegalArgumentException("Only new aggregates, with the ids their domain gave them, are"
                        + " inserted together");
            }
            Document document = new Document();
            mongo.getConverter().write(aggregate, document);
            document.put(versionProperty.getFieldName(), 0L);
            document.put(OutboxEntry.FIELD, List.of());
            document.put(OutboxRelay.LEASE_OWNER, OutboxRelay.FREE);
            documents.add(document);
        }
        BitSet refused = UniqueInserts.insertNew(mongo, entity.getCollection(), documents);
        List<T> stored = new ArrayList<>(aggregates.size() - refused.cardinality());
        for (int i = 0; i < aggregates.size(); i++) {
            if (!refused.get(i)) {
                PersistentPropertyAccessor<T> accessor = entity.getPropertyAccessor(aggregates.get(i));
                accessor.setProperty(versionProperty, 0L);
                stored.add(accessor.getBean());
            }
        }
        return stored;
    }

    /** Captures each written event's trace context from the current span of {@code tracing}. */
    public void setTracing(TraceContext tracing) {
        this.tracing = tracing;
    }

    /**
     * Refuses a change whose events would take the aggregate's waiting events past {@code max-pending}: the outbox is
     * parked until the relay drains it, so that no aggregate grows towards MongoDB's 16 MB document limit and becomes
     * unwritable. Reads only the waiting events' ids, by {@code _id}. Between this read and the version-guarded write
     * the outbox can only shrink (the relay's removals do not change the version; any other save does, and then this
     * one fails as stale), so the limit holds.
     */
    private void requireRoom(String collection, Object id, Long version, int adding, Integer waitingAtMost) {
        int pending = 0;
        if (version != null && waitingAtMost != null && waitingAtMost + adding <= properties.maxPending()) {
            pending = waitingAtMost;    // known to the caller at this version: no need to read them
        } else if (version != null) {
            Query waiting = Query.query(Criteria.where("_id").is(id));
            waiting.fields().include(OutboxEntry.FIELD + ".eventId");
            Document stored = mongo.findOne(waiting, Document.class, collection);
            pending = stored == null ? 0 : stored.getList(OutboxEntry.FIELD, Document.class, List.of()).size();
        }
        Parked aggregate = new Parked(collection, id);
        if (pending + adding > properties.maxPending()) {
            refused.increment();
            if (parked.add(aggregate)) {
                log.warn("The outbox of {} {} is parked: {} events wait unpublished (at most {}); changes that add an"
                        + " event are refused until the relay has published them (is Kafka reachable?)", collection,
                        id, pending, properties.maxPending());
            }
            throw new OutboxParkedException(collection, id, pending, properties.maxPending());
        }
        if (parked.remove(aggregate)) {
            log.info("The outbox of {} {} has room again ({} events wait): changes are accepted", collection, id,
                    pending);
        }
    }

    /** An aggregate whose outbox this instance found full. */
    private record Parked(String collection, Object id) {
    }

    public <T> T save(T aggregate, PathwaysEvent... events) {
        return save(aggregate, List.of(events));
    }

    private OutboxEntry toEntry(PathwaysEvent event) {
        EventType type = EventType.of(event);
        JsonNode data = json.valueToTree(event);
        if (properties.validate()) {
            schemas.requireValid(type, data);
        }
        Instant now = clock.instant();
        return new OutboxEntry(UUID.randomUUID().toString(), type.type(), type.topic().topicName(), event.subject(),
                now, type.dataschema().toString(), source.toString(), json.writeValueAsString(data),
                tracing.current(), now);
    }
}
