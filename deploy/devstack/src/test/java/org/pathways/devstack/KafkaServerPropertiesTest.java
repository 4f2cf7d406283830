package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class KafkaServerPropertiesTest {

    private static final KafkaServerProperties DEVSTACK = new KafkaServerProperties(
            KafkaServerProperties.BROKER_PORT, KafkaServerProperties.CONTROLLER_PORT, "s3cret");

    private static Properties parse(String text) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }

    @Test
    void configuresOneCombinedKraftNodeWithAStandaloneQuorum() throws Exception {
        Properties properties = parse(DEVSTACK.render(Path.of("/tmp/devstack/kafka/data")));

        assertThat(properties)
                .containsEntry("node.id", "1")
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("listeners", "SASL_PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093")
                .containsEntry("advertised.listeners", "SASL_PLAINTEXT://localhost:9092")
                .containsEntry("controller.listener.names", "CONTROLLER")
                .containsEntry("listener.security.protocol.map",
                        "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT")
                .containsEntry("controller.quorum.bootstrap.servers", "localhost:9093")
                // The log cleaner's buffer fits the broker's 256 MB heap with room (128 MB by default: a start failed)
                .containsEntry("log.cleaner.dedupe.buffer.size", "16777216")
                .doesNotContainKey("controller.quorum.voters")
                .doesNotContainKey("zookeeper.connect");
    }

    @Test
    void authenticatesEveryClientAndAuthorisesByAcl() throws Exception {
        Properties properties = parse(DEVSTACK.render(Path.of("/tmp/devstack/kafka/data")));

        assertThat(properties)
                .containsEntry("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN")
                .containsEntry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .containsEntry("super.users", "User:admin")
                .containsEntry("allow.everyone.if.no.acl.found", "false");
        assertThat(properties.getProperty("listener.name.controller.plain.sasl.jaas.config"))
                .contains("user_admin=\"s3cret\"");
    }

    @Test
    void replicatesNothingBecauseThereIsOneBroker() throws Exception {
        Properties properties = parse(DEVSTACK.render(Path.of("/tmp/devstack/kafka/data")));

        assertThat(properties)
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("share.coordinator.state.topic.replication.factor", "1")
                .containsEntry("share.coordinator.state.topic.min.isr", "1")
                .containsEntry("auto.create.topics.enable", "false")
                .containsEntry("group.initial.rebalance.delay.ms", "0");
    }

    @Test
    void createsEveryTopicTheEventContractsName() throws Exception {
        // The devstack runs from deploy/devstack; the contracts are the AsyncAPI document's channel addresses.
        Path asyncApi = Path.of("..", "..", "event-contracts", "src", "main", "resources", "asyncapi.yaml");
        List<String> addresses = Files.readAllLines(asyncApi).stream()
                .map(String::trim)
                .filter(line -> line.startsWith("address: "))
                .map(line -> line.substring("address: ".length()).trim())
                .toList();

        assertThat(addresses).isNotEmpty();
        assertThat(KafkaServerProperties.PLATFORM_TOPICS).containsExactlyInAnyOrderElementsOf(addresses);
    }

    @Test
    void keepsTheLogInTheGivenDirectoryAsAnAbsolutePath() throws Exception {
        Path relative = Path.of(".devstack/kafka/data");

        Properties properties = parse(DEVSTACK.render(relative));

        assertThat(properties.getProperty("log.dirs")).isEqualTo(relative.toAbsolutePath().toString());
    }
}
