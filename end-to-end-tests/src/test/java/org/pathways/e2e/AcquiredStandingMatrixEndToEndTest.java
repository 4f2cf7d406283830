package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pathways.e2e.OperationMatrix.JSON;
import static org.pathways.e2e.OperationMatrix.call;
import static org.pathways.e2e.OperationMatrix.callersOf;
import static org.pathways.e2e.OperationMatrix.containsAnyOf;
import static org.pathways.e2e.OperationMatrix.id;
import static org.pathways.e2e.OperationMatrix.ok;
import static org.pathways.e2e.OperationMatrix.problemType;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pathways.e2e.OperationMatrix.Caller;
import org.pathways.e2e.OperationMatrix.Findings;
import org.pathways.e2e.OperationMatrix.Operation;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * The isolation matrix again, for standing an agency acquires through other resources rather than through its
 * token: every documented learner and referral operation × every role, through the real gateway.
 *
 * <ul>
 *   <li><b>A stranger's own attempts.</b> Agency B has no relationship with agency A's learner. Every operation on
 *       A's learner, consent, referral and link request is answered once, then B tries to manufacture standing: it
 *       refers A's learner to itself and to the receiving agency D, links its own learner to A's (both ways),
 *       registers a duplicate and asks for a link without A's acceptance, records consents on A's learner, and
 *       tries to declare itself of A's kind (to which A's learner consented) or of D's. Each attempt is refused and
 *       writes nothing; every cell then answers exactly as before (status and problem type), and again after A
 *       accepts B's link request (a link opens neither record).</li>
 *   <li><b>The receiving agency.</b> Once A withdraws the learner's consent to D, which puts A's referral to D on
 *       hold (it stays open, and may resume with a new consent), D's workers and systems are refused everything on
 *       the learner, as once A cancels it (its other referral D rejected); D still reads its referral's own
 *       history.</li>
 *   <li><b>The referring agency.</b> A's referral to D gives A nothing on D's own learner, consent or referral:
 *       every cell answers exactly as before A referred.</li>
 * </ul>
 * No answer is a 5xx, and no refusal carries A's learner's personal data.
 *
 * <p>The referral-service lets A refer only to an agency the learner consented to: while that consent is in force,
 * D reads (and changes what it may see) through the consent. A referral held because that consent was withdrawn
 * gives D nothing (a receiving agency reads a learner on a referral only on grounds the learner agreed to). From on
 * hold only the referrer can close a referral, so the rejection is that of A's second referral, made while the
 * consent was still in force.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AcquiredStandingMatrixEndToEndTest {

    private static final List<String> SERVICES = List.of("learner-profile-service", "referral-service");
    private static final Duration EVENTS = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static final String A = "agency-acquired-a-" + RUN;        // registers the learner; a library
    private static final String B = "agency-acquired-b-" + RUN;        // the stranger; a community group
    private static final String D = "agency-acquired-d-" + RUN;        // receives A's referral; a college
    private static final String E = "agency-acquired-e-" + RUN;        // receives D's referral; housing
    private static final String F = "agency-acquired-f-" + RUN;        // another library: the kind consent is live

    // A's learner's personal data and free text.
    private static final String GIVEN_NAME = "Ottilie";
    private static final String FAMILY_NAME = "Acquired-" + RUN;
    private static final String BORN = "1984-07-21";
    private static final String EMAIL = "o.acquired-" + RUN + "@example.org";
    private static final String PHONE = "07700900" + (100 + Math.abs(RUN.hashCode() % 900));
    private static final String NEED = "Acquired-standing check " + RUN + ": needs a carer's break to attend";
    private static final String NOTE = "Acquired-standing note " + RUN + ": calls only on Tuesdays";

    private static final String A_STAFF = TestTokens.token("acquired-a", A, Role.WORKER, Role.AGENCY_ADMIN);
    private static final String B_STAFF = TestTokens.token("acquired-b", B, Role.WORKER, Role.AGENCY_ADMIN);
    private static final String D_STAFF = TestTokens.token("acquired-d", D, Role.WORKER, Role.AGENCY_ADMIN);
    private static final String E_STAFF = TestTokens.token("acquired-e", E, Role.WORKER, Role.AGENCY_ADMIN);
    private static final String F_STAFF = TestTokens.token("acquired-f", F, Role.WORKER, Role.AGENCY_ADMIN);
    private static final String PARTNERSHIP = TestTokens.token("acquired-platform", "agency-acquired-platform-" + RUN,
            Role.PLATFORM_ADMIN);

    /** Reads of a referral a coordinator of any agency may make: metadata only (no learner id). */
    private static final Set<String> COORDINATOR_READS = Set.of("GET /api/referrals/{id}",
            "GET /api/referrals/{id}/chain");

    private static List<Operation> operations;

    // A's resources
    private static String learnerId;
    private static String consentToDId;
    private static String kindConsentId;
    private static String referralId;          // A → D, received, then held, then cancelled by A
    private static String rejectedReferralId;  // A → D, rejected by D
    private static String courseOfD;
    private static String secondCourseOfD;
    // B's, D's and E's own
    private static String strangersLearnerId;
    private static String linkRequestId;
    private static String receiversLearnerId;
    private static String receiversConsentId;
    private static String receiversReferralId;
    private static String courseOfB;
    private static String courseOfE;
    // The plan steps each learner's registering agency owns.
    private static String stepOfA;
    private static String stepOfD;
    private static final String STEP_TITLE_OF_A = "Acquired plan step of A " + RUN;

    /** What B's roles were told about A's resources before B tried anything; what A's were told of D's. */
    private static Map<String, String> strangerBefore;
    private static Map<String, String> referrerBefore;

    @BeforeAll
    static void partnership() throws Exception {
        RunningPlatform.get();
        // A learner's and a referral's operations; the services' dead letters are partnership administration, no
        // agency's standing with a learner reaches them (IsolationMatrixEndToEndTest and DeadLetterAdministrationTest).
        operations = OperationMatrix.operations(SERVICES).stream()
                .filter(operation -> !operation.template().startsWith("/api/dead-letters/")).toList();
        assertThat(operations).as("learner and referral operations documented").hasSizeGreaterThan(20);

        approvedAgency(A_STAFF, A, "LIBRARY");
        approvedAgency(B_STAFF, B, "COMMUNITY_GROUP");
        approvedAgency(D_STAFF, D, "COLLEGE");
        approvedAgency(E_STAFF, E, "HOUSING");
        approvedAgency(F_STAFF, F, "LIBRARY");

        learnerId = id(ok(call("POST", "/api/learners", A_STAFF, Map.of(), """
                {"givenName":"%s","familyName":"%s","dateOfBirth":"%s","email":"%s","phone":"%s",
                 "localityCode":"LS7","preferredLanguage":"en","goals":"Goals of %s","confirmNotDuplicate":true}
                """.formatted(GIVEN_NAME, FAMILY_NAME, BORN, EMAIL, PHONE, RUN))));
        ok(call("POST", "/api/learners/" + learnerId + "/milestones", A_STAFF, Map.of(),
                "{\"kind\":\"FIRST_CONTACT\",\"occurredOn\":\"2026-01-05\"}"));
        // A's worker leads, and the plan has a step A owns: neither opens anything to anyone.
        ok(call("PUT", "/api/learners/" + learnerId + "/lead", A_STAFF, Map.of(), "{\"workerId\":\"acquired-a\"}"));
        stepOfA = firstStep(A_STAFF, learnerId, STEP_TITLE_OF_A);
        consentToDId = id(ok(call("POST", "/api/learners/" + learnerId + "/consents", A_STAFF, Map.of(),
                "{\"agencyId\":\"" + D + "\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"WRITTEN\"}")));
        // To every library: what B would gain if it could declare itself one.
        kindConsentId = id(ok(call("POST", "/api/learners/" + learnerId + "/consents", A_STAFF, Map.of(),
                "{\"agencyKind\":\"LIBRARY\",\"purpose\":\"CONTACT\",\"method\":\"VERBAL\"}")));

        courseOfB = publishedOpportunity(B_STAFF, "Acquired community course");
        courseOfD = publishedOpportunity(D_STAFF, "Acquired evening maths");
        secondCourseOfD = publishedOpportunity(D_STAFF, "Acquired evening English");
        courseOfE = publishedOpportunity(E_STAFF, "Acquired tenancy support");

        // D's own business with E, before A refers anyone to D.
        receiversLearnerId = id(ok(call("POST", "/api/learners", D_STAFF, Map.of(), """
                {"givenName":"Barnaby","familyName":"Receiver-%s","dateOfBirth":"1990-02-02","localityCode":"LS2",
                 "preferredLanguage":"en","confirmNotDuplicate":true}
                """.formatted(RUN))));
        receiversConsentId = id(ok(call("POST", "/api/learners/" + receiversLearnerId + "/consents", D_STAFF,
                Map.of(), "{\"agencyId\":\"" + E + "\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"WRITTEN\"}")));
        receiversReferralId = submitted(D_STAFF, receiversLearnerId, courseOfE, "D's own referral");
        stepOfD = firstStep(D_STAFF, receiversLearnerId, "D's own plan step");

        strangersLearnerId = id(ok(call("POST", "/api/learners", B_STAFF, Map.of(), """
                {"givenName":"Cosmo","familyName":"Stranger-%s","dateOfBirth":"1975-11-30","localityCode":"LS4",
                 "preferredLanguage":"en","confirmNotDuplicate":true}
                """.formatted(RUN))));

        // What A's roles are told of D's business before A refers anyone to D.
        Findings wrong = new Findings();
        referrerBefore = pass(callersOf(A), resourcesOfD(), AcquiredStandingMatrixEndToEndTest::refusedToAnOutsider,
                wrong);
        assertThat(wrong.all()).as("A on D's resources, before A refers").isEmpty();

        referralId = submitted(A_STAFF, learnerId, courseOfD, NEED);
        rejectedReferralId = submitted(A_STAFF, learnerId, secondCourseOfD, NEED);
        ok(call("POST", "/api/referrals/" + referralId + "/notes", A_STAFF, Map.of(), "{\"text\":\"" + NOTE + "\"}"));
        ok(transition(D_STAFF, referralId, "{\"action\":\"RECEIVE\"}"));

        // What B's roles are told of A's business before B tries anything.
        strangerBefore = pass(callersOf(B), resourcesOfA(strangersLearnerId),
                AcquiredStandingMatrixEndToEndTest::refusedToAnOutsider, wrong);
        assertThat(wrong.all()).as("B on A's resources, before B tries anything").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void aStrangerManufacturesNoStandingThroughReferralsLinksLinkRequestsConsentsOrItsKind() throws Exception {
        String worker = TestTokens.worker(B);
        int consentsBefore = profileAsA().path("consents").size();

        // Referring A's learner, to itself and to the agency the learner consented to: as for no such learner.
        for (String course : List.of(courseOfB, courseOfD, secondCourseOfD)) {
            HttpResponse<String> refused = call("POST", "/api/referrals", worker,
                    Map.of("Idempotency-Key", "acquired-" + UUID.randomUUID()), referralOf(learnerId, course,
                            "Stranger's referral"));
            HttpResponse<String> nobody = call("POST", "/api/referrals", worker, Map.of(),
                    referralOf("lrn-acquired-nobody-" + RUN, course, "Stranger's referral"));
            assertNotFoundLikeNobody("B refers A's learner to " + course, refused, nobody);
        }
        // Linking its own learner to A's, either way round.
        assertNotFoundLikeNobody("B links its learner to A's",
                call("POST", "/api/learners/" + strangersLearnerId + "/links", worker, Map.of(),
                        "{\"otherLearnerId\":\"" + learnerId + "\"}"),
                call("POST", "/api/learners/" + strangersLearnerId + "/links", worker, Map.of(),
                        "{\"otherLearnerId\":\"lrn-acquired-nobody-" + RUN + "\"}"));
        assertNotFoundLikeNobody("B links A's learner to its own",
                call("POST", "/api/learners/" + learnerId + "/links", worker, Map.of(),
                        "{\"otherLearnerId\":\"" + strangersLearnerId + "\"}"),
                call("POST", "/api/learners/lrn-acquired-nobody-" + RUN + "/links", worker, Map.of(),
                        "{\"otherLearnerId\":\"" + strangersLearnerId + "\"}"));
        // A duplicate: told that a record exists, nothing of it; a link request A has not accepted opens nothing.
        HttpResponse<String> warning = call("POST", "/api/learners", worker, Map.of(), """
                {"givenName":"%s","familyName":"%s","dateOfBirth":"%s","localityCode":"LS4","preferredLanguage":"en"}
                """.formatted(GIVEN_NAME, FAMILY_NAME, BORN));
        assertThat(warning.statusCode()).as(warning.body()).isEqualTo(409);
        assertThat(warning.body()).doesNotContain(learnerId, A, EMAIL, PHONE, "Goals of " + RUN);
        JsonNode candidate = JSON.readTree(warning.body()).path("candidates").get(0);
        assertThat(candidate.path("visibleToYou").asBoolean()).isFalse();
        String duplicate = id(ok(call("POST", "/api/learners", worker, Map.of(), """
                {"givenName":"%s","familyName":"%s","dateOfBirth":"%s","localityCode":"LS4","preferredLanguage":"en",
                 "confirmNotDuplicate":true}
                """.formatted(GIVEN_NAME, FAMILY_NAME, BORN))));
        linkRequestId = id(ok(call("POST", "/api/learners/" + duplicate + "/link-requests", worker, Map.of(),
                "{\"matchToken\":\"" + candidate.path("matchToken").asString() + "\"}")));
        for (String answer : List.of("accept", "decline")) {
            assertNotFoundLikeNobody("B " + answers(answer) + " its own link request",
                    call("POST", "/api/learners/link-requests/" + linkRequestId + "/" + answer, worker, Map.of(), null),
                    call("POST", "/api/learners/link-requests/lrq-acquired-nobody/" + answer, worker, Map.of(), null));
        }
        assertNotFoundLikeNobody("B links its duplicate to A's learner while the request is pending",
                call("POST", "/api/learners/" + duplicate + "/links", worker, Map.of(),
                        "{\"otherLearnerId\":\"" + learnerId + "\"}"),
                call("POST", "/api/learners/" + duplicate + "/links", worker, Map.of(),
                        "{\"otherLearnerId\":\"lrn-acquired-nobody-" + RUN + "\"}"));
        // Consents on A's learner, for itself or its kind.
        for (String consent : List.of("{\"agencyId\":\"" + B + "\",\"purpose\":\"REFERRAL_SHARING\",\"method\":\"VERBAL\"}",
                "{\"agencyKind\":\"COMMUNITY_GROUP\",\"purpose\":\"OUTCOME_SHARING\",\"method\":\"WRITTEN\"}")) {
            assertNotFoundLikeNobody("B records a consent on A's learner: " + consent,
                    call("POST", "/api/learners/" + learnerId + "/consents", worker, Map.of(), consent),
                    call("POST", "/api/learners/lrn-acquired-nobody-" + RUN + "/consents", worker, Map.of(), consent));
        }
        // Its kind: A's (which A's learner consented to) or D's. Only a platform admin sets it.
        JsonNode agency = JSON.readTree(ok(call("GET", "/api/agencies/" + B, B_STAFF, Map.of(), null)));
        for (String kind : List.of("LIBRARY", "COLLEGE")) {
            HttpResponse<String> approval = call("PUT", "/api/agencies/" + B + "/kind", B_STAFF, Map.of(),
                    "{\"kind\":\"%s\",\"sector\":\"COMMUNITY\",\"version\":%d}".formatted(kind,
                            agency.path("version").asLong()));
            HttpResponse<String> revision = call("PUT", "/api/agencies/" + B, B_STAFF, Map.of(), """
                    {"name":"Acquired stranger","sector":"COMMUNITY","kind":"%s","acceptsDirectReferrals":true,
                     "version":%d}""".formatted(kind, agency.path("version").asLong()));
            for (HttpResponse<String> refused : List.of(approval, revision)) {
                assertThat(refused.statusCode()).as("B declares itself " + kind + ": " + refused.body())
                        .isEqualTo(403);
                assertThat(problemType(refused)).isEqualTo("urn:pathways:problem:kind-set-by-platform-admin");
            }
        }
        assertThat(JSON.readTree(ok(call("GET", "/api/agencies/" + B, B_STAFF, Map.of(), null))).path("kind")
                .asString()).isEqualTo("COMMUNITY_GROUP");
        // The consent to every library is live: a library the platform admin approved reads A's learner.
        await().atMost(EVENTS).pollInterval(Duration.ofMillis(200)).until(() -> call("GET",
                "/api/learners/" + learnerId, TestTokens.worker(F), Map.of(), null).statusCode() == 200);

        // Nothing was written: no referral of A's learner anywhere B or D looks, no link, no consent.
        for (String direction : List.of("incoming", "outgoing")) {
            assertThat(ok(call("GET", "/api/referrals?direction=" + direction, worker, Map.of(), null)))
                    .as("B's " + direction + " referrals").doesNotContain(learnerId);
        }
        assertThat(referralIds(call("GET", "/api/referrals?direction=incoming&opportunityId=" + courseOfD,
                TestTokens.worker(D), Map.of(), null))).containsExactly(referralId);
        assertThat(referralIds(call("GET", "/api/referrals?direction=incoming&opportunityId=" + secondCourseOfD,
                TestTokens.worker(D), Map.of(), null))).containsExactly(rejectedReferralId);
        JsonNode profile = profileAsA();
        assertThat(profile.path("otherLinkedRecords").asInt()).as("links on A's learner").isZero();
        assertThat(profile.path("linkedLearnerIds")).isEmpty();
        assertThat(profile.path("consents").size()).as("consents on A's learner").isEqualTo(consentsBefore);
        assertThat(ok(call("GET", "/api/learners/link-requests?direction=outgoing", worker, Map.of(), null)))
                .as("B's own link request names nothing of A's").contains(linkRequestId).doesNotContain(learnerId, A);

        assertEveryCellAsBefore("B after its own attempts");

        // A accepts the link request: the two records are linked, and B is still told exactly what it was.
        JsonNode incoming = JSON.readTree(ok(call("GET", "/api/learners/link-requests?direction=incoming",
                TestTokens.worker(A), Map.of(), null)));
        String addressedToA = incoming.path(0).path("id").asString();
        assertThat(incoming.path(0).path("requestingAgencyId").asString()).isEqualTo(B);
        assertThat(JSON.readTree(ok(call("POST", "/api/learners/link-requests/" + addressedToA + "/accept",
                TestTokens.worker(A), Map.of(), null))).path("status").asString()).isEqualTo("ACCEPTED");
        assertThat(profileAsA().path("linkedLearnerIds").toString()).as("A may not see B's record either")
                .doesNotContain(duplicate);
        assertThat(profileAsA().path("otherLinkedRecords").asInt()).isEqualTo(1);
        assertEveryCellAsBefore("B with a link A accepted");
    }

    @Test
    @Order(2)
    void theReceivingAgencyReadsNothingOnceTheConsentIsWithdrawnThoughTheReferralIsHeldOpen() throws Exception {
        // D rejects A's second referral while the consent is still in force; A then withdraws the consent, which
        // puts the first on hold (still open, it may resume with a new consent): the grounds D read the learner on
        // are gone.
        ok(transition(D_STAFF, rejectedReferralId, "{\"action\":\"REJECT\",\"reason\":\"NO_CAPACITY\"}"));
        ok(call("DELETE", "/api/learners/" + learnerId + "/consents/" + consentToDId, A_STAFF, Map.of(), null));
        await().atMost(EVENTS).pollInterval(Duration.ofMillis(200)).until(() -> JSON.readTree(ok(call("GET",
                "/api/referrals/" + referralId, A_STAFF, Map.of(), null))).path("status").asString(),
                "ON_HOLD"::equals);
        // Without the consent D still receives an open referral; only the hold's news, once the learner-profile
        // service has it, closes the record to D.
        await().atMost(EVENTS).pollInterval(Duration.ofMillis(200)).until(() -> call("GET",
                "/api/learners/" + learnerId, TestTokens.worker(D), Map.of(), null).statusCode() == 404);

        Findings wrong = new Findings();
        pass(callersOf(D), resourcesOfA(receiversLearnerId), AcquiredStandingMatrixEndToEndTest::receiverOnceEnded,
                wrong);
        assertThat(wrong.all()).as("D while A's referral is held for want of consent").isEmpty();

        ok(transition(A_STAFF, referralId, "{\"action\":\"CANCEL\"}"));
        await().atMost(EVENTS).pollInterval(Duration.ofMillis(200)).until(() -> JSON.readTree(ok(call("GET",
                "/api/referrals/" + referralId, A_STAFF, Map.of(), null))).path("status").asString(),
                "CANCELLED"::equals);

        pass(callersOf(D), resourcesOfA(receiversLearnerId), AcquiredStandingMatrixEndToEndTest::receiverOnceEnded,
                wrong);
        assertThat(wrong.all()).as("D once A's referrals ended").isEmpty();
    }

    @Test
    @Order(3)
    void theReferringAgencyGainsNothingOnTheReceiversResources() throws Exception {
        Findings wrong = new Findings();
        Map<String, String> after = pass(callersOf(A), resourcesOfD(),
                AcquiredStandingMatrixEndToEndTest::refusedToAnOutsider, wrong);
        assertThat(wrong.all()).as("A on D's resources after referring to D").isEmpty();
        assertThat(after).as("A on D's resources: exactly as before A referred").isEqualTo(referrerBefore);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The resources each pass names, and what it sends

    /**
     * The resources one pass names: a learner (with its current version), one of its consents, a referral (with
     * its version), a link request, the caller's own learner (the other record of a link or merge), and the courses
     * a referral, a re-routing or a next step would name.
     */
    private record Resources(String owner, String learnerId, Version learnerVersion, String consentId,
                             String referralId, Version referralVersion, String requestId, String ownLearnerId,
                             String referTo, String onwardTo, String checkAgencyId, String stepId,
                             Version planVersion) {

        String path(Operation operation) {
            Map<String, String> variables = new LinkedHashMap<>();
            variables.put("learnerId", learnerId);
            variables.put("stepId", stepId);
            variables.put("consentId", consentId);
            variables.put("requestId", requestId);
            variables.put("id", operation.template().startsWith("/api/learners/") ? learnerId
                    : operation.template().startsWith("/api/referrals/") ? referralId : null);
            return OperationMatrix.path(operation, variables::get, name -> switch (name) {
                case "direction" -> "incoming";
                case "agencyId" -> checkAgencyId;
                case "purpose" -> "REFERRAL_SHARING";
                // Finding a learner by its id: found only by an agency that may see it.
                case "q" -> learnerId;
                default -> null;
            });
        }

        /** A valid body, sent at the current version, so that an answer is about who asks, not what is sent. */
        String body(Operation operation, Caller caller) throws Exception {
            if (!operation.hasBody()) {
                return null;
            }
            String body = switch (operation.key()) {
                case "POST /api/learners" -> """
                        {"givenName":"Quilla","familyName":"Own-%s","dateOfBirth":"1993-03-03","localityCode":"LS6",
                         "preferredLanguage":"en","confirmNotDuplicate":true}""".formatted(RUN);
                case "PUT /api/learners/{id}" -> """
                        {"givenName":"Hijacked","familyName":"Hijacked","dateOfBirth":"1984-07-21","localityCode":"LS7",
                         "preferredLanguage":"en","version":%d}""".formatted(learnerVersion.now());
                case "PATCH /api/learners/{id}" -> "{\"goals\":\"Hijacked goals\",\"version\":%d}"
                        .formatted(learnerVersion.now());
                case "POST /api/learners/{id}/merge", "POST /api/learners/{id}/links" ->
                        "{\"otherLearnerId\":\"" + ownLearnerId + "\"}";
                case "POST /api/learners/{learnerId}/link-requests" -> "{\"matchToken\":\"" + "M".repeat(43) + "\"}";
                case "POST /api/learners/{learnerId}/consents" -> "{\"agencyId\":\"" + caller.agency()
                        + "\",\"purpose\":\"OUTCOME_SHARING\",\"method\":\"VERBAL\"}";
                case "POST /api/learners/{learnerId}/milestones" ->
                        "{\"kind\":\"INITIAL_ASSESSMENT\",\"occurredOn\":\"2026-02-01\"}";
                case "PUT /api/learners/{id}/lead" -> "{\"workerId\":\"acquired-outsider\"}";
                case "POST /api/learners/{id}/lead/handover" -> "{\"toAgencyId\":\"" + caller.agency()
                        + "\",\"toWorkerId\":\"acquired-taker\"}";
                case "POST /api/learners/{id}/plan/steps" -> "{\"title\":\"Step by " + caller + "\"}";
                case "PATCH /api/learners/{id}/plan/steps/{stepId}" -> "{\"status\":\"DROPPED\"}";
                case "POST /api/referrals" -> referralOf(learnerId, referTo, "Acquired-standing attempt");
                case "POST /api/referrals/{id}/transitions" ->
                        "{\"action\":\"RECEIVE\",\"version\":%d}".formatted(referralVersion.now());
                case "POST /api/referrals/{id}/reroute" ->
                        "{\"opportunityId\":\"%s\",\"version\":%d}".formatted(onwardTo, referralVersion.now());
                case "POST /api/referrals/{id}/notes" -> "{\"text\":\"Acquired-standing note by " + caller + "\"}";
                case "POST /api/referrals/{id}/next-steps" ->
                        "{\"opportunityId\":\"%s\",\"need\":\"Next\",\"urgency\":\"ROUTINE\",\"version\":%d}"
                                .formatted(onwardTo, referralVersion.now());
                default -> null;
            };
            assertThat(body).as("no request body for %s: add a valid one to the matrix", operation.key()).isNotNull();
            return body;
        }

        Map<String, String> headers(Operation operation) throws Exception {
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header : operation.headers()) {
                switch (header) {
                    case "If-Match" -> headers.put(header, "\"" + (operation.template().contains("/plan")
                            ? planVersion : operation.template().startsWith("/api/learners/")
                            ? learnerVersion : referralVersion).now() + "\"");
                    case "Idempotency-Key" -> headers.put(header, "acquired-" + UUID.randomUUID());
                    default -> { }
                }
            }
            return headers;
        }
    }

    /** A resource's version now, as its owner reads it: a write is refused for who asks, never as stale. */
    @FunctionalInterface
    private interface Version {
        long now() throws Exception;
    }

    /** A's learner, its consent to every library, its referral to D, and B's link request to A. */
    private static Resources resourcesOfA(String callersOwnLearner) throws Exception {
        return new Resources(A, learnerId, () -> version("/api/learners/" + learnerId, A_STAFF), kindConsentId,
                referralId, () -> version("/api/referrals/" + referralId, A_STAFF),
                linkRequestId == null ? "lrq-acquired-none" : linkRequestId, callersOwnLearner, courseOfD, courseOfE, D,
                stepOfA, () -> version("/api/learners/" + learnerId + "/plan", A_STAFF));
    }

    /** D's learner, its consent to E, its referral to E (no link request is addressed to D). */
    private static Resources resourcesOfD() throws Exception {
        return new Resources(D, receiversLearnerId, () -> version("/api/learners/" + receiversLearnerId, D_STAFF),
                receiversConsentId, receiversReferralId, () -> version("/api/referrals/" + receiversReferralId,
                D_STAFF),
                "lrq-acquired-none", learnerId, courseOfE, courseOfD, E,
                stepOfD, () -> version("/api/learners/" + receiversLearnerId + "/plan", D_STAFF));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The matrix

    /** What one cell should be; adds to {@code wrong} what is not as designed. */
    @FunctionalInterface
    private interface Expectation {
        void check(String cell, Caller caller, Operation operation, Resources resources,
                   HttpResponse<String> response, Findings wrong);
    }

    /**
     * Every operation × every caller, each answer checked for 5xx and by {@code expectation}; the answers' status
     * and problem type, by cell.
     */
    private static Map<String, String> pass(List<Caller> callers, Resources resources, Expectation expectation,
                                            Findings wrong) throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        for (Caller caller : callers) {
            for (Operation operation : operations) {
                String cell = caller.role() + " " + operation.key();
                HttpResponse<String> response = call(operation.method(), resources.path(operation), caller.token(),
                        resources.headers(operation), resources.body(operation, caller));
                answers.put(cell, response.statusCode() + " " + problemType(response));
                if (response.statusCode() >= 500 || response.statusCode() == 401) {
                    wrong.add(caller + " " + operation.key(), response.statusCode() + " " + response.body());
                    continue;
                }
                if (response.statusCode() >= 400 && containsAnyOf(response.body(), GIVEN_NAME, FAMILY_NAME, EMAIL,
                        PHONE, NEED, NOTE)) {
                    wrong.add(caller + " " + operation.key(), "a refusal carries the learner's personal data");
                }
                expectation.check(caller + " " + operation.key(), caller, operation, resources, response, wrong);
            }
        }
        return answers;
    }

    private static void assertEveryCellAsBefore(String when) throws Exception {
        Findings wrong = new Findings();
        Map<String, String> now = pass(callersOf(B), resourcesOfA(strangersLearnerId),
                AcquiredStandingMatrixEndToEndTest::refusedToAnOutsider, wrong);
        assertThat(wrong.all()).as(when).isEmpty();
        assertThat(now).as(when + ": every cell exactly as before").isEqualTo(strangerBefore);
    }

    /**
     * An agency with no standing: every operation naming the other agency's resource is refused (its workers get
     * the 404 of a record that does not exist), a coordinator reads referral metadata only, its own registrations
     * and lists name nothing of the other agency's, and nothing of the learner's data appears.
     */
    private static void refusedToAnOutsider(String cell, Caller caller, Operation operation, Resources resources,
                                            HttpResponse<String> response, Findings wrong) {
        int status = response.statusCode();
        String body = response.body();
        if (containsAnyOf(body, GIVEN_NAME, FAMILY_NAME, EMAIL, PHONE, NEED, NOTE, STEP_TITLE_OF_A)) {
            wrong.add(cell, "the answer (" + status + ") carries the learner's personal data");
        }
        if (caller.role() == Role.COORDINATOR && COORDINATOR_READS.contains(operation.key())) {
            if (status != 200 || body.contains(resources.learnerId())) {
                wrong.add(cell, "a coordinator reads referral metadata, never the learner: " + status + " " + body);
            }
        } else if (operation.namesAResource() || operation.key().equals("POST /api/referrals")) {
            Set<Integer> refused = caller.role() == Role.WORKER ? Set.of(404) : Set.of(403, 404);
            if (!refused.contains(status)) {
                wrong.add(cell, "another agency's resource must be " + refused + ", got " + status + " " + body);
            }
        } else if (operation.key().equals("POST /api/learners")) {
            if (status != (caller.worksWithLearners() ? 201 : 403)) {
                wrong.add(cell, "registering its own learner: " + status + " " + body);
            }
        } else if (!operation.read()) {
            wrong.add(cell, "a write the matrix does not know; classify it");
        } else if (status < 300 && containsAnyOf(body, resources.learnerId(), resources.referralId(),
                resources.consentId(), resources.owner())) {
            wrong.add(cell, "a list holds the other agency's business: " + body);
        }
    }

    /** D once A's referrals ended: nothing on the learner; its referral's history it still reads. */
    private static void receiverOnceEnded(String cell, Caller caller, Operation operation, Resources resources,
                                          HttpResponse<String> response, Findings wrong) {
        if (operation.service().equals("referral-service")) {
            receiversReferral(cell, caller, operation, response, wrong);
        } else {
            learnerRefused(cell, caller, operation, response, wrong);
        }
    }

    /** Any learner operation refused: workers get the 404 of a learner that does not exist, no data. */
    private static void learnerRefused(String cell, Caller caller, Operation operation, HttpResponse<String> response,
                                       Findings wrong) {
        int status = response.statusCode();
        if (containsAnyOf(response.body(), GIVEN_NAME, FAMILY_NAME, EMAIL, PHONE, NEED, NOTE)) {
            wrong.add(cell, "the answer (" + status + ") carries the learner's personal data");
        }
        if (operation.key().equals("POST /api/learners")) {
            if (status != (caller.worksWithLearners() ? 201 : 403)) {
                wrong.add(cell, "registering its own learner: " + status + " " + response.body());
            }
        } else if (!operation.namesAResource()) {
            // Its own lists; link requests are a worker's business.
            boolean refused = status == 403 && (caller.role() != Role.WORKER
                    && operation.key().equals("GET /api/learners/link-requests")
                    || !caller.worksWithLearners() && operation.key().equals("GET /api/learners"));
            if ((status >= 300 && !refused) || response.body().contains(learnerId)) {
                wrong.add(cell, "its own list: " + status + " " + response.body());
            }
        } else if (!(caller.role() == Role.WORKER ? Set.of(404) : Set.of(403, 404)).contains(status)) {
            wrong.add(cell, "refused on the learner, got " + status + " " + response.body());
        }
    }

    /**
     * D's answers on A's referral to it, as the referral-service documents them for the receiving agency. While open
     * (on hold, with no consent in force) and once cancelled: the referral's course, never the person's data (the
     * need, the notes, the names), for being party to a referral is no grounds of its own.
     */
    private static void receiversReferral(String cell, Caller caller, Operation operation,
                                          HttpResponse<String> response, Findings wrong) {
        int status = response.statusCode();
        String body = response.body();
        boolean party = caller.worksWithLearners();
        switch (operation.key()) {
            case "GET /api/referrals/{id}" -> {
                expect(cell, response, wrong, 200, "");
                if (!party && containsAnyOf(body, learnerId, NEED)) {
                    wrong.add(cell, "metadata only for " + caller.role());
                }
            }
            case "GET /api/referrals/{id}/chain" -> expect(cell, response, wrong, 200, "");
            case "GET /api/referrals/{id}/notes" -> expect(cell, response, wrong, 403,
                    party ? "urn:pathways:problem:consent-required" : "");
            case "GET /api/referrals/{id}/history" -> expect(cell, response, wrong, party ? 200 : 403, "");
            // Next steps follow a completed referral; the agency knows this one's status as a party to it.
            case "GET /api/referrals/{id}/next-steps" -> expect(cell, response, wrong, 409,
                    "urn:pathways:problem:not-completed");
            // Starting one is referring the learner: an agency without standing is refused before anything else.
            case "POST /api/referrals/{id}/next-steps" -> expect(cell, response, wrong, 403,
                    party ? "urn:pathways:problem:no-standing" : "");
            case "GET /api/referrals" -> {
                if (status != 200 && status != 403) {
                    wrong.add(cell, "its own inbox: " + status + " " + body);
                }
            }
            case "POST /api/referrals" -> {
                // Receiving a referral is no standing to refer the learner onwards.
                if (status != (party ? 404 : 403)) {
                    wrong.add(cell, "refers A's learner: " + status + " " + body);
                }
            }
            case "POST /api/referrals/{id}/transitions" -> expect(cell, response, wrong, party ? 409 : 403,
                    party ? "urn:pathways:problem:illegal-transition" : "");
            case "POST /api/referrals/{id}/notes" -> expect(cell, response, wrong, 403,
                    party ? "urn:pathways:problem:consent-required" : "");
            case "POST /api/referrals/{id}/reroute" -> {
                // No standing of its own for the learner: as for a learner that does not exist.
                if (status != (party ? 404 : 403)) {
                    wrong.add(cell, "sends the learner on without standing: " + status + " " + body);
                }
            }
            default -> wrong.add(cell, "a referral operation the matrix does not know; classify it (" + status + ")");
        }
        if (containsAnyOf(body, NEED, NOTE, GIVEN_NAME, FAMILY_NAME)) {
            wrong.add(cell, "personal data for " + caller.role() + " without consent in force");
        }
        if (containsAnyOf(body, EMAIL, PHONE)) {
            wrong.add(cell, "contact details");
        }
    }

    private static void expect(String cell, HttpResponse<String> response, Findings wrong, int status, String type) {
        if (response.statusCode() != status || (!type.isEmpty() && !type.equals(problemType(response)))) {
            wrong.add(cell, "expected " + status + " " + type + ", got " + response.statusCode() + " "
                    + response.body());
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static void approvedAgency(String staff, String agency, String kind) throws Exception {
        String sector = kind.equals("COMMUNITY_GROUP") ? "COMMUNITY" : "PUBLIC";
        JsonNode pending = JSON.readTree(ok(call("POST", "/api/agencies", staff, Map.of(), """
                {"name":"Acquired %s","sector":"%s","kind":"%s","acceptsDirectReferrals":true}
                """.formatted(agency, sector, kind))));
        ok(call("PUT", "/api/agencies/" + agency + "/kind", PARTNERSHIP, Map.of(),
                "{\"kind\":\"%s\",\"sector\":\"%s\",\"version\":%d}".formatted(kind, sector,
                        pending.path("version").asLong())));
    }

    private static String publishedOpportunity(String token, String title) throws Exception {
        String id = id(ok(call("POST", "/api/opportunities", token, Map.of(),
                "{\"title\":\"" + title + " " + RUN + "\",\"kind\":\"NON_FORMAL_LEARNING\",\"capacity\":10}")));
        ok(call("POST", "/api/opportunities/" + id + "/publish", token, Map.of(), null));
        return id;
    }

    private static String referralOf(String learner, String course, String need) {
        return "{\"learnerId\":\"%s\",\"opportunityId\":\"%s\",\"need\":\"%s\",\"urgency\":\"ROUTINE\"}"
                .formatted(learner, course, need);
    }

    /** Submitted once the referral-service has heard of the learner, its consent and the course. */
    private static String submitted(String staff, String learner, String course, String need) throws Exception {
        Callable<HttpResponse<String>> submit = () -> call("POST", "/api/referrals", staff, Map.of(),
                referralOf(learner, course, need));
        Predicate<HttpResponse<String>> heard = r -> r.statusCode() != 422 && r.statusCode() != 404;
        return id(ok(await().atMost(EVENTS).pollInterval(Duration.ofMillis(200)).until(submit, heard::test)));
    }

    private static HttpResponse<String> transition(String staff, String referral, String action) throws Exception {
        long version = version("/api/referrals/" + referral, staff);
        return call("POST", "/api/referrals/" + referral + "/transitions", staff,
                Map.of("If-Match", "\"" + version + "\""), action);
    }

    private static long version(String path, String staff) throws Exception {
        HttpResponse<String> read = call("GET", path, staff, Map.of(), null);
        ok(read);
        return Long.parseLong(read.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
    }

    /** Adds a step its agency owns to the learner's (empty) plan; its id. */
    private static String firstStep(String staff, String learner, String title) throws Exception {
        return JSON.readTree(ok(call("POST", "/api/learners/" + learner + "/plan/steps", staff,
                Map.of("If-Match", "\"0\""), "{\"title\":\"" + title + "\"}"))).at("/steps/0/stepId").asString();
    }

    private static JsonNode profileAsA() throws Exception {
        return JSON.readTree(ok(call("GET", "/api/learners/" + learnerId, A_STAFF, Map.of(), null)));
    }

    private static List<String> referralIds(HttpResponse<String> inbox) {
        return JSON.readTree(ok(inbox)).path("items").valueStream().map(item -> item.path("id").asString()).toList();
    }

    private static String answers(String verb) {
        return verb.equals("accept") ? "accepts" : "declines";
    }

    /** Refused exactly as a request naming nothing that exists would be: same status, same problem type. */
    private static void assertNotFoundLikeNobody(String attempt, HttpResponse<String> refused,
                                                 HttpResponse<String> nobody) {
        assertThat(refused.statusCode()).as(attempt + ": " + refused.body()).isEqualTo(404);
        assertThat(problemType(refused)).as(attempt).isEqualTo(problemType(nobody))
                .isEqualTo("urn:pathways:problem:not-found");
        assertThat(refused.headers().firstValue("Content-Type")).as(attempt)
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.body()).as(attempt).doesNotContain(GIVEN_NAME, FAMILY_NAME, EMAIL, PHONE, A);
    }
}
