package org.pathways.devstack;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The repository's deployable modules as the deployment files must know them: every module that runs as its own
 * process ({@code src/main/resources/<module>.yml}) and is built on the shared HTTP edge (it imports
 * {@code pathways-platform.yml}), so that it serves probes and {@code /actuator/prometheus} on {@code MANAGEMENT_PORT}.
 */
record PlatformModules(Path root, List<String> names) {

    static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    /** The port compose and Kubernetes give MANAGEMENT_PORT. */
    static final int MANAGEMENT_PORT = 9080;

    static PlatformModules inRepository() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT)) {
            List<String> names = dirs.filter(dir -> {
                Path config = dir.resolve("src/main/resources").resolve(dir.getFileName() + ".yml");
                try {
                    return Files.isRegularFile(config) && Files.readString(config).contains("pathways-platform.yml");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).map(dir -> dir.getFileName().toString()).sorted().toList();
            return new PlatformModules(ROOT, names);
        }
    }

    static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Yaml().load(reader);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object document : new Yaml(options).loadAll(reader)) {
                if (document != null) {
                    documents.add((Map<String, Object>) document);
                }
            }
        }
        return documents;
    }

    /** {@link #at} for assertions, which need a plain Object. */
    static Object value(Object node, String... keys) {
        return at(node, keys);
    }

    /** A nested value by its keys, e.g. {@code at(map, "spec", "template", "spec")}. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return (T) current;
    }
}
