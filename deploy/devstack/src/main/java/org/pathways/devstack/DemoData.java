package org.pathways.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pathways.devstack.DemoTokens.DemoPrincipal;

/**
 * Fills a fresh platform with a small, believable partnership through the public API, exactly as agencies would:
 * a college, a council and a jobcentre publish opportunities, the council registers learners who consent to share
 * with the college and the jobcentre, and refers them. Loaded once per data directory; a marker file records it.
 */
final class DemoData {

    static final String MARKER_FILE = "demo-loaded";
    /** How long a call may keep failing because the gateway or a route is still warming up. */
    private static final Duration WARM_UP_PATIENCE = Duration.ofSeconds(10);
    /**
     * The referral service learns of consents and published opportunities from Kafka events, a moment after they
     * were created; until then it refuses a referral as unknown or not consented.
     */
    private static final Duration EVENT_PROPAGATION_PATIENCE = Duration.ofSeconds(30);
    private static final Duration RETRY_INTERVAL = Duration.ofMillis(500);

    private record OpportunityPlan(DemoPrincipal owner, String title, String description, String kind, String level,
            int capacity) {
    }

    private record LearnerPlan(String givenName, String familyName, String dateOfBirth, String email, String phone) {
    }

    /** Refer learner number {@code learner} to opportunity number {@code opportunity} of the plans above. */
    private record ReferralPlan(int learner, int opportunity, String need) {
    }

    private static final List<OpportunityPlan> OPPORTUNITIES = List.of(
            new OpportunityPlan(DemoTokens.COLLEGE, "Entry 2 English for speakers of other languages",
                    "Small-group ESOL for adults: everyday speaking, listening, reading and writing. Daytime and"
                            + " evening classes, free for learners on low incomes.",
                    "FORMAL_LEARNING", "E2", 16),
            new OpportunityPlan(DemoTokens.COLLEGE, "Level 1 Functional Skills Maths",
                    "Number, measures, shape and data for work and everyday life, leading to a Level 1 qualification.",
                    "FORMAL_LEARNING", "L1", 14),
            new OpportunityPlan(DemoTokens.JOBCENTRE, "Work Coach job search club",
                    "Weekly drop-in with a work coach: CVs, online applications, interview practice.",
                    "EMPLOYMENT_SUPPORT", null, 30),
            new OpportunityPlan(DemoTokens.COUNCIL, "Confidence building group",
                    "Six friendly sessions at the community hub for adults returning to learning or work.",
                    "NON_FORMAL_LEARNING", null, 10));

    private static final List<LearnerPlan> LEARNERS = List.of(
            new LearnerPlan("Amina", "Yusuf", "1990-04-12", "amina.yusuf@example.org", "07700 900101"),
            new LearnerPlan("Tomasz", "Nowak", "1984-09-30", "tomasz.nowak@example.org", "07700 900202"),
            new LearnerPlan("Grace", "Okafor", "2001-02-17", "grace.okafor@example.org", "07700 900303"));

    /** The agencies every demo learner agrees to share their details with, so that they can be referred there. */
    private static final List<String> CONSENTED_AGENCIES = List.of("agency-college", "agency-jobcentre");

    private static final List<ReferralPlan> REFERRALS = List.of(
            new ReferralPlan(0, 0, "Wants to improve spoken English to help her children with school."),
            new ReferralPlan(1, 1, "Needs Level 1 maths to apply for a warehouse supervisor role."),
            new ReferralPlan(2, 2, "Recently out of work; looking for retail or customer service jobs."),
            new ReferralPlan(0, 2, "Would like part-time work once her English course has started."));

    private final GatewayApi api;
    private final DemoTokens tokens;
    private final PrintStream console;
    private final List<String> failures = new ArrayList<>();

    DemoData(GatewayApi api, DemoTokens tokens, PrintStream console) {
        this.api = api;
        this.tokens = tokens;
        this.console = console;
    }

    /** Loads the demo unless this data directory already has it. Never throws for a refused call: it reports. */
    void loadOnce(Path dataDir) throws InterruptedException, IOException {
        Path marker = dataDir.resolve(MARKER_FILE);
        if (Files.exists(marker)) {
            say("demo data was loaded before (" + marker + "); delete that file to load it again");
            return;
        }
        say("loading demo data through the gateway");

        List<String> opportunityIds = new ArrayList<>();
        for (OpportunityPlan plan : OPPORTUNITIES) {
            opportunityIds.add(createAndPublish(plan));
        }
        List<String> learnerIds = new ArrayList<>();
        for (LearnerPlan plan : LEARNERS) {
            learnerIds.add(register(plan));
        }
        int consents = 0;
        for (String learnerId : learnerIds) {
            for (String agency : CONSENTED_AGENCIES) {
                if (learnerId != null && recordConsent(learnerId, agency)) {
                    consents++;
                }
            }
        }
        List<String> referralIds = new ArrayList<>();
        for (int n = 0; n < REFERRALS.size(); n++) {
            ReferralPlan plan = REFERRALS.get(n);
            String learnerId = learnerIds.get(plan.learner());
            String opportunityId = opportunityIds.get(plan.opportunity());
            if (learnerId != null && opportunityId != null) {
                String referralId = refer(n + 1, plan, learnerId, opportunityId);
                if (referralId != null) {
                    referralIds.add(referralId);
                }
            }
        }

        say("demo data: " + count(opportunityIds) + "/" + OPPORTUNITIES.size() + " opportunities published, "
                + count(learnerIds) + "/" + LEARNERS.size() + " learners registered, " + consents + "/"
                + LEARNERS.size() * CONSENTED_AGENCIES.size() + " consents recorded, " + referralIds.size() + "/"
                + REFERRALS.size() + " referrals submitted");
        if (failures.isEmpty()) {
            Files.writeString(marker, "Demo data loaded " + Instant.now() + "\n", StandardCharsets.UTF_8);
            say("try: source " + dataDir.resolve(DemoTokens.FILE_NAME));
            say("     curl -s -H \"Authorization: Bearer $COLLEGE_TOKEN\" " + PlatformService.GATEWAY.baseUrl()
                    + "/api/referrals/" + referralIds.get(0) + "   # a referral the college received");
            say("     curl -s -H \"Authorization: Bearer $COORDINATOR_TOKEN\" " + PlatformService.GATEWAY.baseUrl()
                    + "/api/progression/summary   # the partnership's figures");
        } else {
            say("demo data: " + failures.size() + " step(s) failed; see the FAILED lines above");
            say("not marking the demo as loaded; the next start with --demo tries again and may duplicate what did"
                    + " load");
        }
    }

