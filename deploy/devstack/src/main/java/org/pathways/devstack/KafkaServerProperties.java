package org.pathways.devstack;

import java.nio.file.Path;
import java.util.List;

/**
 * The broker configuration of the devstack: one node that is both broker and KRaft controller (no ZooKeeper, no
 * second process), with every replication setting at 1 because there is only one broker to replicate to. Secured as
 * production is: clients authenticate with SASL/SCRAM-SHA-512, one user per service, and the StandardAuthorizer lets
 * each do only what {@link KafkaAccess} grants it. The broker itself and the devstack's admin (topics, users, ACLs)
 * are the one super user, {@value #ADMIN}, a PLAIN user defined in this file: SCRAM users live in the cluster
 * metadata, which the controller listener cannot authenticate against, and a PLAIN super user lets the devstack set
 * up a storage formatted by an earlier, unsecured devstack without formatting it again.
 *
 * @param brokerPort the clients' listener (SASL_PLAINTEXT)
 * @param controllerPort the KRaft controller's listener
 * @param adminPassword the super user's password, new on every start
 */
record KafkaServerProperties(int brokerPort, int controllerPort, String adminPassword) {

    static final int BROKER_PORT = 9092;
    static final int CONTROLLER_PORT = 9093;
    static final String BOOTSTRAP_SERVERS = "localhost:" + BROKER_PORT;
    static final String ADMIN = "admin";
    static final String SECURITY_PROTOCOL = "SASL_PLAINTEXT";
    static final String SASL_MECHANISM = "SCRAM-SHA-512";

    /**
     * The platform's topics (the channels of event-contracts' AsyncAPI document), created once the broker answers
     * and before any service starts: services that start side by side would otherwise race to create the same
     * topic, and the loser's binder gives up for 30 s ("Problems encountered with partitions finding"). With the
     * authorizer, no service may create a topic at all.
     */
    static final List<String> PLATFORM_TOPICS = List.of("pathways.learners", "pathways.opportunities",
            "pathways.referrals", "pathways.agencies", "pathways.deliveries");

    /** As the services' binder asks for ({@code min-partition-count} in pathways-messaging.yml). */
    static final int PARTITIONS = 3;

    String bootstrapServers() {
        return "localhost:" + brokerPort;
    }

    String render(Path logDir) {
        // Backslashes are escapes in a properties file; doubling them keeps a Windows path intact.
        String logDirs = logDir.toAbsolutePath().toString().replace("\\", "\\\\");
        String plainUsers = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
                + "\" password=\"" + adminPassword + "\" user_" + ADMIN + "=\"" + adminPassword + "\";";
        return """
                # Written by the devstack on every start; edits here are overwritten.
                node.id=1
                process.roles=broker,controller
                listeners=SASL_PLAINTEXT://localhost:%1$d,CONTROLLER://localhost:%2$d
                advertised.listeners=SASL_PLAINTEXT://localhost:%1$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=SASL_PLAINTEXT
                listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
                # Clients: SCRAM-SHA-512, one user per service. PLAIN: the broker itself and the devstack's admin.
                listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
                listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
                listener.name.sasl_plaintext.plain.sasl.jaas.config=%4$s
                sasl.mechanism.inter.broker.protocol=PLAIN
                listener.name.controller.sasl.enabled.mechanisms=PLAIN
                listener.name.controller.plain.sasl.jaas.config=%4$s
                sasl.mechanism.controller.protocol=PLAIN
                authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
                super.users=User:%5$s
                allow.everyone.if.no.acl.found=false
                # A standalone (single-voter, dynamic) quorum, as set up by "kafka-storage format --standalone".
                controller.quorum.bootstrap.servers=localhost:%2$d
                log.dirs=%3$s
                # One broker: nothing to replicate to.
                offsets.topic.replication.factor=1
                # The consumer offsets in 5 partitions, not 50: a handful of groups, and every start loads each one.
                offsets.topic.num.partitions=5
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                num.partitions=3
                # Every topic is made by the devstack's admin before the services start.
                auto.create.topics.enable=false
                # Consumers of a service join one at a time locally; no point waiting for more.
                group.initial.rebalance.delay.ms=0
                # The log cleaner's offset map (for the compacted consumer offsets) takes 128 MB of the broker's 256 MB heap
                # by default, allocated at once as it starts: a start failed with OutOfMemoryError. 16 MB holds the keys
                # of some 700,000 records per cleaning, far more than a devstack has.
                log.cleaner.dedupe.buffer.size=16777216
                # Events are kept for good (7 days is Kafka's default): the progression-service rebuilds its figures
                # by replaying the topics from the start, and a devstack lives for weeks. They hold no personal data.
                log.retention.ms=-1
                # So their consumer groups' offsets are kept for a year (7 days by default): a group left without a
                # member longer would start again from the first event, past what the inboxes remember (30 days).
                offsets.retention.minutes=525600
                """.formatted(brokerPort, controllerPort, logDirs, plainUsers, ADMIN);
    }
}
