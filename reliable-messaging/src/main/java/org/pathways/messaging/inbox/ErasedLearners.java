package org.pathways.messaging.inbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tombstones of a service's erased learners ({@value ErasedLearner#COLLECTION}), and what they do to events
 * that arrive after an erasure: every learner id in such an event (a top-level {@code learnerId} or
 * {@code …LearnerId} field of its data, and a subject equal to it) is replaced by the learner's pseudonym before any
 * handler sees it, so no service re-learns an erased learner from a late event (a consent recorded just before the
 * erasure, a referral event on another topic, a replay). Pseudonymised rather than dropped: figures keep counting
 * the event, under an id that links back to no one, and the same pseudonym each time.
 *
 * <p>The inbox writes the tombstone before any {@code learner.erased} handler runs, so it holds while an erasure
 * handler is still failing and parked.
 */
public class ErasedLearners {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MongoTemplate mongo;

    public ErasedLearners(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** Records the tombstone (idempotent: the first erasure's time and pseudonym stay). */
    public ErasedLearner record(String learnerId, Instant erasedAt) {
        return mongo.findAndModify(Query.query(Criteria.where("_id").is(learnerId)),
                new Update().setOnInsert("erasedAt", erasedAt)
                        .setOnInsert("pseudonym", "erased-" + UUID.randomUUID()),
                FindAndModifyOptions.options().upsert(true).returnNew(true), ErasedLearner.class);
    }

    public Optional<ErasedLearner> find(String learnerId) {
        if (learnerId == null) {
            return Optional.empty();
        }
        ErasedLearner found = mongo.findById(learnerId, ErasedLearner.class);
        if (found != null && found.pseudonym() == null) {
            // A tombstone written before tombstones carried a pseudonym: give it one, once.
            mongo.updateFirst(Query.query(Criteria.where("_id").is(learnerId).and("pseudonym").exists(false)),
                    new Update().set("pseudonym", "erased-" + UUID.randomUUID()), ErasedLearner.class);
            found = mongo.findById(learnerId, ErasedLearner.class);
        }
        return Optional.ofNullable(found);
    }

    /** When the learner was erased, if they were. */
    public Optional<Instant> erasedAt(String learnerId) {
        return find(learnerId).map(ErasedLearner::erasedAt);
    }

    public boolean isErased(String learnerId) {
        return find(learnerId).isPresent();
    }

    /** An event, and the record it came in, as a handler may see them. */
    public record Received(ReceivedEvent event, byte[] record) {
    }

    /**
     * The event with every erased learner's id replaced by their pseudonym (in its data, its subject and, when
     * given, the record forwarded verbatim); the same objects when it names no erased learner.
     */
    public Received pseudonymise(ReceivedEvent event, byte[] record) {
        return pseudonymise(event, record, this::find);
    }

    /**
     * Which of {@code learnerIds} are erased, in one read by {@code _id}: for a batch of events, whose
     * {@link #pseudonymise(ReceivedEvent, byte[], Function)} then looks them up here (an id not among them is looked
     * up in the store).
     */
    public Function<String, Optional<ErasedLearner>> lookUp(Collection<String> learnerIds) {
        Map<String, ErasedLearner> erased = new java.util.HashMap<>();
        List<String> ids = learnerIds.stream().filter(java.util.Objects::nonNull).distinct().toList();
        for (int i = 0; i < ids.size(); i += 500) {
            List<String> part = ids.subList(i, Math.min(ids.size(), i + 500));
            for (ErasedLearner found : mongo.find(Query.query(Criteria.where("_id").in(part)), ErasedLearner.class)) {
                erased.put(found.learnerId(), found);
            }
        }
        Set<String> known = Set.copyOf(ids);
        return id -> {
            ErasedLearner found = erased.get(id);
            if (found != null && found.pseudonym() != null) {
                return Optional.of(found);
            }
            return found == null && known.contains(id) ? Optional.empty() : find(id);
        };
    }

    /** Every learner id an event names (its data's learner id fields, and a learner event's subject). */
    public static Set<String> learnerIds(ReceivedEvent event) {
        Set<String> ids = new java.util.HashSet<>();
        try {
            if (JSON.readTree(event.data()) instanceof ObjectNode fields) {
                for (Map.Entry<String, JsonNode> field : fields.properties()) {
                    if (isLearnerIdField(field.getKey()) && field.getValue().isString()) {
                        ids.add(field.getValue().asString());
                    }
                }
            }
        } catch (JacksonException unreadable) {
            // the handler's own reading reports it
        }
        if (event.type().startsWith("org.pathways.learner.") && event.subject() != null) {
            ids.add(event.subject());
        }
        return ids;
    }

    /** As {@link #pseudonymise(ReceivedEvent, byte[])}, finding tombstones with {@code tombstones}. */
    public Received pseudonymise(ReceivedEvent event, byte[] record,
                                 Function<String, Optional<ErasedLearner>> tombstones) {
        JsonNode data;
        try {
            data = JSON.readTree(event.data());
        } catch (JacksonException unreadable) {
            return new Received(event, record); // the handler's own reading reports it
        }
        if (!(data instanceof ObjectNode fields)) {
            return new Received(event, record);
        }
        Map<String, String> replaced = new java.util.HashMap<>();
        for (Map.Entry<String, JsonNode> field : fields.properties()) {
            if (isLearnerIdField(field.getKey()) && field.getValue().isString()) {
                String id = field.getValue().asString();
                tombstones.apply(id).ifPresent(tombstone -> replaced.put(id, tombstone.pseudonym()));
            }
        }
        String subject = event.subject();
        if (!replaced.containsKey(subject) && event.type().startsWith("org.pathways.learner.")) {
            tombstones.apply(subject).ifPresent(tombstone -> replaced.put(subject, tombstone.pseudonym()));
        }
        if (replaced.isEmpty()) {
            return new Received(event, record);
        }
        for (String name : java.util.List.copyOf(fields.propertyNames())) {
            JsonNode value = fields.get(name);
            if (isLearnerIdField(name) && value.isString() && replaced.containsKey(value.asString())) {
                fields.put(name, replaced.get(value.asString()));
            }
        }
        ReceivedEvent pseudonymous = new ReceivedEvent(event.id(), event.type(),
                replaced.getOrDefault(subject, subject), event.time(), event.source(),
                JSON.writeValueAsBytes(fields), event.traceparent());
        return new Received(pseudonymous, record == null ? null : pseudonymiseRecord(record, fields, replaced));
    }

    private static byte[] pseudonymiseRecord(byte[] record, ObjectNode data, Map<String, String> replaced) {
        JsonNode envelope = JSON.readTree(record);
        if (!(envelope instanceof ObjectNode cloudEvent)) {
            return record;
        }
        cloudEvent.set("data", data);
        // The subject, and the partitionkey extension that repeats it (the record key, per the Kafka binding).
        for (String attribute : List.of("subject", "partitionkey")) {
            JsonNode value = cloudEvent.get(attribute);
            if (value != null && value.isString() && replaced.containsKey(value.asString())) {
                cloudEvent.put(attribute, replaced.get(value.asString()));
            }
        }
        return JSON.writeValueAsString(cloudEvent).getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isLearnerIdField(String name) {
        return name.equals("learnerId") || name.endsWith("LearnerId");
    }
}
