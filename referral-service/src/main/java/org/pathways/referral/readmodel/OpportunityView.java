package org.pathways.referral.readmodel;

import java.util.List;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What the referral-service knows of one opportunity, from catalogue events: who provides it, whether it takes
 * referrals, its places, and its onward progression routes ({@code leadsTo}, the opportunities it leads on to).
 */
@Document("opportunity-views")
public record OpportunityView(@Id String opportunityId, String providerAgencyId, Status status, Integer capacity,
                              int placesTaken, List<String> leadsTo) {

    /** The catalogue's statuses: a FULL opportunity still takes referrals (onto its waiting list). */
    public enum Status {
        PUBLISHED, FULL, WITHDRAWN, ENDED;

        /** The catalogue's status code, or null for a code this service does not know (the status is kept). */
        static Status of(String code) {
            for (Status status : values()) {
                if (status.name().equals(code)) {
                    return status;
                }
            }
            return null;
        }
    }

    public OpportunityView {
        leadsTo = leadsTo == null ? List.of() : List.copyOf(leadsTo);
    }

    public boolean open() {
        return status == Status.PUBLISHED || status == Status.FULL;
    }

    public boolean full() {
        return status == Status.FULL || (capacity != null && placesTaken >= capacity);
    }

    /** Places still free, or null when places are not limited. */
    public Integer placesLeft() {
        return capacity == null ? null : Math.max(0, capacity - placesTaken);
    }
}
