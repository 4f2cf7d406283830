package org.pathways.notification.routing;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

import org.pathways.events.EventType;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.notification.delivery.WebhookFanOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Decides which agencies a referral event concerns: the referring and the receiving agency, and no one else. Agencies
 * never read the internal topics; this is the only way a referral event reaches them.
 *
 * <p>Only ReferralSubmitted is routed today, from the agencies it names. Later lifecycle events that do not name
 * both agencies will need a local read model of each referral's parties, filled from ReferralSubmitted.
 */
@Configuration
public class ReferralEventRouting {

    static final String HANDLER = "referral-events";
    private static final Logger log = LoggerFactory.getLogger(ReferralEventRouting.class);

    private final WebhookFanOut fanOut;

    ReferralEventRouting(WebhookFanOut fanOut) {
        this.fanOut = fanOut;
    }

    @Bean
    Consumer<Message<byte[]>> referralEvents(EventInbox inbox) {
        return inbox.consumerWithRecord(HANDLER, this::route);
    }

    /** @return how many new deliveries the event made */
    public int route(ReceivedEvent event, byte[] record) {
        if (!event.is(EventType.REFERRAL_SUBMITTED)) {
            log.debug("Not routing event {} of type {}", event.id(), event.type());
            return 0;
        }
        ReferralSubmitted submitted = event.data(ReferralSubmitted.class);
        Set<String> concerned = new LinkedHashSet<>();
        concerned.add(submitted.referringAgencyId());
        concerned.add(submitted.receivingAgencyId());
        concerned.remove(null);
        return fanOut.fanOut(event, concerned, record);
    }
}
