package org.pathways.referral.fhir;

import java.util.Date;
import java.util.List;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;
import org.pathways.platform.audit.PersonalDataRead;
import org.pathways.platform.security.Caller;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.web.ReferralView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The read-only FHIR R4 API at {@code /api/fhir/r4}: {@code ServiceRequest} and {@code Task} read and search, and
 * the {@code CapabilityStatement}. Spring MVC controllers serialising with HAPI's {@link FhirContext}, so that
 * authentication, the {@link Caller}, audit of personal-data reads and the request limits are the service's own;
 * only the error format differs ({@link OperationOutcomes}). {@code Subscription} lives in the notification-service
 * (the gateway routes it there).
 */
// Described by its CapabilityStatement (/metadata), the FHIR way, not in the service's OpenAPI document: its
// bodies are FHIR resources, which an OpenAPI schema of String would only misdescribe.
@io.swagger.v3.oas.annotations.Hidden
@RestController
@RequestMapping("/api/fhir/r4")
class FhirController {

    static final String BASE = "/api/fhir/r4";
    private static final Logger log = LoggerFactory.getLogger(FhirController.class);

    private final FhirContext fhir;
    private final MongoTemplate store;
    private final FhirProperties properties;

    private final org.pathways.referral.web.PartyStanding standing;

    FhirController(FhirContext fhir, MongoTemplate store, FhirProperties properties,
                   org.pathways.referral.web.PartyStanding standing) {
        this.standing = standing;
        this.fhir = fhir;
        this.store = store;
        this.properties = properties;
    }

    @GetMapping("/metadata")
    ResponseEntity<String> metadata() {
        return ok(Capabilities.statement());
    }

    @PersonalDataRead("FHIR ServiceRequest: learner reference and need")
    @GetMapping("/ServiceRequest/{id}")
    ResponseEntity<String> serviceRequest(Caller caller, @PathVariable @ResourceId String id) {
        Referral referral = partyReferral(caller, "ServiceRequest", id);
        return versioned(ReferralResources.serviceRequest(referral, detailFor(caller, referral)), referral);
    }

    @PersonalDataRead("FHIR Task: learner reference and reasons")
    @GetMapping("/Task/{id}")
    ResponseEntity<String> task(Caller caller, @PathVariable @ResourceId String id) {
        Referral referral = partyReferral(caller, "Task", id);
        return versioned(ReferralResources.task(referral, detailFor(caller, referral)), referral);
    }

    @PersonalDataRead("FHIR Task search: learner references and reasons")
    @GetMapping("/Task")
    ResponseEntity<String> searchTasks(Caller caller, @RequestParam MultiValueMap<String, String> parameters,
                                       HttpServletRequest request) {
        return ok(search(caller, FhirSearch.Resource.TASK, parameters, request));
    }

    @PersonalDataRead("FHIR ServiceRequest search: learner references and needs")
    @GetMapping("/ServiceRequest")
    ResponseEntity<String> searchServiceRequests(Caller caller,
                                                 @RequestParam MultiValueMap<String, String> parameters,
                                                 HttpServletRequest request) {
        return ok(search(caller, FhirSearch.Resource.SERVICE_REQUEST, parameters, request));
    }

