package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.catalogue.EventSchemas;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralRejected;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.security.Role;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Not part of the suite (the name matches none of Surefire's test patterns): publishes N synthetic referral
 * lifecycles onto Kafka as an outside producer would (CloudEvents SDK, plain Kafka producer, every type checked
 * against its JSON Schema), waits until the service has consumed them, then times the funnel and response-time
 * queries; for each N in {@code -Dsizes} (default {@code 10000,1000000}) in the same run, each N in a 28-day window of
 * its own with the same cuts (5 receiving × 4 referring agencies × 3 opportunity kinds × 3 localities: 180 per day,
 * about 4,000 in a window), so that once every cut of every day is occupied (from about N = 10,000) the buckets a
 * query reads are the same in number whatever N; below that, a query reads at most N buckets. Prints consumption throughput (events/s) and the ratio of the largest
 * N's query times to the smallest's. Run it alone:
 * {@code ./mvnw -B -q -o -pl progression-service -am test -Dtest=ProgressionBenchmark -Dsizes=10000,100000
 * -Dsurefire.failIfNoSpecifiedTests=false}; the figures go to {@code progression-service/target/progression-benchmark.txt}.
 */
class ProgressionBenchmark extends ProgressionServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GROUP = "progression-service";
    private static final int RECEIVING = 5;
    private static final int REFERRING = 4;
    private static final int LEARNERS = 1000;
    private static final int RUNS = 7;
    private static final List<OpportunityKind> KINDS = List.of(OpportunityKind.FORMAL_LEARNING,
            OpportunityKind.NON_FORMAL_LEARNING, OpportunityKind.ADVICE);
    private static final List<String> LOCALITIES = List.of("LS1", "LS2", "LS6");

    private final EventSchemas schemas = new EventSchemas();
    private final Set<EventType> checked = EnumSet.noneOf(EventType.class);

    @org.springframework.beans.factory.annotation.Autowired
    org.pathways.progression.tally.FactStore store;

    @org.springframework.beans.factory.annotation.Autowired
    org.pathways.progression.tally.Generations generations;

    record Round(int n, long events, double eventsPerSecond, double funnelMillis, double responseTimesMillis,
                 long submitted, int buckets) {
    }

    @Test
    void queriesCostTheSameAtAnyNumberOfReferrals() throws IOException {
        int[] sizes = Arrays.stream(System.getProperty("sizes", "10000,1000000").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        List<Round> rounds = new ArrayList<>();
        LocalDate end = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        for (int size : sizes) {
            rounds.add(round(size, end));
            end = end.minusDays(28);
        }
        StringBuilder report = new StringBuilder("progression benchmark (embedded Kafka, embedded Mongo-wire store)\n");
        for (Round round : rounds) {
            report.append(String.format("N=%,d lifecycles (%,d events): consumed at %,.0f events/s; funnel %.1f ms, "
                            + "response times %.1f ms (median of %d); funnel total submitted %,d; funnel buckets read %,d%n",
                    round.n(), round.events(), round.eventsPerSecond(), round.funnelMillis(),
                    round.responseTimesMillis(), RUNS, round.submitted(), round.buckets()));
        }
        Round small = rounds.getFirst();
        Round large = rounds.getLast();
        report.append(String.format("ratio N=%,d / N=%,d: funnel %.2f, response times %.2f%n", large.n(), small.n(),
                large.funnelMillis() / small.funnelMillis(), large.responseTimesMillis() / small.responseTimesMillis()));
        System.out.print(report);
        Path out = Path.of("target", "progression-benchmark.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        for (Round round : rounds) {
            assertThat(round.submitted()).as("exact total").isEqualTo(round.n());
        }
    }

    private Round round(int n, LocalDate end) {
        String run = UUID.randomUUID().toString().substring(0, 6);
        LocalDate start = end.minusDays(27);
        SplittableRandom random = new SplittableRandom(n);
        String window = "from=" + start + "&to=" + end;
        long events = 0;
        long began = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer())) {
            List<String> opportunities = new ArrayList<>();
            for (int k = 0; k < KINDS.size(); k++) {
                String opportunity = "bench-" + run + "-opp-" + k;
                opportunities.add(opportunity);
                send(producer, new OpportunityPublished(opportunity, "bench-" + run + "-recv-0", KINDS.get(k), "L2",
                        100, 0, start.atStartOfDay().toInstant(ZoneOffset.UTC)));
                events++;
            }
            for (int l = 0; l < LEARNERS; l++) {
                send(producer, new LearnerRegistered("bench-" + run + "-lrn-" + l, "bench-" + run + "-ref-0",
                        LOCALITIES.get(l % LOCALITIES.size()), start.atStartOfDay().toInstant(ZoneOffset.UTC)));
                events++;
            }
            for (int i = 0; i < n; i++) {
                Instant submittedAt = start.atStartOfDay().toInstant(ZoneOffset.UTC)
                        .plusSeconds(random.nextLong(28L * 24 * 3600 - 6 * 24 * 3600));
                ReferralSubmitted submitted = new ReferralSubmitted("bench-" + run + "-ref-" + i,
                        "bench-" + run + "-lrn-" + random.nextInt(LEARNERS), opportunities.get(random.nextInt(3)),
                        "bench-" + run + "-ref-" + random.nextInt(REFERRING),
                        "bench-" + run + "-recv-" + random.nextInt(RECEIVING), Urgency.ROUTINE, submittedAt);
                send(producer, submitted);
                Instant received = submittedAt.plusSeconds(600 + random.nextLong(48 * 3600));
                send(producer, new ReferralReceived(submitted.referralId(), submitted.learnerId(),
                        submitted.opportunityId(), submitted.referringAgencyId(), submitted.receivingAgencyId(),
                        ReferralStatus.RECEIVED, null, submitted.receivingAgencyId(), received));
                Instant decided = received.plusSeconds(600 + random.nextLong(72 * 3600));
                send(producer, random.nextInt(10) < 7
                        ? new ReferralAccepted(submitted.referralId(), submitted.learnerId(), submitted.opportunityId(),
                        submitted.referringAgencyId(), submitted.receivingAgencyId(), ReferralStatus.ACCEPTED, null,
                        submitted.receivingAgencyId(), decided)
                        : new ReferralRejected(submitted.referralId(), submitted.learnerId(), submitted.opportunityId(),
                        submitted.referringAgencyId(), submitted.receivingAgencyId(), ReferralStatus.REJECTED,
                        random.nextBoolean() ? ReferralReason.NO_CAPACITY : ReferralReason.NOT_ELIGIBLE,
                        submitted.receivingAgencyId(), decided));
                events += 3;
            }
            producer.flush();
        }
        // Consumed: the service's consumer group has committed every record of the topics (it commits a batch once
        // the batch is applied). Asked of the broker, so the wait costs the service nothing (a funnel query polled
        // every 2 s took about a third of the machine from the consumer it was timing).
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafkaBootstrapServers()))) {
            await().atMost(Duration.ofHours(3)).pollInterval(Duration.ofMillis(500)).until(() -> lag(admin) == 0);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        // A token lives 30 minutes and a round at N = 1,000,000 takes longer: one minted once the events are consumed.
        String coordinator = TestTokens.token("coord-1", "partnership", Role.COORDINATOR);
        String runFilter = "&referringAgencyId=";
        long expected = n;
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            long decided = 0;
            for (int r = 0; r < REFERRING; r++) {
                JsonNode total = funnelTotal(window + runFilter + "bench-" + run + "-ref-" + r, coordinator);
                decided += total.get("received").asLong(0);
            }
            return decided == expected;
        });
        double funnel = medianMillis(() -> api().get("/api/progression/funnel?" + window, coordinator));
        double responseTimes = medianMillis(() -> api().get("/api/progression/response-times?" + window,
                coordinator));
        long submitted = 0;
        for (int r = 0; r < REFERRING; r++) {
            submitted += funnelTotal(window + runFilter + "bench-" + run + "-ref-" + r, coordinator).get("submitted")
                    .asLong();
        }
        // What a query's cost follows: the buckets of its window (days × occupied cuts), not the referrals.
        int buckets = store.buckets(generations.active(), "funnel", start, end).size();
        return new Round(n, events, events / seconds, funnel, responseTimes, submitted, buckets);
    }

    /** The funnel's totals for {@code query}, failing with the answer if it is not a 200 (an expired token, say). */
    private JsonNode funnelTotal(String query, String token) {
        var answer = api().get("/api/progression/funnel?" + query, token);
        assertThat(answer.status()).as("funnel answer %s", answer.body()).isEqualTo(200);
        return answer.body().get("total");
    }

    /** Records on the topics the benchmark publishes to that the service's consumer group has not committed yet. */
    private static long lag(Admin admin) throws Exception {
        List<String> topics = List.of("pathways.referrals", "pathways.learners", "pathways.opportunities");
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((topic, description) -> description.partitions()
                .forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()),
                        OffsetSpec.latest())));
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (var end : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += end.getValue().offset() - (done == null ? 0 : done.offset());
        }
        return lag;
    }

    private static double medianMillis(Runnable query) {
        query.run();    // warm up
        double[] millis = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long started = System.nanoTime();
            query.run();
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        return millis[RUNS / 2];
    }

    private void send(KafkaProducer<String, byte[]> producer, PathwaysEvent event) {
        EventType type = EventType.of(event);
        byte[] data = JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8);
        if (checked.add(type)) {
            schemas.requireValid(type, JSON.readTree(data));
        }
        CloudEvent cloudEvent = CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withSource(URI.create("/pathways/benchmark"))
                .withType(type.type())
                .withSubject(event.subject())
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataSchema(type.dataschema())
                .withDataContentType("application/json")
                .withData(data)
                .build();
        producer.send(new ProducerRecord<>(type.topic().topicName(), event.subject(),
                EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(cloudEvent)));
    }
}
