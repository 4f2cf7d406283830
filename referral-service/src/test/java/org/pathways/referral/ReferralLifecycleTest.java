package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pathways.testing.HttpApi;
import tools.jackson.databind.JsonNode;

/** The closed loop over real HTTP: every action at every status by every kind of caller, and its event. */
class ReferralLifecycleTest extends ReferralServiceTest {

    enum Status { SUBMITTED, RECEIVED, ACCEPTED, IN_PROGRESS, ON_HOLD, COMPLETED, REJECTED, FAILED, CANCELLED }

    enum Action { RECEIVE, ACCEPT, REJECT, START, HOLD, RESUME, COMPLETE, FAIL, CANCEL }

    enum Caller { REFERRING_WORKER, RECEIVING_WORKER, THIRD_AGENCY_WORKER, COORDINATOR }

    /** The expected rules, written out independently of the code: who (referring or receiving) may do what when. */
    private static final Map<Status, Map<Action, Caller>> LEGAL = new EnumMap<>(Map.of(
            Status.SUBMITTED, Map.of(Action.RECEIVE, Caller.RECEIVING_WORKER, Action.REJECT, Caller.RECEIVING_WORKER,
                    Action.CANCEL, Caller.REFERRING_WORKER),
            Status.RECEIVED, Map.of(Action.ACCEPT, Caller.RECEIVING_WORKER, Action.REJECT, Caller.RECEIVING_WORKER,
                    Action.CANCEL, Caller.REFERRING_WORKER),
            Status.ACCEPTED, Map.of(Action.START, Caller.RECEIVING_WORKER, Action.HOLD, Caller.RECEIVING_WORKER,
                    Action.FAIL, Caller.RECEIVING_WORKER, Action.CANCEL, Caller.REFERRING_WORKER),
            Status.IN_PROGRESS, Map.of(Action.COMPLETE, Caller.RECEIVING_WORKER, Action.HOLD,
                    Caller.RECEIVING_WORKER, Action.FAIL, Caller.RECEIVING_WORKER, Action.CANCEL,
                    Caller.REFERRING_WORKER),
            Status.ON_HOLD, Map.of(Action.RESUME, Caller.RECEIVING_WORKER, Action.CANCEL, Caller.REFERRING_WORKER)));

    private static final Map<Action, Status> TARGET = Map.of(Action.RECEIVE, Status.RECEIVED,
            Action.ACCEPT, Status.ACCEPTED, Action.REJECT, Status.REJECTED, Action.START, Status.IN_PROGRESS,
            Action.HOLD, Status.ON_HOLD, Action.RESUME, Status.ACCEPTED, Action.COMPLETE, Status.COMPLETED,
            Action.FAIL, Status.FAILED, Action.CANCEL, Status.CANCELLED);

    private static final Map<Action, String> EVENT = Map.of(Action.RECEIVE, "received", Action.ACCEPT, "accepted",
            Action.REJECT, "rejected", Action.START, "started", Action.HOLD, "on-hold", Action.RESUME, "resumed",
            Action.COMPLETE, "completed", Action.FAIL, "failed", Action.CANCEL, "cancelled");

    /** How the receiving (or referring) agency brings a new referral to each status. */
    private static final Map<Status, List<String[]>> PATH = new EnumMap<>(Map.of(
            Status.SUBMITTED, List.of(),
            Status.RECEIVED, List.<String[]>of(new String[] {"RECEIVE"}),
            Status.ACCEPTED, List.of(new String[] {"RECEIVE"}, new String[] {"ACCEPT"}),
            Status.IN_PROGRESS, List.of(new String[] {"RECEIVE"}, new String[] {"ACCEPT"}, new String[] {"START"}),
            Status.ON_HOLD, List.of(new String[] {"RECEIVE"}, new String[] {"ACCEPT"}, new String[] {"HOLD"}),
            Status.COMPLETED, List.of(new String[] {"RECEIVE"}, new String[] {"ACCEPT"}, new String[] {"START"},
                    new String[] {"COMPLETE"}),
            Status.REJECTED, List.<String[]>of(new String[] {"REJECT", "NO_CAPACITY"}),
            Status.FAILED, List.of(new String[] {"RECEIVE"}, new String[] {"ACCEPT"},
                    new String[] {"FAIL", "DID_NOT_START"}),
            Status.CANCELLED, List.<String[]>of(new String[] {"CANCEL"})));

