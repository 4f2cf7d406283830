package org.pathways.messaging.inbox;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A pseudonymous tombstone: this learner id was erased, when, and the pseudonym that stands for it in anything
 * about the learner that arrives later. One per service database, kept for good (an id, a date and a random token).
 */
@Document(ErasedLearner.COLLECTION)
public record ErasedLearner(@Id String learnerId, Instant erasedAt, String pseudonym) {

    public static final String COLLECTION = "erased-learners";
}
