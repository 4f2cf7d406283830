package org.pathways.notification.fhir;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription.SubscriptionChannelType;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.pathways.notification.subscription.Subscription;
import org.pathways.notification.subscription.Subscriptions;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.platform.validation.ResourceId;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * FHIR R4 {@code Subscription} at {@code /api/fhir/r4/Subscription} (the gateway routes it here; the rest of the
 * FHIR API is the referral-service's): create, read, search (the agency's own) and delete. Only rest-hook
 * channels; criteria on Task or ServiceRequest ({@link RestHookCriteria}). Like webhook subscriptions, managed by an
 * agency admin, and another agency's Subscription is a 404. The channel's header values are never shown back.
 */
// Described by its CapabilityStatement (/metadata), the FHIR way, not in the service's OpenAPI document: its
// bodies are FHIR resources, which an OpenAPI schema of String would only misdescribe.
@io.swagger.v3.oas.annotations.Hidden
@RestController
@RequestMapping("/api/fhir/r4/Subscription")
class FhirSubscriptionController {

    /** An HTTP header line: a token name, a colon, a value without control characters. */
    private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}:[\\x20-\\x7E\\t]{0,2048}");
    private static final int MAX_HEADERS = 10;

    private final FhirContext fhir;
    private final Subscriptions subscriptions;

    FhirSubscriptionController(FhirContext fhir, Subscriptions subscriptions) {
        this.fhir = fhir;
        this.subscriptions = subscriptions;
    }

    @PostMapping
    ResponseEntity<String> create(Caller caller, @RequestBody(required = false) String body) {
        requireAdmin(caller);
        org.hl7.fhir.r4.model.Subscription requested = parse(body);
        if (!requested.hasChannel() || requested.getChannel().getType() != SubscriptionChannelType.RESTHOOK) {
            throw invalid("Only rest-hook channels are supported (channel.type = rest-hook).");
        }
        if (!requested.getChannel().hasEndpoint()) {
            throw invalid("channel.endpoint is required.");
        }
        if (!requested.hasReason()) {
            throw invalid("reason is required.");
        }
        String criteria = requested.getCriteria();
        try {
            RestHookCriteria.parse(criteria);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        String payload = requested.getChannel().getPayload();
        if (payload != null && !payload.equals(RestHookNotifications.FHIR_JSON)
                && !payload.equals("application/json")) {
            throw invalid("channel.payload must be application/fhir+json, or absent for an empty notification.");
        }
        List<String> headers = new ArrayList<>();
        for (StringType header : requested.getChannel().getHeader()) {
            if (header.getValue() == null || !HEADER.matcher(header.getValue()).matches()) {
                throw invalid("channel.header entries must be 'Name: value' HTTP headers.");
            }
            headers.add(header.getValue());
        }
        if (headers.size() > MAX_HEADERS) {
            throw invalid("At most " + MAX_HEADERS + " channel.header entries.");
        }
        Subscription created = subscriptions.registerRestHook(caller.agencyId(),
                requested.getChannel().getEndpoint(), RestHookNotifications.EVENT_TYPES, criteria.trim(),
                requested.getReason(), payload == null ? null : RestHookNotifications.FHIR_JSON, headers);
        return ResponseEntity.created(ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}")
                        .buildAndExpand(created.id()).toUri())
                .contentType(FhirOutcomes.FHIR_JSON).body(encode(resource(created)));
    }

    @GetMapping("/{id}")
    ResponseEntity<String> read(Caller caller, @PathVariable @ResourceId
            String id) {
        requireAdmin(caller);
        Subscription subscription = subscriptions.find(id)
                .filter(s -> s.belongsTo(caller.agencyId()) && s.restHook() != null)
                .orElseThrow(() -> notFound(id));
        return ResponseEntity.ok().contentType(FhirOutcomes.FHIR_JSON).body(encode(resource(subscription)));
    }

    @GetMapping
    ResponseEntity<String> search(Caller caller, @RequestParam java.util.Map<String, String> parameters,
                                  HttpServletRequest request) {
        requireAdmin(caller);
        for (String name : parameters.keySet()) {
            if (!name.equals("_format") || !List.of("json", "application/fhir+json").contains(parameters.get(name))) {
                throw invalid("Searching Subscriptions takes no parameters: it lists the agency's own.");
            }
        }
        String base = ServletUriComponentsBuilder.fromCurrentRequestUri().replaceQuery(null).toUriString();
        Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        bundle.addLink().setRelation("self").setUrl(ServletUriComponentsBuilder.fromRequest(request).toUriString());
        for (Subscription subscription : subscriptions.ofAgency(caller.agencyId())) {
            if (subscription.restHook() != null) {
                bundle.addEntry().setFullUrl(base + "/" + subscription.id()).setResource(resource(subscription))
                        .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
            }
        }
        bundle.setTotal(bundle.getEntry().size());
        return ResponseEntity.ok().contentType(FhirOutcomes.FHIR_JSON).body(encode(bundle));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(Caller caller, @PathVariable @ResourceId
            String id) {
        requireAdmin(caller);
        boolean restHook = subscriptions.find(id).filter(s -> s.belongsTo(caller.agencyId()))
                .map(s -> s.restHook() != null).orElse(false);
        if (!restHook || !subscriptions.remove(caller.agencyId(), id)) {
            throw notFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    /** Any other interaction (update, patch, history...) on Subscriptions. */
    @RequestMapping("/**")
    ResponseEntity<String> unsupported(HttpServletRequest request) {
        throw new FhirOutcomes.Refusal(HttpStatus.METHOD_NOT_ALLOWED, IssueType.NOTSUPPORTED,
                request.getMethod() + " is not supported on Subscription (create, read, search and delete are).");
    }

    private org.hl7.fhir.r4.model.Subscription parse(String body) {
        if (body == null || body.isBlank()) {
            throw invalid("The body must be a FHIR Subscription resource (application/fhir+json).");
        }
        IParser parser = fhir.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
        try {
            return parser.parseResource(org.hl7.fhir.r4.model.Subscription.class, body);
        } catch (DataFormatException | ClassCastException e) {
            throw invalid("The body is not a valid FHIR R4 Subscription resource.");
        }
    }

    /** The stored subscription as a FHIR Subscription: header values are not shown back (they hold credentials). */
    private static org.hl7.fhir.r4.model.Subscription resource(Subscription stored) {
        org.hl7.fhir.r4.model.Subscription resource = new org.hl7.fhir.r4.model.Subscription();
        resource.setId(stored.id());
        resource.getMeta().setLastUpdated(Date.from(stored.createdAt()));
        resource.setStatus(switch (stored.status()) {
            case ACTIVE -> SubscriptionStatus.ACTIVE;
            case PAUSED -> SubscriptionStatus.OFF;
            case DISABLED -> SubscriptionStatus.ERROR;
        });
        if (stored.status() == org.pathways.notification.subscription.SubscriptionStatus.DISABLED) {
            resource.setError("The endpoint answered 410 Gone: nothing more is sent to it.");
        }
        resource.setReason(stored.restHook().reason());
        resource.setCriteria(stored.restHook().criteria());
        resource.getChannel().setType(SubscriptionChannelType.RESTHOOK).setEndpoint(stored.url())
                .setPayload(stored.restHook().payload());
        return resource;
    }

    private String encode(org.hl7.fhir.r4.model.Resource resource) {
        return fhir.newJsonParser().encodeResourceToString(resource);
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.has(Role.AGENCY_ADMIN)) {
            throw new FhirOutcomes.Refusal(HttpStatus.FORBIDDEN, IssueType.FORBIDDEN,
                    "Only an agency admin manages the agency's subscriptions.");
        }
    }

    private static FhirOutcomes.Refusal invalid(String diagnostics) {
        return new FhirOutcomes.Refusal(HttpStatus.BAD_REQUEST, IssueType.INVALID, diagnostics);
    }

    private static FhirOutcomes.Refusal notFound(String id) {
        return new FhirOutcomes.Refusal(HttpStatus.NOT_FOUND, IssueType.NOTFOUND,
                "Subscription/" + id + " is not known.");
    }
}
