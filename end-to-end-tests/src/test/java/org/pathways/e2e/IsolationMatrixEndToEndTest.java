package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pathways.e2e.OperationMatrix.JSON;
import static org.pathways.e2e.OperationMatrix.call;
import static org.pathways.e2e.OperationMatrix.callersOf;
import static org.pathways.e2e.OperationMatrix.containsAnyOf;
import static org.pathways.e2e.OperationMatrix.first;
import static org.pathways.e2e.OperationMatrix.id;
import static org.pathways.e2e.OperationMatrix.ok;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.e2e.OperationMatrix.Caller;
import org.pathways.e2e.OperationMatrix.Findings;
import org.pathways.e2e.OperationMatrix.Operation;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;

/**
 * Every operation of every service × every role of three agencies, plus no token, through the real gateway. The
 * operations are read from the services' own OpenAPI documents, so an endpoint added tomorrow is in the matrix
 * tomorrow (and the test names what it needs: a body, a value for a new parameter).
 *
 * <p>Agency A registers a learner (consenting to agency D, the receiver), drafts and publishes opportunities, refers
 * the learner to D's course, writes a handoff note, subscribes a webhook and registers its agency record; its worker
 * leads the work with the learner, and the learner's plan has a step A owns. Every
 * path id is filled with A's resources. Then:
 * <ul>
 *   <li>no token: 401 everywhere;</li>
 *   <li>agencies B and C, every role: A's own resources are 403/404 (the partnership's shared directory and
 *       published catalogue aside), lists hold nothing of A's, writes that name A's learner are refused;
 *       a coordinator reads referral metadata, never personal data;</li>
 *   <li>agency A, every role, every read: never a 5xx, and the key cells as designed;</li>
 *   <li>no answer ever is a 5xx, and no refusal carries A's learner's personal data.</li>
 * </ul>
 */
class IsolationMatrixEndToEndTest {

    private static final List<String> SERVICES = List.of("learner-profile-service", "opportunity-catalogue-service",
            "referral-service", "notification-service", "progression-service");

    private static final String A = "agency-matrix-a";
    private static final String B = "agency-matrix-b";
    private static final String C = "agency-matrix-c";
    private static final String D = "agency-matrix-d";

    // A's learner's personal data and free text: none of it may appear where A's agency is not entitled to it.
    private static final String GIVEN_NAME = "Wieslawa";
    private static final String FAMILY_NAME = "Matrixowska-Private";
    private static final String EMAIL = "w.matrixowska@example.org";
    private static final String PHONE = "07700900417";
    private static final String NEED = "Matrix check: needs childcare during evening classes";
    private static final String NOTE = "Matrix note: prefers contact after 6pm, lives with her sister";
    private static final String HOOK = "http://127.0.0.1:9/matrix-agency-a-hook";
    private static final String STEP_TITLE = "Matrix step of A";

    private static final String A_STAFF = TestTokens.token("matrix-setup-a", A, Role.WORKER, Role.AGENCY_ADMIN);
    private static final String D_STAFF = TestTokens.token("matrix-setup-d", D, Role.WORKER, Role.AGENCY_ADMIN);

    /** The shared partnership directory and published catalogue: readable by every authenticated caller. */
    private static final Set<String> PARTNERSHIP_READS = Set.of("GET /api/opportunities/{id}",
            "GET /api/opportunities/{id}/onward", "GET /api/agencies/{id}", "GET /api/pathways",
            "GET /api/hsds/services/{id}", "GET /api/hsds/organizations/{id}");

    /** Reads of A's referral a coordinator of any agency may make: metadata only, checked for personal data. */
    private static final Set<String> COORDINATOR_READS = Set.of("GET /api/referrals/{id}",
            "GET /api/referrals/{id}/chain");

