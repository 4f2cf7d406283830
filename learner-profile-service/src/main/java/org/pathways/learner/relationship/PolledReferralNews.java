package org.pathways.learner.relationship;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.pathways.messaging.inbox.ReceivedEvent;
import org.springframework.stereotype.Component;

/**
 * The referral events of the poll being consumed on this thread, each read once ({@link ReferralNews}) for every
 * handler that needs it: the milestones and the relationships, and what each reads ahead for the batch. An entry is
 * reused only for the same event id with the same data (an event pseudonymised after an erasure is read again), and
 * an unreadable event fails each time it is asked for, so each handler reports it. Forgotten after each poll.
 */
@Component
public class PolledReferralNews {

    private record Read(byte[] data, ReferralNews news, RuntimeException failure) {
    }

    private final ThreadLocal<Map<String, Read>> polled = ThreadLocal.withInitial(HashMap::new);

    /** The event's news, read from its data once per poll. */
    public ReferralNews of(ReceivedEvent event) {
        Map<String, Read> reads = polled.get();
        Read read = reads.get(event.id());
        if (read == null || !Arrays.equals(read.data(), event.data())) {
            try {
                read = new Read(event.data(), event.data(ReferralNews.class), null);
            } catch (RuntimeException unreadable) {
                read = new Read(event.data(), null, unreadable);
            }
            reads.put(event.id(), read);
        }
        if (read.failure() != null) {
            throw read.failure();
        }
        return read.news();
    }

    /** Forgets this thread's poll. */
    public void forget() {
        polled.remove();
    }
}