    /** Referrals that only refused attempts have touched, one per status, shared by the refusing cases. */
    private static final Map<Status, JsonNode> UNCHANGED = new ConcurrentHashMap<>();

    static Stream<Arguments> everyActionAtEveryStatusByEveryCaller() {
        List<Arguments> cases = new ArrayList<>();
        for (Status status : Status.values()) {
            for (Action action : Action.values()) {
                for (Caller caller : Caller.values()) {
                    cases.add(Arguments.of(status, action, caller));
                }
            }
        }
        return cases.stream();
    }

    private JsonNode referralAt(Status status) {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode referral = submitted(s);
        for (String[] step : PATH.get(status)) {
            String token = step[0].equals("CANCEL") ? worker(COUNCIL) : worker(COLLEGE);
            referral = step(token, referral, step[0], step.length > 1 ? step[1] : null);
        }
        assertThat(referral.get("status").asString()).isEqualTo(status.name());
        return referral;
    }

    private static String tokenOf(Caller caller) {
        return switch (caller) {
            case REFERRING_WORKER -> worker(COUNCIL);
            case RECEIVING_WORKER -> worker(COLLEGE);
            case THIRD_AGENCY_WORKER -> worker(JOBCENTRE);
            case COORDINATOR -> coordinator();
        };
    }

    private static String reasonFor(Status status, Action action) {
        return switch (action) {
            case REJECT -> "NOT_ELIGIBLE";
            case FAIL -> status == Status.ACCEPTED ? "DID_NOT_START" : "LEFT_EARLY";
            default -> null;
        };
    }

    @ParameterizedTest(name = "{2} tries {1} on a {0} referral")
    @MethodSource("everyActionAtEveryStatusByEveryCaller")
    void onlyTheAgencyWhoseTurnItIsMovesAReferral(Status status, Action action, Caller caller) {
        Caller legalFor = LEGAL.getOrDefault(status, Map.of()).get(action);
        boolean legal = legalFor == caller;
        JsonNode referral = legal ? referralAt(status) : UNCHANGED.computeIfAbsent(status, this::referralAt);
        String id = referral.get("id").asString();

        HttpApi.Response response = transition(tokenOf(caller), referral, action.name(), reasonFor(status, action),
                null);

        switch (caller) {
            case THIRD_AGENCY_WORKER -> assertThat(response.isProblem(404, "not-found")).as(response.toString())
                    .isTrue();
            case COORDINATOR -> assertThat(response.isProblem(403, "forbidden")).as(response.toString()).isTrue();
            default -> {
                if (legal) {
                    assertThat(response.status()).as(response.toString()).isEqualTo(200);
                    Status target = TARGET.get(action);
                    assertThat(response.text("status")).isEqualTo(target.name());
                    assertThat(response.body().get("version").asLong())
                            .isEqualTo(referral.get("version").asLong() + 1);
                    JsonNode last = response.body().get("history").get(response.body().get("history").size() - 1);
                    assertThat(last.get("action").asString()).isEqualTo(action.name());
                    assertThat(last.get("byAgency").asString())
                            .isEqualTo(caller == Caller.REFERRING_WORKER ? COUNCIL : COLLEGE);
                    List<JsonNode> published = eventsOf(id, EVENT.get(action), 1);
                    assertThat(published).hasSize(1);
                    JsonNode data = published.getFirst().get("data");
                    assertThat(data.get("status").asString()).isEqualTo(target.name());
                    assertThat(data.get("referringAgencyId").asString()).isEqualTo(COUNCIL);
                    assertThat(data.get("receivingAgencyId").asString()).isEqualTo(COLLEGE);
                    assertThat(data.get("actingAgencyId").asString())
                            .isEqualTo(caller == Caller.REFERRING_WORKER ? COUNCIL : COLLEGE);
                    String reason = reasonFor(status, action);
                    assertThat(data.path("reason").isNull() || data.path("reason").isMissingNode()
                            ? null : data.get("reason").asString()).isEqualTo(reason);
                } else {
                    assertThat(response.isProblem(409, "illegal-transition")).as(response.toString()).isTrue();
                    List<String> allowed = new ArrayList<>();
                    response.body().get("allowedActions").forEach(a -> allowed.add(a.asString()));
                    List<String> expected = LEGAL.getOrDefault(status, Map.of()).entrySet().stream()
                            .filter(e -> e.getValue() == caller).map(e -> e.getKey().name()).toList();
                    assertThat(allowed).containsExactlyInAnyOrderElementsOf(expected);
                }
            }
        }
    }