    /**
     * Partnership administration: a platform administrator of any agency may make it (it sets every agency's kind);
     * every other role is refused like any write on A's resource.
     */
    private static final Set<String> PLATFORM_ADMINISTRATION = Set.of("PUT /api/agencies/{id}/kind");

    /** Writes that act on the caller's own agency (or the caller's own query); they name nothing of A's. */
    private static final Set<String> OWN_WRITES = Set.of("POST /api/learners", "POST /api/opportunities",
            "POST /api/agencies", "POST /api/subscriptions", "PUT /api/agency-settings", "POST /api/matches",
            "POST /api/hsds/import", "POST /api/hsds/imports", "POST /api/deliveries/redeliver-parked",
            "PUT /api/notifications/preferences/me",
            "DELETE /api/notifications/preferences/me",
            // partnership-wide, no agency's resource: platform administrators only (403 for everyone else)
            "POST /api/progression/rebuild");

    private static String learnerId;
    private static String consentId;
    private static String opportunityId;
    private static String nextOpportunityId;
    private static String receiverOpportunityId;
    private static String referralId;
    private static String subscriptionId;
    private static String notificationId;
    private static String deliveryId;
    private static String importJobId;
    private static String stepId;
    private static String fhirSubscriptionId;

    @BeforeAll
    static void agencyAsBusiness() throws Exception {
        RunningPlatform.get();
        learnerId = id(ok(call("POST", "/api/learners", A_STAFF, Map.of(), """
                {"givenName":"%s","familyName":"%s","dateOfBirth":"1979-03-14","email":"%s","phone":"%s",
                 "localityCode":"LS12","preferredLanguage":"pl","confirmNotDuplicate":true}
                """.formatted(GIVEN_NAME, FAMILY_NAME, EMAIL, PHONE))));
        consentId = id(ok(call("POST", "/api/learners/" + learnerId + "/consents", A_STAFF, Map.of(),
                "{\"agencyId\":\"" + D + "\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"WRITTEN\"}")));
        ok(call("POST", "/api/learners/" + learnerId + "/milestones", A_STAFF, Map.of(),
                "{\"kind\":\"FIRST_CONTACT\",\"occurredOn\":\"2026-01-05\"}"));
        // A's team around the learner: its worker leads, and the plan has a step A owns.
        ok(call("PUT", "/api/learners/" + learnerId + "/lead", A_STAFF, Map.of(),
                "{\"workerId\":\"matrix-setup-a\"}"));
        stepId = JSON.readTree(ok(call("POST", "/api/learners/" + learnerId + "/plan/steps", A_STAFF,
                Map.of("If-Match", "\"0\""), "{\"title\":\"Matrix step of A\"}"))).at("/steps/0/stepId").asString();
        opportunityId = publishedOpportunity(A_STAFF, "Matrix budgeting workshop");
        nextOpportunityId = publishedOpportunity(A_STAFF, "Matrix budgeting follow-on");
        ok(call("POST", "/api/opportunities/" + opportunityId + "/routes", A_STAFF, Map.of(),
                "{\"toOpportunityId\":\"" + nextOpportunityId + "\"}"));
        receiverOpportunityId = publishedOpportunity(D_STAFF, "Matrix evening maths");
        String referral = "{\"learnerId\":\"%s\",\"opportunityId\":\"%s\",\"need\":\"%s\",\"urgency\":\"ROUTINE\"}"
                .formatted(learnerId, receiverOpportunityId, NEED);
        referralId = id(ok(await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> call("POST", "/api/referrals", A_STAFF, Map.of(), referral),
                        r -> r.statusCode() != 422 && r.statusCode() != 404)));
        ok(call("POST", "/api/referrals/" + referralId + "/notes", A_STAFF, Map.of(),
                "{\"text\":\"" + NOTE + "\"}"));
        subscriptionId = id(ok(call("POST", "/api/subscriptions", A_STAFF, Map.of(),
                "{\"url\":\"" + HOOK + "\",\"eventTypes\":[\"org.pathways.referral.submitted.v1\"]}")));
        ok(call("POST", "/api/agencies", A_STAFF, Map.of(), """
                {"name":"Matrix Council A","sector":"PUBLIC","kind":"COUNCIL","acceptsDirectReferrals":true}
                """));
        // A's in-app notifications and deliveries, where there are any by now; else ids that exist nowhere.
        notificationId = first(call("GET", "/api/notifications", A_STAFF, Map.of(), null), "/notifications/0/id",
                "ntf-matrix-none");
        deliveryId = first(call("GET", "/api/deliveries", A_STAFF, Map.of(), null), "/0/id", "dlv-matrix-none");
        // A's FHIR rest-hook Subscription on the referrals it makes (the FHIR API is not in the OpenAPI documents).
        fhirSubscriptionId = JSON.readTree(ok(call("POST", "/api/fhir/r4/Subscription", A_STAFF, Map.of(), """
                {"resourceType":"Subscription","status":"requested","reason":"Matrix referrals of A",
                 "criteria":"Task?requester=Organization/%s",
                 "channel":{"type":"rest-hook","endpoint":"%s","payload":"application/fhir+json"}}
                """.formatted(A, HOOK)))).get("id").asString();
        // An HSDS import job started by A's platform administrator: only A's platform administrators see it.
        importJobId = id(ok(call("POST", "/api/hsds/imports",
                TestTokens.token("matrix-setup-a-admin", A, Role.PLATFORM_ADMIN), Map.of(), "{}")));
    }

    private static String publishedOpportunity(String token, String title) throws Exception {
        String id = id(ok(call("POST", "/api/opportunities", token, Map.of(),
                "{\"title\":\"" + title + "\",\"kind\":\"NON_FORMAL_LEARNING\",\"capacity\":10}")));
        ok(call("POST", "/api/opportunities/" + id + "/publish", token, Map.of(), null));
        return id;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The operations, from the services' own documents

    /**
     * Each service's dead letters ({@code /api/dead-letters/<service>/…}): partnership administration like
     * {@link #PLATFORM_ADMINISTRATION}, for a platform administrator of any agency; 403 for every other role.
     */
    private static boolean isDeadLetterAdministration(Operation operation) {
        return operation.template().startsWith("/api/dead-letters/");
    }

    private static List<Operation> operations() throws Exception {
        return OperationMatrix.operations(SERVICES);
    }

    /** Every path variable filled with agency A's resources. */
    private static String path(Operation operation) {
        String template = operation.template();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("learnerId", learnerId);
        values.put("consentId", consentId);
        values.put("toId", nextOpportunityId);
        // A link request addressed to A (none exists: the answer must be as for one that exists but is not B's).
        values.put("requestId", "lrq-matrix-addressed-to-a");
        values.put("stepId", stepId);
        values.put("id", template.startsWith("/api/learners/") ? learnerId
                : template.startsWith("/api/opportunities/") ? opportunityId
                : template.startsWith("/api/agencies/") ? A
                : template.startsWith("/api/referrals/") ? referralId
                : template.startsWith("/api/subscriptions/") ? subscriptionId
                : template.startsWith("/api/notifications/") ? notificationId
                : template.startsWith("/api/deliveries/") ? deliveryId
                : template.startsWith("/api/hsds/imports/") ? importJobId
                // A's opportunity and agency as the Open Referral export names them (service: the id after "opp-";
                // organization: the name-based UUID of the agency id)
                : template.startsWith("/api/hsds/services/") ? opportunityId.substring("opp-".length())
                : template.startsWith("/api/hsds/organizations/")
                        ? UUID.nameUUIDFromBytes(A.getBytes(StandardCharsets.UTF_8)).toString()
                // a dead letter no service has: the matrix must not re-drive or discard a real one
                : template.startsWith("/api/dead-letters/") ? "0-999999999"
                : null);
        return OperationMatrix.path(operation, values::get, name -> switch (name) {
            case "direction" -> "outgoing";
            case "from" -> opportunityId;
            case "to" -> nextOpportunityId;
            case "agencyId" -> D;
            case "purpose" -> "REFERRAL_SHARING";
            // Finding a learner: the exact name of A's learner, which no other agency may find.
            case "q" -> FAMILY_NAME;
            default -> null;
        });
    }

    /** A valid body for every operation that takes one, so that refusals are about who asks, not what is sent. */
    private static String body(Operation operation, String callerAgency) {
        if (!operation.hasBody()) {
            return null;
        }
        if (isDeadLetterAdministration(operation) && operation.key().endsWith("/discard")) {
            return "{\"reason\":\"isolation matrix\"}";
        }
        String body = switch (operation.key()) {
            case "POST /api/learners" -> """
                    {"givenName":"Olek","familyName":"Matrix-Outsider","dateOfBirth":"1991-05-05",
                     "localityCode":"LS6","preferredLanguage":"en","confirmNotDuplicate":true}""";
            case "PUT /api/learners/{id}" -> """
                    {"givenName":"Hijacked","familyName":"Hijacked","dateOfBirth":"1979-03-14","localityCode":"LS12",
                     "preferredLanguage":"en","version":0}""";
            case "PATCH /api/learners/{id}" -> "{\"familyName\":\"Hijacked\",\"version\":0}";
            case "POST /api/learners/{id}/merge", "POST /api/learners/{id}/links" ->
                    "{\"otherLearnerId\":\"lrn-matrix-other\"}";
            case "POST /api/learners/{learnerId}/link-requests" -> "{\"matchToken\":\"" + "M".repeat(43) + "\"}";
            case "POST /api/learners/{learnerId}/consents" ->
                    "{\"agencyId\":\"" + callerAgency + "\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"VERBAL\"}";
            case "POST /api/learners/{learnerId}/milestones" ->
                    "{\"kind\":\"FIRST_CONTACT\",\"occurredOn\":\"2026-02-01\"}";
            case "PUT /api/learners/{id}/lead" -> "{\"workerId\":\"matrix-outsider\"}";
            case "POST /api/learners/{id}/lead/handover" ->
                    "{\"toAgencyId\":\"" + callerAgency + "\",\"toWorkerId\":\"matrix-outsider\"}";
            case "POST /api/learners/{id}/plan/steps" -> "{\"title\":\"Outsider step\"}";
            case "PATCH /api/learners/{id}/plan/steps/{stepId}" -> "{\"status\":\"DROPPED\"}";
            case "POST /api/opportunities" -> "{\"title\":\"Matrix outsider course\",\"kind\":\"ADVICE\"}";
            case "PUT /api/opportunities/{id}" -> "{\"title\":\"Hijacked course\",\"kind\":\"ADVICE\"}";
            case "POST /api/opportunities/{id}/routes" -> "{\"toOpportunityId\":\"" + receiverOpportunityId + "\"}";
            case "POST /api/agencies" ->
                    "{\"name\":\"Matrix outsider\",\"sector\":\"VOLUNTARY\",\"kind\":\"OTHER\",\"acceptsDirectReferrals\":false}";
            case "PUT /api/agencies/{id}/kind" -> "{\"kind\":\"COUNCIL\",\"sector\":\"PUBLIC\",\"version\":0}";
            case "PUT /api/agencies/{id}" ->
                    "{\"name\":\"Hijacked\",\"sector\":\"PUBLIC\",\"kind\":\"COUNCIL\",\"acceptsDirectReferrals\":true,\"version\":0}";
            case "POST /api/matches" -> "{\"locality\":\"LS12\",\"limit\":5}";
            case "POST /api/hsds/import", "POST /api/hsds/imports" -> "{}";
            case "POST /api/referrals" ->
                    "{\"learnerId\":\"%s\",\"opportunityId\":\"%s\",\"need\":\"Outsider need\",\"urgency\":\"URGENT\"}"
                            .formatted(learnerId, receiverOpportunityId);
            case "POST /api/referrals/{id}/transitions" -> "{\"action\":\"RECEIVE\",\"version\":0}";
            case "POST /api/referrals/{id}/reroute" ->
                    "{\"opportunityId\":\"" + nextOpportunityId + "\",\"version\":0}";
            case "POST /api/referrals/{id}/notes" -> "{\"text\":\"Outsider note\"}";
            case "POST /api/referrals/{id}/next-steps" ->
                    "{\"opportunityId\":\"%s\",\"need\":\"Outsider next step\",\"urgency\":\"ROUTINE\",\"version\":0}"
                            .formatted(nextOpportunityId);
            case "POST /api/subscriptions" ->
                    "{\"url\":\"http://127.0.0.1:9/matrix-outsider\",\"eventTypes\":[\"org.pathways.referral.submitted.v1\"]}";
            case "PUT /api/notifications/preferences/me" ->
                    "{\"email\":\"matrix-outsider@example.org\",\"language\":\"en\",\"notices\":[]}";
            case "PUT /api/agency-settings" ->
                    "{\"notificationEmail\":\"matrix-outsider@example.org\",\"language\":\"en\"}";
            default -> null;
        };
        assertThat(body).as("no request body for %s: add a valid one to the isolation matrix", operation.key())
                .isNotNull();
        return body;
    }

    private static Map<String, String> headers(Operation operation) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header : operation.headers()) {
            switch (header) {
                case "If-Match" -> headers.put(header, "\"0\"");
                case "Idempotency-Key" -> headers.put(header, "matrix-" + System.nanoTime());
                default -> { }
            }
        }
        return headers;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The matrix

    @Test
    void everyOperationTimesEveryRoleOfEveryAgency() throws Exception {
        List<Operation> operations = operations();
        assertThat(operations).as("operations documented").hasSizeGreaterThan(30);
        Findings wrong = new Findings();
        int cells = 0;

        // No token: nothing, anywhere.
        for (Operation operation : operations) {
            HttpResponse<String> response = call(operation.method(), path(operation), null, headers(operation),
                    body(operation, B));
            cells++;
            if (response.statusCode() != 401) {
                wrong.add("no token " + operation.key(), "" + response.statusCode());
            }
            leaks("no token " + operation.key(), response, wrong);
        }

        // The other agencies, every role.
        for (Caller caller : callersOf(B, C)) {
            for (Operation operation : operations) {
                String cell = caller + " " + operation.key();
                HttpResponse<String> response = call(operation.method(), path(operation), caller.token(),
                        headers(operation), body(operation, caller.agency()));
                cells++;
                int status = response.statusCode();
                if (status >= 500 || status == 401) {
                    wrong.add(cell, status + " " + response.body());
                    continue;
                }
                leaks(cell, response, wrong);
                boolean namesAResourceOfA = operation.namesAResource();
                if (PARTNERSHIP_READS.contains(operation.key())) {
                    continue;   // the shared directory and catalogue; checked for leaks above
                }
                if (caller.role() == Role.PLATFORM_ADMIN && (PLATFORM_ADMINISTRATION.contains(operation.key())
                        || isDeadLetterAdministration(operation))) {
                    continue;   // by design; checked for leaks above
                }
                if (caller.role() == Role.COORDINATOR && COORDINATOR_READS.contains(operation.key())) {
                    if (status != 200) {
                        wrong.add(cell, "a coordinator reads referral metadata, got " + status);
                    } else if (response.body().contains(learnerId)) {
                        wrong.add(cell, "a coordinator's view names the learner");
                    }
                    continue;
                }
                if (namesAResourceOfA) {
                    if (status != 403 && status != 404) {
                        wrong.add(cell, "A's resource must be 403/404, got " + status + " " + response.body());
                    }
                } else if (operation.key().equals("POST /api/referrals")) {
                    if (status < 400) {
                        wrong.add(cell, "referred A's learner without consent: " + status);
                    }
                } else if (!operation.read() && !OWN_WRITES.contains(operation.key())) {
                    wrong.add(cell, "a write the matrix does not know; classify it (own write or A's resource)");
                } else if (status < 300 && containsAnyOf(response.body(), learnerId, referralId, subscriptionId,
                        consentId, HOOK)) {
                    wrong.add(cell, "the answer holds A's business: " + response.body());
                }
            }
        }

        // Agency A itself, every role, every read: as designed where it matters, and never a failure.
        Map<String, Integer> expected = expectationsForAgencyA();
        for (Caller caller : callersOf(A)) {
            for (Operation operation : operations.stream().filter(Operation::read).toList()) {
                String cell = caller + " " + operation.key();
                HttpResponse<String> response = call("GET", path(operation), caller.token(), headers(operation), null);
                cells++;
                Integer status = expected.get(caller.role() + " " + operation.key());
                if (response.statusCode() >= 500 || response.statusCode() == 401
                        || (status != null && response.statusCode() != status)) {
                    wrong.add(cell, response.statusCode() + (status == null ? "" : " (expected " + status + ")")
                            + " " + response.body());
                }
                if (response.statusCode() >= 400 || caller.role() == Role.COORDINATOR
                        || caller.role() == Role.PLATFORM_ADMIN) {
                    leaks(cell, response, wrong);
                }
            }
        }
        assertThat(wrong.all()).as("%d cells checked", cells).isEmpty();
        System.out.println("isolation matrix: " + cells + " cells, " + operations.size() + " operations");
    }

    /**
     * The FHIR R4 API (referral-service's ServiceRequest/Task reads, notification-service's Subscriptions) is kept out
     * of the OpenAPI documents, so its cells are listed here: the same standing as the referral API, through the
     * real gateway. Only agencies party to the referral read it; everyone else is told it does not exist, and
     * searches and subscription lists hold nothing of A's.
     */
    @Test
    void theFhirApiGivesOtherAgenciesNothingOfAs() throws Exception {
        String fhir = "/api/fhir/r4";
        List<String> reads = List.of(fhir + "/ServiceRequest/" + referralId, fhir + "/Task/" + referralId,
                fhir + "/Subscription/" + fhirSubscriptionId);
        List<String> searches = List.of(fhir + "/ServiceRequest", fhir + "/Task",
                fhir + "/Task?requester=Organization/" + A, fhir + "/ServiceRequest?requester=Organization/" + A,
                fhir + "/Task?owner=Organization/" + D + "&_include=Task:focus", fhir + "/Subscription");
        Findings wrong = new Findings();
        int cells = 0;
        for (String path : concat(reads, searches)) {
            HttpResponse<String> response = call("GET", path, null, Map.of(), null);
            cells++;
            if (response.statusCode() != 401) {
                wrong.add("no token GET " + path, "" + response.statusCode());
            }
        }
        for (Caller caller : callersOf(B, C)) {
            for (String path : reads) {
                HttpResponse<String> response = call("GET", path, caller.token(), Map.of(), null);
                cells++;
                String cell = caller + " GET " + path;
                if (response.statusCode() != 403 && response.statusCode() != 404) {
                    wrong.add(cell, "A's resource must be 403/404, got " + response.statusCode() + " "
                            + response.body());
                }
                leaks(cell, response, wrong);
            }
            for (String path : searches) {
                HttpResponse<String> response = call("GET", path, caller.token(), Map.of(), null);
                cells++;
                String cell = caller + " GET " + path;
                if (response.statusCode() >= 500 || response.statusCode() == 401) {
                    wrong.add(cell, response.statusCode() + " " + response.body());
                }
                if (containsAnyOf(response.body(), referralId, learnerId, fhirSubscriptionId, HOOK)) {
                    wrong.add(cell, "the answer holds A's business: " + response.body());
                }
                leaks(cell, response, wrong);
            }
            // A's subscription can't be deleted by anyone else either.
            HttpResponse<String> delete = call("DELETE", fhir + "/Subscription/" + fhirSubscriptionId,
                    caller.token(), Map.of(), null);
            cells++;
            if (delete.statusCode() != 403 && delete.statusCode() != 404) {
                wrong.add(caller + " DELETE A's Subscription", delete.statusCode() + " " + delete.body());
            }
        }
        // The receiving agency D is party to the referral: it reads both resources, named as the gateway serves them.
        for (String path : reads.subList(0, 2)) {
            HttpResponse<String> response = call("GET", path, D_STAFF, Map.of(), null);
            cells++;
            if (response.statusCode() != 200 || !response.body().contains(referralId)) {
                wrong.add("D GET " + path, response.statusCode() + " " + response.body());
            }
        }
        HttpResponse<String> owned = call("GET", fhir + "/Task?owner=Organization/" + D, D_STAFF, Map.of(), null);
        cells++;
        if (owned.statusCode() != 200 || !owned.body().contains(referralId)) {
            wrong.add("D searches its Tasks", owned.statusCode() + " " + owned.body());
        }
        assertThat(wrong.all()).as("%d FHIR cells checked", cells).isEmpty();
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }

    /** The cells of agency A's own roles that the design fixes. */
    private static Map<String, Integer> expectationsForAgencyA() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("WORKER GET /api/learners/{id}", 200);
        expected.put("WORKER GET /api/learners/{learnerId}/audit", 200);
        expected.put("WORKER GET /api/learners/{learnerId}/milestones", 200);
        expected.put("WORKER GET /api/learners/{id}/lead", 200);
        expected.put("WORKER GET /api/learners/{id}/plan", 200);
        expected.put("WORKER GET /api/learners/{id}/team", 200);
        expected.put("AGENCY_SYSTEM GET /api/learners/{id}/team", 200);
        expected.put("COORDINATOR GET /api/learners/{id}/lead", 404);
        expected.put("COORDINATOR GET /api/learners/{id}/plan", 404);
        expected.put("COORDINATOR GET /api/learners/{id}/team", 404);
        expected.put("AGENCY_ADMIN GET /api/learners/{id}/team", 404);
        expected.put("AGENCY_SYSTEM GET /api/learners/{id}", 200);
        expected.put("COORDINATOR GET /api/learners/{id}", 404);
        expected.put("WORKER GET /api/learners", 200);
        expected.put("AGENCY_SYSTEM GET /api/learners", 200);
        expected.put("COORDINATOR GET /api/learners", 403);
        expected.put("WORKER GET /api/referrals/{id}", 200);
        expected.put("WORKER GET /api/referrals/{id}/notes", 200);
        expected.put("WORKER GET /api/referrals/{id}/history", 200);
        expected.put("AGENCY_SYSTEM GET /api/referrals/{id}", 200);
        expected.put("COORDINATOR GET /api/referrals/{id}", 200);
        expected.put("AGENCY_ADMIN GET /api/subscriptions/{id}", 200);
        expected.put("WORKER GET /api/subscriptions/{id}", 403);
        expected.put("AGENCY_SYSTEM GET /api/feed", 200);
        expected.put("WORKER GET /api/opportunities/{id}", 200);
        expected.put("COORDINATOR GET /api/progression/summary", 200);
        return expected;
    }

    private static void leaks(String cell, HttpResponse<String> response, Findings wrong) {
        if (containsAnyOf(response.body(), GIVEN_NAME, FAMILY_NAME, EMAIL, PHONE, NEED, NOTE, STEP_TITLE)) {
            wrong.add(cell, "the answer (" + response.statusCode() + ") carries A's learner's personal data");
        }
    }
}
