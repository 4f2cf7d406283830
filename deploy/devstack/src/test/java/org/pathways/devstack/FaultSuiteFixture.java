package org.pathways.devstack;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pathways.devstack.DemoTokens.DemoPrincipal;

/**
 * What the fault suite's load needs, made through the gateway before any fault: the council refers, the college
 * receives (both registered in the catalogue), the college publishes opportunities and subscribes a webhook endpoint
 * to its incoming referrals, and the council registers learners who consent to share with the college.
 */
final class FaultSuiteFixture {

    static final DemoPrincipal REFERRER = DemoTokens.COUNCIL;
    static final DemoPrincipal RECEIVER = DemoTokens.COLLEGE;
    static final String SUBMITTED = "org.pathways.referral.submitted.v1";
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private final GatewayApi api = new GatewayApi(PlatformService.GATEWAY.baseUrl());
    private final DemoTokens tokens;
    private final List<String> opportunityIds = new ArrayList<>();
    private int learners;

    FaultSuiteFixture(DemoTokens tokens) {
        this.tokens = tokens;
    }

    /** The agencies, {@code opportunities} published opportunities and the college's webhook subscription. */
    void prepare(int opportunities, String webhookUrl) throws IOException, InterruptedException {
        registerAgency(DemoPartnership.AGENCIES.get(0));
        registerAgency(DemoPartnership.AGENCIES.get(1));
        for (int n = 0; n < opportunities; n++) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("title", "Fault suite course " + (n + 1));
            body.put("description", "A course the fault suite refers learners to.");
            body.put("kind", "FORMAL_LEARNING");
            body.put("level", "E2");
            body.put("capacity", 100_000);
            body.put("terms", List.of("faults"));
            body.put("venues", List.of(Map.of("name", "Main site", "locality", "LS6")));
            String id = post("/api/opportunities", RECEIVER, body).field("id");
            post("/api/opportunities/" + id + "/publish", RECEIVER, null);
            opportunityIds.add(id);
        }
        post("/api/subscriptions", RECEIVER, Map.of("url", webhookUrl, "eventTypes", List.of(SUBMITTED)));
    }

    /**
     * {@code count} new learners of the council, each consenting to share with the college, and every pair of one
     * of them with one opportunity: each pair can be referred once (a second open referral is refused).
     */
    List<ReferralLoad.Pair> pairs(int count) throws IOException, InterruptedException {
        List<ReferralLoad.Pair> pairs = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            String learnerId = registerLearner(++learners);
            post("/api/learners/" + learnerId + "/consents", REFERRER,
                    Map.of("agencyId", DemoPartnership.COLLEGE_ID, "purpose", "REFERRAL_SHARING", "method", "VERBAL"));
            for (String opportunityId : opportunityIds) {
                pairs.add(new ReferralLoad.Pair(learnerId, opportunityId));
            }
        }
        // Interleaved, so that concurrent clients refer different learners.
        List<ReferralLoad.Pair> interleaved = new ArrayList<>();
        for (int o = 0; o < opportunityIds.size(); o++) {
            for (int l = 0; l < count; l++) {
                interleaved.add(pairs.get(l * opportunityIds.size() + o));
            }
        }
        return interleaved;
    }

    private String registerLearner(int number) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("givenName", "Learner");
        body.put("familyName", "Faults " + letters(number));
        body.put("dateOfBirth", "1990-01-01");
        body.put("localityCode", "LS6");
        body.put("preferredLanguage", "en");
        body.put("preferredContactMethod", "THROUGH_WORKER");
        body.put("goals", "Learn.");
        body.put("barriers", List.of());
        body.put("interests", List.of());
        body.put("priorAchievements", List.of());
        body.put("confirmNotDuplicate", true);
        return post("/api/learners", REFERRER, body).field("id");
    }

    /** 1 → "B", 2 → "C", …: names take letters, not digits. */
    private static String letters(int number) {
        StringBuilder text = new StringBuilder();
        for (int n = number; n > 0; n /= 26) {
            text.insert(0, (char) ('A' + n % 26));
        }
        return text.charAt(0) + text.substring(1).toLowerCase();
    }

    private void registerAgency(DemoPartnership.AgencyPlan plan) throws IOException, InterruptedException {
        if (api.get("/api/agencies/" + plan.id(), tokens.tokenOf(plan.admin())).succeeded()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", plan.name());
        body.put("sector", plan.sector());
        body.put("kind", plan.kind());
        body.put("localities", plan.localities());
        body.put("contacts", List.of());
        body.put("acceptsDirectReferrals", true);
        body.put("description", plan.description());
        post("/api/agencies", plan.admin(), body);
    }

    /** Posts until a 2xx, waiting out a gateway that is warming up; fails the suite on any refusal. */
    private GatewayApi.Reply post(String path, DemoPrincipal as, Object body) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        GatewayApi.Reply last = null;
        IOException lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = api.post(path, tokens.tokenOf(as), body, Map.of());
                if (last.succeeded()) {
                    return last;
                }
                if (!DemoData.isWorthRetrying(last.status(), false)) {
                    break;
                }
            } catch (IOException e) {
                lastError = e;
            }
            Thread.sleep(500);
        }
        throw new IOException("POST " + path + " failed: " + (last == null ? lastError : last.describe()));
    }
}
