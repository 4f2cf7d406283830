package org.pathways.catalogue.search;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.pathways.catalogue.opportunity.OpportunitiesChanged;
import org.pathways.catalogue.opportunity.OpportunityChanged;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.Message;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Keeps this instance's search index in line with the catalogue, by three routes that together miss nothing:
 * <ul>
 *   <li>this instance's own saves ({@link OpportunityChanged}, raised right after the write, or
 *   {@link OpportunitiesChanged} at the end of a batch of them): applied before the request (or batch) returns, so a
 *   withdrawn opportunity is gone from this instance's next search;</li>
 *   <li>the opportunity and agency topics ({@code catalogueChanges}, a consumer group of its own per instance, from
 *   the latest offset): every instance's changes, whichever path made them (API, places from referrals, an Open
 *   Referral import), and agency approvals that make a provider's opportunities visible;</li>
 *   <li>{@link OpportunitySearch#reconcile()} at start (an index missing, of another schema, or behind the store is
 *   rebuilt or caught up before the service is ready) and every {@code pathways.catalogue.search.reconcile-every}
 *   (a safety net for what happened while a consumer was not yet assigned its partitions).</li>
 * </ul>
 * Each route re-reads the stored state rather than trusting the event's content, so order and repeats do not matter.
 */
@Configuration
@EnableConfigurationProperties(SearchIndexProperties.class)
class SearchIndexFollower implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(SearchIndexFollower.class);
    private static final String OPPORTUNITY_EVENTS = "org.pathways.opportunity.";
    private static final String AGENCY_EVENTS = "org.pathways.agency.";
    private static final int ATTEMPTS = 3;

    private final OpportunitySearch search;
    private final CloudEventCodec codec = new CloudEventCodec();

    SearchIndexFollower(OpportunitySearch search) {
        this.search = search;
    }

    @Override
    public void run(ApplicationArguments args) {
        long start = System.nanoTime();
        OpportunitySearch.Reconciliation done = search.reconcile();
        log.info("Search index ready: {} listed opportunities ({} indexed, {} removed) in {} ms", done.listed(),
                done.indexed(), done.removed(), (System.nanoTime() - start) / 1_000_000);
    }

    @EventListener
    void on(OpportunityChanged changed) {
        search.follow(changed.opportunityId());
    }

    @EventListener
    void on(OpportunitiesChanged changed) {
        search.follow(changed.opportunityIds());
    }

    /**
     * One call per poll: the opportunities the poll's events name are followed together (one store read for them
     * all, whatever their number), each agency's on its own. A poll that cannot be applied (the store down) is tried
     * again twice, then left to the next reconciliation.
     */
    @Bean
    Consumer<Message<List<byte[]>>> catalogueChanges() {
        return message -> {
            Set<String> opportunities = new LinkedHashSet<>();
            Set<String> agencies = new LinkedHashSet<>();
            for (byte[] payload : message.getPayload()) {
                ReceivedEvent event;
                try {
                    event = ReceivedEvent.decode(codec, payload, null);
                } catch (MalformedEventException e) {
                    log.warn("Skipped a record on a catalogue topic that is not a Pathways event: {}", e.getMessage());
                    continue;
                }
                if (event.subject() == null || event.subject().isBlank()) {
                    log.warn("Skipped a catalogue event without a subject: {} {}", event.type(), event.id());
                } else if (event.type().startsWith(OPPORTUNITY_EVENTS)) {
                    opportunities.add(event.subject());
                } else if (event.type().startsWith(AGENCY_EVENTS)) {
                    agencies.add(event.subject());
                }
                log.debug("Search index follows {} {}", event.type(), event.id());
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    agencies.forEach(search::followProvider);
                    search.followSoon(opportunities);
                    return;
                } catch (RuntimeException e) {
                    if (attempt == ATTEMPTS) {
                        log.warn("Search index could not follow {} opportunities and {} agencies changed ({}); the"
                                + " next reconciliation will", opportunities.size(), agencies.size(), e.toString());
                        return;
                    }
                }
            }
        };
    }

    @Scheduled(initialDelayString = "${pathways.catalogue.search.reconcile-every:PT5M}",
            fixedDelayString = "${pathways.catalogue.search.reconcile-every:PT5M}")
    void reconcileNow() {
        OpportunitySearch.Reconciliation done = search.reconcile();
        if (done.indexed() + done.removed() > 0) {
            log.info("Search index reconciled with the store: {} indexed, {} removed", done.indexed(),
                    done.removed());
        }
    }
}
