package org.pathways.referral.fhir;

import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;

import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.pathways.events.referral.Urgency;
import org.pathways.referral.domain.Referral;

/**
 * A referral as FHIR R4 resources, following the Gravity SDOH Clinical Care closed-loop referral pattern: the order
 * ({@code ServiceRequest}: who asked whom for what, for which person) and its fulfilment ({@code Task}: where it
 * stands, why, whose move it is). Both carry the referral's id. Organizations are our agencies
 * ({@code Organization/<agencyId>}), the person a {@code Patient} reference by the learner's id only: the profile
 * itself is read through the learner API, by those the learner allowed.
 *
 * <p>A party's workers and systems see what the referral API shows them (the learner, the need, the reasons' text);
 * its admins the metadata only, as in the referral API: no learner (the subject is marked {@code masked}), no need,
 * no text.
 */
final class ReferralResources {

    static final String REFERRAL_STATUS_SYSTEM = "urn:pathways:referral-status";
    static final String REASON_SYSTEM = "urn:pathways:referral-reason";
    static final String OPPORTUNITY_SYSTEM = "urn:pathways:opportunity";
    static final String REFERRAL_ID_SYSTEM = "urn:pathways:referral";
    static final String TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code";
    static final String DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

    private ReferralResources() {
    }

    /** What the caller may see of a referral its agency is party to. */
    enum Detail {
        /** The party's workers and systems: the learner, the need, the reasons' text. */
        FULL,
        /** The party's admins: the metadata only. */
        METADATA
    }

    static ServiceRequest serviceRequest(Referral referral, Detail detail) {
        ServiceRequest request = new ServiceRequest();
        request.setId(referral.id());
        request.setMeta(meta(referral));
        request.addIdentifier().setSystem(REFERRAL_ID_SYSTEM).setValue(referral.id());
        request.setStatus(TaskStatusMapping.of(referral.status()).request);
        request.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
        request.setPriority(priority(referral.urgency()));
        request.setCode(new CodeableConcept(new Coding(OPPORTUNITY_SYSTEM, referral.opportunityId(), null)));
        request.setSubject(learner(referral, detail));
        request.setAuthoredOnElement(new org.hl7.fhir.r4.model.DateTimeType(Date.from(referral.submittedAt())));
        request.setRequester(organization(referral.referringAgencyId()));
        request.addPerformer(organization(referral.receivingAgencyId()));
        if (detail == Detail.FULL && referral.need() != null && !referral.need().isBlank()) {
            request.addReasonCode().setText(referral.need());
        }
        if (referral.previousReferralId() != null) {
            // The referral this one followed on from (re-routed, or the next step of a completed one).
            request.addBasedOn(new Reference("ServiceRequest/" + referral.previousReferralId()));
        }
        return request;
    }

    static Task task(Referral referral, Detail detail) {
        TaskStatusMapping status = TaskStatusMapping.of(referral.status());
        Task task = new Task();
        task.setId(referral.id());
        task.setMeta(meta(referral));
        task.addIdentifier().setSystem(REFERRAL_ID_SYSTEM).setValue(referral.id());
        task.setStatus(status.task);
        task.setBusinessStatus(new CodeableConcept(new Coding(REFERRAL_STATUS_SYSTEM, referral.status().name(),
                status.display)).setText(status.display));
        task.setIntent(Task.TaskIntent.ORDER);
        task.setPriority(taskPriority(referral.urgency()));
        task.setCode(new CodeableConcept(new Coding(TASK_CODE_SYSTEM, "fulfill",
                "Fulfill the focal request")));
        task.setFocus(new Reference("ServiceRequest/" + referral.id()));
        task.setFor(learner(referral, detail));
        task.setAuthoredOn(Date.from(referral.submittedAt()));
        task.setLastModified(Date.from(lastUpdated(referral)));
        task.setRequester(organization(referral.referringAgencyId()));
        task.setOwner(organization(referral.receivingAgencyId()));
        lastChangeToCurrentStatus(referral).ifPresent(change -> {
            if (change.reason() != null) {
                CodeableConcept reason = new CodeableConcept(new Coding(REASON_SYSTEM, change.reason().name(),
                        null));
                if (detail == Detail.FULL && change.reasonText() != null && !change.reasonText().isBlank()) {
                    reason.setText(change.reasonText());
                }
                task.setStatusReason(reason);
            }
        });
        return task;
    }

    /**
     * When the referral last changed status: its history's latest entry (what {@code _lastUpdated} searches on; a
     * note or an erasure does not change these resources' meaning).
     */
    static Instant lastUpdated(Referral referral) {
        return referral.history().stream().map(Referral.StatusChange::at)
                .max(Comparator.naturalOrder()).orElse(referral.submittedAt());
    }

    private static java.util.Optional<Referral.StatusChange> lastChangeToCurrentStatus(Referral referral) {
        List<Referral.StatusChange> history = referral.history();
        if (history.isEmpty()) {
            return java.util.Optional.empty();
        }
        Referral.StatusChange last = history.getLast();
        return last.status() == referral.status() ? java.util.Optional.of(last) : java.util.Optional.empty();
    }

    private static Meta meta(Referral referral) {
        Meta meta = new Meta();
        if (referral.version() != null) {
            meta.setVersionId(String.valueOf(referral.version()));
        }
        meta.setLastUpdated(Date.from(lastUpdated(referral)));
        return meta;
    }

    static Reference organization(String agencyId) {
        return new Reference("Organization/" + agencyId).setType("Organization");
    }

    /** The learner by id only; for a caller who may not see it, the reference says the value is masked. */
    private static Reference learner(Referral referral, Detail detail) {
        if (detail == Detail.FULL && referral.learnerId() != null) {
            return new Reference("Patient/" + referral.learnerId()).setType("Patient");
        }
        Reference masked = new Reference();
        masked.addExtension(DATA_ABSENT_REASON, new CodeType("masked"));
        return masked;
    }

    private static ServiceRequest.ServiceRequestPriority priority(Urgency urgency) {
        return switch (urgency == null ? Urgency.ROUTINE : urgency) {
            case ROUTINE -> ServiceRequest.ServiceRequestPriority.ROUTINE;
            case SOON -> ServiceRequest.ServiceRequestPriority.URGENT;
            case URGENT -> ServiceRequest.ServiceRequestPriority.ASAP;
        };
    }

    private static Task.TaskPriority taskPriority(Urgency urgency) {
        return switch (urgency == null ? Urgency.ROUTINE : urgency) {
            case ROUTINE -> Task.TaskPriority.ROUTINE;
            case SOON -> Task.TaskPriority.URGENT;
            case URGENT -> Task.TaskPriority.ASAP;
        };
    }
}
