package org.pathways.messaging;

import java.net.URI;
import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import org.pathways.events.catalogue.EventSchemas;
import org.pathways.messaging.broker.ExpectedKafkaWarnings;
import org.pathways.messaging.broker.ServiceKafkaClients;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.config.MessagingProperties;
import org.pathways.messaging.inbox.AppliedEvents;
import org.pathways.messaging.inbox.ConsumerRetry;
import org.pathways.messaging.inbox.EffectTransactions;
import org.pathways.messaging.inbox.RecordDeadLetters;
import org.pathways.messaging.inbox.ErasedLearners;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ParkedErasures;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.messaging.outbox.OutboxRelay;
import org.pathways.messaging.outbox.OutboxSweeper;
import org.pathways.messaging.outbox.ProducerBounds;
import org.pathways.messaging.tracing.TraceContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.domain.Sort;
import org.springframework.scheduling.annotation.EnableScheduling;
import java.time.Duration;
import java.util.Map;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The outbox, its relay and sweeper, and the inbox, for every service that depends on this module. */
@AutoConfiguration(afterName = {
        "org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@EnableConfigurationProperties({MessagingProperties.class, KafkaProperties.class})
@EnableScheduling
public class ReliableMessagingAutoConfiguration {

    /**
     * The warnings Kafka's client and binder make in normal running off the services' logs
     * ({@link ExpectedKafkaWarnings}), where Logback logs; before the bindings are made, which is when the binder warns.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "ch.qos.logback.classic.LoggerContext")
    static class KafkaLogging {

        KafkaLogging(Environment environment) {
            ExpectedKafkaWarnings filter = ExpectedKafkaWarnings.install();
            if (filter != null) {
                filter.expect(environment);
            }
        }
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    CloudEventCodec cloudEventCodec() {
        return new CloudEventCodec();
    }

    @Bean
    EventSchemas eventSchemas() {
        return new EventSchemas();
    }

    @Bean
    OutboxRelay outboxRelay(MongoTemplate mongo, StreamBridge streamBridge, CloudEventCodec codec,
                            MessagingProperties properties, Clock clock, ObjectProvider<MeterRegistry> meters,
                            Environment environment, ObjectProvider<TraceContext> tracing) {
        // A send that outlives the lease lets another instance take the aggregate over mid-send.
        ProducerBounds bounds = ProducerBounds.of(environment);
        bounds.requireWithin(properties.outbox().lease());
        OutboxRelay relay = new OutboxRelay(mongo, streamBridge, codec, properties.outbox().lease(),
                bounds.longestSend(), clock,
                meters.getIfAvailable(SimpleMeterRegistry::new), properties.outbox().relayThreads());
        relay.setTracing(tracing.getIfAvailable(() -> TraceContext.NONE));
        return relay;
    }

    /** The service's trace context along the event path, where Micrometer Tracing is configured. */
    @Bean
    @ConditionalOnMissingBean
    TraceContext eventTraceContext(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new TraceContext(tracer.getIfAvailable(() -> Tracer.NOOP),
                propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    @Bean
    Outbox outbox(MongoTemplate mongo, OutboxRelay relay, EventSchemas schemas, MessagingProperties properties,
                  Clock clock, Environment environment, ObjectProvider<MeterRegistry> meters,
                  ObjectProvider<TraceContext> tracing) {
        URI source = URI.create("/pathways/" + environment.getProperty("spring.application.name", "service"));
        properties.outbox().collections().forEach(collection -> {
            var indexes = mongo.indexOps(collection);
            indexes.createIndex(new Index().on("outbox.recordedAt", Sort.Direction.ASC).sparse());
            // Unique anyway (they lead with _id), and there so that the embedded store, which serves a query from an
            // index only when the query's fields are exactly the index's, answers the version-guarded save and the
            // relay's lease compare-and-set without reading the whole collection.
            indexes.createIndex(new Index().on("_id", Sort.Direction.ASC).on("version", Sort.Direction.ASC)
                    .unique().named("outbox_version_guard"));
            indexes.createIndex(new Index().on("_id", Sort.Direction.ASC).on("outboxLeaseOwner", Sort.Direction.ASC)
                    .unique().named("outbox_lease_guard"));
        });
        Outbox outbox = new Outbox(mongo, relay, schemas, properties, source, clock,
                meters.getIfAvailable(SimpleMeterRegistry::new));
        outbox.setTracing(tracing.getIfAvailable(() -> TraceContext.NONE));
        return outbox;
    }

    @Bean
    OutboxSweeper outboxSweeper(MongoTemplate mongo, OutboxRelay relay, MessagingProperties properties,
                                Clock clock) {
        return new OutboxSweeper(mongo, relay, properties.outbox().collections(), properties.outbox().sweepGrace(),
                properties.outbox().fullSweepInterval(), clock);
    }

    @Bean
    AppliedEvents appliedEvents(MongoTemplate mongo, MessagingProperties properties) {
        return new AppliedEvents(mongo, properties.inbox().appliedEventsKept());
    }

    @Bean
    ErasedLearners erasedLearners(MongoTemplate mongo) {
        return new ErasedLearners(mongo);
    }

    @Bean
    ParkedErasures parkedErasures(MongoTemplate mongo, MessagingProperties properties, Clock clock,
                                  ObjectProvider<MeterRegistry> meters) {
        MessagingProperties.ErasureRetry retry = properties.inbox().erasureRetry();
        mongo.indexOps("parked-erasures").createIndex(new Index().on("nextAttemptAt", Sort.Direction.ASC));
        return new ParkedErasures(mongo, clock, retry.firstBackOff(), retry.maxBackOff(),
                meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    /** Where a batch consumer dead-letters a record: the topic the binder uses for the service's record consumers. */
    @Bean
    RecordDeadLetters recordDeadLetters(Environment environment, KafkaProperties kafka) {
        String service = environment.getProperty("spring.application.name", "service");
        String topic = environment.getProperty("spring.cloud.stream.kafka.default.consumer.dlq-name",
                "pathways.dlq." + service);
        return new RecordDeadLetters(topic, ServiceKafkaClients.producerSettings(environment, kafka),
                Duration.ofSeconds(10));
    }


    /**
     * The error handler of a batch binding ({@code spring.cloud.stream.kafka.bindings.<b>.consumer
     * .common-error-handler-bean-name: batchInboxErrorHandler}, with {@code enable-dlq: false}): the inbox already
     * retried and dead-lettered every failing event, so what reaches it is the batch's own store work failing (the
     * store or the dead-letter topic down, a document read back in a shape the code did not expect). It delivers the
     * batch again, with back-off up to 30 s, for as long as that lasts, and never skips it.
     *
     * <p>Whatever the exception: Spring Kafka's default takes a {@link ClassCastException}, and conversion and
     * deserialization exceptions, anywhere in the cause chain, for a record that can never be processed, and discards
     * the whole batch and commits its offsets ("Records discarded"); here that would lose every event of the batch
     * whose handling was not yet marked done (BatchInboxTest). A batch that cannot succeed holds its partition up,
     * logged at each delivery, until the cause is fixed.
     */
    @Bean
    DefaultErrorHandler batchInboxErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        DefaultErrorHandler handler = new DefaultErrorHandler(backOff);
        handler.setClassifications(Map.of(), true);
        handler.setReclassifyOnExceptionChange(false);
        return handler;
    }

    @Bean
    EffectTransactions effectTransactions(MongoDatabaseFactory factory, MongoTemplate mongo,
                                          MessagingProperties properties) {
        return EffectTransactions.detect(factory, mongo, properties.inbox().transactions());
    }

    @Bean
    EventInbox eventInbox(MongoTemplate mongo, CloudEventCodec codec, MessagingProperties properties, Clock clock,
                          ObjectProvider<MeterRegistry> meters, ErasedLearners erasedLearners,
                          ParkedErasures parkedErasures, ObjectProvider<TraceContext> tracing,
                          EffectTransactions transactions, RecordDeadLetters recordDeadLetters,
                          Environment environment) {
        // The hourly clean-up's query (finished entries older than the retention period).
        mongo.indexOps("inbox").createIndex(new Index().on("status", Sort.Direction.ASC)
                .on("processedAt", Sort.Direction.ASC).named("done_before"));
        EventInbox inbox = new EventInbox(mongo, codec, clock, properties.inbox().retention(),
                meters.getIfAvailable(SimpleMeterRegistry::new), erasedLearners, parkedErasures);
        inbox.setTracing(tracing.getIfAvailable(() -> TraceContext.NONE));
        inbox.setTransactions(transactions);
        // A batch consumer retries one failing event as the binder retries a record consumer's.
        String defaults = "spring.cloud.stream.default.consumer.";
        inbox.setBatchFailures(new ConsumerRetry(
                environment.getProperty(defaults + "max-attempts", Integer.class, 3),
                Duration.ofMillis(environment.getProperty(defaults + "back-off-initial-interval", Long.class, 1000L)),
                environment.getProperty(defaults + "back-off-multiplier", Double.class, 2.0),
                Duration.ofMillis(environment.getProperty(defaults + "back-off-max-interval", Long.class, 10_000L))),
                recordDeadLetters);
        return inbox;
    }
}
