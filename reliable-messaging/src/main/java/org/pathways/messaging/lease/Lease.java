package org.pathways.messaging.lease;

import java.time.Instant;

/**
 * A holder's lease on one document: until when it holds it, and the fencing token every write it makes is conditioned
 * on. A renewal gives a new lease with a new token, so a claim that raced the renewal cannot slip in behind it.
 *
 * @param collection where the document is
 * @param id         the document's {@code _id}
 * @param token      the holder's token in the document's owner field while this lease is held
 * @param until      when the lease runs out unless renewed
 * @param document   the document as the claim found it (after taking the lease)
 */
public record Lease<T>(String collection, Object id, String token, Instant until, T document) {
}
