package org.pathways.catalogue.opportunity;

import java.time.Clock;

import org.pathways.events.opportunity.OpportunityUpdated;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.idempotency.IdempotencyKeys;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;

/**
 * Drafts, revises, publishes, withdraws and ends opportunities for their provider. A provider manages only its
 * own: another agency is told a draft does not exist, and is forbidden to act on a published one.
 */
@Service
public class OpportunityCatalogue {

    public static final int PAGE_SIZE = 100;
    static final int REVISE_ATTEMPTS = 5;

    private final OpportunityRepository opportunities;
    private final Outbox outbox;
    private final Clock clock;
    private final ApplicationEventPublisher changes;

    OpportunityCatalogue(OpportunityRepository opportunities, Outbox outbox, Clock clock,
                         ApplicationEventPublisher changes) {
        this.opportunities = opportunities;
        this.outbox = outbox;
        this.clock = clock;
        this.changes = changes;
    }

    /** Saves through the outbox, then tells this instance (its search index) that the opportunity changed. */
    private Opportunity save(Opportunity opportunity, java.util.List<? extends org.pathways.events.PathwaysEvent> events) {
        Opportunity saved = outbox.save(opportunity, events);
        changes.publishEvent(new OpportunityChanged(saved.id()));
        return saved;
    }

    /** A draft announces nothing: other services learn of an opportunity when it is published. */
    Opportunity draft(Caller caller, DraftOpportunity details) {
        return draft(caller, details, null).opportunity();
    }

    /**
     * {@link #draft(Caller, DraftOpportunity)}; with an {@code Idempotency-Key}, the draft's id derives from it, so
     * that the same request sent again (a double click, a retry after a timeout, two at once) answers the draft the
     * first made, as it is now, instead of making a second; the key sent with another title is a {@code 422}.
     */
    Drafted draft(Caller caller, DraftOpportunity details, String idempotencyKey) {
        requireManager(caller);
        String requestKey = IdempotencyKeys.digest(caller.agencyId(), idempotencyKey);
        if (requestKey == null) {
            return new Drafted(save(Opportunity.draft(details, caller.agencyId(), caller.userId(), clock.instant()),
                    java.util.List.of()), false);
        }
        String id = IdempotencyKeys.idFor("opp", requestKey);
        java.util.Optional<Drafted> earlier = draftedBefore(caller, id, details);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        try {
            return new Drafted(save(Opportunity.draft(id, details, caller.agencyId(), caller.userId(),
                    clock.instant()), java.util.List.of()), false);
        } catch (DuplicateKeyException raced) {
            return draftedBefore(caller, id, details).orElseThrow(() -> raced);
        }
    }

    /** An opportunity as drafted: {@code replayed} when the same request (its key) had drafted it already. */
    record Drafted(Opportunity opportunity, boolean replayed) {
    }

    private java.util.Optional<Drafted> draftedBefore(Caller caller, String id, DraftOpportunity details) {
        return opportunities.findById(id).map(earlier -> {
            if (!earlier.isProvidedBy(caller.agencyId()) || !earlier.title().equals(details.title())) {
                throw IdempotencyKeys.reused("opportunity");
            }
            return new Drafted(earlier, true);
        });
    }

    Opportunity publish(Caller caller, String id) {
        Opportunity opportunity = managedBy(caller, id);
        return save(opportunity, java.util.List.of(opportunity.publish(clock.instant())));
    }

    Opportunity withdraw(Caller caller, String id) {
        Opportunity opportunity = managedBy(caller, id);
        return save(opportunity, java.util.List.of(opportunity.withdraw(clock.instant())));
    }

    /** Refuses anyone but the provider's people as a change would ({@code 403}/{@code 404}), changing nothing. */
    void requireManagedBy(Caller caller, String id) {
        managedBy(caller, id);
    }

    /**
     * Replaces a provider's opportunity details, guarded by the people's revision the provider read: another
     * person's change since is {@code 409 stale-version}; places taken or released since are not (they do not bump
     * the revision). The write itself is still guarded by the version: when places were saved between this read and
     * this write, it is made again on a fresh read, up to {@value #REVISE_ATTEMPTS} times.
     */
    Opportunity revise(Caller caller, String id, long readRevision, DraftOpportunity details) {
        for (int attempt = 1; ; attempt++) {
            Opportunity opportunity = managedBy(caller, id);
            if (opportunity.revision() != readRevision) {
                throw new OptimisticLockingFailureException("stale opportunity");
            }
            java.util.List<OpportunityUpdated> events = opportunity.revise(details, clock.instant()).stream().toList();
            try {
                return save(opportunity, events);
            } catch (OptimisticLockingFailureException raced) {
                if (attempt >= REVISE_ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    Opportunity end(Caller caller, String id) {
        Opportunity opportunity = managedBy(caller, id);
        return save(opportunity, java.util.List.of(opportunity.end(clock.instant())));
    }

    public Opportunity visibleTo(Caller caller, String id) {
        return opportunities.findById(id)
                .filter(opportunity -> opportunity.isVisibleTo(caller.agencyId()))
                .orElseThrow(() -> ProblemException.notFound("opportunity", id));
    }

    public Opportunity managedBy(Caller caller, String id) {
        requireManager(caller);
        Opportunity opportunity = visibleTo(caller, id);
        if (!opportunity.isProvidedBy(caller.agencyId())) {
            throw ProblemException.forbidden("Only the provider manages this opportunity.");
        }
        return opportunity;
    }

    private static void requireManager(Caller caller) {
        if (!caller.has(Role.AGENCY_ADMIN) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's administrators or systems manage its opportunities.");
        }
    }
}
