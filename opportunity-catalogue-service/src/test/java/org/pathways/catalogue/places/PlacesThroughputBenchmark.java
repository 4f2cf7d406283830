package org.pathways.catalogue.places;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.events.Topic;
import org.pathways.testing.BacklogBaseline;
import org.pathways.testing.Backlog;
import org.pathways.testing.EventProducer;
import org.pathways.testing.StoreCommands;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Not part of the suite (the name matches none of Surefire's test patterns): the places consumer under a backlog of
 * referral events (issue 14, consumption throughput), as the benchmarks module's EventPathFigures puts it on the
 * topic (half submitted, half accepted, on a few dozen opportunities), measured in this module's service test
 * context. Prints, from one run: how long a plain Kafka consumer takes to read the backlog (the baseline), how long
 * the places consumer takes to process it (events per second), the store round trips per event, and the CPU time per
 * event of the consumer's threads, of the search index follower's and of the whole JVM (the figures that do not move
 * with the machine's load). Run it alone:
 *
 * <pre>
 * ./mvnw -B -o -pl opportunity-catalogue-service -am test -Dtest=PlacesThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * {@code -Dbacklog=4000} and {@code -Dopportunities=40} change the sizes.
 */
class PlacesThroughputBenchmark extends OpportunityCatalogueServiceTest {

    private static final String BINDING = "referralEvents-in-0";
    private static final int BACKLOG = Integer.getInteger("backlog", 4_000);
    private static final int OPPORTUNITIES = Integer.getInteger("opportunities", 40);

    @Autowired
    MongoTemplate mongo;
    @Autowired
    StoreCommands commands;
    @Autowired
    BindingsLifecycleController bindings;

    @Test
    void aBacklogOfReferralEvents() throws Exception {
        List<String> opportunities = new ArrayList<>();
        for (int i = 0; i < OPPORTUNITIES; i++) {
            Map<String, Object> details = opportunityDetails();
            details.put("capacity", 100_000);
            opportunities.add(published(COLLEGE, details));
        }
        String topic = Topic.REFERRALS.topicName();
        Map<TopicPartition, Long> start = BacklogBaseline.endOffsets(topic);
        long before = Backlog.processed(mongo, PlacesFromReferrals.HANDLER);
        Random random = new Random(7);
        long sent = commands.sentBy(PlacesThroughputBenchmark::consumerThread);
        Map<String, Long> byCommand = commands.byCommand(PlacesThroughputBenchmark::consumerThread);
        long[] begin = new long[1];
        Map<Long, Long> cpuBefore = new HashMap<>();
        long[] processCpuBefore = new long[1];
        Backlog.publish(bindings, BINDING, () -> {
            try (EventProducer producer = new EventProducer()) {
                for (int i = 0; i < BACKLOG / 2; i++) {
                    String referral = "ref-tp-" + UUID.randomUUID();
                    String opportunity = opportunities.get(random.nextInt(opportunities.size()));
                    for (String event : List.of("submitted", "accepted")) {
                        producer.publishRaw(topic, "org.pathways.referral." + event + ".v1", referral, Map.of(
                                "referralId", referral, "opportunityId", opportunity, "learnerId", "lrn-tp-"
                                        + random.nextInt(5_000), "referringAgencyId", COUNCIL,
                                "receivingAgencyId", COLLEGE, "at", OffsetDateTime.now(ZoneOffset.UTC).toString()));
                    }
                }
            }
            cpuBefore.putAll(threadCpu());
            processCpuBefore[0] = processCpu();
            begin[0] = System.nanoTime();   // the binding starts right after this
        });
        Backlog.awaitProcessed(mongo, Map.of(PlacesFromReferrals.HANDLER, before), BACKLOG, Duration.ofMinutes(10));
        long nanos = System.nanoTime() - begin[0];
        long processCpuNanos = processCpu() - processCpuBefore[0];
        Map<String, Long> cpuByGroup = cpuSince(cpuBefore);
        // The baseline: the same records, read by a plain consumer.
        long rawNanos = BacklogBaseline.plainRead(start, BACKLOG);
        long roundTrips = commands.sentBy(PlacesThroughputBenchmark::consumerThread) - sent;
        Map<String, Long> commandsNow = new HashMap<>(commands.byCommand(PlacesThroughputBenchmark::consumerThread));
        byCommand.forEach((command, count) -> commandsNow.merge(command, -count, Long::sum));
        System.out.printf(Locale.ROOT, "%nPLACES THROUGHPUT: %,d referral events on %d opportunities; a plain Kafka"
                        + " consumer read them in %.2f s (%.0f events/s); the places consumer processed them in %.2f s"
                        + " (%.0f events/s, %.1f× the plain read); %d store round trips, %.3f per event: %s; load average"
                        + " %.1f%nPLACES CPU: the places consumer's threads %.3f ms per event (%.2f s), the search"
                        + " index follower's threads %.3f ms per event (%.2f s), the whole JVM %.3f ms per event"
                        + " (%.2f s)%n",
                BACKLOG, OPPORTUNITIES, rawNanos / 1e9, BACKLOG / (rawNanos / 1e9), nanos / 1e9,
                BACKLOG / (nanos / 1e9), (double) nanos / rawNanos, roundTrips, roundTrips / (double) BACKLOG,
                commandsNow, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage(),
                cpuByGroup.get("places") / 1e6 / BACKLOG, cpuByGroup.get("places") / 1e9,
                cpuByGroup.get("follower") / 1e6 / BACKLOG, cpuByGroup.get("follower") / 1e9,
                processCpuNanos / 1e6 / BACKLOG, processCpuNanos / 1e9);
    }

    /** The consumer's threads, and the one forgetting settled changes on opportunities gone quiet. */
    private static boolean consumerThread(String thread) {
        return thread.contains("pathways.referrals") || thread.equals("places-forget");
    }

    /** The CPU time of every live thread, by thread id. */
    private static Map<Long, Long> threadCpu() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long nanos = threads.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.put(id, nanos);
            }
        }
        return cpu;
    }

    /**
     * The CPU time the places consumer's threads (the referral topic's) and the search index follower's (the
     * opportunity topic's) spent since {@code before}; threads started since count from zero.
     */
    private static Map<String, Long> cpuSince(Map<Long, Long> before) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new HashMap<>(Map.of("places", 0L, "follower", 0L));
        threadCpu().forEach((id, nanos) -> {
            java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
            if (info == null) {
                return;
            }
            String group = consumerThread(info.getThreadName()) ? "places"
                    : info.getThreadName().contains(Topic.OPPORTUNITIES.topicName()) ? "follower" : null;
            if (group != null) {
                byGroup.merge(group, nanos - before.getOrDefault(id, 0L), Long::sum);
            }
        });
        return byGroup;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
