package org.pathways.events.learner;

import java.time.Instant;
import java.util.List;

import org.pathways.events.PathwaysEvent;

/**
 * A worker changed a learner's profile. Names only which parts changed ({@code changedFields}), never their values;
 * {@code version} is the profile's version after the change, {@code localityCode} its (coarse) locality now.
 */
public record LearnerProfileUpdated(String learnerId, long version, List<ProfileField> changedFields,
                                    String localityCode, String updatedByAgencyId, Instant updatedAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
