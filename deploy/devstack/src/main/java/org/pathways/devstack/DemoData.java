package org.pathways.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.pathways.devstack.DemoPartnership.AgencyPlan;
import org.pathways.devstack.DemoPartnership.LearnerPlan;
import org.pathways.devstack.DemoPartnership.MilestonePlan;
import org.pathways.devstack.DemoPartnership.OpportunityPlan;
import org.pathways.devstack.DemoPartnership.Outcome;
import org.pathways.devstack.DemoPartnership.ReferralPlan;
import org.pathways.devstack.DemoPartnership.RoutePlan;
import org.pathways.devstack.DemoPartnership.Step;
import org.pathways.devstack.DemoTokens.DemoPrincipal;

/**
 * Fills a fresh platform with a believable partnership through the public API, exactly as agencies would (the plan is
 * {@link DemoPartnership}): the college, the council and the jobcentre register in the catalogue and publish
 * opportunities that lead on to each other; the college's developers subscribe a webhook whose endpoint is down; the
 * council and the jobcentre register learners in four localities, who consent to share with the other agencies, and
 * refer them; the receiving agencies answer, so that referrals stand at every stage (some left unanswered, which the
 * demo's same-day acknowledgement target soon makes overdue); completed ones lead to next steps; and workers record
 * several weeks of milestones. Loaded once per data directory; a marker file records it.
 *
 * <p>Nothing is written to a database directly: events carry the time they happen, so every referral is submitted
 * today; only milestones, which say when they happened ({@code occurredOn}), reach back several weeks.
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

    /**
     * Settings the demo platform runs with, by service: a same-day acknowledgement target (0 working days: a referral
     * is due to be received as soon as it is submitted) checked every 30 seconds, so that the demo's unanswered
     * referrals show as overdue within a minute instead of after two working days; and a short webhook retry schedule,
     * so that deliveries to the college's dead endpoint are parked within about a minute instead of a day.
     */
    static Map<String, String> settingsFor(String service) {
        return switch (service) {
            case "referral" -> Map.of("REFERRALS_SLA_ACKNOWLEDGE_DAYS", "0", "REFERRALS_SLA_CHECK_EVERY", "PT30S");
            case "notification" -> Map.of("PATHWAYS_WEBHOOKS_RETRYSCHEDULE", "0s,2s,5s");
            default -> Map.of();
        };
    }

    private final GatewayApi api;
    private final DemoTokens tokens;
    private final PrintStream console;
    private final List<String> failures = new ArrayList<>();

    DemoData(GatewayApi api, DemoTokens tokens, PrintStream console) {
        this.api = api;
        this.tokens = tokens;
        this.console = console;
    }

    /** Whether this data directory has the demo already (a later start approves pending agencies only). */
    static boolean loadedIn(Path dataDir) {
        return Files.exists(dataDir.resolve(MARKER_FILE));
    }

    /** Loads the demo unless this data directory already has it. Never throws for a refused call: it reports. */
    void loadOnce(Path dataDir) throws InterruptedException, IOException {
        Path marker = dataDir.resolve(MARKER_FILE);
        if (Files.exists(marker)) {
            // A data directory of a devstack that registered the agencies without approving them: approved now,
            // so that their opportunities are listed.
            for (AgencyPlan plan : DemoPartnership.AGENCIES) {
                approveIfPending(plan);
            }
            say("demo data was loaded before (" + marker + "); delete that file to load it again");
            return;
        }
        say("loading demo data through the gateway (about two minutes; the web app answers meanwhile, and the"
                + " \"demo data:\" line says when it is all there)");

        int agencies = 0;
        int approved = 0;
        for (AgencyPlan plan : DemoPartnership.AGENCIES) {
            agencies += registerIfNew(plan) ? 1 : 0;
            approved += approveIfPending(plan) ? 1 : 0;
        }
        boolean subscribed = subscribeUnreachableWebhook();
        List<String> opportunityIds = new ArrayList<>();
        for (int n = 0; n < DemoPartnership.OPPORTUNITIES.size(); n++) {
            opportunityIds.add(createAndPublish(n, DemoPartnership.OPPORTUNITIES.get(n)));
        }
        int routes = 0;
        for (RoutePlan route : DemoPartnership.ROUTES) {
            routes += addRoute(route, opportunityIds) ? 1 : 0;
        }
        List<String> learnerIds = new ArrayList<>();
        int consents = 0;
        int consentsPlanned = 0;
        for (LearnerPlan plan : DemoPartnership.LEARNERS) {
            String learnerId = register(plan);
            learnerIds.add(learnerId);
            for (String agency : plan.consentTo()) {
                consentsPlanned++;
                if (learnerId != null && recordConsent(plan, learnerId, agency)) {
                    consents++;
                }
            }
        }
        List<String> referralIds = new ArrayList<>();
        Map<Outcome, Integer> reached = new EnumMap<>(Outcome.class);
        int nextSteps = 0;
        for (int n = 0; n < DemoPartnership.REFERRALS.size(); n++) {
            ReferralPlan plan = DemoPartnership.REFERRALS.get(n);
            String learnerId = learnerIds.get(plan.learner());
            String opportunityId = opportunityIds.get(plan.opportunity());
            String referralId = learnerId == null || opportunityId == null ? null
                    : refer(n + 1, plan, learnerId, opportunityId);
            referralIds.add(referralId);
            if (referralId != null && takeToOutcome(n + 1, plan, referralId)) {
                reached.merge(plan.outcome(), 1, Integer::sum);
                if (plan.nextStep() >= 0 && opportunityIds.get(plan.nextStep()) != null
                        && nextStep(n + 1, plan, referralId, opportunityIds.get(plan.nextStep()))) {
                    nextSteps++;
                }
            }
        }
        int notes = 0;
        for (Map.Entry<Integer, List<Map.Entry<DemoPrincipal, String>>> thread : DemoPartnership.NOTES.entrySet()) {
            String referralId = referralIds.get(thread.getKey());
            int noteNumber = 0;
            for (Map.Entry<DemoPrincipal, String> note : thread.getValue()) {
                noteNumber++;
                if (referralId != null && call("add a note to referral " + (thread.getKey() + 1),
                        "/api/referrals/" + referralId + "/notes", note.getKey(), Map.of("text", note.getValue()),
                        Map.of("Idempotency-Key", "demo-note-" + (thread.getKey() + 1) + "-" + noteNumber),
                        WARM_UP_PATIENCE, false) != null) {
                    notes++;
                }
            }
        }
        int milestones = 0;
        for (int n = 0; n < DemoPartnership.MILESTONES.size(); n++) {
            MilestonePlan plan = DemoPartnership.MILESTONES.get(n);
            String learnerId = learnerIds.get(plan.learner());
            Integer opportunity = plan.opportunity();
            if (learnerId != null && recordMilestone(n + 1, plan, learnerId,
                    opportunity == null ? null : opportunityIds.get(opportunity))) {
                milestones++;
            }
        }

        int planSteps = learnerIds.get(DemoPartnership.TEAM_LEARNER) == null ? -1
                : teamAround(learnerIds.get(DemoPartnership.TEAM_LEARNER), referralIds);

        int referralsReached = reached.values().stream().mapToInt(Integer::intValue).sum();
        say("demo data: " + count(opportunityIds) + "/" + DemoPartnership.OPPORTUNITIES.size()
                + " opportunities published, " + routes + "/" + DemoPartnership.ROUTES.size() + " routes, "
                + agencies + " agencies registered in the catalogue (" + approved + " approved by the platform admin), "
                + count(learnerIds) + "/"
                + DemoPartnership.LEARNERS.size() + " learners registered, " + consents + "/" + consentsPlanned
                + " consents recorded, " + count(referralIds) + "/" + DemoPartnership.REFERRALS.size()
                + " referrals submitted (" + referralsReached + " taken to their outcome: " + reached + "), "
                + nextSteps + " next steps, " + notes + " handoff notes, " + milestones + "/"
                + DemoPartnership.MILESTONES.size() + " milestones over the last six weeks, "
                + (planSteps >= 0 ? "a lead worker (" + DemoPartnership.TEAM_LEAD + ") and " + planSteps + "/"
                        + DemoPartnership.TEAM_PLAN.size() + " plan steps for "
                        + DemoPartnership.LEARNERS.get(DemoPartnership.TEAM_LEARNER).givenName() : "no lead worker")
                + ", "
                + (subscribed ? "1 webhook subscription (the college's, endpoint down: its deliveries park within"
                        + " about a minute)" : "no webhook subscription"));
        if (failures.isEmpty()) {
            Files.writeString(marker, "Demo data loaded " + Instant.now() + "\n", StandardCharsets.UTF_8);
            say("open " + PlatformService.GATEWAY.baseUrl() + " and sign in as council-worker, college-worker,"
                    + " college-admin or coordinator (password " + DemoTokens.DEMO_PASSWORD + ")");
            say("or: source " + dataDir.resolve(DemoTokens.FILE_NAME));
            say("     curl -s -H \"Authorization: Bearer $COLLEGE_TOKEN\" " + PlatformService.GATEWAY.baseUrl()
                    + "/api/referrals/" + referralIds.get(0) + "   # a referral the college received");
            say("     curl -s -H \"Authorization: Bearer $COORDINATOR_TOKEN\" " + PlatformService.GATEWAY.baseUrl()
                    + "/api/progression/funnel   # the partnership's funnel");
        } else {
            say("demo data: " + failures.size() + " step(s) failed; see the FAILED lines above");
            say("not marking the demo as loaded; the next start with --demo tries again, finding what did load"
                    + " and adding the rest");
        }
    }

    private static long count(List<String> ids) {
        return ids.stream().filter(id -> id != null).count();
    }

    /** An agency already in the catalogue (registered by hand, or imported) is left as it is. */
    private boolean registerIfNew(AgencyPlan plan) throws InterruptedException {
        GatewayApi.Reply existing = get("look up agency " + plan.id(), "/api/agencies/" + plan.id(), plan.admin());
        if (existing != null && existing.succeeded()) {
            return false;
        }
        if (existing == null || existing.status() != 404) {
            fail("look up agency " + plan.id() + " failed: " + (existing == null ? "no answer" : existing.describe()));
            return false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", plan.name());
        body.put("sector", plan.sector());
        body.put("kind", plan.kind());
        body.put("localities", plan.localities());
        body.put("contacts", List.of());
        body.put("acceptsDirectReferrals", true);
        body.put("description", plan.description());
        return call("register agency " + plan.id(), "/api/agencies", plan.admin(), body, Map.of(), WARM_UP_PATIENCE,
                false) != null;
    }

    /**
     * The platform administrator approves the kind and sector the agency asked for, as in a real partnership: until
     * then its opportunities are not listed and nothing of it is announced. An agency already approved is left alone.
     */
    private boolean approveIfPending(AgencyPlan plan) throws InterruptedException {
        GatewayApi.Reply agency = get("look up agency " + plan.id(), "/api/agencies/" + plan.id(),
                DemoTokens.PLATFORM_ADMIN);
        if (agency == null || !agency.succeeded() || agency.body() == null) {
            fail("look up agency " + plan.id() + " failed: " + (agency == null ? "no answer" : agency.describe()));
            return false;
        }
        if (!agency.body().path("kind").isNull() && !agency.body().path("kind").isMissingNode()) {
            return false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", plan.kind());
        body.put("sector", plan.sector());
        body.put("version", agency.body().path("version").asLong());
        return send("approve agency " + plan.id() + " as " + plan.kind(), "PUT", "/api/agencies/" + plan.id() + "/kind",
                DemoTokens.PLATFORM_ADMIN, body, Map.of()) != null;
    }

    private boolean subscribeUnreachableWebhook() throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", DemoPartnership.UNREACHABLE_WEBHOOK);
        body.put("eventTypes", DemoPartnership.WEBHOOK_EVENT_TYPES);
        return call("subscribe the college's webhook", "/api/subscriptions", DemoTokens.COLLEGE, body,
                Map.of("Idempotency-Key", "demo-college-webhook"), WARM_UP_PATIENCE, false) != null;
    }

    private String createAndPublish(int number, OpportunityPlan plan) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", plan.title());
        body.put("description", plan.description());
        body.put("kind", plan.kind());
        if (plan.level() != null) {
            body.put("level", plan.level());
        }
        body.put("capacity", plan.capacity());
        body.put("terms", plan.terms());
        body.put("venues", List.of(Map.of("name", "Main site", "locality", plan.venueLocality())));
        // With a key of its own: a load cut short and started again finds the draft it made (and does not publish
        // it twice), instead of listing every course twice.
        GatewayApi.Reply created = call("create opportunity '" + plan.title() + "'", "/api/opportunities",
                plan.owner(), body, Map.of("Idempotency-Key", "demo-opportunity-" + number), WARM_UP_PATIENCE, false);
        String id = idOf(created, "opportunity '" + plan.title() + "'");
        if (id == null) {
            return null;
        }
        if (!"DRAFT".equals(created.field("status"))) {
            return id;
        }
        GatewayApi.Reply published = call("publish opportunity '" + plan.title() + "'",
                "/api/opportunities/" + id + "/publish", plan.owner(), null, Map.of(), WARM_UP_PATIENCE, false);
        return published == null ? null : id;
    }

    private boolean addRoute(RoutePlan route, List<String> opportunityIds) throws InterruptedException {
        String from = opportunityIds.get(route.from());
        String to = opportunityIds.get(route.to());
        if (from == null || to == null) {
            return false;
        }
        OpportunityPlan owner = DemoPartnership.OPPORTUNITIES.get(route.from());
        return call("route '" + owner.title() + "' on to '" + DemoPartnership.OPPORTUNITIES.get(route.to()).title()
                + "'", "/api/opportunities/" + from + "/routes", owner.owner(), Map.of("toOpportunityId", to),
                Map.of(), WARM_UP_PATIENCE, false) != null;
    }

    private String register(LearnerPlan plan) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("givenName", plan.givenName());
        body.put("familyName", plan.familyName());
        body.put("dateOfBirth", plan.dateOfBirth());
        body.put("localityCode", plan.localityCode());
        body.put("preferredLanguage", plan.preferredLanguage());
        body.put("preferredContactMethod", "THROUGH_WORKER");
        body.put("goals", plan.goals());
        body.put("barriers", plan.barriers());
        body.put("interests", plan.interests());
        body.put("priorAchievements", plan.achievements().stream()
                .map(achievement -> Map.of("title", achievement.title(), "kind", achievement.kind())).toList());
        String what = "learner " + plan.givenName() + " " + plan.familyName();
        // With a key of its own: a load cut short (Ctrl-C) and started again finds the learner it registered, instead
        // of a possible duplicate that would fail every later load.
        return idOf(call("register " + what, "/api/learners", plan.registeredBy(), body,
                Map.of("Idempotency-Key", "demo-learner-" + plan.dateOfBirth() + "-" + plan.familyName()
                        .replaceAll("[^A-Za-z]", "")), WARM_UP_PATIENCE, false), what);
    }

    private boolean recordConsent(LearnerPlan learner, String learnerId, String agency) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agencyId", agency);
        body.put("purpose", "REFERRAL_SHARING");
        body.put("method", "VERBAL");
        return call("record consent of learner " + learnerId + " for " + agency,
                "/api/learners/" + learnerId + "/consents", learner.registeredBy(), body, Map.of(), WARM_UP_PATIENCE,
                false) != null;
    }

    private String refer(int number, ReferralPlan plan, String learnerId, String opportunityId)
            throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("learnerId", learnerId);
        body.put("opportunityId", opportunityId);
        body.put("need", plan.need());
        body.put("urgency", plan.urgency());
        LearnerPlan learner = DemoPartnership.LEARNERS.get(plan.learner());
        String what = describe(number, plan);
        // The idempotency key makes the retries below safe: a retry of a referral that did go through returns it.
        return idOf(call("submit " + what, "/api/referrals", learner.registeredBy(), body,
                Map.of("Idempotency-Key", "demo-" + number), EVENT_PROPAGATION_PATIENCE, true), what);
    }

    private static String describe(int number, ReferralPlan plan) {
        return "referral " + number + " (" + DemoPartnership.LEARNERS.get(plan.learner()).givenName() + " to '"
                + DemoPartnership.OPPORTUNITIES.get(plan.opportunity()).title() + "')";
    }

    /** Answers the referral as its agencies would, step by step, each step naming the version it saw. */
    private boolean takeToOutcome(int number, ReferralPlan plan, String referralId) throws InterruptedException {
        DemoPrincipal referrer = DemoPartnership.LEARNERS.get(plan.learner()).registeredBy();
        DemoPrincipal receiver = DemoPartnership.OPPORTUNITIES.get(plan.opportunity()).owner();
        // A load cut short and started again finds the referral where the last load left it: the steps it took
        // then are not sent again (they would be refused as not allowed from where the referral is now).
        GatewayApi.Reply current = get("read " + describe(number, plan), "/api/referrals/" + referralId, referrer);
        int done = stepsDone(plan.outcome().steps, current == null ? null : current.field("status"));
        for (Step step : plan.outcome().steps.subList(done, plan.outcome().steps.size())) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("action", step.action());
            if (step.reason() != null) {
                body.put("reason", step.reason());
            }
            if (step.reasonText() != null) {
                body.put("reasonText", step.reasonText());
            }
            if (!answer(step.action() + " " + describe(number, plan), referralId,
                    step.byReferrer() ? referrer : receiver, body)) {
                return false;
            }
        }
        return true;
    }

    /**
     * One step of a referral's answer ({@code step}: its action and reasons), sent with the version just read. When
     * the referral changed between that read and the step (the demo's same-day target marks an unanswered referral
     * overdue at every check: a {@code 409} of type {@code stale-version}), it is read again and the step sent again,
     * as a worker's screen would reload, up to {@value #STALE_ATTEMPTS} times.
     */
    boolean answer(String what, String referralId, DemoPrincipal as, Map<String, Object> step)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            GatewayApi.Reply current = get("read " + what, "/api/referrals/" + referralId, as);
            Long version = current == null ? null : current.number("version");
            if (version == null) {
                fail("read " + what + ": no version in " + (current == null ? "no answer" : current.describe()));
                return false;
            }
            Map<String, Object> body = new LinkedHashMap<>(step);
            body.put("version", version);
            GatewayApi.Reply reply = call(what, "/api/referrals/" + referralId + "/transitions", as, body, Map.of(),
                    WARM_UP_PATIENCE, false, attempt < STALE_ATTEMPTS ? DemoData::isStale : answer -> false);
            if (reply == null) {
                return false;
            }
            if (reply.succeeded()) {
                return true;
            }
        }
    }

    /**
     * How many of {@code steps} a referral in {@code status} has taken: those up to the last that leads to that
     * status (none for a new referral, or one whose status none of them leads to).
     */
    static int stepsDone(List<Step> steps, String status) {
        if (status == null) {
            return 0;
        }
        for (int taken = steps.size(); taken > 0; taken--) {
            if (status.equals(statusAfter(steps.get(taken - 1).action()))) {
                return taken;
            }
        }
        return 0;
    }

    private static String statusAfter(String action) {
        return switch (action) {
            case "RECEIVE" -> "RECEIVED";
            case "ACCEPT" -> "ACCEPTED";
            case "START", "RESUME" -> "IN_PROGRESS";
            case "HOLD" -> "ON_HOLD";
            case "COMPLETE" -> "COMPLETED";
            case "REJECT" -> "REJECTED";
            case "FAIL" -> "FAILED";
            case "CANCEL" -> "CANCELLED";
            default -> throw new IllegalArgumentException("No status after " + action);
        };
    }

    /** How many times a referral's step is sent when the referral keeps changing under it. */
    static final int STALE_ATTEMPTS = 3;

    /** A {@code 409} saying the version the caller named is no longer the current one. */
    static boolean isStale(GatewayApi.Reply reply) {
        String type = reply.field("type");
        return reply.status() == 409 && type != null && type.endsWith(":stale-version");
    }

    private boolean nextStep(int number, ReferralPlan plan, String referralId, String opportunityId)
            throws InterruptedException {
        DemoPrincipal referrer = DemoPartnership.LEARNERS.get(plan.learner()).registeredBy();
        return call("next step after " + describe(number, plan), "/api/referrals/" + referralId + "/next-steps",
                referrer, Map.of("opportunityId", opportunityId), Map.of("Idempotency-Key", "demo-next-" + number),
                EVENT_PROPAGATION_PATIENCE, true) != null;
    }

    private boolean recordMilestone(int number, MilestonePlan plan, String learnerId, String opportunityId)
            throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", plan.kind());
        body.put("occurredOn", LocalDate.now(ZoneOffset.UTC).minusDays(plan.daysAgo()).toString());
        if (plan.learningKind() != null) {
            body.put("learningKind", plan.learningKind());
        }
        if (plan.level() != null) {
            body.put("level", plan.level());
        }
        if (plan.accredited() != null) {
            body.put("accredited", plan.accredited());
        }
        if (plan.title() != null) {
            body.put("title", plan.title());
        }
        if (opportunityId != null) {
            body.put("opportunityId", opportunityId);
        }
        LearnerPlan learner = DemoPartnership.LEARNERS.get(plan.learner());
        return call("record milestone " + plan.kind() + " of " + learner.givenName(),
                "/api/learners/" + learnerId + "/milestones", learner.registeredBy(), body,
                Map.of("Idempotency-Key", "demo-milestone-" + number), WARM_UP_PATIENCE, false) != null;
    }

    /** A GET that waits out the gateway's warm-up (502–504, no answer); any other answer is returned as it is. */
    /**
     * The team around one learner (issue 19): the registering agency's worker becomes the lead, and the plan gets
     * its steps, each sent with the plan's version ({@code If-Match}). Returns how many steps were added, or -1 when
     * the lead could not be assigned.
     */
    private int teamAround(String learnerId, List<String> referralIds) throws InterruptedException {
        DemoPrincipal council = DemoPartnership.LEARNERS.get(DemoPartnership.TEAM_LEARNER).registeredBy();
        String name = DemoPartnership.LEARNERS.get(DemoPartnership.TEAM_LEARNER).givenName();
        String lead = "/api/learners/" + learnerId + "/lead";
        // A load cut short and started again finds the lead it assigned, and the steps it added, and adds the rest.
        GatewayApi.Reply leadNow = get("read the lead worker of " + name, lead, council);
        boolean assigned = leadNow != null && leadNow.succeeded() && leadNow.body() != null
                && DemoPartnership.TEAM_LEAD.equals(leadNow.body().path("lead").path("workerId").asString(null));
        if (!assigned && send("make " + DemoPartnership.TEAM_LEAD + " the lead worker of " + name, "PUT", lead,
                council, Map.of("workerId", DemoPartnership.TEAM_LEAD), Map.of()) == null) {
            return -1;
        }
        String plan = "/api/learners/" + learnerId + "/plan";
        GatewayApi.Reply current = get("read the plan of " + name, plan, council);
        if (current == null || !current.succeeded() || current.body() == null) {
            fail("read the plan of " + name + " failed: " + (current == null ? "no answer" : current.describe()));
            return 0;
        }
        long version = current.body().path("version").asLong();
        java.util.Set<String> there = new java.util.HashSet<>();
        current.body().path("steps").forEach(step -> there.add(step.path("title").asString("")));
        int added = 0;
        for (DemoPartnership.PlanStepPlan step : DemoPartnership.TEAM_PLAN) {
            if (there.contains(step.title())) {
                added++;
                continue;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("title", step.title());
            body.put("ownerAgencyId", step.ownerAgencyId());
            body.put("dueOn", LocalDate.now().plusDays(step.dueInDays()).toString());
            if (step.referral() >= 0 && referralIds.get(step.referral()) != null) {
                body.put("referralId", referralIds.get(step.referral()));
            }
            GatewayApi.Reply reply = send("add the step '" + step.title() + "' to the plan of " + name, "POST",
                    plan + "/steps", council, body, Map.of("If-Match", "\"" + version + "\""));
            if (reply == null) {
                break;
            }
            version = reply.body() == null ? version + 1 : reply.body().path("version").asLong(version + 1);
            added++;
        }
        return added;
    }

    /** One call (no retries beyond the gateway's warm-up): the learner and their consents exist by now. */
    private GatewayApi.Reply send(String what, String method, String path, DemoPrincipal as, Object body,
                                  Map<String, String> headers) throws InterruptedException {
        long deadline = System.nanoTime() + WARM_UP_PATIENCE.toNanos();
        while (true) {
            String problem;
            try {
                GatewayApi.Reply reply = api.send(method, path, tokens.tokenOf(as), body, headers);
                if (reply.succeeded()) {
                    return reply;
                }
                problem = reply.describe();
                if (!isWorthRetrying(reply.status(), false) || System.nanoTime() > deadline) {
                    fail(what + " failed: " + problem);
                    return null;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    fail(what + " failed: no answer from the gateway: " + e);
                    return null;
                }
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
    }

    private GatewayApi.Reply get(String what, String path, DemoPrincipal as) throws InterruptedException {
        long deadline = System.nanoTime() + WARM_UP_PATIENCE.toNanos();
        while (true) {
            try {
                GatewayApi.Reply reply = api.get(path, tokens.tokenOf(as));
                if (!isWorthRetrying(reply.status(), false) || System.nanoTime() > deadline) {
                    return reply;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    fail(what + " failed: no answer from the gateway: " + e);
                    return null;
                }
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
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
        return call(what, path, as, body, headers, patience, untilEventsArrive, reply -> false);
    }

    /** As above; a refusal that {@code answered} matches is returned as it is, for the caller to act on. */
    private GatewayApi.Reply call(String what, String path, DemoPrincipal as, Object body,
            Map<String, String> headers, Duration patience, boolean untilEventsArrive,
            Predicate<GatewayApi.Reply> answered) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        String lastProblem;
        while (true) {
            try {
                GatewayApi.Reply reply = api.post(path, tokens.tokenOf(as), body, headers);
                if (reply.succeeded() || answered.test(reply)) {
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
