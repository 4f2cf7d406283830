package org.pathways.messaging;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.pathways.events.EventType;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.inbox.EventInbox;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.messaging.Message;

/** A minimal service: one aggregate with an outbox, one idempotent consumer. */
@SpringBootApplication
public class MessagingTestApplication {

    /** What the consumer handled, in order, to count real processing (not deliveries). */
    public static final List<LearnerRegistered> HANDLED = new CopyOnWriteArrayList<>();
    /** Subjects whose handling always fails, to prove retries and dead-lettering. */
    public static final String FAILING_SUBJECT = "lrn-always-fails";

    @Bean
    Consumer<Message<byte[]>> learnerEvents(EventInbox inbox) {
        return inbox.consumer("learner-events", event -> {
            if (event.is(EventType.LEARNER_REGISTERED)) {
                LearnerRegistered registered = event.data(LearnerRegistered.class);
                if (FAILING_SUBJECT.equals(registered.learnerId())) {
                    throw new IllegalStateException("handler failure for " + registered.learnerId());
                }
                HANDLED.add(registered);
            }
        });
    }

    @Document("tracked-learners")
    public static class TrackedLearner {
        @Id
        String id;
        @Version
        Long version;
        String locality;
        String note;

        public TrackedLearner() {
        }

        public TrackedLearner(String id, String locality) {
            this.id = id;
            this.locality = locality;
        }
    }
}
