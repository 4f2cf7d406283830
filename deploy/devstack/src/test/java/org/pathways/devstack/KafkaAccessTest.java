package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The broker permissions follow from what the services do: each writes the topics the event catalogue
 * (docs/events.md) names it the producer of, and reads the destinations its bindings name.
 */
class KafkaAccessTest {

    private static final Pattern CATALOGUE_ROW = Pattern.compile(
            "(?m)^\\| `org\\.pathways\\.[^|]+\\| `(pathways\\.[a-z]+)`[^|]*\\| ([a-z-]+-service)");
    private static final Pattern DESTINATION = Pattern.compile("(?m)^\\s+destination: ([a-z.,]+)\\s*$");

    @Test
    void eachServiceWritesExactlyTheTopicsTheEventCatalogueNamesItTheProducerOf() throws IOException {
        String catalogue = Files.readString(PlatformModules.ROOT.resolve("docs/events.md"));
        Map<String, Set<String>> produced = new TreeMap<>();
        Matcher row = CATALOGUE_ROW.matcher(catalogue);
        while (row.find()) {
            produced.computeIfAbsent(row.group(2), producer -> new TreeSet<>()).add(row.group(1));
        }
        assertThat(produced).containsKeys("learner-profile-service", "opportunity-catalogue-service",
                "referral-service", "notification-service");
        for (KafkaAccess service : KafkaAccess.SERVICES) {
            assertThat(service.writes()).as(service.principal() + " writes")
                    .containsExactlyInAnyOrderElementsOf(produced.getOrDefault(service.principal(), Set.of()));
        }
        assertThat(KafkaAccess.SERVICES.stream().flatMap(service -> service.writes().stream()))
                .as("every platform topic has its one producer")
                .containsExactlyInAnyOrderElementsOf(KafkaServerProperties.PLATFORM_TOPICS);
    }

    @Test
    void eachServiceReadsExactlyTheDestinationsOfItsBindings() throws IOException {
        List<String> consumers = PlatformModules.inRepository().names().stream().filter(module -> {
            return Files.isRegularFile(config(module)) && read(config(module)).contains("pathways-messaging.yml");
        }).toList();
        assertThat(KafkaAccess.SERVICES).extracting(KafkaAccess::principal)
                .as("every service on the messaging module has a Kafka user").containsExactlyInAnyOrderElementsOf(consumers);
        for (KafkaAccess service : KafkaAccess.SERVICES) {
            Set<String> destinations = new TreeSet<>();
            Matcher destination = DESTINATION.matcher(read(config(service.principal())));
            while (destination.find()) {
                destinations.addAll(Arrays.asList(destination.group(1).split(",")));
            }
            assertThat(service.reads()).as(service.principal() + " reads")
                    .containsExactlyInAnyOrderElementsOf(destinations);
        }
    }

    @Test
    void theDevstackCreatesEveryTopicAndDeadLetterTopicSoNoServiceNeedsToCreateOne() {
        assertThat(KafkaAccess.allTopics()).containsAll(KafkaServerProperties.PLATFORM_TOPICS)
                .contains("pathways.dlq.referral-service", "pathways.dlq.progression-service");
        assertThat(KafkaAccess.SERVICES.stream().flatMap(service -> service.aclBindings().stream()))
                .noneMatch(acl -> acl.entry().operation().name().matches("CREATE|ALTER|DELETE|ALL"));
    }

    private static Path config(String module) {
        return PlatformModules.ROOT.resolve(module).resolve("src/main/resources").resolve(module + ".yml");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
