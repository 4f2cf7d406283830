package org.pathways.progression.rebuild;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bson.Document;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LearnerErased;
import org.pathways.messaging.broker.ServiceKafkaClients;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.inbox.ErasedLearners;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.lease.DocumentLeases;
import org.pathways.messaging.lease.Lease;
import org.pathways.platform.problem.ProblemException;
import org.pathways.progression.events.ProjectionFeed;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Rebuilds every projection from the topics: a consumer of its own (partitions assigned, read from offset 0, no
 * consumer group, nothing committed) replays every event into the next generation of collections, with the same
 * handling of erased learners as the shared inbox (tombstone first; later events pseudonymised). When it reaches the
 * end offsets it saw at the start, the live consumer starts feeding the new generation too; the replay then reads up
 * to the end offsets seen at that moment, and the new generation becomes the live one. Every event reaches the new
 * generation once (a record of the event ids applied to it), so the figures equal what the live consumer would have
 * built. Its progress is {@link #status()}.
 *
 * <p>One rebuild at a time across every instance: a rebuild holds a lease ({@link DocumentLeases}) on one document,
 * {@value #CLAIM} in {@value #CLAIMS}, renewed as it replays (checked before every event it applies, so that no batch
 * however slow outlives it) and given back when it ends; another instance asked to
 * rebuild meanwhile answers 409, and its start-up check leaves the rebuild to the holder. The claim document also
 * records the rebuild itself (its state, generation, start, attempts and outcome), whoever asked for it and whatever
 * the figures' derivation: a rebuild recorded as replaying or catching up whose holder died (stopped renewing) is
 * taken over once its lease runs out by the next check (at start, or every few minutes: {@link #rebuildIfDue}) of
 * any instance, which abandons the dead holder's generation and rebuilds again; after {@value #ATTEMPTS_AT_MOST}
 * holders stopped so, it is reported failed instead. The dead holder's generation is no longer fed by the live
 * consumer once its lease has run out ({@link Generations#catchingUp}). A holder that outlives its lease (stalled)
 * stops at its next renewal without switching over. A holder whose rebuild's thread dies of an error (out of memory,
 * say) records at once that it stopped, as a killed one is found, and is taken over at the next check (out of memory
 * is then thrown on: the thread dies of it). Once a rebuild has switched over, nothing abandons its generation, the
 * live one: a failure after that (dropping the generation it replaced, say) leaves the rebuild done.
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
    /** The settings the rebuild's consumer starts from: the service's own (security), at the binder's brokers. */
    private final Map<String, Object> kafkaSettings;
    private final List<String> topics;
    private final boolean onStart;
    private final AtomicReference<Status> status = new AtomicReference<>(
            new Status(State.IDLE, null, null, null, 0, 0, null, null));
    private final AtomicLong replayed = new AtomicLong();
    private volatile long toReplay;
    private final DocumentLeases leases;
    private final RebuildCheckpoint checkpoint;
    /**
     * Whether this instance's rebuild has made its generation the live one: from then on nothing abandons it, and a
     * failure (in dropping the previous generation, in giving the claim back) leaves the rebuild done.
     */
    private volatile boolean switched;
    /** This instance's lease on {@value #CLAIM} while it rebuilds (renewed by the rebuild's thread). */
    private volatile Lease<Document> claim;
    /** The generation the live consumer feeds for this instance's rebuild, for as long as its claim is renewed. */
    private volatile Generation fed;
    private volatile boolean claimIndexed;

    @Autowired
    ProjectionRebuild(ProjectionFeed feed, Generations generations, CloudEventCodec codec,
                      ErasedLearners erasedLearners, MongoTemplate mongo, Clock clock,
                      KafkaProperties kafka, Environment environment,
                      @Value("${spring.cloud.stream.bindings.partnershipEvents-in-0.destination}") List<String> topics,
                      @Value("${pathways.progression.rebuild.on-start:false}") boolean onStart,
                      @Value("${pathways.progression.rebuild.lease:PT2M}") Duration lease) {
        this(feed, generations, codec, erasedLearners, mongo, clock, kafka, environment, topics, onStart, lease,
                RebuildCheckpoint.NONE);
    }

    ProjectionRebuild(ProjectionFeed feed, Generations generations, CloudEventCodec codec,
                      ErasedLearners erasedLearners, MongoTemplate mongo, Clock clock,
                      KafkaProperties kafka, Environment environment, List<String> topics, boolean onStart,
                      Duration lease, RebuildCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
        this.feed = feed;
        this.generations = generations;
        this.codec = codec;
        this.erasedLearners = erasedLearners;
        this.mongo = mongo;
        this.clock = clock;
        this.kafkaSettings = ServiceKafkaClients.consumerSettings(environment, kafka);
        this.topics = topics;
        this.onStart = onStart;
        this.leases = new DocumentLeases(mongo, clock, DocumentLeases.Fields.DEFAULT, lease, "progression-rebuild");
    }

    /**
     * At start: the command ({@code --pathways.progression.rebuild.on-start=true} rebuilds once the service is up), or
     * else a rebuild if one is due ({@link #rebuildIfDue}).
     */
    @EventListener(ApplicationReadyEvent.class)
    void whenReady() {
        if (!onStart) {
            rebuildIfDue();
            return;
        }
        try {
            start();
        } catch (ProblemException running) {
            log.warn("Not rebuilding at start: {}", running.getMessage());
        }
    }

    /**
     * Rebuilds if a rebuild is due: one whose holder stopped before it finished (killed, say: recorded as replaying
     * or catching up on {@value #CLAIM}, its lease run out), however it was asked for, is taken over and done again;
     * and figures derived by an older version of this service are rebuilt from the topics, so that coordinators see
     * no figure missing after an upgrade: the live generation records the {@link Generations#DERIVATION} of the code
     * that built it when a rebuild switches to it, and a lower number (or none) means its buckets lack what this
     * code's reports read (a new family of running sums, say). Checked once the service is up and every few minutes
     * after ({@code pathways.progression.rebuild.derivation-check}), on every instance: the one that claims the
     * rebuild does it, the others find it claimed and leave it. A live generation with no figure yet is simply
     * recorded as derived by this version. A change that alters how figures are derived bumps
     * {@link Generations#DERIVATION}.
     */
    public void rebuildIfDue() {
        if (generations.derivation() >= Generations.DERIVATION && !unfinished(mongo.findById(CLAIM, Document.class,
                CLAIMS))) {
            return;
        }
        begin(true);
    }

    @Scheduled(initialDelayString = "${pathways.progression.rebuild.derivation-check:PT2M}",
            fixedDelayString = "${pathways.progression.rebuild.derivation-check:PT2M}")
    void checkDue() {
        try {
            rebuildIfDue();
        } catch (RuntimeException | Error failure) {
            // Logged with its stack, as the scheduler logs what a task throws (the check reads no event); the next
            // check comes all the same. Out of memory is thrown on, as it always was, to the JVM's own handling.
            log.error("Could not check whether a rebuild is due", failure);
            if (failure instanceof OutOfMemoryError) {
                throw failure;
            }
        }
    }

    /** Where the rebuild's claim is kept, with the start-up notes of the service's store. */
    public static final String CLAIMS = "progression-migrations";
    /** The document whose lease a rebuild holds. */
    public static final String CLAIM = "projection-rebuild";
    /** On {@value #CLAIM}: the generation the last holder rebuilt into. */
    private static final String TARGET = "generation";
    /** On {@value #CLAIM}, the last rebuild as its holder recorded it: its {@link State} and the rest of its status. */
    private static final String STATE = "state";
    private static final String STARTED_AT = "startedAt";
    private static final String FINISHED_AT = "finishedAt";
    private static final String REPLAYED = "eventsReplayed";
    private static final String TO_REPLAY = "eventsToReplay";
    private static final String FAILURE = "failure";
    /** On {@value #CLAIM}: how many holders have begun the last rebuild (the first and those who took it over). */
    private static final String ATTEMPTS = "attempts";
    /**
     * On {@value #CLAIM}: true once the last rebuild is given up ({@value #ATTEMPTS_AT_MOST} holders stopped), which
     * the check then leaves; a rebuild {@code FAILED} otherwise (on its third attempt too) is not given up.
     */
    private static final String GIVEN_UP = "givenUp";
    /** A rebuild whose holders stopped this many times before finishing is reported failed, not taken over again. */
    static final int ATTEMPTS_AT_MOST = 3;

    /**
     * This instance's rebuild while it runs here (with its progress), else the last rebuild as recorded in the store
     * by whichever instance ran it (one that is replaying or catching up elsewhere, or stopped there and waits to be
     * taken over, shows the state its holder last recorded, without progress).
     */
    public Status status() {
        Status now = status.get();
        if (running(now.state())) {
            long done = replayed.get();
            return new Status(now.state(), now.generation(), now.startedAt(), null, done, toReplay,
                    toReplay == 0 ? null : Math.min(1.0, Math.round(1000.0 * done / toReplay) / 1000.0), null);
        }
        Document recorded = mongo.findById(CLAIM, Document.class, CLAIMS);
        if (recorded == null || !(recorded.get(STATE) instanceof String state)) {
            return now;
        }
        return new Status(State.valueOf(state), recorded.get(TARGET) instanceof Number n ? n.longValue() : null,
                instant(recorded.get(STARTED_AT)), instant(recorded.get(FINISHED_AT)),
                recorded.get(REPLAYED) instanceof Number r ? r.longValue() : 0,
                recorded.get(TO_REPLAY) instanceof Number t ? t.longValue() : 0,
                State.valueOf(state) == State.SWITCHED ? Double.valueOf(1.0) : null, recorded.getString(FAILURE));
    }

    private static Instant instant(Object date) {
        return date instanceof Date d ? d.toInstant() : null;
    }

    private static boolean running(State state) {
        return state == State.REPLAYING || state == State.CATCHING_UP;
    }

    /** Whether the claim document records a rebuild begun and not ended (switched over or failed). */
    private static boolean unfinished(Document recorded) {
        return recorded != null && recorded.get(STATE) instanceof String state
                && (state.equals(State.REPLAYING.name()) || state.equals(State.CATCHING_UP.name()));
    }

    /** Starts a rebuild in the background; 409 while one runs (here or on another instance). */
    public Status start() {
        return begin(false).orElseThrow();
    }

    /**
     * Claims the rebuild and starts it in the background. {@code ifDue} (the check, not a request): only a rebuild
     * whose holder stopped before it finished, or one the live figures still need once claimed (another instance may
     * have just rebuilt them), else empty; and empty rather than a 409 when a rebuild runs.
     */
    private synchronized Optional<Status> begin(boolean ifDue) {
        if (running(status.get().state())) {
            if (ifDue) {
                return Optional.empty();
            }
            throw new ProblemException(HttpStatus.CONFLICT, "rebuild-running", "A rebuild is already running.");
        }
        Optional<Lease<Document>> claimed = claim();
        if (claimed.isEmpty()) {
            if (ifDue) {
                return Optional.empty();
            }
            throw new ProblemException(HttpStatus.CONFLICT, "rebuild-running",
                    "A rebuild is already running on another instance.");
        }
        claim = claimed.get();
        try {
            Document recorded = claim.document();
            // Its holder stopped before it finished (the claim was free): this instance takes the rebuild over.
            boolean takingOver = ifDue && unfinished(recorded);
            int attempts = takingOver && recorded.get(ATTEMPTS) instanceof Number before ? before.intValue() + 1 : 1;
            Generation active = generations.active();
            if (takingOver && recorded.get(TARGET) instanceof Number built && built.longValue() == active.number()) {
                // Its holder switched over and stopped before it could record so: the rebuild is done.
                log.info("The rebuild of generation {} switched over before its instance stopped: recorded as done",
                        active.number());
                Instant now = clock.instant();
                releaseClaim(new Update().set(STATE, State.SWITCHED.name()).set(FINISHED_AT, Date.from(now))
                        .unset(FAILURE));
                status.set(new Status(State.SWITCHED, active.number(), instant(recorded.get(STARTED_AT)), now,
                        0, 0, 1.0, null));
                return Optional.empty();
            }
            if (ifDue && !takingOver) {
                if (Boolean.TRUE.equals(recorded.get(GIVEN_UP))) {
                    // Given up after its instances kept stopping (or failing): started again when someone asks for
                    // it, not at every check, which would kill an instance every few minutes for good.
                    releaseClaim(null);
                    return Optional.empty();
                }
                if (generations.derivation() >= Generations.DERIVATION) {
                    releaseClaim(null);
                    return Optional.empty();
                }
                // No figure yet (a new store): whatever comes is derived by this version.
                if (!mongo.exists(new Query(), active.collection(FactStore.BUCKETS))) {
                    generations.derivedByThisVersion(active);
                    releaseClaim(null);
                    return Optional.empty();
                }
            }
            Generation target = active.next();
            // A rebuild that stopped while catching up (its holder died): no longer fed, dropped, and its number not
            // used again (an instance that has not seen it stop may write to it for a few seconds more).
            Optional<Generation> stopped = generations.recordedCatchingUp();
            if (stopped.isPresent()) {
                log.info("Abandoning generation {}, whose rebuild stopped", stopped.get().number());
                generations.abandon(stopped.get());
                if (stopped.get().number() >= target.number()) {
                    target = stopped.get().next();
                }
            }
            // Never a number an earlier holder rebuilt into: one that stalled past its lease before catching up (so
            // recorded nowhere else) may still write to it, and drops it when it finds its claim gone.
            if (claim.document().get(TARGET) instanceof Number claimedBefore
                    && claimedBefore.longValue() >= target.number()) {
                target = new Generation(claimedBefore.longValue() + 1);
            }
            if (attempts > ATTEMPTS_AT_MOST) {
                dropLeftovers(active);
                String reason = "Its instance stopped before it finished (killed, or out of memory) " + ATTEMPTS_AT_MOST
                        + " times, so it was not taken over again; ask for a rebuild once the cause is mended.";
                log.error("Not taking over the rebuild of generation {}: {}", recorded.get(TARGET), reason);
                Instant now = clock.instant();
                releaseClaim(new Update().set(STATE, State.FAILED.name()).set(FAILURE, reason).set(GIVEN_UP, true)
                        .set(FINISHED_AT, Date.from(now)));
                status.set(new Status(State.FAILED, recorded.get(TARGET) instanceof Number n ? n.longValue() : null,
                        instant(recorded.get(STARTED_AT)), now, 0, 0, null, reason));
                return Optional.empty();
            }
            Instant startedAt = clock.instant();
            if (!leases.write(claim, new Update().set(TARGET, target.number()).set(STATE, State.REPLAYING.name())
                    .set(STARTED_AT, Date.from(startedAt)).set(ATTEMPTS, attempts).unset(FINISHED_AT)
                    .unset(REPLAYED).unset(TO_REPLAY).unset(FAILURE).unset(GIVEN_UP))) {
                throw new IllegalStateException("The rebuild's claim ran out before it began");
            }
            dropLeftovers(active);
            generations.forgetSightings(active);
            replayed.set(0);
            toReplay = 0;
            fed = null;
            switched = false;
            status.set(new Status(State.REPLAYING, target.number(), startedAt, null, 0, 0, 0.0, null));
            if (takingOver) {
                log.info("Taking over the rebuild of generation {}, whose instance stopped before it finished "
                        + "(attempt {}): rebuilding into generation {}", recorded.get(TARGET), attempts,
                        target.number());
            } else if (ifDue) {
                log.info("The figures were derived by an older version of this service: rebuilding them into "
                        + "generation {}", target.number());
            }
            Generation rebuilding = target;
            Thread.ofPlatform().name("projection-rebuild").daemon().start(() -> run(rebuilding));
        } catch (RuntimeException | Error failure) {
            // Recorded as begun (or not yet): left to the next check, and no longer running here (no thread, say).
            Status was = status.get();
            if (running(was.state())) {
                status.set(new Status(State.IDLE, was.generation(), was.startedAt(), null, 0, 0, null, null));
            }
            releaseClaim(null);
            throw failure;
        }
        return Optional.of(status());
    }

    /** Leftovers of earlier generations (and of an abandoned rebuild): every generation's but the live one's. */
    private void dropLeftovers(Generation active) {
        for (String collection : mongo.getCollectionNames()) {
            if (collection.matches("p\\d+\\..*") && !active.owns(collection)) {
                mongo.dropCollection(collection);
            }
        }
    }

    /** The lease on {@value #CLAIM}, if no one else holds it (the document made first, once per store). */
    private Optional<Lease<Document>> claim() {
        if (!claimIndexed) {
            leases.createIndexes(CLAIMS);
            claimIndexed = true;
        }
        mongo.upsert(Query.query(Criteria.where("_id").is(CLAIM)), new Update().setOnInsert("for",
                "one projection rebuild at a time"), CLAIMS);
        return leases.claim(Document.class, CLAIMS, CLAIM, document -> true, null);
    }

    /**
     * Renews this instance's claim once a third of it has run (every time when {@code now}), and with it the time
     * the live consumer feeds the generation being caught up; a claim that ran out or was taken over stops the
     * rebuild, which is then someone else's. Called before each event the replay applies (a clock reading, unless
     * renewal is due), so that no batch, however slow, outlives the claim: only one event's write can.
     */
    private void keepClaim(boolean now) {
        Lease<Document> held = claim;
        Duration left = Duration.between(clock.instant(), held.until());
        if (!now && left.compareTo(leases.duration().multipliedBy(2).dividedBy(3)) > 0) {
            return;
        }
        claim = leases.renew(held).orElseThrow(() -> new IllegalStateException(
                "The rebuild's claim ran out or was taken over"));
        Generation feeding = fed;
        if (feeding != null) {
            generations.feedUntil(feeding, claim.until());
        }
    }

    /** Records what the rebuild is doing on its claim, while it holds it. */
    private void record(Update update) {
        if (!leases.write(claim, update)) {
            throw new IllegalStateException("The rebuild's claim ran out or was taken over");
        }
    }

    /** Gives the claim back with the rebuild's {@code outcome} (may be null), if this instance still holds it. */
    private void releaseClaim(Update outcome) {
        Lease<Document> held = claim;
        claim = null;
        fed = null;
        if (held != null) {
            leases.release(held, outcome);
        }
    }

    /**
     * The rebuild's thread, from top to bottom: whatever it dies of beyond a failure it handles (an {@link Error}:
     * out of memory, a projection's stack overflow; or a failure to record a failure) is {@link #stopped recorded as a
     * stop}, never left to end the thread with this instance reporting the rebuild as running for ever.
     */
    private void run(Generation target) {
        Instant startedAt = status.get().startedAt();
        try {
            rebuild(target, startedAt);
        } catch (Throwable death) {
            stopped(target, startedAt, death);
            if (death instanceof OutOfMemoryError) {
                // Recorded as far as it could be: the thread dies of it as before (and the JVM exits, where
                // -XX:+ExitOnOutOfMemoryError says so).
                throw death;
            }
        }
    }

    /**
     * The rebuild died on this instance of something it does not handle: recorded as a killed holder leaves it
     * (replaying or catching up, so that the next check of any instance takes it over, counted as an attempt towards
     * the give-up), only at once rather than once its lease has run out: its copy is abandoned (no longer fed by the
     * live consumer) and its claim given back, with the kind of error as {@code failure}. Logged with that kind and
     * where it was thrown, not its message (which may quote an event's data). If that cannot be written either (the
     * store is gone, memory still short), the claim runs out as a killed holder's does. Past the switch over, the
     * rebuild is done instead ({@link #doneAfterSwitch}): its generation is the live one.
     */
    private void stopped(Generation target, Instant startedAt, Throwable death) {
        String reason = death.getClass().getSimpleName();
        StackTraceElement[] where = death.getStackTrace();
        if (switched) {
            log.error("Rebuild of generation {} stopped on {} at {} after it switched over", target.number(),
                    reason, where.length > 0 ? where[0] : "an unknown point");
            doneAfterSwitch(target, startedAt);
            return;
        }
        try {
            log.error("Rebuild of generation {} stopped on {} at {}; the next check takes it over", target.number(),
                    reason, where.length > 0 ? where[0] : "an unknown point");
            if (!generations.abandon(target)) {
                doneAfterSwitch(target, startedAt);
                return;
            }
        } catch (Throwable unrecorded) {
            log.warn("Could not abandon generation {} of the stopped rebuild: {}", target.number(),
                    unrecorded.getClass().getSimpleName());
        }
        try {
            releaseClaim(new Update().set(FAILURE, reason).set(REPLAYED, replayed.get()).set(TO_REPLAY, toReplay));
        } catch (Throwable unrecorded) {
            log.warn("Could not record that the rebuild of generation {} stopped; its claim runs out unrenewed: {}",
                    target.number(), unrecorded.getClass().getSimpleName());
        } finally {
            claim = null;
            fed = null;
            // No longer running here: the status is the store's (the stop as recorded), and a check may take it over.
            status.set(new Status(State.IDLE, target.number(), startedAt, null, replayed.get(), toReplay, null,
                    reason));
        }
    }

    private void rebuild(Generation target, Instant startedAt) {
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
            keepClaim(false);
            checkpoint.reached(State.REPLAYING, target);
            replayUpTo(consumer, end, target);

            status.set(new Status(State.CATCHING_UP, target.number(), startedAt, null, 0, 0, null, null));
            // Still this rebuild's: a holder that lost its claim never has the live consumer feed its generation,
            // which it feeds only while the claim is renewed (a holder killed from now on leaves it fed no longer).
            keepClaim(true);
            record(new Update().set(STATE, State.CATCHING_UP.name()));
            generations.startCatchingUp(target, claim.until());
            fed = target;
            checkpoint.reached(State.CATCHING_UP, target);
            Map<TopicPartition, Long> now = consumer.endOffsets(partitions);
            toReplay += partitions.stream().mapToLong(p -> now.get(p) - end.get(p)).sum();
            replayUpTo(consumer, now, target);

            // Still this rebuild's, for the lease's time at least: a holder that lost it never switches over.
            keepClaim(true);
            Generation previous = generations.switchTo(target);
            switched = true;
            generations.drop(previous);
            Instant finishedAt = clock.instant();
            // Given back before the status says so: a rebuild asked for on seeing it switched finds it free.
            releaseClaim(new Update().set(STATE, State.SWITCHED.name()).set(FINISHED_AT, Date.from(finishedAt))
                    .set(REPLAYED, replayed.get()).set(TO_REPLAY, toReplay));
            status.set(new Status(State.SWITCHED, target.number(), startedAt, finishedAt, replayed.get(),
                    toReplay, 1.0, null));
            log.info("Rebuilt generation {} from {} events; it is now live", target.number(), replayed.get());
        } catch (RuntimeException failure) {
            if (switched) {
                log.error("Rebuild of generation {} failed after it switched over", target.number(), failure);
                doneAfterSwitch(target, startedAt);
                return;
            }
            log.error("Rebuild of generation {} failed", target.number(), failure);
            if (!generations.abandon(target)) {
                doneAfterSwitch(target, startedAt);
                return;
            }
            Instant finishedAt = clock.instant();
            String reason = failure.getClass().getSimpleName();
            releaseClaim(new Update().set(STATE, State.FAILED.name()).set(FINISHED_AT, Date.from(finishedAt))
                    .set(REPLAYED, replayed.get()).set(TO_REPLAY, toReplay).set(FAILURE, reason));
            status.set(new Status(State.FAILED, target.number(), startedAt, finishedAt, replayed.get(),
                    toReplay, null, reason));
        }
    }

    /**
     * A rebuild that failed after its generation became the live one (dropping the one it replaced, or giving the
     * claim back, failed): done, since the live generation is complete. Recorded {@code SWITCHED} if the claim is
     * still held; else the claim runs out still recording it as catching up, and the next check finds its generation
     * live and records it done ({@link #begin}). Collections of the replaced generation left behind are dropped by the
     * next rebuild as leftovers.
     */
    private void doneAfterSwitch(Generation target, Instant startedAt) {
        Instant finishedAt = clock.instant();
        try {
            releaseClaim(new Update().set(STATE, State.SWITCHED.name()).set(FINISHED_AT, Date.from(finishedAt))
                    .set(REPLAYED, replayed.get()).set(TO_REPLAY, toReplay));
        } catch (RuntimeException unrecorded) {
            log.warn("Could not record that the rebuild of generation {} switched over; the next check does: {}",
                    target.number(), unrecorded.getClass().getSimpleName());
        } finally {
            claim = null;
            fed = null;
            status.set(new Status(State.SWITCHED, target.number(), startedAt, finishedAt, replayed.get(), toReplay,
                    1.0, null));
        }
    }

    private void replayUpTo(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end,
                            Generation target) {
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                // Before every event, not once a batch: however long a batch takes, the claim (and the time the live
                // consumer feeds the copy) is renewed a third into it, and a holder whose claim ran out or was taken
                // over writes not one event more.
                keepClaim(false);
                replay(record.value(), target);
                replayed.incrementAndGet();
            }
            keepClaim(false);
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
        checkpoint.applying(target);
        if (generations.firstSight(target, event.id())) {
            feed.apply(event, target);
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = new HashMap<>(kafkaSettings);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "progression-rebuild");
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
