package org.pathways.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A small Node project of the repository (its package.json and package-lock.json checked in, its node_modules
 * installed by {@code .ci/run} with {@code npm ci}), run with the machine's own node: how the tests use the standard
 * tools of other ecosystems (the CloudEvents JavaScript SDK, the AsyncAPI parser, Redocly's OpenAPI linter). Nothing
 * is downloaded at run time; without node, or with the project not installed, the calling test is skipped, saying
 * why.
 */
public final class NodeTool {

    private final Path project;

    private NodeTool(Path project) {
        this.project = project;
    }

    /** The project at {@code project}, or the calling test skipped if node or the project's packages are missing. */
    public static NodeTool installedAt(Path project) {
        Assumptions.assumeTrue(nodeVersion() != null,
                "Skipped: node is not on the PATH (install Node.js 20+; .ci/run then installs " + project + ")");
        Assumptions.assumeTrue(Files.isDirectory(project.resolve("node_modules")),
                "Skipped: the Node packages of " + project + " are not installed: run `npm ci` there (.ci/run does)");
        return new NodeTool(project);
    }

    private static String nodeVersion() {
        try {
            Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0 ? version : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Runs {@code command} (e.g. {@code node script.js …} or {@code node_modules/.bin/tool …}) in the project. */
    public Result run(Duration timeout, String... command) {
        List<String> line = new ArrayList<>(List.of(command));
        try {
            ProcessBuilder builder = new ProcessBuilder(line).directory(project.toFile());
            // Standard tools that would phone home or nag stay quiet and offline.
            builder.environment().put("REDOCLY_TELEMETRY", "off");
            builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
            builder.environment().put("NO_UPDATE_NOTIFIER", "1");
            Process process = builder.start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(line + " did not finish within " + timeout + ": " + err.join());
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new AssertionError("Could not run " + line + " in " + project, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running " + line, e);
        }
    }

    private static String read(java.io.InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** What a run printed, and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }
}
