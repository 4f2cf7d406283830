package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class KafkaServerPropertiesTest {

    private static Properties parse(String text) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }

    @Test
    void configuresOneCombinedKraftNodeWithAStandaloneQuorum() throws Exception {
        Properties properties = parse(KafkaServerProperties.render(Path.of("/tmp/devstack/kafka/data")));

        assertThat(properties)
                .containsEntry("node.id", "1")
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093")
                .containsEntry("advertised.listeners", "PLAINTEXT://localhost:9092")
                .containsEntry("controller.listener.names", "CONTROLLER")
                .containsEntry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT")
                .containsEntry("controller.quorum.bootstrap.servers", "localhost:9093")
                .doesNotContainKey("controller.quorum.voters")
                .doesNotContainKey("zookeeper.connect");
    }

    @Test
    void replicatesNothingBecauseThereIsOneBroker() throws Exception {
        Properties properties = parse(KafkaServerProperties.render(Path.of("/tmp/devstack/kafka/data")));

        assertThat(properties)
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("share.coordinator.state.topic.replication.factor", "1")
                .containsEntry("share.coordinator.state.topic.min.isr", "1")
                .containsEntry("auto.create.topics.enable", "true")
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

        Properties properties = parse(KafkaServerProperties.render(relative));

        assertThat(properties.getProperty("log.dirs")).isEqualTo(relative.toAbsolutePath().toString());
    }
}
