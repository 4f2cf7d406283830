package org.pathways.notification;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.testing.BacklogBaseline;
import org.pathways.testing.Backlog;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.StoreCommands;
import org.pathways.testing.WebhookReceiver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;

/**
 * Not part of the suite (the name matches none of Surefire's test patterns): the referral-event consumer under a
 * backlog (issue 14, consumption throughput), as the benchmarks module's EventPathFigures puts it on the topic: the
 * {@code submitted} and {@code accepted} events of {@code backlog / 2} referrals between 20 referring and 20 receiving
 * agencies, of 5,000 learners, put on {@code pathways.referrals} by an outside producer (CloudEvents written by the
 * SDK, no headers, as EventPathFigures' are) while the binding is stopped;
 * two of the receiving agencies subscribed to {@code submitted} with a healthy endpoint, one referring agency with an
 * endpoint that answers {@code 500} after 1 s (as EventPathFigures' latency phases leave it). Timed from the binding's
 * start until the inbox has processed every event; then the same records read by a plain Kafka consumer (the
 * baseline). Twice: with the data stored so far, then after {@code stored} more documents were added to the
 * service's collections (copies of its own, as EventPathFigures seeds them).
 *
 * <p>Prints per round: events per second, the plain read, store round trips per event (by command) on the consumer's
 * threads, and CPU time per event of the consumer's threads, of the embedded store's threads and of the whole JVM
 * (CPU per event is the figure a loaded machine does not change much; events per second it does), the e-mails the
 * backlog queued by status and the store round trips of the service's other threads (the e-mail sender, the
 * dispatcher, the relay), taken once no e-mail is pending any more (at most 60 s after the backlog). Run it alone:
 *
 * <pre>
 * ./mvnw -B -o -pl notification-service -am test -Dtest=ReferralThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * {@code -Dbacklog=4000} and {@code -Dstored=100000} change the sizes.
 */
class ReferralThroughputBenchmark extends NotificationServiceTest {

    private static final String BINDING = "referralEvents-in-0";
    private static final String HANDLER = "referral-events";
    private static final String TOPIC = "pathways.referrals";
    private static final int BACKLOG = Integer.getInteger("backlog", 4_000);
    private static final int STORED = Integer.getInteger("stored", 100_000);

    @Autowired
    StoreCommands commands;
    @Autowired
    BindingsLifecycleController bindings;
    @Autowired
    MeterRegistry meters;

    private final StringBuilder report = new StringBuilder();

    @Test
    void aBacklogOfReferralEvents() throws Exception {
        try (WebhookReceiver healthy = new WebhookReceiver();
             WebhookReceiver failing = new WebhookReceiver().otherwiseAnswer(500).answerAfter(Duration.ofSeconds(1));
             KafkaProducer<String, byte[]> events = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            subscribe("agency-tp-20", healthy.url(), SUBMITTED);
            subscribe("agency-tp-21", healthy.url(), SUBMITTED);
            subscribe("agency-tp-0", failing.url(), SUBMITTED);
            line("Referral consumer throughput (%s), backlog %d, load average %.1f at the start", Instant.now(),
                    BACKLOG, load());
            round(events, "as stored so far");
            seed(STORED);
            round(events, "after " + STORED + " more documents");
            line("  webhooks: %d to the healthy endpoint, %d attempts at the failing one", healthy.count(),
                    failing.count());
        } finally {
            System.out.println("\n==== REFERRAL CONSUMER THROUGHPUT ====\n" + report + "======================================");
        }
    }

