package org.pathways.notification.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.pathways.events.PathwaysEvent;
import org.pathways.notification.config.DueWatch;
import org.pathways.notification.config.WebhookProperties;
import org.pathways.notification.subscription.Subscription;
import org.pathways.notification.subscription.SubscriptionStatus;
import org.pathways.notification.subscription.Subscriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Makes the attempts, off the consumer's thread: right away for a new or redelivered delivery; a retry within the
 * minute at its time, claimed by its id; and, for a delivery put off, once its time has come: a search of the store
 * is made at once when something waiting may go (a slot freed in a full bulkhead or in this instance's capacity, a
 * subscription resumed), and a short poll checks whether anything else this instance knows of is due
 * ({@link DueWatch}) and only then searches, plus a full search every {@code full-poll-interval} for what another
 * instance left behind. Each attempt starts with a lease on the delivery (see
 * {@link DeliveryLog}), so across instances each attempt is made once; an instance that dies mid-attempt leaves a
 * lease that runs out, and another instance tries again (at least once, never lost). Each endpoint's bulkhead and
 * circuit breaker ({@link EndpointGuards}) keep one slow or dead agency from holding up the others.
 */
@Component
class WebhookDispatcher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    static final String ATTEMPT_TIMER = "pathways.webhooks.attempt";
    static final String DEFERRED_COUNTER = "pathways.webhooks.deferred";

    private final DeliveryLog deliveries;
    private final Subscriptions subscriptions;
    private final WebhookSender sender;
    private final RetrySchedule schedule;
    private final Clock clock;
    private final Duration lease;
    private final MeterRegistry meters;
    private final Semaphore capacity;
    private final EndpointGuards guards;
    private final Duration pollInterval;
    /** When a search for due deliveries is worth making (see {@link DueWatch}). */
    private final DueWatch due;
    /** The last search stopped for want of room: a slot freed is worth another search. */
    private volatile boolean outOfRoom;
    private final ExecutorService workers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("webhook-", 0).factory());
    /**
     * Where a search is made as soon as something waiting may go (a slot freed in a full bulkhead or in this
     * instance's capacity, a subscription resumed), rather than at the next poll: one thread, at most one search
     * queued behind the one under way.
     */
    private final java.util.concurrent.ScheduledExecutorService searcher =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("webhook-search").factory());
    /** A retry due within this is claimed by its id at its time, not found by the poll after it. */
    private static final Duration SEARCH_AT_MOST_AHEAD = Duration.ofMinutes(1);
    private final AtomicBoolean searchQueued = new AtomicBoolean();
    private final AtomicBoolean polling = new AtomicBoolean();
    /** One search at a time, whether the poll or a wake-up started it. */
    private final ReentrantLock searching = new ReentrantLock();
    /**
     * By subscription: the deliveries this instance put off because the endpoint took nothing then (bulkhead full,
     * circuit open, subscription paused), in the order put off, to be claimed by id when it may take attempts again.
     * A search of the due deliveries reads every delivery kept in the embedded store: while an endpoint failed slowly,
     * each freed slot of its bulkhead started one (about one a second at 50 referrals a second, each reading thousands
     * of deliveries; docs/benchmarks.md). An id here may be stale (delivered meanwhile, taken by another instance):
     * its claim by id finds it so and the next is taken. Bounded per subscription; beyond it, and for what other
     * instances put off, the searches find them.
     */
    private final Map<String, Queue<String>> putOff = new ConcurrentHashMap<>();
    /**
     * Subscriptions with due deliveries not all in {@link #putOff} (more put off than {@link #PUT_OFF_KEPT}; paused,
     * whose retries falling due a search passes over): once its queue has gone after the endpoint became available
     * again, one search finds the rest (otherwise they waited for the minute's full search).
     */
    private final Set<String> searchOwed = ConcurrentHashMap.newKeySet();
    static final int PUT_OFF_KEPT = 10_000;
    /**
     * By subscription: deliveries this instance holds the lease on (opened held, or claimed) that found their
     * endpoint's bulkhead full, waiting in memory, in order, for one of its slots: the attempt that frees a slot starts
     * the next one at once, with no store round trip. A burst of events (a consumer's batch) used to give each of
     * them back to the store and claim it again by id, two or three round trips apiece, and put some off more than
     * once (1,027 put off for 500 handoffs at 50 a second; docs/benchmarks.md). Bounded per endpoint
     * ({@link #waitingKept}), so that a slow endpoint's line is attempted well within its leases; beyond it, and for
     * an endpoint whose circuit refuses, the delivery is given back as before. A delivery whose lease would run out
     * during its attempt is given back instead of attempted. Held only in memory: lost with the instance, each lease
     * runs out and a search finds the delivery (at least once).
     */
    private final Map<String, java.util.Deque<Waiting>> waitingForSlot = new ConcurrentHashMap<>();
    private final int waitingKept;
    /** A waiting delivery is attempted only while its lease has at least this much left: an attempt's longest. */
    private final Duration attemptAtMost;

    /**
     * A delivery held by this instance and its subscription as read when it was claimed or opened; {@code forgets}:
     * {@link EndpointGuards#forgets()} then. Should any subscription be paused, disabled or removed since (rare), the
     * subscription is read again before the attempt.
     */
    private record Waiting(Delivery delivery, Subscription subscription, long forgets) {

        Waiting(Claimed claimed) {
            this(claimed.delivery(), claimed.subscription(), claimed.forgetsBeforeRead());
        }
    }

    /**
     * What the subscriptions' guards had seen before a subscription was read: how many resumptions ({@link #putOff})
     * and how many pauses, disablings and removals ({@link Waiting}), so that a change after the read is not missed.
     */
    record Seen(long resumes, long forgets) {
    }

    /**
     * The waiting delivery as it may go now: as it was, unless some subscription was paused, disabled or removed since
     * it was read; then its own is read again, and a delivery of one that takes no attempts now is deferred or
     * cancelled (null).
     */
    private Waiting stillDeliverable(Waiting waiting) {
        if (guards.forgets() == waiting.forgets()) {
            return waiting;
        }
        Seen seen = seen();
        return deliverable(waiting.delivery(), subscriptions.find(waiting.delivery().subscriptionId()), seen)
                .map(Waiting::new).orElse(null);
    }

    WebhookDispatcher(DeliveryLog deliveries, Subscriptions subscriptions, WebhookSender sender,
                      RetrySchedule schedule, Clock clock, WebhookProperties properties,
                      ObjectProvider<MeterRegistry> meters, EndpointGuards guards) {
        this.deliveries = deliveries;
        this.subscriptions = subscriptions;
        this.sender = sender;
        this.schedule = schedule;
        this.clock = clock;
        this.lease = properties.lease();
        this.meters = meters.getIfAvailable(SimpleMeterRegistry::new);
        this.capacity = new Semaphore(properties.concurrency());
        this.guards = guards;
        this.pollInterval = properties.pollInterval();
        this.due = new DueWatch(clock, properties.fullPollInterval());
        this.waitingKept = 4 * properties.perEndpointConcurrency();
        this.attemptAtMost = properties.connectTimeout().plus(properties.readTimeout()).plusSeconds(5);
        // A slot of a full bulkhead freed, a circuit closed, a subscription resumed: its waiting deliveries go now.
        guards.whenAvailable(this::availableAgain);
        // Paused, disabled or removed: the deliveries waiting for a slot go back to the store (their claim by id reads
        // the subscription again).
        guards.whenForgotten(this::giveBackWaiting);
    }

    /**
     * Polls every {@code poll-interval} once the application is up, on the dispatcher's own search thread, where the
     * wake-up searches and the retries claimed by id run too: every search for due deliveries is made there, none
     * waits on another component's periodic task (a circuit's trial is started only by a search). A failed search is
     * logged and the next one made as usual.
     */
    @EventListener(ApplicationReadyEvent.class)
    void startPolling() {
        if (polling.compareAndSet(false, true)) {
            searcher.scheduleWithFixedDelay(() -> {
                try {
                    dispatchDue();
                } catch (RuntimeException e) {
                    log.warn("Searching for due webhook deliveries failed: {} (searched again in {})", e.toString(),
                            pollInterval);
                } catch (Error e) {
                    // Not rethrown: the executor would cancel every later poll, and with them every circuit's trial.
                    log.error("Searching for due webhook deliveries failed (searched again in {})", pollInterval, e);
                }
            }, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Attempts one delivery now if it is due and this instance has room; otherwise the poll will. */
    void dispatchSoon(String deliveryId) {
        dispatchSoon(deliveryId, () -> claimById(deliveryId));
    }

    /** Claims a delivery by id and reads its subscription: deliverable if the subscription is active. */
    private Optional<Claimed> claimById(String deliveryId) {
        Seen seen = seen();
        return deliveries.claim(deliveryId)
                .flatMap(delivery -> deliverable(delivery, subscriptions.find(delivery.subscriptionId()), seen));
    }

    /** What the guards have seen so far ({@link Seen}): read before a subscription's status. */
    Seen seen() {
        return new Seen(guards.resumes(), guards.forgets());
    }

    /**
     * Attempts a delivery the fan-out has just opened for {@code subscription}, now if this instance has room: handed
     * over as it was written, so that the attempt starts after one round trip (the lease's compare-and-set) rather
     * than a read of the delivery and of its subscription first. Otherwise the poll will.
     */
    void dispatchOpened(Delivery opened, Subscription subscription, Seen seenBeforeRead) {
        dispatchSoon(opened.id(), () -> deliveries.claimOpened(opened)
                .flatMap(delivery -> deliverable(delivery, Optional.of(subscription), seenBeforeRead)));
    }

    /** Searches for due deliveries right away, on the dispatcher's search thread (not at the next poll). */
    void searchSoon() {
        due.dueNow();
        if (searchQueued.compareAndSet(false, true)) {
            try {
                searcher.execute(() -> {
                    searchQueued.set(false);
                    dispatchDue();
                });
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                searchQueued.set(false);
            }
        }
    }

    /**
     * An endpoint may take attempts again: the deliveries this instance put off for it go first, each claimed by its
     * id in a slot of this instance (and the next put-off one when a claim finds its delivery gone); once none is left
     * that this instance knows of, a search finds any other (another instance's, or one put off before a restart).
     */
    void availableAgain(String subscriptionId) {
        // A held delivery waiting for a slot goes first: it costs no claim. While some wait, the attempts that free
        // the slots start them, and no search is needed.
        boolean lineWaiting = startNextWaiting(subscriptionId);
        Queue<String> waiting = putOff.get(subscriptionId);
        if (waiting == null || waiting.isEmpty()) {
            if (!lineWaiting) {
                searchOwed.remove(subscriptionId);
                searchSoon();
            } else {
                searchOwed.add(subscriptionId);     // made once the line has gone (attemptThenTheWaiting)
            }
            return;
        }
        if (!capacity.tryAcquire()) {
            outOfRoom = true;
            due.dueNow();
            return;
        }
        attemptInSlot(subscriptionId, () -> claimPutOff(waiting));
    }

    /**
     * After an attempt took a slot of its endpoint: the next delivery put off for it goes too while the endpoint has
     * room. A freed slot announces itself only when the bulkhead was full, and two attempts ending together free two
     * slots with one announcement; so each attempt that starts makes sure the one after it starts too, until the
     * endpoint is busy again (that one's claim then finds no room and puts its delivery off again, once).
     */
    private void moreWhileRoom(String subscriptionId) {
        Queue<String> waiting = putOff.get(subscriptionId);
        if (waiting != null && !waiting.isEmpty()) {
            if (mayGoNow(subscriptionId)) {
                availableAgain(subscriptionId);
            }
        } else if (searchOwed.contains(subscriptionId) && lineEmpty(subscriptionId) && mayGoNow(subscriptionId)
                && searchOwed.remove(subscriptionId)) {
            searchSoon();    // the put-off ones and the line have gone: now those a search passed over
        }
    }

    /** Whether no delivery waits in memory for a slot of this endpoint (then its owed search is made, not before). */
    private boolean lineEmpty(String subscriptionId) {
        java.util.Deque<Waiting> line = waitingForSlot.get(subscriptionId);
        return line == null || line.isEmpty();
    }

    private Optional<Claimed> claimPutOff(Queue<String> waiting) {
        // At most once round the queue: a delivery put off again (its subscription paused) goes to its end.
        String id;
        for (int left = waiting.size(); left > 0 && (id = waiting.poll()) != null; left--) {
            Optional<Claimed> claimed = claimById(id);
            if (claimed.isPresent()) {
                return claimed;
            }
        }
        searchSoon();
        return Optional.empty();
    }

    /**
     * Remembers a delivery put off while its endpoint took nothing, to claim it by id when the endpoint may; if the
     * endpoint became available meanwhile, that is now.
     */
    private void putOff(String subscriptionId, String deliveryId) {
        remember(subscriptionId, deliveryId);
        if (mayGoNow(subscriptionId)) {
            availableAgain(subscriptionId);   // it became available while this one was being put off
        }
    }

    /**
     * Remembers a delivery put off while its subscription was paused, to claim it by id when it is resumed; if it was
     * resumed since its status was read ({@code resumesBeforeRead}), perhaps before this one was remembered, that is
     * now (its claim reads the status again).
     */
    private void putOffPaused(String subscriptionId, String deliveryId, long resumesBeforeRead) {
        remember(subscriptionId, deliveryId);
        if (guards.resumes() != resumesBeforeRead) {
            availableAgain(subscriptionId);
        }
    }

    private void remember(String subscriptionId, String deliveryId) {
        Queue<String> waiting = putOff.computeIfAbsent(subscriptionId, id -> new ConcurrentLinkedQueue<>());
        // Not checked for an id already there (a linear search): a repeated id's second claim finds it taken.
        if (waiting.size() < PUT_OFF_KEPT) {
            waiting.add(deliveryId);
        } else {
            searchOwed.add(subscriptionId);
        }
    }

    /**
     * Whether the endpoint would take an attempt now. Not during its circuit's trial: a delivery put off then would be
     * claimed and put off again at once, round and round until the trial ends (whose end announces itself).
     */
    boolean mayGoNow(String subscriptionId) {
        return guards.takesAttemptsNow(subscriptionId);
    }

    /**
     * A delivery the fan-out has just opened, free (no lease), for an endpoint that takes nothing now (circuit open or
     * on trial, bulkhead full): put off at once, to go when the endpoint may take it, as a claimed one is deferred, but
     * without its claim and the write that gives it back (an agency's dead endpoint cost both for every event sent
     * to it, about one store write in sixty per referral on the devstack).
     */
    void putOffOpened(Delivery opened) {
        meters.counter(DEFERRED_COUNTER, "subscription", opened.subscriptionId()).increment();
        putOff(opened.subscriptionId(), opened.id());
    }

    /**
     * Attempts a delivery again when its retry is due: a retry within the minute is claimed by its id at that moment
     * (a read and a compare-and-set by {@code _id}), not found by a search of every delivery kept, which the embedded
     * store makes by reading them all, so that a failing endpoint's retries cost the same however many deliveries
     * are stored. Left alone then if its endpoint takes nothing (circuit open, bulkhead full): its deliveries go
     * with the search that the endpoint's becoming available starts. A later retry is found by the poll's search.
     */
    private void retryAt(Delivery delivery) {
        java.time.Instant at = delivery.nextAttemptAt();
        Duration wait = Duration.between(clock.instant(), at);
        if (wait.compareTo(SEARCH_AT_MOST_AHEAD) > 0) {
            due.dueAt(at);
            return;
        }
        String id = delivery.id();
        String subscriptionId = delivery.subscriptionId();
        try {
            searcher.schedule(() -> {
                if (mayGoNow(subscriptionId)) {
                    dispatchSoon(id);
                } else {
                    putOff(subscriptionId, id);
                }
            }, Math.max(0, wait.toMillis()) + 2, TimeUnit.MILLISECONDS);    // never before it is due
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // stopping: the next start's full search (or another instance's) finds it
        }
    }

    /**
     * Takes up to {@code wanted} of this instance's attempt slots for deliveries about to be opened held by it
     * ({@link DeliveryLog#openAll}); each is used by {@link #dispatchHeld} or given back by {@link #unreserve}.
     */
    int reserve(int wanted) {
        int taken = 0;
        while (taken < wanted && capacity.tryAcquire()) {
            taken++;
        }
        return taken;
    }

    /** Gives back slots {@link #reserve} took and no delivery used. */
    void unreserve(int slots) {
        if (slots > 0) {
            capacity.release(slots);
            if (outOfRoom) {
                outOfRoom = false;
                searchSoon();
            }
        }
    }

    /**
     * Attempts a delivery the fan-out has just opened held by this instance, in a slot reserved for it: no claim, the
     * lease was written with it. Were the attempt not made (this instance stopping), its lease runs out and a search
     * finds it. {@code seenBeforeRead}: {@link #seen()} read before the subscription was.
     */
    void dispatchHeld(Delivery opened, Subscription subscription, Seen seenBeforeRead) {
        attemptInSlot(opened.id(), () -> deliverable(opened, Optional.of(subscription), seenBeforeRead));
    }

    private void dispatchSoon(String deliveryId, Supplier<Optional<Claimed>> claim) {
        if (!capacity.tryAcquire()) {
            // No room now: a search follows as soon as an attempt under way frees a slot.
            outOfRoom = true;
            due.dueNow();
        } else {
            attemptInSlot(deliveryId, claim);
        }
    }

    /** Claims and attempts a delivery on its own virtual thread, in a slot already taken, which it frees at the end. */
    private void attemptInSlot(String deliveryId, Supplier<Optional<Claimed>> claim) {
        try {
            workers.execute(() -> {
                try {
                    claim.get().ifPresent(claimed ->
                            attemptThenTheWaiting(new Waiting(claimed)));
                } catch (RuntimeException e) {
                    log.warn("Could not attempt delivery {} now: {} (the poll will retry)", deliveryId, e.toString());
                    due.dueAt(clock.instant().plus(pollInterval));
                } finally {
                    releaseSlot();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            capacity.release();
        }
    }

    /**
     * In a slot of this instance: attempts a delivery this instance holds, or, if its endpoint's bulkhead is full,
     * lets it wait for a slot ({@link #waitingForSlot}); then, while the endpoint has room, the deliveries waiting for
     * it, in order, in the same slot.
     */
    private void attemptThenTheWaiting(Waiting first) {
        attemptThenTheWaiting(first, null, false);
    }

    /**
     * The same, with the endpoint's pass for the first delivery already taken ({@code firstPass}), if not null;
     * {@code firstFromTheLine}: the first delivery was taken from the endpoint's line (if it must wait again, it goes
     * back to its head).
     */
    private void attemptThenTheWaiting(Waiting first, EndpointGuards.Pass firstPass, boolean firstFromTheLine) {
        String subscriptionId = first.delivery().subscriptionId();
        Waiting next = first;
        boolean fromTheLine = firstFromTheLine;
        EndpointGuards.Pass entered = firstPass;
        while (next != null) {
            // Read again first if its subscription may have been paused or disabled since: before its guards are
            // entered, which would make them again for a subscription that takes no attempts.
            EndpointGuards.Pass pass = entered;
            entered = null;
            Waiting going;
            try {
                going = stillDeliverable(next);
            } catch (RuntimeException e) {
                if (pass != null) {
                    pass.close();
                }
                throw e;
            }
            if (going == null) {
                if (pass != null) {
                    pass.close();
                }
                next = nextWaiting(subscriptionId);
                fromTheLine = true;
                continue;
            }
            next = going;
            if (pass == null) {
                pass = guards.tryEnter(subscriptionId);
            }
            if (pass == null) {
                if (!waitForSlot(next, fromTheLine)) {
                    defer(next.delivery());
                    giveBackIfCircuitRefuses(subscriptionId);
                    return;
                }
                // The attempt that freed a slot since may have looked for one waiting before this one was there.
                if (!guards.takesAttemptsNow(subscriptionId)) {
                    giveBackIfCircuitRefuses(subscriptionId);
                    return;
                }
            } else {
                try (EndpointGuards.Pass held = pass) {
                    moreWhileRoom(subscriptionId);
                    attempt(next.delivery(), next.subscription(), held);
                }
            }
            next = nextWaiting(subscriptionId);
            fromTheLine = true;
        }
        // The line has gone: a slot freed while it waited started no search (availableAgain), which may be owed for a
        // due delivery remembered nowhere here (a retry that fell due while the endpoint was busy).
        if (searchOwed.contains(subscriptionId) && lineEmpty(subscriptionId) && mayGoNow(subscriptionId)
                && searchOwed.remove(subscriptionId)) {
            searchSoon();
        }
    }

    /**
     * The endpoint's circuit opened (or its trial is under way): every delivery waiting for its slots goes back to the
     * store now, to go when the circuit's trial or its closing announces itself, rather than holding its lease in a
     * line no attempt will drain.
     */
    private void giveBackIfCircuitRefuses(String subscriptionId) {
        if (guards.circuitRefuses(subscriptionId)) {
            giveBackWaiting(subscriptionId);
            if (mayGoNow(subscriptionId)) {
                availableAgain(subscriptionId);     // the circuit closed while they were given back: they go now
            }
        }
    }

    /**
     * Lets a held delivery whose endpoint's bulkhead is full wait in memory for a slot; false (to be given back) if
     * the endpoint's circuit refuses attempts or its line is full.
     */
    private boolean waitForSlot(Waiting waiting, boolean fromTheLine) {
        String subscriptionId = waiting.delivery().subscriptionId();
        if (guards.circuitRefuses(subscriptionId)) {
            return false;
        }
        boolean[] joined = {false};
        // In one step with the line's removal (giveBackWaiting): never into a line already given back, nor into a new
        // one once the subscription's guards were forgotten (paused, disabled, removed; they are forgotten first).
        waitingForSlot.compute(subscriptionId, (id, line) -> {
            if (!guards.guards(id)) {
                return line;
            }
            java.util.Deque<Waiting> joining = line != null ? line : new java.util.concurrent.ConcurrentLinkedDeque<>();
            if (fromTheLine) {
                joining.addFirst(waiting);      // it had waited already: it keeps its place
                joined[0] = true;
            } else if (joining.size() < waitingKept) {
                joining.addLast(waiting);
                joined[0] = true;
            }
            return joining;
        });
        return joined[0];
    }

    /** The next delivery waiting for a slot of this endpoint; one whose lease is too near its end is given back. */
    private Waiting nextWaiting(String subscriptionId) {
        java.util.Deque<Waiting> line = waitingForSlot.get(subscriptionId);
        if (line == null) {
            return null;
        }
        Waiting next;
        while ((next = line.pollFirst()) != null) {
            java.time.Instant leaseUntil = next.delivery().leaseUntil();
            if (leaseUntil != null && leaseUntil.isAfter(clock.instant().plus(attemptAtMost))) {
                return next;
            }
            defer(next.delivery());
        }
        return null;
    }

    /**
     * Whether a delivery opened now for this subscription may be opened held and attempted (or wait for a slot) in
     * this instance: its circuit takes attempts and its endpoint has room, or a place in its line.
     */
    boolean takesHeldNow(String subscriptionId) {
        if (mayGoNow(subscriptionId)) {
            return true;
        }
        java.util.Deque<Waiting> line = waitingForSlot.get(subscriptionId);
        return !guards.circuitRefuses(subscriptionId) && (line == null || line.size() < waitingKept);
    }

    /**
     * A slot of the endpoint's full bulkhead freed (an attempt gave it back as soon as the endpoint answered, before
     * its outcome is written): the next delivery waiting for that endpoint starts now, in another slot of this
     * instance if there is one free; otherwise the attempts under way take it up when they end.
     *
     * @return whether any delivery was waiting for the endpoint
     */
    private boolean startNextWaiting(String subscriptionId) {
        java.util.Deque<Waiting> line = waitingForSlot.get(subscriptionId);
        if (line == null || line.isEmpty()) {
            return false;
        }
        if (!capacity.tryAcquire()) {
            return true;
        }
        Waiting next = nextWaiting(subscriptionId);
        if (next == null) {
            releaseSlot();
            return true;
        }
        try {
            workers.execute(() -> {
                try {
                    attemptThenTheWaiting(next, null, true);
                } catch (RuntimeException e) {
                    log.warn("Could not attempt delivery {} now: {} (its lease runs out and it is tried again)",
                            next.delivery().id(), e.toString());
                    due.dueAt(clock.instant().plus(lease));
                } finally {
                    releaseSlot();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            capacity.release();
            line.addFirst(next);    // stopping: its lease runs out, and a search finds it
        }
        return true;
    }

    /** Gives back the deliveries waiting for a slot of a subscription that takes no attempts now. */
    private void giveBackWaiting(String subscriptionId) {
        java.util.Deque<Waiting> line = waitingForSlot.remove(subscriptionId);
        if (line != null) {
            Waiting next;
            while ((next = line.pollFirst()) != null) {
                // Remembered, not claimed again now: what stopped the endpoint (a pause, the circuit) announces when it
                // may take them (a resumption, the trial), and a gone subscription's are cancelled by the next search.
                if (givenBack(next.delivery())) {
                    remember(subscriptionId, next.delivery().id());
                }
            }
        }
    }

    /** Frees a slot of this instance; a search follows if the last one stopped for want of room. */
    private void releaseSlot() {
        capacity.release();
        if (outOfRoom) {
            outOfRoom = false;
            searchSoon();
        }
    }

    /**
     * Claims due deliveries while there is room, and attempts each on its own virtual thread. Endpoints whose bulkhead
     * is full or whose circuit is open, and paused subscriptions, are left alone: their deliveries wait without
     * holding a slot, so the others go ahead.
     */
    void dispatchDue() {
        searching.lock();
        try {
            searchDue();
        } finally {
            searching.unlock();
        }
    }

    private void searchDue() {
        if (!due.searchNow()) {
            return;
        }
        Set<String> leaveAlone;
        Set<String> paused;
        EndpointGuards.Unavailable unavailable = guards.unavailable();
        // An open circuit's deliveries wait for its trial, announced here as of the same instant as the list (so
        // none falls due unannounced in between); a full bulkhead's for a free slot (whenAvailable).
        unavailable.nextTrialIn().ifPresent(wait -> due.dueAt(clock.instant().plus(wait)));
        try {
            leaveAlone = new HashSet<>(unavailable.subscriptionIds());
            paused = subscriptions.pausedIds();
            leaveAlone.addAll(paused);
        } catch (RuntimeException e) {
            log.warn("Could not look for paused subscriptions: {}", e.toString());
            due.dueAt(clock.instant().plus(pollInterval));
            return;
        }
        // A paused subscription's retries falling due are passed over without being put off: a search once its
        // put-off deliveries have gone after it was resumed. (An open circuit's are found by its trial's search.)
        searchOwed.addAll(paused);
        outOfRoom = false;
        while (true) {
            if (!capacity.tryAcquire()) {
                // Said before trying again: a slot freed between the two sees it and searches again.
                outOfRoom = true;
                if (!capacity.tryAcquire()) {
                    return;
                }
                outOfRoom = false;
            }
            Optional<Delivery> claimed;
            try {
                claimed = deliveries.claimDue(leaveAlone, this::remember);
            } catch (RuntimeException e) {
                capacity.release();
                log.warn("Could not look for due deliveries: {}", e.toString());
                due.dueAt(clock.instant().plus(pollInterval));
                return;
            }
            if (claimed.isEmpty()) {
                capacity.release();
                return;
            }
            Delivery delivery = claimed.get();
            Optional<Claimed> subscription;
            try {
                subscription = deliverable(delivery);
            } catch (RuntimeException e) {
                capacity.release();
                log.warn("Could not look up the subscription of delivery {}: {}", delivery.id(), e.toString());
                due.dueAt(clock.instant().plus(lease));
                return;
            }
            if (subscription.isEmpty()) {
                capacity.release();
                continue;
            }
            // Entered here, not on the attempt's thread, so that a search does not claim more of one endpoint's
            // deliveries than it has room for.
            EndpointGuards.Pass pass = guards.tryEnter(delivery.subscriptionId());
            if (pass == null) {
                // Full or open since the list was made (or half-open with its trial under way): the rest of its due
                // deliveries this search found are put off with it (claimDue's passedOver); this one waits for a
                // slot, or is given back.
                leaveAlone.add(delivery.subscriptionId());
            }
            Waiting claimedNow = new Waiting(subscription.get());
            try {
                workers.execute(() -> {
                    try {
                        attemptThenTheWaiting(claimedNow, pass, false);
                    } finally {
                        releaseSlot();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                if (pass != null) {
                    pass.close();
                }
                capacity.release();
                return;
            }
        }
    }

    /** Gives a claimed delivery back for later without an attempt: its endpoint takes nothing now. */
    private void defer(Delivery delivery) {
        if (givenBack(delivery)) {
            putOff(delivery.subscriptionId(), delivery.id());
        }
    }

    /** Gives a claimed delivery back for later without an attempt: its subscription is paused. */
    private void deferPaused(Delivery delivery, long resumesBeforeRead) {
        if (givenBack(delivery)) {
            putOffPaused(delivery.subscriptionId(), delivery.id(), resumesBeforeRead);
        }
    }

    private boolean givenBack(Delivery delivery) {
        try {
            // Due again at once, but searches leave its endpoint alone while the bulkhead is full, the circuit open or
            // the subscription paused; what put it off announces when it may go (a free slot, the circuit's trial,
            // the subscription resumed), so an endpoint that takes nothing costs no searches.
            delivery.defer(clock.instant());
            deliveries.save(delivery, List.of());
            meters.counter(DEFERRED_COUNTER, "subscription", delivery.subscriptionId()).increment();
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not defer delivery {}: {} (its lease runs out instead)", delivery.id(), e.toString());
            due.dueAt(clock.instant().plus(lease));
            return false;
        }
    }

    /**
     * The delivery's subscription if it is active. A delivery to a removed or disabled subscription is cancelled, one
     * to a paused subscription deferred; either way before its guards are looked up, so that a subscription that takes
     * no attempts gets no breaker or bulkhead (they were forgotten when it was paused, disabled or removed).
     */
    private Optional<Claimed> deliverable(Delivery delivery) {
        Seen seen = seen();
        return deliverable(delivery, subscriptions.find(delivery.subscriptionId()), seen);
    }

    /** A claimed delivery with its subscription, and {@link EndpointGuards#forgets()} before it was read. */
    private record Claimed(Delivery delivery, Subscription subscription, long forgetsBeforeRead) {
    }

    /**
     * @param seenBeforeRead {@link #seen()} read before the subscription was: a resumption after it, which the status
     *                       read may have missed, sends a delivery put off as paused at once; a pause or disabling
     *                       after it has the subscription read again before the attempt
     */
    private Optional<Claimed> deliverable(Delivery delivery, Optional<Subscription> subscription,
                                          Seen seenBeforeRead) {
        if (subscription.isEmpty() || subscription.get().status() == SubscriptionStatus.DISABLED) {
            try {
                delivery.cancel();
                deliveries.save(delivery, List.of());
                log.info("Cancelled delivery {}: subscription {} is gone or disabled", delivery.id(),
                        delivery.subscriptionId());
            } catch (RuntimeException e) {
                log.warn("Could not cancel delivery {}: {} (its lease runs out instead)", delivery.id(), e.toString());
            }
            return Optional.empty();
        }
        if (subscription.get().status() == SubscriptionStatus.PAUSED) {
            deferPaused(delivery, seenBeforeRead.resumes());
            return Optional.empty();
        }
        return subscription.map(active -> new Claimed(delivery, active, seenBeforeRead.forgets()));
    }

    private void attempt(Delivery delivery, Subscription subscription, EndpointGuards.Pass pass) {
        try {
            AttemptOutcome outcome = sender.send(delivery, subscription);
            pass.record(outcome);
            if (!outcome.gone()) {
                try {
                    // The endpoint's slot, given back as soon as it has answered: a full bulkhead announces the freed
                    // slot, which starts the next delivery waiting for it while this one's outcome is written. (A gone
                    // endpoint's slot is given back only once its subscription is disabled, below.)
                    pass.close();
                } catch (RuntimeException e) {
                    log.warn("Could not hand on the slot of subscription {}: {}", delivery.subscriptionId(),
                            e.toString());
                }
            }
            guards.nextTrialIn().ifPresent(wait -> due.dueAt(clock.instant().plus(wait)));
            List<PathwaysEvent> events = delivery.record(outcome, schedule, clock.instant(),
                    ThreadLocalRandom.current());
            meters.counter("pathways.webhooks.attempts", "outcome", outcomeTag(outcome, delivery)).increment();
            Timer.builder(ATTEMPT_TIMER)
                    .description("Webhook attempts per endpoint: latency, by subscription and answer")
                    .tag("subscription", delivery.subscriptionId())
                    .tag("status", statusTag(outcome))
                    .register(meters)
                    .record(Duration.ofMillis(outcome.latencyMs()));
            if (outcome.gone()) {
                // Nothing more goes to a gone endpoint: disabled at once, before its outcome is written, so that what
                // runs meanwhile (another attempt's freed slot, a delivery waiting for one) reads it disabled and
                // cancels its delivery; disabling forgets its guards and meters (so after them) and gives its line
                // back.
                subscriptions.disable(delivery.subscriptionId());
            }
            deliveries.save(delivery, events);
            if (delivery.status() == DeliveryStatus.PENDING && delivery.nextAttemptAt() != null) {
                retryAt(delivery);
            }
            // A delivered attempt is per-event detail; anything else is what an operator looks for.
            log.atLevel(outcome.acknowledged() ? Level.DEBUG : Level.INFO).log(
                    "Delivery {} of event {} to subscription {}: attempt {} answered {} in {} ms, now {}",
                    delivery.id(), delivery.eventId(), delivery.subscriptionId(), delivery.round(),
                    outcome.statusCode() != null ? outcome.statusCode() : outcome.error(), outcome.latencyMs(),
                    delivery.status());
        } catch (OptimisticLockingFailureException e) {
            log.warn("Delivery {} was taken over by another instance while this one attempted it", delivery.id());
        } catch (RuntimeException e) {
            log.warn("Attempt of delivery {} failed: {} (it is retried when its lease runs out)", delivery.id(),
                    e.toString());
            due.dueAt(clock.instant().plus(lease));
        }
    }

    /** The status code, or the kind of error without its detail (bounded tag values). */
    static String statusTag(AttemptOutcome outcome) {
        if (outcome.statusCode() != null) {
            return Integer.toString(outcome.statusCode());
        }
        String error = outcome.error() == null ? "error" : outcome.error();
        int colon = error.indexOf(':');
        return colon < 0 ? error : error.substring(0, colon);
    }

    private static String outcomeTag(AttemptOutcome outcome, Delivery delivery) {
        return outcome.acknowledged() ? "delivered" : outcome.gone() ? "gone"
                : delivery.status() == DeliveryStatus.PARKED ? "parked" : "failed";
    }

    @Override
    public void destroy() throws InterruptedException {
        searcher.shutdown();
        workers.shutdown();
        workers.awaitTermination(5, TimeUnit.SECONDS);
    }
}
