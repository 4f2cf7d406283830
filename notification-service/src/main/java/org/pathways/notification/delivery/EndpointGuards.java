package org.pathways.notification.delivery;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.pathways.notification.config.WebhookProperties;
import org.pathways.notification.subscription.EndpointHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * A Resilience4j circuit breaker and bulkhead per endpoint (per subscription), so that one slow or dead agency never
 * delays the others. The bulkhead caps how many attempts this instance makes to one endpoint at once; the breaker
 * stops attempts to an endpoint that keeps failing, and after a while lets one trial attempt through to see whether
 * it is back. Both are per instance: several instances each guard their own share of the traffic.
 */
@Component
public class EndpointGuards implements EndpointHealth {

    private static final Logger log = LoggerFactory.getLogger(EndpointGuards.class);

    private final CircuitBreakerRegistry breakers;
    private final BulkheadRegistry bulkheads;
    private final Duration openFor;
    /** When each breaker last opened (System.nanoTime), to tell when its trial is due. */
    private final Map<String, Long> openedAt = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    /**
     * Told which subscription's endpoint may take attempts again: its full bulkhead has a free slot, its circuit
     * closed, it was resumed.
     */
    private volatile Consumer<String> whenAvailable = subscriptionId -> { };
    private volatile Consumer<String> whenForgotten = subscriptionId -> { };
    /** How many subscriptions were resumed so far (see {@link #resumes}). */
    private final java.util.concurrent.atomic.AtomicLong resumes = new java.util.concurrent.atomic.AtomicLong();
    /** How many times guards were forgotten so far (see {@link #forgets}). */
    private final java.util.concurrent.atomic.AtomicLong forgets = new java.util.concurrent.atomic.AtomicLong();

