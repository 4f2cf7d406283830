package org.pathways.events.learner;

import java.time.Instant;
import java.time.LocalDate;

import org.pathways.events.PathwaysEvent;

/**
 * A plan step still {@code PLANNED} or {@code DOING} passed its due date. Published once per step and due date (a
 * new due date may be overdue again), by one instance of the service at a time.
 */
public record PlanStepOverdue(String learnerId, String stepId, String ownerAgencyId, LocalDate dueOn,
                              Instant detectedAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
