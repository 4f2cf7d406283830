package org.pathways.notification.fhir;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import ca.uhn.fhir.context.FhirContext;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.Topic;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.ReferralTransitioned;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.notification.subscription.RestHook;
import org.springframework.stereotype.Component;

/**
 * What a FHIR rest-hook Subscription is sent for a referral event: nothing unless the event changed the referral's
 * status (submitted or a transition) and the referral now matches the criteria; then, with payload
 * {@code application/fhir+json}, the Task (or ServiceRequest) as JSON, or for an empty notification an empty body.
 */
@Component
public class RestHookNotifications {

    /** The media type of a full-resource notification. */
    public static final String FHIR_JSON = "application/fhir+json";

    /** The referral events that change a Task's status: what a rest-hook Subscription listens to. */
    public static final List<String> EVENT_TYPES = Arrays.stream(EventType.values())
            .filter(t -> t.topic() == Topic.REFERRALS)
            .filter(t -> t.dataClass() == ReferralSubmitted.class
                    || ReferralTransitioned.class.isAssignableFrom(t.dataClass()))
            .map(EventType::type).sorted().toList();

    private final FhirContext fhir;

    RestHookNotifications(FhirContext fhir) {
        this.fhir = fhir;
    }

    /**
     * The body to send to a rest-hook for this event, or empty when the event does not concern it.
     *
     * @return the resource's JSON, or {@code ""} for an empty notification
     */
    public Optional<String> bodyFor(ReceivedEvent event, RestHook hook) {
        Optional<TaskResources.ReferralChange> change = changeOf(event);
        if (change.isEmpty()) {
            return Optional.empty();
        }
        RestHookCriteria criteria = RestHookCriteria.parse(hook.criteria());
        TaskResources.ReferralChange now = change.get();
        if (!criteria.matches(now.referringAgencyId(), now.receivingAgencyId(), now.status())) {
            return Optional.empty();
        }
        if (hook.payload() == null) {
            return Optional.of("");
        }
        return Optional.of(fhir.newJsonParser().encodeResourceToString(
                TaskResources.of(criteria.resourceType(), now)));
    }

    /** The resource path a full-resource notification is PUT to under the endpoint ({@code Task/<id>}). */
    public static String resourcePath(RestHook hook, String referralId) {
        return RestHookCriteria.parse(hook.criteria()).resourceType() + "/" + referralId;
    }

    static Optional<TaskResources.ReferralChange> changeOf(ReceivedEvent event) {
        Optional<EventType> type = event.knownType();
        if (type.isEmpty()) {
            return Optional.empty();
        }
        Class<?> dataClass = type.get().dataClass();
        if (dataClass == ReferralSubmitted.class) {
            ReferralSubmitted submitted = event.data(ReferralSubmitted.class);
            return Optional.of(new TaskResources.ReferralChange(submitted.referralId(), submitted.learnerId(),
                    submitted.opportunityId(), submitted.referringAgencyId(), submitted.receivingAgencyId(),
                    ReferralStatus.SUBMITTED, null, submitted.submittedAt()));
        }
        if (ReferralTransitioned.class.isAssignableFrom(dataClass)) {
            ReferralTransitioned changed = (ReferralTransitioned) event.data(dataClass);
            return Optional.of(new TaskResources.ReferralChange(changed.referralId(), changed.learnerId(),
                    changed.opportunityId(), changed.referringAgencyId(), changed.receivingAgencyId(),
                    changed.status(), changed.reason(), changed.at()));
        }
        return Optional.empty();
    }
}
