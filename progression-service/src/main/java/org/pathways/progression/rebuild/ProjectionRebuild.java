package org.pathways.progression.rebuild;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LearnerErased;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.inbox.ErasedLearners;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.store.Migrations;
import org.pathways.progression.events.ProjectionFeed;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Rebuilds every projection from the topics: a consumer of its own (partitions assigned, read from offset 0, no
 * consumer group, nothing committed) replays every event into the next generation of collections, with the same
 * handling of erased learners as the shared inbox (tombstone first; later events pseudonymised). When it reaches the
 * end offsets it saw at the start, the live consumer starts feeding the new generation too; the replay then reads up
 * to the end offsets seen at that moment, and the new generation becomes the live one. Every event reaches the new
 * generation once (a record of the event ids applied to it), so the figures equal what the live consumer would have
 * built. One rebuild at a time per instance; its progress is {@link #status()}.
 */
@Component
public class ProjectionRebuild {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuild.class);

    public enum State { IDLE, REPLAYING, CATCHING_UP, SWITCHED, FAILED }

    /** What a rebuild is doing: how many of the events it found on the topics it has replayed. */
    public record Status(State state, Long generation, Instant startedAt, Instant finishedAt, long eventsReplayed,
                         long eventsToReplay, Double progress, String failure) {
    }

    private final ProjectionFeed feed;
    private final Generations generations;
    private final CloudEventCodec codec;
    private final ErasedLearners erasedLearners;
    private final MongoTemplate mongo;
    private final Clock clock;
    private final String brokers;
    private final KafkaProperties kafka;
    private final List<String> topics;
    private final boolean onStart;
    private final AtomicReference<Status> status = new AtomicReference<>(
            new Status(State.IDLE, null, null, null, 0, 0, null, null));
    private final AtomicLong replayed = new AtomicLong();
    private volatile long toReplay;

    ProjectionRebuild(ProjectionFeed feed, Generations generations, CloudEventCodec codec,
                      ErasedLearners erasedLearners, MongoTemplate mongo, Clock clock,
                      KafkaProperties kafka,
                      @Value("${spring.cloud.stream.kafka.binder.brokers}") String brokers,
                      @Value("${spring.cloud.stream.bindings.partnershipEvents-in-0.destination}") List<String> topics,
                      @Value("${pathways.progression.rebuild.on-start:false}") boolean onStart) {
        this.feed = feed;
        this.generations = generations;
        this.codec = codec;
        this.erasedLearners = erasedLearners;
        this.mongo = mongo;
        this.clock = clock;
        this.kafka = kafka;
        this.brokers = brokers;
        this.topics = topics;
        this.onStart = onStart;
    }

    /** The command: {@code --pathways.progression.rebuild.on-start=true} rebuilds once the service is up. */
    @EventListener(ApplicationReadyEvent.class)
    void rebuildOnStart() {
        if (onStart) {
            start();
        }
    }

    /**
     * Figures derived by an older version of this service are rebuilt from the topics once the service is up, so that
     * coordinators see no figure missing after an upgrade: until 2026-12-03 the response times were kept in the daily
     * funnel buckets, and the referrals counted before then are in no {@code durations} document. Once per store
     * ({@link Migrations}, note {@value #DERIVED_WITH_DURATION_SUMS} in {@value #MIGRATIONS}); a store with no referral
     * counted yet has nothing to rebuild. Name a new note here when a change alters how figures are derived.
     */
    @EventListener(ApplicationReadyEvent.class)
    public void rebuildIfDerivedByAnOlderVersion() {
        new Migrations(mongo, MIGRATIONS, clock).once(DERIVED_WITH_DURATION_SUMS, () -> {
            // The referrals' facts of the live generation ("referrals", the funnel's collection).
            if (!onStart && mongo.exists(new Query(), generations.active().collection("referrals"))) {
                log.info("The figures were derived by an older version of this service: rebuilding them");
                start();
            }
        });
    }

    static final String MIGRATIONS = "progression-migrations";
    static final String DERIVED_WITH_DURATION_SUMS = "figures-derived-with-duration-sums";

    public Status status() {
        Status now = status.get();
        if (now.state() == State.REPLAYING || now.state() == State.CATCHING_UP) {
            long done = replayed.get();
            return new Status(now.state(), now.generation(), now.startedAt(), null, done, toReplay,
                    toReplay == 0 ? null : Math.min(1.0, Math.round(1000.0 * done / toReplay) / 1000.0), null);
        }
        return now;
    }

    /** Starts a rebuild in the background; 409 while one runs. */
    public synchronized Status start() {
        State state = status.get().state();
        if (state == State.REPLAYING || state == State.CATCHING_UP) {
            throw new ProblemException(HttpStatus.CONFLICT, "rebuild-running", "A rebuild is already running.");
        }
        Generation active = generations.active();
        Generation target = active.next();
        // Leftovers of earlier generations (and of an abandoned rebuild) go first.
        for (String collection : mongo.getCollectionNames()) {
            if (collection.matches("p\\d+\\..*") && !active.owns(collection)) {
                mongo.dropCollection(collection);
            }
        }
        generations.forgetSightings(active);
        replayed.set(0);
        toReplay = 0;
        status.set(new Status(State.REPLAYING, target.number(), clock.instant(), null, 0, 0, 0.0, null));
        Thread.ofPlatform().name("projection-rebuild").daemon().start(() -> run(target));
        return status();
    }

    private void run(Generation target) {
        Instant startedAt = status.get().startedAt();
        log.info("Rebuilding the projections into generation {} from {}", target.number(), topics);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo partition : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, partition.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
            toReplay = partitions.stream().mapToLong(p -> end.get(p) - beginning.get(p)).sum();
            replayUpTo(consumer, end, target);

            status.set(new Status(State.CATCHING_UP, target.number(), startedAt, null, 0, 0, null, null));
            generations.startCatchingUp(target);
            Map<TopicPartition, Long> now = consumer.endOffsets(partitions);
            toReplay += partitions.stream().mapToLong(p -> now.get(p) - end.get(p)).sum();
            replayUpTo(consumer, now, target);

            generations.switchTo(target);
            status.set(new Status(State.SWITCHED, target.number(), startedAt, clock.instant(), replayed.get(),
                    toReplay, 1.0, null));
            log.info("Rebuilt generation {} from {} events; it is now live", target.number(), replayed.get());
        } catch (RuntimeException failure) {
            log.error("Rebuild of generation {} failed", target.number(), failure);
            generations.abandon(target);
            status.set(new Status(State.FAILED, target.number(), startedAt, clock.instant(), replayed.get(),
                    toReplay, null, failure.getClass().getSimpleName()));
        }
    }

    private void replayUpTo(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end,
                            Generation target) {
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                replay(record.value(), target);
                replayed.incrementAndGet();
            }
        }
    }

    private void replay(byte[] record, Generation target) {
        if (record == null) {
            return;
        }
        ReceivedEvent event;
        try {
            event = ReceivedEvent.decode(codec, record, null);
        } catch (MalformedEventException | IllegalArgumentException malformed) {
            // The live consumer dead-lettered it; nothing to count.
            log.debug("Rebuild skips a malformed record");
            return;
        }
        if (event.is(EventType.LEARNER_ERASED)) {
            LearnerErased erased = event.data(LearnerErased.class);
            if (erased.learnerId() != null && erased.erasedAt() != null) {
                erasedLearners.record(erased.learnerId(), erased.erasedAt());
            }
        } else {
            event = erasedLearners.pseudonymise(event, record).event();
        }
        if (generations.firstSight(target, event.id())) {
            feed.apply(event, target);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        // Boot's client settings first: the broker's security (SASL, TLS) as every other client of this service has it.
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "progression-rebuild");
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
