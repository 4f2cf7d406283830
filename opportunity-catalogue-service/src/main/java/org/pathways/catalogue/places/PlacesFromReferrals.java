package org.pathways.catalogue.places;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.pathways.catalogue.opportunity.Change;
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
 * The opportunity remembers which referrals hold a place and which have ended, so a redelivered or repeated event
 * (accepted then started) changes nothing, and neither does one arriving out of order (an accepted after the
 * referral's completion); the inbox skips exact redeliveries before that. Each real change is published as
 * {@link OpportunityPlacesChanged}.
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
    private final Outbox outbox;
    private final Clock clock;
    private final ApplicationEventPublisher changes;

    PlacesFromReferrals(OpportunityRepository opportunities, Outbox outbox, Clock clock,
                        ApplicationEventPublisher changes) {
        this.opportunities = opportunities;
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
        for (int attempt = 1; ; attempt++) {
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
            Change<OpportunityPlacesChanged> change = takes
                    ? opportunity.takePlace(referralId, clock.instant())
                    : opportunity.releasePlace(referralId, clock.instant());
            if (!change.changed()) {
                return;
            }
            try {
                outbox.save(opportunity, change.events());
                changes.publishEvent(new OpportunityChanged(opportunityId));
                return;
            } catch (OptimisticLockingFailureException concurrentEdit) {
                if (attempt == ATTEMPTS) {
                    throw concurrentEdit;
                }
            }
        }
    }

    private static Optional<String> text(JsonNode data, String field) {
        JsonNode value = data.path(field);
        return value.isString() && value.asString().matches(ResourceId.PATTERN)
                ? Optional.of(value.asString()) : Optional.empty();
    }
}
