package org.pathways.learner.config;

import java.util.function.Consumer;

import org.pathways.learner.milestone.ReferralProgress;
import org.pathways.learner.relationship.ReferralEvents;
import org.pathways.messaging.inbox.EventInbox;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * The one consumer of {@code pathways.referrals} (binding {@code referralEvents-in-0}): each event goes to the milestones
 * and then to the live relationships, each de-duplicated by its own inbox handler, so that a retry after one
 * failed does not repeat the other.
 */
@Configuration(proxyBeanMethods = false)
class ReferralEventBinding {

    @Bean
    Consumer<Message<byte[]>> referralEvents(EventInbox inbox, ReferralEvents relationships,
                                             ReferralProgress milestones) {
        Consumer<Message<byte[]>> relationshipConsumer = inbox.consumer(relationships.handlerName(),
                relationships::handle);
        Consumer<Message<byte[]>> milestoneConsumer = inbox.consumer(ReferralProgress.HANDLER, milestones::handle);
        return milestoneConsumer.andThen(relationshipConsumer);
    }
}
