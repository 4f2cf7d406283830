package org.pathways.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathways.events.catalogue.EventType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The AsyncAPI document checked by the official AsyncAPI parser ({@code @asyncapi/parser}, the one {@code asyncapi
 * validate} uses), run with the machine's node from src/test/node/asyncapi-validate (installed by {@code .ci/run}
 * with {@code npm ci}). Skipped, saying why, where node or the packages are missing.
 */
class AsyncApiParserTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path VALIDATOR = Path.of("src/test/node/asyncapi-validate");
    private static final Path DOCUMENT = Path.of("src/main/resources/asyncapi.yaml");

    record Run(int exitCode, String stdout, String stderr) {
    }

    @BeforeAll
    static void nodeAndTheParserAreInstalled() {
        Assumptions.assumeTrue(run(List.of("node", "--version")) != null,
                "Skipped: node is not on the PATH (install Node.js 20+; .ci/run installs the parser)");
        Assumptions.assumeTrue(Files.isDirectory(VALIDATOR.resolve("node_modules")),
                "Skipped: run `npm ci` in " + VALIDATOR + " (.ci/run does) to install @asyncapi/parser");
    }

    private static Run run(List<String> command) {
        try {
            Path errors = Files.createTempFile("asyncapi-validate", ".err");
            Process process = new ProcessBuilder(command).directory(VALIDATOR.toFile())
                    .redirectError(errors.toFile()).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish");
            }
            String err = Files.readString(errors);
            Files.delete(errors);
            return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), err);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Run validate(Path document) {
        return run(List.of("node", "validate.js", document.toAbsolutePath().toString()));
    }

    @Test
    void theAsyncApiDocumentIsValidWithNoErrorsOrWarnings() {
        Run run = validate(DOCUMENT);
        assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
        JsonNode report = JSON.readTree(run.stdout());
        assertThat(report.get("valid").asBoolean()).isTrue();
        assertThat(report.get("messages").asInt()).isEqualTo(EventType.values().length);
    }

    @Test
    void theParserRefusesADocumentThatBreaksTheSpecification(@TempDir Path dir) throws IOException {
        // The same document with one message pointing at a component that does not exist: the check can fail.
        Path broken = dir.resolve("asyncapi.yaml");
        Files.writeString(broken, Files.readString(DOCUMENT).replaceFirst(
                "\\$ref: '#/components/messages/LearnerRegistered'", "\\$ref: '#/components/messages/NoSuchMessage'"));
        Files.createDirectories(dir.resolve("schemas"));
        try (var schemas = Files.list(DOCUMENT.resolveSibling("schemas"))) {
            for (Path schema : schemas.toList()) {
                Files.copy(schema, dir.resolve("schemas").resolve(schema.getFileName()));
            }
        }
        Run run = validate(broken);
        assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(1);
        assertThat(run.stdout()).contains("NoSuchMessage");
    }
}
