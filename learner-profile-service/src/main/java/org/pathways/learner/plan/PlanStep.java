package org.pathways.learner.plan;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

import org.pathways.events.learner.PlanStepStatus;

/**
 * One agreed next step. Its title is the only free text (kept here, never published); {@code overdueRaisedFor} is
 * the due date an overdue event was last raised for, so that each due date raises one.
 */
public class PlanStep {

    private String id;
    private String title;
    private String ownerAgencyId;
    private LocalDate dueOn;
    private PlanStepStatus status;
    private String referralId;
    private String opportunityId;
    private String createdByAgencyId;
    private Instant createdAt;
    private Instant updatedAt;
    private LocalDate overdueRaisedFor;

    protected PlanStep() {
    }

    static PlanStep create(String title, String ownerAgencyId, LocalDate dueOn, PlanStepStatus status,
                           String referralId, String opportunityId, String createdByAgencyId, Instant now) {
        PlanStep step = new PlanStep();
        step.id = "stp-" + UUID.randomUUID();
        step.title = title;
        step.ownerAgencyId = ownerAgencyId;
        step.dueOn = dueOn;
        step.status = status;
        step.referralId = referralId;
        step.opportunityId = opportunityId;
        step.createdByAgencyId = createdByAgencyId;
        step.createdAt = now;
        step.updatedAt = now;
        return step;
    }

    /** Applies the fields given (null: unchanged); whether anything changed. */
    boolean change(String newTitle, PlanStepStatus newStatus, LocalDate newDueOn, String newOwner, Instant now) {
        boolean changed = false;
        if (newTitle != null && !newTitle.equals(title)) {
            title = newTitle;
            changed = true;
        }
        if (newStatus != null && newStatus != status) {
            status = newStatus;
            changed = true;
        }
        if (newDueOn != null && !newDueOn.equals(dueOn)) {
            dueOn = newDueOn;
            changed = true;
        }
        if (newOwner != null && !newOwner.equals(ownerAgencyId)) {
            ownerAgencyId = newOwner;
            changed = true;
        }
        if (changed) {
            updatedAt = now;
        }
        return changed;
    }

    /** Still to be done: {@code PLANNED} or {@code DOING}. */
    public boolean isOpen() {
        return status == PlanStepStatus.PLANNED || status == PlanStepStatus.DOING;
    }

    /** Open, with a due date before {@code today}. */
    public boolean isOverdueOn(LocalDate today) {
        return isOpen() && dueOn != null && dueOn.isBefore(today);
    }

    /** Overdue on {@code today} and not yet raised for its current due date. */
    boolean needsOverdueRaisedOn(LocalDate today) {
        return isOverdueOn(today) && !dueOn.equals(overdueRaisedFor);
    }

    void overdueRaised() {
        overdueRaisedFor = dueOn;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public String ownerAgencyId() {
        return ownerAgencyId;
    }

    public LocalDate dueOn() {
        return dueOn;
    }

    public PlanStepStatus status() {
        return status;
    }

    public String referralId() {
        return referralId;
    }

    public String opportunityId() {
        return opportunityId;
    }

    public String createdByAgencyId() {
        return createdByAgencyId;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }
}
