package org.pathways.learner.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/** The access trail is read in pages, following the {@code Link: rel="next"} cursor. */
class AuditPagingTest extends LearnerProfileServiceTest {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    private record Page(List<JsonNode> entries, String next) {
    }

    private Page page(String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(api().request(path, TestTokens.worker(COLLEGE)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            String next = response.headers().firstValue("Link").map(link -> {
                Matcher matcher = NEXT.matcher(link);
                assertThat(matcher.find()).as(link).isTrue();
                return matcher.group(1);
            }).orElse(null);
            return new Page(HttpApi.JSON.readTree(response.body()).valueStream().toList(), next);
        }
    }

    private void read(String learnerId, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(api().get("/api/learners/" + learnerId, TestTokens.worker(COLLEGE)).status()).isEqualTo(200);
        }
    }

    private static List<String> ids(List<JsonNode> entries) {
        return entries.stream().map(entry -> entry.path("id").asString()).toList();
    }

    @Test
    void pagesFollowOneAnotherWithoutGapsOrRepeatsEvenAsNewEntriesArrive() throws Exception {
        String learnerId = registerLearner(COLLEGE);
        read(learnerId, 7);

        Page first = page("/api/learners/" + learnerId + "/audit?limit=3");
        assertThat(first.entries()).hasSize(3);
        assertThat(first.next()).startsWith("/api/learners/" + learnerId + "/audit?after=").endsWith("&limit=3");
        read(learnerId, 2);
        List<JsonNode> followed = new ArrayList<>(first.entries());
        String next = first.next();
        int pages = 1;
        while (next != null) {
            Page page = page(next);
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(3).isNotEmpty();
            followed.addAll(page.entries());
            next = page.next();
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        List<JsonNode> whole = page("/api/learners/" + learnerId + "/audit").entries();
        assertThat(whole).hasSize(9);
        assertThat(ids(followed)).containsExactlyElementsOf(ids(whole)).doesNotHaveDuplicates();
        assertThat(page("/api/learners/" + learnerId + "/audit?limit=9").next()).as("no page after the last").isNull();
    }

    @Test
    void theTrailIsOldestFirstInAStableOrder() throws Exception {
        String learnerId = registerLearner(COLLEGE);
        read(learnerId, 4);
        List<JsonNode> once = page("/api/learners/" + learnerId + "/audit?limit=200").entries();
        List<JsonNode> twice = page("/api/learners/" + learnerId + "/audit?limit=200").entries();
        assertThat(ids(once)).containsExactlyElementsOf(ids(twice));
        List<String> times = once.stream().map(entry -> entry.path("at").asString()).toList();
        assertThat(times).isSortedAccordingTo(java.util.Comparator.comparing(java.time.Instant::parse));
    }

    @Test
    void aPageSizeOutOfBoundsOrAForgedCursorIsABadRequest() {
        String learnerId = registerLearner(COLLEGE);
        String base = "/api/learners/" + learnerId + "/audit";
        for (String query : List.of("?limit=0", "?limit=201", "?limit=abc", "?limit=2.5", "?after=not-a-cursor",
                "?after=" + URLEncoder.encode("{\"$gt\":\"\"}", StandardCharsets.UTF_8),
                "?after=" + "A".repeat(300))) {
            HttpApi.Response response = api().get(base + query, TestTokens.worker(COLLEGE));
            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.contentType()).as(query).startsWith("application/problem+json");
        }
        assertThat(api().get(base + "?limit=5", TestTokens.worker(COUNCIL)).isProblem(404, "not-found")).isTrue();
    }
}
