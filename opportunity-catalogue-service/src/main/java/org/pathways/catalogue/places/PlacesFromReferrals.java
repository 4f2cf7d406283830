package org.pathways.catalogue.places;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import org.pathways.catalogue.opportunity.Change;
import org.pathways.catalogue.places.PlaceHolding.Step;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityChanged;
import org.pathways.catalogue.opportunity.OpportunityRepository;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.events.EventType;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.messaging.Message;
import tools.jackson.databind.JsonNode;

/**
 * Places taken follow the referral lifecycle: a referral accepted (or started) takes a place on its opportunity; one
 * that ends (completed, cancelled, failed, or rejected) no longer occupies it. Events are matched by type string and
 * read generically (referralId, opportunityId), so this depends on the referral events' shape, not on their classes.
 *
 * <p>Which referral holds a place, and which has ended, is kept one document per referral and opportunity
 * ({@link PlaceHolding}, by {@code _id}), so a redelivered or repeated event (accepted then started) changes nothing,
 * and neither does one arriving out of order (an accepted after the referral's completion); the inbox skips exact
 * redeliveries before that. The opportunity keeps only the count, so its document, and the cost of each event, do not
 * grow with the referrals it has seen. Without transactions the two documents are written one after the other, in an
 * order that a handling interrupted anywhere and repeated (the event is redelivered) finishes without counting twice:
 * the holding is marked as changing, the opportunity counts the change and remembers it, the holding is marked
 * settled, the opportunity forgets the change. Each real change is published as {@link OpportunityPlacesChanged}.
 */
@Configuration
public class PlacesFromReferrals {

    private static final Logger log = LoggerFactory.getLogger(PlacesFromReferrals.class);
    static final String HANDLER = "referral-places";
    private static final Map<String, Boolean> TAKES_A_PLACE = Map.of(
            EventType.REFERRAL_ACCEPTED.type(), true,
            EventType.REFERRAL_STARTED.type(), true,
            EventType.REFERRAL_COMPLETED.type(), false,
            EventType.REFERRAL_CANCELLED.type(), false,
            EventType.REFERRAL_FAILED.type(), false,
            EventType.REFERRAL_REJECTED.type(), false);
    private static final int ATTEMPTS = 5;

    private final OpportunityRepository opportunities;
    private final PlaceHoldings holdings;
    private final Outbox outbox;
    private final Clock clock;
    private final ApplicationEventPublisher changes;

    PlacesFromReferrals(OpportunityRepository opportunities, PlaceHoldings holdings, Outbox outbox, Clock clock,
                        ApplicationEventPublisher changes) {
        this.opportunities = opportunities;
        this.holdings = holdings;
        this.outbox = outbox;
        this.clock = clock;
        this.changes = changes;
    }

    @Bean
    Consumer<Message<byte[]>> referralEvents(EventInbox inbox) {
        return inbox.consumer(HANDLER, this::onReferralEvent);
    }

    void onReferralEvent(ReceivedEvent event) {
        Boolean takes = TAKES_A_PLACE.get(event.type());
        if (takes == null) {
            return;
        }
        JsonNode data = event.data(JsonNode.class);
        String referralId = text(data, "referralId").orElse(event.subject());
        String opportunityId = text(data, "opportunityId")
                .orElseThrow(() -> new MalformedEventException("Event " + event.id() + " names no opportunity"));
        Optional<Opportunity> found = opportunities.findById(opportunityId);
        if (found.isEmpty()) {
            log.debug("Referral event {} is for opportunity {}, unknown here; ignored", event.id(), opportunityId);
            return;
        }
        Opportunity opportunity = found.get();
        if (opportunity.status() == OpportunityStatus.DRAFT) {
            // Nobody can be referred to a draft: whatever this is, it holds no place.
            log.debug("Referral event {} is for opportunity {}, still a draft; ignored", event.id(), opportunityId);
            return;
        }
        Instant now = clock.instant();
        String holdingId = PlaceHolding.id(opportunityId, referralId);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Step first = takes ? Step.TAKING : Step.ENDED;
            PlaceHolding fresh = new PlaceHolding(holdingId, opportunityId, referralId, first, now);
            if (holdings.insert(fresh)) {
                // A first take is counted; a first end held no place: remembered, so a late take changes nothing.
                if (takes) {
                    settle(fresh, opportunity, now);
                }
                return;
            }
            PlaceHolding holding = holdings.find(holdingId).orElseThrow();
            if (!holding.step().settled()) {
                // An earlier handling stopped half way: finish it first.
                opportunity = settle(holding, opportunity, now);
                if (takes || holding.step() == Step.RELEASING) {
                    return;
                }
                continue;
            }
            if (takes || holding.step() == Step.ENDED) {
                return;         // holds a place already, or ended: a take or a repeated end changes nothing
            }
            PlaceHolding releasing = holding.at(Step.RELEASING, now);
            if (holdings.move(holding, Step.RELEASING, now)) {
                settle(releasing, opportunity, now);
                return;
            }
        }
        throw new IllegalStateException("The place of referral event " + event.id() + " kept changing under it");
    }

    /**
     * Counts the unsettled change of {@code holding} on its opportunity (once: the opportunity remembers it until
     * the holding is settled), settles the holding, then lets the opportunity forget the change.
     */
    private Opportunity settle(PlaceHolding holding, Opportunity read, Instant now) {
        String changeId = holding.changeId();
        Opportunity opportunity = saved(read, current -> holding.step() == Step.TAKING
                ? current.takePlace(holding.referralId(), changeId, now)
                : current.releasePlace(holding.referralId(), changeId, now));
        holdings.move(holding, holding.step().next(), now);
        return saved(opportunity, current -> current.forgetPlaceChange(changeId));
    }

    private Opportunity saved(Opportunity read, Function<Opportunity, Change<OpportunityPlacesChanged>> command) {
        Opportunity current = read;
        for (int attempt = 1; ; attempt++) {
            Change<OpportunityPlacesChanged> change = command.apply(current);
            if (!change.changed()) {
                return current;
            }
            try {
                Opportunity saved = outbox.save(current, change.events());
                if (!change.events().isEmpty()) {
                    changes.publishEvent(new OpportunityChanged(saved.id()));
                }
                return saved;
            } catch (OptimisticLockingFailureException concurrentEdit) {
                if (attempt == ATTEMPTS) {
                    throw concurrentEdit;
                }
                current = opportunities.findById(current.id()).orElseThrow();
            }
        }
    }

    private static Optional<String> text(JsonNode data, String field) {
        JsonNode value = data.path(field);
        return value.isString() && value.asString().matches(ResourceId.PATTERN)
                ? Optional.of(value.asString()) : Optional.empty();
    }
}
