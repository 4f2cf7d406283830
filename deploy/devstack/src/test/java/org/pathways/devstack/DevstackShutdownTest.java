package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The end of a devstack session: Ctrl-C (SIGTERM) runs the devstack's shutdown hook, which stops everything in order;
 * here the same stop, of the module's shared platform, once the other tests are done with it.
 */
@Order(3)
@ExtendWith(SharedDevstack.class)
class DevstackShutdownTest {

    @Test
    void stopsEverythingFreesEveryPortAndKeepsEachServicesClassDataArchive() throws Exception {
        SharedDevstack platform = SharedDevstack.platform();
        Thread stopping = Thread.ofPlatform().start(platform::stop);
        stopping.join(120_000);
        assertThat(stopping.isAlive()).as("the devstack stops within 120 s").isFalse();

        List<String> output = platform.output();
        List<String> tail = output.subList(Math.max(0, output.size() - 40), output.size());
        assertThat(output.stream().anyMatch(line -> line.contains("stopped")))
                .withFailMessage("no clean stop; last lines:%n%s", String.join("\n", tail)).isTrue();
        for (int port : new int[] {8080, 8081, 8082, 8083, 8084, 8085, 8086, 9000, 9092, 27017}) {
            assertThat(listening(port)).as("port " + port + " is free again").isFalse();
        }
        // Each service wrote its class-data sharing archive as it stopped, for a quicker next start.
        Path dataDir = platform.dataDir();
        for (String service : List.of("identity", "learner", "referral", "gateway", "web")) {
            assertThat(dataDir.resolve("cds").resolve(service).resolve("classes.jsa"))
                    .as("the CDS archive of " + service).isNotEmptyFile();
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("localhost", port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
