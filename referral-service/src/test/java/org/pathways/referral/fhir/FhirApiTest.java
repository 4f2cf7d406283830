package org.pathways.referral.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;
import org.pathways.platform.security.Role;
import org.pathways.referral.ReferralServiceTest;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * The FHIR R4 face of referrals, over real HTTP with the real broker and store: each referral an agency is party
 * to as a ServiceRequest and its Task (Gravity closed-loop pattern), every resource valid against the base R4
 * profiles, standing as in the referral API (anyone else: a FHIR 404), and bad input answered with an
 * OperationOutcome and a 4xx.
 */
class FhirApiTest extends ReferralServiceTest {

    private static final String BASE = "/api/fhir/r4";

    /** A receiving agency of this test only, so its searches see exactly the referrals made here. */
    private static String newAgency() {
        return "agency-gp-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private HttpResponse<String> fhirGet(String path, String token) {
        return send("GET", BASE + path, token, null, "Accept", "application/fhir+json");
    }

    /** Reads a resource that must be there, checks its media type and validates it against the R4 profiles. */
    private <T extends Resource> T read(Class<T> type, String path, String token) {
        HttpResponse<String> response = fhirGet(path, token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+json");
        FhirValidation.assertValid(response.body());
        return FhirValidation.R4.newJsonParser().parseResource(type, response.body());
    }

    /** Asks for something refused: an OperationOutcome (valid R4) with this status, never HTML or a problem. */
    private OperationOutcome refused(int status, String method, String path, String token) {
        HttpResponse<String> response = send(method, BASE + path, token, null);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/fhir+json");
        FhirValidation.assertValid(response.body());
        OperationOutcome outcome = FhirValidation.R4.newJsonParser().parseResource(OperationOutcome.class,
                response.body());
        assertThat(outcome.getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
        return outcome;
    }

    private JsonNode referralTo(String agency) {
        return submitted(consentedLearnerAndPublishedCourse(agency, 20, 0));
    }

    private static String id(JsonNode referral) {
        return referral.get("id").asString();
    }

    @Test
    void everyLifecycleStateIsATaskStatusWithItsBusinessStatusAndReason() {
        String gp = newAgency();
        String receiver = worker(gp);
        Map<String, JsonNode> byStatus = new LinkedHashMap<>();
        byStatus.put("requested", referralTo(gp));
        byStatus.put("received", step(receiver, referralTo(gp), "RECEIVE", null));
        JsonNode accepted = step(receiver, step(receiver, referralTo(gp), "RECEIVE", null), "ACCEPT", null);
        byStatus.put("accepted", accepted);
        byStatus.put("in-progress", step(receiver, step(receiver, step(receiver, referralTo(gp), "RECEIVE", null),
                "ACCEPT", null), "START", null));
        byStatus.put("on-hold", step(receiver, step(receiver, step(receiver, referralTo(gp), "RECEIVE", null),
                "ACCEPT", null), "HOLD", "WAITLISTED"));
        byStatus.put("completed", completed(referralTo(gp), gp));
        byStatus.put("rejected", step(receiver, referralTo(gp), "REJECT", "NOT_ELIGIBLE"));
        byStatus.put("failed", step(receiver, step(receiver, step(receiver, referralTo(gp), "RECEIVE", null),
                "ACCEPT", null), "FAIL", "DID_NOT_START"));
        byStatus.put("cancelled", step(worker(COUNCIL), referralTo(gp), "CANCEL", null));
        Map<String, String> requestStatus = Map.of("requested", "active", "received", "active", "accepted", "active",
                "in-progress", "active", "on-hold", "on-hold", "completed", "completed", "rejected", "revoked",
                "failed", "revoked", "cancelled", "revoked");
        Map<String, String> reasons = Map.of("on-hold", "WAITLISTED", "rejected", "NOT_ELIGIBLE", "failed",
                "DID_NOT_START");

        for (Map.Entry<String, JsonNode> entry : byStatus.entrySet()) {
            String referralId = id(entry.getValue());
            Task task = read(Task.class, "/Task/" + referralId, receiver);
            assertThat(task.getStatus().toCode()).as(referralId).isEqualTo(entry.getKey());
            assertThat(task.getBusinessStatus().getCodingFirstRep().getCode())
                    .isEqualTo(entry.getValue().get("status").asString());
            assertThat(task.getIntent()).isEqualTo(Task.TaskIntent.ORDER);
            assertThat(task.getCode().getCodingFirstRep().getCode()).isEqualTo("fulfill");
            assertThat(task.getFocus().getReference()).isEqualTo("ServiceRequest/" + referralId);
            assertThat(task.getOwner().getReference()).isEqualTo("Organization/" + gp);
            assertThat(task.getRequester().getReference()).isEqualTo("Organization/" + COUNCIL);
            assertThat(task.getFor().getReference())
                    .isEqualTo("Patient/" + entry.getValue().get("learnerId").asString());
            assertThat(task.hasStatusReason() ? task.getStatusReason().getCodingFirstRep().getCode() : null)
                    .isEqualTo(reasons.get(entry.getKey()));

            ServiceRequest request = read(ServiceRequest.class, "/ServiceRequest/" + referralId, worker(COUNCIL));
            assertThat(request.getStatus().toCode()).isEqualTo(requestStatus.get(entry.getKey()));
            assertThat(request.getIntent()).isEqualTo(ServiceRequest.ServiceRequestIntent.ORDER);
            assertThat(request.getRequester().getReference()).isEqualTo("Organization/" + COUNCIL);
            assertThat(request.getPerformerFirstRep().getReference()).isEqualTo("Organization/" + gp);
            assertThat(request.getSubject().getReference()).isEqualTo(task.getFor().getReference());
            assertThat(request.getReasonCodeFirstRep().getText()).isEqualTo("Wants to improve spoken English for work");
            assertThat(request.getCode().getCodingFirstRep().getCode())
                    .isEqualTo(entry.getValue().get("opportunityId").asString());
        }
        assertThat(byStatus.keySet()).as("every state of the lifecycle").hasSize(9);
    }

    @Test
    void aStrangerAgencyOrACoordinatorIsToldTheReferralDoesNotExist() {
        String gp = newAgency();
        String referralId = id(referralTo(gp));
        for (String outsider : List.of(worker(JOBCENTRE), coordinator(),
                TestTokens.token("sys-1", JOBCENTRE, Role.AGENCY_SYSTEM))) {
            for (String type : List.of("Task", "ServiceRequest")) {
                OperationOutcome existing = refused(404, "GET", "/" + type + "/" + referralId, outsider);
                OperationOutcome unknown = refused(404, "GET", "/" + type + "/ref-" + UUID.randomUUID(), outsider);
                assertThat(existing.getIssueFirstRep().getCode()).isEqualTo(unknown.getIssueFirstRep().getCode())
                        .isEqualTo(OperationOutcome.IssueType.NOTFOUND);
            }
            Bundle tasks = read(Bundle.class, "/Task?owner=Organization/" + gp, outsider);
            assertThat(tasks.getTotal()).as("a search never widens standing").isZero();
            assertThat(tasks.getEntry()).isEmpty();
            Bundle requests = read(Bundle.class, "/ServiceRequest?requester=" + COUNCIL + "&_id=" + referralId,
                    outsider);
            assertThat(requests.getEntry()).isEmpty();
        }
    }

    @Test
    void theReceiverStillSeesAClosedReferralAsTheReferralApiShowsItAndAnAdminOnlyItsMetadata() {
        String gp = newAgency();
        JsonNode done = completed(referralTo(gp), gp);
        String referralId = id(done);
        // The referral API keeps a closed referral readable to both parties (the learner's record is what closes).
        assertThat(api().get("/api/referrals/" + referralId, worker(gp)).status()).isEqualTo(200);
        Task task = read(Task.class, "/Task/" + referralId, worker(gp));
        assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
        assertThat(task.getFor().getReference()).startsWith("Patient/");

        // A party's admin sees the metadata only, as in the referral API: no learner, no need.
        String admin = TestTokens.token("admin-1", gp, Role.AGENCY_ADMIN);
        assertThat(api().get("/api/referrals/" + referralId, admin).body().has("learnerId")).isFalse();
        Task adminTask = read(Task.class, "/Task/" + referralId, admin);
        assertThat(adminTask.getFor().hasReference()).isFalse();
        assertThat(adminTask.getFor().getExtensionFirstRep().getValue().primitiveValue()).isEqualTo("masked");
        ServiceRequest adminRequest = read(ServiceRequest.class, "/ServiceRequest/" + referralId, admin);
        assertThat(adminRequest.getSubject().hasReference()).isFalse();
        assertThat(adminRequest.hasReasonCode()).isFalse();
    }

    @Test
    void searchesByOwnerStatusLastUpdatedAndRequesterReturnValidSearchsetBundles() {
        String gp = newAgency();
        String receiver = worker(gp);
        JsonNode open = referralTo(gp);
        JsonNode accepted = step(receiver, step(receiver, referralTo(gp), "RECEIVE", null), "ACCEPT", null);
        JsonNode rejected = step(receiver, referralTo(gp), "REJECT", "NO_CAPACITY");
        Instant afterThem = Instant.now();
        JsonNode later = step(receiver, open, "RECEIVE", null);

        Bundle all = read(Bundle.class, "/Task?owner=Organization/" + gp, receiver);
        assertThat(all.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
        assertThat(all.getTotal()).isEqualTo(3);
        assertThat(all.getEntry()).allSatisfy(e -> {
            assertThat(e.getResource()).isInstanceOf(Task.class);
            assertThat(e.getFullUrl()).endsWith(BASE + "/Task/" + e.getResource().getIdPart());
            assertThat(e.getSearch().getMode()).isEqualTo(Bundle.SearchEntryMode.MATCH);
        });

        Bundle acceptedOnes = read(Bundle.class, "/Task?owner=" + gp + "&status=accepted,rejected", receiver);
        assertThat(ids(acceptedOnes)).containsExactlyInAnyOrder(id(accepted), id(rejected));

        Bundle changedSince = read(Bundle.class, "/Task?owner=Organization/" + gp + "&_lastUpdated=ge"
                + encode(afterThem.toString()), receiver);
        assertThat(ids(changedSince)).containsExactly(id(later));
        Bundle notChangedSince = read(Bundle.class, "/Task?owner=Organization/" + gp + "&_lastUpdated=lt"
                + encode(afterThem.toString()), receiver);
        assertThat(ids(notChangedSince)).containsExactlyInAnyOrder(id(accepted), id(rejected));

        Bundle withFocus = read(Bundle.class, "/Task?owner=Organization/" + gp + "&status=accepted"
                + "&_include=Task:focus", receiver);
        assertThat(withFocus.getEntry()).extracting(e -> e.getResource().fhirType())
                .containsExactly("Task", "ServiceRequest");

        Bundle requests = read(Bundle.class, "/ServiceRequest?requester=Organization/" + COUNCIL
                + "&performer=Organization/" + gp + "&status=revoked", receiver);
        assertThat(ids(requests)).containsExactly(id(rejected));

        Bundle firstPage = read(Bundle.class, "/Task?owner=Organization/" + gp + "&_count=2", receiver);
        assertThat(firstPage.getEntry()).hasSize(2);
        String next = firstPage.getLink("next").getUrl();
        Bundle secondPage = read(Bundle.class, next.substring(next.indexOf(BASE) + BASE.length()), receiver);
        assertThat(secondPage.getEntry()).hasSize(1);
        assertThat(secondPage.getLink("next")).isNull();
    }

    @Test
    void theCapabilityStatementIsValidAndNamesTheResourcesServed() {
        CapabilityStatement statement = read(CapabilityStatement.class, "/metadata", worker(COUNCIL));
        assertThat(statement.getFhirVersion().toCode()).isEqualTo("4.0.1");
        assertThat(statement.getRestFirstRep().getResource()).extracting(r -> r.getType())
                .contains("Task", "ServiceRequest", "Subscription");
    }

    @Test
    void badRequestsAreAnsweredWithAnOperationOutcomeAndA4xx() {
        String token = worker(COUNCIL);
        refused(400, "GET", "/Task?colour=blue", token);
        refused(400, "GET", "/Task?owner:missing=true", token);
        refused(400, "GET", "/Task?status=draft", token);
        refused(400, "GET", "/Task?status=active", token);
        refused(400, "GET", "/ServiceRequest?status=requested", token);
        refused(400, "GET", "/Task?_count=0", token);
        refused(400, "GET", "/Task?_count=lots", token);
        refused(400, "GET", "/Task?_lastUpdated=yesterday", token);
        refused(400, "GET", "/Task?_lastUpdated=sa2026-01-01", token);
        refused(400, "GET", "/Task?owner=Patient/1", token);
        refused(400, "GET", "/Task?_include=Task:owner", token);
        refused(400, "GET", "/Task/not%20an%20id", token);
        refused(406, "GET", "/Task?_format=xml", token);
        refused(405, "POST", "/Task", token);
        refused(405, "DELETE", "/ServiceRequest/ref-1", token);
        OperationOutcome unknownType = refused(404, "GET", "/Patient/lrn-1", token);
        assertThat(unknownType.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.NOTSUPPORTED);
    }

    @Test
    void aPersonalDataReadThatCannotBeAuditedIsRefusedWithAnOperationOutcome() {
        String gp = newAgency();
        String referralId = id(referralTo(gp));
        auditTrail.down(true);
        try {
            OperationOutcome outcome = refused(503, "GET", "/Task/" + referralId, worker(gp));
            assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
        } finally {
            auditTrail.down(false);
        }
        read(Task.class, "/Task/" + referralId, worker(gp));
    }

    private static List<String> ids(Bundle bundle) {
        return bundle.getEntry().stream().map(e -> e.getResource().getIdPart()).toList();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
