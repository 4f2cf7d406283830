package org.pathways.referral.fhir;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestStatus;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.pathways.events.referral.ReferralStatus;

/**
 * Our lifecycle in FHIR's codes. The referral's status is the Task's (the lifecycle was drawn from FHIR Task
 * statuses; only SUBMITTED is named differently, {@code requested}); the ServiceRequest, the order itself, is active
 * while the referral is open, on hold with it, completed with it, and revoked when it ended any other way (as the
 * Gravity pattern revokes the request of a rejected or cancelled Task).
 */
enum TaskStatusMapping {
    SUBMITTED(ReferralStatus.SUBMITTED, TaskStatus.REQUESTED, ServiceRequestStatus.ACTIVE, "Submitted"),
    RECEIVED(ReferralStatus.RECEIVED, TaskStatus.RECEIVED, ServiceRequestStatus.ACTIVE, "Received"),
    ACCEPTED(ReferralStatus.ACCEPTED, TaskStatus.ACCEPTED, ServiceRequestStatus.ACTIVE, "Accepted"),
    IN_PROGRESS(ReferralStatus.IN_PROGRESS, TaskStatus.INPROGRESS, ServiceRequestStatus.ACTIVE, "In progress"),
    ON_HOLD(ReferralStatus.ON_HOLD, TaskStatus.ONHOLD, ServiceRequestStatus.ONHOLD, "On hold"),
    COMPLETED(ReferralStatus.COMPLETED, TaskStatus.COMPLETED, ServiceRequestStatus.COMPLETED, "Completed"),
    REJECTED(ReferralStatus.REJECTED, TaskStatus.REJECTED, ServiceRequestStatus.REVOKED, "Rejected"),
    FAILED(ReferralStatus.FAILED, TaskStatus.FAILED, ServiceRequestStatus.REVOKED, "Failed"),
    CANCELLED(ReferralStatus.CANCELLED, TaskStatus.CANCELLED, ServiceRequestStatus.REVOKED, "Cancelled");

    final ReferralStatus referral;
    final TaskStatus task;
    final ServiceRequestStatus request;
    final String display;

    TaskStatusMapping(ReferralStatus referral, TaskStatus task, ServiceRequestStatus request, String display) {
        this.referral = referral;
        this.task = task;
        this.request = request;
        this.display = display;
    }

    static TaskStatusMapping of(ReferralStatus status) {
        return Arrays.stream(values()).filter(m -> m.referral == status).findFirst().orElseThrow();
    }

    /** The referral statuses a FHIR Task status code stands for (empty for a code we never use or do not know). */
    static Optional<ReferralStatus> forTaskCode(String code) {
        return Arrays.stream(values()).filter(m -> m.task.toCode().equals(code)).findFirst().map(m -> m.referral);
    }

    /** The referral statuses a FHIR ServiceRequest status code stands for (empty for an unknown code). */
    static Set<ReferralStatus> forRequestCode(String code) {
        Set<ReferralStatus> statuses = EnumSet.noneOf(ReferralStatus.class);
        Arrays.stream(values()).filter(m -> m.request.toCode().equals(code)).forEach(m -> statuses.add(m.referral));
        return statuses;
    }
}
