package org.pathways.devstack;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Independent clients, each with its own HTTP connections, referring learners through the gateway and having the
 * receiving agency acknowledge each referral ({@code RECEIVE}), at a steady pace until told to stop. Each client does
 * what a careful agency system does: an {@code Idempotency-Key} per referral, and the same request again with the
 * same key after no answer, a 5xx or a 429; a transition is re-read and re-sent with the version it saw. Every
 * logical request is counted once, however often it was sent, and recorded as acknowledged when a 2xx came back.
 */
final class ReferralLoad {

    /** How long one request is retried before the client gives up on it (it then counts as not acknowledged). */
    static final Duration REQUEST_PATIENCE = Duration.ofMinutes(3);
    private static final Duration RETRY_INTERVAL = Duration.ofMillis(500);

    /** One learner to refer to one opportunity, once. */
    record Pair(String learnerId, String opportunityId) {
    }

    /**
     * A submission as the client saw it: the key it used, when it first sent it, and the referral id and the moment
     * a 2xx came back (null if it never did); {@code received} whether the receiving agency's RECEIVE was
     * acknowledged too.
     */
    record Outcome(String key, Pair pair, long firstSentNanos, String referralId, long acknowledgedNanos,
                          long receiveSentNanos, boolean received, long receivedNanos) {

        boolean acknowledged() {
            return referralId != null;
        }
    }

    private final String scenario;
    private final Deque<Pair> pairs;
    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Thread> clients = new ArrayList<>();
    private final Duration pace;
    private final DemoTokens tokens;

    ReferralLoad(String scenario, List<Pair> pairs, Duration pace, DemoTokens tokens) {
        this.scenario = scenario;
        this.tokens = tokens;
        this.pairs = new ConcurrentLinkedDeque<>(pairs);
        this.pace = pace;
    }

    /** Starts {@code count} clients, each with its own HTTP client (its own connections) to the gateway. */
    void start(int count) {
        for (int client = 0; client < count; client++) {
            GatewayApi api = new GatewayApi(PlatformService.GATEWAY.baseUrl());
            int number = client;
            clients.add(Thread.ofPlatform().name("load-" + scenario + "-" + client).daemon()
                    .start(() -> run(number, api)));
        }
    }

    /** Lets each client finish the referral it is working on, then waits for all of them. */
    void stop() throws InterruptedException {
        stopping.set(true);
        for (Thread client : clients) {
            client.join(REQUEST_PATIENCE.toMillis() * 2 + 10_000);
        }
    }

    List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** Logical requests made: each submission and each RECEIVE once, however often it was sent. */
    int requests() {
        return requests.get();
    }

    int acknowledged() {
        return (int) outcomes.stream().filter(Outcome::acknowledged).count()
                + (int) outcomes.stream().filter(Outcome::received).count();
    }

    private void run(int client, GatewayApi api) {
        int n = 0;
        while (!stopping.get()) {
            Pair pair = pairs.poll();
            if (pair == null) {
                return;
            }
            String key = "faults-" + scenario + "-" + client + "-" + n++;
            try {
                outcomes.add(referAndReceive(api, key, pair));
                Thread.sleep(pace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Outcome referAndReceive(GatewayApi api, String key, Pair pair) throws InterruptedException {
        requests.incrementAndGet();
        long firstSent = System.nanoTime();
        long deadline = firstSent + REQUEST_PATIENCE.toNanos();
        Map<String, Object> body = Map.of("learnerId", pair.learnerId(), "opportunityId", pair.opportunityId(),
                "need", "Fault suite referral " + key, "urgency", "ROUTINE");
        String referralId = null;
        while (System.nanoTime() < deadline) {
            try {
                GatewayApi.Reply reply = api.post("/api/referrals", tokens.tokenOf(FaultSuiteFixture.REFERRER), body,
                        Map.of("Idempotency-Key", key));
                if (reply.succeeded()) {
                    referralId = reply.field("id");
                    break;
                }
                // 5xx/429: the platform is recovering. 404/422: the referral-service has not yet consumed the
                // learner's consent or the opportunity (events still on their way after a broker outage). 409
                // open-referral-exists would mean the key was forgotten: given up on below, never re-keyed.
                if (reply.status() == 409 || reply.status() == 401 || reply.status() == 403
                        || reply.status() == 400) {
                    break;
                }
            } catch (IOException noAnswer) {
                // The gateway or the service is down or restarting: the same request, same key, again.
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
        long acknowledged = System.nanoTime();
        if (referralId == null) {
            return new Outcome(key, pair, firstSent, null, -1, -1, false, -1);
        }
        requests.incrementAndGet();
        long receiveSent = System.nanoTime();
        boolean received = receive(api, referralId, receiveSent + REQUEST_PATIENCE.toNanos());
        return new Outcome(key, pair, firstSent, referralId, acknowledged, receiveSent, received, System.nanoTime());
    }

    /** The receiving agency acknowledges the referral, naming the version it read; true once it is RECEIVED. */
    private boolean receive(GatewayApi api, String referralId, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            try {
                GatewayApi.Reply current = api.get("/api/referrals/" + referralId,
                        tokens.tokenOf(FaultSuiteFixture.RECEIVER));
                if (current.succeeded()) {
                    if (!"SUBMITTED".equals(current.field("status"))) {
                        // An earlier attempt went through and only its answer was lost.
                        return true;
                    }
                    GatewayApi.Reply reply = api.post("/api/referrals/" + referralId + "/transitions",
                            tokens.tokenOf(FaultSuiteFixture.RECEIVER),
                            Map.of("action", "RECEIVE", "version", current.number("version")), Map.of());
                    if (reply.succeeded()) {
                        return true;
                    }
                }
            } catch (IOException noAnswer) {
                // Again below.
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
        return false;
    }
}
