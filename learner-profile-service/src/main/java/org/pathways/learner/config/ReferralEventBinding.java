package org.pathways.learner.config;

import java.util.List;
import java.util.function.Consumer;

import org.pathways.learner.milestone.ReferralProgress;
import org.pathways.learner.relationship.PolledReferralNews;
import org.pathways.learner.relationship.ReferralEvents;
import org.pathways.messaging.inbox.EventInbox;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * The one consumer of {@code pathways.referrals} (binding {@code referralEvents-in-0}, in batch mode): each poll's
 * events go to the milestones (only the events that mean a step) and then to the live relationships (all), each
 * de-duplicated by its own inbox handler, so that a retry after one failed does not repeat the other. The
 * relationships' handler having done an event therefore means the milestones' is done with it too. Each handler reads ahead what the batch needs and writes
 * its effects at the end of the batch ({@link org.pathways.messaging.inbox.BatchScope}); each event's data is read
 * once for both ({@link PolledReferralNews}).
 */
@Configuration(proxyBeanMethods = false)
class ReferralEventBinding {

    @Bean
    Consumer<Message<List<byte[]>>> referralEvents(EventInbox inbox, ReferralEvents relationships,
                                                   ReferralProgress milestones, PolledReferralNews polled) {
        Consumer<Message<List<byte[]>>> relationshipConsumer = inbox.batchConsumer(relationships.handlerName(),
                relationships::handle, relationships.batchScope());
        // Only accepted, started and completed mean a step: a batch of submissions costs the milestones nothing.
        Consumer<Message<List<byte[]>>> milestoneConsumer = inbox.batchConsumer(ReferralProgress.HANDLER,
                ReferralProgress::takes, milestones::handle, milestones.batchScope());
        return batch -> {
            try {
                milestoneConsumer.accept(batch);
                relationshipConsumer.accept(batch);
            } finally {
                polled.forget();
            }
        };
    }
}
