package org.pathways.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.testing.BacklogBaseline;

/**
 * A backlog of referral events put on {@code pathways.referrals} at once by an outside producer (a {@code submitted}
 * and an {@code accepted} of each of {@code backlog / 2} referrals, to the given opportunities), then each consumer
 * group's events per second and its lag over time, read from its committed offsets twice a second (the binder
 * commits a batch's offsets after its effects are written): from the first event sent until the group's lag is 0,
 * or what it consumed by the deadline. The same for the platform in one JVM ({@link EventPathFigures}) and for a
 * running devstack ({@link DevstackConsumerFigures}).
 */
final class ConsumerBacklog {

    static final String TOPIC = "pathways.referrals";

    private ConsumerBacklog() {
    }

    /**
     * Puts the backlog on the broker {@code clients} configures (bootstrap servers, and credentials if it needs them),
     * waits at most {@code timeout}, and prints the table through {@code out}.
     */
    static void run(Map<String, Object> clients, List<String> opportunities, int backlog, Duration timeout,
                    Consumer<String> out) throws Exception {
        try (AdminClient admin = AdminClient.create(clients)) {
            Map<String, Long> before = committed(admin, TOPIC);
            Random random = new Random(7);
            long start = System.nanoTime();
            Map<String, Object> producing = new HashMap<>(clients);
            producing.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producing, new StringSerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < backlog / 2; i++) {
                    String referralId = "ref-tp-" + UUID.randomUUID();
                    String learner = "lrn-tp-" + random.nextInt(5_000);
                    String opportunity = opportunities.get(random.nextInt(opportunities.size()));
                    String referring = "agency-tp-" + random.nextInt(20);
                    String receiving = "agency-tp-" + (20 + random.nextInt(20));
                    Instant now = Instant.now();
                    producer.send(BacklogBaseline.outsideRecord(new ReferralSubmitted(referralId, learner, opportunity,
                            referring, receiving, Urgency.SOON, now)));
                    producer.send(BacklogBaseline.outsideRecord(new ReferralAccepted(referralId, learner, opportunity,
                            referring, receiving, ReferralStatus.ACCEPTED, null, receiving, now)));
                }
            }
            Map<String, Long> doneAt = new HashMap<>();
            Map<String, List<String>> lagOverTime = new LinkedHashMap<>();
            long deadline = start + timeout.toNanos();
            Map<String, Long> lag = Map.of();
            for (int tick = 1; System.nanoTime() < deadline; tick++) {
                Thread.sleep(Math.max(0, (start + tick * 500_000_000L - System.nanoTime()) / 1_000_000));
                Map<String, Long> now = committed(admin, TOPIC);
                lag = new TreeMap<>();
                for (Map.Entry<String, Long> group : now.entrySet()) {
                    long left = Math.max(0, backlog - (group.getValue() - before.getOrDefault(group.getKey(), 0L)));
                    lag.put(group.getKey(), left);
                    if (left == 0) {
                        doneAt.putIfAbsent(group.getKey(), System.nanoTime());
                    }
                    List<String> over = lagOverTime.computeIfAbsent(group.getKey(), g -> new ArrayList<>());
                    boolean justDone = left == 0 && (over.isEmpty() || !over.getLast().endsWith(":0"));
                    if (tick % 10 == 0 || justDone) {
                        over.add(String.format("%.1fs:%d", (System.nanoTime() - start) / 1e9, left));
                    }
                }
                if (!now.isEmpty() && doneAt.keySet().containsAll(now.keySet())) {
                    break;
                }
            }
            long stopped = System.nanoTime();
            out.accept(String.format("  %-32s %10s %14s  %s", "consumer group", "events/s", "done in",
                    "lag over time (s:events)"));
            for (Map.Entry<String, Long> group : lag.entrySet()) {
                boolean finished = doneAt.containsKey(group.getKey());
                long end = doneAt.getOrDefault(group.getKey(), stopped);
                long consumed = backlog - group.getValue();
                out.accept(String.format("  %-32s %10.0f %14s  %s", group.getKey(), consumed / ((end - start) / 1e9),
                        finished ? String.format("%.1f s", (end - start) / 1e9)
                                : consumed + "/" + backlog + " in " + timeout.toSeconds() + " s",
                        String.join(" ", lagOverTime.getOrDefault(group.getKey(), List.of()))));
            }
            out.accept("  (from the time the first event was sent until the group's committed offsets reached the end)");
        }
    }

    /** Each consumer group's committed offsets on {@code topic}, summed over its partitions. */
    static Map<String, Long> committed(AdminClient admin, String topic) throws Exception {
        Map<String, Long> sums = new TreeMap<>();
        for (ConsumerGroupListing group : admin.listConsumerGroups().all().get()) {
            if (group.groupId().startsWith("benchmark")) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get();
            long sum = 0;
            boolean reads = false;
            for (var offset : offsets.entrySet()) {
                if (offset.getKey().topic().equals(topic) && offset.getValue() != null) {
                    sum += offset.getValue().offset();
                    reads = true;
                }
            }
            if (reads) {
                sums.put(group.groupId(), sum);
            }
        }
        return sums;
    }
}
