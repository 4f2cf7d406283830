package org.pathways.testing;

import java.net.InetSocketAddress;
import java.util.Map;

import de.bwaldvogel.mongo.MongoServer;
import org.springframework.boot.SpringApplication;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * One Kafka broker and one MongoDB-wire server for the whole test JVM, started on first use and stopped when the
 * JVM exits. Spring contexts of every test class share them; each service uses its own database.
 *
 * <p>They stop after the JVM's Spring contexts are closed (Spring Boot's shutdown hook closes the contexts, then runs
 * its shutdown handlers), not beside them in a hook of their own: a context closing after the store has gone waits out
 * the driver's 30 s server selection (its meter registry reads gauges backed by queries as it closes), and its Kafka
 * clients their close timeouts, so that the test JVM outlived surefire's 30 s exit timeout and was killed.
 */
public final class SharedInfrastructure {

    private static EmbeddedKafkaKraftBroker kafka;
    private static MongoServer mongo;
    private static String mongoUri;

    /**
     * Spring Boot auto-configuration to keep out of an application without a store or a broker (the issuer, the web
     * app, the gateway) when it shares a test JVM with the services, whose jars put Mongo, Kafka-binder and
     * reliable-messaging auto-configuration on every application's classpath.
     */
    public static final String WITHOUT_STORE_OR_BROKER = String.join(",",
            "org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration",
            "org.springframework.boot.mongodb.autoconfigure.health.MongoHealthContributorAutoConfiguration",
            "org.springframework.boot.mongodb.autoconfigure.metrics.MongoMetricsAutoConfiguration",
            "org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration",
            "org.springframework.boot.data.mongodb.autoconfigure.DataMongoRepositoriesAutoConfiguration",
            "org.pathways.messaging.ReliableMessagingAutoConfiguration",
            "org.springframework.cloud.stream.config.BindersHealthIndicatorAutoConfiguration",
            "org.springframework.cloud.stream.function.FunctionConfiguration",
            "org.springframework.cloud.gateway.server.mvc.config.DefaultFunctionConfiguration",
            "org.springframework.cloud.function.context.config.ContextFunctionCatalogAutoConfiguration");

    private SharedInfrastructure() {
    }

    public static synchronized String kafkaBootstrapServers() {
        if (kafka == null) {
            EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 3);
            broker.brokerProperties(Map.of(
                    "auto.create.topics.enable", "true",
                    "group.initial.rebalance.delay.ms", "0",
                    "transaction.state.log.replication.factor", "1",
                    "transaction.state.log.min.isr", "1",
                    "offsets.topic.replication.factor", "1"));
            broker.afterPropertiesSet();
            SpringApplication.getShutdownHandlers().add(broker::destroy);
            kafka = broker;
        }
        return kafka.getBrokersAsString();
    }

    public static synchronized String mongoUri() {
        if (mongo == null) {
            MongoServer server = new MongoServer(new CopyOnReadMemoryBackend());
            InetSocketAddress address = server.bind();
            SpringApplication.getShutdownHandlers().add(server::shutdownNow);
            mongo = server;
            mongoUri = "mongodb://" + address.getHostString() + ":" + address.getPort();
        }
        return mongoUri;
    }

    /** The settings a service needs to run against the shared broker and store, with its own database. */
    public static Map<String, String> serviceProperties(String database) {
        return Map.of(
                "spring.cloud.stream.kafka.binder.brokers", kafkaBootstrapServers(),
                "spring.mongodb.uri", mongoUri(),
                "spring.mongodb.database", database,
                "pathways.security.jwt-secret", TestTokens.SECRET,
                "pathways.security.jwt-issuer", TestTokens.ISSUER,
                // the catalogue's search index in memory: a test leaves nothing in the working tree
                "pathways.catalogue.search.directory", "memory");
    }

    /** For {@code @DynamicPropertySource} in a {@code @SpringBootTest}. */
    public static void register(DynamicPropertyRegistry registry, String database) {
        serviceProperties(database).forEach((key, value) -> registry.add(key, () -> value));
    }
}
