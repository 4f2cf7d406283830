package org.pathways.messaging.config;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param outbox how the outbox is relayed
 * @param inbox  how long processed event ids are remembered
 */
@ConfigurationProperties("pathways.messaging")
public record MessagingProperties(@DefaultValue Outbox outbox, @DefaultValue Inbox inbox) {

    /**
     * @param collections     the collections whose documents carry an outbox, swept after a crash
     * @param publishAfterWrite publish right after the write (off only in tests that simulate a crash)
     * @param sweepInterval   how often the sweeper retries what this instance could not publish yet
     * @param sweepGrace      how old an unpublished event must be before the sweeper takes it over
     * @param lease           how long one relay may hold an aggregate's outbox before another may take over
     * @param validate        check every event against its JSON Schema before it is written
     * @param relayThreads    how many aggregates the relay publishes at once
     * @param fullSweepInterval how often the sweeper searches the collections for events a crashed process left
     * @param maxPending      how many events may wait in one aggregate's outbox; past that its changes are refused
     *                        (parked) until the relay catches up, so no document grows towards the 16 MB limit
     */
    public record Outbox(@DefaultValue List<String> collections,
                         @DefaultValue("true") boolean publishAfterWrite,
                         @DefaultValue("1s") Duration sweepInterval,
                         @DefaultValue("3s") Duration sweepGrace,
                         @DefaultValue("30s") Duration lease,
                         @DefaultValue("true") boolean validate,
                         @DefaultValue("8") int relayThreads,
                         @DefaultValue("1m") Duration fullSweepInterval,
                         @DefaultValue("1000") int maxPending) {
    }

    /**
     * @param retention    how long a processed event id is kept for de-duplication
     * @param erasureRetry how a parked {@code learner.erased} is tried again
     * @param appliedEventsKept how many event ids a document keeps of the events applied to it once
     *                          ({@link org.pathways.messaging.inbox.AppliedEvents})
     * @param transactions      whether a handler whose effect spans documents runs with the inbox's done mark in one
     *                          MongoDB transaction: {@code AUTO} where the store can (a replica set or a sharded
     *                          cluster), {@code NEVER} ({@link org.pathways.messaging.inbox.EffectTransactions})
     */
    public record Inbox(@DefaultValue("30d") Duration retention, @DefaultValue ErasureRetry erasureRetry,
                        @DefaultValue("1000") int appliedEventsKept,
                        @DefaultValue("AUTO") org.pathways.messaging.inbox.EffectTransactions.Mode transactions) {
    }

    /**
     * A failed erasure is tried again without limit: after {@code firstBackOff}, doubling up to {@code maxBackOff}
     * between attempts; {@code checkEvery} is how often each instance looks for one whose time has come.
     */
    public record ErasureRetry(@DefaultValue("1s") Duration firstBackOff, @DefaultValue("5m") Duration maxBackOff,
                               @DefaultValue("1s") Duration checkEvery) {
    }
}
