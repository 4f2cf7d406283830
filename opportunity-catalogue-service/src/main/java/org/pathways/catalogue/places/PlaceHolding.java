package org.pathways.catalogue.places;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What one referral does with a place on one opportunity, keyed by {@code opportunityId:referralId}, so that every
 * lookup is by {@code _id} however many referrals an opportunity has seen. A referral takes a place once and, once
 * ended, never takes it again.
 *
 * <p>A step ending in "-ing" is a change of the opportunity's count not yet known to be counted: it is counted (once,
 * the opportunity remembers it by {@link #changeId()} until this moves on) and then moved on to the settled step, each
 * move a compare-and-set on exactly {@code _id} and the step seen (the unique index below serves it on the embedded
 * store, which serves a query from an index only when the query's fields are exactly the index's).
 */
@Document(PlaceHolding.COLLECTION)
@CompoundIndex(name = "step_guard", def = "{'_id': 1, 'step': 1}", unique = true)
record PlaceHolding(@Id String id, String opportunityId, String referralId, Step step, Instant at) {

    static final String COLLECTION = "place_holdings";

    enum Step {
        /** Taking a place: the count goes up by one. */
        TAKING,
        /** Holds a place, counted. */
        HOLDING,
        /** Ending, after holding a place: the count goes down by one. */
        RELEASING,
        /** Ended: holds no place and never takes one again. */
        ENDED;

        boolean settled() {
            return this == HOLDING || this == ENDED;
        }

        Step next() {
            return switch (this) {
                case TAKING -> HOLDING;
                case RELEASING -> ENDED;
                default -> this;
            };
        }
    }

    static String id(String opportunityId, String referralId) {
        return opportunityId + ":" + referralId;
    }

    /** The id the opportunity remembers this holding's unsettled change by. */
    String changeId() {
        return referralId + ":" + step.name();
    }

    PlaceHolding at(Step to, Instant now) {
        return new PlaceHolding(id, opportunityId, referralId, to, now);
    }
}