    private void round(KafkaProducer<String, byte[]> events, String situation) throws Exception {
        long stored = BacklogBaseline.documents(mongo.getDb());
        Map<TopicPartition, Long> start = BacklogBaseline.endOffsets(TOPIC);
        double before = processed();
        long sent = commands.sentBy(ReferralThroughputBenchmark::consumerThread);
        Map<String, Long> byCommand = commands.byCommand(ReferralThroughputBenchmark::consumerThread);
        long sentElsewhere = commands.sentBy(ReferralThroughputBenchmark::otherServiceThread);
        Map<String, Long> byCommandElsewhere = commands.byCommand(ReferralThroughputBenchmark::otherServiceThread);
        Random random = new Random(7);
        long[] begin = new long[1];
        Cpu[] cpuBefore = new Cpu[1];
        Backlog.publish(bindings, BINDING, () -> {
            for (int i = 0; i < BACKLOG / 2; i++) {
                String referral = "ref-tp-" + UUID.randomUUID();
                String learner = "lrn-tp-" + random.nextInt(5_000);
                String opportunity = "opp-tp-" + random.nextInt(40);
                String referring = "agency-tp-" + random.nextInt(20);
                String receiving = "agency-tp-" + (20 + random.nextInt(20));
                Instant now = Instant.now();
                events.send(BacklogBaseline.outsideRecord(new ReferralSubmitted(referral, learner, opportunity,
                        referring, receiving, Urgency.SOON, now)));
                events.send(BacklogBaseline.outsideRecord(new ReferralAccepted(referral, learner, opportunity,
                        referring, receiving, ReferralStatus.ACCEPTED, null, receiving, now)));
            }
            events.flush();
            cpuBefore[0] = new Cpu();
            begin[0] = System.nanoTime();   // the binding starts right after this
        });
        List<String> remaining = new ArrayList<>();
        long deadline = begin[0] + Duration.ofMinutes(5).toNanos();
        long lastChange = System.nanoTime();
        double seen = before;
        boolean stalled = false;
        while (processed() < before + BACKLOG && System.nanoTime() < deadline) {
            Thread.sleep(50);
            double now = processed();
            long second = (System.nanoTime() - begin[0]) / 1_000_000_000L;
            if (now != seen) {
                seen = now;
                lastChange = System.nanoTime();
            }
            if (remaining.isEmpty() || !remaining.getLast().startsWith(second + "s:")) {
                remaining.add(second + "s:" + (long) (before + BACKLOG - now));
            }
            if (System.nanoTime() - lastChange > Duration.ofSeconds(5).toNanos() && !stalled) {
                stalled = true;   // where the consumer's threads (and the store's) are while nothing is finished
                Thread.getAllStackTraces().forEach((thread, stack) -> {
                    if (consumerThread(thread.getName()) || thread.getName().startsWith("mongo-server-worker")) {
                        line("  stalled for 5 s: %s (%s)", thread.getName(), thread.getState());
                        for (int i = 0; i < Math.min(stack.length, 30); i++) {
                            line("      at %s", stack[i]);
                        }
                    }
                });
            }
        }
        long nanos = lastChange - begin[0];
        // The e-mails the backlog queued are sent (or skipped) off the consumer's threads: their cost counts too.
        long emailsDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (pendingEmails() > 0 && System.nanoTime() < emailsDeadline) {
            Thread.sleep(100);
        }
        long emailsDoneNanos = System.nanoTime() - begin[0];
        Cpu cpuAfter = new Cpu();
        long elsewhere = commands.sentBy(ReferralThroughputBenchmark::otherServiceThread) - sentElsewhere;
        Map<String, Long> elsewhereNow = new java.util.TreeMap<>(commands.byCommand(
                ReferralThroughputBenchmark::otherServiceThread));
        byCommandElsewhere.forEach((command, count) -> elsewhereNow.merge(command, -count, Long::sum));
        elsewhereNow.values().removeIf(count -> count == 0);
        long done = (long) (processed() - before);
        long rawNanos = BacklogBaseline.plainRead(start, BACKLOG);
        long roundTrips = commands.sentBy(ReferralThroughputBenchmark::consumerThread) - sent;
        Map<String, Long> commandsNow = new LinkedHashMap<>(commands.byCommand(
                ReferralThroughputBenchmark::consumerThread));
        byCommand.forEach((command, count) -> commandsNow.merge(command, -count, Long::sum));
        commandsNow.values().removeIf(count -> count == 0);
        line("%n%s: %,d documents stored in the service's database", situation, stored);
        line("  processed %d of %d in %.2f s: %.0f events/s; a plain Kafka consumer read them in %.2f s (%.0f"
                        + " events/s, %.0fx faster)", done, BACKLOG, nanos / 1e9, done / (nanos / 1e9), rawNanos / 1e9,
                BACKLOG / (rawNanos / 1e9), (double) nanos / rawNanos);
        line("  CPU per event: consumer threads %.3f ms, store threads %.3f ms, whole JVM %.3f ms",
                cpuAfter.consumerSince(cpuBefore[0]) / 1e6 / BACKLOG, cpuAfter.storeSince(cpuBefore[0]) / 1e6 / BACKLOG,
                (cpuAfter.process - cpuBefore[0].process) / 1e6 / BACKLOG);
        line("  CPU ms per event by kind of thread (the busiest ten): %s", cpuAfter.busiest(cpuBefore[0], BACKLOG));
        line("  store round trips on the consumer's threads: %d, %.3f per event: %s", roundTrips,
                roundTrips / (double) BACKLOG, commandsNow);
        line("  e-mails of the whole service by status: %s (none pending %.1f s after the start; CPU figures up to then)",
                emailsByStatus(), emailsDoneNanos / 1e9);
        line("  store round trips on the service's other threads (e-mail sender, dispatcher, relay...): %d, %.3f per"
                + " event: %s", elsewhere, elsewhere / (double) BACKLOG, elsewhereNow);
        line("  not yet processed over time (s:events): %s", String.join(" ", remaining));
        line("  load average %.1f at the end", load());
    }

