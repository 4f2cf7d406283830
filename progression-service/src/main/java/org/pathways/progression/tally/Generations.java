package org.pathways.progression.tally;

import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Which generation of the projections is live (read by every report, written by the live consumer), and which one a
 * rebuild is filling while it catches up (written by the live consumer too, from then on, for as long as the rebuild's
 * holder keeps renewing its lease: {@value #CATCHING_UP_UNTIL}, so that a copy whose holder was killed stops being
 * written once its lease has run out, whoever takes the rebuild over and whenever). Kept in one document
 * ({@value #COLLECTION}) so that every instance agrees; each instance re-reads it every few seconds. The document also
 * says how the live generation's figures were derived ({@value #DERIVED}: the {@link #DERIVATION} of the code that
 * built them), written when a rebuild switches over, or when a generation with no figure yet is taken as derived by
 * this code ({@link #derivedByThisVersion}).
 */
@Component
public class Generations {

    private static final Logger log = LoggerFactory.getLogger(Generations.class);
    static final String COLLECTION = "projection-generations";
    private static final String STATE = "state";
    /** Per generation being rebuilt: the ids of the events applied to it ({@link #firstSight}). */
    public static final String SEEN = "seen-events";
    /** Until when the generation being caught up is fed: its rebuild's lease, renewed with it. */
    static final String CATCHING_UP_UNTIL = "catchingUpUntil";
    static final String DERIVED = "derivation";
    /**
     * How this code derives figures from facts. A change that alters what the buckets hold (a new family, a field
     * moved from one family to another) bumps it: a store whose live generation was derived by a lower number is
     * rebuilt at start ({@code ProjectionRebuild.rebuildIfDue}). A generation with no number
     * recorded is 0.
     * <ol>
     *   <li>The referrals' durations as running sums over days ({@code durations}), 2026-12-03 (noted then as
     *       {@code figures-derived-with-duration-sums} in {@code progression-migrations}, no longer read).</li>
     *   <li>The learners' time to a first plan step ({@code learner-support-times}) and the webhooks' time to
     *       deliver ({@code delivery-times}) as running sums over days too.</li>
     * </ol>
     */
    public static final int DERIVATION = 2;

    private final MongoTemplate mongo;
    private final FactStore facts;
    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>();

    /** {@code fedUntil} null: none recorded (a rebuild begun by an older version of this code), fed until it ends. */
    private record State(Generation active, Generation catchingUp, Instant fedUntil, int derivation) {
    }

    Generations(MongoTemplate mongo, FactStore facts, Clock clock) {
        this.mongo = mongo;
        this.facts = facts;
        this.clock = clock;
    }

    public Generation active() {
        return current().active();
    }

    /**
     * The generation a rebuild is catching up, which the live consumer feeds as well; empty once the rebuild's lease
     * has run out unrenewed (its holder died or stalled): that copy is abandoned, whoever takes the rebuild over.
     */
    public Optional<Generation> catchingUp() {
        State now = current();
        if (now.catchingUp() == null || now.fedUntil() != null && !clock.instant().isBefore(now.fedUntil())) {
            return Optional.empty();
        }
        return Optional.of(now.catchingUp());
    }

    /**
     * The generation recorded as being caught up, as stored now, whether or not it is still fed: for the rebuild that
     * takes over from a holder that stopped, to abandon it.
     */
    public Optional<Generation> recordedCatchingUp() {
        return Optional.ofNullable(refresh().catchingUp());
    }

    private State current() {
        State known = state.get();
        return known != null ? known : refresh();
    }

    @Scheduled(fixedDelayString = "PT2S")
    void poll() {
        refresh();
    }

    private State refresh() {
        Document stored = mongo.findById(STATE, Document.class, COLLECTION);
        State now = stored == null ? new State(new Generation(0), null, null, 0)
                : new State(new Generation(((Number) stored.get("active")).longValue()),
                        stored.get("catchingUp") instanceof Number n ? new Generation(n.longValue()) : null,
                        stored.get(CATCHING_UP_UNTIL) instanceof Date until ? until.toInstant() : null,
                        stored.get(DERIVED) instanceof Number d ? d.intValue() : 0);
        State before = state.getAndSet(now);
        if (before != null) {
            // A generation no longer fed (switched away from, or a rebuild another instance abandoned) may be dropped
            // and made again under the same number: its guard indexes are declared again then.
            for (Generation left : java.util.Arrays.asList(before.active(), before.catchingUp())) {
                if (left != null && !left.equals(now.active()) && !left.equals(now.catchingUp())) {
                    facts.unguard(left);
                }
            }
        }
        return now;
    }

    /**
     * The {@link #DERIVATION} of the code that derived the live generation's figures, as stored now (read again, not
     * as last polled: a rebuild may have switched over a moment ago).
     */
    public int derivation() {
        return refresh().derivation();
    }

    /**
     * Records that the live generation's figures are derived as this code derives them, while it is still
     * {@code active}: for a generation with no figure yet, whose every figure will be.
     */
    public void derivedByThisVersion(Generation active) {
        try {
            mongo.upsert(Query.query(Criteria.where("_id").is(STATE).and("active").is(active.number())),
                    new Update().set(DERIVED, DERIVATION), COLLECTION);
        } catch (DuplicateKeyException switchedMeanwhile) {
            // Another generation is live now: the one who switched to it recorded how it was derived.
        }
        refresh();
    }

    /**
     * From now on the live consumer also feeds {@code generation} (de-duplicated: see {@link #firstSight}), until
     * {@code until} (the rebuild's lease) unless {@link #feedUntil extended}.
     */
    public void startCatchingUp(Generation generation, Instant until) {
        mongo.upsert(Query.query(Criteria.where("_id").is(STATE)), new Update()
                .setOnInsert("active", active().number()).set("catchingUp", generation.number())
                .set(CATCHING_UP_UNTIL, Date.from(until)), COLLECTION);
        refresh();
    }

    /** Feeds {@code generation}, if it is still the one being caught up, until {@code until} (a renewed lease). */
    public void feedUntil(Generation generation, Instant until) {
        mongo.updateFirst(Query.query(Criteria.where("_id").is(STATE).and("catchingUp").is(generation.number())),
                new Update().set(CATCHING_UP_UNTIL, Date.from(until)), COLLECTION);
        refresh();
    }

    /**
     * Makes {@code generation} the live one, derived as this code derives figures ({@link #DERIVATION}); the one it
     * replaces, which the caller drops ({@link #drop}) once it has noted that the switch is made: from here on a
     * failure must leave {@code generation} alone.
     */
    public Generation switchTo(Generation generation) {
        Generation previous = active();
        mongo.upsert(Query.query(Criteria.where("_id").is(STATE)), new Update().set("active", generation.number())
                .unset("catchingUp").unset(CATCHING_UP_UNTIL).set("switchedAt", new Date()).set(DERIVED, DERIVATION),
                COLLECTION);
        refresh();
        log.info("Projections switched to generation {}", generation.number());
        return previous;
    }

    /**
     * Stops feeding a generation a rebuild gave up on, and drops it; refused (false, nothing dropped) when it is the
     * live one as stored now: a rebuild that failed after its switch over had landed (an acknowledgement lost, say)
     * leaves the live figures as they are.
     */
    public boolean abandon(Generation generation) {
        mongo.updateFirst(Query.query(Criteria.where("_id").is(STATE).and("catchingUp").is(generation.number())),
                new Update().unset("catchingUp").unset(CATCHING_UP_UNTIL), COLLECTION);
        if (refresh().active().equals(generation)) {
            log.warn("Not abandoning generation {}: it is the live one", generation.number());
            return false;
        }
        drop(generation);
        return true;
    }

    public void drop(Generation generation) {
        facts.unguard(generation);
        for (String collection : mongo.getCollectionNames()) {
            if (generation.owns(collection)) {
                mongo.dropCollection(collection);
            }
        }
    }

    /**
     * Whether this is the first time {@code eventId} reaches {@code generation}: a generation being rebuilt is fed by
     * the replay and the live consumer alike, so each event is applied to it once.
     */
    public boolean firstSight(Generation generation, String eventId) {
        try {
            mongo.insert(new Document("_id", eventId), generation.collection(SEEN));
            return true;
        } catch (DuplicateKeyException seen) {
            return false;
        }
    }

    /** Drops the rebuild's de-duplication record once the generation is live (the shared inbox takes over). */
    public void forgetSightings(Generation generation) {
        mongo.dropCollection(generation.collection(SEEN));
    }
}
