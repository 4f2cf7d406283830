package org.pathways.learner.standing;

import java.util.Collection;

import org.pathways.learner.domain.Learner;

/**
 * What a feature knows of the agencies involved with a learner that an agency with standing sees in the team view
 * (the lead and the agency a handover waits for, the owners of plan steps), so that {@link Standing#mayName} can tell
 * what a caller already knows without depending on those features.
 */
public interface TeamInvolvement {

    /** The agencies this feature involves with {@code learner} now, as the team view lists them. */
    Collection<String> agenciesInvolvedWith(Learner learner);
}