    @Test
    void aStaleVersionIsAConflictAndChangesNothing() {
        JsonNode submitted = submitted(consentedLearnerAndPublishedCourse(20, 0));
        step(worker(COLLEGE), submitted, "RECEIVE", null);
        HttpApi.Response stale = transition(worker(COLLEGE), submitted, "REJECT", "NO_CAPACITY", null);
        assertThat(stale.isProblem(409, "stale-version")).as(stale.toString()).isTrue();
        JsonNode now = api().get("/api/referrals/" + submitted.get("id").asString(), worker(COLLEGE)).body();
        assertThat(now.get("status").asString()).isEqualTo("RECEIVED");
    }

    @Test
    void aRejectionNeedsACodeAndOtherNeedsWordsWhichNeverLeaveTheService() {
        JsonNode referral = step(worker(COLLEGE), submitted(consentedLearnerAndPublishedCourse(20, 0)), "RECEIVE",
                null);
        assertThat(transition(worker(COLLEGE), referral, "REJECT", null, null).isProblem(422, "invalid-reason"))
                .isTrue();
        assertThat(transition(worker(COLLEGE), referral, "REJECT", "OTHER", " ").isProblem(422, "invalid-reason"))
                .isTrue();
        assertThat(transition(worker(COLLEGE), referral, "REJECT", "LEFT_EARLY", null)
                .isProblem(422, "invalid-reason")).isTrue();
        assertThat(transition(worker(COLLEGE), referral, "ACCEPT", "NO_CAPACITY", null)
                .isProblem(422, "invalid-reason")).isTrue();
        HttpApi.Response rejected = transition(worker(COLLEGE), referral, "REJECT", "OTHER",
                "Course moved to an evening slot she cannot attend");
        assertThat(rejected.status()).isEqualTo(200);
        String id = referral.get("id").asString();

        JsonNode last = rejected.body().get("history").get(2);
        assertThat(last.get("reason").asString()).isEqualTo("OTHER");
        assertThat(last.get("reasonText").asString()).contains("evening slot");
        assertThat(last.get("byUser").asString()).isNotBlank();
        assertThat(last.get("at").asString()).isNotBlank();
        assertThat(api().get("/api/referrals/" + id, coordinator()).body().has("history")).isFalse();

        JsonNode event = eventsOf(id, "rejected", 1).getFirst();
        assertThat(event.get("data").get("reason").asString()).isEqualTo("OTHER");
        assertThat(event.toString()).doesNotContain("evening slot");
    }

    @Test
    void closingAReferralLetsANewOneBeOpenedForTheSameLearnerAndCourse() {
        Scenario s = consentedLearnerAndPublishedCourse(20, 0);
        JsonNode first = submitted(s);
        assertThat(api().post("/api/referrals", worker(COUNCIL), body(s)).status()).isEqualTo(409);
        step(worker(COLLEGE), first, "REJECT", "NO_CAPACITY");
        assertThat(api().post("/api/referrals", worker(COUNCIL), body(s)).status()).isEqualTo(201);
    }

