package org.pathways.notification.fhir;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralStatus;

/**
 * A referral's change as the FHIR resource a rest-hook Subscription receives: its {@code Task} (or
 * {@code ServiceRequest}) with what the event says — status and business status, the reason code, the two agencies
 * as Organizations, the learner as a Patient by identifier — in the same codes as the referral-service's FHIR API
 * (which serves the whole resource). Events carry ids and codes only, so the notification does too: the need and any
 * text are read from the API. The learner is a logical reference ({@code identifier}, no literal
 * {@code Patient/<id>}), so that a learner's erasure, which replaces their id wherever this service keeps a copy,
 * leaves nothing behind.
 */
final class TaskResources {

    static final String REFERRAL_STATUS_SYSTEM = "urn:pathways:referral-status";
    static final String REASON_SYSTEM = "urn:pathways:referral-reason";
    static final String REFERRAL_ID_SYSTEM = "urn:pathways:referral";
    static final String LEARNER_SYSTEM = "urn:pathways:learner";
    static final String OPPORTUNITY_SYSTEM = "urn:pathways:opportunity";

    /** Our lifecycle in FHIR's Task codes (the lifecycle was drawn from them; SUBMITTED is FHIR's requested). */
    private static final Map<ReferralStatus, Task.TaskStatus> TASK_STATUS = Map.of(
            ReferralStatus.SUBMITTED, Task.TaskStatus.REQUESTED,
            ReferralStatus.RECEIVED, Task.TaskStatus.RECEIVED,
            ReferralStatus.ACCEPTED, Task.TaskStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS, Task.TaskStatus.INPROGRESS,
            ReferralStatus.ON_HOLD, Task.TaskStatus.ONHOLD,
            ReferralStatus.COMPLETED, Task.TaskStatus.COMPLETED,
            ReferralStatus.REJECTED, Task.TaskStatus.REJECTED,
            ReferralStatus.FAILED, Task.TaskStatus.FAILED,
            ReferralStatus.CANCELLED, Task.TaskStatus.CANCELLED);

    private TaskResources() {
    }

    /** What a referral event tells about the referral now. */
    record ReferralChange(String referralId, String learnerId, String opportunityId, String referringAgencyId,
                          String receivingAgencyId, ReferralStatus status, ReferralReason reason, Instant at) {
    }

    static Optional<ReferralStatus> statusForCode(String code) {
        return TASK_STATUS.entrySet().stream().filter(e -> e.getValue().toCode().equals(code))
                .map(Map.Entry::getKey).findFirst();
    }

    static Resource of(String resourceType, ReferralChange change) {
        return "ServiceRequest".equals(resourceType) ? serviceRequest(change) : task(change);
    }

    static Task task(ReferralChange change) {
        Task task = new Task();
        task.setId(change.referralId());
        task.getMeta().setLastUpdated(Date.from(change.at()));
        task.addIdentifier().setSystem(REFERRAL_ID_SYSTEM).setValue(change.referralId());
        task.setStatus(TASK_STATUS.get(change.status()));
        task.setBusinessStatus(new CodeableConcept(new Coding(REFERRAL_STATUS_SYSTEM, change.status().name(),
                null)));
        task.setIntent(Task.TaskIntent.ORDER);
        task.setCode(new CodeableConcept(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill",
                "Fulfill the focal request")));
        task.setFocus(new Reference("ServiceRequest/" + change.referralId()));
        if (change.learnerId() != null) {
            task.setFor(learner(change.learnerId()));
        }
        task.setLastModified(Date.from(change.at()));
        task.setRequester(organization(change.referringAgencyId()));
        task.setOwner(organization(change.receivingAgencyId()));
        if (change.reason() != null) {
            task.setStatusReason(new CodeableConcept(new Coding(REASON_SYSTEM, change.reason().name(), null)));
        }
        return task;
    }

    static ServiceRequest serviceRequest(ReferralChange change) {
        ServiceRequest request = new ServiceRequest();
        request.setId(change.referralId());
        request.getMeta().setLastUpdated(Date.from(change.at()));
        request.addIdentifier().setSystem(REFERRAL_ID_SYSTEM).setValue(change.referralId());
        request.setStatus(switch (change.status()) {
            case ON_HOLD -> ServiceRequest.ServiceRequestStatus.ONHOLD;
            case COMPLETED -> ServiceRequest.ServiceRequestStatus.COMPLETED;
            case REJECTED, FAILED, CANCELLED -> ServiceRequest.ServiceRequestStatus.REVOKED;
            default -> ServiceRequest.ServiceRequestStatus.ACTIVE;
        });
        request.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
        if (change.opportunityId() != null) {
            request.setCode(new CodeableConcept(new Coding(OPPORTUNITY_SYSTEM, change.opportunityId(), null)));
        }
        request.setSubject(change.learnerId() != null ? learner(change.learnerId()) : masked());
        request.setRequester(organization(change.referringAgencyId()));
        request.addPerformer(organization(change.receivingAgencyId()));
        return request;
    }

    private static Reference learner(String learnerId) {
        return new Reference().setType("Patient")
                .setIdentifier(new Identifier().setSystem(LEARNER_SYSTEM).setValue(learnerId));
    }

    private static Reference masked() {
        Reference reference = new Reference();
        reference.addExtension("http://hl7.org/fhir/StructureDefinition/data-absent-reason",
                new org.hl7.fhir.r4.model.CodeType("unknown"));
        return reference;
    }

    private static Reference organization(String agencyId) {
        return new Reference("Organization/" + agencyId).setType("Organization");
    }
}