    /** CPU time so far (ns) of the referral consumer's threads and the embedded store's, by thread, and of the JVM. */
    private static final class Cpu {
        final Map<Long, Long> consumer = threads(ReferralThroughputBenchmark::consumerThread);
        final Map<Long, Long> store = threads(thread -> thread.startsWith("mongo-server-worker"));
        final long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        /** Every Java thread's CPU time by thread id, and its name (JIT compiler threads included, GC not). */
        final Map<Long, Long> all = new HashMap<>();
        final Map<Long, String> names = new HashMap<>();

        Cpu() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (info != null) {
                    all.put(info.getThreadId(), Math.max(0, mx.getThreadCpuTime(info.getThreadId())));
                    names.put(info.getThreadId(), info.getThreadName());
                }
            }
        }

        /** Where the JVM's CPU went since {@code before}: the busiest kinds of thread (digits in names folded). */
        String busiest(Cpu before, int events) {
            Map<String, Long> byKind = new HashMap<>();
            all.forEach((id, cpu) -> byKind.merge(names.get(id).replaceAll("[0-9]+", "#"),
                    Math.max(0, cpu - before.all.getOrDefault(id, 0L)), Long::sum));
            return byKind.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                    .map(kind -> String.format(Locale.ROOT, "%s %.3f", kind.getKey(), kind.getValue() / 1e6 / events))
                    .toList().toString();
        }

        /**
         * What the consumer's threads used since {@code before}: the binding is stopped and started again for the
         * backlog, which makes new threads, so by thread (a thread not alive before counts from zero).
         */
        long consumerSince(Cpu before) {
            return since(consumer, before.consumer);
        }

        long storeSince(Cpu before) {
            return since(store, before.store);
        }

        private static long since(Map<Long, Long> now, Map<Long, Long> before) {
            long sum = 0;
            for (Map.Entry<Long, Long> thread : now.entrySet()) {
                sum += Math.max(0, thread.getValue() - before.getOrDefault(thread.getKey(), 0L));
            }
            return sum;
        }

        private static Map<Long, Long> threads(Predicate<String> names) {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            Map<Long, Long> cpu = new HashMap<>();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (names.test(thread.getName())) {
                    cpu.put(thread.threadId(), Math.max(0, mx.getThreadCpuTime(thread.threadId())));
                }
            }
            return cpu;
        }
    }

    private double processed() {
        var counter = meters.find("pathways.inbox.events").tag("handler", HANDLER).tag("outcome", "processed")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private long pendingEmails() {
        return mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("status").is("PENDING")), "emails");
    }

    private Map<String, Long> emailsByStatus() {
        Map<String, Long> byStatus = new java.util.TreeMap<>();
        mongo.getCollection("emails").find().projection(new org.bson.Document("status", 1))
                .forEach(email -> byStatus.merge(String.valueOf(email.get("status")), 1L, Long::sum));
        return byStatus;
    }

    /** The service's own threads other than the referral consumer's (not the test's, not the embedded broker's). */
    private static boolean otherServiceThread(String thread) {
        return !consumerThread(thread) && !thread.equals("main") && !thread.startsWith("data-plane-kafka")
                && !thread.startsWith("kafka-producer-network-thread | producer-");
    }

    private static boolean consumerThread(String thread) {
        return thread.contains(TOPIC);
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private void line(String format, Object... args) {
        String text = String.format(Locale.
ROOT, format, args);
        report.append(text).append('\n');
        System.out.println(text);
    }

    /** Adds {@code total} documents of stored data to the service's database ({@link BacklogBaseline#seed}). */
    private void seed(int total) {
        long started = System.nanoTime();
        BacklogBaseline.seed(mongo.getDb(), total, Set.of("shedLock"));
        line("%nSeeded %d more documents in %.0f s", total, (System.nanoTime() - started) / 1e9);
    }
}
