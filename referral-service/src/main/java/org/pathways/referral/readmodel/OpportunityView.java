package org.pathways.referral.readmodel;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/** What the referral-service knows of one opportunity, from catalogue events. */
@Document("opportunity-views")
public record OpportunityView(@Id String opportunityId, String providerAgencyId, Status status, Integer capacity,
                              int placesTaken) {

    public enum Status { PUBLISHED, WITHDRAWN }

    public boolean open() {
        return status == Status.PUBLISHED;
    }

    public boolean full() {
        return capacity != null && placesTaken >= capacity;
    }
}
