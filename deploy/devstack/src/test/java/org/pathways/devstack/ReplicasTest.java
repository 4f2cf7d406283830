package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --replicas 2}: a second instance of every back-end service, configured like the first, behind the gateway. */
class ReplicasTest {

    @TempDir
    Path dataDir;

    private Devstack devstack(int replicas) {
        return new Devstack(dataDir, dataDir, false, false, replicas, null, new PrintStream(OutputStream.nullOutputStream()));
    }

    @Test
    void startsASecondInstanceOfEachBackEndServiceOnItsPortPlus100() {
        List<PlatformService> all = PlatformService.all(2);

        assertThat(all).extracting(PlatformService::name).containsExactly("identity", "learner", "learner-2",
                "opportunity", "opportunity-2", "referral", "referral-2", "notification", "notification-2",
                "progression", "progression-2", "web", "gateway");
        assertThat(all).filteredOn(service -> service.name().equals("referral-2")).singleElement()
                .satisfies(second -> {
                    assertThat(second.port()).isEqualTo(8183);
                    assertThat(second.module()).isEqualTo("referral-service");
                    assertThat(second.first()).isEqualTo(PlatformService.BACKEND.get(2));
                });
        assertThat(all).extracting(PlatformService::port).doesNotHaveDuplicates();
        assertThat(PlatformService.all(1)).isEqualTo(PlatformService.all());
    }

    @Test
    void aSecondInstanceHasTheFirstsEnvironmentIncludingItsKafkaUserButItsOwnPortAndSearchIndex() {
        Devstack devstack = devstack(2);
        for (PlatformService service : PlatformService.SCALABLE) {
            Map<String, String> first = devstack.environmentOf(service);
            Map<String, String> second = devstack.environmentOf(service.instance(1));

            assertThat(second.get("SERVER_PORT")).isEqualTo(Integer.toString(service.port() + 100));
            assertThat(second.get("KAFKA_SASL_USERNAME")).isEqualTo(service.module());
            assertThat(second.get("KAFKA_SASL_PASSWORD")).isNotBlank().isEqualTo(first.get("KAFKA_SASL_PASSWORD"));
            assertThat(second).containsKeys("MONGODB_URI", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL");
            assertThat(second.keySet()).isEqualTo(first.keySet());
            second.forEach((name, value) -> {
                if (!name.equals("SERVER_PORT") && !name.equals("PATHWAYS_SEARCH_INDEX_DIR")) {
                    assertThat(value).as(name).isEqualTo(first.get(name));
                }
            });
        }
        PlatformService catalogue = PlatformService.BACKEND.get(1);
        assertThat(devstack.environmentOf(catalogue.instance(1)).get("PATHWAYS_SEARCH_INDEX_DIR"))
                .as("each instance keeps its own search index")
                .isNotEqualTo(devstack.environmentOf(catalogue).get("PATHWAYS_SEARCH_INDEX_DIR"));
    }

    @Test
    void theGatewayIsGivenEveryInstanceOfEachService() {
        Map<String, String> gateway = devstack(2).environmentOf(PlatformService.GATEWAY);

        assertThat(gateway).containsEntry("LEARNER_SERVICE_URL", "http://localhost:8081,http://localhost:8181")
                .containsEntry("OPPORTUNITY_SERVICE_URL", "http://localhost:8082,http://localhost:8182")
                .containsEntry("REFERRAL_SERVICE_URL", "http://localhost:8083,http://localhost:8183")
                .containsEntry("NOTIFICATION_SERVICE_URL", "http://localhost:8084,http://localhost:8184")
                .containsEntry("PROGRESSION_SERVICE_URL", "http://localhost:8085,http://localhost:8185")
                .containsEntry("WEB_APP_URL", "http://localhost:8086");
        assertThat(devstack(1).environmentOf(PlatformService.GATEWAY))
                .as("one instance: one URL, as before")
                .containsEntry("REFERRAL_SERVICE_URL", "http://localhost:8083");
    }
}