    @Test
    void handoffNotesAreAThreadBetweenTheTwoAgenciesAndTheirEventCarriesNoText() {
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String notes = "/api/referrals/" + referral.get("id").asString() + "/notes";
        assertThat(api().post(notes, worker(COUNCIL), Map.of("text", "She prefers mornings; call after 10"))
                .status()).isEqualTo(201);
        HttpApi.Response reply = api().post(notes, worker(COLLEGE), Map.of("text", "Assessment booked Tuesday"));
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.text("authorAgencyId")).isEqualTo(COLLEGE);

        JsonNode thread = api().get(notes, worker(COLLEGE)).body();
        assertThat(thread).hasSize(2);
        assertThat(thread.get(0).get("text").asString()).contains("mornings");
        assertThat(thread.get(1).get("authorAgencyId").asString()).isEqualTo(COLLEGE);

        assertThat(api().get(notes, worker(JOBCENTRE)).isProblem(404, "not-found")).isTrue();
        assertThat(api().post(notes, worker(JOBCENTRE), Map.of("text", "hello")).isProblem(404, "not-found"))
                .isTrue();
        assertThat(api().get(notes, coordinator()).isProblem(404, "not-found")).isTrue();

        List<JsonNode> added = eventsOf(referral.get("id").asString(), "note-added", 2);
        assertThat(added).hasSize(2);
        assertThat(added.toString()).doesNotContain("mornings").doesNotContain("Tuesday");
        assertThat(added.get(1).get("data").get("authorAgencyId").asString()).isEqualTo(COLLEGE);

