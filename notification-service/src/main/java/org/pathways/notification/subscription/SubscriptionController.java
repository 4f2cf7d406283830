package org.pathways.notification.subscription;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.platform.validation.ResourceId;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An agency admin manages the agency's own webhook subscriptions; other agencies' do not exist for them. */
@RestController
@RequestMapping("/api/subscriptions")
class SubscriptionController {


    private final Subscriptions subscriptions;
    private final EndpointHealth health;
    private final Clock clock;

    SubscriptionController(Subscriptions subscriptions, EndpointHealth health, Clock clock) {
        this.subscriptions = subscriptions;
        this.health = health;
        this.clock = clock;
    }

    record RegisterSubscription(@NotBlank @Size(max = 2048) String url,
                                @NotEmpty @Size(max = 50) List<@NotBlank @Size(max = 128) String> eventTypes) {
    }

    /**
     * A subscription as its agency sees it; {@code secret} is present only in the answer to its creation or to a
     * rotation. {@code circuit} is the endpoint's circuit breaker as this instance sees it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SubscriptionView(String id, String agencyId, String url, List<String> eventTypes,
                            SubscriptionStatus status, String circuit, Instant createdAt, Instant disabledAt,
                            Instant rotatedAt, Instant previousSecretValidUntil, String secret) {
    }

    private SubscriptionView view(Subscription s, boolean withSecret) {
        return new SubscriptionView(s.id(), s.agencyId(), s.url(), s.eventTypes(), s.status(), health.circuit(s.id()),
                s.createdAt(), s.disabledAt(), s.rotatedAt(), s.previousSecretUntil(clock.instant()),
                withSecret ? s.issuedSecret() : null);
    }

    /**
     * Registers a subscription ({@code 201}, its secret shown once); with an {@code Idempotency-Key}, the same request
     * sent again answers {@code 200} with the subscription the first made (its secret shown again for a day, unless
     * rotated), never a second subscription.
     */
    @PostMapping
    ResponseEntity<SubscriptionView> register(Caller caller,
                                              @RequestHeader(name = IdempotencyKeys.HEADER, required = false)
                                              @Size(min = 1, max = 128) @Pattern(regexp = IdempotencyKeys.PATTERN)
                                              String idempotencyKey,
                                              @Valid @RequestBody RegisterSubscription request) {
        requireAdmin(caller);
        Subscriptions.Registered registered = subscriptions.register(caller.agencyId(), request.url(),
                request.eventTypes(), idempotencyKey);
        Subscription subscription = registered.subscription();
        URI location = URI.create("/api/subscriptions/" + subscription.id());
        ResponseEntity.BodyBuilder answer = registered.replayed() ? ResponseEntity.ok().location(location)
                : ResponseEntity.created(location);
        return answer.header(IdempotencyKeys.REPLAYED, String.valueOf(registered.replayed()))
                .body(view(subscription, subscription.issuedSecret() != null));
    }

    @GetMapping
    List<SubscriptionView> list(Caller caller) {
        requireAdmin(caller);
        return subscriptions.ofAgency(caller.agencyId()).stream().map(s -> view(s, false)).toList();
    }

    @GetMapping("/{id}")
    SubscriptionView get(Caller caller, @PathVariable @ResourceId String id) {
        requireAdmin(caller);
        return subscriptions.find(id).filter(s -> s.belongsTo(caller.agencyId()))
                .map(s -> view(s, false))
                .orElseThrow(() -> ProblemException.notFound("subscription", id));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> remove(Caller caller, @PathVariable @ResourceId String id) {
        requireAdmin(caller);
        if (!subscriptions.remove(caller.agencyId(), id)) {
            throw ProblemException.notFound("subscription", id);
        }
        return ResponseEntity.noContent().build();
    }

    /**
     * A new secret, shown only here; the previous one keeps signing next to it during the grace period
     * ({@code pathways.webhooks.secret-grace}, 24 h by default), so the receiver can be switched over at leisure.
     */
    @PostMapping({"/{id}/secret:rotate", "/{id}/rotate-secret"})
    SubscriptionView rotateSecret(Caller caller, @PathVariable @ResourceId String id,
                                  @RequestHeader(name = IdempotencyKeys.HEADER, required = false)
                                  @Size(min = 1, max = 128) @Pattern(regexp = IdempotencyKeys.PATTERN)
                                  String idempotencyKey) {
        requireAdmin(caller);
        return subscriptions.rotateSecret(caller.agencyId(), id, idempotencyKey).map(s -> view(s, true))
                .orElseThrow(() -> ProblemException.notFound("subscription", id));
    }

    /** Holds deliveries (they wait, and are not counted as attempts) until resumed. */
    @PostMapping("/{id}/pause")
    SubscriptionView pause(Caller caller, @PathVariable @ResourceId String id) {
        requireAdmin(caller);
        return subscriptions.setPaused(caller.agencyId(), id, true).map(s -> view(s, false))
                .orElseThrow(() -> ProblemException.notFound("subscription", id));
    }

    @PostMapping("/{id}/resume")
    SubscriptionView resume(Caller caller, @PathVariable @ResourceId String id) {
        requireAdmin(caller);
        return subscriptions.setPaused(caller.agencyId(), id, false).map(s -> view(s, false))
                .orElseThrow(() -> ProblemException.notFound("subscription", id));
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.has(Role.AGENCY_ADMIN)) {
            throw ProblemException.forbidden("Only an agency admin manages the agency's subscriptions.");
        }
    }
}
