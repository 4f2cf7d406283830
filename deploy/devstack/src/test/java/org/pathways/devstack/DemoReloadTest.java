package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A demo load cut short (Ctrl-C, a killed devstack) is started again by the next {@code --demo} start, since the
 * marker is written only once all of it loaded. The worst case is a load cut just before the marker: everything is
 * there, and the load runs whole again. It must find what is there and make nothing twice: each course listed once,
 * each referral once, one webhook subscription, the plan's steps once.
 */
@Order(1)
@ExtendWith(SharedDevstack.class)
class DemoReloadTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aLoadStartedAgainFindsWhatTheFirstMadeAndMakesNothingTwice() throws Exception {
        SharedDevstack platform = SharedDevstack.platform();
        DemoTokens tokens = platform.tokens();
        Map<String, Integer> before = counts(tokens);
        assertThat(before.get("subscriptions")).isEqualTo(1);
        assertThat(before).allSatisfy((what, count) -> assertThat(count).as(what).isPositive());

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path withoutMarker = Files.createTempDirectory(platform.dataDir(), "reload-");
        new DemoData(new GatewayApi(PlatformService.GATEWAY.baseUrl()), tokens,
                new PrintStream(console, true, StandardCharsets.UTF_8)).loadOnce(withoutMarker);

        String transcript = console.toString(StandardCharsets.UTF_8);
        assertThat(transcript).as(transcript).doesNotContain("FAILED:")
                .contains("demo data: " + DemoPartnership.OPPORTUNITIES.size() + "/"
                        + DemoPartnership.OPPORTUNITIES.size() + " opportunities published")
                .contains(DemoPartnership.TEAM_PLAN.size() + "/" + DemoPartnership.TEAM_PLAN.size() + " plan steps");
        assertThat(Files.exists(withoutMarker.resolve(DemoData.MARKER_FILE))).isTrue();
        assertThat(counts(tokens)).as("what the demo made, counted after the second load").isEqualTo(before);
    }

    /** The course titles listed, each with how many opportunities carry it; referrals; subscriptions; plan steps. */
    private Map<String, Integer> counts(DemoTokens tokens) throws Exception {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (DemoPartnership.OpportunityPlan plan : DemoPartnership.OPPORTUNITIES) {
            JsonNode found = get("/api/opportunities?limit=50&q=" + URLEncoder.encode(plan.title(),
                    StandardCharsets.UTF_8), tokens.tokenOf(DemoTokens.COLLEGE));
            int same = 0;
            for (JsonNode item : found.path("items")) {
                same += plan.title().equals(item.path("title").asString("")) ? 1 : 0;
            }
            counts.merge("course " + plan.title(), same, Integer::sum);
        }
        counts.put("referrals to the college", get("/api/referrals?direction=incoming&limit=100",
                tokens.tokenOf(DemoTokens.COLLEGE_SYSTEM)).path("items").size());
        counts.put("subscriptions", get("/api/subscriptions", tokens.tokenOf(DemoTokens.COLLEGE)).size());
        return counts;
    }

    private JsonNode get(String path, String token) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(PlatformService.GATEWAY.baseUrl() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
