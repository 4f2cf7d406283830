package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is checked two ways: every deployable module of the
 * build has a service in it with a health check, and, where a compose binary is installed, {@code config} accepts it.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        try (Reader reader = Files.newBufferedReader(COMPOSE, StandardCharsets.UTF_8)) {
            Map<String, Object> compose = new Yaml().load(reader);
            return (Map<String, Map<String, Object>>) compose.get("services");
        }
    }

    /** Modules that run as their own process: they carry {@code src/main/resources/<module>.yml} by convention. */
    private static List<String> deployableModules() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            return dirs.filter(dir -> Files.isRegularFile(
                            dir.resolve("src/main/resources").resolve(dir.getFileName() + ".yml")))
                    .map(dir -> dir.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyDeployableModuleRunsInComposeFromItsOwnImageWithAHealthCheck() throws IOException {
        Map<String, Map<String, Object>> services = services();
        List<String> modules = deployableModules();
        assertThat(modules).contains("gateway", "referral-service", "learner-profile-service");

        for (String module : modules) {
            assertThat(services).as("docker-compose.yml runs " + module).containsKey(module);
            Map<String, Object> service = services.get(module);
            // The very name the Maven build gives the module's image (ContainerImagesTest checks it in full).
            assertThat(String.valueOf(service.get("image"))).as(module + " runs its own image")
                    .startsWith("ghcr.io/pathways/" + module + ":");
            if (!module.equals("gateway")) {
                // The anchor merges the shared health check into each service.
                assertThat(service).as(module + " has a readiness health check").containsKey("healthcheck");
            }
        }
        assertThat(services).containsKeys("kafka", "mongo");
    }

    @Test
    void composeAcceptsTheFileWhereAComposeBinaryIsInstalled() throws Exception {
        Optional<List<String>> command = composeCommand();
        assumeTrue(command.isPresent(), "no docker-compose or docker compose plugin on this machine");
        List<String> call = new ArrayList<>(command.get());
        call.addAll(List.of("-f", COMPOSE.toString(), "config", "-q"));
        Process process = new ProcessBuilder(call).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("compose config finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("compose config: " + output).isZero();
    }

    private static Optional<List<String>> composeCommand() throws InterruptedException {
        for (List<String> candidate : List.of(List.of("docker-compose"), List.of("docker", "compose"))) {
            try {
                List<String> version = new ArrayList<>(candidate);
                version.add("version");
                Process process = new ProcessBuilder(version).redirectErrorStream(true).start();
                process.getInputStream().readAllBytes();
                if (process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0) {
                    return Optional.of(candidate);
                }
            } catch (IOException notInstalled) {
                // try the next one
            }
        }
        return Optional.empty();
    }
}