    EndpointGuards(WebhookProperties properties, ObjectProvider<MeterRegistry> meters) {
        WebhookProperties.Breaker breaker = properties.breaker();
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breaker.window())
                .minimumNumberOfCalls(Math.min(breaker.minimumCalls(), breaker.window()))
                .failureRateThreshold(breaker.failureRate())
                .waitDurationInOpenState(breaker.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                // No automatic transition (it needs a scheduler thread): once open-for has passed, the next
                // permission asked for turns the breaker half-open and is the trial.
                .build());
        this.openFor = breaker.openFor();
        this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(properties.perEndpointConcurrency())
                .maxWaitDuration(Duration.ZERO)
                .build());
        breakers.getEventPublisher().onEntryAdded(added -> added.getAddedEntry().getEventPublisher()
                .onStateTransition(e -> {
                    if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                        openedAt.put(e.getCircuitBreakerName(), System.nanoTime());
                    } else if (e.getStateTransition().getToState() == CircuitBreaker.State.CLOSED) {
                        // The endpoint is back: the deliveries put off while its circuit was open may go now.
                        whenAvailable.accept(e.getCircuitBreakerName());
                    }
                    log.info("Circuit of subscription {}: {}", e.getCircuitBreakerName(), e.getStateTransition());
                }));
        // resilience4j_circuitbreaker_state / _calls and resilience4j_bulkhead_available_concurrent_calls, tagged
        // name=<subscription id>: per-endpoint health next to pathways.webhooks.attempt.
        // Removing a breaker or bulkhead from its registry removes its meters too.
        this.meters = meters.getIfAvailable();
        if (this.meters != null) {
            TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(this.meters);
            TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(this.meters);
        }
    }

    /** A permission to make one attempt to an endpoint; close it when the attempt is over. */
    final class Pass implements AutoCloseable {
        private final CircuitBreaker breaker;
        private final Bulkhead bulkhead;
        private boolean recorded;
        private boolean closed;

        private Pass(CircuitBreaker breaker, Bulkhead bulkhead) {
            this.breaker = breaker;
            this.bulkhead = bulkhead;
        }

        /** What the attempt came to: any answer but a 2xx (or a 410, which disables) counts as a failure. */
        void record(AttemptOutcome outcome) {
            recorded = true;
            if (outcome.acknowledged() || outcome.gone()) {
                breaker.onSuccess(outcome.latencyMs(), TimeUnit.MILLISECONDS);
            } else {
                breaker.onError(outcome.latencyMs(), TimeUnit.MILLISECONDS, new EndpointFailure(outcome));
            }
        }

        /**
         * Gives the endpoint's slot back: as soon as the endpoint has answered, before the outcome is written, so that
         * the next attempt to it does not wait on this instance's store. Closing again does nothing.
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (!recorded) {
                breaker.releasePermission();
                if (breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
                    // The trial was not made: its end will not announce itself, so the permission handed back does.
                    whenAvailable.accept(breaker.getName());
                }
            }
            boolean wasFull = bulkhead.getMetrics().getAvailableConcurrentCalls() == 0;
            bulkhead.onComplete();
            if (wasFull) {
                whenAvailable.accept(bulkhead.getName());
            }
        }
    }

    /** A pass for one attempt to this subscription's endpoint, or null while its bulkhead is full or breaker open. */
    Pass tryEnter(String subscriptionId) {
        Bulkhead bulkhead = bulkheads.bulkhead(subscriptionId);
        if (!bulkhead.tryAcquirePermission()) {
            return null;
        }
        CircuitBreaker breaker = breaker(subscriptionId);
        if (!breaker.tryAcquirePermission()) {
            bulkhead.onComplete();
            return null;
        }
        return new Pass(breaker, bulkhead);
    }

    /**
     * The subscriptions this instance should not claim deliveries for right now (bulkhead full, or breaker open and
     * its trial not yet due), and how long until the first of those trials is due: both as of one instant, so that
     * every circuit left alone for its trial has that trial announced (asked a moment apart, a trial falling due in
     * between was neither searched for nor announced, and its deliveries waited for the minute's full search).
     */
    record Unavailable(Set<String> subscriptionIds, Optional<Duration> nextTrialIn) {
    }

    Unavailable unavailable() {
        Set<String> busy = new HashSet<>();
        long now = System.nanoTime();
        breakers.getAllCircuitBreakers().forEach(b -> {
            if (refusesUntilItsTrial(b, now)) {
                busy.add(b.getName());
            }
        });
        bulkheads.getAllBulkheads().forEach(b -> {
            if (full(b)) {
                busy.add(b.getName());
            }
        });
        return new Unavailable(busy, nextTrialIn(now));
    }

    /**
     * Whether this subscription's endpoint would take an attempt now: neither its bulkhead full, nor its circuit open
     * with its trial not yet due, nor half-open (its trial under way). What {@link #unavailable} and {@link #onTrial}
     * say of all subscriptions, for one, by the same rules.
     */
    boolean takesAttemptsNow(String subscriptionId) {
        long now = System.nanoTime();
        return breakers.find(subscriptionId)
                        .map(b -> !refusesUntilItsTrial(b, now) && b.getState() != CircuitBreaker.State.HALF_OPEN)
                        .orElse(true)
                && bulkheads.find(subscriptionId).map(b -> !full(b)).orElse(true);
    }

    /** Forced open, or open with its trial not yet due. */
    private boolean refusesUntilItsTrial(CircuitBreaker breaker, long now) {
        CircuitBreaker.State state = breaker.getState();
        return state == CircuitBreaker.State.FORCED_OPEN || state == CircuitBreaker.State.OPEN
                && now - openedAt.getOrDefault(breaker.getName(), now) < openFor.toNanos();
    }

    private static boolean full(Bulkhead bulkhead) {
        return bulkhead.getMetrics().getAvailableConcurrentCalls() == 0;
    }

    /**
     * Whether the subscription's circuit is half-open: its one trial attempt is under way (or was given back), and it
     * refuses others until the trial ends and closes or opens it, which it announces.
     */
    boolean onTrial(String subscriptionId) {
        return breakers.find(subscriptionId).map(b -> b.getState() == CircuitBreaker.State.HALF_OPEN).orElse(false);
    }

    /**
     * How long until the next open circuit's trial attempt becomes due, if one is still to come (a circuit whose time
     * has come stays open until a delivery asks for the trial).
     */
    Optional<Duration> nextTrialIn() {
        return nextTrialIn(System.nanoTime());
    }

    private Optional<Duration> nextTrialIn(long now) {
        return breakers.getAllCircuitBreakers().stream()
                .filter(b -> b.getState() == CircuitBreaker.State.OPEN)
                .map(b -> Duration.ofNanos(openFor.toNanos() - (now - openedAt.getOrDefault(b.getName(), now))))
                .filter(Duration::isPositive)
                .min(Duration::compareTo);
    }

    void whenAvailable(Consumer<String> action) {
        this.whenAvailable = action;
    }

    /** Told of each subscription whose guards are forgotten (paused, disabled, removed): it takes no attempts now. */
    void whenForgotten(Consumer<String> action) {
        this.whenForgotten = action;
    }

    /**
     * Whether the subscription's circuit refuses attempts now (open, forced open, or half-open with its trial under
     * way), whatever its bulkhead: an attempt refused only for a full bulkhead may wait for a slot.
     */
    boolean circuitRefuses(String subscriptionId) {
        return breakers.find(subscriptionId).map(b -> b.getState() != CircuitBreaker.State.CLOSED).orElse(false);
    }

    @Override
    public void resumed(String subscriptionId) {
        resumes.incrementAndGet();
        whenAvailable.accept(subscriptionId);
    }

    /**
     * How many subscriptions were resumed so far. Read before a subscription's status is: if it was read paused and
     * this moved meanwhile, the resumption may have announced itself before the delivery was put off.
     */
    long resumes() {
        return resumes.get();
    }

    /**
     * How many times a subscription's guards were forgotten (it was paused, disabled or removed) so far: a delivery
     * whose subscription was read before this moved reads it again before its attempt.
     */
    long forgets() {
        return forgets.get();
    }

    @Override
    public String circuit(String subscriptionId) {
        return breakers.find(subscriptionId).map(b -> b.getState().name()).orElse(CircuitBreaker.State.CLOSED.name());
    }

    /**
     * Forgets a paused, disabled or removed subscription's breaker and bulkhead, with their meters and the
     * per-subscription delivery meters, so that they do not pile up for endpoints that take no more attempts. A pass
     * still held for an attempt under way completes on the forgotten ones; the next attempt starts afresh.
     */
    @Override
    public void forget(String subscriptionId) {
        breakers.remove(subscriptionId);
        openedAt.remove(subscriptionId);
        bulkheads.remove(subscriptionId);
        forgets.incrementAndGet();
        whenForgotten.accept(subscriptionId);
        if (meters != null) {
            for (String name : List.of(WebhookDispatcher.ATTEMPT_TIMER, WebhookDispatcher.DEFERRED_COUNTER)) {
                meters.find(name).tag("subscription", subscriptionId).meters().forEach(meters::remove);
            }
        }
    }

    /** Whether this instance holds a breaker or bulkhead for the subscription (for tests and diagnostics). */
    boolean guards(String subscriptionId) {
        return breakers.find(subscriptionId).isPresent() || bulkheads.find(subscriptionId).isPresent();
    }

    private CircuitBreaker breaker(String subscriptionId) {
        return breakers.circuitBreaker(subscriptionId);
    }

    /** Why the breaker counted an attempt as failed; carries no URL or body. */
    static final class EndpointFailure extends RuntimeException {
        EndpointFailure(AttemptOutcome outcome) {
            super(outcome.statusCode() != null ? "status " + outcome.statusCode() : outcome.error(), null, false,
                    false);
        }
    }
}