    private static long count(List<String> ids) {
        return ids.stream().filter(id -> id != null).count();
    }

    private String createAndPublish(OpportunityPlan plan) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", plan.title());
        body.put("description", plan.description());
        body.put("kind", plan.kind());
        body.put("level", plan.level());
        body.put("capacity", plan.capacity());
        GatewayApi.Reply created = call("create opportunity '" + plan.title() + "'", "/api/opportunities",
                plan.owner(), body, Map.of(), WARM_UP_PATIENCE, false);
        String id = idOf(created, "opportunity '" + plan.title() + "'");
        if (id == null) {
            return null;
        }
        GatewayApi.Reply published = call("publish opportunity '" + plan.title() + "'",
                "/api/opportunities/" + id + "/publish", plan.owner(), null, Map.of(), WARM_UP_PATIENCE, false);
        return published == null ? null : id;
    }

    private String register(LearnerPlan plan) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("givenName", plan.givenName());
        body.put("familyName", plan.familyName());
        body.put("dateOfBirth", plan.dateOfBirth());
        body.put("email", plan.email());
        body.put("phone", plan.phone());
        body.put("localityCode", "LS6");
        body.put("preferredLanguage", "en");
        String what = "learner " + plan.givenName() + " " + plan.familyName();
        return idOf(call("register " + what, "/api/learners", DemoTokens.COUNCIL, body, Map.of(), WARM_UP_PATIENCE,
                false), what);
    }

    private boolean recordConsent(String learnerId, String agency) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agencyId", agency);
        body.put("purpose", "REFERRAL_SHARING");
        body.put("method", "VERBAL");
        return call("record consent of learner " + learnerId + " for " + agency,
                "/api/learners/" + learnerId + "/consents", DemoTokens.COUNCIL, body, Map.of(), WARM_UP_PATIENCE,
                false) != null;
    }

    private String refer(int number, ReferralPlan plan, String learnerId, String opportunityId)
            throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("learnerId", learnerId);
        body.put("opportunityId", opportunityId);
        body.put("need", plan.need());
        body.put("urgency", "ROUTINE");
        String what = "referral " + number + " (" + LEARNERS.get(plan.learner()).givenName() + " to '"
                + OPPORTUNITIES.get(plan.opportunity()).title() + "')";
        // The idempotency key makes the retries below safe: a retry of a referral that did go through returns it.
        return idOf(call("submit " + what, "/api/referrals", DemoTokens.COUNCIL, body,
                Map.of("Idempotency-Key", "demo-" + number), EVENT_PROPAGATION_PATIENCE, true), what);
    }

    private String idOf(GatewayApi.Reply reply, String what) {
        if (reply == null) {
            return null;
        }
        String id = reply.field("id");
        if (id == null) {
            fail(what + ": the response has no \"id\": " + reply.describe());
        }
        return id;
    }

    /**
     * POSTs until it succeeds or {@code patience} runs out, retrying only what time can fix: the gateway's
     * 502/503/504 while a route warms up, no answer at all, and, with {@code untilEventsArrive}, any refusal other
     * than 401/403, which is how a service says it has not yet heard of the learner, consent or opportunity. Returns
     * null after reporting the failure.
     */
    private GatewayApi.Reply call(String what, String path, DemoPrincipal as, Object body,
            Map<String, String> headers, Duration patience, boolean untilEventsArrive) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        String lastProblem;
        while (true) {
            try {
                GatewayApi.Reply reply = api.post(path, tokens.tokenOf(as), body, headers);
                if (reply.succeeded()) {
                    return reply;
                }
                lastProblem = reply.describe();
                if (!isWorthRetrying(reply.status(), untilEventsArrive)) {
                    break;
                }
            } catch (IOException e) {
                lastProblem = "no answer from the gateway: " + e;
            }
            if (System.nanoTime() + RETRY_INTERVAL.toNanos() > deadline) {
                lastProblem += " (still failing after " + patience.toSeconds() + " s)";
                break;
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
        fail(what + " failed: " + lastProblem);
        return null;
    }

    static boolean isWorthRetrying(int status, boolean untilEventsArrive) {
        if (status == 502 || status == 503 || status == 504) {
            return true;
        }
        return untilEventsArrive && status >= 400 && status < 500 && status != 401 && status != 403;
    }

    private void fail(String message) {
        failures.add(message);
        say("FAILED: " + message);
    }

    private void say(String message) {
        console.println(ChildProcess.prefix("demo") + message);
    }
}