    /** Anything else under the base: an interaction or a resource type this server does not offer. */
    @RequestMapping("/**")
    ResponseEntity<String> unsupported(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length() + BASE.length());
        String type = path.replaceFirst("^/", "").replaceFirst("/.*", "");
        if (List.of("Task", "ServiceRequest", "metadata").contains(type)) {
            throw new FhirError(HttpStatus.METHOD_NOT_ALLOWED, IssueType.NOTSUPPORTED,
                    "This FHIR API is read-only: " + request.getMethod() + " is not supported here.");
        }
        throw new FhirError(HttpStatus.NOT_FOUND, IssueType.NOTSUPPORTED,
                "This server does not offer that resource type or interaction (see /metadata).");
    }

    private Bundle search(Caller caller, FhirSearch.Resource resource, MultiValueMap<String, String> parameters,
                          HttpServletRequest request) {
        requireAgency(caller);
        FhirSearch search = FhirSearch.parse(resource, caller.agencyId(), parameters);
        List<Referral> page = store.find(search.query(), Referral.class);
        long total = store.count(search.countQuery(), Referral.class);
        ReferralResources.Detail roles = detailFor(caller);
        java.util.function.Predicate<Referral> standsFor = standing.forMany(caller.agencyId());
        String base = properties.baseUrl() != null ? properties.baseUrl()
                : ServletUriComponentsBuilder.fromCurrentContextPath().path(BASE).toUriString();
        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.SEARCHSET);
        bundle.setTotal((int) Math.min(total, Integer.MAX_VALUE));
        bundle.getMeta().setLastUpdated(new Date());
        var self = org.springframework.web.util.UriComponentsBuilder.fromUriString(base + "/" + resource.type)
                .query(request.getQueryString());
        // The query as the client sent it (already percent-encoded, and checked so by the HTTP edge).
        bundle.addLink().setRelation("self").setUrl(self.build(true).toUriString());
        if (search.offset() + page.size() < total) {
            bundle.addLink().setRelation("next").setUrl(self.replaceQueryParam("_offset",
                    search.offset() + page.size()).build(true).toUriString());
        }
        for (Referral referral : page) {
            ReferralResources.Detail detail = standsFor.test(referral) ? roles : ReferralResources.Detail.METADATA;
            Resource match = resource == FhirSearch.Resource.TASK ? ReferralResources.task(referral, detail)
                    : ReferralResources.serviceRequest(referral, detail);
            bundle.addEntry().setFullUrl(base + "/" + match.fhirType() + "/" + referral.id()).setResource(match)
                    .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
        }
        if (search.includeFocus()) {
            for (Referral referral : page) {
                bundle.addEntry().setFullUrl(base + "/ServiceRequest/" + referral.id())
                        .setResource(ReferralResources.serviceRequest(referral,
                                standsFor.test(referral) ? roles : ReferralResources.Detail.METADATA))
                        .getSearch().setMode(Bundle.SearchEntryMode.INCLUDE);
            }
        }
        log.debug("FHIR {} search by agency {}: {} of {}", resource.type, caller.agencyId(), page.size(), total);
        return bundle;
    }

    /** The referral, if the caller's agency is party to it; anyone else is told it does not exist. */
    private Referral partyReferral(Caller caller, String type, String id) {
        requireAgency(caller);
        Referral referral = store.findById(id, Referral.class);
        if (referral == null || !referral.isPartyTo(caller.agencyId())) {
            throw FhirError.notFound(type, id);
        }
        return referral;
    }

    private static void requireAgency(Caller caller) {
        if (caller.agencyId() == null || caller.agencyId().isBlank()) {
            throw new FhirError(HttpStatus.FORBIDDEN, IssueType.FORBIDDEN,
                    "Only callers acting for an agency read referrals.");
        }
    }

    /** {@link #detailFor(Caller)}, and metadata only while the caller's agency has no standing for the learner. */
    private ReferralResources.Detail detailFor(Caller caller, Referral referral) {
        return standing.has(referral, caller.agencyId()) ? detailFor(caller) : ReferralResources.Detail.METADATA;
    }

    /** As in the referral API: a party's workers and systems see the learner and the need, its admins metadata. */
    private static ReferralResources.Detail detailFor(Caller caller) {
        return ReferralView.seesPersonalData(caller) ? ReferralResources.Detail.FULL
                : ReferralResources.Detail.METADATA;
    }

    private ResponseEntity<String> versioned(Resource resource, Referral referral) {
        return ResponseEntity.ok().contentType(OperationOutcomes.FHIR_JSON)
                .eTag("W/\"" + referral.version() + "\"")
                .lastModified(ReferralResources.lastUpdated(referral))
                .body(fhir.newJsonParser().encodeResourceToString(resource));
    }

    private ResponseEntity<String> ok(Resource resource) {
        return ResponseEntity.ok().contentType(OperationOutcomes.FHIR_JSON)
                .body(fhir.newJsonParser().encodeResourceToString(resource));
    }

    /** What this server offers, for FHIR clients' discovery. */
    static final class Capabilities {

        private Capabilities() {
        }

        static CapabilityStatement statement() {
            CapabilityStatement statement = new CapabilityStatement();
            statement.setStatus(Enumerations.PublicationStatus.ACTIVE);
            statement.setDate(new Date());
            statement.setKind(CapabilityStatement.CapabilityStatementKind.INSTANCE);
            statement.setFhirVersion(Enumerations.FHIRVersion._4_0_1);
            statement.addFormat("application/fhir+json");
            statement.addFormat("json");
            statement.getSoftware().setName("Pathways referral-service");
            statement.getImplementation().setDescription(
                    "Pathways referrals as ServiceRequest and Task (read-only, Gravity closed-loop pattern); "
                            + "Subscription (rest-hook) for notifications.");
            CapabilityStatement.CapabilityStatementRestComponent rest = statement.addRest();
            rest.setMode(CapabilityStatement.RestfulCapabilityMode.SERVER);
            rest.getSecurity().setDescription("OAuth2 bearer token of the partnership's issuer; an agency sees "
                    + "the referrals it is party to.");
            CapabilityStatement.CapabilityStatementRestResourceComponent task = resource(rest, "Task");
            searchParam(task, "owner", Enumerations.SearchParamType.REFERENCE);
            searchParam(task, "requester", Enumerations.SearchParamType.REFERENCE);
            searchParam(task, "status", Enumerations.SearchParamType.TOKEN);
            searchParam(task, "_lastUpdated", Enumerations.SearchParamType.DATE);
            searchParam(task, "_id", Enumerations.SearchParamType.TOKEN);
            task.addSearchInclude("Task:focus");
            CapabilityStatement.CapabilityStatementRestResourceComponent request = resource(rest, "ServiceRequest");
            searchParam(request, "requester", Enumerations.SearchParamType.REFERENCE);
            searchParam(request, "performer", Enumerations.SearchParamType.REFERENCE);
            searchParam(request, "status", Enumerations.SearchParamType.TOKEN);
            searchParam(request, "_lastUpdated", Enumerations.SearchParamType.DATE);
            searchParam(request, "_id", Enumerations.SearchParamType.TOKEN);
            CapabilityStatement.CapabilityStatementRestResourceComponent subscription = rest.addResource()
                    .setType("Subscription");
            subscription.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.CREATE);
            subscription.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.READ);
            subscription.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.DELETE);
            subscription.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.SEARCHTYPE);
            return statement;
        }

        private static CapabilityStatement.CapabilityStatementRestResourceComponent resource(
                CapabilityStatement.CapabilityStatementRestComponent rest, String type) {
            CapabilityStatement.CapabilityStatementRestResourceComponent resource = rest.addResource().setType(type);
            resource.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.READ);
            resource.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.SEARCHTYPE);
            resource.setReadHistory(false).setUpdateCreate(false);
            return resource;
        }

        private static void searchParam(CapabilityStatement.CapabilityStatementRestResourceComponent resource,
                                        String name, Enumerations.SearchParamType type) {
            resource.addSearchParam().setName(name).setType(type);
        }
    }
}
