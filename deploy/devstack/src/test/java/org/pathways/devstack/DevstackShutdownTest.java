package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of a devstack session: Ctrl-C (SIGTERM) runs the devstack's shutdown hook, which stops everything in order;
 * here the same stop, of the module's shared platform, once the other tests are done with it. Then the next session:
 * a second start in the same data directory, as a developer's every start after the first.
 */
@Order(3)
@ExtendWith(SharedDevstack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevstackShutdownTest {

    @Test
    @Order(1)
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
        // Each service wrote its class-data sharing archive as it stopped, for a quicker next start: the back end's
        // on top of the base archive of the libraries they share, made before they started.
        Path cds = platform.dataDir().resolve("cds");
        for (String service : List.of("identity", "gateway", "web")) {
            assertThat(cds.resolve(service).resolve("classes.jsa")).as("the CDS archive of " + service)
                    .isNotEmptyFile();
        }
        try (Stream<Path> bases = Files.list(cds.resolve("shared"))) {
            List<String> keys = bases.map(base -> base.getFileName().toString()).toList();
            assertThat(keys).as("one shared archive").hasSize(1);
            String key = keys.getFirst();
            assertThat(cds.resolve("shared").resolve(key).resolve("base.jsa")).as("the back end's shared archive")
                    .isNotEmptyFile();
            for (String service : List.of("learner", "opportunity", "referral", "notification", "progression")) {
                assertThat(cds.resolve(service).resolve("top-" + key + ".jsa"))
                        .as("the CDS archive of " + service + " on the shared one").isNotEmptyFile();
            }
        }
    }

    @Test
    @Order(2)
    void aSecondStartLaunchesTheServicesWhileKafkaBootsAndServesTheDataOfTheFirst() throws Exception {
        SharedDevstack first = SharedDevstack.platform();
        assertThat(listening(9092)).as("the first platform stopped").isFalse();
        List<String> output = new CopyOnWriteArrayList<>();
        PrintStream console = new PrintStream(new LineCollector(output), true, StandardCharsets.UTF_8);
        Devstack second = new Devstack(RepositoryRoot.findFrom(Path.of("")).orElseThrow(), first.dataDir(), false,
                false, 1, null, console).apiOnly();
        try {
            DemoTokens tokens = second.start();
            // The broker already had every service's user, topic and ACL: the services did not wait for it.
            int kafkaReady = indexOf(output, "Kafka ready");
            assertThat(kafkaReady).as("Kafka answered; console:%n%s", String.join("\n", output)).isNotNegative();
            assertThat(indexOf(output, "starting referral-service")).as("the services launch before Kafka answers")
                    .isBetween(0, kafkaReady);
            // And they work: the first session's opportunities, through the gateway, with a new token of the issuer.
            String title = DemoPartnership.OPPORTUNITIES.getFirst().title();
            GatewayApi api = new GatewayApi(PlatformService.GATEWAY.baseUrl());
            GatewayApi.Reply opportunities = api.get("/api/opportunities", tokens.tokenOf(DemoTokens.COLLEGE));
            for (int attempt = 0; attempt < 30 && !opportunities.text().contains(title); attempt++) {
                Thread.sleep(1_000);
                opportunities = api.get("/api/opportunities", tokens.tokenOf(DemoTokens.COLLEGE));
            }
            assertThat(opportunities.status()).as(opportunities.text()).isEqualTo(200);
            assertThat(opportunities.text()).as("the opportunities the first session's demo data made")
                    .contains(title);
        } finally {
            second.stop();
        }
    }

    @Test
    @Order(3)
    void aFreshDataDirectoryTakesTheSharedArchiveMadeElsewhereAndTheJvmMapsItThere(@TempDir Path fresh)
            throws Exception {
        // As a newcomer's first start takes the build's (deploy/devstack/target/cds): here the first session's.
        Path elsewhere = SharedDevstack.platform().dataDir().resolve("cds");
        List<String> output = new CopyOnWriteArrayList<>();
        PrintStream console = new PrintStream(new LineCollector(output), true, StandardCharsets.UTF_8);
        Path root = RepositoryRoot.findFrom(Path.of("")).orElseThrow();

        SharedBaseArchive.Base base = new ServiceLaunch(root, fresh.resolve("cds"), fresh.resolve("logs"), elsewhere,
                console).prepareAhead(PlatformService.SCALABLE);

        assertThat(base).as("console:%n%s", String.join("\n", output)).isNotNull();
        assertThat(base.archive()).startsWith(fresh).isNotEmptyFile();
        Path made = elsewhere.resolve("shared").resolve(base.key()).resolve("base.jsa");
        assertThat(Files.isSameFile(base.archive(), made)).as("taken, not made again").isTrue();
        assertThat(output).as("nothing extracted or made").isEmpty();
        // Its jars are at another path now; the JVM must still map it (-Xshare:on refuses to start otherwise).
        List<String> probe = List.of(JavaRuntime.javaExecutable(), "-Xshare:on", "-XX:SharedArchiveFile="
                + base.archive(), "-cp", String.join(java.io.File.pathSeparator,
                base.jars().stream().map(Path::toString).toList()), "-version");
        assertThat(base.jars()).allMatch(jar -> jar.startsWith(fresh));
        Process java = new ProcessBuilder(probe).redirectErrorStream(true).start();
        String said = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor()).as(said).isZero();
        assertThat(said).contains("sharing");
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    /** The second devstack's console, line by line. */
    private static final class LineCollector extends OutputStream {

        private final List<String> lines;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineCollector(List<String> lines) {
            this.lines = lines;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
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
