package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's run command, as {@code deploy/devstack/run --demo} runs it: Kafka, the store and every service as
 * processes, the demo loaded through the gateway, answering with a token it wrote, a quiet console. The first checks on
 * the module's shared platform (SharedDevstack), so that they see it fresh, as a newcomer does; the clean stop is
 * checked last ({@link DevstackShutdownTest}), and that the packaged jar runs by {@code DevstackJarIT}.
 */
@Order(1)
@ExtendWith(SharedDevstack.class)
class DevstackSmokeTest {

    @Test
    void startsEveryServiceLoadsTheDemoAndAnswersThroughTheGateway() throws Exception {
        SharedDevstack platform = SharedDevstack.platform();
        Path dataDir = platform.dataDir();
        List<String> output = platform.output();
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
        // The demo's agencies were approved by the platform admin, so their opportunities are listed in a search
        // (a pending agency's are not): the first thing a newcomer looks for. The index follows the approval's event.
        String firstTitle = DemoPartnership.OPPORTUNITIES.getFirst().title();
        String listed = "";
        long listedDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!listed.contains(firstTitle) && System.nanoTime() < listedDeadline) {
            listed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:8080/api/opportunities"))
                    .header("Authorization", "Bearer " + token(dataDir.resolve("tokens.env"), "COLLEGE_TOKEN"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            if (!listed.contains(firstTitle)) {
                Thread.sleep(500);
            }
        }
        assertThat(listed).as("the demo's opportunities in a search").contains(firstTitle);
        // The trace viewer the summary links has the demo's traces, from the gateway and the services.
        assertThat(output.stream().anyMatch(line -> line.contains("traces: open http://localhost:9411/zipkin/")))
                .withFailMessage("the ready summary links the trace viewer; last lines:%n%s", transcript)
                .isTrue();
        // The viewer starts last; the demo waits for it, so that its traces are there to open.
        int viewerStarting = indexOf(output, "still starting: it starts last");
        if (viewerStarting >= 0) {
            int viewerReady = indexOf(output, "trace viewer ready on");
            assertThat(viewerReady).as("the viewer's ready line; last lines:%n%s", transcript)
                    .isGreaterThan(viewerStarting);
            assertThat(indexOf(output, "loading demo data through the gateway"))
                    .as("the demo loaded after the trace viewer answered; last lines:%n%s", transcript)
                    .isGreaterThan(viewerReady);
        }
        long tracesDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String services = "";
        while (System.nanoTime() < tracesDeadline
                && !(services.contains("gateway") && services.contains("referral-service")
                        && services.contains("notification-service"))) {
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
        // Every service asks the store "hello" at start (the messaging module's transaction check): answered, no
        // error with its stack trace from the embedded store.
        assertThat(output).as("the embedded store knows every command the services send")
                .noneMatch(line -> line.contains("NoSuchCommandException") || line.contains("no such command"));
        assertThat(output).as("no warning that is expected in normal running (the binder's lag gauge's)")
                .noneMatch(line -> line.contains("Not updating high watermark"));
        assertThat(output).as("no advice from Lucene about a vector module the catalogue has no use for")
                .noneMatch(line -> line.contains("vector incubator module"));
        assertThat(output).as("spans of the first seconds, before the low-priority trace viewer is up, lost quietly")
                .noneMatch(line -> line.contains("Failed to export spans"));
        assertThat(output.stream().filter(line -> line.startsWith("[learner")).count())
                .as("the learner service's lines on the console").isLessThan(40);
        assertThat(Files.readString(dataDir.resolve("logs").resolve("learner.log")))
                .as("the full log is in the file").contains(" INFO ").contains("Started ");
    }

    private static int indexOf(List<String> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        return -1;
    }

    private static String token(Path tokensFile, String name) throws Exception {
        return Files.readAllLines(tokensFile).stream()
                .filter(line -> line.contains(name + "="))
                .map(line -> line.substring(line.indexOf('=') + 1).replace("'", "").replace("\"", "").trim())
                .findFirst().orElseThrow();
    }
}
