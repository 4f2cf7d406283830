package org.pathways.testing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.InsertManyOptions;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.PathwaysEvent;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the throughput benchmarks share around a {@link Backlog} (EventPathFigures and the consumers' own benchmarks):
 * events as an outside producer puts them on a topic, the baseline (a plain Kafka consumer reading the same records),
 * and stored data added to a service's database so that the same backlog can be timed again with more stored.
 */
public final class BacklogBaseline {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final EventFormat STRUCTURED = EventFormatProvider.getInstance()
            .resolveFormat(JsonFormat.CONTENT_TYPE);
    /** Fields that would make a copied document work (an outbox, a lease, a due time) or clash with its original. */
    private static final List<String> WORKING = List.of("outbox", "outboxLease", "outboxLeaseOwner", "nextAttemptAt",
            "leaseUntil", "leaseOwner", "openKey", "idempotencyKey");

    private BacklogBaseline() {
    }

    /** {@code event} as an outside producer puts it on: a structured CloudEvent (CloudEvents SDK), keyed by subject. */
    public static ProducerRecord<String, byte[]> outsideRecord(PathwaysEvent event) {
        EventType type = EventType.of(event);
        CloudEvent cloudEvent = CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withSource(URI.create("/pathways/benchmark"))
                .withType(type.type())
                .withSubject(event.subject())
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataSchema(type.dataschema())
                .withDataContentType("application/json")
                .withData(JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8))
                .build();
        return new ProducerRecord<>(type.topic().topicName(), event.subject(), STRUCTURED.serialize(cloudEvent));
    }

    /** The end offset of every partition of {@code topics} now: where what is put on afterwards starts. */
    public static Map<TopicPartition, Long> endOffsets(String... topics) {
        try (KafkaConsumer<String, byte[]> consumer = plainConsumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            return new HashMap<>(consumer.endOffsets(partitions));
        }
    }

    /**
     * The baseline: nanoseconds a plain consumer (no group, the partitions assigned) takes to read {@code records}
     * records from {@code from}.
     */
    public static long plainRead(Map<TopicPartition, Long> from, int records) {
        try (KafkaConsumer<String, byte[]> consumer = plainConsumer()) {
            long begin = System.nanoTime();
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            int read = 0;
            while (read < records) {
                read += consumer.poll(Duration.ofMillis(100)).count();
            }
            return System.nanoTime() - begin;
        }
    }

    private static KafkaConsumer<String, byte[]> plainConsumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafkaBootstrapServers(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Adds {@code total} documents to {@code database}, shared among its collections (but those named in
     * {@code leaveOut}) in proportion to what they hold: copies of their own documents under new ids, with new values
     * in each unique key, another agency's id where one is named, and without anything that would make them work
     * (outbox, leases, a next attempt), so they are stored data only.
     */
    public static void seed(MongoDatabase database, long total, Set<String> leaveOut) {
        long salt = System.nanoTime() % 7919;
        Map<String, Long> counts = new HashMap<>();
        for (String collection : database.listCollectionNames()) {
            long count = database.getCollection(collection).countDocuments();
            if (count > 0 && !collection.startsWith("system.") && !leaveOut.contains(collection)) {
                counts.put(collection, count);
            }
        }
        long sum = counts.values().stream().mapToLong(Long::longValue).sum();
        for (Map.Entry<String, Long> collection : counts.entrySet()) {
            var target = database.getCollection(collection.getKey());
            List<String> uniqueFields = new ArrayList<>();
            for (Document index : target.listIndexes()) {
                if (Boolean.TRUE.equals(index.getBoolean("unique"))) {
                    index.get("key", Document.class).keySet().stream().findFirst().ifPresent(uniqueFields::add);
                }
            }
            List<Document> templates = target.find().limit(200).into(new ArrayList<>());
            long add = total * collection.getValue() / sum;
            List<Document> batch = new ArrayList<>();
            for (long i = 0; i < add; i++) {
                Document copy = new Document(templates.get((int) (i % templates.size())));
                copy.put("_id", copy.get("_id") instanceof ObjectId ? new ObjectId() : "seed-" + UUID.randomUUID());
                for (String field : uniqueFields) {
                    if (!field.equals("_id") && !field.contains(".")) {
                        copy.put(field, copy.get(field) instanceof Number ? -1 - (i + 1) * 7919 - salt
                                : "seed-" + UUID.randomUUID());
                    }
                }
                if (copy.get("agencyId") instanceof String && !uniqueFields.contains("agencyId")) {
                    copy.put("agencyId", "seed-agency-" + (i % 500));   // other agencies' data
                }
                WORKING.forEach(copy::remove);
                batch.add(copy);
                if (batch.size() == 1_000) {
                    target.insertMany(batch, new InsertManyOptions().ordered(false));
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                target.insertMany(batch, new InsertManyOptions().ordered(false));
            }
        }
    }

    /** The documents {@code database} holds, all collections together. */
    public static long documents(MongoDatabase database) {
        long count = 0;
        for (String collection : database.listCollectionNames()) {
            count += database.getCollection(collection).countDocuments();
        }
        return count;
    }
}