        for (String hostile : List.of("{\"text\":{\"$gt\":\"\"}}", "{\"text\":\"\"}", "{\"text\":\"x\",\"at\":1}",
                "{\"text\":\"" + "x".repeat(5000) + "\"}", "not json")) {
            assertThat(api().post(notes, worker(COUNCIL), hostile).status()).as(hostile).isEqualTo(400);
        }
    }

    @Test
    void aNoteSentAgainWithItsKeyIsAddedOnceEvenTwiceAtOnce() throws Exception {
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String id = referral.get("id").asString();
        String notes = "/api/referrals/" + id + "/notes";
        String body = JSON.writeValueAsString(Map.of("text", "Needs a ground-floor room"));
        String key = "note-" + UUID.randomUUID();

        HttpResponse<String> first = send("POST", notes, worker(COUNCIL), body, "Idempotency-Key", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        HttpResponse<String> again = send("POST", notes, worker(COUNCIL), body, "Idempotency-Key", key);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(JSON.readTree(again.body()).get("id").asString())
                .isEqualTo(JSON.readTree(first.body()).get("id").asString());
        // The key with another text is refused; another agency's identical key is its own.
        HttpResponse<String> otherText = send("POST", notes, worker(COUNCIL),
                JSON.writeValueAsString(Map.of("text", "Something else")), "Idempotency-Key", key);
        assertThat(otherText.statusCode()).as(otherText.body()).isEqualTo(422);
        assertThat(otherText.body()).contains("idempotency-key-reused");
        assertThat(send("POST", notes, worker(COLLEGE), body, "Idempotency-Key", key).statusCode()).isEqualTo(201);

        // Twice at once (a double click): one note.
        String racedKey = "note-" + UUID.randomUUID();
        String racedBody = JSON.writeValueAsString(Map.of("text", "Call her after 10"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<HttpResponse<String>>> racing = pool.invokeAll(List.of(
                () -> send("POST", notes, worker(COUNCIL), racedBody, "Idempotency-Key", racedKey),
                () -> send("POST", notes, worker(COUNCIL), racedBody, "Idempotency-Key", racedKey)));
        pool.shutdown();
        List<Integer> statuses = new ArrayList<>();
        for (var answer : racing) {
            statuses.add(answer.get().statusCode());
        }
        assertThat(statuses).containsExactlyInAnyOrder(201, 200);

        JsonNode thread = api().get(notes, worker(COLLEGE)).body();
        assertThat(thread).hasSize(3);
        assertThat(eventsOf(id, "note-added", 3)).hasSize(3);
        // A note sent again without a key is a note of its own, as before.
        assertThat(send("POST", notes, worker(COUNCIL), body).statusCode()).isEqualTo(201);
        assertThat(api().get(notes, worker(COLLEGE)).body()).hasSize(4);
    }

    @Test
    void twoAnswersRacingOnOneVersionLeaveOneWinner() throws Exception {
        JsonNode received = step(worker(COLLEGE), submitted(consentedLearnerAndPublishedCourse(20, 0)), "RECEIVE",
                null);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<HttpApi.Response>> racing = pool.invokeAll(List.of(
                () -> transition(worker(COLLEGE), received, "ACCEPT", null, null),
                () -> transition(worker(COLLEGE), received, "REJECT", "NO_CAPACITY", null)));
        pool.shutdown();
        List<Integer> statuses = new ArrayList<>();
        for (var answer : racing) {
            statuses.add(answer.get().status());
        }
        assertThat(statuses).containsExactlyInAnyOrder(200, 409);
        String id = received.get("id").asString();
        assertThat(typesSoFar(id, COLLEGE)).filteredOn(type -> type.equals("accepted") || type.equals("rejected"))
                .hasSize(1);
    }

    @Test
    void noFreeTextEverLeavesTheServiceInAnEvent() {
        String marker = "Private-" + java.util.UUID.randomUUID();
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String id = referral.get("id").asString();
        api().post("/api/referrals/" + id + "/notes", worker(COUNCIL), Map.of("text", marker + " note"));
        referral = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        referral = step(worker(COLLEGE), referral, "RECEIVE", null);
        referral = step(worker(COLLEGE), referral, "ACCEPT", null);
        HttpApi.Response held = transition(worker(COLLEGE), referral, "HOLD", "WAITLISTED",
                marker + " waiting list");
        referral = transition(worker(COLLEGE), held.body(), "RESUME", null, marker + " place found").body();
        assertThat(transition(worker(COUNCIL), referral, "CANCEL", null, marker + " moved away").status())
                .isEqualTo(200);
        List<String> published = referrals.await(r -> id.equals(r.key()), 7, DEADLINE).stream()
                .map(r -> new String(r.value())).toList();
        assertThat(published).hasSize(7);
        assertThat(published).allSatisfy(event -> assertThat(event).doesNotContain("Private-")
                .doesNotContain("spoken English"));
    }

    @Test
    void hostileTransitionsGetProblemDetailsNeverA500() {
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String path = "/api/referrals/" + referral.get("id").asString() + "/transitions";
        List<String> hostile = List.of(
                "{\"action\":{\"$gt\":\"\"},\"version\":0}",
                "{\"action\":\"DELETE\",\"version\":0}",
                "{\"action\":\"RECEIVE\",\"version\":0.5}",
                "{\"action\":\"RECEIVE\",\"version\":-1}",
                "{\"action\":\"RECEIVE\",\"version\":0,\"status\":\"COMPLETED\"}",
                "{\"action\":\"REJECT\",\"reason\":\"BORED\",\"version\":0}",
                "{\"action\":\"REJECT\",\"reason\":\"OTHER\",\"reasonText\":\"" + "x".repeat(3000)
                        + "\",\"version\":0}",
                "{\"action\":0,\"version\":0}",
                "[]");
        for (String body : hostile) {
            HttpApi.Response response = api().post(path, worker(COLLEGE), body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        // No version in the body nor an If-Match header: the change must say which version it saw.
        assertThat(api().post(path, worker(COLLEGE), "{\"action\":\"RECEIVE\"}")
                .isProblem(428, "precondition-required")).isTrue();
        assertThat(api().post("/api/referrals/bad%20id/transitions", worker(COLLEGE),
                "{\"action\":\"RECEIVE\",\"version\":0}").status()).isEqualTo(400);
        assertThat(api().post(path, null, "{\"action\":\"RECEIVE\",\"version\":0}").status()).isEqualTo(401);
        assertThat(typesSoFar(referral.get("id").asString(), COLLEGE)).containsExactly("submitted");
    }
}
