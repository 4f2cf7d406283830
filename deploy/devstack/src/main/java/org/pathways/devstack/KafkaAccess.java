package org.pathways.devstack;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each service may do on the broker: write only the topics it owns (its events, per the event catalogue in
 * docs/events.md, and its own dead-letter topic) and read only those it consumes (its bindings' destinations), in
 * consumer groups named after it. Nobody else may write a topic: a forged {@code consent-granted} or
 * {@code learner.erased} needs learner-profile-service's credentials. The one table of the platform's broker
 * permissions: the devstack applies it (KafkaBroker), and deploy/k8s's Strimzi KafkaUsers must grant exactly the same
 * (KubernetesManifestsTest); KafkaAccessTest holds it to the catalogue and the services' bindings.
 *
 * @param principal the SCRAM user, the service's module and {@code spring.application.name}
 * @param writes the topics whose events it produces (its outbox relay publishes there)
 * @param reads the topics it consumes
 */
record KafkaAccess(String principal, List<String> writes, List<String> reads) {

    static final List<KafkaAccess> SERVICES = List.of(
            new KafkaAccess("learner-profile-service", List.of("pathways.learners"),
                    List.of("pathways.referrals", "pathways.agencies")),
            new KafkaAccess("opportunity-catalogue-service", List.of("pathways.opportunities", "pathways.agencies"),
                    // its search index follows its own catalogue changes
                    List.of("pathways.referrals", "pathways.opportunities", "pathways.agencies")),
            new KafkaAccess("referral-service", List.of("pathways.referrals"),
                    List.of("pathways.learners", "pathways.opportunities", "pathways.agencies")),
            new KafkaAccess("notification-service", List.of("pathways.deliveries"),
                    List.of("pathways.referrals", "pathways.learners", "pathways.agencies")),
            new KafkaAccess("progression-service", List.of(),
                    List.of("pathways.learners", "pathways.opportunities", "pathways.referrals",
                            "pathways.deliveries")));

    /** Where the service's consumers park an event they could not process ({@code dlq-name} in pathways-messaging.yml). */
    String deadLetterTopic() {
        return "pathways.dlq." + principal;
    }

    /** Every topic of the platform: the services' own and their dead-letter topics, created by the devstack's admin. */
    static List<String> allTopics() {
        return Stream.concat(KafkaServerProperties.PLATFORM_TOPICS.stream(),
                SERVICES.stream().map(KafkaAccess::deadLetterTopic)).distinct().toList();
    }

    /**
     * The ACLs: Write and Describe on its own topics and dead-letter topic, Read and Describe on what it consumes and on
     * its dead-letter topic, Read on the consumer groups whose names start with its own (the catalogue's search index
     * uses one group per instance, {@code opportunity-catalogue-service-search-<uuid>}). No Create, Alter or Delete:
     * the topics are made by the operator (Strimzi's KafkaTopics, the devstack's admin), never by a service.
     */
    List<AclBinding> aclBindings() {
        List<AclBinding> bindings = new ArrayList<>();
        for (String topic : Stream.concat(writes.stream(), Stream.of(deadLetterTopic())).toList()) {
            bindings.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
            bindings.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE));
        }
        // Its dead-letter topic too: administrators list and inspect the service's dead letters through it.
        for (String topic : Stream.concat(reads.stream(), Stream.of(deadLetterTopic())).toList()) {
            bindings.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
            bindings.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE));
        }
        bindings.add(allow(ResourceType.GROUP, principal, PatternType.PREFIXED, AclOperation.READ));
        return bindings.stream().distinct().toList();
    }

    private AclBinding allow(ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + principal, "*", operation, AclPermissionType.ALLOW));
    }
}
