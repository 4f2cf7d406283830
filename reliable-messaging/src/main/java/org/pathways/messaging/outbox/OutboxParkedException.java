package org.pathways.messaging.outbox;

import java.net.URI;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A change refused because its aggregate's outbox is parked: so many of its events wait unpublished (the broker has
 * been unreachable, or the relay is failing) that one more would take the document towards MongoDB's 16 MB limit.
 * Nothing was written. The service answers 503 with an RFC 9457 problem and {@code Retry-After}: the change can be
 * made again once the relay has drained the outbox.
 */
public class OutboxParkedException extends ErrorResponseException {

    /** The stable problem type (the platform's {@code urn:pathways:problem:} scheme). */
    public static final URI TYPE = URI.create("urn:pathways:problem:outbox-parked");
    private static final int RETRY_AFTER_SECONDS = 30;

    private final String collection;
    private final transient Object aggregateId;
    private final int pending;

    OutboxParkedException(String collection, Object aggregateId, int pending, int limit) {
        super(HttpStatus.SERVICE_UNAVAILABLE, problem(), null);
        this.collection = collection;
        this.aggregateId = aggregateId;
        this.pending = pending;
        getHeaders().set(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
        setDetail("This record cannot be changed right now: " + pending + " of its changes wait to be passed on to"
                + " the other services (at most " + limit + " may wait). Nothing was saved; try again later.");
    }

    private static ProblemDetail problem() {
        ProblemDetail problem = ProblemDetail.forStatus(HttpStatus.SERVICE_UNAVAILABLE);
        problem.setType(TYPE);
        problem.setTitle("Changes to this record are paused");
        return problem;
    }

    public String collection() {
        return collection;
    }

    public Object aggregateId() {
        return aggregateId;
    }

    /** How many events waited when the change was refused. */
    public int pending() {
        return pending;
    }

    @Override
    public String getMessage() {
        return "The outbox of " + collection + " " + aggregateId + " is parked with " + pending + " events waiting";
    }
}
