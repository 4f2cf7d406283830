package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, for real: the built devstack starts Kafka, the store and every service as processes,
 * loads the demo through the gateway, answers with a token it wrote, and stops cleanly on SIGTERM (what Ctrl-C
 * does). Runs in {@code verify}, after the jars are packaged.
 */
class DevstackSmokeIT {

    private static final Duration START_DEADLINE = Duration.ofMinutes(6);

    @Test
    void startsEveryServiceLoadsTheDemoAnswersThroughTheGatewayAndStopsCleanly(@TempDir Path dataDir)
            throws Exception {
        for (int port : new int[] {8080, 8081, 8082, 8083, 8084, 8085, 8086, 9000, 9092, 9093, 9411, 27017}) {
            // A developer's own devstack may be running: then this check cannot run, rather than fail.
            org.junit.jupiter.api.Assumptions.assumeFalse(listening(port), "port " + port + " is in use");
        }
        Path jar = Path.of("target", "devstack.jar").toAbsolutePath();
        assertThat(jar).exists();
        Process devstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "--demo", "--data-dir", dataDir.toString())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(devstack.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                }
            } catch (Exception ignored) {
                // The process ended.
            }
        });
        try {
            long deadline = System.nanoTime() + START_DEADLINE.toNanos();
            while (System.nanoTime() < deadline && devstack.isAlive()
                    && output.stream().noneMatch(line -> line.contains("demo data: "))) {
                Thread.sleep(500);
            }
            String transcript = String.join("\n", output.subList(Math.max(0, output.size() - 60), output.size()));
            assertThat(output.stream().anyMatch(line -> line.contains("Pathways devstack ready in")))
                    .withFailMessage("not ready; last lines:%n%s", transcript).isTrue();
            assertThat(output.stream().anyMatch(line -> line.contains("demo data: 8/8 opportunities published")))
                    .withFailMessage("demo not loaded; last lines:%n%s", transcript).isTrue();

            String coordinator = token(dataDir.resolve("tokens.env"), "COORDINATOR_TOKEN");
            // A real token of the issuer: RS256 (checked against its published key), not a shared-secret one.
            assertThat(new String(java.util.Base64.getUrlDecoder().decode(coordinator.split("\\.")[0]),
                    StandardCharsets.UTF_8)).contains("\"RS256\"");
            HttpResponse<String> summary = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:8080/api/progression/summary"))
                    .header("Authorization", "Bearer " + coordinator).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(summary.statusCode()).isEqualTo(200);
            assertThat(summary.body()).contains("org.pathways.referral.submitted.v1");
            // The first screen a newcomer opens: the web app through the gateway, telling them where to click.
            assertThat(output.stream().anyMatch(line -> line.contains("open http://localhost:8080")))
                    .withFailMessage("the ready summary names the web app; last lines:%n%s", transcript).isTrue();
            HttpResponse<String> home = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:8080/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(home.statusCode()).isEqualTo(200);
            assertThat(home.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(home.body()).contains("/oauth2/authorization/pathways").contains("Sign in");
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:8080/api/referrals/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            // An agency's system, client credentials: its own agency's inbox, through the gateway.
            HttpResponse<String> inbox = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:8080/api/referrals?direction=incoming"))
                    .header("Authorization", "Bearer " + token(dataDir.resolve("tokens.env"), "COLLEGE_SYSTEM_TOKEN"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(inbox.statusCode()).as(inbox.body()).isEqualTo(200);
            assertThat(inbox.body()).as("the demo's referrals to the college, and only those")
                    .contains("\"receivingAgencyId\":\"agency-college\"")
                    .doesNotContain("\"receivingAgencyId\":\"agency-jobcentre\"");
            // The trace viewer the summary links has the demo's traces, from the gateway and the services.
            assertThat(output.stream().anyMatch(line -> line.contains("traces: open http://localhost:9411/zipkin/")))
                    .withFailMessage("the ready summary links the trace viewer; last lines:%n%s", transcript)
                    .isTrue();
            long tracesDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String services = "";
            while (System.nanoTime() < tracesDeadline
                    && !(services.contains("gateway") && services.contains("referral-service"))) {
                Thread.sleep(1_000);
                try {
                    services = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:9411/api/v2/services")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.io.IOException notYet) {
                    services = "";
                }
            }
            assertThat(services).as("services with spans in the trace viewer")
                    .contains("gateway", "referral-service", "notification-service");
            // A quiet console: the devstack's progress and the services' warnings and errors, not their INFO
            // chatter, which is all in the log files the summary names.
            assertThat(output).as("no service's INFO line on the console")
                    .noneMatch(line -> line.startsWith("[learner") && ConsoleFilter.levelOf(line.substring(15))
                            instanceof String level && level.equals("INFO"));
            assertThat(output.stream().filter(line -> line.startsWith("[learner")).count())
                    .as("the learner service's lines on the console").isLessThan(40);
            assertThat(Files.readString(dataDir.resolve("logs").resolve("learner.log")))
                    .as("the full log is in the file").contains(" INFO ").contains("Started ");
        } finally {
            // SIGTERM, as Ctrl-C would; through the handle, because Process.destroy() also closes our end of the
            // pipe and the devstack's shutdown report would be lost.
            devstack.toHandle().destroy();
            boolean exited = devstack.waitFor(120, TimeUnit.SECONDS);
            if (!exited) {
                devstack.descendants().forEach(ProcessHandle::destroyForcibly);
                devstack.destroyForcibly();
            }
            reader.join(5_000);
            assertThat(exited).as("the devstack stops within 120 s of SIGTERM").isTrue();
        }
        List<String> tail = output.subList(Math.max(0, output.size() - 40), output.size());
        assertThat(output.stream().anyMatch(line -> line.contains("stopped")))
                .withFailMessage("no clean stop; last lines:%n%s", String.join("\n", tail)).isTrue();
        for (int port : new int[] {8080, 8081, 8082, 8083, 8084, 8085, 8086, 9000, 9092, 27017}) {
            assertThat(listening(port)).as("port " + port + " is free again").isFalse();
        }
        // Each service wrote its class-data sharing archive as it stopped, for a quicker next start.
        for (String service : List.of("identity", "learner", "referral", "gateway", "web")) {
            assertThat(dataDir.resolve("cds").resolve(service).resolve("classes.jsa"))
                    .as("the CDS archive of " + service).isNotEmptyFile();
        }
    }

    private static String token(Path tokensFile, String name) throws Exception {
        return Files.readAllLines(tokensFile).stream()
                .filter(line -> line.contains(name + "="))
                .map(line -> line.substring(line.indexOf('=') + 1).replace("'", "").replace("\"", "").trim())
                .findFirst().orElseThrow();
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("localhost", port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
