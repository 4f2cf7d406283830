package org.pathways.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pathways.testing.NodeTool;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every service's OpenAPI document, as the gateway serves it, exported to target/openapi and checked by a standard
 * linter: Redocly's CLI with its recommended ruleset (src/test/node/openapi-lint/redocly.yaml says what we changed
 * and why). Skipped, saying why, where node or the linter is not installed.
 */
class OpenApiLintEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path LINTER = Path.of("src/test/node/openapi-lint");
    private static final Path EXPORTED = Path.of("target/openapi");

    @Test
    void everyServicesOpenApiDocumentPassesRedoclysLint() throws Exception {
        NodeTool redocly = NodeTool.installedAt(LINTER);
        Files.createDirectories(EXPORTED);
        List<String> command = new ArrayList<>(List.of("node_modules/.bin/redocly", "lint", "--format", "json",
                "--config", "redocly.yaml"));
        for (String service : ApiDocumentationEndToEndTest.MAIN_PATHS.keySet()) {
            HttpResponse<String> response = ApiDocumentationEndToEndTest.get("/v3/api-docs/" + service);
            assertThat(response.statusCode()).as(service).isEqualTo(200);
            Path document = EXPORTED.resolve(service + ".json");
            Files.writeString(document, response.body());
            command.add(document.toAbsolutePath().toString());
        }
        NodeTool.Result lint = redocly.run(Duration.ofMinutes(3), command.toArray(String[]::new));
        // One JSON report per document, one after the other.
        List<JsonNode> reports = JSON.readerFor(JsonNode.class).<JsonNode>readValues(lint.stdout()).readAll();
        assertThat(reports).as(lint.toString()).hasSize(ApiDocumentationEndToEndTest.MAIN_PATHS.size());
        List<String> problems = new ArrayList<>();
        reports.forEach(report -> report.get("problems").forEach(problem -> problems.add(problem.get("severity").asString() + " "
                + problem.get("ruleId").asString() + ": " + problem.get("message").asString() + " at "
                + problem.at("/location/0/pointer").asString() + " in "
                + Path.of(problem.at("/location/0/source/ref").asString()).getFileName())));
        assertThat(problems).as("Redocly lint problems").isEmpty();
        assertThat(lint.exitCode()).as(lint.toString()).isZero();
    }
}
