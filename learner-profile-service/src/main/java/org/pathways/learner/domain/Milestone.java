package org.pathways.learner.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

import org.pathways.events.learner.LearningKind;
import org.pathways.events.learner.Level;
import org.pathways.platform.problem.ProblemException;

/**
 * One step on a learner's timeline, recorded by a worker or from a referral event. Embedded in its {@link Learner}
 * so that recording it and its event are one atomic write.
 *
 * @param title         for an achievement, what it was ("Food hygiene certificate"); kept here, never published
 * @param sourceEventId the referral event it was recorded from, so a redelivered event adds nothing
 * @param requestKey    a digest of the agency and the {@code Idempotency-Key} a worker's request was sent with, so that
 *                      the same request sent again (a double click, a retry) adds nothing; never the key itself
 */
public record Milestone(String id, MilestoneKind kind, LocalDate occurredOn, LearningKind learningKind, Level level,
                        Boolean accredited, String title, String referralId, String opportunityId,
                        String recordedByAgencyId, String recordedBy, String sourceEventId, Instant recordedAt,
                        String requestKey) {

    /** What is asked to be recorded, before the domain checks it. */
    public record Details(MilestoneKind kind, LocalDate occurredOn, LearningKind learningKind, Level level,
                          Boolean accredited, String title, String referralId, String opportunityId) {
    }

    static Milestone record(Details details, String agencyId, String recordedBy, String sourceEventId,
                            String requestKey, Instant now) {
        if (details.occurredOn().isAfter(LocalDate.ofInstant(now, ZoneOffset.UTC))) {
            throw ProblemException.unprocessable("milestone-in-future", "A milestone cannot be in the future.");
        }
        boolean achievement = details.kind() == MilestoneKind.ACHIEVEMENT_GAINED;
        if (achievement && details.learningKind() == null) {
            throw ProblemException.unprocessable("achievement-needs-learning-kind",
                    "An achievement says whether the learning was informal, non-formal or formal.");
        }
        if (!achievement && (details.learningKind() != null || details.level() != null
                || details.accredited() != null || details.title() != null)) {
            throw ProblemException.unprocessable("only-achievements-have-levels",
                    "Only an ACHIEVEMENT_GAINED milestone has a kind of learning, level, accreditation or title.");
        }
        Boolean accredited = achievement ? Boolean.TRUE.equals(details.accredited()) : null;
        if (Boolean.TRUE.equals(accredited) && details.learningKind() != LearningKind.FORMAL) {
            throw ProblemException.unprocessable("accredited-needs-formal-learning",
                    "Only formal learning is accredited; non-formal learning is recorded as recognised.");
        }
        return new Milestone("mls-" + UUID.randomUUID(), details.kind(), details.occurredOn(), details.learningKind(),
                details.level(), accredited, details.title(), details.referralId(), details.opportunityId(), agencyId,
                recordedBy, sourceEventId, now, requestKey);
    }
}
