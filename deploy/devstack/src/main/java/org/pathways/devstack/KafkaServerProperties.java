package org.pathways.devstack;

import java.nio.file.Path;
import java.util.List;

/**
 * The broker configuration of the devstack: one node that is both broker and KRaft controller (no ZooKeeper, no
 * second process), with every replication setting at 1 because there is only one broker to replicate to.
 */
final class KafkaServerProperties {

    static final int BROKER_PORT = 9092;
    static final int CONTROLLER_PORT = 9093;
    static final String BOOTSTRAP_SERVERS = "localhost:" + BROKER_PORT;

    /**
     * The platform's topics (the channels of event-contracts' AsyncAPI document), created once the broker answers
     * and before any service starts: services that start side by side would otherwise race to create the same
     * topic, and the loser's binder gives up for 30 s ("Problems encountered with partitions finding").
     */
    static final List<String> PLATFORM_TOPICS = List.of("pathways.learners", "pathways.opportunities",
            "pathways.referrals", "pathways.agencies", "pathways.deliveries");

    /** As the services' binder asks for ({@code min-partition-count} in pathways-messaging.yml). */
    static final int PARTITIONS = 3;

    private KafkaServerProperties() {
    }

    static String render(Path logDir) {
        // Backslashes are escapes in a properties file; doubling them keeps a Windows path intact.
        String logDirs = logDir.toAbsolutePath().toString().replace("\\", "\\\\");
        return """
                # Written by the devstack on every start; edits here are overwritten.
                node.id=1
                process.roles=broker,controller
                listeners=PLAINTEXT://localhost:%1$d,CONTROLLER://localhost:%2$d
                advertised.listeners=PLAINTEXT://localhost:%1$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                # A standalone (single-voter, dynamic) quorum, as set up by "kafka-storage format --standalone".
                controller.quorum.bootstrap.servers=localhost:%2$d
                log.dirs=%3$s
                # One broker: nothing to replicate to.
                offsets.topic.replication.factor=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                num.partitions=3
                auto.create.topics.enable=true
                # Consumers of a service join one at a time locally; no point waiting for more.
                group.initial.rebalance.delay.ms=0
                """.formatted(BROKER_PORT, CONTROLLER_PORT, logDirs);
    }
}
